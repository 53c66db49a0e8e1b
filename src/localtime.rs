//! Local time: turning the Unix seconds in a message into the wall-clock time
//! of whoever reads it.
//!
//! # Why this module exists
//!
//! Every chat message carries a `timestamp` set by the server: whole seconds
//! since 1970-01-01 00:00:00 UTC ("Unix time"). The server deliberately sends
//! UTC rather than its own local time, because the people in a chat room may
//! sit in different time zones: each client converts the same number into its
//! own clock, so Alice in Berlin sees `[14:30:25]` while Bob in New York sees
//! `[08:30:25]` for the same message.
//!
//! The standard library can tell us the current Unix time
//! ([`std::time::SystemTime`]) but knows nothing about calendars or time
//! zones. So this module does two jobs by hand:
//!
//! 1. **Calendar arithmetic**: seconds → days → year, month and day in the
//!    Gregorian calendar (see [`TimeZone::local`]).
//! 2. **Time zone lookup**: how far the local clock is ahead of (or behind)
//!    UTC at a given instant (see [`TimeZone::offset_at`]). That distance is
//!    not a constant: it changes with daylight saving time, and governments
//!    have changed their zones' rules many times.
//!
//! # Where the rules come from
//!
//! On Unix-like systems the rules of every zone are installed as small binary
//! files, one per zone, in `/usr/share/zoneinfo` (for example
//! `/usr/share/zoneinfo/Europe/Berlin`); `/etc/localtime` is a copy of, or a
//! link to, the machine's own zone. Their format is called **TZif** and is
//! specified in [RFC 8536](https://www.rfc-editor.org/rfc/rfc8536) (version 4
//! in RFC 9636). A TZif file is essentially a sorted list of *transitions*
//! ("from this instant on, the offset is +02:00"), plus, since version 2, a
//! one-line *footer* rule for instants after the last listed transition.
//!
//! That footer, and the `TZ` environment variable, use the **POSIX TZ
//! string** format: a compact rule such as `CET-1CEST,M3.5.0,M10.5.0/3`,
//! which reads "standard time is called CET and is one hour *ahead* of UTC
//! (POSIX writes the sign the other way round); summer time is called CEST
//! (one hour more, by default) and starts on the last (5th) Sunday (day 0) of
//! month 3 at 02:00 local time, and ends on the last Sunday of month 10 at
//! 03:00".
//!
//! # How a lookup works
//!
//! To find the offset in force at instant `t`, binary-search the transition
//! list for the last transition at or before `t` and take its offset. Before
//! the first transition, the zone's first standard-time offset applies (its
//! "local mean time" in real data). After the last transition, evaluate the
//! footer rule: work out in which year `t` falls, compute that year's two
//! switch instants (DST on, DST off) and see which one `t` passed most
//! recently. A zone given only as a POSIX string is the same thing with an
//! empty transition list. Adding the offset to `t` and converting the result
//! to a calendar date gives the local time.
//!
//! # Example
//!
//! ```
//! use socket_chat::localtime::TimeZone;
//!
//! let berlin = TimeZone::from_posix("CET-1CEST,M3.5.0,M10.5.0/3")?;
//! // 2026-11-25 14:30:25 UTC is 15:30:25 in Berlin (winter time, UTC+1).
//! let local = berlin.local(1_795_617_025);
//! assert_eq!(local.date_time(), "2026-11-25 15:30:25");
//! assert_eq!(local.hms(), "15:30:25");
//! # Ok::<(), socket_chat::localtime::TzError>(())
//! ```
//!
//! # Limits, honestly
//!
//! - Leap seconds are ignored: Unix time does not count them, so neither do
//!   we (the leap-second records of the `right/` zones are skipped).
//! - Zone abbreviations such as "CEST" are parsed and checked but not kept;
//!   the chat only shows clock times.
//! - Years must fit in an `i32`; instants beyond that (hundreds of millions of
//!   years away) are clamped to the first or last representable second.
//! - A zone file larger than [`MAX_TZIF_FILE_BYTES`] is not read.

use std::env;
use std::error::Error;
use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

const SECS_PER_HOUR: i64 = 3_600;
const SECS_PER_DAY: i64 = 86_400;

/// Where the zone files live when `TZDIR` is not set.
const DEFAULT_ZONEINFO_DIR: &str = "/usr/share/zoneinfo";

/// The machine's own zone when `TZ` is not set.
const DEFAULT_LOCALTIME_PATH: &str = "/etc/localtime";

/// The largest zone file we are willing to read. Real ones are a few
/// kilobytes (under 4 KiB even with every historical transition); the limit
/// only exists so that `TZ=/dev/zero` or a mistyped path to a huge file
/// cannot make us read it all into memory.
pub const MAX_TZIF_FILE_BYTES: u64 = 256 * 1024;

// ---------------------------------------------------------------------------
// Time zones
// ---------------------------------------------------------------------------

/// The rules of one time zone: which UTC offset is in force at which instant.
///
/// Build one with [`TimeZone::from_env`] for the machine's zone, or from
/// explicit data with [`TimeZone::from_tzif`] / [`TimeZone::from_posix`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeZone {
    /// Instants at which the offset changes, in strictly ascending order.
    transitions: Vec<Transition>,
    /// The offset before the first transition, and everywhere if there are
    /// no transitions and no rule.
    initial_offset: i32,
    /// The rule for instants at or after the last transition (for all
    /// instants if there are no transitions).
    rule: Option<PosixRule>,
}

