//! Base64 (RFC 4648, section 4): how file bytes ride inside JSON text.
//!
//! A `FILE_DATA` message carries one chunk of a file in its `data` field, and
//! that field is a JSON string. A JSON string holds *text*: a chunk of a photo
//! is full of zero bytes and byte sequences that are not UTF-8, and neither can
//! be put in a string as they are. Base64 turns every 3 bytes (24 bits) into 4
//! characters of 6 bits each, drawn from a 64-letter alphabet of printable
//! ASCII (`A`–`Z`, `a`–`z`, `0`–`9`, `+`, `/`) that JSON carries unescaped:
//!
//! ```text
//!  bytes      0x4d 'M'         0x61 'a'         0x6e 'n'
//!  bits    0 1 0 0 1 1 0 1 | 0 1 1 0 0 0 0 1 | 0 1 1 0 1 1 1 0
//!  6-bit   0 1 0 0 1 1 | 0 1 0 1 1 0 | 0 0 0 1 0 1 | 1 0 1 1 1 0
//!  values       19           22            5            46
//!  text         'T'          'W'          'F'           'u'
//! ```
//!
//! The price is size: the text is 4/3 as long as the bytes, so a 4096-byte
//! chunk travels as 5464 characters. When the input is not a multiple of 3
//! bytes long, the last group is filled up with zero bits and the missing
//! characters are written as `=`: one leftover byte becomes two characters and
//! `==`, two leftover bytes become three characters and `=`.
//!
//! # Strict decoding
//!
//! [`decode`] accepts exactly the text that [`encode`] writes and nothing else:
//! the length must be a multiple of 4, there is no whitespace, `=` appears only
//! as the last one or two characters, and the bits that the padding leaves
//! unused must be zero. RFC 4648 section 3.5 explains the last rule: without
//! it `QQ==` and `QR==` would both decode to `A`. Being strict means every byte
//! string has exactly one encoding, and a peer that sends sloppy text is told
//! so (with the offset of the first bad character) instead of having it
//! silently accepted as something slightly different.
//!
//! # Speed
//!
//! Every byte of every file transfer passes through this module, so it works
//! a whole group at a time (3 bytes to 4 characters, 4 characters to 3 bytes)
//! with lookup tables, writes into a buffer sized in advance, and only looks
//! character by character for the exact cause once a group has failed. The
//! hot loops take 64 characters (48 bytes) at a time, in portable code the
//! compiler vectorises, or with the SSSE3 instructions of an x86_64 CPU,
//! which do each step on 16 characters at once (twice as fast again), or
//! with AVX2, the same steps on 32 (another 1.4 to 1.7 times:
//! `cargo bench --bench codec -- base64`).

/// The 64 characters of the standard alphabet (RFC 4648, table 1): the
/// character for the 6-bit value `v` is `ALPHABET[v]`.
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// The character that fills a group the input was too short to fill.
const PAD: u8 = b'=';

/// Marks, in [`DECODE_TABLE`], a byte that is not in the alphabet. Every real
/// value is below 64, so it has its top bit clear; this one has it set.
const INVALID: u8 = 0xFF;

/// The reverse of [`ALPHABET`]: for each of the 256 possible bytes, its 6-bit
/// value, or [`INVALID`]. It is computed from `ALPHABET` at compile time, so
/// the two tables cannot disagree.
const DECODE_TABLE: [u8; 256] = {
    let mut table = [INVALID; 256];
    let mut value = 0;
    while value < ALPHABET.len() {
        table[ALPHABET[value] as usize] = value as u8;
        value += 1;
    }
    table
};

/// Why a text is not valid base64. Each variant points at the first problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecodeError {
    /// The text is not a multiple of 4 characters long, so it cannot be a
    /// sequence of whole groups.
    InvalidLength { len: usize },
    /// The byte at `offset` is not one of the 64 alphabet characters (nor a
    /// `=` in a place where padding may stand).
    InvalidByte { offset: usize, byte: u8 },
    /// At `offset` there is either a `=` somewhere other than the last one or
    /// two characters, or the last character before the padding has non-zero
    /// bits that the padding says are unused (a non-canonical encoding).
    InvalidPadding { offset: usize },
}

impl std::error::Error for DecodeError {}

/// The length of the text that [`encode`] writes for `n` bytes: 4 characters
/// for every 3 bytes or part of them.
///
/// # Panics
///
/// If the result does not fit in `usize`, which cannot happen for the length
/// of a real slice (at most `isize::MAX` bytes).
pub fn encoded_len(n: usize) -> usize {
    n.div_ceil(3)
        .checked_mul(4)
        .expect("base64 length overflows usize")
}

/// The most bytes that `n` characters of base64 can decode to: 3 for every 4
/// characters. Padding makes the real result up to 2 bytes shorter.
pub fn decoded_len_max(n: usize) -> usize {
    n / 4 * 3
}

/// Encodes `bytes` as padded base64 text.
///
/// ```
/// assert_eq!(socket_chat::base64::encode(b"Man"), "TWFu");
/// assert_eq!(socket_chat::base64::encode(b"Ma"), "TWE=");
/// ```
pub fn encode(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(encoded_len(bytes.len()));
    encode_into(bytes, &mut text);
    text
}

/// Appends the base64 text of `bytes` to `out`, so that one `String` can be
/// reused for every chunk of a transfer.
pub fn encode_into(bytes: &[u8], out: &mut String) {
    // A `String` promises to hold UTF-8, so safe code cannot write raw bytes
    // into it. We encode a piece at a time into a byte buffer on the stack,
    // let `str::from_utf8` confirm it is text (a fast check for ASCII), and
    // append it with one copy.
    //
    // A piece is a multiple of 3 bytes long, so only the very last piece can
    // end in a partial group: the text of the pieces, one after another, is
    // the text of the whole input.
    const PIECE: usize = 3 * 1024;
    let mut buffer = [0u8; PIECE / 3 * 4];

    out.reserve(encoded_len(bytes.len()));
    for piece in bytes.chunks(PIECE) {
        let text = &mut buffer[..encoded_len(piece.len())];
        encode_to_slice(piece, text);
        match std::str::from_utf8(text) {
            Ok(text) => out.push_str(text),
            Err(_) => unreachable!("every character of the base64 alphabet is ASCII"),
        }
    }
}

