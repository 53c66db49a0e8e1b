//! Finding where a run of plain string bytes ends, many bytes at a time.
//!
//! Most of the time spent on a file chunk's JSON is spent walking its long
//! base64 string, looking for the rare byte that needs care (a quote, a
//! backslash, a control character). Asking "is any byte of these 32
//! special?" with a test that has no early exit, the same few comparisons
//! for every byte OR-ed together, lets the compiler check 16 or 32 bytes
//! per instruction (SIMD), with no `unsafe` and on every processor. Only
//! the block with a special byte in it is then looked at byte by byte.

/// Bytes tested together. A block with a special byte costs one extra pass
/// over at most this many bytes.
const BLOCK: usize = 32;

/// Whether the parser must stop at `b`: a quote, a backslash or a control
/// character. (`|` rather than `||`: no branch, so it vectorises.)
#[inline(always)]
fn parse_special(b: u8) -> bool {
    (b == b'"') | (b == b'\\') | (b < 0x20)
}

/// Whether the encoder must stop at `b`: what the parser stops at, and DEL
/// and every non-ASCII byte (written as `\u` escapes, as Python does).
#[inline(always)]
fn encode_special(b: u8) -> bool {
    (b == b'"') | (b == b'\\') | !(0x20..0x7f).contains(&b)
}

/// Length of the run at the start of `bytes` with no `"`, `\` or control
/// character: what the parser may copy as it is.
pub fn parse_run(bytes: &[u8]) -> usize {
    run(bytes, parse_special)
}

/// Length of the run at the start of `bytes` of printable ASCII other than
/// `"` and `\`: what the encoder may copy as it is.
pub fn encode_run(bytes: &[u8]) -> usize {
    run(bytes, encode_special)
}

/// Skips whole blocks while none of their bytes is special, then finds the
/// first special byte one at a time.
#[inline(always)]
fn run(bytes: &[u8], special: impl Fn(u8) -> bool) -> usize {
    // Text full of escapes (Chinese written as `\u` escapes) calls this
    // once per character; answer that case before setting up the loop.
    match bytes.first() {
        Some(&b) if special(b) => return 0,
        None => return 0,
        Some(_) => {}
    }
    let (blocks, _) = bytes.as_chunks::<BLOCK>();
    let clean = blocks
        .iter()
        .take_while(|block| !block.iter().fold(false, |any, &b| any | special(b)))
        .count();
    let start = clean * BLOCK;
    start
        + bytes[start..]
            .iter()
            .position(|&b| special(b))
            .unwrap_or(bytes.len() - start)
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
    fn neighbouring_bytes_do_not_fool_the_block_test() {
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