/// From `at` (Unix seconds) on, local time is `utc_offset` seconds ahead of UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Transition {
    at: i64,
    utc_offset: i32,
}

impl TimeZone {
    /// Coordinated Universal Time: offset zero, always.
    pub fn utc() -> TimeZone {
        TimeZone {
            transitions: Vec::new(),
            initial_offset: 0,
            rule: None,
        }
    }

    /// The machine's zone, found the way the C library finds it.
    ///
    /// - `TZ` set and empty, or not valid Unicode: UTC (glibc also treats
    ///   an empty `TZ` as UTC).
    /// - `TZ` set: an optional leading `:` is dropped; then an absolute path
    ///   is read as a TZif file, a name like `Europe/Berlin` is looked up
    ///   under the zoneinfo directory (`TZDIR`, else `/usr/share/zoneinfo`),
    ///   and if no file matches the value is parsed as a POSIX TZ string
    ///   (`UTC0`, `CET-1CEST,M3.5.0,M10.5.0/3`, `<+0330>-3:30`).
    /// - `TZ` not set (or just `:`): `/etc/localtime`.
    ///
    /// Whatever goes wrong, the answer is UTC: showing a message with a
    /// clock in the wrong zone is better than not showing it at all.
    pub fn from_env() -> TimeZone {
        let zoneinfo_dir = match env::var_os("TZDIR") {
            Some(dir) if !dir.is_empty() => PathBuf::from(dir),
            _ => PathBuf::from(DEFAULT_ZONEINFO_DIR),
        };
        let localtime_path = Path::new(DEFAULT_LOCALTIME_PATH);
        match env::var("TZ") {
            Ok(tz) => resolve(Some(&tz), &zoneinfo_dir, localtime_path),
            Err(env::VarError::NotPresent) => resolve(None, &zoneinfo_dir, localtime_path),
            // No zone name or rule contains bytes that are not Unicode.
            Err(env::VarError::NotUnicode(_)) => TimeZone::utc(),
        }
    }

    /// Parses the contents of a TZif file (versions 1 to 4).
    ///
    /// Every count in the file's header is checked against the bytes that
    /// are actually there before anything is allocated, so a corrupt or
    /// truncated file gives an error, never a panic or a huge allocation.
    pub fn from_tzif(bytes: &[u8]) -> Result<TimeZone, TzError> {
        parse_tzif(bytes)
    }

    /// Parses a POSIX TZ string such as `CET-1CEST,M3.5.0,M10.5.0/3`,
    /// including the version 3 extensions (transition times below zero or
    /// beyond 24 hours).
    pub fn from_posix(spec: &str) -> Result<TimeZone, TzError> {
        let rule = PosixRule::parse(spec).map_err(|e| TzError::Posix {
            at: e.at,
            reason: e.reason,
        })?;
        Ok(TimeZone {
            transitions: Vec::new(),
            initial_offset: rule.std_offset,
            rule: Some(rule),
        })
    }

    /// The UTC offset, in seconds east of UTC, in force at `unix_secs`.
    /// Berlin in winter gives `3600`, New York in summer `-14400`.
    pub fn offset_at(&self, unix_secs: i64) -> i32 {
        let Some(last) = self.transitions.last() else {
            return match &self.rule {
                Some(rule) => rule.offset_at(unix_secs),
                None => self.initial_offset,
            };
        };
        if unix_secs >= last.at {
            return match &self.rule {
                Some(rule) => rule.offset_at(unix_secs),
                None => last.utc_offset,
            };
        }
        // How many transitions have already happened at `unix_secs`; the
        // most recent of them decides the offset.
        let passed = self.transitions.partition_point(|tr| tr.at <= unix_secs);
        match passed.checked_sub(1) {
            Some(index) => self.transitions[index].utc_offset,
            None => self.initial_offset,
        }
    }

    /// The local calendar date and clock time at `unix_secs`.
    pub fn local(&self, unix_secs: i64) -> LocalTime {
        let offset = i64::from(self.offset_at(unix_secs));
        LocalTime::from_local_secs(unix_secs.saturating_add(offset))
    }
}

/// The zone for a given `TZ` value, with the places to look passed in so that
/// tests can exercise every branch without touching the (process-global)
/// environment. See [`TimeZone::from_env`] for the rules.
fn resolve(tz: Option<&str>, zoneinfo_dir: &Path, localtime_path: &Path) -> TimeZone {
    let Some(tz) = tz else {
        return read_tzif_file(localtime_path).unwrap_or_else(TimeZone::utc);
    };
    if tz.is_empty() {
        return TimeZone::utc();
    }
    // POSIX says a leading colon means "implementation-defined"; like glibc,
    // we drop it and use the same search as without it.
    let value = tz.strip_prefix(':').unwrap_or(tz);
    if value.is_empty() {
        return read_tzif_file(localtime_path).unwrap_or_else(TimeZone::utc);
    }
    let path = Path::new(value);
    let from_file = if path.is_absolute() {
        read_tzif_file(path)
    } else if is_zone_name(value) {
        read_tzif_file(&zoneinfo_dir.join(path))
    } else {
        None
    };
    from_file
        .or_else(|| TimeZone::from_posix(value).ok())
        .unwrap_or_else(TimeZone::utc)
}

