//! The few facts about Unicode characters that the rest of the code needs,
//! and that the standard library does not have.
//!
//! std knows whether a `char` is alphabetic, numeric, white space or a
//! control, but not its *general category*, not its compatibility form and
//! not how many terminal columns it takes. Three rules need exactly that:
//!
//! - names may not contain format characters (U+202E, which reverses the
//!   text after it; U+200B, which is invisible), private-use or unassigned
//!   characters, and may not be `server` written in full-width or
//!   mathematical letters ([`crate::names`]);
//! - peer text shown on a terminal escapes format characters and line
//!   separators as well as controls ([`crate::text::terminal`]);
//! - the line editor keeps the cursor in the right column under wide
//!   (Chinese) and zero-width (combining) characters ([`width`]).
//!
//! The data comes from the Unicode Character Database, through Python's
//! `unicodedata` module: `tests/data/gen_unicode.py` writes `tables.rs` and a
//! plain listing of the same facts, and the test below checks every code
//! point against that listing. Each table is sorted, so each lookup is a
//! binary search: a few hundred rows take at most ten comparisons.
//! Chapter 6 (`docs/06-misbehaving-peers.md`) shows why the rules need them.

use std::cmp::Ordering;

// The generated file lays its rows out several to a line; rustfmt would put
// each on its own line and make the file three times as long.
#[rustfmt::skip]
mod tables;

pub use tables::UNICODE_VERSION;

/// The general categories the rules above tell apart. Every other category
/// (letters, marks, numbers, punctuation, symbols, spaces) is `None` in
/// [`category`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    /// Cc: C0 controls (U+0000–U+001F), DEL and C1 controls (U+007F–U+009F).
    Control,
    /// Cf: invisible characters that change how other text is shown: bidi
    /// overrides and isolates, zero-width spaces and joiners, the BOM.
    Format,
    /// Zl: U+2028 LINE SEPARATOR.
    LineSeparator,
    /// Zp: U+2029 PARAGRAPH SEPARATOR.
    ParagraphSeparator,
    /// Co: private use, which means something different on every machine.
    PrivateUse,
    /// Cn: not assigned in this Unicode version (noncharacters included).
    Unassigned,
}

/// The category of `c`, if it is one of those in [`Category`].
pub fn category(c: char) -> Option<Category> {
    let cp = c as u32;
    find(tables::CATEGORIES, |&(first, last, _)| {
        cmp_range(cp, first, last)
    })
    .map(|&(_, _, category)| category)
}

/// True for a format character (Cf), like U+202E or U+200B.
pub fn is_format(c: char) -> bool {
    category(c) == Some(Category::Format)
}

/// The ASCII letters a non-ASCII character stands for once compatibility
/// forms are folded and case is lowered: `Ｓ` (full width), `ſ` (long s) and
/// `𝐒` (mathematical bold) are all `s`, `ﬀ` is `ff`, `™` is `tm`. `None` for
/// ASCII itself and for every character that does not fold to letters.
pub fn ascii_fold(c: char) -> Option<&'static str> {
    const LETTERS: &str = "abcdefghijklmnopqrstuvwxyz";
    let cp = c as u32;
    if cp < 0x80 {
        return None;
    }
    if let Some(&(first, _, letter)) = find(tables::FOLD_RUNS, |&(first, length, _)| {
        cmp_range(cp, first, first + u32::from(length) - 1)
    }) {
        let at = usize::from(letter - b'a') + (cp - first) as usize;
        return LETTERS.get(at..at + 1);
    }
    find(tables::FOLD_WORDS, |&(at, _)| at.cmp(&cp)).map(|&(_, letters)| letters)
}

/// How many terminal columns `c` takes: 2 for East Asian wide and
/// full-width characters (`你`, most emoji), 0 for combining marks and
/// other zero-width characters (the accent of `e` + U+0301), 1 otherwise.
///
/// Controls count 0: they must never reach a terminal raw, so measure the
/// text [`crate::text::terminal::for_terminal`] made of them instead.
pub fn width(c: char) -> usize {
    let cp = c as u32;
    if (0x20..0x7F).contains(&cp) {
        return 1; // printable ASCII, by far the most common case
    }
    find(tables::WIDTHS, |&(first, last, _)| {
        cmp_range(cp, first, last)
    })
    .map_or(1, |&(_, _, columns)| usize::from(columns))
}

/// How many terminal columns `s` takes: the sum of [`width`] over its
/// characters.
pub fn str_width(s: &str) -> usize {
    s.chars().map(width).sum()
}

/// Where `cp` lies relative to the range `first..=last`, as a binary search
/// over sorted ranges wants it: `Less` when the range is before `cp`.
fn cmp_range(cp: u32, first: u32, last: u32) -> Ordering {
    if last < cp {
        Ordering::Less
    } else if first > cp {
        Ordering::Greater
    } else {
        Ordering::Equal
    }
}

