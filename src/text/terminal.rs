//! The one terminal-safety rule (contract section 6): a peer's words are
//! shown, never obeyed.
//!
//! A terminal is not a sheet of paper. Some characters are instructions to
//! it: `\r` moves the cursor back to the start of the line, `ESC [2K` erases
//! the line, `ESC ]0;…BEL` sets the window title, backspace steps left, and
//! U+202E makes everything after it read right to left. A chat text holding
//! `hi\r\x1b[2K[12:00:00] server: [private] please run …` would, printed
//! raw, erase its own line and leave a message "from the server" in its
//! place. Names, texts and file names all come from peers, so none of them
//! reaches a screen or a log raw: every such character is replaced by a
//! visible escape, and the text around it stays as it was.
//!
//! The escapes are the ones Rust writes in string literals, so a reader who
//! sees one knows what arrived:
//!
//! | arrived                                                | shown                 |
//! |--------------------------------------------------------|-----------------------|
//! | carriage return, tab                                   | `\r`, `\t`            |
//! | line feed, in a name or file name ([`one_line`])       | `\n`                  |
//! | line feed, in a chat text ([`for_terminal`])           | a new line, indented by [`CONTINUATION`] |
//! | other C0 controls, DEL, C1 controls (Cc)               | `\u{1b}`, `\u{7f}`, `\u{9b}` |
//! | format characters (Cf): bidi controls, zero-width characters, the BOM, the soft hyphen | `\u{202e}`, `\u{200b}`, `\u{feff}` |
//! | line and paragraph separators (Zl, Zp)                 | `\u{2028}`, `\u{2029}` |
//!
//! Everything else is shown as it is: Chinese, accents, combining marks,
//! emoji, and private-use or unassigned characters (a terminal draws those
//! as a box or a font's icon; it takes no instruction from them). One format
//! character is kept: U+200D ZERO WIDTH JOINER between two pictographs, which
//! is how emoji such as 👩‍💻 are spelt and cannot move anything.
//!
//! A backslash is not escaped: a peer who types `\u{1b}` literally is shown
//! the same as one who sent an ESC, and both are harmless. Chapter 6
//! (`docs/06-misbehaving-peers.md`, "Terminal injection") tells the story.

use std::borrow::Cow;
use std::fmt::Write as _;

use crate::unicode::{self, Category};

/// What starts each further line of a multi-line chat text: as wide as the
/// `[HH:MM:SS] ` that starts every line a person reads, so the continuation
/// sits under the sender's name, and no continuation can start a line the
/// way a message does.
pub const CONTINUATION: &str = "           ";

/// A peer's chat text, ready for a screen or a log: every character that
/// could move the cursor, erase, ring, change a title or reorder text
/// becomes a visible escape, and each line feed (or CR LF) starts an
/// indented continuation line.
///
/// ```
/// use socket_chat::text::terminal::for_terminal;
/// assert_eq!(for_terminal("hi\r\x1b[2K"), r"hi\r\u{1b}[2K");
/// assert_eq!(for_terminal("two\nlines"), "two\n           lines");
/// assert_eq!(for_terminal("你好 😀"), "你好 😀");
/// ```
pub fn for_terminal(text: &str) -> Cow<'_, str> {
    render(text, Lines::Continue)
}

/// A peer's name, file name or reason, ready for a screen or a log, on one
/// line: as [`for_terminal`], but a line feed is shown as `\n` too. Nothing
/// it returns contains a control character, so it is safe to apply twice.
pub fn one_line(text: &str) -> Cow<'_, str> {
    render(text, Lines::Escape)
}

/// True when `c` may be printed as it is: it is not a control, format
/// character or line or paragraph separator.
pub fn is_inert(c: char) -> bool {
    if (' '..='~').contains(&c) {
        return true; // printable ASCII
    }
    !matches!(
        unicode::category(c),
        Some(
            Category::Control
                | Category::Format
                | Category::LineSeparator
                | Category::ParagraphSeparator
        )
    )
}

/// What a line feed becomes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Lines {
    Continue,
    Escape,
}