/// Whether `name` may be looked up under the zoneinfo directory: a relative
/// path made of plain names only. Rejecting `..` (and roots and drive
/// prefixes, which would make `join` discard the directory) keeps a `TZ`
/// value from pointing us at an arbitrary file.
fn is_zone_name(name: &str) -> bool {
    Path::new(name)
        .components()
        .all(|part| matches!(part, Component::Normal(_)))
}

/// Reads and parses a zone file, or `None` if it is missing, unreadable,
/// larger than [`MAX_TZIF_FILE_BYTES`] or not valid TZif. Callers fall back
/// to the next candidate, so the reason does not matter to them.
fn read_tzif_file(path: &Path) -> Option<TimeZone> {
    let file = File::open(path).ok()?;
    let mut bytes = Vec::new();
    // Reading one byte past the limit is how we notice a file that is too
    // big without reading all of it.
    file.take(MAX_TZIF_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .ok()?;
    if bytes.len() as u64 > MAX_TZIF_FILE_BYTES {
        return None;
    }
    TimeZone::from_tzif(&bytes).ok()
}

/// The current Unix time in whole seconds; 0 if the system clock is set
/// before 1970.
pub fn now_unix() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(elapsed) => i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX),
        Err(_) => 0,
    }
}

// ---------------------------------------------------------------------------
// Calendar arithmetic
// ---------------------------------------------------------------------------

/// A date and clock time as shown on a wall clock in some zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalTime {
    pub year: i32,
    /// 1 = January ... 12 = December.
    pub month: u8,
    /// 1 ..= 31.
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
}

impl LocalTime {
    /// `"14:30:25"`: the form the client puts in front of chat lines.
    pub fn hms(&self) -> String {
        format!("{:02}:{:02}:{:02}", self.hour, self.minute, self.second)
    }

    /// `"2026-11-25 14:30:25"`: the form the server console uses.
    pub fn date_time(&self) -> String {
        format!(
            "{:04}-{:02}-{:02} {}",
            self.year,
            self.month,
            self.day,
            self.hms()
        )
    }

