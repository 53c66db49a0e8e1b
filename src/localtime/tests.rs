//! The tests of the whole module: calendar, POSIX rules, zone files and
//! finding the machine's zone.

use super::calendar::{
    SECS_PER_DAY, SECS_PER_HOUR, civil_from_days, days_from_civil, days_in_month, weekday,
};
use super::tzif::{TZIF_HEADER_BYTES, TZIF_MAGIC};
use super::*;

// -----------------------------------------------------------------------
// Calendar
// -----------------------------------------------------------------------

fn utc(unix_secs: i64) -> String {
    TimeZone::utc().local(unix_secs).date_time()
}

#[test]
fn epoch_is_1970_01_01_midnight() {
    assert_eq!(utc(0), "1970-01-01 00:00:00");
    assert_eq!(
        TimeZone::utc().local(0),
        LocalTime {
            year: 1970,
            month: 1,
            day: 1,
            hour: 0,
            minute: 0,
            second: 0
        }
    );
}

#[test]
fn leap_days_exist_in_2000_and_2024() {
    assert_eq!(utc(951_782_400), "2000-02-29 00:00:00");
    assert_eq!(utc(951_782_400 + SECS_PER_DAY), "2000-03-01 00:00:00");
    assert_eq!(utc(1_709_208_000), "2024-02-29 12:00:00");
}

#[test]
fn century_years_1900_and_2100_are_not_leap_years() {
    assert_eq!(utc(-2_203_891_201), "1900-02-28 23:59:59");
    assert_eq!(utc(-2_203_891_200), "1900-03-01 00:00:00");
    assert_eq!(utc(4_107_542_399), "2100-02-28 23:59:59");
    assert_eq!(utc(4_107_542_400), "2100-03-01 00:00:00");
}

#[test]
fn negative_seconds_count_back_from_the_epoch() {
    assert_eq!(utc(-1), "1969-12-31 23:59:59");
    assert_eq!(utc(-14_182_940), "1969-07-20 20:17:40");
    assert_eq!(utc(-11_670_998_400), "1600-02-29 00:00:00");
    assert_eq!(utc(-62_135_596_800), "0001-01-01 00:00:00");
}

#[test]
fn far_future_dates() {
    assert_eq!(utc(253_402_300_799), "9999-12-31 23:59:59");
    assert_eq!(utc(253_402_300_800), "10000-01-01 00:00:00");
}

#[test]
fn extreme_instants_are_clamped_not_panicking() {
    let first = TimeZone::utc().local(i64::MIN);
    let last = TimeZone::utc().local(i64::MAX);
    assert_eq!((first.year, first.month, first.day), (i32::MIN, 1, 1));
    assert_eq!(first.hms(), "00:00:00");
    assert_eq!((last.year, last.month, last.day), (i32::MAX, 12, 31));
    assert_eq!(last.hms(), "23:59:59");
    let berlin = TimeZone::from_posix("CET-1CEST,M3.5.0,M10.5.0/3").unwrap();
    for t in [i64::MIN, i64::MIN + 1, i64::MAX - 1, i64::MAX] {
        berlin.offset_at(t);
        berlin.local(t);
    }
}

/// Walks day by day over 4 000 years, checking the conversion against
/// the simplest possible model of the calendar: the day after the last
/// day of a month is the first of the next one.
#[test]
fn day_by_day_walk_agrees_with_month_lengths() {
    let mut expected = (-400_i64, 1_u8, 1_u8);
    let first = days_from_civil(-400, 1, 1);
    for days in first..first + 4_000 * 366 {
        assert_eq!(civil_from_days(days), expected, "day {days}");
        assert_eq!(days_from_civil(expected.0, expected.1, expected.2), days);
        let (year, month, day) = expected;
        expected = if i64::from(day) < days_in_month(year, month) {
            (year, month, day + 1)
        } else if month < 12 {
            (year, month + 1, 1)
        } else {
            (year + 1, 1, 1)
        };
    }
}

#[test]
fn weekday_of_known_dates() {
    assert_eq!(weekday(0), 4); // 1970-01-01, Thursday
    assert_eq!(weekday(days_from_civil(2026, 11, 25)), 3); // Wednesday
    assert_eq!(weekday(days_from_civil(1969, 12, 28)), 0); // Sunday
}

#[test]
fn formats_pad_with_zeros() {
    let t = LocalTime {
        year: 987,
        month: 6,
        day: 5,
        hour: 4,
        minute: 3,
        second: 2,
    };
    assert_eq!(t.hms(), "04:03:02");
    assert_eq!(t.date_time(), "0987-06-05 04:03:02");
}

