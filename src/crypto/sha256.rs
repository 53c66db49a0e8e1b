//! SHA-256 (FIPS 180-4): the checksum a receiver compares before keeping a file.
//!
//! A file crosses the network as many `FILE_DATA` chunks, and the closing
//! `FILE_COMPLETE` message carries the SHA-256 digest of the whole file as 64
//! hex digits. The receiver hashes the bytes as it writes them and compares
//! at the end. If a chunk was lost, repeated, reordered or damaged on the way
//! (a bug in a relay, a connection cut in the middle, a full disk), the two
//! digests differ and the receiver deletes the file instead of keeping a
//! broken copy.
//!
//! What the checksum does **not** do is stop an attacker. The digest travels
//! in the same stream as the file, with no secret key, so anyone who can
//! change the file on the way can compute and send the matching digest too.
//! It catches accidents (corruption and truncation); proving who sent a file
//! would need a key that only sender and receiver share (a keyed MAC such as
//! [`hmac`](super::hmac), which logins use) or a signature, and hiding it
//! would need encryption such as TLS, both beyond this project's file
//! transfer.
//!
//! # How SHA-256 works
//!
//! The state is eight 32-bit words, starting from fixed values (FIPS 180-4
//! section 5.3.3). The message is padded (section 5.1.1) to a multiple of 64
//! bytes: a single 1 bit, zero bits, and the message length in bits as a
//! 64-bit number. Then each 64-byte block is mixed into the state by the
//! *compression function* (section 6.2.2): the block's 16 words are stretched
//! into 64 (the message schedule), 64 rounds stir them into a copy of the
//! state, and the copy is added back onto the state. The digest is the final
//! state, written out big-endian.
//!
//! # Streaming
//!
//! [`Sha256`] holds only the state, one partial block and a byte count, so a
//! 1 GiB file is hashed in constant memory as it arrives. However the input
//! is split across calls to [`Sha256::update`], the digest is the same as
//! hashing it in one piece with [`digest`].
//!
//! A computation in progress can also be cloned and continued in two
//! directions. HMAC relies on that: it hashes a block made from its key once,
//! then clones that state for every message (see [`hmac`](super::hmac)), and
//! PBKDF2 does it hundreds of thousands of times per login.
//!
//! # Two implementations of one function
//!
//! Three processes hash every byte of a transfer (sender, server, receiver),
//! so speed matters. The portable compression function below runs on any
//! CPU. Most x86_64 CPUs made since about 2017 (AMD Zen, Intel Goldmont and
//! Ice Lake onwards) also have the *SHA extensions*, instructions that do two
//! rounds at a time and make hashing several times faster. The choice is made
//! once, at run time, by asking the CPU what it supports; both paths compute
//! the same digest, and the tests check them against each other.

use std::sync::OnceLock;

/// The round constants K (FIPS 180-4 section 4.2.2): the first 32 bits of the
/// fractional parts of the cube roots of the first 64 prime numbers (2, 3,
/// 5, ..., 311). Numbers anyone can recompute show that nobody chose them to
/// hide a weakness ("nothing up my sleeve").
const K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

/// The initial hash value H(0) (FIPS 180-4 section 5.3.3): the first 32 bits
/// of the fractional parts of the square roots of the first 8 primes.
const INITIAL_STATE: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// SHA-256 works on blocks of 512 bits. HMAC pads its key to this length.
pub const BLOCK_LEN: usize = 64;

/// A digest is 256 bits.
pub const DIGEST_LEN: usize = 32;

/// A SHA-256 computation in progress: feed it bytes with [`update`], then
/// take the digest with [`finish`].
///
/// ```
/// use socket_chat::crypto::sha256::{to_hex, Sha256};
///
/// let mut hasher = Sha256::new();
/// hasher.update(b"a");
/// hasher.update(b"bc");
/// assert_eq!(
///     to_hex(&hasher.finish()),
///     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
/// );
/// ```
///
/// [`update`]: Sha256::update
/// [`finish`]: Sha256::finish
#[derive(Debug, Clone)]
pub struct Sha256 {
    /// The eight working words H0..H7 after every complete block so far.
    state: [u32; 8],
    /// The start of a block that `update` has not been able to complete yet.
    buffer: [u8; BLOCK_LEN],
    /// How many bytes of `buffer` are in use (always below `BLOCK_LEN`).
    buffered: usize,
    /// How many bytes have been fed in so far; the padding ends with it.
    length: u64,
    /// Which compression function to run.
    backend: Backend,
}