/// Encodes `bytes` into `out`, which must be exactly `encoded_len(bytes.len())`
/// long.
fn encode_to_slice(bytes: &[u8], out: &mut [u8]) {
    // The hot loop, 48 bytes (64 characters) at a time: the reverse of the
    // decoder's. Each 3 bytes become four 6-bit values, then every value
    // becomes its character by arithmetic, which the compiler vectorises.
    let (blocks, rest) = bytes.as_chunks::<BLOCK_BYTES>();
    let (out_blocks, out) = out.split_at_mut(blocks.len() * BLOCK);
    let (out_blocks, _) = out_blocks.as_chunks_mut::<BLOCK>();
    let encode_block = Blocks::fastest().encoder();
    for (block, text) in blocks.iter().zip(out_blocks) {
        encode_block(block, text);
    }

    // Then every full group of 3 bytes left becomes 4 characters. Working
    // on fixed-size arrays lets the compiler drop all bounds checks.
    let (groups, tail) = rest.as_chunks::<3>();
    let (out_groups, out_tail) = out.split_at_mut(groups.len() * 4);
    let (out_groups, _) = out_groups.as_chunks_mut::<4>();
    for (group, text) in groups.iter().zip(out_groups) {
        *text = encode_group(*group);
    }

    // The last 1 or 2 bytes, if any: fill the group with zero bytes, encode it,
    // and replace the characters that carry only filler with padding.
    // n leftover bytes (8n bits) need n + 1 characters (6 bits each).
    if !tail.is_empty() {
        let mut group = [0u8; 3];
        group[..tail.len()].copy_from_slice(tail);
        let mut text = encode_group(group);
        text[tail.len() + 1..].fill(PAD);
        out_tail.copy_from_slice(&text);
    }
}

/// Six bytes are eight 6-bit values (byte i of the result is value i): the
/// reverse of [`join_two_groups`], on both groups at once.
#[inline(always)]
fn split_two_groups(bytes: [u8; 6]) -> [u8; 8] {
    let [a, b, c, d, e, f] = bytes.map(u64::from);
    // One group of 24 bits in each 32-bit lane.
    let groups = (a << 16 | b << 8 | c) | (d << 16 | e << 8 | f) << 32;
    // Each 16-bit lane: 12 bits, the group's first half in the low lane.
    let halves =
        ((groups >> 12) & 0x0000_0FFF_0000_0FFF) | ((groups & 0x0000_0FFF_0000_0FFF) << 16);
    // Each byte: 6 bits, the half's first value in the low byte.
    let values = ((halves >> 6) & 0x003F_003F_003F_003F) | ((halves & 0x003F_003F_003F_003F) << 8);
    values.to_le_bytes()
}

/// The character for 6-bit value `v`: `ALPHABET[v]`, computed (a test
/// checks all 64) by adding to `v` the distance to its range's first
/// character, with comparisons instead of a branch or a lookup.
#[inline(always)]
fn sextet_char(v: u8) -> u8 {
    let mask = |yes: bool| 0u8.wrapping_sub(u8::from(yes));
    // 'A' is 65 past 0; 'a' is 71 past 26; '0' is 4 before 52; '+' is 19
    // before 62; '/' is 16 before 63.
    let offset = 65u8
        .wrapping_add(mask(v >= 26) & 6)
        .wrapping_sub(mask(v >= 52) & 75)
        .wrapping_sub(mask(v >= 62) & 15)
        .wrapping_add(mask(v >= 63) & 3);
    v.wrapping_add(offset)
}

/// Encodes one group: 3 bytes, read as one 24-bit number, cut into four 6-bit
/// values from the most significant end, each looked up in the alphabet.
#[inline]
fn encode_group([b0, b1, b2]: [u8; 3]) -> [u8; 4] {
    let bits = u32::from(b0) << 16 | u32::from(b1) << 8 | u32::from(b2);
    let char_at = |shift: u32| ALPHABET[(bits >> shift) as usize & 0x3F];
    [char_at(18), char_at(12), char_at(6), char_at(0)]
}

/// Decodes strict, padded base64 text (see the module documentation for what
/// strict means).
///
/// ```
/// use socket_chat::base64::{decode, DecodeError};
///
/// assert_eq!(decode("TWFu"), Ok(b"Man".to_vec()));
/// assert_eq!(decode("TW*u"), Err(DecodeError::InvalidByte { offset: 2, byte: b'*' }));
/// ```
pub fn decode(text: &str) -> Result<Vec<u8>, DecodeError> {
    let mut bytes = Vec::new();
    decode_into(text.as_bytes(), &mut bytes)?;
    Ok(bytes)
}

/// Decodes `text` and appends the bytes to `out`. On error `out` keeps
/// exactly the contents it had, so a caller can reuse one buffer for every
/// chunk of a transfer without cleaning up after a bad one.
///
/// It takes bytes rather than `&str` so that text fresh off the wire can be
/// checked without first checking that it is UTF-8: any non-ASCII byte is
/// reported as [`DecodeError::InvalidByte`].
pub fn decode_into(text: &[u8], out: &mut Vec<u8>) -> Result<(), DecodeError> {
    if !text.len().is_multiple_of(4) {
        return Err(DecodeError::InvalidLength { len: text.len() });
    }
    // Make room for the longest possible result, decode straight into it, then
    // trim to what was really written (or back to the start on error).
    let start = out.len();
    out.resize(start + decoded_len_max(text.len()), 0);
    match decode_to_slice(text, &mut out[start..]) {
        Ok(written) => {
            out.truncate(start + written);
            Ok(())
        }
        Err(error) => {
            out.truncate(start);
            Err(error)
        }
    }
}

/// Decodes `text` (a multiple of 4 long) into `out` (`decoded_len_max` long),
/// returning how many bytes it wrote.
fn decode_to_slice(text: &[u8], out: &mut [u8]) -> Result<usize, DecodeError> {
    // Only the last group may hold padding, so it gets its own, slower code.
    let Some(last_start) = text.len().checked_sub(4) else {
        return Ok(0); // the empty text is the encoding of zero bytes
    };
    let (body, last) = text.split_at(last_start);
    let (out_body, out_last) = out.split_at_mut(last_start / 4 * 3);

    // The hot loop, a block of 64 characters (48 bytes) at a time, in two
    // passes. First every character becomes its 6-bit value, computed with
    // comparisons rather than looked up in a table: the same few steps for
    // every byte, which the compiler turns into instructions that work on
    // 16 or 32 bytes at once (SIMD). An invalid character gets a value with
    // its top bit set, and OR-ing all 64 values together lets one test
    // catch any of them; which one was wrong, and why, `group_error` finds
    // out, off the fast path. Then each 4 values become 3 bytes.
    // On an x86_64 CPU with SSSE3 (nearly all of them), the same work is
    // done 16 characters per instruction by the `x86` module below, and
    // 32 with AVX2 (most made since 2013).
    let (blocks, rest) = body.as_chunks::<BLOCK>();
    let (out_blocks, out_rest) = out_body.split_at_mut(blocks.len() * BLOCK_BYTES);
    let (out_blocks, _) = out_blocks.as_chunks_mut::<BLOCK_BYTES>();
    let decode_block = Blocks::fastest().decoder();
    for (index, (block, bytes)) in blocks.iter().zip(out_blocks).enumerate() {
        if !decode_block(block, bytes) {
            return Err(block_error(block, index * BLOCK));
        }
    }

    // The groups after the last whole block, one at a time.
    let (groups, _) = rest.as_chunks::<4>();
    let (out_groups, _) = out_rest.as_chunks_mut::<3>();
    for (index, (group, bytes)) in groups.iter().zip(out_groups).enumerate() {
        let values = group.map(sextet);
        if (values[0] | values[1] | values[2] | values[3]) & 0x80 != 0 {
            return Err(group_error(group, blocks.len() * BLOCK + index * 4));
        }
        *bytes = join_group(values);
    }

    let (decoded, kept) = decode_last_group(last, last_start)?;
    out_last[..kept].copy_from_slice(&decoded[..kept]);
    Ok(out_body.len() + kept)
}

