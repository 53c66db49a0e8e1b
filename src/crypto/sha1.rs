//! SHA-1 (FIPS 180-4): the hash the WebSocket handshake is built on.
//!
//! A browser that wants a WebSocket sends a random `Sec-WebSocket-Key`; the
//! server must answer with `base64(SHA-1(key + a fixed GUID))`
//! (`src/transport/websocket.rs`, [`accept_key`]). That is the only use of
//! SHA-1 in this project, and it is not a security feature: the answer proves
//! to the browser that the server really speaks WebSocket (a plain HTTP server
//! or a confused proxy could never compute it), nothing more.
//!
//! SHA-1 is **broken** for the jobs a hash is usually trusted with. Two
//! different files with the same SHA-1 digest were published in 2017
//! ("SHAttered"), so it must not protect anything an attacker could forge:
//! file checksums and logins here use SHA-256 ([`super::sha256`]). The
//! handshake needs no collision resistance (the key is the browser's own
//! random nonce), which is why RFC 6455 could keep SHA-1.
//!
//! # How SHA-1 works
//!
//! It has the same shape as SHA-256 (see [`super::sha256`]): the message is
//! padded to a multiple of 64 bytes (FIPS 180-4 section 5.1.1: a 1 bit,
//! zero bits, the length in bits as a 64-bit number), and each 64-byte block
//! is stirred into a state of five 32-bit words by a compression function
//! (section 6.1.2): 16 words stretched into 80, then 80 rounds in four
//! groups of 20, each group with its own mixing function and constant.
//!
//! [`accept_key`]: crate::transport::websocket::accept_key

/// The initial hash value H(0) (FIPS 180-4 section 5.3.1).
const INITIAL_STATE: [u32; 5] = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0];

/// The round constants (section 4.2.1), one per group of 20 rounds:
/// 2^30 times the square roots of 2, 3, 5 and 10, rounded down.
const K: [u32; 4] = [0x5A827999, 0x6ED9EBA1, 0x8F1BBCDC, 0xCA62C1D6];

/// SHA-1 works on blocks of 512 bits.
const BLOCK_LEN: usize = 64;

/// Bytes in a digest: 160 bits.
pub const DIGEST_LEN: usize = 20;

/// The digest of `data` in one call.
///
/// ```
/// use socket_chat::crypto::sha1::sha1;
///
/// let digest = sha1(b"abc");
/// assert_eq!(digest[..4], [0xa9, 0x99, 0x3e, 0x36]);
/// ```
pub fn sha1(data: &[u8]) -> [u8; DIGEST_LEN] {
    let mut hasher = Sha1::new();
    hasher.update(data);
    hasher.finish()
}

/// A SHA-1 computation in progress, for input that arrives in pieces. The
/// digest does not depend on how the input is split across [`Sha1::update`].
#[derive(Debug, Clone)]
pub struct Sha1 {
    state: [u32; 5],
    /// The start of a block `update` could not complete yet.
    buffer: [u8; BLOCK_LEN],
    /// Bytes of `buffer` in use (always below `BLOCK_LEN`).
    buffered: usize,
    /// Bytes fed in so far; the padding ends with it (in bits).
    length: u64,
}

impl Default for Sha1 {
    fn default() -> Self {
        Self::new()
    }
}

impl Sha1 {
    pub fn new() -> Self {
        Sha1 {
            state: INITIAL_STATE,
            buffer: [0; BLOCK_LEN],
            buffered: 0,
            length: 0,
        }
    }

    /// Feeds more input.
    pub fn update(&mut self, mut data: &[u8]) {
        self.length = self.length.wrapping_add(data.len() as u64);
        // Finish a block started by an earlier call first.
        if self.buffered > 0 {
            let take = (BLOCK_LEN - self.buffered).min(data.len());
            self.buffer[self.buffered..self.buffered + take].copy_from_slice(&data[..take]);
            self.buffered += take;
            data = &data[take..];
            if self.buffered < BLOCK_LEN {
                return;
            }
            let block = self.buffer;
            compress(&mut self.state, &block);
            self.buffered = 0;
        }
        let mut blocks = data.chunks_exact(BLOCK_LEN);
        for block in &mut blocks {
            compress(&mut self.state, block);
        }
        let rest = blocks.remainder();
        self.buffer[..rest.len()].copy_from_slice(rest);
        self.buffered = rest.len();
    }