impl Default for Sha256 {
    fn default() -> Self {
        Self::new()
    }
}

impl Sha256 {
    /// Starts a new computation, using the fastest implementation this CPU
    /// supports.
    pub fn new() -> Self {
        Self::with_backend(Backend::fastest())
    }

    /// Starts a new computation that always uses the portable compression
    /// function, whatever the CPU supports. Tests use it to check the portable
    /// code on machines that would otherwise never run it, and the `codec`
    /// benchmark to time it. Not part of the supported API.
    #[doc(hidden)]
    pub fn new_portable() -> Self {
        Self::with_backend(Backend::Portable)
    }

    fn with_backend(backend: Backend) -> Self {
        Sha256 {
            state: INITIAL_STATE,
            buffer: [0; BLOCK_LEN],
            buffered: 0,
            length: 0,
            backend,
        }
    }

    /// Feeds more of the message in.
    pub fn update(&mut self, mut data: &[u8]) {
        // The length is counted modulo 2^64 (a `usize` always fits in a
        // `u64`). FIPS 180-4 only defines messages shorter than 2^64 bits.
        self.length = self.length.wrapping_add(data.len() as u64);

        // First top up a partial block left over from the last call.
        if self.buffered > 0 {
            let take = data.len().min(BLOCK_LEN - self.buffered);
            let (head, rest) = data.split_at(take);
            self.buffer[self.buffered..self.buffered + take].copy_from_slice(head);
            self.buffered += take;
            data = rest;
            if self.buffered < BLOCK_LEN {
                return; // still not a whole block: all the input is buffered
            }
            self.backend.compress(&mut self.state, &[self.buffer]);
            self.buffered = 0;
        }

        // Then hash whole blocks straight from the caller's slice, all in one
        // call so the fast path can keep the state in registers between them,
        // and keep the rest for next time.
        let (blocks, rest) = data.as_chunks::<BLOCK_LEN>();
        self.backend.compress(&mut self.state, blocks);
        self.buffer[..rest.len()].copy_from_slice(rest);
        self.buffered = rest.len();
    }

    /// Pads the message, hashes the last block(s) and returns the digest.
    pub fn finish(mut self) -> [u8; DIGEST_LEN] {
        // Padding (FIPS 180-4 section 5.1.1): one 1 bit (the byte 0x80), then
        // zero bytes until the length is 8 bytes short of a whole block, then
        // the message length in *bits* as a big-endian 64-bit number. If fewer
        // than 9 bytes are left in the current block, the padding spills into
        // one more block.
        let bit_length = self.length.wrapping_mul(8);
        // Chosen so that buffered + 1 + zeros + 8 is a multiple of 64.
        let zeros = (BLOCK_LEN + BLOCK_LEN - 8 - 1 - self.buffered) % BLOCK_LEN;
        let mut padding = [0u8; 1 + (BLOCK_LEN - 1) + 8];
        padding[0] = 0x80;
        padding[1 + zeros..1 + zeros + 8].copy_from_slice(&bit_length.to_be_bytes());
        self.update(&padding[..1 + zeros + 8]);
        debug_assert_eq!(self.buffered, 0);

        // The digest is H0..H7 after the last block, each written big-endian
        // (the end of section 6.2.2).
        let mut digest = [0u8; DIGEST_LEN];
        for (bytes, word) in digest.as_chunks_mut::<4>().0.iter_mut().zip(self.state) {
            *bytes = word.to_be_bytes();
        }
        digest
    }

    /// Whether this computation runs on the CPU's SHA instructions.
    #[cfg(test)]
    fn uses_hardware(&self) -> bool {
        !matches!(self.backend, Backend::Portable)
    }
}