// -----------------------------------------------------------------------
// POSIX TZ strings
// -----------------------------------------------------------------------

const BERLIN_RULE: &str = "CET-1CEST,M3.5.0,M10.5.0/3";

fn posix(spec: &str) -> TimeZone {
    match TimeZone::from_posix(spec) {
        Ok(zone) => zone,
        Err(e) => panic!("{spec:?} should parse: {e}"),
    }
}

/// Asserts that the offset is `before` one second before `at` and
/// `after` from `at` on.
fn assert_switch(zone: &TimeZone, at: i64, before: i32, after: i32) {
    assert_eq!(zone.offset_at(at - 1), before, "one second before {at}");
    assert_eq!(zone.offset_at(at), after, "at {at}");
}

#[test]
fn europe_switches_in_2026_to_the_second() {
    let berlin = posix(BERLIN_RULE);
    // 2026-03-29 02:00 CET = 01:00 UTC: clocks jump to 03:00 CEST.
    assert_switch(&berlin, 1_774_746_000, 3_600, 7_200);
    assert_eq!(berlin.local(1_774_746_000 - 1).hms(), "01:59:59");
    assert_eq!(berlin.local(1_774_746_000).hms(), "03:00:00");
    // 2026-10-25 03:00 CEST = 01:00 UTC: clocks go back to 02:00 CET.
    assert_switch(&berlin, 1_792_890_000, 7_200, 3_600);
    assert_eq!(berlin.local(1_792_890_000 - 1).hms(), "02:59:59");
    assert_eq!(berlin.local(1_792_890_000).hms(), "02:00:00");
    // The example from the chat client.
    assert_eq!(
        berlin.local(1_795_617_025).date_time(),
        "2026-11-25 15:30:25"
    );
}

#[test]
fn us_eastern_switches_in_2026() {
    let new_york = posix("EST5EDT,M3.2.0,M11.1.0");
    // 2026-03-08 02:00 EST = 07:00 UTC.
    assert_switch(&new_york, 1_772_953_200, -18_000, -14_400);
    // 2026-11-01 02:00 EDT = 06:00 UTC.
    assert_switch(&new_york, 1_793_512_800, -14_400, -18_000);
}

#[test]
fn dst_without_dates_defaults_to_us_rules() {
    let new_york = posix("EST5EDT");
    assert_switch(&new_york, 1_772_953_200, -18_000, -14_400);
    assert_switch(&new_york, 1_793_512_800, -14_400, -18_000);
}

#[test]
fn southern_hemisphere_dst_spans_the_new_year() {
    let sydney = posix("AEST-10AEDT,M10.1.0,M4.1.0/3");
    // 2026-04-05 03:00 AEDT = 2026-04-04 16:00 UTC: DST ends.
    assert_switch(&sydney, 1_775_318_400, 39_600, 36_000);
    // 2026-10-04 02:00 AEST = 2026-10-03 16:00 UTC: DST starts.
    assert_switch(&sydney, 1_791_043_200, 36_000, 39_600);
    // Summer across the new year, winter in July.
    let new_year_2026 = days_from_civil(2026, 1, 1) * SECS_PER_DAY;
    assert_eq!(sydney.offset_at(new_year_2026 - 1), 39_600);
    assert_eq!(sydney.offset_at(new_year_2026), 39_600);
    assert_eq!(sydney.offset_at(new_year_2026 + 190 * SECS_PER_DAY), 36_000);
    assert_eq!(
        sydney.local(new_year_2026).date_time(),
        "2026-01-01 11:00:00"
    );
}

#[test]
fn fixed_offsets() {
    assert_eq!(posix("UTC0").offset_at(1_795_617_025), 0);
    assert_eq!(posix("EST5").offset_at(0), -18_000);
    assert_eq!(posix("<+0530>-5:30").offset_at(0), 19_800);
    assert_eq!(posix("<+0330>-3:30").offset_at(0), 12_600);
    assert_eq!(posix("<-03>3").offset_at(0), -10_800);
    assert_eq!(posix("<+0545>-05:45:00").offset_at(0), 20_700);
    assert_eq!(posix("XYZ+1:02:03").offset_at(0), -3_723);
    assert_eq!(posix("<+0530>-5:30").local(0).hms(), "05:30:00");
}

#[test]
fn explicit_dst_offset() {
    // Standard UTC-3, daylight UTC-1 (two hours more instead of one).
    let zone = posix("AAA3BBB1,M3.5.0,M10.5.0");
    let july = days_from_civil(2026, 7, 1) * SECS_PER_DAY;
    assert_eq!(zone.offset_at(july), -3_600);
    assert_eq!(zone.offset_at(0), -10_800);
}