    /// Splits seconds counted on the local clock since 1970-01-01 00:00:00
    /// into date and time. The offset has already been added.
    fn from_local_secs(local_secs: i64) -> LocalTime {
        let secs = local_secs.clamp(MIN_LOCAL_SECS, MAX_LOCAL_SECS);
        // `div_euclid`/`rem_euclid` round towards minus infinity, so one
        // second before the epoch is day -1 at 23:59:59, not day 0 at
        // -00:00:01 as `/` and `%` would give.
        let days = secs.div_euclid(SECS_PER_DAY);
        let secs_of_day = secs.rem_euclid(SECS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        LocalTime {
            // The clamp above keeps the year within i32.
            year: year as i32,
            month,
            day,
            hour: (secs_of_day / SECS_PER_HOUR) as u8,
            minute: (secs_of_day % SECS_PER_HOUR / 60) as u8,
            second: (secs_of_day % 60) as u8,
        }
    }
}

/// The first and last second whose year fits in [`LocalTime::year`].
const MIN_LOCAL_SECS: i64 = days_from_civil(i32::MIN as i64, 1, 1) * SECS_PER_DAY;
const MAX_LOCAL_SECS: i64 = (days_from_civil(i32::MAX as i64, 12, 31) + 1) * SECS_PER_DAY - 1;

// The calendar functions below count years from March. In such a "March
// year" February is the last month, so the leap day is the very last day of
// the year and no month's start depends on whether the year is a leap year.
// January and February are counted as months 11 and 12 of the previous year.

/// Days from March 1 to the first day of each month, March first.
const DAYS_BEFORE_MONTH_FROM_MARCH: [i64; 12] =
    [0, 31, 61, 92, 122, 153, 184, 214, 245, 275, 306, 337];

/// The Gregorian calendar repeats every 400 years: 400 * 365 days plus 97
/// leap days (every 4th year, except 3 of the 4 century years).
const DAYS_PER_400_YEARS: i64 = 146_097;
/// A century without a leap day in its final year (like 1701-1800): 24 leap days.
const DAYS_PER_100_YEARS: i64 = 36_524;
/// Four years ending in a leap day.
const DAYS_PER_4_YEARS: i64 = 1_461;
const DAYS_PER_YEAR: i64 = 365;
/// From 0000-03-01 (day 0 of our March-year count) to 1970-01-01.
const DAYS_FROM_YEAR_ZERO_TO_EPOCH: i64 = 719_468;

/// Days since 1970-01-01 of a Gregorian date (negative before 1970). The
/// calendar is extended backwards before its introduction in 1582
/// ("proleptic"), and year 0 is 1 BC, as in ISO 8601.
const fn days_from_civil(year: i64, month: u8, day: u8) -> i64 {
    let march_year = if month <= 2 { year - 1 } else { year };
    let month_from_march = (month as usize + 9) % 12;
    let cycle = march_year.div_euclid(400);
    let year_of_cycle = march_year.rem_euclid(400);
    // The leap days of the March years 0 ..= year_of_cycle - 1 are the
    // February 29ths of calendar years 1 ..= year_of_cycle.
    let leap_days = year_of_cycle / 4 - year_of_cycle / 100;
    let day_of_year = DAYS_BEFORE_MONTH_FROM_MARCH[month_from_march] + day as i64 - 1;
    let day_of_cycle = year_of_cycle * DAYS_PER_YEAR + leap_days + day_of_year;
    cycle * DAYS_PER_400_YEARS + day_of_cycle - DAYS_FROM_YEAR_ZERO_TO_EPOCH
}

/// The Gregorian date of a day counted from 1970-01-01: the inverse of
/// [`days_from_civil`]. It peels off whole 400-year cycles, then centuries,
/// then 4-year groups, then years, then months.
fn civil_from_days(days: i64) -> (i64, u8, u8) {
    let days_from_year_zero = days + DAYS_FROM_YEAR_ZERO_TO_EPOCH;
    let cycle = days_from_year_zero.div_euclid(DAYS_PER_400_YEARS);
    let day_of_cycle = days_from_year_zero.rem_euclid(DAYS_PER_400_YEARS);

    // Each century has 36 524 days, except that the cycle's last one also
    // ends with the 400-year leap day (February 29 of years like 2000). That
    // one extra day would divide to "century 4", so it is capped to 3.
    let century = (day_of_cycle / DAYS_PER_100_YEARS).min(3);
    let day_of_century = day_of_cycle - century * DAYS_PER_100_YEARS;

    // Within a century: 4-year groups, each ending with a leap day (the
    // last group of an ordinary century is one day short, which is fine).
    let group = day_of_century / DAYS_PER_4_YEARS;
    let day_of_group = day_of_century % DAYS_PER_4_YEARS;

    // Within a group: years of 365 days, and the leap day at the very end
    // would divide to "year 4", so it is capped to 3 like above.
    let year_of_group = (day_of_group / DAYS_PER_YEAR).min(3);
    let day_of_year = day_of_group - year_of_group * DAYS_PER_YEAR;

    // The month is the last one that starts on or before `day_of_year`. The
    // first entry is 0, so at least one month qualifies.
    let month_from_march = DAYS_BEFORE_MONTH_FROM_MARCH
        .partition_point(|&start| start <= day_of_year)
        .saturating_sub(1);
    let day = day_of_year - DAYS_BEFORE_MONTH_FROM_MARCH[month_from_march] + 1;

    // Back from March years to calendar years.
    let (month, year_shift) = if month_from_march < 10 {
        (month_from_march + 3, 0)
    } else {
        (month_from_march - 9, 1)
    };
    let year = cycle * 400 + century * 100 + group * 4 + year_of_group + year_shift;
    (year, month as u8, day as u8)
}

fn is_leap_year(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: u8) -> i64 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// 0 = Sunday ... 6 = Saturday, the numbering POSIX TZ strings use.
/// 1970-01-01 was a Thursday.
fn weekday(days: i64) -> i64 {
    (days + 4).rem_euclid(7)
}

// ---------------------------------------------------------------------------
// POSIX TZ strings
// ---------------------------------------------------------------------------

/// A parsed POSIX TZ string. Offsets are stored the way the rest of this
/// module uses them, in seconds *east* of UTC (POSIX writes them west).
#[derive(Debug, Clone, PartialEq, Eq)]
struct PosixRule {
    std_offset: i32,
    /// `None` for a zone without daylight saving time, like `UTC0`.
    dst: Option<DstRule>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct DstRule {
    offset: i32,
    /// When DST starts; the time of day is read on the standard-time clock.
    start: RuleTransition,
    /// When DST ends; the time of day is read on the daylight-time clock.
    end: RuleTransition,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct RuleTransition {
    date: RuleDate,
    /// Seconds after local midnight of `date`; may be negative or more than
    /// a day (TZif version 3), e.g. Israel's "Thursday at 26:00".
    time: i32,
}

/// The three ways POSIX names a day of the year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RuleDate {
    /// `Jn`, 1 ..= 365, never counting February 29: `J60` is always March 1.
    JulianSkippingLeapDay(u16),
    /// `n`, 0 ..= 365, counting February 29: `59` is February 29 or March 1.
    ZeroBasedDayOfYear(u16),
    /// `Mm.w.d`: weekday `d` (0 = Sunday) of week `w` of month `m`, where
    /// week 5 means "the last one in the month".
    MonthWeekDay { month: u8, week: u8, weekday: u8 },
}

/// Where a POSIX TZ string stops making sense, and why.
struct SyntaxError {
    at: usize,
    reason: &'static str,
}

/// The largest hour allowed in a transition time. Version 3 of TZif allows
/// -167 to 167 hours (a week, minus the one hour of daylight time), so that
/// rules like "the day after the first Saturday" can be written.
const MAX_RULE_HOURS: u32 = 167;
/// The largest hour allowed in a UTC offset, as POSIX specifies.
const MAX_OFFSET_HOURS: u32 = 24;

impl PosixRule {
    /// `std offset [dst [offset] [,start[/time],end[/time]]]`
    fn parse(spec: &str) -> Result<PosixRule, SyntaxError> {
        let mut cursor = Cursor::new(spec);
        cursor.zone_name()?;
        if cursor.at_end() {
            return Err(cursor.error("expected a UTC offset after the zone name"));
        }
        // "CET-1" is UTC+1: POSIX counts hours *west* of Greenwich.
        let std_offset = -cursor.clock(MAX_OFFSET_HOURS, 2)?;
        if cursor.at_end() {
            return Ok(PosixRule {
                std_offset,
                dst: None,
            });
        }

        cursor.zone_name()?;
        let dst_offset = match cursor.peek() {
            Some(b'+' | b'-' | b'0'..=b'9') => -cursor.clock(MAX_OFFSET_HOURS, 2)?,
            _ => std_offset + SECS_PER_HOUR as i32,
        };
        let (start, end) = if cursor.eat(b',') {
            let start = cursor.rule_transition()?;
            if !cursor.eat(b',') {
                return Err(cursor.error("expected ',' before the end of daylight saving time"));
            }
            (start, cursor.rule_transition()?)
        } else {
            // A DST name without dates: like glibc and the reference tz
            // code, assume the current US rules (second Sunday of March to
            // first Sunday of November, at 02:00).
            let at_two = |date| RuleTransition { date, time: 7_200 };
            (
                at_two(RuleDate::MonthWeekDay {
                    month: 3,
                    week: 2,
                    weekday: 0,
                }),
                at_two(RuleDate::MonthWeekDay {
                    month: 11,
                    week: 1,
                    weekday: 0,
                }),
            )
        };
        if !cursor.at_end() {
            return Err(cursor.error("unexpected characters after the rule"));
        }
        Ok(PosixRule {
            std_offset,
            dst: Some(DstRule {
                offset: dst_offset,
                start,
                end,
            }),
        })
    }