/// The last group: `xxxx`, `xxx=` or `xx==`, which starts at `offset` in
/// the text. Returns its three bytes and how many of them are real: each
/// padding character means one byte fewer.
fn decode_last_group(last: &[u8], offset: usize) -> Result<([u8; 3], usize), DecodeError> {
    let padding = match last {
        [.., PAD, PAD] => 2,
        [.., PAD] => 1,
        _ => 0,
    };
    let data = &last[..4 - padding];
    let mut bits = 0u32;
    for (position, &c) in data.iter().enumerate() {
        let value = DECODE_TABLE[usize::from(c)];
        if value == INVALID {
            return Err(char_error(c, offset + position));
        }
        bits |= u32::from(value) << (18 - 6 * position);
    }
    let [_, b0, b1, b2] = bits.to_be_bytes();
    let decoded = [b0, b1, b2];
    let kept = 3 - padding;

    // Canonical form (RFC 4648 section 3.5): the bits of the last character
    // that spill into the dropped bytes must be zero, or two different texts
    // would decode to the same bytes.
    if decoded[kept..].iter().any(|&byte| byte != 0) {
        return Err(DecodeError::InvalidPadding {
            offset: offset + data.len() - 1,
        });
    }
    Ok((decoded, kept))
}

/// Characters per block of the fast decoding loop, and the bytes they make.
const BLOCK: usize = 64;
const BLOCK_BYTES: usize = BLOCK / 4 * 3;

/// Decodes one block of the hot loop into `bytes`; false (and `bytes` left
/// in any state) if a character is not in the alphabet.
type DecodeBlock = fn(&[u8; BLOCK], &mut [u8; BLOCK_BYTES]) -> bool;

/// Encodes one block of the hot loop.
type EncodeBlock = fn(&[u8; BLOCK_BYTES], &mut [u8; BLOCK]);

/// Which code does the blocks of the hot loops: the portable code, or the
/// x86_64 SSSE3 or AVX2 instructions when the CPU has them. All give the
/// same results (the tests compare them on every character at every
/// place).
#[derive(Debug, Clone, Copy)]
enum Blocks {
    Portable,
    #[cfg(target_arch = "x86_64")]
    Ssse3(x86::Ssse3),
    #[cfg(target_arch = "x86_64")]
    Avx2(x86::Avx2),
}

impl Blocks {
    /// The fastest this CPU can run. Asking is cheap: the standard library
    /// asks the CPU once and remembers.
    fn fastest() -> Blocks {
        #[cfg(target_arch = "x86_64")]
        if let Some(avx2) = x86::Avx2::detect() {
            return Blocks::Avx2(avx2);
        }
        #[cfg(target_arch = "x86_64")]
        if let Some(ssse3) = x86::Ssse3::detect() {
            return Blocks::Ssse3(ssse3);
        }
        Blocks::Portable
    }

    fn decoder(self) -> DecodeBlock {
        match self {
            Blocks::Portable => decode_block_portable,
            #[cfg(target_arch = "x86_64")]
            Blocks::Ssse3(ssse3) => ssse3.decoder(),
            #[cfg(target_arch = "x86_64")]
            Blocks::Avx2(avx2) => avx2.decoder(),
        }
    }

    fn encoder(self) -> EncodeBlock {
        match self {
            Blocks::Portable => encode_block_portable,
            #[cfg(target_arch = "x86_64")]
            Blocks::Ssse3(ssse3) => ssse3.encoder(),
            #[cfg(target_arch = "x86_64")]
            Blocks::Avx2(avx2) => avx2.encoder(),
        }
    }
}

/// One block of the decoding loop, in portable code (see
/// `decode_to_slice` for the two passes).
fn decode_block_portable(block: &[u8; BLOCK], bytes: &mut [u8; BLOCK_BYTES]) -> bool {
    let mut values = [0u8; BLOCK];
    let mut any = 0;
    for (value, &c) in values.iter_mut().zip(block) {
        *value = sextet(c);
        any |= *value;
    }
    if any & 0x80 != 0 {
        return false;
    }
    // Six bytes at a time, each written as eight (the last two are
    // overwritten by the next step), into room two bytes longer than
    // the block: one store instead of six.
    let mut joined = [0u8; BLOCK_BYTES + 2];
    let (eights, _) = values.as_chunks::<8>();
    for (i, eight) in eights.iter().enumerate() {
        let six = join_two_groups(*eight);
        joined[6 * i..6 * i + 8].copy_from_slice(&six.to_be_bytes());
    }
    bytes.copy_from_slice(&joined[..BLOCK_BYTES]);
    true
}

/// One block of the encoding loop, in portable code.
fn encode_block_portable(block: &[u8; BLOCK_BYTES], text: &mut [u8; BLOCK]) {
    let mut values = [0u8; BLOCK];
    let (sixes, _) = block.as_chunks::<6>();
    for (six, eight) in sixes.iter().zip(values.as_chunks_mut::<8>().0) {
        *eight = split_two_groups(*six);
    }
    for (c, &value) in text.iter_mut().zip(&values) {
        *c = sextet_char(value);
    }
}