/// `J60` skips February 29 and is always March 1; `59` counts it and is
/// February 29 in leap years, March 1 otherwise.
#[test]
fn julian_and_zero_based_day_forms() {
    let j = posix("AAA0BBB,J60/0,J300/0");
    let n = posix("AAA0BBB,59/0,299/0");
    // 2023: both start DST on March 1 (offset 0, so UTC midnight).
    assert_switch(&j, 1_677_628_800, 0, 3_600);
    assert_switch(&n, 1_677_628_800, 0, 3_600);
    // 2024 (leap): J60 is still March 1, day 59 is February 29.
    assert_switch(&j, 1_709_251_200, 0, 3_600);
    assert_switch(&n, 1_709_164_800, 0, 3_600);
    assert_eq!(n.offset_at(1_709_164_800 - 1), 0);
    // J300 is October 27 in any year; day 299 is October 26 or 27. The
    // end time, midnight, is read on the DST clock (UTC+1): 23:00 UTC.
    let oct_27_2023 = days_from_civil(2023, 10, 27) * SECS_PER_DAY - 3_600;
    assert_switch(&j, oct_27_2023, 3_600, 0);
    assert_switch(&n, oct_27_2023, 3_600, 0);
    let oct_26_2024 = days_from_civil(2024, 10, 26) * SECS_PER_DAY - 3_600;
    assert_switch(&n, oct_26_2024, 3_600, 0);
    assert_switch(&j, oct_26_2024 + SECS_PER_DAY, 3_600, 0);
}

/// Version 3 extensions: Israel switches "on the Thursday before the
/// last Sunday of March at 26:00", i.e. Friday 02:00; Greenland at
/// "-2:00", i.e. 22:00 the evening before.
#[test]
fn transition_times_beyond_a_day_and_negative() {
    let israel = posix("IST-2IDT,M3.4.4/26,M10.5.0");
    // 2026-03-27 02:00 IST = 00:00 UTC; 2026-10-25 02:00 IDT = 10-24 23:00 UTC.
    assert_switch(&israel, 1_774_569_600, 7_200, 10_800);
    assert_switch(&israel, 1_792_882_800, 10_800, 7_200);

    let nuuk = posix("<-02>2<-01>,M3.5.0/-1,M10.5.0/0");
    // DST starts 2026-03-29 at -01:00 local, i.e. 03-28 23:00 (-02) = 03-29 01:00 UTC.
    assert_switch(&nuuk, 1_774_746_000, -7_200, -3_600);
    // DST ends 2026-10-25 at 00:00 (-01) = 01:00 UTC.
    assert_switch(&nuuk, 1_792_890_000, -3_600, -7_200);
}

/// "DST all year": the end of one year's DST is the same instant as the
/// start of the next, so the zone must never leave DST.
#[test]
fn all_year_dst_never_ends() {
    let zone = posix("EST5EDT,0/0,J365/25");
    for year in 2020..2030 {
        let new_year = days_from_civil(year, 1, 1) * SECS_PER_DAY + 5 * SECS_PER_HOUR;
        for t in [
            new_year - 1,
            new_year,
            new_year + 1,
            new_year + 180 * SECS_PER_DAY,
        ] {
            assert_eq!(zone.offset_at(t), -14_400, "at {t}");
        }
    }
}

#[test]
fn invalid_posix_strings_are_errors_with_a_position() {
    let cases: &[(&str, usize)] = &[
        ("", 0),
        ("C", 0),
        ("CET", 3),                           // no offset
        ("CET-", 4),                          // sign without hours
        ("CET-25", 4),                        // hours out of range
        ("CET-1:60", 6),                      // minutes out of range
        ("CET-123", 4),                       // too many digits for an offset
        ("<+05", 4),                          // unterminated quote
        ("<+5>-5", 0),                        // quoted name too short
        ("CET-1CEST,M3.5.0", 16),             // no end date
        ("CET-1CEST,M13.5.0,M10.5.0", 11),    // month 13
        ("CET-1CEST,M3.6.0,M10.5.0", 13),     // week 6
        ("CET-1CEST,M3.5.7,M10.5.0", 15),     // weekday 7
        ("CET-1CEST,M3.5,M10.5.0", 14),       // missing weekday
        ("CET-1CEST,J0,M10.5.0", 11),         // J counts from 1
        ("CET-1CEST,366,M10.5.0", 10),        // day 366
        ("CET-1CEST,M3.5.0/168,M10.5.0", 17), // beyond 167 hours
        ("CET-1CEST,X,M10.5.0", 10),          // not a date form
        ("CET-1CEST;M3.5.0,M10.5.0", 9),      // wrong separator
        ("UTC0x", 4),                         // trailing garbage
        ("CET-1CEST,M3.5.0,M10.5.0/3 ", 26),
    ];
    for &(spec, at) in cases {
        match TimeZone::from_posix(spec) {
            Err(TzError::Posix { at: found, reason }) => {
                assert_eq!(found, at, "{spec:?}: {reason}");
            }
            other => panic!("{spec:?} should be a POSIX error, got {other:?}"),
        }
    }
}