    /// The offset this rule gives at `unix_secs`.
    ///
    /// The two switches happen once a year each, but their order depends on
    /// the hemisphere: in Berlin DST starts in March and ends in October, in
    /// Sydney it ends in April and starts in October, spanning the new year.
    /// Rather than treating the two cases apart, we compute the switches of
    /// the neighbouring years too and take whichever happened most recently.
    fn offset_at(&self, unix_secs: i64) -> i32 {
        let Some(dst) = &self.dst else {
            return self.std_offset;
        };
        let std_clock = unix_secs.saturating_add(i64::from(self.std_offset));
        let year = i64::from(LocalTime::from_local_secs(std_clock).year);
        // A transition time of up to ±167 hours can push a switch a week
        // into the neighbouring year, hence two years back and one ahead.
        let mut latest: Option<(i64, i32)> = None;
        for y in year - 2..=year + 1 {
            let start = dst.start.instant_in(y, self.std_offset);
            let end = dst.end.instant_in(y, dst.offset);
            for (at, offset) in [(start, dst.offset), (end, self.std_offset)] {
                // `>=`: on a tie the switch listed later wins. That makes
                // all-year DST ("0/0,J365/25", where one year's end is the
                // same instant as the next year's start) stay in DST.
                if at <= unix_secs && latest.is_none_or(|(seen, _)| at >= seen) {
                    latest = Some((at, offset));
                }
            }
        }
        latest.map_or(self.std_offset, |(_, offset)| offset)
    }
}

impl RuleTransition {
    /// The instant of this switch in `year`. The rule's time of day is read
    /// on the clock that is in force just before the switch, whose offset is
    /// `offset_before`: "02:00 CET" is 01:00 UTC.
    fn instant_in(&self, year: i64, offset_before: i32) -> i64 {
        self.date.day_in(year) * SECS_PER_DAY + i64::from(self.time) - i64::from(offset_before)
    }
}

impl RuleDate {
    /// The day (counted from 1970-01-01) this date falls on in `year`.
    fn day_in(self, year: i64) -> i64 {
        let january_1 = days_from_civil(year, 1, 1);
        match self {
            RuleDate::JulianSkippingLeapDay(n) => {
                let skipped_leap_day = is_leap_year(year) && n >= 60;
                january_1 + i64::from(n) - 1 + i64::from(skipped_leap_day)
            }
            RuleDate::ZeroBasedDayOfYear(n) => january_1 + i64::from(n),
            RuleDate::MonthWeekDay {
                month,
                week,
                weekday: wanted,
            } => {
                let first = days_from_civil(year, month, 1);
                let first_match = first + (i64::from(wanted) - weekday(first)).rem_euclid(7);
                let day = first_match + 7 * (i64::from(week) - 1);
                // Week 5 means "last": step back if the month is too short.
                if day >= first + days_in_month(year, month) {
                    day - 7
                } else {
                    day
                }
            }
        }
    }
}

/// A position in a POSIX TZ string. Every method either consumes what it
/// expects or returns an error naming the byte where it gave up.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Cursor<'a> {
        Cursor {
            bytes: text.as_bytes(),
            pos: 0,
        }
    }

