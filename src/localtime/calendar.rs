//! Calendar arithmetic: seconds since 1970 to a Gregorian date and a clock
//! time, and back. No time zones here: the caller adds the zone's offset
//! first (see [`TimeZone::local`](super::TimeZone::local)).

pub(super) const SECS_PER_HOUR: i64 = 3_600;
pub(super) const SECS_PER_DAY: i64 = 86_400;

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
    pub(super) fn from_local_secs(local_secs: i64) -> LocalTime {
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
pub(super) const fn days_from_civil(year: i64, month: u8, day: u8) -> i64 {
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
pub(super) fn civil_from_days(days: i64) -> (i64, u8, u8) {
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

pub(super) fn is_leap_year(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

pub(super) fn days_in_month(year: i64, month: u8) -> i64 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// 0 = Sunday ... 6 = Saturday, the numbering POSIX TZ strings use.
/// 1970-01-01 was a Thursday.
pub(super) fn weekday(days: i64) -> i64 {
    (days + 4).rem_euclid(7)
}