#[test]
fn error_messages_are_readable() {
    let e = TimeZone::from_posix("CET-25").unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid POSIX TZ string at byte 4: hours out of range"
    );
    assert_eq!(
        TzError::Truncated { section: "footer" }.to_string(),
        "TZif data ends inside the footer"
    );
    let boxed: Box<dyn Error> = Box::new(TzError::NotTzif);
    assert!(boxed.to_string().contains("TZif"));
}

// -----------------------------------------------------------------------
// TZif
// -----------------------------------------------------------------------

/// The contents of one data block, for writing test images.
struct Block<'a> {
    /// (UTC offset, is DST)
    types: &'a [(i32, bool)],
    /// (instant, type index)
    transitions: &'a [(i64, u8)],
    /// (instant, correction): written to prove they are skipped.
    leap_seconds: &'a [(i64, i32)],
}

/// Writes a header and a data block with times of `time_bytes` bytes.
fn write_block(out: &mut Vec<u8>, version: u8, block: &Block<'_>, time_bytes: usize) {
    let abbreviations = b"LMT\0STD\0DST\0";
    let typecnt = block.types.len() as u32;
    out.extend_from_slice(b"TZif");
    out.push(version);
    out.extend_from_slice(&[0; 15]);
    for count in [
        typecnt, // isutcnt
        typecnt, // isstdcnt
        block.leap_seconds.len() as u32,
        block.transitions.len() as u32,
        typecnt,
        abbreviations.len() as u32,
    ] {
        out.extend_from_slice(&count.to_be_bytes());
    }
    let time = |out: &mut Vec<u8>, t: i64| {
        let bytes = t.to_be_bytes();
        out.extend_from_slice(&bytes[8 - time_bytes..]);
    };
    for &(at, _) in block.transitions {
        time(out, at);
    }
    for &(_, type_index) in block.transitions {
        out.push(type_index);
    }
    for &(offset, is_dst) in block.types {
        out.extend_from_slice(&offset.to_be_bytes());
        out.push(u8::from(is_dst));
        out.push(if is_dst { 8 } else { 4 });
    }
    out.extend_from_slice(abbreviations);
    for &(at, correction) in block.leap_seconds {
        time(out, at);
        out.extend_from_slice(&correction.to_be_bytes());
    }
    out.extend(std::iter::repeat_n(0, 2 * block.types.len()));
}

/// A version 1 image: one header and 32-bit data.
fn tzif_v1(block: &Block<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    write_block(&mut out, 0, block, 4);
    out
}

/// A version 2+ image. Its version 1 block is a decoy with an offset of
/// 12 345 seconds: if a test sees that offset, the reader used the wrong
/// block.
fn tzif_v2plus(version: u8, block: &Block<'_>, footer: &str) -> Vec<u8> {
    let decoy = Block {
        types: &[(12_345, false)],
        transitions: &[(0, 0)],
        leap_seconds: &[],
    };
    let mut out = Vec::new();
    write_block(&mut out, version, &decoy, 4);
    write_block(&mut out, version, block, 8);
    out.push(b'\n');
    out.extend_from_slice(footer.as_bytes());
    out.push(b'\n');
    out
}

fn tzif(bytes: &[u8]) -> TimeZone {
    match TimeZone::from_tzif(bytes) {
        Ok(zone) => zone,
        Err(e) => panic!("test image should parse: {e}"),
    }
}

/// Offsets 0 (LMT-like), +1 h standard, +2 h DST, switching at 1 000,
/// 2 000 and 3 000 seconds.
const SIMPLE_TYPES: &[(i32, bool)] = &[(0, false), (3_600, false), (7_200, true)];
const SIMPLE_TRANSITIONS: &[(i64, u8)] = &[(1_000, 1), (2_000, 2), (3_000, 1)];

#[test]
fn tzif_v1_offsets_before_at_and_after_transitions() {
    let zone = tzif(&tzif_v1(&Block {
        types: SIMPLE_TYPES,
        transitions: SIMPLE_TRANSITIONS,
        leap_seconds: &[],
    }));
    assert_eq!(zone.offset_at(i64::MIN), 0);
    assert_switch(&zone, 1_000, 0, 3_600);
    assert_switch(&zone, 2_000, 3_600, 7_200);
    assert_switch(&zone, 3_000, 7_200, 3_600);
    // No footer in version 1: the last type stays forever.
    assert_eq!(zone.offset_at(4_000_000_000), 3_600);
    assert_eq!(zone.offset_at(i64::MAX), 3_600);
}