    fn error(&self, reason: &'static str) -> SyntaxError {
        SyntaxError {
            at: self.pos,
            reason,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    /// Consumes `byte` if it comes next.
    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        if found {
            self.pos += 1;
        }
        found
    }

    /// Skips bytes while `keep` holds and returns how many there were.
    fn skip_while(&mut self, keep: impl Fn(u8) -> bool) -> usize {
        let start = self.pos;
        while self.peek().is_some_and(&keep) {
            self.pos += 1;
        }
        self.pos - start
    }

    /// A zone abbreviation: three or more letters (`CET`), or, for names
    /// with digits or signs, three or more of `[A-Za-z0-9+-]` in angle
    /// brackets (`<+0530>`).
    fn zone_name(&mut self) -> Result<(), SyntaxError> {
        let start = self.pos;
        let length = if self.eat(b'<') {
            let length = self.skip_while(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'-');
            if !self.eat(b'>') {
                return Err(self.error("expected '>' to close the quoted zone name"));
            }
            length
        } else {
            self.skip_while(|b| b.is_ascii_alphabetic())
        };
        if length < 3 {
            return Err(SyntaxError {
                at: start,
                reason: "expected a zone name of at least three letters",
            });
        }
        Ok(())
    }

    /// An unsigned decimal number of 1 ..= `max_digits` digits.
    fn number(&mut self, max_digits: usize) -> Result<u32, SyntaxError> {
        let start = self.pos;
        let digits = self.skip_while(|b| b.is_ascii_digit());
        if digits == 0 {
            return Err(self.error("expected a number"));
        }
        if digits > max_digits {
            return Err(SyntaxError {
                at: start,
                reason: "number has too many digits",
            });
        }
        // At most a handful of ASCII digits: this cannot overflow.
        Ok(self.bytes[start..self.pos]
            .iter()
            .fold(0, |value, &digit| value * 10 + u32::from(digit - b'0')))
    }

    /// A number that must lie in `range`, or the error `reason`.
    fn number_in(
        &mut self,
        max_digits: usize,
        range: std::ops::RangeInclusive<u32>,
        reason: &'static str,
    ) -> Result<u32, SyntaxError> {
        let start = self.pos;
        let value = self.number(max_digits)?;
        if range.contains(&value) {
            Ok(value)
        } else {
            Err(SyntaxError { at: start, reason })
        }
    }

    /// `[+-]hh[:mm[:ss]]` as signed seconds, used both for UTC offsets and
    /// for transition times.
    fn clock(&mut self, max_hours: u32, max_hour_digits: usize) -> Result<i32, SyntaxError> {
        let negative = if self.eat(b'-') {
            true
        } else {
            self.eat(b'+');
            false
        };
        let hours = self.number_in(max_hour_digits, 0..=max_hours, "hours out of range")?;
        let mut minutes = 0;
        let mut seconds = 0;
        if self.eat(b':') {
            minutes = self.number_in(2, 0..=59, "minutes out of range")?;
            if self.eat(b':') {
                seconds = self.number_in(2, 0..=59, "seconds out of range")?;
            }
        }
        // At most 167 * 3600 + 59 * 60 + 59: far inside i32.
        let total = (hours * 3_600 + minutes * 60 + seconds) as i32;
        Ok(if negative { -total } else { total })
    }

    /// `date[/time]`, the time defaulting to 02:00.
    fn rule_transition(&mut self) -> Result<RuleTransition, SyntaxError> {
        let date = self.rule_date()?;
        let time = if self.eat(b'/') {
            self.clock(MAX_RULE_HOURS, 3)?
        } else {
            7_200
        };
        Ok(RuleTransition { date, time })
    }

    fn rule_date(&mut self) -> Result<RuleDate, SyntaxError> {
        if self.eat(b'J') {
            let n = self.number_in(3, 1..=365, "day must be in J1 ..= J365")?;
            return Ok(RuleDate::JulianSkippingLeapDay(n as u16));
        }
        if self.eat(b'M') {
            let month = self.number_in(2, 1..=12, "month must be in 1 ..= 12")?;
            if !self.eat(b'.') {
                return Err(self.error("expected '.' after the month"));
            }
            let week = self.number_in(1, 1..=5, "week must be in 1 ..= 5")?;
            if !self.eat(b'.') {
                return Err(self.error("expected '.' after the week"));
            }
            let weekday = self.number_in(1, 0..=6, "weekday must be in 0 ..= 6")?;
            return Ok(RuleDate::MonthWeekDay {
                month: month as u8,
                week: week as u8,
                weekday: weekday as u8,
            });
        }
        if self.peek().is_some_and(|b| b.is_ascii_digit()) {
            let n = self.number_in(3, 0..=365, "day must be in 0 ..= 365")?;
            return Ok(RuleDate::ZeroBasedDayOfYear(n as u16));
        }
        Err(self.error("expected a date: Jn, n or Mm.w.d"))
    }
}

// ---------------------------------------------------------------------------
// TZif files (RFC 8536)
// ---------------------------------------------------------------------------
//
// A TZif file is:
//
//   header (44 bytes) + data block with 32-bit times       <- version 1
//   header (44 bytes) + data block with 64-bit times       <- version 2+
//   "\n" + POSIX TZ string + "\n"                          <- version 2+
//
// Version 1 only has the first part. Later versions keep it for old readers
// (often nearly empty in today's "slim" files) and add a second copy with
// 64-bit times, which is the one we read. A header holds the magic "TZif",
// a version byte, 15 reserved bytes and six big-endian 32-bit counts:
//
//   offset  count      what the data block holds for it
//   20      isutcnt    one UT/local indicator byte per type (unused here)
//   24      isstdcnt   one standard/wall indicator byte per type (unused here)
//   28      leapcnt    leap-second records: time + correction (skipped)
//   32      timecnt    transition times, then one type index per transition
//   36      typecnt    local time types: i32 offset, u8 is_dst, u8 name index
//   40      charcnt    the zone abbreviations, NUL-terminated (unused here)

const TZIF_MAGIC: &[u8; 4] = b"TZif";
const TZIF_HEADER_BYTES: u64 = 44;
/// Bytes per local time type record.
const TZIF_TYPE_BYTES: u64 = 6;

/// The six counts of a TZif header.
struct TzifHeader {
    version: u8,
    isutcnt: u32,
    isstdcnt: u32,
    leapcnt: u32,
    timecnt: u32,
    typecnt: u32,
    charcnt: u32,
}

impl TzifHeader {
    fn read(reader: &mut ByteReader<'_>) -> Result<TzifHeader, TzError> {
        if reader.remaining() < TZIF_HEADER_BYTES {
            // Too short to be a header at all: if even the magic is wrong,
            // say so rather than "truncated".
            let magic_so_far = &reader.rest()[..reader.rest().len().min(4)];
            return Err(if TZIF_MAGIC.starts_with(magic_so_far) {
                TzError::Truncated { section: "header" }
            } else {
                TzError::NotTzif
            });
        }
        if reader.array::<4>("header")? != *TZIF_MAGIC {
            return Err(TzError::NotTzif);
        }
        let [version] = reader.array::<1>("header")?;
        if !matches!(version, 0 | b'2' | b'3' | b'4') {
            return Err(TzError::UnsupportedVersion(version));
        }
        reader.take(15, "header")?;
        let mut count = || reader.array::<4>("header").map(u32::from_be_bytes);
        Ok(TzifHeader {
            version,
            isutcnt: count()?,
            isstdcnt: count()?,
            leapcnt: count()?,
            timecnt: count()?,
            typecnt: count()?,
            charcnt: count()?,
        })
    }

