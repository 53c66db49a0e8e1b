//! POSIX TZ strings: the one-line rules of the `TZ` environment variable and
//! of a TZif file's footer, such as `CET-1CEST,M3.5.0,M10.5.0/3`, parsed and
//! evaluated for any year (the module documentation of
//! [`localtime`](super) reads that example out loud).

use super::calendar::{
    LocalTime, SECS_PER_DAY, SECS_PER_HOUR, days_from_civil, days_in_month, is_leap_year, weekday,
};

/// A parsed POSIX TZ string. Offsets are stored the way the rest of this
/// module uses them, in seconds *east* of UTC (POSIX writes them west).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct PosixRule {
    pub(super) std_offset: i32,
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
pub(super) struct SyntaxError {
    pub(super) at: usize,
    pub(super) reason: &'static str,
}

/// The largest hour allowed in a transition time. Version 3 of TZif allows
/// -167 to 167 hours (a week, minus the one hour of daylight time), so that
/// rules like "the day after the first Saturday" can be written.
const MAX_RULE_HOURS: u32 = 167;
/// The largest hour allowed in a UTC offset, as POSIX specifies.
const MAX_OFFSET_HOURS: u32 = 24;

impl PosixRule {
    /// `std offset [dst [offset] [,start[/time],end[/time]]]`
    pub(super) fn parse(spec: &str) -> Result<PosixRule, SyntaxError> {
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
    pub(super) fn offset_at(&self, unix_secs: i64) -> i32 {
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
