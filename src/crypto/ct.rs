//! Comparing secrets in constant time.
//!
//! # Why `==` leaks
//!
//! `a == b` on two byte slices stops at the first byte that differs: that is
//! what makes it fast, and it is also a leak. Comparing a guess whose first
//! byte is wrong takes a little less time than comparing one whose first ten
//! bytes are right. Someone who can send guesses and time the answers (over a
//! network, averaged over many tries, such differences of nanoseconds have
//! been measured) learns how long a prefix they got right, and can then guess
//! a 32-byte secret one byte at a time: at most 256 tries per byte, 8,192 in
//! all, instead of 256^32 for the whole.
//!
//! [`eq`] below looks at every byte whatever it finds, and only decides at the
//! end, so its time depends on the length of the inputs and nothing else.
//!
//! In SCRAM the server compares a hash of what the client proved with the
//! `StoredKey` it keeps, and the client compares the server's signature with
//! the one it expects (see [`scram`](super::scram)). Both compare a value
//! derived from something a peer sent with a secret, which is exactly the
//! case this guards.

use std::hint::black_box;

/// Whether `a` and `b` hold the same bytes, taking the same time wherever
/// they differ.
///
/// Slices of different lengths are unequal at once: the length of a digest
/// or a signature is public (SHA-256 is always 32 bytes), so returning early
/// on it reveals nothing.
///
/// ```
/// use socket_chat::crypto::ct;
///
/// assert!(ct::eq(b"same", b"same"));
/// assert!(!ct::eq(b"same", b"sane"));
/// assert!(!ct::eq(b"same", b"sam"));
/// ```
pub fn eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    // OR together the XOR of every pair: a bit of `difference` is set iff
    // some pair differs in that bit. There is no branch on the data inside
    // the loop, so every byte costs the same.
    let mut difference = 0u8;
    for (x, y) in a.iter().zip(b) {
        // `black_box` keeps the optimiser from noticing that it could stop
        // as soon as `difference` is 0xFF (it is allowed to, since the result
        // would be the same). It is a best effort: Rust promises nothing about
        // timing, which is one reason real systems use audited libraries.
        difference = black_box(difference | (x ^ y));
    }
    difference == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_slices_are_equal() {
        assert!(eq(b"", b""));
        assert!(eq(&[0xAB; 32], &[0xAB; 32]));
    }

    #[test]
    fn a_difference_anywhere_is_found() {
        let secret = [0x5Au8; 32];
        for position in 0..secret.len() {
            for bit in 0..8 {
                let mut guess = secret;
                guess[position] ^= 1 << bit;
                assert!(!eq(&secret, &guess), "byte {position}, bit {bit}");
            }
        }
    }

    #[test]
    fn different_lengths_are_unequal() {
        assert!(!eq(b"abc", b"abcd"));
        assert!(!eq(b"", b"a"));
        // A prefix is not equal either.
        assert!(!eq(&[0; 32], &[0; 31]));
    }
}
