//! One helper for the threads that share state.

use std::sync::{Mutex, MutexGuard};

/// Locks a mutex, carrying on if another thread panicked while holding it.
///
/// Std "poisons" a mutex whose holder panicked, in case the data was left
/// half-changed. Every change this program makes under a lock is complete in
/// one step, so the data is still consistent, and one client's bug must not
/// take the whole server down with it.
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    match mutex.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}
