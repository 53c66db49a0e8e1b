//! The limit on guessing passwords online (contract §10).
//!
//! SCRAM keeps the password off the wire, but nothing stops someone from
//! simply trying passwords, one login after another. Each try costs the
//! attacker a round trip and the server almost nothing, so without a limit
//! a weak password falls to a list of common ones within minutes. Two
//! brakes bound it:
//!
//! - **A lock.** After [`MAX_FAILURES`] failed logins within the window
//!   (one minute by default, `--lock-window`) *for one name*, or *from one
//!   address*, further attempts are refused with `auth_locked` until a whole
//!   window has passed since the failure that set the lock. The name's lock
//!   protects an account from guesses spread over many addresses; the
//!   address's lock slows one machine trying many names. Either way an
//!   account sees at most five guesses a minute: about 7,200 a day, where a
//!   list of the 10,000 most common passwords would take longer than a day.
//! - **A delay.** Each failure's answer is held back by
//!   [`Lockout::failure_delay`], about a second, so that even below the lock
//!   one connection cannot try passwords as fast as the network allows.
//!   The delay alone is not a limit (an attacker opens more connections);
//!   the lock is.
//!
//! Unknown names are counted like known ones: the server must behave the
//! same for both, or the lock itself would tell who is registered.
//!
//! # Memory an attacker cannot grow
//!
//! Every name and address that fails costs an entry, and an attacker
//! chooses both freely. So each table holds at most a fixed number of
//! entries ([`MAX_TRACKED`] by default): names are cut to the longest a
//! name may be, IPv6 addresses count by their /64 network (one customer's
//! share, which an attacker can fill with addresses for free), and when a
//! table is full it forgets expired records first, then the record with the
//! fewest failures, and a lock only when every record left is a lock.
//! Pushing a victim's record out that way gives back at most four guesses
//! for every record the attacker has to fill the table with; pushing out a
//! lock means first locking as many names as the table holds, which takes
//! as many addresses, five failures each.
//!
//! Time comes in as a `now: Instant` argument rather than from the clock
//! inside, so the tests step through minutes without waiting for them.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::names::{MAX_NAME_CHARS, name_key};
use crate::sync::lock;

/// Failed logins within a window that lock a name or an address.
pub const MAX_FAILURES: usize = 5;

/// The window unless `--lock-window` says otherwise.
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(60);

/// How long a failure's answer waits, at most.
pub const FAILURE_DELAY: Duration = Duration::from_secs(1);

/// Entries per table (names, addresses) unless [`Lockout::with_capacity`]
/// says otherwise. An entry costs about 200 bytes, so both tables together
/// stay under 5 MB however many names and addresses an attacker uses.
pub const MAX_TRACKED: usize = 10_000;

/// Which record refused an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockedBy {
    Name,
    Address,
}

/// An attempt refused because of a lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Locked {
    pub by: LockedBy,
    /// When attempts are allowed again.
    pub until: Instant,
}

impl Locked {
    /// How long until attempts are allowed again, counted from `now`.
    pub fn remaining(&self, now: Instant) -> Duration {
        self.until.saturating_duration_since(now)
    }
}

/// What a failure leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failure {
    /// How long to hold back the answer to this failure.
    pub delay: Duration,
    /// The lock this failure set, when it was the one too many (for the
    /// server's log); `None` when it set none.
    pub locked: Option<Locked>,
}

/// The failure records of every name and address, behind one lock (each
/// operation is a few map lookups; no I/O happens under it).
pub struct Lockout {
    window: Duration,
    capacity: usize,
    tables: Mutex<Tables>,
}

struct Tables {
    names: Table<String>,
    addresses: Table<IpAddr>,
}

impl Lockout {
    /// A lockout with the given window and [`MAX_TRACKED`] entries per table.
    pub fn new(window: Duration) -> Lockout {
        Lockout::with_capacity(window, MAX_TRACKED)
    }