#[test]
fn tzif_v1_with_leap_seconds_still_reads_the_right_types() {
    let zone = tzif(&tzif_v1(&Block {
        types: SIMPLE_TYPES,
        transitions: SIMPLE_TRANSITIONS,
        leap_seconds: &[(78_796_800, 1), (94_694_401, 2)],
    }));
    assert_switch(&zone, 2_000, 3_600, 7_200);
}

#[test]
fn tzif_before_first_transition_uses_first_standard_type() {
    // Type 0 is DST here (older compilers could write that); the first
    // standard type is type 1.
    let zone = tzif(&tzif_v1(&Block {
        types: &[(7_200, true), (3_600, false)],
        transitions: &[(1_000, 0), (2_000, 1)],
        leap_seconds: &[],
    }));
    assert_eq!(zone.offset_at(999), 3_600);
    assert_eq!(zone.offset_at(1_000), 7_200);
}

#[test]
fn tzif_v2_reads_64_bit_data_and_the_footer() {
    // Transitions before 1901 and after 2038 need 64 bits.
    let zone = tzif(&tzif_v2plus(
        b'2',
        &Block {
            types: &[(3_208, false), (3_600, false), (7_200, true)],
            transitions: &[
                (-3_000_000_000, 1),
                (1_743_296_400, 2), // 2025-03-30 01:00 UTC
                (1_761_440_400, 1), // 2025-10-26 01:00 UTC
            ],
            leap_seconds: &[],
        },
        BERLIN_RULE,
    ));
    assert_eq!(zone.offset_at(-3_000_000_001), 3_208);
    assert_eq!(zone.offset_at(-3_000_000_000), 3_600);
    assert_switch(&zone, 1_743_296_400, 3_600, 7_200);
    assert_switch(&zone, 1_761_440_400, 7_200, 3_600);
    // 2026 is past the last transition: the footer decides.
    assert_switch(&zone, 1_774_746_000, 3_600, 7_200);
    assert_switch(&zone, 1_792_890_000, 7_200, 3_600);
    assert_eq!(zone.local(1_795_617_025).date_time(), "2026-11-25 15:30:25");
}

#[test]
fn tzif_v2_without_transitions_uses_the_footer_everywhere() {
    let zone = tzif(&tzif_v2plus(
        b'2',
        &Block {
            types: &[(3_600, false)],
            transitions: &[],
            leap_seconds: &[],
        },
        BERLIN_RULE,
    ));
    assert_switch(&zone, 1_774_746_000, 3_600, 7_200);
    assert_eq!(zone.offset_at(0), 3_600);
}

#[test]
fn tzif_v2_with_empty_footer_keeps_the_last_offset() {
    let zone = tzif(&tzif_v2plus(
        b'2',
        &Block {
            types: SIMPLE_TYPES,
            transitions: SIMPLE_TRANSITIONS,
            leap_seconds: &[(78_796_800, 1)],
        },
        "",
    ));
    assert_switch(&zone, 3_000, 7_200, 3_600);
    assert_eq!(zone.offset_at(i64::MAX), 3_600);
}

#[test]
fn tzif_v3_and_v4_are_accepted() {
    for version in [b'3', b'4'] {
        let zone = tzif(&tzif_v2plus(
            version,
            &Block {
                types: &[(7_200, false)],
                transitions: &[],
                leap_seconds: &[(78_796_800, 1)],
            },
            "IST-2IDT,M3.4.4/26,M10.5.0",
        ));
        assert_switch(&zone, 1_774_569_600, 7_200, 10_800);
    }
}

fn v2_image() -> Vec<u8> {
    tzif_v2plus(
        b'2',
        &Block {
            types: SIMPLE_TYPES,
            transitions: SIMPLE_TRANSITIONS,
            leap_seconds: &[(78_796_800, 1)],
        },
        BERLIN_RULE,
    )
}

fn v1_image() -> Vec<u8> {
    tzif_v1(&Block {
        types: SIMPLE_TYPES,
        transitions: SIMPLE_TRANSITIONS,
        leap_seconds: &[],
    })
}

#[test]
fn every_truncation_is_an_error() {
    for image in [v1_image(), v2_image()] {
        for length in 0..image.len() {
            assert!(
                TimeZone::from_tzif(&image[..length]).is_err(),
                "prefix of {length} bytes was accepted"
            );
        }
        assert!(TimeZone::from_tzif(&image).is_ok());
    }
}

