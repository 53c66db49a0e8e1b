//! HMAC-SHA-256 (RFC 2104): a hash that needs a key.
//!
//! Anyone can compute SHA-256 of a message, so a digest proves nothing about
//! who made it. HMAC mixes a secret key into the hash, so only someone who
//! knows the key can compute (or check) the result for a given message. SCRAM
//! uses HMAC both ways: to turn the salted password into keys ("Client Key",
//! "Server Key"), and to sign the conversation so each side can prove it
//! knows a key without sending it.
//!
//! # The construction
//!
//! RFC 2104 section 2, with H = SHA-256 and B = 64 bytes, its block size:
//!
//! ```text
//! HMAC(K, m) = H((K' ⊕ opad) ‖ H((K' ⊕ ipad) ‖ m))
//! ```
//!
//! - K' is the key padded with zero bytes to B bytes; a key longer than B is
//!   first replaced by its own hash (32 bytes), then padded.
//! - ipad is the byte 0x36 repeated B times, opad the byte 0x5C repeated.
//!
//! Why two hashes and not simply H(K ‖ m)? With SHA-256 anyone who knows
//! H(K ‖ m) can compute H(K ‖ m ‖ padding ‖ more) without knowing K: the
//! digest *is* the hash's internal state, so the attacker just keeps going
//! (a "length extension"). The outer hash, under a second key, seals the
//! inner one so that its state is never revealed.
//!
//! # Hashing the pads once
//!
//! K' ⊕ ipad and K' ⊕ opad are exactly one block each, so each is one
//! compression of SHA-256 that depends only on the key. [`Hmac::new`] does
//! those two compressions and keeps the two half-finished hash states;
//! [`Clone`] copies them, so computing many HMACs under one key (PBKDF2
//! computes hundreds of thousands) costs the pads only once.

use super::sha256::{self, BLOCK_LEN, DIGEST_LEN, Sha256};

/// The byte the key is XORed with for the inner hash (RFC 2104 section 2).
const IPAD: u8 = 0x36;
/// The byte the key is XORed with for the outer hash.
const OPAD: u8 = 0x5C;

/// An HMAC-SHA-256 computation in progress, its key already mixed in.
///
/// ```
/// use socket_chat::crypto::hmac::{hmac, Hmac};
///
/// let keyed = Hmac::new(b"key");
/// let mut mac = keyed.clone(); // reuse `keyed` for the next message
/// mac.update(b"The quick brown fox ");
/// mac.update(b"jumps over the lazy dog");
/// assert_eq!(mac.finish(), hmac(b"key", b"The quick brown fox jumps over the lazy dog"));
/// ```
#[derive(Debug, Clone)]
pub struct Hmac {
    /// SHA-256 that has absorbed K' ⊕ ipad; the message goes in next.
    inner: Sha256,
    /// SHA-256 that has absorbed K' ⊕ opad; the inner digest goes in last.
    outer: Sha256,
}

impl Hmac {
    /// Mixes `key` into the two hash states. A key of any length works; one
    /// longer than 64 bytes is hashed first, as the RFC says.
    pub fn new(key: &[u8]) -> Hmac {
        // K': the key, or its hash if it is too long, padded with zeros.
        let mut padded = [0u8; BLOCK_LEN];
        if key.len() > BLOCK_LEN {
            padded[..DIGEST_LEN].copy_from_slice(&sha256::digest(key));
        } else {
            padded[..key.len()].copy_from_slice(key);
        }

        let mut inner = Sha256::new();
        inner.update(&padded.map(|byte| byte ^ IPAD));
        let mut outer = Sha256::new();
        outer.update(&padded.map(|byte| byte ^ OPAD));
        Hmac { inner, outer }
    }

    /// Feeds more of the message in.
    pub fn update(&mut self, data: &[u8]) {
        self.inner.update(data);
    }

    /// The HMAC of everything fed in.
    pub fn finish(self) -> [u8; DIGEST_LEN] {
        let Hmac { inner, mut outer } = self;
        outer.update(&inner.finish());
        outer.finish()
    }
}

/// HMAC-SHA-256 of `message` under `key`, in one call.
pub fn hmac(key: &[u8], message: &[u8]) -> [u8; DIGEST_LEN] {
    let mut mac = Hmac::new(key);
    mac.update(message);
    mac.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::sha256::to_hex;

    // The test cases of RFC 4231 section 4, for HMAC-SHA-256. Cases 6 and 7
    // use a 131-byte key, longer than a block, so the key is hashed first.

    /// Checks one test case in one call and streamed a byte at a time.
    fn check(key: &[u8], data: &[u8], expected_hex: &str) {
        assert_eq!(to_hex(&hmac(key, data)), expected_hex);
        let mut mac = Hmac::new(key);
        for byte in data {
            mac.update(&[*byte]);
        }
        assert_eq!(to_hex(&mac.finish()), expected_hex);
    }

    #[test]
    fn rfc4231_case_1() {
        check(
            &[0x0b; 20],
            b"Hi There",
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
        );
    }

    #[test]
    fn rfc4231_case_2_key_shorter_than_the_output() {
        check(
            b"Jefe",
            b"what do ya want for nothing?",
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
        );
    }

    #[test]
    fn rfc4231_case_3() {
        check(
            &[0xaa; 20],
            &[0xdd; 50],
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
        );
    }

    #[test]
    fn rfc4231_case_4() {
        let key: Vec<u8> = (0x01..=0x19).collect();
        check(
            &key,
            &[0xcd; 50],
            "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
        );
    }

    #[test]
    fn rfc4231_case_5_truncated_to_128_bits() {
        // The RFC gives only the first 128 bits: some protocols send a
        // truncated HMAC, and this checks that its prefix is right.
        let mac = hmac(&[0x0c; 20], b"Test With Truncation");
        assert_eq!(to_hex(&mac)[..32], *"a3b6167473100ee06e0c796c2955552b");
    }

    #[test]
    fn rfc4231_case_6_key_longer_than_a_block() {
        check(
            &[0xaa; 131],
            b"Test Using Larger Than Block-Size Key - Hash Key First",
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
        );
    }

    #[test]
    fn rfc4231_case_7_key_and_data_longer_than_a_block() {
        check(
            &[0xaa; 131],
            b"This is a test using a larger than block-size key and a larger t\
              han block-size data. The key needs to be hashed before being use\
              d by the HMAC algorithm.",
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
        );
    }

    #[test]
    fn a_key_of_exactly_one_block_is_not_hashed() {
        // 64 bytes is used as it is, 65 bytes is hashed: the boundary of the
        // rule, checked against the formula written out by hand.
        for len in [63, 64, 65] {
            let key = vec![0x42u8; len];
            let mut padded = [0u8; BLOCK_LEN];
            if len > BLOCK_LEN {
                padded[..DIGEST_LEN].copy_from_slice(&sha256::digest(&key));
            } else {
                padded[..len].copy_from_slice(&key);
            }
            let mut inner = padded.map(|b| b ^ IPAD).to_vec();
            inner.extend_from_slice(b"message");
            let mut outer = padded.map(|b| b ^ OPAD).to_vec();
            outer.extend_from_slice(&sha256::digest(&inner));
            assert_eq!(hmac(&key, b"message"), sha256::digest(&outer), "{len}");
        }
    }

    #[test]
    fn a_keyed_clone_gives_the_same_result_as_a_fresh_key() {
        let keyed = Hmac::new(b"secret");
        for message in [&b""[..], b"one", b"two"] {
            let mut mac = keyed.clone();
            mac.update(message);
            assert_eq!(mac.finish(), hmac(b"secret", message));
        }
    }
}
