//! Who is muted, and until when (contract §11).
//!
//! An admin's `mute NAME SECS` (from the console or from an admin's client)
//! silences a name for a while: its `TEXT` and `FILE` get `ERROR muted`
//! with the time the mute ends, and go nowhere. The mute belongs to the
//! name, not to a connection, so leaving and joining again does not lift
//! it; it ends by itself when its time is up, or with `unmute NAME`.
//!
//! Mutes are kept in memory only: a restart lifts them, which is what a
//! mute of a few minutes needs. The clock is an argument (`now: Instant`),
//! so tests can step past a mute's end without waiting for it. A monotonic
//! clock, not the wall clock: setting the system's time back must not make
//! a five-minute mute last an hour.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::names::name_key;
use crate::sync::lock;

/// How long `mute NAME` lasts without a number of seconds.
pub const DEFAULT_MUTE: Duration = Duration::from_secs(300);

/// The longest mute: a week. A mute is a pause; to keep someone out for
/// good there is `/kick` and, for an account, `/deluser`. The bound also
/// keeps `now + duration` far from overflowing whatever an admin types.
pub const MAX_MUTE: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// How many names can be muted at once. Only admins mute, but an admin's
/// client is still a peer, and no table a peer can fill is unbounded.
pub const MAX_MUTED: usize = 10_000;

/// Why a mute was refused. The wording is in [`crate::text`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MuteError {
    /// Zero seconds: nothing to do, and most likely a typing mistake.
    Zero,
    /// Longer than [`MAX_MUTE`].
    TooLong,
    /// [`MAX_MUTED`] names are muted already.
    Full,
}

/// The muted names, by [`name_key`], each with the moment its mute ends.
#[derive(Default)]
pub struct Mutes {
    until: Mutex<HashMap<String, Instant>>,
}

impl Mutes {
    pub fn new() -> Mutes {
        Mutes::default()
    }

    /// Mutes `name` for `duration` from `now`; returns when the mute ends.
    /// Muting a name that is muted already sets a new end, earlier or later.
    pub fn mute(&self, name: &str, duration: Duration, now: Instant) -> Result<Instant, MuteError> {
        if duration.is_zero() {
            return Err(MuteError::Zero);
        }
        if duration > MAX_MUTE {
            return Err(MuteError::TooLong);
        }
        let until = now + duration;
        let mut muted = lock(&self.until);
        let key = name_key(name);
        if !muted.contains_key(&key) && muted.len() >= MAX_MUTED {
            // Mutes that have ended may still hold places: sweep them out
            // before giving up. (A mute that has not ended is never dropped
            // to make room: that would unmute someone without saying so.)
            muted.retain(|_, end| now < *end);
            if muted.len() >= MAX_MUTED {
                return Err(MuteError::Full);
            }
        }
        muted.insert(key, until);
        Ok(until)
    }

    /// Lifts the mute on `name`; `false` if it was not muted (or its mute
    /// had ended).
    pub fn unmute(&self, name: &str, now: Instant) -> bool {
        match lock(&self.until).remove(&name_key(name)) {
            Some(until) => now < until,
            None => false,
        }
    }

    /// When the mute on `name` ends, if it is muted at `now`. Asked for every
    /// `TEXT` and `FILE`, so it is one lookup; a mute found to have ended is
    /// removed on the way.
    pub fn muted_until(&self, name: &str, now: Instant) -> Option<Instant> {
        let mut muted = lock(&self.until);
        let key = name_key(name);
        let until = *muted.get(&key)?;
        if now < until {
            Some(until)
        } else {
            muted.remove(&key);
            None
        }
    }