/// The SHA-256 digest of `data`, in one call.
///
/// ```
/// let digest = socket_chat::crypto::sha256::digest(b"");
/// assert_eq!(
///     socket_chat::crypto::sha256::to_hex(&digest),
///     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
/// );
/// ```
pub fn digest(data: &[u8]) -> [u8; DIGEST_LEN] {
    let mut hasher = Sha256::new();
    hasher.update(data);
    hasher.finish()
}

/// A digest as 64 lowercase hex digits, the form `FILE_COMPLETE` carries.
pub fn to_hex(digest: &[u8; DIGEST_LEN]) -> String {
    const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut hex = String::with_capacity(64);
    for byte in digest {
        hex.push(char::from(HEX_DIGITS[usize::from(byte >> 4)]));
        hex.push(char::from(HEX_DIGITS[usize::from(byte & 0x0F)]));
    }
    hex
}

/// An implementation of the compression function.
#[derive(Debug, Clone, Copy)]
enum Backend {
    /// Plain Rust, for every CPU.
    Portable,
    /// The x86_64 SHA extensions. The value inside proves the CPU has them.
    #[cfg(target_arch = "x86_64")]
    X86Sha(x86::ShaExtensions),
}

impl Backend {
    /// The fastest implementation this CPU supports. The CPU is asked once per
    /// process; later calls read the stored answer.
    fn fastest() -> Backend {
        static FASTEST: OnceLock<Backend> = OnceLock::new();
        *FASTEST.get_or_init(|| {
            #[cfg(target_arch = "x86_64")]
            if let Some(extensions) = x86::ShaExtensions::detect() {
                return Backend::X86Sha(extensions);
            }
            Backend::Portable
        })
    }

    /// Mixes each block, in order, into `state`.
    fn compress(self, state: &mut [u32; 8], blocks: &[[u8; BLOCK_LEN]]) {
        #[cfg(test)]
        compressions::count(blocks.len());
        match self {
            Backend::Portable => {
                for block in blocks {
                    compress_portable(state, block);
                }
            }
            #[cfg(target_arch = "x86_64")]
            Backend::X86Sha(extensions) => extensions.compress(state, blocks),
        }
    }
}

/// A count of the blocks compressed on this thread, for tests that check how
/// much work a computation built on SHA-256 does (PBKDF2 hashes its key pads
/// once per derivation, not once per iteration). Only in test builds.
#[cfg(test)]
pub(crate) mod compressions {
    use std::cell::Cell;

    thread_local! {
        static COUNT: Cell<u64> = const { Cell::new(0) };
    }

    pub(super) fn count(blocks: usize) {
        COUNT.with(|count| count.set(count.get() + blocks as u64));
    }

    /// How many blocks this thread has compressed so far.
    pub(crate) fn so_far() -> u64 {
        COUNT.with(Cell::get)
    }
}

// The six logical functions of FIPS 180-4 section 4.1.2. `rotate_right` is
// the spec's ROTR, `>>` its SHR.

/// Ch ("choose"): each bit of `x` chooses the bit of `y` (1) or of `z` (0).
fn ch(x: u32, y: u32, z: u32) -> u32 {
    (x & y) ^ (!x & z)
}

/// Maj ("majority"): each bit is whatever most of `x`, `y`, `z` have there.
fn maj(x: u32, y: u32, z: u32) -> u32 {
    (x & y) ^ (x & z) ^ (y & z)
}

/// Σ0, applied to the working variable `a` in every round.
fn big_sigma0(x: u32) -> u32 {
    x.rotate_right(2) ^ x.rotate_right(13) ^ x.rotate_right(22)
}

/// Σ1, applied to the working variable `e` in every round.
fn big_sigma1(x: u32) -> u32 {
    x.rotate_right(6) ^ x.rotate_right(11) ^ x.rotate_right(25)
}

/// σ0, used by the message schedule.
fn small_sigma0(x: u32) -> u32 {
    x.rotate_right(7) ^ x.rotate_right(18) ^ (x >> 3)
}

/// σ1, used by the message schedule.
fn small_sigma1(x: u32) -> u32 {
    x.rotate_right(17) ^ x.rotate_right(19) ^ (x >> 10)
}