#[test]
fn wrong_magic_and_version_are_rejected() {
    let mut image = v1_image();
    image[0] = b'X';
    assert_eq!(TimeZone::from_tzif(&image), Err(TzError::NotTzif));
    assert_eq!(TimeZone::from_tzif(b"hello"), Err(TzError::NotTzif));
    let mut image = v1_image();
    image[4] = b'5';
    assert_eq!(
        TimeZone::from_tzif(&image),
        Err(TzError::UnsupportedVersion(b'5'))
    );
}

/// Byte offset of a header count, as listed in the table above
/// `TZIF_MAGIC` (isutcnt 20, ..., timecnt 32, typecnt 36, charcnt 40).
fn set_count(image: &mut [u8], header_start: usize, field_offset: usize, value: u32) {
    let at = header_start + field_offset;
    image[at..at + 4].copy_from_slice(&value.to_be_bytes());
}

#[test]
fn huge_counts_are_rejected_before_allocating() {
    for field in [20, 24, 28, 32, 36, 40] {
        let mut image = v1_image();
        set_count(&mut image, 0, field, u32::MAX);
        // Indicator counts that differ from typecnt are inconsistent;
        // every other huge count announces more bytes than exist.
        assert!(
            matches!(
                TimeZone::from_tzif(&image),
                Err(TzError::Truncated { .. } | TzError::Corrupt(_))
            ),
            "field at {field}"
        );
    }
}

#[test]
fn inconsistent_data_is_corrupt() {
    let corrupt = |types: &[(i32, bool)], transitions: &[(i64, u8)]| {
        TimeZone::from_tzif(&tzif_v1(&Block {
            types,
            transitions,
            leap_seconds: &[],
        }))
    };
    assert!(matches!(
        corrupt(&[(0, false)], &[(1, 0), (1, 0)]),
        Err(TzError::Corrupt(_))
    ));
    assert!(matches!(
        corrupt(&[(0, false)], &[(2, 0), (1, 0)]),
        Err(TzError::Corrupt(_))
    ));
    assert!(matches!(
        corrupt(&[(0, false)], &[(1, 1)]),
        Err(TzError::Corrupt(_))
    ));
    assert!(matches!(
        corrupt(&[(i32::MIN, false)], &[]),
        Err(TzError::Corrupt(_))
    ));
    assert!(matches!(corrupt(&[], &[]), Err(TzError::Corrupt(_))));
}

#[test]
fn bad_footers_are_errors() {
    let block = Block {
        types: &[(0, false)],
        transitions: &[],
        leap_seconds: &[],
    };
    let image = tzif_v2plus(b'2', &block, "CET-1CEST,M3.5.0");
    assert!(matches!(
        TimeZone::from_tzif(&image),
        Err(TzError::Footer { at: 16, .. })
    ));
    let mut image = tzif_v2plus(b'2', &block, "UTC0");
    let footer_start = image.len() - 6;
    image[footer_start] = b'x';
    assert_eq!(
        TimeZone::from_tzif(&image),
        Err(TzError::Corrupt("footer does not start with a newline"))
    );
}

/// Prints the seed of the failing case if a panic unwinds through it,
/// so that the case can be replayed with `SOCKET_CHAT_SEED`.
struct SeedReport(u64);

impl Drop for SeedReport {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "failing case: rerun with SOCKET_CHAT_SEED={} to reproduce it first",
                self.0
            );
        }
    }
}

fn fuzz_base_seed() -> u64 {
    crate::test_seed::seed("localtime", 0x00C0_FFEE)
}