    /// A lockout that tracks at most `capacity` names and as many addresses
    /// (at least one of each).
    pub fn with_capacity(window: Duration, capacity: usize) -> Lockout {
        Lockout {
            window,
            capacity: capacity.max(1),
            tables: Mutex::new(Tables {
                names: Table::default(),
                addresses: Table::default(),
            }),
        }
    }

    pub fn window(&self) -> Duration {
        self.window
    }

    /// How long each failure's answer is held back: [`FAILURE_DELAY`], or a
    /// tenth of the window when that is shorter. A short window exists for
    /// tests, and with a full second per failure, five failures on one
    /// connection could never fall within a two-second window.
    pub fn failure_delay(&self) -> Duration {
        FAILURE_DELAY.min(self.window / 10)
    }

    /// May `name` try to log in from `addr` now? Ask before starting a login
    /// (at the client-first message), and answer `auth_locked` when not.
    pub fn check(&self, name: &str, addr: IpAddr, now: Instant) -> Result<(), Locked> {
        let tables = lock(&self.tables);
        if let Some(until) = tables.names.locked_until(&name_entry_key(name), now) {
            return Err(Locked {
                by: LockedBy::Name,
                until,
            });
        }
        if let Some(until) = tables.addresses.locked_until(&address_key(addr), now) {
            return Err(Locked {
                by: LockedBy::Address,
                until,
            });
        }
        Ok(())
    }

    /// Counts a failed login (a wrong proof, for a known or unknown name).
    pub fn record_failure(&self, name: &str, addr: IpAddr, now: Instant) -> Failure {
        let mut tables = lock(&self.tables);
        let (window, capacity) = (self.window, self.capacity);
        let by_name = tables
            .names
            .fail(name_entry_key(name), now, window, capacity);
        let by_address = tables
            .addresses
            .fail(address_key(addr), now, window, capacity);
        let locked = match (by_name, by_address) {
            (Some(until), _) => Some(Locked {
                by: LockedBy::Name,
                until,
            }),
            (None, Some(until)) => Some(Locked {
                by: LockedBy::Address,
                until,
            }),
            (None, None) => None,
        };
        Failure {
            delay: self.failure_delay(),
            locked,
        }
    }

    /// Forgets the failures of `name` after it logged in: whoever typed the
    /// password wrong a few times was its owner. The address's failures
    /// stay, or one account an attacker holds would let it wipe its
    /// address's record between guesses at other names. A name that is
    /// locked stays locked.
    pub fn record_success(&self, name: &str, now: Instant) {
        let mut tables = lock(&self.tables);
        let key = name_entry_key(name);
        if tables.names.locked_until(&key, now).is_none() {
            tables.names.entries.remove(&key);
        }
    }

    /// May `addr` go on now? The address's record alone, for a limit that is
    /// about one machine rather than one name: the server keeps a second
    /// `Lockout` whose events are registrations, not failures, so that one
    /// machine cannot fill the accounts file (or take every good name) at
    /// network speed.
    pub fn check_address(&self, addr: IpAddr, now: Instant) -> Result<(), Locked> {
        let tables = lock(&self.tables);
        match tables.addresses.locked_until(&address_key(addr), now) {
            Some(until) => Err(Locked {
                by: LockedBy::Address,
                until,
            }),
            None => Ok(()),
        }
    }

    /// Counts one event for `addr` alone (see [`Lockout::check_address`]);
    /// returns the lock it set, when it was the one too many.
    pub fn count_for_address(&self, addr: IpAddr, now: Instant) -> Option<Locked> {
        let mut tables = lock(&self.tables);
        let (window, capacity) = (self.window, self.capacity);
        let until = tables
            .addresses
            .fail(address_key(addr), now, window, capacity)?;
        Some(Locked {
            by: LockedBy::Address,
            until,
        })
    }

    /// How many names and addresses have a record (expired ones included,
    /// until they are swept): for tests and the bound above.
    pub fn tracked(&self) -> (usize, usize) {
        let tables = lock(&self.tables);
        (tables.names.entries.len(), tables.addresses.entries.len())
    }
}