/// The hot loops' blocks with the x86_64 SSSE3 instructions: 16
/// characters (12 bytes) in one 128-bit register, each step done on all
/// 16 at once. The method is Wojciech Muła's and Daniel Lemire's (*Faster
/// Base64 Encoding and Decoding Using AVX2 Instructions*, 2018), here in
/// its 128-bit form, and in its 256-bit AVX2 form ([`Avx2`](x86::Avx2)),
/// which is two of the 128-bit ones side by side.
///
/// Decoding a character takes two looks into 16-entry tables, which
/// `pshufb` (`_mm_shuffle_epi8`) does for 16 characters at once, indexed
/// by each character's low and high four bits:
/// - *Is it in the alphabet?* Each table gives a set of bits; a character
///   is valid exactly when its two sets have no bit in common.
/// - *What is its value?* Within one high nibble (a row of 16 in the ASCII
///   table) every valid character but `/` is its value plus the same
///   distance (`A`–`O` and `P`–`Z` are 65 past 0, `a`–`z` are 71 past 26,
///   `0`–`9` are 4 before 52, `+` is 19 before 62): one add per row. `/`
///   shares its row with `+` and gets its own distance (16).
///
/// Then four 6-bit values become three bytes with two multiply-adds and a
/// shuffle. Encoding runs the same steps backwards.
///
/// # Why this module needs `unsafe`
///
/// As in `crypto::sha256`'s: the functions are compiled with
/// `#[target_feature]`, and calling them is sound only on a CPU that has
/// the features, which is what owning an [`Ssse3`](x86::Ssse3) or an
/// [`Avx2`](x86::Avx2) proves; and 16- and 32-byte loads and stores take
/// raw pointers, each made from a reference to an array of that many bytes
/// (the unaligned forms need no alignment).
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod x86 {
    use super::{BLOCK, BLOCK_BYTES, DecodeBlock, EncodeBlock};
    use std::arch::x86_64::{
        __m128i, __m256i, _mm_add_epi8, _mm_and_si128, _mm_cmpeq_epi8, _mm_cmpgt_epi8,
        _mm_loadu_si128, _mm_madd_epi16, _mm_maddubs_epi16, _mm_movemask_epi8, _mm_mulhi_epu16,
        _mm_mullo_epi16, _mm_or_si128, _mm_set1_epi8, _mm_set1_epi32, _mm_setr_epi8,
        _mm_setzero_si128, _mm_shuffle_epi8, _mm_srli_epi32, _mm_storeu_si128, _mm_subs_epu8,
        _mm256_add_epi8, _mm256_and_si256, _mm256_broadcastsi128_si256, _mm256_cmpeq_epi8,
        _mm256_cmpgt_epi8, _mm256_loadu_si256, _mm256_madd_epi16, _mm256_maddubs_epi16,
        _mm256_movemask_epi8, _mm256_mulhi_epu16, _mm256_mullo_epi16, _mm256_or_si256,
        _mm256_permutevar8x32_epi32, _mm256_set_m128i, _mm256_set1_epi8, _mm256_set1_epi32,
        _mm256_setr_epi32, _mm256_setzero_si256, _mm256_shuffle_epi8, _mm256_srli_epi32,
        _mm256_storeu_si256, _mm256_subs_epu8,
    };

    /// Proof that this CPU has SSSE3; only [`Ssse3::detect`] makes one.
    #[derive(Debug, Clone, Copy)]
    pub(super) struct Ssse3(());

    impl Ssse3 {
        pub(super) fn detect() -> Option<Ssse3> {
            is_x86_feature_detected!("ssse3").then_some(Ssse3(()))
        }

        pub(super) fn decoder(self) -> DecodeBlock {
            |block, bytes| {
                // SAFETY: an `Ssse3` exists, so the CPU has SSSE3.
                unsafe { decode_block(block, bytes) }
            }
        }

        pub(super) fn encoder(self) -> EncodeBlock {
            |block, text| {
                // SAFETY: as above.
                unsafe { encode_block(block, text) }
            }
        }
    }

    /// Loads 16 bytes, in memory order.
    #[inline]
    fn load(bytes: &[u8; 16]) -> __m128i {
        // SAFETY: 16 readable bytes; the unaligned load needs no alignment.
        unsafe { _mm_loadu_si128(bytes.as_ptr().cast()) }
    }

    /// Stores 16 bytes, in memory order.
    #[inline]
    fn store(bytes: &mut [u8; 16], vector: __m128i) {
        // SAFETY: 16 writable bytes; the unaligned store needs no alignment.
        unsafe { _mm_storeu_si128(bytes.as_mut_ptr().cast(), vector) }
    }

    /// 16 bytes from `slice` at `at`, as an array reference.
    fn sixteen(slice: &[u8], at: usize) -> &[u8; 16] {
        let Some((bytes, _)) = slice[at..].split_first_chunk::<16>() else {
            unreachable!("the blocks are sized for their 16-byte loads")
        };
        bytes
    }

    fn sixteen_mut(slice: &mut [u8], at: usize) -> &mut [u8; 16] {
        let Some((bytes, _)) = slice[at..].split_first_chunk_mut::<16>() else {
            unreachable!("the blocks are sized for their 16-byte stores")
        };
        bytes
    }

    /// 64 characters to 48 bytes, 16 to 12 at a time; false if any
    /// character is not in the alphabet.
    #[target_feature(enable = "ssse3")]
    fn decode_block(block: &[u8; BLOCK], bytes: &mut [u8; BLOCK_BYTES]) -> bool {
        // Indexed by a character's low nibble, and by its high nibble. A
        // character is valid when the two entries share no bit: bit 0x10
        // rules out the rows 0x00-0x1F and 0x80-0xFF, bit 0x01 the row of
        // '+' and '/' but for those two, 0x02 the digits' row but for
        // '0'-'9', 0x04 '@' and '`', 0x08 what follows 'Z' and 'z'.
        let by_low = _mm_setr_epi8(
            0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x13, 0x1A, 0x1B, 0x1B,
            0x1B, 0x1A,
        );
        let by_high = _mm_setr_epi8(
            0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10,
            0x10, 0x10,
        );
        // What to add to a character of each row to get its value; row 1
        // is borrowed for '/' (its row, 2, minus one: see below).
        let shift_by_row = _mm_setr_epi8(0, 16, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0);
        let nibble = _mm_set1_epi8(0x0F);
        let slash = _mm_set1_epi8(b'/' as i8);
        // Multipliers that join two values into 12 bits (v0 * 64 + v1),
        // then two of those into 24 (w0 * 4096 + w1).
        let join_values = _mm_set1_epi32(0x0140_0140);
        let join_pairs = _mm_set1_epi32(0x0001_1000);
        // The 24 bits of each 32-bit lane are its three bytes, stored
        // backwards (little-endian): take them in order, drop lane byte 3.
        let pick_bytes = _mm_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);

        let mut bad = _mm_setzero_si128();
        // Four 16-byte stores of 12 bytes each: room for the last one's
        // four spare bytes.
        let mut out = [0u8; BLOCK_BYTES + 4];
        for i in 0..4 {
            let text = load(sixteen(block, 16 * i));
            let low = _mm_and_si128(text, nibble);
            // A 32-bit shift (there is no 8-bit one); the mask drops the
            // bits that came in from the neighbouring byte.
            let high = _mm_and_si128(_mm_srli_epi32::<4>(text), nibble);
            let check = _mm_and_si128(
                _mm_shuffle_epi8(by_low, low),
                _mm_shuffle_epi8(by_high, high),
            );
            bad = _mm_or_si128(bad, check);
            // For '/', the comparison gives -1: row 2 becomes row 1.
            let row = _mm_add_epi8(high, _mm_cmpeq_epi8(text, slash));
            let values = _mm_add_epi8(text, _mm_shuffle_epi8(shift_by_row, row));
            let pairs = _mm_maddubs_epi16(values, join_values);
            let groups = _mm_madd_epi16(pairs, join_pairs);
            store(
                sixteen_mut(&mut out, 12 * i),
                _mm_shuffle_epi8(groups, pick_bytes),
            );
        }
        bytes.copy_from_slice(&out[..BLOCK_BYTES]);
        _mm_movemask_epi8(_mm_cmpeq_epi8(bad, _mm_setzero_si128())) == 0xFFFF
    }

    /// 48 bytes to 64 characters, 12 to 16 at a time.
    #[target_feature(enable = "ssse3")]
    fn encode_block(block: &[u8; BLOCK_BYTES], text: &mut [u8; BLOCK]) {
        // Each group of 3 bytes b0 b1 b2 is laid out as b1 b0 b2 b1 in a
        // 32-bit lane, so that every 6-bit value lies within one 16-bit
        // half; the last load starts 4 bytes early (a 16-byte load at 36
        // would read past the block), so its indices are 4 higher.
        let spread = _mm_setr_epi8(1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10);
        let spread_last = _mm_setr_epi8(5, 4, 6, 5, 8, 7, 9, 8, 11, 10, 12, 11, 14, 13, 15, 14);
        // Masks and multipliers that move the four values of each lane to
        // the bottom of its four bytes: values 0 and 2 with a high multiply
        // (a shift right), values 1 and 3 with a low one (a shift left).
        let first_third = _mm_set1_epi32(0x0FC0_FC00);
        let shift_right = _mm_set1_epi32(0x0400_0040);
        let second_fourth = _mm_set1_epi32(0x003F_03F0);
        let shift_left = _mm_set1_epi32(0x0100_0010);
        // From value to character: values 0-51 -> 0, 52-61 -> 1-10, 62 ->
        // 11, 63 -> 12 (a saturating subtraction); then 0-25 -> 13. Each
        // of those is a range whose characters are its values plus one
        // distance, looked up here.
        let fifty_one = _mm_set1_epi8(51);
        let twenty_six = _mm_set1_epi8(26);
        let thirteen = _mm_set1_epi8(13);
        let distance = _mm_setr_epi8(
            71, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -19, -16, 65, 0, 0,
        );

        for i in 0..4 {
            let bytes = if i < 3 {
                _mm_shuffle_epi8(load(sixteen(block, 12 * i)), spread)
            } else {
                _mm_shuffle_epi8(load(sixteen(block, 32)), spread_last)
            };
            let values_0_2 = _mm_mulhi_epu16(_mm_and_si128(bytes, first_third), shift_right);
            let values_1_3 = _mm_mullo_epi16(_mm_and_si128(bytes, second_fourth), shift_left);
            let values = _mm_or_si128(values_0_2, values_1_3);
            let range = _mm_or_si128(
                _mm_subs_epu8(values, fifty_one),
                _mm_and_si128(_mm_cmpgt_epi8(twenty_six, values), thirteen),
            );
            let chars = _mm_add_epi8(values, _mm_shuffle_epi8(distance, range));
            store(sixteen_mut(text, 16 * i), chars);
        }
    }

    /// Proof that this CPU has AVX2; only [`Avx2::detect`] makes one.
    #[derive(Debug, Clone, Copy)]
    pub(super) struct Avx2(());

    impl Avx2 {
        pub(super) fn detect() -> Option<Avx2> {
            is_x86_feature_detected!("avx2").then_some(Avx2(()))
        }

        pub(super) fn decoder(self) -> DecodeBlock {
            |block, bytes| {
                // SAFETY: an `Avx2` exists, so the CPU has AVX2.
                unsafe { decode_block_avx2(block, bytes) }
            }
        }

        pub(super) fn encoder(self) -> EncodeBlock {
            |block, text| {
                // SAFETY: as above.
                unsafe { encode_block_avx2(block, text) }
            }
        }
    }

    /// Loads 32 bytes, in memory order.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn load32(bytes: &[u8; 32]) -> __m256i {
        // SAFETY: 32 readable bytes; the unaligned load needs no alignment.
        unsafe { _mm256_loadu_si256(bytes.as_ptr().cast()) }
    }

    /// Stores 32 bytes, in memory order.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn store32(bytes: &mut [u8; 32], vector: __m256i) {
        // SAFETY: 32 writable bytes; the unaligned store needs no alignment.
        unsafe { _mm256_storeu_si256(bytes.as_mut_ptr().cast(), vector) }
    }

    fn thirty_two(slice: &[u8], at: usize) -> &[u8; 32] {
        let Some((bytes, _)) = slice[at..].split_first_chunk::<32>() else {
            unreachable!("the blocks are sized for their 32-byte loads")
        };
        bytes
    }

    fn thirty_two_mut(slice: &mut [u8], at: usize) -> &mut [u8; 32] {
        let Some((bytes, _)) = slice[at..].split_first_chunk_mut::<32>() else {
            unreachable!("the blocks are sized for their 32-byte stores")
        };
        bytes
    }

    /// A 16-byte table in both halves of a 32-byte register.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn twice(table: __m128i) -> __m256i {
        _mm256_broadcastsi128_si256(table)
    }

    /// [`decode_block`] on 32 characters per step instead of 16. AVX2's
    /// byte shuffle looks up within each 16-byte half of a register, so
    /// each half does exactly what one SSSE3 step does, with the same
    /// tables in both halves. The one new step is at the end: each half
    /// holds its 12 bytes at its start, and a shuffle of 32-bit words
    /// (words 0-2 and 4-6) puts the 24 bytes side by side.
    #[target_feature(enable = "avx2")]
    fn decode_block_avx2(block: &[u8; BLOCK], bytes: &mut [u8; BLOCK_BYTES]) -> bool {
        let by_low = twice(_mm_setr_epi8(
            0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x13, 0x1A, 0x1B, 0x1B,
            0x1B, 0x1A,
        ));
        let by_high = twice(_mm_setr_epi8(
            0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10,
            0x10, 0x10,
        ));
        let shift_by_row = twice(_mm_setr_epi8(
            0, 16, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0,
        ));
        let nibble = _mm256_set1_epi8(0x0F);
        let slash = _mm256_set1_epi8(b'/' as i8);
        let join_values = _mm256_set1_epi32(0x0140_0140);
        let join_pairs = _mm256_set1_epi32(0x0001_1000);
        let pick_bytes = twice(_mm_setr_epi8(
            2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1,
        ));
        let side_by_side = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 3, 7);

        let mut bad = _mm256_setzero_si256();
        // Two 32-byte stores of 24 bytes each: room for the second one's
        // eight spare bytes.
        let mut out = [0u8; BLOCK_BYTES + 8];
        for i in 0..2 {
            let text = load32(thirty_two(block, 32 * i));
            let low = _mm256_and_si256(text, nibble);
            let high = _mm256_and_si256(_mm256_srli_epi32::<4>(text), nibble);
            let check = _mm256_and_si256(
                _mm256_shuffle_epi8(by_low, low),
                _mm256_shuffle_epi8(by_high, high),
            );
            bad = _mm256_or_si256(bad, check);
            let row = _mm256_add_epi8(high, _mm256_cmpeq_epi8(text, slash));
            let values = _mm256_add_epi8(text, _mm256_shuffle_epi8(shift_by_row, row));
            let pairs = _mm256_maddubs_epi16(values, join_values);
            let groups = _mm256_madd_epi16(pairs, join_pairs);
            let halves = _mm256_shuffle_epi8(groups, pick_bytes);
            store32(
                thirty_two_mut(&mut out, 24 * i),
                _mm256_permutevar8x32_epi32(halves, side_by_side),
            );
        }
        bytes.copy_from_slice(&out[..BLOCK_BYTES]);
        _mm256_movemask_epi8(_mm256_cmpeq_epi8(bad, _mm256_setzero_si256())) == -1
    }

    /// [`encode_block`] on 24 bytes per step instead of 12: each 16-byte
    /// half of the register is loaded on its own (12 bytes apart), and then
    /// treated exactly as one SSSE3 step. The block's last load starts 4
    /// bytes early, as there, and its half of the spreading table is the
    /// shifted one.
    #[target_feature(enable = "avx2")]
    fn encode_block_avx2(block: &[u8; BLOCK_BYTES], text: &mut [u8; BLOCK]) {
        let spread = _mm_setr_epi8(1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10);
        let spread_last = _mm_setr_epi8(5, 4, 6, 5, 8, 7, 9, 8, 11, 10, 12, 11, 14, 13, 15, 14);
        let first_third = _mm256_set1_epi32(0x0FC0_FC00);
        let shift_right = _mm256_set1_epi32(0x0400_0040);
        let second_fourth = _mm256_set1_epi32(0x003F_03F0);
        let shift_left = _mm256_set1_epi32(0x0100_0010);
        let fifty_one = _mm256_set1_epi8(51);
        let twenty_six = _mm256_set1_epi8(26);
        let thirteen = _mm256_set1_epi8(13);
        let distance = twice(_mm_setr_epi8(
            71, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -19, -16, 65, 0, 0,
        ));

        for i in 0..2 {
            // Bytes 0-11 and 12-23 of this step's 24, one per half.
            let (low_half, high_half, high_spread) = if i == 0 {
                (load(sixteen(block, 0)), load(sixteen(block, 12)), spread)
            } else {
                (
                    load(sixteen(block, 24)),
                    load(sixteen(block, 32)),
                    spread_last,
                )
            };
            let bytes = _mm256_shuffle_epi8(
                _mm256_set_m128i(high_half, low_half),
                _mm256_set_m128i(high_spread, spread),
            );
            let values_0_2 = _mm256_mulhi_epu16(_mm256_and_si256(bytes, first_third), shift_right);
            let values_1_3 = _mm256_mullo_epi16(_mm256_and_si256(bytes, second_fourth), shift_left);
            let values = _mm256_or_si256(values_0_2, values_1_3);
            let range = _mm256_or_si256(
                _mm256_subs_epu8(values, fifty_one),
                _mm256_and_si256(_mm256_cmpgt_epi8(twenty_six, values), thirteen),
            );
            let chars = _mm256_add_epi8(values, _mm256_shuffle_epi8(distance, range));
            store32(thirty_two_mut(text, 32 * i), chars);
        }
    }
}