    /// How many names are muted at `now`.
    pub fn count(&self, now: Instant) -> usize {
        lock(&self.until).values().filter(|&&end| now < end).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    #[test]
    fn a_mute_lasts_its_time_and_then_ends_by_itself() {
        let mutes = Mutes::new();
        let t0 = Instant::now();
        let until = mutes.mute("bob", DEFAULT_MUTE, t0).unwrap();
        assert_eq!(until, t0 + SECOND * 300);
        assert_eq!(mutes.muted_until("bob", t0), Some(until));
        assert_eq!(mutes.muted_until("bob", until - SECOND), Some(until));
        assert_eq!(mutes.muted_until("bob", until), None);
        assert_eq!(mutes.count(t0), 0, "an ended mute is removed when found");
    }

    #[test]
    fn mutes_follow_the_name_key() {
        let mutes = Mutes::new();
        let t0 = Instant::now();
        mutes.mute("Bob", SECOND * 10, t0).unwrap();
        assert!(mutes.muted_until("BOB", t0).is_some());
        assert!(mutes.muted_until("bob", t0).is_some());
        assert!(
            mutes.muted_until("ｂｏｂ", t0).is_some(),
            "full-width is the same name"
        );
        assert!(mutes.muted_until("bobby", t0).is_none());
        mutes.mute("张伟", SECOND * 10, t0).unwrap();
        assert!(mutes.muted_until("张伟", t0).is_some());
        assert!(mutes.muted_until("张三", t0).is_none());
        mutes.mute("Zoë", SECOND * 10, t0).unwrap();
        assert!(
            mutes.muted_until("ZOË", t0).is_none(),
            "case beyond ASCII does not fold"
        );
    }

    #[test]
    fn unmute_lifts_a_mute_and_says_whether_there_was_one() {
        let mutes = Mutes::new();
        let t0 = Instant::now();
        mutes.mute("bob", SECOND * 10, t0).unwrap();
        assert!(mutes.unmute("BOB", t0 + SECOND));
        assert_eq!(mutes.muted_until("bob", t0 + SECOND), None);
        assert!(!mutes.unmute("bob", t0 + SECOND));
        mutes.mute("carol", SECOND * 10, t0).unwrap();
        assert!(!mutes.unmute("carol", t0 + SECOND * 10), "it had ended");
    }

    #[test]
    fn muting_again_sets_a_new_end() {
        let mutes = Mutes::new();
        let t0 = Instant::now();
        mutes.mute("bob", SECOND * 600, t0).unwrap();
        let shorter = mutes.mute("bob", SECOND * 5, t0).unwrap();
        assert_eq!(mutes.muted_until("bob", t0), Some(shorter));
        assert_eq!(mutes.muted_until("bob", t0 + SECOND * 5), None);
    }

    #[test]
    fn zero_and_overlong_mutes_are_refused() {
        let mutes = Mutes::new();
        let t0 = Instant::now();
        assert_eq!(mutes.mute("bob", Duration::ZERO, t0), Err(MuteError::Zero));
        assert_eq!(
            mutes.mute("bob", MAX_MUTE + SECOND, t0),
            Err(MuteError::TooLong)
        );
        // Seconds as large as a peer can write do not overflow anything.
        assert_eq!(
            mutes.mute("bob", Duration::from_secs(u64::MAX), t0),
            Err(MuteError::TooLong)
        );
        assert!(mutes.mute("bob", MAX_MUTE, t0).is_ok());
    }

    #[test]
    fn the_table_is_bounded_and_ended_mutes_make_room() {
        let mutes = Mutes::new();
        let t0 = Instant::now();
        for i in 0..MAX_MUTED {
            mutes.mute(&format!("n{i}"), SECOND * 10, t0).unwrap();
        }
        assert_eq!(
            mutes.mute("one_more", SECOND, t0),
            Err(MuteError::Full),
            "a live mute is never dropped to make room"
        );
        // Muting a name already muted needs no new place.
        assert!(mutes.mute("n5", SECOND * 20, t0).is_ok());
        // Once the mutes have ended, there is room again.
        assert!(mutes.mute("one_more", SECOND, t0 + SECOND * 10).is_ok());
        assert_eq!(mutes.count(t0 + SECOND * 10), 2);
    }
}