/// A name's key: [`name_key`], cut to the longest a valid name can be. The
/// session may ask about a name before checking it, and a megabyte-long
/// name must not cost a megabyte here. Names longer than that cannot be
/// registered, so sharing one record costs nobody anything.
fn name_entry_key(name: &str) -> String {
    let end = name
        .char_indices()
        .nth(MAX_NAME_CHARS)
        .map_or(name.len(), |(i, _)| i);
    name_key(&name[..end])
}

/// An address's key: IPv4 as it is (an IPv4 address written as IPv6,
/// `::ffff:a.b.c.d`, is the same machine), IPv6 by its /64 network.
fn address_key(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let network = u128::from(v6) & !(u128::MAX >> 64);
                IpAddr::V6(Ipv6Addr::from(network))
            }
        },
    }
}

/// The failures of one name or one address.
struct Record {
    /// The recent failures, oldest first, at most [`MAX_FAILURES`].
    failures: Vec<Instant>,
    /// Set by the failure that was one too many.
    locked_until: Option<Instant>,
}

impl Record {
    /// What forgetting this record would give back to an attacker, as an
    /// order: any record that is not a lock before every lock (forgetting
    /// it returns fewer than five guesses), fewer failures before more,
    /// older before newer; among locks, the one ending soonest.
    fn worth(&self) -> (bool, usize, Option<Instant>) {
        match self.locked_until {
            Some(until) => (true, 0, Some(until)),
            None => (false, self.failures.len(), self.failures.last().copied()),
        }
    }

    /// When this record stops mattering: its lock ends, or its last failure
    /// leaves the window.
    fn expires(&self, window: Duration) -> Option<Instant> {
        match (self.locked_until, self.failures.last()) {
            (Some(until), _) => Some(until),
            (None, Some(&last)) => Some(last + window),
            (None, None) => None,
        }
    }
}

struct Table<K> {
    entries: HashMap<K, Record>,
}

impl<K> Default for Table<K> {
    fn default() -> Self {
        Table {
            entries: HashMap::new(),
        }
    }
}

impl<K: Hash + Eq + Clone> Table<K> {
    fn locked_until(&self, key: &K, now: Instant) -> Option<Instant> {
        let until = self.entries.get(key)?.locked_until?;
        (now < until).then_some(until)
    }

    /// Counts a failure; returns the end of the lock it set, if it set one.
    fn fail(&mut self, key: K, now: Instant, window: Duration, capacity: usize) -> Option<Instant> {
        if !self.entries.contains_key(&key) && self.entries.len() >= capacity {
            self.make_room(now, window, capacity);
        }
        let record = self.entries.entry(key).or_insert_with(|| Record {
            failures: Vec::with_capacity(MAX_FAILURES),
            locked_until: None,
        });
        // A lock that has run out is over: the record starts again. (A
        // failure during a lock cannot happen, since `check` refuses the
        // attempt first; if one is recorded anyway it is not counted.)
        match record.locked_until {
            Some(until) if now < until => return None,
            Some(_) => {
                record.locked_until = None;
                record.failures.clear();
            }
            None => {}
        }
        // Failures older than the window no longer count.
        record
            .failures
            .retain(|&t| now.saturating_duration_since(t) < window);
        record.failures.push(now);
        if record.failures.len() < MAX_FAILURES {
            return None;
        }
        let until = now + window;
        record.locked_until = Some(until);
        record.failures.clear();
        Some(until)
    }