/// The 6-bit value of base64 character `c`, or a value with the
/// [`INVALID`] bit set if `c` is not in the alphabet. It agrees with
/// [`DECODE_TABLE`] (a test checks all 256 bytes); it computes instead of
/// looking up, so that a loop over many characters can be vectorised.
#[inline(always)]
fn sextet(c: u8) -> u8 {
    // All ones where `yes`, else zero: a selection without a branch.
    let mask = |yes: bool| 0u8.wrapping_sub(u8::from(yes));
    let upper = mask(c.wrapping_sub(b'A') < 26); // 'A'..='Z' -> 0..=25
    let lower = mask(c.wrapping_sub(b'a') < 26); // 'a'..='z' -> 26..=51
    let digit = mask(c.wrapping_sub(b'0') < 10); // '0'..='9' -> 52..=61
    let plus = mask(c == b'+'); // 62
    let slash = mask(c == b'/'); // 63
    let value = (upper & c.wrapping_sub(b'A'))
        | (lower & c.wrapping_sub(b'a' - 26))
        | (digit & c.wrapping_add(52 - b'0'))
        | (plus & 62)
        | (slash & 63);
    value | (!(upper | lower | digit | plus | slash) & INVALID)
}

/// Four 6-bit values, read as one 24-bit number, are three bytes.
#[inline(always)]
fn join_group([v0, v1, v2, v3]: [u8; 4]) -> [u8; 3] {
    let bits = u32::from(v0) << 18 | u32::from(v1) << 12 | u32::from(v2) << 6 | u32::from(v3);
    let [_, b0, b1, b2] = bits.to_be_bytes();
    [b0, b1, b2]
}

