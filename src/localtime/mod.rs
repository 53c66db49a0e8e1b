//! Local time: turning the Unix seconds in a message into the wall-clock time
//! of whoever reads it.
//!
//! **Outside the course's path.** The chat needs this module for one thing,
//! the `[HH:MM:SS]` in front of each line, and nothing in it is about
//! sockets: a reader following the course can treat it as a library and
//! skip it. It is here because the standard library has no time zones and
//! the project takes no dependencies.
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
//!
//! # Files
//!
//! - this file: [`TimeZone`] (which UTC offset is in force at which
//!   instant), finding the machine's zone (`TZ`, `TZDIR`, `/etc/localtime`),
//!   and [`TzError`];
//! - `calendar.rs`: calendar arithmetic, seconds to a Gregorian date and
//!   clock time ([`LocalTime`]);
//! - `posix.rs`: POSIX TZ strings such as `CET-1CEST,M3.5.0,M10.5.0/3`,
//!   parsed and evaluated for any year;
//! - `tzif.rs`: zone files in the TZif format (RFC 8536), as installed in
//!   `/usr/share/zoneinfo`;
//! - `tests.rs`: the tests of all of it.

use std::env;
use std::error::Error;
use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

mod calendar;
mod posix;
#[cfg(test)]
mod tests;
mod tzif;

pub use calendar::LocalTime;
use posix::PosixRule;
use tzif::parse_tzif;

/// Where the zone files live when `TZDIR` is not set.
const DEFAULT_ZONEINFO_DIR: &str = "/usr/share/zoneinfo";

/// The machine's own zone when `TZ` is not set.
const DEFAULT_LOCALTIME_PATH: &str = "/etc/localtime";

/// The largest zone file we are willing to read. Real ones are a few
/// kilobytes (under 4 KiB even with every historical transition); the limit
/// only exists so that `TZ=/dev/zero` or a mistyped path to a huge file
/// cannot make us read it all into memory.
pub const MAX_TZIF_FILE_BYTES: u64 = 256 * 1024;

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