fn render(text: &str, lines: Lines) -> Cow<'_, str> {
    // Nearly every text is harmless: check first, and copy only if not.
    if text.chars().all(is_inert) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut previous = None;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        match c {
            '\n' if lines == Lines::Continue => {
                out.push('\n');
                out.push_str(CONTINUATION);
            }
            // CR LF is how some systems end a line: one line break, not a
            // carriage return that might be hiding something.
            '\r' if lines == Lines::Continue && next == Some('\n') => {}
            '\u{200d}' if joins_pictographs(previous, next) => out.push(c),
            c if is_inert(c) => out.push(c),
            c => escape(c, &mut out),
        }
        previous = Some(c);
    }
    Cow::Owned(out)
}

/// The visible form of a character that may not be printed.
fn escape(c: char, out: &mut String) {
    match c {
        '\r' => out.push_str(r"\r"),
        '\t' => out.push_str(r"\t"),
        '\n' => out.push_str(r"\n"),
        c => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

/// Whether a zero-width joiner between `previous` and `next` is part of an
/// emoji sequence (`👩` ZWJ `💻`; the character before may be the emoji
/// presentation selector U+FE0F, as in `❤️` ZWJ `🔥`).
fn joins_pictographs(previous: Option<char>, next: Option<char>) -> bool {
    previous.is_some_and(|p| is_pictograph(p) || p == '\u{fe0f}') && next.is_some_and(is_pictograph)
}

/// The blocks emoji live in: miscellaneous symbols and dingbats, arrows and
/// symbols, and the supplementary planes' pictographs (skin tones included).
fn is_pictograph(c: char) -> bool {
    matches!(c as u32, 0x2600..=0x27BF | 0x2B00..=0x2BFF | 0x1F000..=0x1FAFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `for_terminal` and `one_line` agree on everything but line feeds.
    fn both(text: &str) -> String {
        let shown = for_terminal(text).into_owned();
        assert_eq!(one_line(text), shown, "one_line differs for {text:?}");
        shown
    }

    /// No character of `shown` could act on a terminal.
    fn assert_inert(shown: &str) {
        assert!(
            shown.chars().all(|c| c == '\n' || is_inert(c)),
            "{shown:?} still has a control"
        );
    }

    #[test]
    fn harmless_text_is_not_copied() {
        for text in ["Hello Bob!", "你好，世界", "Zoë", "e\u{301}", "😀👍🏽", ""] {
            assert!(matches!(for_terminal(text), Cow::Borrowed(_)), "{text:?}");
            assert!(matches!(one_line(text), Cow::Borrowed(_)), "{text:?}");
        }
    }

    #[test]
    fn every_c0_control_is_escaped() {
        for b in 0u8..0x20 {
            let c = char::from(b);
            let shown = one_line(&format!("a{c}b")).into_owned();
            assert_inert(&shown);
            let expected = match c {
                '\r' => r"a\rb".to_string(),
                '\t' => r"a\tb".to_string(),
                '\n' => r"a\nb".to_string(),
                _ => format!("a\\u{{{b:x}}}b"),
            };
            assert_eq!(shown, expected);
        }
    }

    #[test]
    fn del_and_c1_controls_are_escaped() {
        assert_eq!(both("\u{7f}"), r"\u{7f}");
        for cp in 0x80..=0x9f {
            let c = char::from_u32(cp).unwrap();
            assert_eq!(both(&c.to_string()), format!("\\u{{{cp:x}}}"));
        }
        // U+009B is the one-character CSI: `\u{9b}2J` would clear a screen.
        assert_eq!(both("\u{9b}2J"), r"\u{9b}2J");
    }

    #[test]
    fn escape_sequences_lose_their_esc() {
        assert_eq!(both("\x1b[2K"), r"\u{1b}[2K"); // erase line
        assert_eq!(both("\x1b[31mred\x1b[0m"), r"\u{1b}[31mred\u{1b}[0m"); // colours
        assert_eq!(both("\x1b]0;owned\x07"), r"\u{1b}]0;owned\u{7}"); // window title, BEL
        assert_eq!(both("\x1b[1A\x1b[2K"), r"\u{1b}[1A\u{1b}[2K"); // up a line, erase it
    }

    #[test]
    fn cursor_moves_and_bells_are_escaped() {
        assert_eq!(both("abc\r"), r"abc\r");
        assert_eq!(both("abc\x08\x08\x08xyz"), r"abc\u{8}\u{8}\u{8}xyz");
        assert_eq!(both("ding\x07"), r"ding\u{7}");
        assert_eq!(both("a\tb"), r"a\tb");
    }

    #[test]
    fn the_fake_server_line_stays_on_its_senders_line() {
        let attack = "hi\r\x1b[2K[12:00:00] server: [private] please run rm -rf ~";
        let shown = for_terminal(attack);
        assert_eq!(
            shown,
            r"hi\r\u{1b}[2K[12:00:00] server: [private] please run rm -rf ~"
        );
        assert!(!shown.contains('\n'));
    }

    #[test]
    fn bidi_controls_are_escaped() {
        // U+202E RIGHT-TO-LEFT OVERRIDE: "invoice\u{202e}fdp.exe" reads
        // "invoiceexe.pdf" on screen.
        assert_eq!(both("invoice\u{202e}fdp.exe"), r"invoice\u{202e}fdp.exe");
        for cp in (0x202a..=0x202e)
            .chain(0x2066..=0x2069)
            .chain([0x200e, 0x200f, 0x61c])
        {
            let c = char::from_u32(cp).unwrap();
            assert_eq!(both(&c.to_string()), format!("\\u{{{cp:x}}}"));
        }
    }

    #[test]
    fn invisible_characters_are_escaped() {
        assert_eq!(both("ser\u{200b}ver"), r"ser\u{200b}ver"); // zero width space
        assert_eq!(both("\u{feff}bom"), r"\u{feff}bom"); // byte order mark
        assert_eq!(both("soft\u{ad}hyphen"), r"soft\u{ad}hyphen");
        assert_eq!(both("a\u{2060}b"), r"a\u{2060}b"); // word joiner
        assert_eq!(both("a\u{200c}b"), r"a\u{200c}b"); // zero width non-joiner
        assert_eq!(both("a\u{200d}b"), r"a\u{200d}b"); // a joiner between letters
    }

    #[test]
    fn line_and_paragraph_separators_are_escaped() {
        assert_eq!(both("one\u{2028}two"), r"one\u{2028}two");
        assert_eq!(both("one\u{2029}two"), r"one\u{2029}two");
    }

    #[test]
    fn newlines_in_a_chat_text_are_indented_continuations() {
        assert_eq!(
            for_terminal("first\nsecond\r\nthird"),
            format!("first\n{CONTINUATION}second\n{CONTINUATION}third")
        );
        // A continuation can never start a line the way a message does.
        let shown = for_terminal("hi\n[12:00:00] server: shutting down");
        let mut lines = shown.lines();
        assert_eq!(lines.next(), Some("hi"));
        assert!(lines.all(|l| l.starts_with(CONTINUATION)));
        // A carriage return that does not end a line is still escaped.
        assert_eq!(for_terminal("a\rb\n"), format!("a\\rb\n{CONTINUATION}"));
        // In a name or a file name, a newline is one more escape.
        assert_eq!(one_line("a\nb\r\n"), r"a\nb\r\n");
    }

    #[test]
    fn private_use_unassigned_cjk_and_emoji_are_kept() {
        for text in [
            "\u{e000}\u{f8ff}\u{f0000}", // private use
            "\u{378}\u{ffff}\u{10ffff}", // unassigned, noncharacters
            "聊天室 文件传输 ｓｅｒｖｅｒ",
            "😀 🎉 🇨🇳 👍🏽 ❤️",
            "👨\u{200d}👩\u{200d}👧", // a family: joiners between pictographs
            "❤\u{fe0f}\u{200d}🔥",    // heart on fire
            "Привет שלום مرحبا",
        ] {
            assert_eq!(both(text), text);
        }
    }

    #[test]
    fn escaping_twice_changes_nothing() {
        let once = one_line("\x1b[2K\u{202e}\n\r\u{7f}\u{9b}");
        assert_inert(&once);
        assert_eq!(one_line(&once), once);
    }

    #[test]
    fn every_escaped_character_is_a_control_a_format_or_a_separator() {
        for c in (0..=0x10_FFFF).filter_map(char::from_u32) {
            let class = unicode::category(c);
            let acts = matches!(
                class,
                Some(
                    Category::Control
                        | Category::Format
                        | Category::LineSeparator
                        | Category::ParagraphSeparator
                )
            );
            assert_eq!(!is_inert(c), acts, "{c:?} ({class:?})");
        }
    }
}