/// The SHA-256 compression function (FIPS 180-4 section 6.2.2) in plain Rust:
/// mixes one 64-byte block into `state`. All additions are modulo 2^32.
fn compress_portable(state: &mut [u32; 8], block: &[u8; BLOCK_LEN]) {
    // Step 1, the message schedule W0..W63: the block's sixteen big-endian
    // words, then each further word made from four earlier ones, so that every
    // bit of the block influences many rounds.
    let mut w = [0u32; 64];
    for (word, bytes) in w.iter_mut().zip(block.as_chunks::<4>().0) {
        *word = u32::from_be_bytes(*bytes);
    }
    for t in 16..64 {
        w[t] = small_sigma1(w[t - 2])
            .wrapping_add(w[t - 7])
            .wrapping_add(small_sigma0(w[t - 15]))
            .wrapping_add(w[t - 16]);
    }

    // Step 2: the working variables a..h start as a copy of the state.
    let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = *state;

    // Step 3, the 64 rounds. Each round computes two temporaries from the
    // variables, one schedule word and one constant, and shifts the eight
    // variables along by one place, with new values entering at `a` and `e`.
    for (&k, &w) in K.iter().zip(&w) {
        let t1 = h
            .wrapping_add(big_sigma1(e))
            .wrapping_add(ch(e, f, g))
            .wrapping_add(k)
            .wrapping_add(w);
        let t2 = big_sigma0(a).wrapping_add(maj(a, b, c));
        h = g;
        g = f;
        f = e;
        e = d.wrapping_add(t1);
        d = c;
        c = b;
        b = a;
        a = t1.wrapping_add(t2);
    }

    // Step 4, the intermediate hash value: add the mixed copy onto the state.
    for (word, mixed) in state.iter_mut().zip([a, b, c, d, e, f, g, h]) {
        *word = word.wrapping_add(mixed);
    }
}

