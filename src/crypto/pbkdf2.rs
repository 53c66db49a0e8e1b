//! PBKDF2-HMAC-SHA-256 (RFC 8018 section 5.2): making a password slow to
//! guess.
//!
//! # Why slow on purpose
//!
//! A server that keeps anything derived from passwords must assume that file
//! will leak one day (a backup, a stolen disk). The thief then guesses
//! passwords offline, as fast as their hardware allows: a plain SHA-256 runs
//! billions of times a second on a graphics card, and most passwords people
//! choose fall to a list of a few billion candidates. PBKDF2 runs HMAC
//! `iterations` times in a chain, each step needing the last, so every guess
//! costs that many HMACs. At 600,000 iterations (what OWASP recommends for
//! PBKDF2-HMAC-SHA-256 today) a login costs a fraction of a second once,
//! while a thief's billion guesses cost 600,000 times more than they would.
//!
//! The **salt**, random and different for every account, makes the same
//! password give a different result in every account, so a thief must attack
//! each account separately and cannot use a table computed in advance.
//!
//! # The algorithm
//!
//! The output is made of 32-byte blocks T1, T2, ...; block i is
//!
//! ```text
//! U1 = HMAC(P, S ‖ INT(i))          INT(i): i as 4 bytes, big-endian
//! Uj = HMAC(P, Uj-1)                for j = 2 .. c
//! Ti = U1 ⊕ U2 ⊕ ... ⊕ Uc
//! ```
//!
//! where P is the password (the HMAC key), S the salt and c the iteration
//! count. Every HMAC here has the same key, so the key's two pad blocks are
//! hashed once per derivation ([`Hmac::new`]) and the keyed state is cloned
//! for each of the c steps: each step then costs two compressions of SHA-256
//! instead of four. A test counts them.

use super::hmac::Hmac;
use super::sha256::DIGEST_LEN;
use std::num::NonZeroU32;

/// Fills `out` with the key PBKDF2-HMAC-SHA-256 derives from `password` and
/// `salt` with `iterations` rounds. Any output length works; SCRAM uses 32
/// bytes ([`derive`](fn@derive)).
///
/// The iteration count is a `NonZeroU32` because RFC 8018 defines no
/// derivation with zero rounds; the type makes the caller decide what a zero
/// means before it gets here.
///
/// # Panics
///
/// If `out` is longer than 2^32 - 1 blocks of 32 bytes (128 GiB), the limit
/// of RFC 8018 section 5.2 step 1. Output lengths are chosen by code, never
/// by a peer.
pub fn derive_into(password: &[u8], salt: &[u8], iterations: NonZeroU32, out: &mut [u8]) {
    assert!(
        out.len().div_ceil(DIGEST_LEN) <= u32::MAX as usize,
        "PBKDF2 output too long"
    );
    let keyed = Hmac::new(password);
    for (block, index) in out.chunks_mut(DIGEST_LEN).zip(1u32..) {
        let mut mac = keyed.clone();
        mac.update(salt);
        mac.update(&index.to_be_bytes());
        let mut u = mac.finish();
        let mut t = u;
        for _ in 1..iterations.get() {
            let mut mac = keyed.clone();
            mac.update(&u);
            u = mac.finish();
            for (t, u) in t.iter_mut().zip(&u) {
                *t ^= u;
            }
        }
        // The last block may be shorter than 32 bytes: keep its start.
        block.copy_from_slice(&t[..block.len()]);
    }
}

/// The 32-byte key PBKDF2-HMAC-SHA-256 derives: SCRAM's `SaltedPassword`.
pub fn derive(password: &[u8], salt: &[u8], iterations: NonZeroU32) -> [u8; DIGEST_LEN] {
    let mut out = [0u8; DIGEST_LEN];
    derive_into(password, salt, iterations, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::hmac::hmac;
    use crate::crypto::sha256::{compressions, to_hex};

    fn rounds(n: u32) -> NonZeroU32 {
        NonZeroU32::new(n).expect("a test uses a positive count")
    }

    fn derive_hex(password: &[u8], salt: &[u8], iterations: u32, len: usize) -> String {
        let mut out = vec![0u8; len];
        derive_into(password, salt, rounds(iterations), &mut out);
        out.iter().map(|byte| format!("{byte:02x}")).collect()
    }

    // RFC 7914 section 11 lists PBKDF2-HMAC-SHA-256 vectors (scrypt uses
    // PBKDF2 inside). Both have a 64-byte output, two blocks, so the block
    // index is checked too.

    #[test]
    fn rfc7914_passwd_salt_one_iteration() {
        assert_eq!(
            derive_hex(b"passwd", b"salt", 1, 64),
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc\
             49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783"
        );
    }

    #[test]
    fn rfc7914_password_nacl_80000_iterations() {
        assert_eq!(
            derive_hex(b"Password", b"NaCl", 80_000, 64),
            "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56\
             a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d"
        );
    }

    #[test]
    fn a_shorter_output_is_a_prefix_of_a_longer_one() {
        let long = derive_hex(b"pw", b"salt", 3, 70);
        for len in [1, 31, 32, 33, 64, 65] {
            assert_eq!(derive_hex(b"pw", b"salt", 3, len), long[..2 * len]);
        }
        assert_eq!(
            to_hex(&derive(b"pw", b"salt", rounds(3))),
            long[..64],
            "derive is the first 32 bytes"
        );
    }

    #[test]
    fn two_iterations_follow_the_formula() {
        // T1 = U1 ⊕ U2, written out with the one-call HMAC.
        let u1 = hmac(b"pw", b"salt\x00\x00\x00\x01");
        let u2 = hmac(b"pw", &u1);
        let expected: Vec<u8> = u1.iter().zip(&u2).map(|(a, b)| a ^ b).collect();
        assert_eq!(derive(b"pw", b"salt", rounds(2)).to_vec(), expected);
    }

    #[test]
    fn the_pads_are_hashed_once_per_derivation_not_per_iteration() {
        // A short password and salt: the pads are one compression each, and
        // every HMAC of a short message is one inner and one outer
        // compression. So 1,000 iterations cost 2 + 2 × 1,000 compressions;
        // keying HMAC afresh in each iteration would cost 4 × 1,000.
        let before = compressions::so_far();
        derive(b"pencil", b"salt", rounds(1_000));
        assert_eq!(compressions::so_far() - before, 2 + 2 * 1_000);
    }
}
