//! `--trace`: watch every frame go by, on stderr.
//!
//! Reading about framing is one thing; seeing the four length bytes in front
//! of each message is another. Both programs take `--trace` (one line per
//! frame: direction, peer, length, the JSON) and `--trace=hex` (the same,
//! plus a hex dump of the frame's first bytes). `docs/02-message-boundaries.md`
//! uses it.
//!
//! ```text
//! [trace] -> 127.0.0.1:8888 59 bytes {"type": "TEXT", "data": "Hi \ud83d\ude00", "metadata": {}}
//! 0000  00 00 00 3b 7b 22 74 79 70 65 22 3a 20 22 54 45   ...;{"type": "TE
//! ```

use std::fmt::Write as _;
use std::io::{self, Write};

use crate::frame::HEADER_LEN;
use crate::text::terminal::one_line;

/// How much to show of each frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Trace {
    #[default]
    Off,
    /// One line per frame.
    Lines,
    /// One line per frame plus a hex dump of its first bytes.
    Hex,
}

/// Which way a frame went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Sent,
    Received,
}

/// Bytes of each frame shown in a hex dump.
const HEX_BYTES: usize = 64;

impl Trace {
    /// Reads the value of `--trace` (`None` for the bare flag).
    pub fn from_flag(value: Option<&str>) -> Option<Trace> {
        match value {
            None | Some("") | Some("1") | Some("on") | Some("json") => Some(Trace::Lines),
            Some("hex") => Some(Trace::Hex),
            Some("0") | Some("off") => Some(Trace::Off),
            Some(_) => None,
        }
    }

    /// Reports one frame, given its body (the header is rebuilt for the dump).
    pub fn frame(self, direction: Direction, peer: &str, body: &[u8]) {
        if self == Trace::Off {
            return;
        }
        let text = self.render(direction, peer, body);
        let _ = io::stderr().lock().write_all(text.as_bytes());
    }

    /// The text [`Trace::frame`] prints.
    pub fn render(self, direction: Direction, peer: &str, body: &[u8]) -> String {
        let arrow = match direction {
            Direction::Sent => "->",
            Direction::Received => "<-",
        };
        // A received body may be anything; show it, but never let it act
        // on the terminal: the one rule every peer text follows.
        let body_text = String::from_utf8_lossy(body);
        let shown = one_line(&body_text);
        let mut out = format!("[trace] {arrow} {peer} {} bytes {shown}\n", body.len());
        if self == Trace::Hex {
            let mut frame = Vec::with_capacity(HEADER_LEN + HEX_BYTES);
            frame.extend_from_slice(&(body.len() as u32).to_be_bytes());
            frame.extend_from_slice(&body[..body.len().min(HEX_BYTES - HEADER_LEN)]);
            out.push_str(&hex_dump(&frame));
        }
        out
    }
}

/// The classic layout: offset, 16 bytes in hex, the same bytes as text
/// (`.` for anything that is not printable ASCII).
pub fn hex_dump(bytes: &[u8]) -> String {
    let mut out = String::new();
    for (row, chunk) in bytes.chunks(16).enumerate() {
        let _ = write!(out, "{:04x} ", row * 16);
        for i in 0..16 {
            match chunk.get(i) {
                Some(b) => {
                    let _ = write!(out, " {b:02x}");
                }
                None => out.push_str("   "),
            }
        }
        out.push_str("   ");
        out.extend(chunk.iter().map(|&b| {
            if (0x20..0x7f).contains(&b) {
                b as char
            } else {
                '.'
            }
        }));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::client::Text;
    use crate::message::{ClientMessage, Message};

    #[test]
    fn the_frame_from_the_protocol_page() {
        let body = ClientMessage::Text(Text {
            text: "Hi 😀".into(),
            to: None,
        })
        .encode();
        let text = Trace::Hex.render(Direction::Sent, "127.0.0.1:8888", &body);
        let mut lines = text.lines();
        assert_eq!(
            lines.next(),
            Some(
                r#"[trace] -> 127.0.0.1:8888 59 bytes {"type": "TEXT", "data": "Hi \ud83d\ude00", "metadata": {}}"#
            )
        );
        assert_eq!(
            lines.next(),
            Some(r#"0000  00 00 00 3b 7b 22 74 79 70 65 22 3a 20 22 54 45   ...;{"type": "TE"#)
        );
        assert_eq!(
            lines.last(),
            Some(r#"0030  22 6d 65 74 61 64 61 74 61 22 3a 20 7b 7d 7d      "metadata": {}}"#)
        );
    }

    #[test]
    fn control_characters_are_not_printed() {
        let text = Trace::Lines.render(Direction::Received, "peer", b"\x1b[2J\xff");
        assert_eq!(text, "[trace] <- peer 5 bytes \\u{1b}[2J\u{fffd}\n");
        // Valid JSON may carry raw format characters and line breaks too.
        let body = "{\"data\":\n\"\u{202e}txt.exe\"}".as_bytes();
        let text = Trace::Lines.render(Direction::Received, "peer", body);
        assert_eq!(
            text,
            concat!(
                r#"[trace] <- peer 22 bytes {"data":\n"\u{202e}txt.exe"}"#,
                "\n"
            )
        );
    }

    #[test]
    fn flag_values() {
        assert_eq!(Trace::from_flag(None), Some(Trace::Lines));
        assert_eq!(Trace::from_flag(Some("hex")), Some(Trace::Hex));
        assert_eq!(Trace::from_flag(Some("off")), Some(Trace::Off));
        assert_eq!(Trace::from_flag(Some("loud")), None);
    }
}
