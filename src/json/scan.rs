//! Finding where a run of plain string bytes ends, eight bytes at a time.
//!
//! Most of the time spent on a file chunk's JSON is spent walking its long
//! base64 string, byte by byte, looking for the rare byte that needs care
//! (a quote, a backslash, a control character). Reading the bytes eight at
//! a time as one `u64` and testing all eight with a few arithmetic steps
//! ("SIMD within a register") does the same walk several times faster,
//! with no `unsafe` and on every processor.
//!
//! The tests below answer "is any byte in this word special?" exactly; when
//! the answer is yes, the caller looks at that word's bytes one by one.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// True if any byte of `x` is zero.
fn has_zero(x: u64) -> bool {
    x.wrapping_sub(ONES) & !x & HIGHS != 0
}

/// True if any byte of `x` equals `b`.
fn has_byte(x: u64, b: u8) -> bool {
    has_zero(x ^ (ONES * u64::from(b)))
}

/// True if any byte of `x` is below `n` (for `n` up to 128).
fn has_below(x: u64, n: u8) -> bool {
    x.wrapping_sub(ONES * u64::from(n)) & !x & HIGHS != 0
}

/// True if any byte of `x` has its high bit set (0x80 or above).
fn has_high(x: u64) -> bool {
    x & HIGHS != 0
}

/// Length of the run at the start of `bytes` with no `"`, `\` or control
/// character: what the parser may copy as it is.
pub fn parse_run(bytes: &[u8]) -> usize {
    run(
        bytes,
        |x| has_byte(x, b'"') || has_byte(x, b'\\') || has_below(x, 0x20),
        |b| b == b'"' || b == b'\\' || b < 0x20,
    )
}

/// Length of the run at the start of `bytes` of printable ASCII other than
/// `"` and `\`: what the encoder may copy as it is.
pub fn encode_run(bytes: &[u8]) -> usize {
    run(
        bytes,
        |x| {
            has_byte(x, b'"')
                || has_byte(x, b'\\')
                || has_below(x, 0x20)
                || has_byte(x, 0x7f)
                || has_high(x)
        },
        |b| b == b'"' || b == b'\\' || !(0x20..0x7f).contains(&b),
    )
}

/// Skips whole words while `word_special` says none of their bytes is
/// special, then finds the first special byte one at a time.
#[inline]
fn run(bytes: &[u8], word_special: impl Fn(u64) -> bool, special: impl Fn(u8) -> bool) -> usize {
    // Text full of escapes (Chinese written as `\u` escapes) calls this
    // once per character; answer that case before setting up the loop.
    match bytes.first() {
        Some(&b) if special(b) => return 0,
        None => return 0,
        Some(_) => {}
    }
    let mut i = 0;
    for chunk in bytes.chunks_exact(8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        if word_special(u64::from_le_bytes(word)) {
            break;
        }
        i += 8;
    }
    i + bytes[i..]
        .iter()
        .position(|&b| special(b))
        .unwrap_or(bytes.len() - i)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The word tests against the plain byte-by-byte definition, for every
    /// byte value in every position of a word.
    #[test]
    fn runs_end_at_the_first_special_byte_wherever_it_is() {
        for special_at in 0..20 {
            for b in 0..=255u8 {
                let mut bytes = vec![b'A'; 20];
                bytes[special_at] = b;
                let parse_special = b == b'"' || b == b'\\' || b < 0x20;
                let encode_special = parse_special || b >= 0x7f;
                let expect = |special: bool| if special { special_at } else { 20 };
                assert_eq!(
                    parse_run(&bytes),
                    expect(parse_special),
                    "parse, byte {b:#04x} at {special_at}"
                );
                assert_eq!(
                    encode_run(&bytes),
                    expect(encode_special),
                    "encode, byte {b:#04x} at {special_at}"
                );
            }
        }
    }

    #[test]
    fn neighbouring_bytes_do_not_fool_the_word_tests() {
        // Borrows between bytes are where such tricks usually go wrong.
        for a in 0..=255u8 {
            for b in [0u8, 0x1f, 0x20, 0x21, 0x22, 0x5c, 0x7e, 0x7f, 0x80, 0xff] {
                let bytes = [a, b, b'x', b'x', b'x', b'x', b'x', b'x', b'x'];
                let naive = bytes
                    .iter()
                    .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
                    .unwrap_or(9);
                assert_eq!(parse_run(&bytes), naive, "{a:#04x} {b:#04x}");
                let naive = bytes
                    .iter()
                    .position(|&c| c == b'"' || c == b'\\' || !(0x20..0x7f).contains(&c))
                    .unwrap_or(9);
                assert_eq!(encode_run(&bytes), naive, "{a:#04x} {b:#04x}");
            }
        }
    }
}
