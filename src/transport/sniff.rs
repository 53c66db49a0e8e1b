//! One port, two protocols: telling an HTTP request from our framing by the
//! first byte a connection sends.
//!
//! A browser cannot open a raw TCP socket; it speaks HTTP, and from HTTP it
//! can upgrade to a WebSocket. Rather than make students run two servers on
//! two ports, the chat server listens on one and looks at what arrives:
//!
//! - An HTTP request starts with its method, and every method a browser sends
//!   (`GET`, `POST`, `HEAD`, `OPTIONS`, ...) is written in capital letters:
//!   the first byte is `A` (0x41) to `Z` (0x5A).
//! - One of our frames starts with its length, a 32-bit big-endian number
//!   (`src/frame.rs`). Its first byte is the length's highest byte.
//!
//! Could a frame start with a capital letter? Only if its length were at
//! least `0x41 00 00 00`:
//!
//! ```text
//! 0x41_00_00_00 = 65 × 2^24 = 65 × 16,777,216 = 1,090,519,040 bytes (1040 MiB)
//! ```
//!
//! and no server accepts frames anywhere near that long: the frame limit is
//! 1 MiB by default, and `--max-frame` is capped at [`MAX_FRAME_CAP`] = 16 MiB
//! = `0x01 00 00 00`, whose first byte is 0x01. So every frame a server could
//! accept starts with 0x00 or 0x01, every HTTP request with 0x41 to 0x5A, and
//! one byte decides. A client that sends neither (a frame far over the limit
//! that happens to start with `G`, or garbage) loses nothing it could have
//! had: its frame would have been refused as too large anyway.
//!
//! The server reads that first byte without consuming it (`TcpStream::peek`)
//! or hands it on to whichever reader takes over; this module only decides.
//! `docs/protocol.md` (section on browsers) states the rule for other
//! implementations.

/// Which protocol a connection speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// An HTTP/1.1 request: the page, or a WebSocket upgrade (`http.rs`).
    Http,
    /// Our own 4-byte length framing (`src/frame.rs`).
    Framed,
}

/// The highest value `--max-frame` may take: 16 MiB. Far more than any
/// message needs (the largest file chunk a sender may choose is 512 KiB), and
/// low enough that the first byte of every frame length up to it is 0x00 or
/// 0x01, never a capital letter. The configuration refuses anything above it.
pub const MAX_FRAME_CAP: usize = 16 * 1024 * 1024;

/// The shortest frame whose length's first byte is a capital letter (`A`,
/// 0x41): 1,090,519,040 bytes.
pub const SHORTEST_LETTER_FRAME: u64 = 0x41 << 24;

// The whole argument in one line the compiler checks: every frame length a
// server may accept is below the shortest that could pass for a letter.
const _: () = assert!((MAX_FRAME_CAP as u64) < SHORTEST_LETTER_FRAME);

/// Decides a connection's protocol from its first byte.
pub fn classify(first_byte: u8) -> Protocol {
    if first_byte.is_ascii_uppercase() {
        Protocol::Http
    } else {
        Protocol::Framed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_methods_are_http() {
        for method in [
            "GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT",
        ] {
            assert_eq!(classify(method.as_bytes()[0]), Protocol::Http, "{method}");
        }
    }

    #[test]
    fn every_acceptable_frame_length_is_framed() {
        // The first byte of a length is its top 8 bits; checking each value
        // the top byte can take below the cap covers every length.
        let mut len = 1u64;
        while len <= MAX_FRAME_CAP as u64 {
            let first = (len as u32).to_be_bytes()[0];
            assert!(first <= 0x01, "length {len} starts with {first:#04x}");
            assert_eq!(classify(first), Protocol::Framed);
            len = (len << 1) | 1;
        }
        assert_eq!((MAX_FRAME_CAP as u32).to_be_bytes()[0], 0x01);
        assert_eq!(classify(0x00), Protocol::Framed);
    }

    #[test]
    fn the_shortest_letter_frame_is_over_a_gigabyte() {
        assert_eq!(SHORTEST_LETTER_FRAME, 1_090_519_040);
        assert_eq!(
            u32::from_be_bytes(*b"A\0\0\0") as u64,
            SHORTEST_LETTER_FRAME
        );
        // "GET " read as a length: what a frame reader would make of a browser.
        assert_eq!(u32::from_be_bytes(*b"GET "), 1_195_725_856);
    }

    #[test]
    fn only_capital_letters_mean_http() {
        for byte in 0..=255u8 {
            // 0x41 is `A`, 0x5A is `Z`.
            let expected = if matches!(byte, 0x41..=0x5A) {
                Protocol::Http
            } else {
                Protocol::Framed
            };
            assert_eq!(classify(byte), expected, "byte {byte:#04x}");
        }
    }
}