/// Whatever a zone file contains, parsing it and using the result must
/// not panic. Thousands of randomly damaged images, each from its own
/// seed.
#[test]
fn random_damage_never_panics() {
    use rand::{RngExt, SeedableRng, rngs::StdRng};

    let images = [
        v1_image(),
        v2_image(),
        tzif_v2plus(
            b'3',
            &Block {
                types: &[(-7_200, false), (-3_600, true)],
                transitions: &[(-5_000_000_000, 0), (10, 1), (5_000_000_000, 0)],
                leap_seconds: &[(78_796_800, 1)],
            },
            "<-02>2<-01>,M3.5.0/-1,M10.5.0/0",
        ),
    ];
    let base = fuzz_base_seed();
    for case in 0..20_000 {
        let seed = base.wrapping_add(case);
        let _report = SeedReport(seed);
        let mut rng = StdRng::seed_from_u64(seed);
        let mut bytes = images[rng.random_range(0..images.len())].clone();
        let second_header = bytes[4..]
            .windows(4)
            .position(|w| w == TZIF_MAGIC)
            .map_or(0, |p| p + 4);
        for _ in 0..rng.random_range(1..=3) {
            match rng.random_range(0..4) {
                0 => bytes.truncate(rng.random_range(0..=bytes.len())),
                1 if !bytes.is_empty() => {
                    let at = rng.random_range(0..bytes.len());
                    bytes[at] = rng.random();
                }
                2 if bytes.len() >= second_header + TZIF_HEADER_BYTES as usize => {
                    let header = if rng.random_bool(0.5) {
                        0
                    } else {
                        second_header
                    };
                    let field = 20 + 4 * rng.random_range(0..6);
                    let value = match rng.random_range(0..3) {
                        0 => u32::MAX,
                        1 => rng.random_range(0..64),
                        _ => rng.random(),
                    };
                    set_count(&mut bytes, header, field, value);
                }
                _ => {
                    let at = rng.random_range(0..=bytes.len());
                    let byte: u8 = rng.random();
                    bytes.insert(at, byte);
                }
            }
        }
        if let Ok(zone) = TimeZone::from_tzif(&bytes) {
            for t in [i64::MIN, -1, 0, 1_000, i64::MAX, rng.random(), rng.random()] {
                zone.offset_at(t);
                zone.local(t).date_time();
            }
        }
    }
}

/// The same for POSIX TZ strings: random edits of valid strings parse
/// or fail, and whatever parses can be evaluated.
#[test]
fn random_posix_strings_never_panic() {
    use rand::{RngExt, SeedableRng, rngs::StdRng};

    let valid = [
        BERLIN_RULE,
        "AEST-10AEDT,M10.1.0,M4.1.0/3",
        "IST-2IDT,M3.4.4/26,M10.5.0",
        "<+0530>-5:30",
        "EST5EDT,0/0,J365/25",
        "AAA0BBB,J60/0,299/-167",
    ];
    let alphabet = b"0123456789+-:,./<>JMCEST";
    let base = fuzz_base_seed();
    for case in 0..5_000 {
        let seed = base.wrapping_add(case);
        let _report = SeedReport(seed);
        let mut rng = StdRng::seed_from_u64(seed);
        let mut bytes = valid[rng.random_range(0..valid.len())].as_bytes().to_vec();
        for _ in 0..rng.random_range(1..=3) {
            let at = rng.random_range(0..=bytes.len());
            let byte = alphabet[rng.random_range(0..alphabet.len())];
            match rng.random_range(0..3) {
                0 => bytes.truncate(at),
                1 if at < bytes.len() => bytes[at] = byte,
                _ => bytes.insert(at, byte),
            }
        }
        let spec = String::from_utf8_lossy(&bytes);
        if let Ok(zone) = TimeZone::from_posix(&spec) {
            for t in [i64::MIN, 0, 1_795_617_025, i64::MAX, rng.random()] {
                zone.local(t);
            }
        }
    }
}

/// Cross-checks the system's Berlin file, if there is one, against the
/// POSIX rule for every hour of 2020-2030. Without the file the test
/// says so and passes: the synthetic images above carry the assertions
/// about the reader either way.
#[test]
fn system_berlin_file_agrees_with_the_eu_rule() {
    let path = Path::new("/usr/share/zoneinfo/Europe/Berlin");
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!(
                "NOT CHECKED: cannot read {} ({e}); the system cross-check was skipped",
                path.display()
            );
            return;
        }
    };
    let from_file = tzif(&bytes);
    let rule = posix(BERLIN_RULE);
    let start = days_from_civil(2020, 1, 1) * SECS_PER_DAY;
    let end = days_from_civil(2031, 1, 1) * SECS_PER_DAY;
    let mut switches = 0;
    // Berlin switches on whole UTC hours, so checking each hour and the
    // second before it catches every switch to the second.
    for t in (start..end).step_by(SECS_PER_HOUR as usize) {
        assert_eq!(from_file.offset_at(t), rule.offset_at(t), "at {t}");
        assert_eq!(
            from_file.offset_at(t - 1),
            rule.offset_at(t - 1),
            "at {}",
            t - 1
        );
        if rule.offset_at(t) != rule.offset_at(t - 1) {
            switches += 1;
        }
    }
    assert_eq!(switches, 22, "two switches a year for eleven years");
}

// -----------------------------------------------------------------------
// Finding the machine's zone
// -----------------------------------------------------------------------