    /// The length of the data block this header announces, for times of
    /// `time_bytes` bytes (4 in version 1 data, 8 in version 2+ data).
    /// Counted in u64: six 32-bit counts times at most 12 cannot overflow.
    fn data_block_bytes(&self, time_bytes: u64) -> u64 {
        u64::from(self.timecnt) * (time_bytes + 1)
            + u64::from(self.typecnt) * TZIF_TYPE_BYTES
            + u64::from(self.charcnt)
            + u64::from(self.leapcnt) * (time_bytes + 4)
            + u64::from(self.isstdcnt)
            + u64::from(self.isutcnt)
    }
}

fn parse_tzif(bytes: &[u8]) -> Result<TimeZone, TzError> {
    let mut reader = ByteReader::new(bytes);
    let first = TzifHeader::read(&mut reader)?;
    if first.version == 0 {
        let data = read_data_block(&mut reader, &first, 4)?;
        return Ok(TimeZone {
            transitions: data.transitions,
            initial_offset: data.initial_offset,
            rule: None,
        });
    }
    // Skip the 32-bit data without looking at it; the second header's
    // counts describe the 64-bit data we want.
    reader.take(first.data_block_bytes(4), "version 1 data block")?;
    let second = TzifHeader::read(&mut reader)?;
    let data = read_data_block(&mut reader, &second, 8)?;
    let rule = read_footer(&mut reader)?;
    Ok(TimeZone {
        transitions: data.transitions,
        initial_offset: data.initial_offset,
        rule,
    })
}

/// What we keep from a data block.
struct TzifData {
    transitions: Vec<Transition>,
    initial_offset: i32,
}

/// A local time type record; the abbreviation index is not needed.
#[derive(Clone, Copy)]
struct LocalTimeType {
    utc_offset: i32,
    is_dst: bool,
}

fn read_data_block(
    reader: &mut ByteReader<'_>,
    header: &TzifHeader,
    time_bytes: u64,
) -> Result<TzifData, TzError> {
    // The checks that need only the header come first.
    if header.typecnt == 0 {
        return Err(TzError::Corrupt("no local time types"));
    }
    if header.isstdcnt != 0 && header.isstdcnt != header.typecnt {
        return Err(TzError::Corrupt(
            "standard/wall indicator count differs from type count",
        ));
    }
    if header.isutcnt != 0 && header.isutcnt != header.typecnt {
        return Err(TzError::Corrupt(
            "UT/local indicator count differs from type count",
        ));
    }
    // The header's counts are claims made by the file. Before allocating
    // anything sized by them, check that the bytes they describe are really
    // there: a 50-byte file claiming four billion transitions is an error,
    // not a request for 40 GB of memory. After this, every Vec below is at
    // most as long as the file.
    let block = reader.take(header.data_block_bytes(time_bytes), "data block")?;
    let mut block = ByteReader::new(block);

    let times = block.take(u64::from(header.timecnt) * time_bytes, "transition times")?;
    let type_indices = block.take(u64::from(header.timecnt), "transition types")?;
    let mut types = Vec::with_capacity(header.typecnt as usize);
    for _ in 0..header.typecnt {
        let utc_offset = i32::from_be_bytes(block.array("local time types")?);
        let [is_dst, _abbreviation_index] = block.array("local time types")?;
        // RFC 8536 forbids -2^31, which could not be negated.
        if utc_offset == i32::MIN {
            return Err(TzError::Corrupt("UTC offset out of range"));
        }
        if is_dst > 1 {
            return Err(TzError::Corrupt("is_dst flag is neither 0 nor 1"));
        }
        types.push(LocalTimeType {
            utc_offset,
            is_dst: is_dst == 1,
        });
    }
    // The rest of the block (abbreviations, leap seconds, indicators) is not
    // needed; its length was checked along with everything else.

    let mut times = ByteReader::new(times);
    let mut transitions: Vec<Transition> = Vec::with_capacity(type_indices.len());
    for &type_index in type_indices {
        let at = if time_bytes == 4 {
            i64::from(i32::from_be_bytes(times.array("transition times")?))
        } else {
            i64::from_be_bytes(times.array("transition times")?)
        };
        // Binary search needs sorted instants.
        if transitions.last().is_some_and(|previous| at <= previous.at) {
            return Err(TzError::Corrupt(
                "transition times are not in ascending order",
            ));
        }
        let Some(local_type) = types.get(usize::from(type_index)) else {
            return Err(TzError::Corrupt(
                "transition refers to a missing local time type",
            ));
        };
        transitions.push(Transition {
            at,
            utc_offset: local_type.utc_offset,
        });
    }

    // Before the first transition, use the first standard-time type. RFC
    // 8536 simply says "type 0", and the tz compiler makes sure type 0 is
    // standard time (usually local mean time), so both agree on current
    // data; looking for standard time also handles files from older
    // compilers that put a DST type first.
    let initial = types.iter().find(|t| !t.is_dst).unwrap_or(&types[0]);
    Ok(TzifData {
        transitions,
        initial_offset: initial.utc_offset,
    })
}

/// The version 2+ footer: a POSIX TZ string between two newlines. It may be
/// empty, meaning "no rule: the last transition's offset stays forever".
fn read_footer(reader: &mut ByteReader<'_>) -> Result<Option<PosixRule>, TzError> {
    let rest = reader.rest();
    let Some(after_newline) = rest.strip_prefix(b"\n") else {
        return Err(if rest.is_empty() {
            TzError::Truncated { section: "footer" }
        } else {
            TzError::Corrupt("footer does not start with a newline")
        });
    };
    let Some(length) = after_newline.iter().position(|&b| b == b'\n') else {
        return Err(TzError::Truncated { section: "footer" });
    };
    let footer = &after_newline[..length];
    if footer.is_empty() {
        return Ok(None);
    }
    let text = std::str::from_utf8(footer).map_err(|_| TzError::Corrupt("footer is not text"))?;
    PosixRule::parse(text)
        .map(Some)
        .map_err(|e| TzError::Footer {
            at: e.at,
            reason: e.reason,
        })
}

/// A read position in a byte slice whose reads fail, instead of panicking,
/// when the bytes run out.
struct ByteReader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> ByteReader<'a> {
    fn new(bytes: &'a [u8]) -> ByteReader<'a> {
        ByteReader { bytes, pos: 0 }
    }

    fn rest(&self) -> &'a [u8] {
        &self.bytes[self.pos..]
    }