/// Eight 6-bit values are six bytes: [`join_group`] twice over, done on
/// all eight at once inside one `u64` (shifts and masks move every value
/// of the word in the same step). The six bytes are the top six of the
/// result, most significant first.
#[inline(always)]
fn join_two_groups(values: [u8; 8]) -> u64 {
    // Byte i of `w` is value i.
    let w = u64::from_le_bytes(values);
    // Each 16-bit lane: its first value (6 bits) then its second: 12 bits.
    let pairs = ((w & 0x00FF_00FF_00FF_00FF) << 6) | ((w >> 8) & 0x00FF_00FF_00FF_00FF);
    // Each 32-bit lane: its first 12 bits then its second: 24 bits, which
    // are one group's three bytes.
    let groups = ((pairs & 0x0000_FFFF_0000_FFFF) << 12) | ((pairs >> 16) & 0x0000_FFFF_0000_FFFF);
    (groups & 0xFF_FFFF) << 40 | (groups >> 32) << 16
}

/// The error in a block the fast check found a bad character in.
#[cold]
fn block_error(block: &[u8; BLOCK], offset: usize) -> DecodeError {
    let (groups, _) = block.as_chunks::<4>();
    for (index, group) in groups.iter().enumerate() {
        if group
            .iter()
            .any(|&c| DECODE_TABLE[usize::from(c)] == INVALID)
        {
            return group_error(group, offset + index * 4);
        }
    }
    unreachable!("block_error is only called for a block with an invalid character")
}

/// Finds the first character of a group (not the last group) that is not in
/// the alphabet, and says why. Only called once the fast check has failed.
#[cold]
fn group_error(group: &[u8; 4], offset: usize) -> DecodeError {
    for (position, &c) in group.iter().enumerate() {
        if DECODE_TABLE[usize::from(c)] == INVALID {
            return char_error(c, offset + position);
        }
    }
    unreachable!("group_error is only called for a group with an invalid character")
}