/// A zoneinfo directory with one zone, `Test/Plus3` (UTC+3), and a
/// localtime file with UTC+5, in a fresh temporary directory.
struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let fixed = |offset| {
            tzif_v2plus(
                b'2',
                &Block {
                    types: &[(offset, false)],
                    transitions: &[],
                    leap_seconds: &[],
                },
                "",
            )
        };
        std::fs::create_dir_all(dir.path().join("zoneinfo/Test")).unwrap();
        std::fs::write(dir.path().join("zoneinfo/Test/Plus3"), fixed(10_800)).unwrap();
        std::fs::write(dir.path().join("localtime"), fixed(18_000)).unwrap();
        std::fs::write(dir.path().join("outside"), fixed(-3_600)).unwrap();
        Fixture { dir }
    }

    fn zoneinfo(&self) -> PathBuf {
        self.dir.path().join("zoneinfo")
    }

    fn localtime(&self) -> PathBuf {
        self.dir.path().join("localtime")
    }

    /// The offset `resolve` arrives at for this `TZ` value.
    fn offset_for(&self, tz: Option<&str>) -> i32 {
        resolve(tz, &self.zoneinfo(), &self.localtime()).offset_at(0)
    }
}

#[test]
fn unset_tz_reads_localtime_or_falls_back_to_utc() {
    let fixture = Fixture::new();
    assert_eq!(fixture.offset_for(None), 18_000);
    assert_eq!(fixture.offset_for(Some(":")), 18_000);
    let missing = fixture.dir.path().join("no-such-file");
    assert_eq!(
        resolve(None, &fixture.zoneinfo(), &missing),
        TimeZone::utc()
    );
}

#[test]
fn empty_tz_means_utc() {
    let fixture = Fixture::new();
    assert_eq!(fixture.offset_for(Some("")), 0);
}

#[test]
fn tz_names_are_looked_up_in_the_zoneinfo_dir() {
    let fixture = Fixture::new();
    assert_eq!(fixture.offset_for(Some("Test/Plus3")), 10_800);
    assert_eq!(fixture.offset_for(Some(":Test/Plus3")), 10_800);
    // A missing name that is no POSIX string either: UTC.
    assert_eq!(fixture.offset_for(Some("Test/Missing")), 0);
}

#[test]
fn tz_absolute_paths_are_read_directly() {
    let fixture = Fixture::new();
    let path = fixture.zoneinfo().join("Test/Plus3");
    let path = path.to_str().unwrap();
    assert_eq!(fixture.offset_for(Some(path)), 10_800);
    assert_eq!(fixture.offset_for(Some(&format!(":{path}"))), 10_800);
}

#[test]
fn tz_posix_strings_are_parsed_when_no_file_matches() {
    let fixture = Fixture::new();
    assert_eq!(fixture.offset_for(Some("UTC0")), 0);
    assert_eq!(fixture.offset_for(Some("<+0330>-3:30")), 12_600);
    assert_eq!(fixture.offset_for(Some(":<+0330>-3:30")), 12_600);
    let berlin = resolve(Some(BERLIN_RULE), &fixture.zoneinfo(), &fixture.localtime());
    assert_switch(&berlin, 1_774_746_000, 3_600, 7_200);
}

#[test]
fn tz_names_cannot_climb_out_of_the_zoneinfo_dir() {
    let fixture = Fixture::new();
    // `outside` exists next to the zoneinfo dir, with offset -3600.
    assert_eq!(fixture.offset_for(Some("../outside")), 0);
    assert_eq!(fixture.offset_for(Some("Test/../../outside")), 0);
    assert!(!is_zone_name(".."));
    assert!(is_zone_name("America/Argentina/Buenos_Aires"));
}

#[test]
fn bad_tz_values_fall_back_to_utc() {
    let fixture = Fixture::new();
    for tz in ["nonsense", "CET-1CEST,M3.5.0", "/no/such/file", "<+05"] {
        assert_eq!(fixture.offset_for(Some(tz)), 0, "TZ={tz:?}");
    }
}

#[test]
fn oversized_zone_files_are_not_read() {
    let fixture = Fixture::new();
    let mut image = std::fs::read(fixture.zoneinfo().join("Test/Plus3")).unwrap();
    // Valid TZif followed by padding: only the size makes it unacceptable.
    image.resize(MAX_TZIF_FILE_BYTES as usize + 1, 0);
    std::fs::write(fixture.zoneinfo().join("Test/Big"), &image).unwrap();
    assert_eq!(fixture.offset_for(Some("Test/Big")), 0);
}

#[test]
fn from_env_and_now_unix_work_on_this_machine() {
    // Whatever the environment says, this must not panic.
    let zone = TimeZone::from_env();
    let now = now_unix();
    assert!(now > 1_577_836_800, "clock before 2020? {now}");
    zone.local(now).hms();
}