    fn remaining(&self) -> u64 {
        self.rest().len() as u64
    }

    /// The next `count` bytes, or `Truncated` naming the `section` being read.
    fn take(&mut self, count: u64, section: &'static str) -> Result<&'a [u8], TzError> {
        if count > self.remaining() {
            return Err(TzError::Truncated { section });
        }
        // `count` fits in usize: it is at most the slice's length.
        let taken = &self.rest()[..count as usize];
        self.pos += taken.len();
        Ok(taken)
    }

    fn array<const N: usize>(&mut self, section: &'static str) -> Result<[u8; N], TzError> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N as u64, section)?);
        Ok(out)
    }
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/// Why zone data could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TzError {
    /// The bytes do not start with the TZif magic `"TZif"`.
    NotTzif,
    /// A TZif version byte other than 0, `'2'`, `'3'` or `'4'`.
    UnsupportedVersion(u8),
    /// The TZif data ends before the `section` its header announces.
    Truncated { section: &'static str },
    /// The TZif data is complete but contradicts itself.
    Corrupt(&'static str),
    /// The POSIX TZ string in a TZif footer is invalid at byte `at`.
    Footer { at: usize, reason: &'static str },
    /// A POSIX TZ string is invalid at byte `at`.
    Posix { at: usize, reason: &'static str },
}

impl fmt::Display for TzError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TzError::NotTzif => write!(f, "not a TZif file (no \"TZif\" magic)"),
            TzError::UnsupportedVersion(v) => write!(f, "unsupported TZif version byte {v:#04x}"),
            TzError::Truncated { section } => write!(f, "TZif data ends inside the {section}"),
            TzError::Corrupt(reason) => write!(f, "inconsistent TZif data: {reason}"),
            TzError::Footer { at, reason } => {
                write!(
                    f,
                    "invalid TZ string in the TZif footer at byte {at}: {reason}"
                )
            }
            TzError::Posix { at, reason } => {
                write!(f, "invalid POSIX TZ string at byte {at}: {reason}")
            }
        }
    }
}

impl Error for TzError {}

#[cfg(test)]
mod tests {
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
}