/// The row of a sorted table that `probe` says is `Equal`, if any.
fn find<T>(table: &[T], probe: impl FnMut(&T) -> Ordering) -> Option<&T> {
    table.binary_search_by(probe).ok().map(|i| &table[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Written by `tests/data/gen_unicode.py` in the same run as `tables.rs`.
    const LISTING: &str = include_str!("../../tests/data/unicode_tables.txt");

    /// The listing, expanded to one answer per code point.
    struct Expected {
        version: String,
        category: Vec<Option<Category>>,
        fold: Vec<Option<String>>,
        width: Vec<u8>,
    }

    fn hex(s: &str) -> u32 {
        u32::from_str_radix(s, 16).unwrap_or_else(|_| panic!("bad code point {s:?}"))
    }

    fn range(s: &str) -> std::ops::RangeInclusive<usize> {
        let (first, last) = s.split_once("..").expect("FIRST..LAST");
        hex(first) as usize..=hex(last) as usize
    }

    fn expected() -> Expected {
        let size = 0x11_0000;
        let mut expected = Expected {
            version: String::new(),
            category: vec![None; size],
            fold: vec![None; size],
            width: vec![1; size],
        };
        for line in LISTING.lines().filter(|l| !l.starts_with('#')) {
            let fields: Vec<&str> = line.split(' ').collect();
            match fields[..] {
                ["version", v] => expected.version = v.to_string(),
                ["category", r, c] => {
                    let c = match c {
                        "Cc" => Category::Control,
                        "Cf" => Category::Format,
                        "Zl" => Category::LineSeparator,
                        "Zp" => Category::ParagraphSeparator,
                        "Co" => Category::PrivateUse,
                        "Cn" => Category::Unassigned,
                        other => panic!("unknown category {other}"),
                    };
                    expected.category[range(r)].fill(Some(c));
                }
                ["fold", cp, letters] => expected.fold[hex(cp) as usize] = Some(letters.into()),
                ["width", r, w] => expected.width[range(r)].fill(w.parse().expect("width")),
                _ => panic!("unexpected line {line:?}"),
            }
        }
        expected
    }

    #[test]
    fn every_code_point_agrees_with_the_generators_listing() {
        let expected = expected();
        assert_eq!(expected.version, UNICODE_VERSION);
        // Every `char`: all code points but the surrogates.
        for c in (0..=0x10_FFFF).filter_map(char::from_u32) {
            let cp = c as usize;
            assert_eq!(category(c), expected.category[cp], "category of {c:?}");
            assert_eq!(ascii_fold(c), expected.fold[cp].as_deref(), "fold of {c:?}");
            assert_eq!(width(c), usize::from(expected.width[cp]), "width of {c:?}");
        }
    }

    #[test]
    fn the_categories_the_rules_need() {
        assert_eq!(category('\u{1b}'), Some(Category::Control));
        assert_eq!(category('\u{9b}'), Some(Category::Control)); // C1 CSI
        assert_eq!(category('\u{202e}'), Some(Category::Format));
        assert_eq!(category('\u{200b}'), Some(Category::Format));
        assert_eq!(category('\u{feff}'), Some(Category::Format));
        assert_eq!(category('\u{ad}'), Some(Category::Format));
        assert_eq!(category('\u{2028}'), Some(Category::LineSeparator));
        assert_eq!(category('\u{2029}'), Some(Category::ParagraphSeparator));
        assert_eq!(category('\u{e000}'), Some(Category::PrivateUse));
        assert_eq!(category('\u{10fffd}'), Some(Category::PrivateUse));
        assert_eq!(category('\u{378}'), Some(Category::Unassigned));
        assert_eq!(category('\u{ffff}'), Some(Category::Unassigned));
        for ordinary in ['a', ' ', '你', 'é', '\u{301}', '😀', '\u{3000}'] {
            assert_eq!(category(ordinary), None, "{ordinary:?}");
        }
    }

    #[test]
    fn look_alike_letters_fold_to_ascii() {
        let fold = |s: &str| -> String {
            s.chars()
                .map(|c| ascii_fold(c).map_or(c.to_string(), str::to_string))
                .collect()
        };
        assert_eq!(fold("ｓｅｒｖｅｒ"), "server");
        assert_eq!(fold("ＳＥＲＶＥＲ"), "server");
        assert_eq!(fold("ſ"), "s");
        assert_eq!(fold("𝐬𝐞𝐫𝐯𝐞𝐫"), "server"); // mathematical bold
        assert_eq!(fold("𝑺𝑬𝑹𝑽𝑬𝑹"), "server"); // mathematical bold italic
        assert_eq!(fold("ⓢⓔⓡⓥⓔⓡ"), "server"); // circled
        assert_eq!(fold("ﬀ"), "ff");
        assert_eq!(fold("™"), "tm");
        assert_eq!(fold("Ⅳ"), "iv");
        assert_eq!(fold("\u{212a}"), "k"); // KELVIN SIGN
        // ASCII is left to the caller; other scripts do not fold.
        assert_eq!(ascii_fold('s'), None);
        assert_eq!(ascii_fold('é'), None);
        assert_eq!(ascii_fold('ѕ'), None); // Cyrillic dze: a confusable, not a compatibility form
    }

    #[test]
    fn widths_for_the_line_editor() {
        assert_eq!(width('a'), 1);
        assert_eq!(width('é'), 1);
        assert_eq!(width('你'), 2);
        assert_eq!(width('Ａ'), 2); // full-width
        assert_eq!(width('😀'), 2);
        assert_eq!(width('\u{301}'), 0); // combining acute accent
        assert_eq!(width('\u{200b}'), 0);
        assert_eq!(width('\u{1b}'), 0);
        assert_eq!(str_width("e\u{301}"), 1);
        assert_eq!(str_width("你好, Bob"), 9);
    }
}
