//! Unpredictable bytes from the operating system, for nonces, salts and the
//! server's secret.
//!
//! # Why not a clock, a counter, or `rand`
//!
//! A SCRAM nonce must be something an attacker cannot predict: if they can
//! guess the server's next nonce, they can record a login now and replay it
//! later. A salt should differ between accounts and between servers. The
//! time of day is guessable to within a few milliseconds, a counter exactly,
//! and an ordinary pseudo-random generator (a seeded xorshift, say) reveals
//! its whole future after a few outputs. What is needed is a
//! *cryptographically secure* generator, whose outputs reveal nothing about
//! the next ones. The operating system keeps one, fed by hardware events and
//! (on most CPUs) a hardware random source; reading it is the standard
//! answer. The `rand` crate is only a dev-dependency here, and the project
//! has no runtime dependencies, so we read the OS ourselves.
//!
//! # Where the bytes come from
//!
//! - **Unix** (Linux, macOS, the BSDs): the file `/dev/urandom`. It never
//!   blocks and, once the kernel has gathered its initial entropy (early in
//!   boot, long before anyone starts a chat server), its output is as good as
//!   any the system offers; on current Linux `/dev/random` gives the same
//!   bytes. The file is opened once and kept open, so a server that has run
//!   out of file descriptors (chapter 6) can still make nonces.
//! - **Elsewhere** (Windows above all): reading the system generator needs a
//!   call into a system library (`ProcessPrng` or `BCryptGenRandom`), that
//!   is, `unsafe` foreign code, which this crate forbids. The fallback is
//!   `from_std_hasher`, and the argument for it is below; it is weaker in
//!   what it rests on, not in what it gives today.
//!
//! # The fallback, argued
//!
//! The standard library's [`RandomState`] keys `HashMap`'s SipHash with
//! random keys, so that attackers cannot pick keys that collide. Today std
//! takes those keys from the operating system's generator (on Windows,
//! `ProcessPrng`): 128 bits per thread, drawn once, after which each new
//! `RandomState` on that thread adds one to the first key. SipHash was
//! designed as a *pseudo-random function*: without the key, its outputs
//! cannot be told from random or predicted, even knowing the inputs. So we
//! hash a counter with a fresh `RandomState` and take the 64-bit outputs.
//!
//! What this rests on, honestly: (1) std *documents* only that the keys are
//! random, not where they come from, and that the hash algorithm is
//! unspecified: both hold today and could change; (2) std uses SipHash-1-3,
//! a faster variant with fewer rounds than the conservative SipHash-2-4,
//! with no known attack, but less margin; (3) everything is worth at most
//! the 128 bits of one thread's keys. For a chat server's nonces and salts
//! that is enough; a program that must not rely on std's internals would
//! call the system generator through a maintained crate such as `getrandom`.
//! The counter is only the input the secret key is applied to: never a
//! counter alone, never a clock.
//!
//! [`RandomState`]: std::hash::RandomState

use std::io;

/// Fills `buf` with bytes from the operating system's random source.
///
/// An error means the source could not be read (on Unix, `/dev/urandom`
/// could not be opened or read); the caller must then fail whatever needed
/// the bytes, never carry on with a buffer that was not filled.
///
/// ```
/// let mut nonce = [0u8; 18];
/// socket_chat::crypto::random::fill(&mut nonce)?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn fill(buf: &mut [u8]) -> io::Result<()> {
    #[cfg(unix)]
    {
        from_urandom(buf)
    }
    #[cfg(not(unix))]
    {
        from_std_hasher(buf);
        Ok(())
    }
}

/// Reads `buf.len()` bytes from `/dev/urandom`, opened once per process.
#[cfg(unix)]
fn from_urandom(buf: &mut [u8]) -> io::Result<()> {
    use std::fs::File;
    use std::io::Read;
    use std::sync::OnceLock;

    static URANDOM: OnceLock<File> = OnceLock::new();
    let file = match URANDOM.get() {
        Some(file) => file,
        None => {
            // Two threads may both get here; one file is kept and the other
            // closed, which is harmless.
            let opened = File::open("/dev/urandom")?;
            URANDOM.get_or_init(|| opened)
        }
    };
    // `&File` implements `Read`, so threads share the one descriptor.
    // `read_exact` retries short reads and interrupted calls.
    (&*file).read_exact(buf)
}

/// The fallback where no OS source can be read without `unsafe`: SipHash,
/// keyed by std from the operating system's generator, applied to a counter
/// (see the module documentation for why that is acceptable). Compiled on
/// Unix too, so its tests run everywhere.
#[cfg(any(not(unix), test))]
fn from_std_hasher(buf: &mut [u8]) {
    use std::hash::{BuildHasher, Hasher, RandomState};
    use std::sync::atomic::{AtomicU64, Ordering};

    // Which call this is, in the whole process, so no two calls hash the same
    // input even if two threads ended up with the same keys.
    static CALLS: AtomicU64 = AtomicU64::new(0);
    let call = CALLS.fetch_add(1, Ordering::Relaxed);

    let keys = RandomState::new();
    for (index, chunk) in buf.chunks_mut(8).enumerate() {
        let mut hasher = keys.build_hasher();
        hasher.write_u64(call);
        hasher.write_u64(index as u64);
        let output = hasher.finish().to_le_bytes();
        chunk.copy_from_slice(&output[..chunk.len()]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    // Randomness cannot be proven by a test. What can be checked: every byte
    // is written (no zeros left from the buffer), calls differ, and the bytes
    // are not visibly skewed.

    /// Checks that 200 fills of 32 bytes by `source` are all different, and
    /// that every byte value turns up.
    fn check_source(source: impl Fn(&mut [u8])) {
        let mut seen = HashSet::new();
        let mut values = [0usize; 256];
        for _ in 0..200 {
            let mut buf = [0u8; 32];
            source(&mut buf);
            for byte in buf {
                values[usize::from(byte)] += 1;
            }
            assert!(seen.insert(buf), "the same 32 bytes twice");
        }
        // 6,400 bytes: each value is expected 25 times; missing one entirely
        // has a probability around 256 × e^-25, about 10^-9.
        assert!(values.iter().all(|&n| n > 0), "a byte value never occurred");
    }

    #[test]
    fn fill_gives_different_bytes_each_time() {
        check_source(|buf| fill(buf).expect("the OS source is readable"));
    }

    #[test]
    fn the_fallback_gives_different_bytes_each_time() {
        check_source(from_std_hasher);
    }

    #[test]
    fn every_length_is_filled_to_the_end() {
        // Lengths that are not a multiple of the fallback's 8-byte outputs.
        for len in [0, 1, 7, 8, 9, 31, 33, 100] {
            for source in [from_std_hasher as fn(&mut [u8]), |buf: &mut [u8]| {
                fill(buf).expect("the OS source is readable")
            }] {
                // The last byte is nonzero with probability 255/256 per try:
                // ten tries all leaving it zero would mean it is not written.
                if len > 0 {
                    let written = (0..10).any(|_| {
                        let mut buf = vec![0u8; len];
                        source(&mut buf);
                        buf[len - 1] != 0
                    });
                    assert!(written, "length {len}: the last byte stays zero");
                } else {
                    source(&mut []);
                }
            }
        }
    }
}
