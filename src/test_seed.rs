//! Seeds for the randomized unit tests, in one place.
//!
//! Every randomized test in the project starts from a fixed seed, so that a
//! run tests the same cases every time and a failure can be repeated. The
//! seed is printed (the test harness shows a failing test's output), and
//! `SOCKET_CHAT_SEED=<number>` replaces it: to replay a failure from
//! somewhere else, or to explore new cases. The integration tests follow
//! the same rule (`tests/common/mod.rs`).

/// The seed for `test`: `SOCKET_CHAT_SEED` if set, else `default`.
pub fn seed(test: &str, default: u64) -> u64 {
    let seed = std::env::var("SOCKET_CHAT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default);
    println!("{test}: seed {seed} (replay with SOCKET_CHAT_SEED={seed})");
    seed
}
