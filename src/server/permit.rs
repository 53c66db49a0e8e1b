//! Connection slots: at most `--max-clients` connections at once, each
//! holding a [`Permit`] from `accept` until its last thread is done.
//!
//! A slot must be given back exactly once, whichever way a connection ends:
//! a clean leave, a failed setup, a thread that could not be started, a
//! panic. Handing out a count and trusting every path to give it back is how
//! slots leak (and a server that leaks one per failure fills up for good).
//! So a slot is a value: the permit. Dropping it gives the slot back, and
//! Rust drops it on every path, panics included.
//!
//! The slots also know every connection's [`Link`], so that shutdown can
//! reach connections that have not joined yet, and wait until every permit
//! is back.

use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Instant;

use super::directory::Link;
use crate::sync::lock;

/// The server's connection slots.
pub struct Slots {
    limit: usize,
    state: Mutex<State>,
    /// Signalled whenever a permit is dropped (shutdown waits on it).
    released: Condvar,
}

#[derive(Default)]
struct State {
    next_id: u64,
    /// Permits handed out and not yet dropped.
    taken: usize,
    /// The links of the connections that have one, by permit.
    links: HashMap<u64, Arc<Link>>,
}

impl Slots {
    /// At most `limit` connections at once.
    pub fn new(limit: usize) -> Arc<Slots> {
        Arc::new(Slots {
            limit,
            state: Mutex::new(State::default()),
            released: Condvar::new(),
        })
    }

    /// A slot for a new connection, or `None` at the limit.
    pub fn try_acquire(self: &Arc<Self>) -> Option<Permit> {
        let mut state = lock(&self.state);
        if state.taken >= self.limit {
            return None;
        }
        state.taken += 1;
        state.next_id += 1;
        Some(Permit {
            slots: self.clone(),
            id: state.next_id,
            since: Instant::now(),
        })
    }

    /// How many connections hold a slot (joined or not).
    pub fn in_use(&self) -> usize {
        lock(&self.state).taken
    }

    /// The links of every connection that has registered one.
    pub fn links(&self) -> Vec<Arc<Link>> {
        lock(&self.state).links.values().cloned().collect()
    }

    /// Waits until every permit is back, or `deadline` passes. True if they
    /// all came back.
    pub fn wait_until_all_released(&self, deadline: Instant) -> bool {
        let mut state = lock(&self.state);
        while state.taken > 0 {
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            state = match self.released.wait_timeout(state, deadline - now) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
        true
    }
}

/// One connection's slot. Dropping it gives the slot back.
pub struct Permit {
    slots: Arc<Slots>,
    id: u64,
    since: Instant,
}

impl Permit {
    /// When the slot was taken: when the connection was accepted.
    pub fn since(&self) -> Instant {
        self.since
    }

    /// Records the connection's link, so that shutdown can reach it. It is
    /// forgotten when the permit is dropped.
    pub fn register(&self, link: Arc<Link>) {
        lock(&self.slots.state).links.insert(self.id, link);
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut state = lock(&self.slots.state);
        state.links.remove(&self.id);
        state.taken -= 1;
        drop(state);
        self.slots.released.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn permits_are_limited_and_come_back_when_dropped() {
        let slots = Slots::new(2);
        let a = slots.try_acquire().expect("first");
        let b = slots.try_acquire().expect("second");
        assert!(slots.try_acquire().is_none());
        assert_eq!(slots.in_use(), 2);
        drop(a);
        let c = slots.try_acquire().expect("a slot came back");
        drop((b, c));
        assert_eq!(slots.in_use(), 0);
        assert!(slots.wait_until_all_released(Instant::now()));
    }

    /// A thread that panics while holding a permit gives it back too.
    #[test]
    fn a_panic_gives_the_slot_back() {
        let slots = Slots::new(1);
        let permit = slots.try_acquire().expect("a slot");
        let result = std::thread::spawn(move || {
            let _permit = permit;
            panic!("a bug while serving a client");
        })
        .join();
        assert!(result.is_err());
        assert!(slots.wait_until_all_released(Instant::now() + Duration::from_secs(20)));
        assert!(slots.try_acquire().is_some());
    }

    #[test]
    fn waiting_ends_at_the_deadline_while_a_permit_is_held() {
        let slots = Slots::new(1);
        let _held = slots.try_acquire().expect("a slot");
        assert!(!slots.wait_until_all_released(Instant::now() + Duration::from_millis(10)));
    }
}