/// The error for a character that is not in the alphabet: a `=` that stands
/// where padding may not, or any other byte.
fn char_error(byte: u8, offset: usize) -> DecodeError {
    if byte == PAD {
        DecodeError::InvalidPadding { offset }
    } else {
        DecodeError::InvalidByte { offset, byte }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::{Rng, RngExt, SeedableRng};

    /// The test vectors of RFC 4648 section 10.
    const RFC_VECTORS: [(&str, &str); 7] = [
        ("", ""),
        ("f", "Zg=="),
        ("fo", "Zm8="),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="),
        ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ];

    /// The seed for the randomized tests (see `crate::test_seed`).
    fn test_seed() -> u64 {
        crate::test_seed::seed("base64", 0x6234_3634) // "b464"
    }

    #[test]
    fn the_computed_values_and_characters_agree_with_the_tables() {
        for c in 0..=255u8 {
            let table = DECODE_TABLE[usize::from(c)];
            let computed = sextet(c);
            if table == INVALID {
                assert!(computed & 0x80 != 0, "{c:#04x} must be invalid");
            } else {
                assert_eq!(computed, table, "{c:#04x}");
            }
        }
        for (v, &c) in ALPHABET.iter().enumerate() {
            assert_eq!(sextet_char(v as u8), c, "value {v}");
        }
    }

    /// Every way of doing a block this CPU offers, the portable one first.
    fn every_backend() -> Vec<Blocks> {
        #[allow(unused_mut)]
        let mut all = vec![Blocks::Portable];
        #[cfg(target_arch = "x86_64")]
        {
            all.extend(x86::Ssse3::detect().map(Blocks::Ssse3));
            all.extend(x86::Avx2::detect().map(Blocks::Avx2));
        }
        all
    }

    #[test]
    fn every_backend_decodes_and_refuses_blocks_alike() {
        // A valid block, then every one of the 256 bytes at each of its 64
        // places: valid or not, and the same bytes when valid.
        let mut rng = StdRng::seed_from_u64(test_seed());
        let mut plain = [0u8; BLOCK_BYTES];
        rng.fill_bytes(&mut plain);
        let mut block = [0u8; BLOCK];
        encode_block_portable(&plain, &mut block);
        for backend in every_backend() {
            let decode = backend.decoder();
            let mut bytes = [0u8; BLOCK_BYTES];
            assert!(decode(&block, &mut bytes), "{backend:?}");
            assert_eq!(bytes, plain, "{backend:?}");
            for place in 0..BLOCK {
                for c in 0..=255u8 {
                    let mut changed = block;
                    changed[place] = c;
                    let mut expected = [0u8; BLOCK_BYTES];
                    let valid = decode_block_portable(&changed, &mut expected);
                    assert_eq!(valid, DECODE_TABLE[usize::from(c)] != INVALID);
                    let mut got = [0u8; BLOCK_BYTES];
                    assert_eq!(
                        decode(&changed, &mut got),
                        valid,
                        "{backend:?}: {c:#04x} at {place}"
                    );
                    if valid {
                        assert_eq!(got, expected, "{backend:?}: {c:#04x} at {place}");
                    }
                }
            }
        }
    }

    #[test]
    fn every_backend_encodes_blocks_alike() {
        let mut rng = StdRng::seed_from_u64(test_seed());
        // Random blocks, and blocks that use every value at every place.
        let mut blocks: Vec<[u8; BLOCK_BYTES]> = (0..1000)
            .map(|_| {
                let mut block = [0u8; BLOCK_BYTES];
                rng.fill_bytes(&mut block);
                block
            })
            .collect();
        for byte in 0..=255u8 {
            blocks.push([byte; BLOCK_BYTES]);
        }
        for block in &blocks {
            let mut expected = [0u8; BLOCK];
            encode_block_portable(block, &mut expected);
            // The portable block is the plain group-by-group encoding.
            let (groups, _) = block.as_chunks::<3>();
            let plain: Vec<u8> = groups.iter().flat_map(|g| encode_group(*g)).collect();
            assert_eq!(expected.as_slice(), plain.as_slice());
            for backend in every_backend() {
                let mut text = [0u8; BLOCK];
                backend.encoder()(block, &mut text);
                assert_eq!(text, expected, "{backend:?}");
            }
        }
    }

    #[test]
    fn rfc_4648_vectors_encode() {
        for (plain, encoded) in RFC_VECTORS {
            assert_eq!(encode(plain.as_bytes()), encoded, "encode({plain:?})");
            assert_eq!(encoded_len(plain.len()), encoded.len());
        }
    }

    #[test]
    fn rfc_4648_vectors_decode() {
        for (plain, encoded) in RFC_VECTORS {
            assert_eq!(
                decode(encoded),
                Ok(plain.as_bytes().to_vec()),
                "{encoded:?}"
            );
            assert!(decoded_len_max(encoded.len()) >= plain.len());
        }
    }

    #[test]
    fn all_256_byte_values_encode_as_other_implementations_do() {
        // Written by Python's base64.b64encode(bytes(range(256))).
        let expected = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7\
                        PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3\
                        eHl6e3x9fn+AgYKDhIWGh4iJiouMjY6PkJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmqq6ytrq+wsbKz\
                        tLW2t7i5uru8vb6/wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t/g4eLj5OXm5+jp6uvs7e7v\
                        8PHy8/T19vf4+fr7/P3+/w==";
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(encode(&all), expected);
        assert_eq!(decode(expected), Ok(all));
    }

    #[test]
    fn every_single_byte_and_every_pair_round_trips() {
        for a in 0..=255u8 {
            assert_eq!(decode(&encode(&[a])), Ok(vec![a]));
            for b in 0..=255u8 {
                assert_eq!(decode(&encode(&[a, b])), Ok(vec![a, b]));
            }
        }
    }

    #[test]
    fn every_byte_value_is_accepted_exactly_when_it_is_in_the_alphabet() {
        for byte in 0..=255u8 {
            let text = [b'A', b'A', b'A', byte];
            let result = decode_into(&text, &mut Vec::new());
            if ALPHABET.contains(&byte) || byte == PAD {
                assert_eq!(result, Ok(()), "byte 0x{byte:02x}");
            } else {
                assert_eq!(result, Err(DecodeError::InvalidByte { offset: 3, byte }));
            }
            // The same byte in a group that is not the last one.
            let text = [byte, b'A', b'A', b'A', b'A', b'A', b'A', b'A'];
            let expected = if ALPHABET.contains(&byte) {
                Ok(())
            } else {
                Err(char_error(byte, 0))
            };
            assert_eq!(decode_into(&text, &mut Vec::new()), expected);
        }
    }

    #[test]
    fn length_not_a_multiple_of_4_is_rejected() {
        for len in [1, 2, 3, 5, 6, 7, 9] {
            let text = "A".repeat(len);
            assert_eq!(decode(&text), Err(DecodeError::InvalidLength { len }));
        }
        // Missing padding counts too: this decoder does not guess.
        assert_eq!(decode("Zg"), Err(DecodeError::InvalidLength { len: 2 }));
    }

    #[test]
    fn invalid_byte_reports_its_offset() {
        assert_eq!(
            decode("Zm9v*mFy"),
            Err(DecodeError::InvalidByte {
                offset: 4,
                byte: b'*'
            })
        );
        assert_eq!(
            decode("Zm9vYmF-"),
            Err(DecodeError::InvalidByte {
                offset: 7,
                byte: b'-'
            })
        );
        // Whitespace and line breaks are not skipped.
        assert_eq!(
            decode("Zm9v\nmFy"),
            Err(DecodeError::InvalidByte {
                offset: 4,
                byte: b'\n'
            })
        );
        // Non-ASCII text is reported at its first byte.
        assert_eq!(
            decode("Zm9vé=="),
            Err(DecodeError::InvalidByte {
                offset: 4,
                byte: 0xC3
            })
        );
        // The first problem wins.
        assert_eq!(
            decode("Z!9v*mFy"),
            Err(DecodeError::InvalidByte {
                offset: 1,
                byte: b'!'
            })
        );
    }

    #[test]
    fn padding_anywhere_but_the_end_is_rejected() {
        let cases = [
            ("Zg==Zm9v", 2), // padding in a group that is not the last
            ("Zm=v", 2),     // `=` followed by data
            ("Z===", 1),     // three `=`: a single character carries no byte
            ("====", 0),
            ("=m9v", 0),
            ("Zm9v=m9v", 4),
        ];
        for (text, offset) in cases {
            assert_eq!(
                decode(text),
                Err(DecodeError::InvalidPadding { offset }),
                "{text:?}"
            );
        }
    }

    #[test]
    fn non_zero_bits_before_padding_are_rejected() {
        // "Zg==" is 'f'; 'h' sets a bit the padding says is unused.
        assert_eq!(
            decode("Zh=="),
            Err(DecodeError::InvalidPadding { offset: 1 })
        );
        // "Zm8=" is "fo"; '9' sets one of the two unused bits.
        assert_eq!(
            decode("Zm9="),
            Err(DecodeError::InvalidPadding { offset: 2 })
        );
        assert_eq!(
            decode("Zm9vZm9="),
            Err(DecodeError::InvalidPadding { offset: 6 })
        );
        // The RFC's own example of the ambiguity.
        assert_eq!(decode("QQ=="), Ok(b"A".to_vec()));
        assert_eq!(
            decode("QR=="),
            Err(DecodeError::InvalidPadding { offset: 1 })
        );
    }

    #[test]
    fn decode_into_appends_and_leaves_out_untouched_on_error() {
        let mut out = b"kept".to_vec();
        assert_eq!(decode_into(b"Zm9v", &mut out), Ok(()));
        assert_eq!(out, b"keptfoo");

        for bad in [&b"Zm9"[..], b"Zm9vYm*y", b"Zm9vYm=y", b"Zm9="] {
            let mut out = b"kept".to_vec();
            assert!(decode_into(bad, &mut out).is_err());
            assert_eq!(out, b"kept", "{bad:?}");
        }
    }

    #[test]
    fn encode_into_appends() {
        let mut text = String::from("data: ");
        encode_into(b"foo", &mut text);
        encode_into(b"ba", &mut text);
        assert_eq!(text, "data: Zm9vYmE=");
    }

    #[test]
    fn long_input_spanning_several_pieces_round_trips() {
        // Longer than encode_into's stack buffer, and not a multiple of it.
        let bytes: Vec<u8> = (0..10_000u32).map(|i| (i * 7 + i / 256) as u8).collect();
        let text = encode(&bytes);
        assert_eq!(text.len(), encoded_len(bytes.len()));
        assert_eq!(decode(&text), Ok(bytes));
    }

    #[test]
    fn error_messages_read_as_sentences() {
        let byte = DecodeError::InvalidByte {
            offset: 17,
            byte: 0x2a,
        };
        assert_eq!(byte.to_string(), "invalid base64 character 0x2a at byte 17");
        let length = DecodeError::InvalidLength { len: 5 };
        assert_eq!(
            length.to_string(),
            "base64 text must be a multiple of 4 characters long, but it is 5"
        );
        let padding = DecodeError::InvalidPadding { offset: 3 }.to_string();
        assert!(
            padding.starts_with("invalid base64 padding at byte 3"),
            "{padding}"
        );
    }

    #[test]
    fn random_bytes_round_trip() {
        let seed = test_seed();
        let mut rng = StdRng::seed_from_u64(seed);
        let mut text = String::new();
        let mut decoded = Vec::new();
        for _ in 0..5_000 {
            let len = if rng.random_range(0..10) == 0 {
                rng.random_range(0..20_000)
            } else {
                rng.random_range(0..100)
            };
            let mut bytes = vec![0u8; len];
            rng.fill_bytes(&mut bytes);

            text.clear();
            encode_into(&bytes, &mut text);
            assert_eq!(text.len(), encoded_len(len), "seed {seed}");

            decoded.clear();
            assert_eq!(
                decode_into(text.as_bytes(), &mut decoded),
                Ok(()),
                "seed {seed}"
            );
            assert_eq!(decoded, bytes, "seed {seed}");
        }
    }

    #[test]
    fn random_garbage_never_panics_and_only_canonical_text_is_accepted() {
        // Characters biased towards ones that are almost valid, so the decoder
        // sees plenty of padding in odd places and near-miss bytes.
        const INTERESTING: &[u8] = b"AZaz09+/=-_ \n.\0\xC3\xFF";
        let seed = test_seed();
        let mut rng = StdRng::seed_from_u64(seed);
        for _ in 0..20_000 {
            let len = 4 * rng.random_range(0..6) + rng.random_range(0..2) * rng.random_range(0..4);
            let text: Vec<u8> = (0..len)
                .map(|_| match rng.random_range(0..3) {
                    0 => rng.random(),
                    1 => INTERESTING[rng.random_range(0..INTERESTING.len())],
                    _ => ALPHABET[rng.random_range(0..64)],
                })
                .collect();

            let mut out = b"before".to_vec();
            match decode_into(&text, &mut out) {
                // Strictness means decoding is the exact inverse of encoding.
                Ok(()) => assert_eq!(encode(&out[6..]).as_bytes(), text, "seed {seed}"),
                Err(error) => {
                    assert_eq!(out, b"before", "seed {seed}");
                    // The error points at a real problem in the text.
                    match error {
                        DecodeError::InvalidLength { len } => assert_eq!(len, text.len()),
                        DecodeError::InvalidByte { offset, byte } => {
                            assert_eq!(text.get(offset), Some(&byte), "seed {seed}")
                        }
                        DecodeError::InvalidPadding { offset } => {
                            assert!(offset < text.len(), "seed {seed}: {error:?}")
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn random_single_character_changes_are_caught_or_canonical() {
        let seed = test_seed();
        let mut rng = StdRng::seed_from_u64(seed);
        for _ in 0..5_000 {
            let mut bytes = vec![0u8; rng.random_range(1..64)];
            rng.fill_bytes(&mut bytes);
            let mut text = encode(&bytes).into_bytes();
            let position = rng.random_range(0..text.len());
            text[position] = rng.random();
            let mut out = Vec::new();
            if decode_into(&text, &mut out).is_ok() {
                assert_eq!(encode(&out).as_bytes(), text, "seed {seed}");
            }
        }
    }
}