    /// Pads the input (FIPS 180-4 section 5.1.1) and returns the digest.
    pub fn finish(mut self) -> [u8; DIGEST_LEN] {
        let bit_length = self.length.wrapping_mul(8);
        // A single 1 bit, then zeros until 8 bytes short of a block end...
        let mut padding = [0u8; BLOCK_LEN + 8];
        padding[0] = 0x80;
        let zeros = (BLOCK_LEN + BLOCK_LEN - 8 - 1 - self.buffered) % BLOCK_LEN;
        let padded = 1 + zeros;
        // ...then the length in bits, big-endian.
        padding[padded..padded + 8].copy_from_slice(&bit_length.to_be_bytes());
        self.update(&padding[..padded + 8]);
        debug_assert_eq!(self.buffered, 0);

        let mut digest = [0u8; DIGEST_LEN];
        for (out, word) in digest.chunks_exact_mut(4).zip(self.state) {
            out.copy_from_slice(&word.to_be_bytes());
        }
        digest
    }
}

/// The compression function (FIPS 180-4 section 6.1.2): mixes one 64-byte
/// block into the state.
fn compress(state: &mut [u32; 5], block: &[u8]) {
    // The message schedule: the block's 16 big-endian words, stretched to
    // 80 by XOR-ing earlier words and rotating by one bit.
    let mut w = [0u32; 80];
    for (word, bytes) in w.iter_mut().zip(block.chunks_exact(4)) {
        *word = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    }
    for t in 16..80 {
        w[t] = (w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16]).rotate_left(1);
    }

    let [mut a, mut b, mut c, mut d, mut e] = *state;
    for (t, &word) in w.iter().enumerate() {
        // The four mixing functions of section 4.1.1: "choose" (b picks
        // bits from c or d), "parity" (XOR), "majority", and parity again.
        let (f, k) = match t / 20 {
            0 => ((b & c) | (!b & d), K[0]),
            1 => (b ^ c ^ d, K[1]),
            2 => ((b & c) | (b & d) | (c & d), K[2]),
            _ => (b ^ c ^ d, K[3]),
        };
        let temp = a
            .rotate_left(5)
            .wrapping_add(f)
            .wrapping_add(e)
            .wrapping_add(k)
            .wrapping_add(word);
        e = d;
        d = c;
        c = b.rotate_left(30);
        b = a;
        a = temp;
    }
    for (h, v) in state.iter_mut().zip([a, b, c, d, e]) {
        *h = h.wrapping_add(v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(digest: &[u8]) -> String {
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }

    // The vectors published with the standard (NIST's "Cryptographic
    // Algorithm Validation Program" examples for SHA-1).

    #[test]
    fn empty_message() {
        assert_eq!(hex(&sha1(b"")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    }

    #[test]
    fn abc() {
        assert_eq!(
            hex(&sha1(b"abc")),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
    }

    #[test]
    fn the_448_bit_message() {
        // 56 bytes: the padding no longer fits in the first block, so this
        // needs a second one that holds only padding and the length.
        let message = b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
        assert_eq!(message.len() * 8, 448);
        assert_eq!(
            hex(&sha1(message)),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1"
        );
    }

    #[test]
    fn the_896_bit_message() {
        let message = b"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn\
                        hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
        assert_eq!(message.len() * 8, 896);
        assert_eq!(
            hex(&sha1(message)),
            "a49b2446a02c645bf419f995b67091253a04a259"
        );
    }

    #[test]
    fn a_million_a() {
        let mut hasher = Sha1::new();
        // Fed in uneven pieces, so block boundaries fall inside `update`.
        let piece = [b'a'; 999];
        let mut left = 1_000_000;
        while left > 0 {
            let n = left.min(piece.len());
            hasher.update(&piece[..n]);
            left -= n;
        }
        assert_eq!(
            hex(&hasher.finish()),
            "34aa973cd4c4daa4f61eeb2bdbad27316534016f"
        );
    }

    #[test]
    fn any_split_gives_the_same_digest() {
        let data: Vec<u8> = (0..300u32).map(|i| (i * 7 + 3) as u8).collect();
        for len in [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 300] {
            let whole = sha1(&data[..len]);
            for split in 0..=len {
                let mut hasher = Sha1::new();
                hasher.update(&data[..split]);
                hasher.update(&data[split..len]);
                assert_eq!(hasher.finish(), whole, "len {len}, split at {split}");
            }
        }
    }
}