/// The compression function on the x86_64 SHA extensions.
///
/// # Why this module needs `unsafe`
///
/// The crate denies `unsafe` everywhere but here and in `base64`'s vector
/// path. Here it is needed twice:
///
/// 1. `compress_blocks` is compiled with `#[target_feature]`, which lets the
///    compiler use the SHA and SSE4.1 instructions in it. Running it on a CPU
///    without them would be undefined behaviour (most likely an "illegal
///    instruction" crash), so Rust makes every call from ordinary code
///    `unsafe`. The call is sound because it is only made through a
///    `ShaExtensions` value, and the only way to get one is
///    `ShaExtensions::detect`, which first asks the CPU (with
///    `is_x86_feature_detected!`) whether it has every one of those features.
/// 2. Loading 16 bytes into a vector register (`_mm_loadu_si128`) and storing
///    them back take raw pointers. Each pointer comes from a reference to an
///    array of exactly 16 bytes, and the unaligned load and store need no
///    particular alignment.
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod x86 {
    use super::{BLOCK_LEN, K};
    use std::arch::x86_64::{
        __m128i, _mm_add_epi32, _mm_alignr_epi8, _mm_blend_epi16, _mm_loadu_si128, _mm_set_epi64x,
        _mm_sha256msg1_epu32, _mm_sha256msg2_epu32, _mm_sha256rnds2_epu32, _mm_shuffle_epi8,
        _mm_shuffle_epi32, _mm_storeu_si128,
    };

    /// Proof that this CPU has the SHA extensions (and the SSE2, SSSE3 and
    /// SSE4.1 instructions used with them). Its field is private, so code
    /// outside this module can only get one from [`ShaExtensions::detect`].
    #[derive(Debug, Clone, Copy)]
    pub(super) struct ShaExtensions(());

    impl ShaExtensions {
        /// Asks the CPU whether it has every feature `compress_blocks` needs.
        pub(super) fn detect() -> Option<ShaExtensions> {
            let supported = is_x86_feature_detected!("sha")
                && is_x86_feature_detected!("sse2")
                && is_x86_feature_detected!("ssse3")
                && is_x86_feature_detected!("sse4.1");
            supported.then_some(ShaExtensions(()))
        }

        /// Mixes each block, in order, into `state`.
        pub(super) fn compress(self, state: &mut [u32; 8], blocks: &[[u8; BLOCK_LEN]]) {
            // SAFETY: `self` exists, so `detect` found every feature that
            // `compress_blocks` is compiled for (see the module comment).
            unsafe { compress_blocks(state, blocks) }
        }
    }

    /// Loads 16 bytes, in memory order, into a vector register.
    #[inline]
    fn load(bytes: &[u8; 16]) -> __m128i {
        // SAFETY: the reference points at 16 readable bytes, and the `u`
        // (unaligned) load has no alignment requirement. SSE2 is part of every
        // x86_64 CPU.
        unsafe { _mm_loadu_si128(bytes.as_ptr().cast()) }
    }

    /// Loads four 32-bit words into a vector register, `words[0]` in lane 0.
    #[inline]
    fn load_words(words: &[u32; 4]) -> __m128i {
        // SAFETY: as in `load`: 16 readable bytes, no alignment needed.
        unsafe { _mm_loadu_si128(words.as_ptr().cast()) }
    }

    /// Stores four 32-bit words from a vector register, lane 0 in `words[0]`.
    #[inline]
    fn store_words(words: &mut [u32; 4], vector: __m128i) {
        // SAFETY: the reference points at 16 writable bytes, and the `u`
        // (unaligned) store has no alignment requirement.
        unsafe { _mm_storeu_si128(words.as_mut_ptr().cast(), vector) }
    }

    /// Computes the next four message schedule words, `W[t..t+4]`, from the
    /// sixteen before them: `w0` = `W[t-16..t-12]` (oldest), ..., `w3` =
    /// `W[t-4..t]` (newest). It is the formula of the portable version,
    /// `W[t] = σ1(W[t-2]) + W[t-7] + σ0(W[t-15]) + W[t-16]`, four at a time.
    #[inline]
    #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
    fn schedule(w0: __m128i, w1: __m128i, w2: __m128i, w3: __m128i) -> __m128i {
        // MSG1: W[t-16+i] + σ0(W[t-15+i]) for i = 0..4.
        let partial = _mm_sha256msg1_epu32(w0, w1);
        // + W[t-7+i]: those four words straddle w2 and w3 (the top three
        // words of w2 and the bottom word of w3).
        let partial = _mm_add_epi32(partial, _mm_alignr_epi8::<4>(w3, w2));
        // MSG2: + σ1(W[t-2+i]). For the last two words W[t-2+i] is one of the
        // first two results, which the instruction computes itself.
        _mm_sha256msg2_epu32(partial, w3)
    }

    /// Runs four rounds, using the four schedule words in `words` and the
    /// four round constants in `constants`.
    #[inline]
    #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
    fn four_rounds(abef: &mut __m128i, cdgh: &mut __m128i, words: __m128i, constants: __m128i) {
        let w_plus_k = _mm_add_epi32(words, constants);
        // SHA256RNDS2 runs two rounds with W+K from the two low lanes and
        // returns the new a, b, e, f. After two rounds the old a, b, e, f have
        // moved on to c, d, g, h, so no instruction is needed for those.
        let abef_2 = _mm_sha256rnds2_epu32(*cdgh, *abef, w_plus_k);
        let cdgh_2 = *abef;
        // Two more rounds, with W+K from the high lanes moved down.
        let w_plus_k_high = _mm_shuffle_epi32::<0b00_00_11_10>(w_plus_k);
        *abef = _mm_sha256rnds2_epu32(cdgh_2, abef_2, w_plus_k_high);
        *cdgh = abef_2;
    }

    /// The whole compression function (FIPS 180-4 section 6.2.2) for each
    /// block, with the eight state words kept in two vector registers.
    #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
    fn compress_blocks(state: &mut [u32; 8], blocks: &[[u8; BLOCK_LEN]]) {
        // In the comments below a register is listed lane 0 first.
        //
        // The instructions want the state as ABEF = [f, e, b, a] and
        // CDGH = [h, g, d, c] (Intel names them from the top lane down), while
        // memory holds [a, b, c, d] and [e, f, g, h]. Rearrange once here,
        // and back at the end.
        let (halves, _) = state.as_chunks_mut::<4>();
        let abcd = load_words(&halves[0]);
        let efgh = load_words(&halves[1]);
        let badc = _mm_shuffle_epi32::<0b10_11_00_01>(abcd);
        let hgfe = _mm_shuffle_epi32::<0b00_01_10_11>(efgh);
        let mut abef = _mm_alignr_epi8::<8>(badc, hgfe); // [f, e, b, a]
        let mut cdgh = _mm_blend_epi16::<0b1111_0000>(hgfe, badc); // [h, g, d, c]

        // The message words are big-endian; this shuffle reverses the bytes of
        // each 32-bit lane.
        let byte_swap = _mm_set_epi64x(0x0c0d0e0f_08090a0b, 0x04050607_00010203);
        let (constants, _) = K.as_chunks::<4>();

        for block in blocks {
            let (abef_before, cdgh_before) = (abef, cdgh);

            // The first sixteen schedule words are the block itself.
            let (quarters, _) = block.as_chunks::<16>();
            let mut w = [0, 1, 2, 3].map(|i| _mm_shuffle_epi8(load(&quarters[i]), byte_swap));

            // 16 groups of 4 rounds. From the fifth group on, each group first
            // computes its four schedule words from the last sixteen, which
            // `w` holds as a ring: the oldest four are in w[group % 4], where
            // the new ones go.
            for (group, k) in constants.iter().enumerate() {
                if group >= 4 {
                    w[group % 4] = schedule(
                        w[group % 4],
                        w[(group + 1) % 4],
                        w[(group + 2) % 4],
                        w[(group + 3) % 4],
                    );
                }
                four_rounds(&mut abef, &mut cdgh, w[group % 4], load_words(k));
            }

            // Step 4: add the mixed copy onto the state.
            abef = _mm_add_epi32(abef, abef_before);
            cdgh = _mm_add_epi32(cdgh, cdgh_before);
        }

        // Back to memory order: [a, b, c, d] and [e, f, g, h].
        let ab_ef = _mm_shuffle_epi32::<0b00_01_10_11>(abef); // [a, b, e, f]
        let gh_cd = _mm_shuffle_epi32::<0b10_11_00_01>(cdgh); // [g, h, c, d]
        store_words(&mut halves[0], _mm_blend_epi16::<0b1111_0000>(ab_ef, gh_cd));
        store_words(&mut halves[1], _mm_alignr_epi8::<8>(gh_cd, ab_ef));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::{Rng, RngExt, SeedableRng};

    /// The seed for the randomized tests (see `crate::test_seed`).
    fn test_seed() -> u64 {
        crate::test_seed::seed("sha256", 0x7368_6132) // "sha2"
    }

    /// The digest of `data` hashed in one piece, by the given hasher.
    fn hash_with(mut hasher: Sha256, data: &[u8]) -> [u8; 32] {
        hasher.update(data);
        hasher.finish()
    }

    /// Checks one message against its known digest on every path: one-shot,
    /// portable, and the automatic choice, one byte at a time.
    fn check(message: &[u8], expected_hex: &str) {
        assert_eq!(to_hex(&digest(message)), expected_hex);
        assert_eq!(
            to_hex(&hash_with(Sha256::new_portable(), message)),
            expected_hex
        );
        let mut bytewise = Sha256::new();
        for byte in message {
            bytewise.update(&[*byte]);
        }
        assert_eq!(to_hex(&bytewise.finish()), expected_hex);
    }

    /// `len` bytes of a fixed, non-repeating-looking pattern.
    fn pattern(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 31 + 7) as u8).collect()
    }

    #[test]
    fn nist_example_empty_string() {
        check(
            b"",
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        );
    }

    #[test]
    fn nist_example_abc() {
        check(
            b"abc",
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        );
    }

    #[test]
    fn nist_example_448_bits() {
        // 56 bytes: the padding no longer fits, so it takes a second block.
        check(
            b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
        );
    }

    #[test]
    fn nist_example_896_bits() {
        check(
            b"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn\
              hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
        );
    }

    #[test]
    fn nist_example_one_million_a() {
        let expected = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
        let message = vec![b'a'; 1_000_000];
        assert_eq!(to_hex(&digest(&message)), expected);
        assert_eq!(
            to_hex(&hash_with(Sha256::new_portable(), &message)),
            expected
        );
        // Streamed in uneven pieces that rarely line up with blocks.
        let mut streamed = Sha256::new();
        for piece in message.chunks(997) {
            streamed.update(piece);
        }
        assert_eq!(to_hex(&streamed.finish()), expected);
    }

    #[test]
    fn this_machine_uses_the_hardware_path_when_it_has_one() {
        #[cfg(target_arch = "x86_64")]
        assert_eq!(
            Sha256::new().uses_hardware(),
            is_x86_feature_detected!("sha") && is_x86_feature_detected!("sse4.1")
        );
        assert!(!Sha256::new_portable().uses_hardware());
    }

    #[test]
    fn lengths_0_to_200_agree_on_every_path_and_with_python() {
        // Hash the digests of pattern(0), ..., pattern(200) together; the
        // expected value was computed with Python's hashlib:
        //   h = sha256(); [h.update(sha256(pattern(n)).digest()) for n in range(201)]
        let mut all = Sha256::new_portable();
        for len in 0..=200 {
            let message = pattern(len);
            let portable = hash_with(Sha256::new_portable(), &message);
            assert_eq!(hash_with(Sha256::new(), &message), portable, "length {len}");
            assert_eq!(digest(&message), portable, "length {len}");
            all.update(&portable);
        }
        assert_eq!(
            to_hex(&all.finish()),
            "2596dc78bf91fcc2d7cdba569d85e7c20f5d24bdc74fb082da12c7272515aa28"
        );
    }

    #[test]
    fn block_boundaries_split_every_way() {
        // 55 bytes is the longest message whose padding fits in its block, 56
        // the shortest that needs one more; 63, 64 and 65 sit around a block.
        for len in [55, 56, 63, 64, 65, 119, 120, 127, 128, 129] {
            let message = pattern(len);
            let expected = hash_with(Sha256::new_portable(), &message);
            for split in 0..=len {
                let (first, second) = message.split_at(split);
                for mut hasher in [Sha256::new(), Sha256::new_portable()] {
                    hasher.update(first);
                    hasher.update(second);
                    assert_eq!(hasher.finish(), expected, "length {len}, split at {split}");
                }
            }
        }
    }

    #[test]
    fn a_clone_continues_independently() {
        let mut hasher = Sha256::new();
        hasher.update(b"ab");
        let mut copy = hasher.clone();
        hasher.update(b"c");
        copy.update(b"x");
        assert_eq!(hasher.finish(), digest(b"abc"));
        assert_eq!(copy.finish(), digest(b"abx"));
        assert_eq!(Sha256::default().finish(), digest(b""));
    }

    #[test]
    fn hex_is_lowercase_and_64_digits() {
        let mut digest = [0u8; 32];
        digest[0] = 0xAB;
        digest[31] = 0x0F;
        let hex = to_hex(&digest);
        assert_eq!(hex.len(), 64);
        assert!(hex.starts_with("ab00"));
        assert!(hex.ends_with("000f"));
    }

    #[test]
    fn random_messages_streamed_in_random_pieces() {
        let seed = test_seed();
        let mut rng = StdRng::seed_from_u64(seed);
        for _ in 0..2_000 {
            let len = rng.random_range(0..3_000);
            let mut message = vec![0u8; len];
            rng.fill_bytes(&mut message);
            let expected = hash_with(Sha256::new_portable(), &message);
            assert_eq!(digest(&message), expected, "seed {seed}, length {len}");

            for mut hasher in [Sha256::new(), Sha256::new_portable()] {
                let mut rest = &message[..];
                while !rest.is_empty() {
                    // Mostly small pieces, sometimes several blocks at once.
                    let max = if rng.random_bool(0.2) { 300 } else { 70 };
                    let take = rng.random_range(0..=max).min(rest.len());
                    let (piece, tail) = rest.split_at(take);
                    hasher.update(piece);
                    rest = tail;
                }
                assert_eq!(hasher.finish(), expected, "seed {seed}, length {len}");
            }
        }
    }
}