    /// Called when the table is full and a new key needs an entry: first
    /// forget every record that has expired; if none has, forget the one
    /// worth least (see [`Record::worth`]).
    fn make_room(&mut self, now: Instant, window: Duration, capacity: usize) {
        self.entries
            .retain(|_, record| record.expires(window).is_some_and(|t| now < t));
        if self.entries.len() < capacity {
            return;
        }
        let cheapest = self
            .entries
            .iter()
            .min_by_key(|(_, record)| record.worth())
            .map(|(key, _)| key.clone());
        if let Some(key) = cheapest {
            self.entries.remove(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    #[test]
    fn events_counted_for_an_address_alone_lock_it_and_touch_no_name() {
        let limit = Lockout::new(DEFAULT_WINDOW);
        let t0 = Instant::now();
        for i in 0..4 {
            assert_eq!(limit.count_for_address(addr(1), t0 + SECOND * i), None);
        }
        assert_eq!(limit.check_address(addr(1), t0), Ok(()));
        let t4 = t0 + SECOND * 4;
        let locked = limit
            .count_for_address(addr(1), t4)
            .expect("the fifth locks");
        assert_eq!(locked.by, LockedBy::Address);
        assert_eq!(limit.check_address(addr(1), t4), Err(locked));
        assert_eq!(limit.check_address(addr(2), t4), Ok(()));
        assert_eq!(limit.tracked(), (0, 1));
        assert_eq!(limit.check_address(addr(1), t4 + DEFAULT_WINDOW), Ok(()));
    }

    const SECOND: Duration = Duration::from_secs(1);

    fn addr(last: u8) -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(192, 0, 2, last))
    }

    /// Fails `n` times for `name` from `from`, one second apart from `start`.
    fn fail_n(lockout: &Lockout, name: &str, from: IpAddr, start: Instant, n: u32) -> Failure {
        let mut last = None;
        for i in 0..n {
            last = Some(lockout.record_failure(name, from, start + SECOND * i));
        }
        last.unwrap()
    }

    #[test]
    fn five_failures_lock_the_name_for_a_window() {
        let lockout = Lockout::new(DEFAULT_WINDOW);
        let t0 = Instant::now();
        // Four failures from four addresses: still allowed.
        for i in 0..4 {
            let failure = lockout.record_failure("alice", addr(i), t0 + SECOND * u32::from(i));
            assert_eq!(failure.locked, None);
            assert_eq!(failure.delay, SECOND);
        }
        assert_eq!(lockout.check("alice", addr(9), t0 + SECOND * 4), Ok(()));
        // The fifth locks the name, whatever address comes next.
        let t5 = t0 + SECOND * 4;
        let failure = lockout.record_failure("alice", addr(4), t5);
        let locked = Locked {
            by: LockedBy::Name,
            until: t5 + DEFAULT_WINDOW,
        };
        assert_eq!(failure.locked, Some(locked));
        assert_eq!(lockout.check("alice", addr(9), t5), Err(locked));
        assert_eq!(lockout.check("ALICE", addr(9), t5), Err(locked));
        assert_eq!(locked.remaining(t5 + SECOND * 20), SECOND * 40);
        // Other names from other addresses are not affected.
        assert_eq!(lockout.check("bob", addr(9), t5), Ok(()));
        // Until the window has passed since the fifth failure.
        assert_eq!(
            lockout.check("alice", addr(9), t5 + DEFAULT_WINDOW - SECOND),
            Err(locked)
        );
        assert_eq!(lockout.check("alice", addr(9), t5 + DEFAULT_WINDOW), Ok(()));
    }

    #[test]
    fn five_failures_from_one_address_lock_it_for_every_name() {
        let lockout = Lockout::new(DEFAULT_WINDOW);
        let t0 = Instant::now();
        let mallory = addr(66);
        for i in 0..5 {
            lockout.record_failure(&format!("user{i}"), mallory, t0);
        }
        let locked = lockout.check("someone_else", mallory, t0).unwrap_err();
        assert_eq!(locked.by, LockedBy::Address);
        assert_eq!(lockout.check("someone_else", addr(1), t0), Ok(()));
        assert_eq!(
            lockout.check("someone_else", mallory, t0 + DEFAULT_WINDOW),
            Ok(())
        );
    }

    #[test]
    fn failures_spread_wider_than_the_window_never_lock() {
        let window = Duration::from_secs(10);
        let lockout = Lockout::new(window);
        let t0 = Instant::now();
        // One failure every 3 s: never five within 10 s.
        for i in 0..50 {
            let now = t0 + SECOND * (3 * i);
            assert_eq!(lockout.check("alice", addr(1), now), Ok(()));
            assert_eq!(lockout.record_failure("alice", addr(1), now).locked, None);
        }
    }

    #[test]
    fn the_window_slides() {
        let window = Duration::from_secs(10);
        let lockout = Lockout::new(window);
        let t0 = Instant::now();
        // Failures at 0, 1, 2 and 3 s, then at 10 s: the first one has left
        // the window, so four count.
        fail_n(&lockout, "alice", addr(1), t0, 4);
        let at_10 = t0 + SECOND * 10;
        assert_eq!(lockout.record_failure("alice", addr(2), at_10).locked, None);
        assert_eq!(lockout.check("alice", addr(2), at_10), Ok(()));
        // A fifth within 10 s of the one at 1 s locks.
        let failure = lockout.record_failure("alice", addr(2), at_10);
        assert!(failure.locked.is_some());
    }

    #[test]
    fn after_a_lock_the_count_starts_again() {
        let window = Duration::from_secs(10);
        let lockout = Lockout::new(window);
        let t0 = Instant::now();
        fail_n(&lockout, "alice", addr(1), t0, 5);
        let after = t0 + SECOND * 4 + window;
        assert_eq!(lockout.check("alice", addr(1), after), Ok(()));
        // One failure after the lock is one, not six.
        assert_eq!(lockout.record_failure("alice", addr(1), after).locked, None);
        assert_eq!(lockout.check("alice", addr(1), after), Ok(()));
        // Failures recorded during a lock (which `check` should have
        // refused) do not extend it.
        let relock = fail_n(&lockout, "alice", addr(1), after, 4).locked.unwrap();
        let during = relock.until - SECOND;
        lockout.record_failure("alice", addr(1), during);
        assert_eq!(lockout.check("alice", addr(1), relock.until), Ok(()));
    }

    #[test]
    fn success_forgets_the_names_failures_but_not_the_addresss() {
        let lockout = Lockout::new(DEFAULT_WINDOW);
        let t0 = Instant::now();
        fail_n(&lockout, "alice", addr(1), t0, 4);
        lockout.record_success("Alice", t0 + SECOND * 4);
        // Alice may fail four more times from elsewhere…
        assert_eq!(fail_n(&lockout, "alice", addr(2), t0, 4).locked, None);
        // …but the first address has one failure left.
        let failure = lockout.record_failure("bob", addr(1), t0 + SECOND * 5);
        assert_eq!(failure.locked.map(|l| l.by), Some(LockedBy::Address));
    }

    #[test]
    fn success_does_not_lift_a_lock() {
        let lockout = Lockout::new(DEFAULT_WINDOW);
        let t0 = Instant::now();
        fail_n(&lockout, "alice", addr(1), t0, 5);
        lockout.record_success("alice", t0 + SECOND * 5);
        assert!(lockout.check("alice", addr(2), t0 + SECOND * 5).is_err());
    }

    #[test]
    fn the_delay_is_a_second_or_a_tenth_of_a_short_window() {
        assert_eq!(Lockout::new(DEFAULT_WINDOW).failure_delay(), SECOND);
        assert_eq!(Lockout::new(SECOND * 10).failure_delay(), SECOND);
        assert_eq!(
            Lockout::new(SECOND * 2).failure_delay(),
            Duration::from_millis(200)
        );
        // Five delayed failures fit in a short window, so tests can lock.
        let lockout = Lockout::new(SECOND * 2);
        let t0 = Instant::now();
        let mut now = t0;
        let mut last = None;
        for _ in 0..5 {
            let failure = lockout.record_failure("alice", addr(1), now);
            now += failure.delay;
            last = failure.locked;
        }
        assert!(last.is_some());
    }

    #[test]
    fn case_variants_share_a_record_and_other_scripts_are_their_own() {
        let lockout = Lockout::new(DEFAULT_WINDOW);
        let t0 = Instant::now();
        for (i, name) in ["Alice", "ALICE", "alice", "aLiCe", "AlIcE"]
            .iter()
            .enumerate()
        {
            lockout.record_failure(name, addr(i as u8), t0);
        }
        assert!(lockout.check("alice", addr(100), t0).is_err());
        for (i, name) in ["张伟", "张伟", "张伟", "张伟"].iter().enumerate() {
            lockout.record_failure(name, addr(10 + i as u8), t0);
        }
        assert_eq!(lockout.check("张伟", addr(100), t0), Ok(()));
        lockout.record_failure("张伟", addr(20), t0);
        assert!(lockout.check("张伟", addr(100), t0).is_err());
        assert_eq!(lockout.check("张三", addr(100), t0), Ok(()));
    }

    #[test]
    fn ipv6_counts_by_network_and_mapped_ipv4_as_ipv4() {
        let lockout = Lockout::new(DEFAULT_WINDOW);
        let t0 = Instant::now();
        // Five addresses of one /64 are one attacker.
        for i in 0..5u16 {
            let a: IpAddr = IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 1, 2, i, i, i, i));
            lockout.record_failure(&format!("u{i}"), a, t0);
        }
        let same_net = IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 1, 2, 9, 9, 9, 9));
        let next_net = IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 1, 3, 0, 0, 0, 1));
        assert!(lockout.check("x", same_net, t0).is_err());
        assert_eq!(lockout.check("x", next_net, t0), Ok(()));

        let v4 = Ipv4Addr::new(198, 51, 100, 7);
        for i in 0..5 {
            lockout.record_failure(&format!("v{i}"), IpAddr::V4(v4), t0);
        }
        let mapped = IpAddr::V6(v4.to_ipv6_mapped());
        assert!(lockout.check("y", mapped, t0).is_err());
    }

    #[test]
    fn huge_names_cost_no_more_than_a_valid_one() {
        let lockout = Lockout::new(DEFAULT_WINDOW);
        let t0 = Instant::now();
        let huge = "名".repeat(1 << 20);
        lockout.record_failure(&huge, addr(1), t0);
        let tables = lock(&lockout.tables);
        let key = tables.names.entries.keys().next().unwrap();
        assert_eq!(key.chars().count(), MAX_NAME_CHARS);
    }

    #[test]
    fn the_tables_never_grow_past_their_capacity() {
        let lockout = Lockout::with_capacity(DEFAULT_WINDOW, 100);
        let t0 = Instant::now();
        for i in 0..10_000u32 {
            let a = IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + i));
            lockout.record_failure(
                &format!("n{i}"),
                a,
                t0 + Duration::from_millis(u64::from(i)),
            );
            let (names, addresses) = lockout.tracked();
            assert!(names <= 100 && addresses <= 100, "{names} {addresses}");
        }
    }

    #[test]
    fn a_full_table_forgets_expired_records_first() {
        let window = Duration::from_secs(10);
        let lockout = Lockout::with_capacity(window, 3);
        let t0 = Instant::now();
        lockout.record_failure("old1", addr(1), t0);
        lockout.record_failure("old2", addr(1), t0);
        lockout.record_failure("live", addr(2), t0 + SECOND * 8);
        // At 12 s the first two have expired; a new name sweeps them.
        lockout.record_failure("new", addr(3), t0 + SECOND * 12);
        let tables = lock(&lockout.tables);
        let mut names: Vec<&String> = tables.names.entries.keys().collect();
        names.sort();
        assert_eq!(names, ["live", "new"]);
    }

    #[test]
    fn a_flood_of_names_does_not_lift_a_victims_lock() {
        let window = Duration::from_secs(60);
        let lockout = Lockout::with_capacity(window, 50);
        let t0 = Instant::now();
        fail_n(&lockout, "victim", addr(1), t0, 5);
        // 49 more names, each with one failure: each expires before the
        // victim's lock does, so they are pushed out instead of the victim.
        for i in 0..500u32 {
            let a = IpAddr::V4(Ipv4Addr::from(0x0b00_0000 + i));
            lockout.record_failure(&format!("junk{i}"), a, t0 + SECOND * 5);
        }
        assert!(lockout.check("victim", addr(2), t0 + SECOND * 6).is_err());
    }
}
