#!/usr/bin/env python3
"""Writes the Unicode tables socket-chat needs, from Python's own unicodedata.

The Rust standard library has no table of Unicode general categories, no
normalization and no display widths, and the project takes no dependencies.
The rules of contract section 6 need a little of each, so this script asks
Python (whose `unicodedata` module carries the Unicode Character Database)
and writes two files:

- `src/unicode/tables.rs`: the tables as Rust constants, sorted so that a
  lookup is a binary search. The Unicode version is in its header.
- `tests/data/unicode_tables.txt`: the same facts as a plain listing, one
  line each, with nothing compressed. A unit test in `src/unicode/mod.rs`
  asks the Rust lookups about every code point and compares their answers
  with this listing, so the Rust table cannot drift from its generator;
  `tests/unicode_tables.rs` runs this script again, when a Python with the
  same Unicode version is installed, and compares both files byte for byte.

What is written:

1. General categories Cc (controls), Cf (format characters), Zl and Zp (line
   and paragraph separators), Co (private use) and Cn (unassigned), as
   ranges of code points. Names may contain none of them; the terminal rule
   escapes Cc, Cf, Zl and Zp.
2. The compatibility fold to ASCII letters: every non-ASCII code point whose
   NFKC form, lower-cased, is made of ASCII letters only (full-width `Ｓ`,
   `ſ`, mathematical `𝐬`, ligatures such as `ﬀ`, `™`, `Ⅳ`). A name that folds
   to `server` is refused. Runs of code points that map to consecutive single
   letters (`Ａ`..`Ｚ` to `a`..`z`) are stored as one row; the rest are listed
   one by one with their letters.
3. Display width in terminal columns: 0 for controls (which are never shown
   raw), combining marks (Mn, Me), format characters, line and paragraph
   separators and the Hangul vowels and final consonants that join the
   syllable before them; 2 for East Asian Wide and Fullwidth (and for the
   unassigned code points of the ideograph blocks); 1 for every other code
   point. Only the ranges that are not 1 are stored.

Only the standard library is used; `cargo test` does not need Python,
because both outputs are committed. Run it from anywhere:

    python3 tests/data/gen_unicode.py             # rewrite both files in place
    python3 tests/data/gen_unicode.py --out DIR   # write them into DIR instead
"""

import os
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
RUST_PATH = os.path.join("src", "unicode", "tables.rs")
LISTING_PATH = os.path.join("tests", "data", "unicode_tables.txt")

MAX_CODE_POINT = 0x10FFFF
# The categories the Rust side names, and the names of the enum variants.
CATEGORIES = {
    "Cc": "Control",
    "Cf": "Format",
    "Zl": "LineSeparator",
    "Zp": "ParagraphSeparator",
    "Co": "PrivateUse",
    "Cn": "Unassigned",
}
# Hangul Jamo medial vowels and final consonants (and their extension
# block): on screen they join the syllable before them, taking no column.
HANGUL_JOINING = [(0x1160, 0x11FF), (0xD7B0, 0xD7FF)]
# `unicodedata.east_asian_width` answers "F" for every unassigned code point
# (CPython's default record), which is not what the Unicode data file says.
# EastAsianWidth.txt gives unassigned code points the width "N" except in
# these blocks reserved for ideographs (its "@missing" lines), where they are
# "W". A character assigned there later will be wide, so we count it as 2.
UNASSIGNED_WIDE = [(0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2FFFD), (0x30000, 0x3FFFD)]


def is_surrogate(cp):
    """Surrogates are halves of UTF-16 pairs, never characters (no Rust `char`)."""
    return 0xD800 <= cp <= 0xDFFF


def code_points():
    return (cp for cp in range(MAX_CODE_POINT + 1) if not is_surrogate(cp))


def ranges(values):
    """Merges (code point, value) pairs, in order, into (first, last, value)
    rows of consecutive code points with the same value."""
    rows = []
    for cp, value in values:
        if rows and rows[-1][1] == cp - 1 and rows[-1][2] == value:
            rows[-1][1] = cp
        else:
            rows.append([cp, cp, value])
    return [tuple(row) for row in rows]


def category_rows():
    return ranges(
        (cp, unicodedata.category(chr(cp)))
        for cp in code_points()
        if unicodedata.category(chr(cp)) in CATEGORIES
    )


def fold(cp):
    """The ASCII letters a non-ASCII code point folds to, or None."""
    if cp < 0x80:
        return None
    folded = unicodedata.normalize("NFKC", chr(cp)).lower()
    if folded.isascii() and folded.isalpha():
        return folded
    return None


def fold_entries():
    return [(cp, letters) for cp in code_points() for letters in [fold(cp)] if letters]


def fold_tables(entries):
    """Splits the fold into runs of single letters and words of several."""
    runs = []  # [first code point, length, first letter]
    words = []
    for cp, letters in entries:
        if len(letters) > 1:
            words.append((cp, letters))
            continue
        if runs:
            first, length, letter = runs[-1]
            if first + length == cp and ord(letter) + length == ord(letters):
                runs[-1][1] += 1
                continue
        runs.append([cp, 1, letters])
    return [tuple(run) for run in runs], words


def width(cp):
    c = chr(cp)
    category = unicodedata.category(c)
    if category in ("Cc", "Cf", "Mn", "Me", "Zl", "Zp"):
        return 0
    if any(first <= cp <= last for first, last in HANGUL_JOINING):
        return 0
    if category == "Cn":
        return 2 if any(first <= cp <= last for first, last in UNASSIGNED_WIDE) else 1
    if unicodedata.east_asian_width(c) in ("W", "F"):
        return 2
    return 1


def width_rows():
    return ranges((cp, w) for cp in code_points() for w in [width(cp)] if w != 1)


def packed(items, per_line):
    """Rows of a Rust array literal, `per_line` items to a line."""
    lines = []
    for i in range(0, len(items), per_line):
        lines.append("    " + " ".join(items[i : i + per_line]))
    return "\n".join(lines)


def rust_file(categories, runs, words, widths):
    version = unicodedata.unidata_version
    aliases = ", ".join(f"{name} as {code}" for code, name in CATEGORIES.items())
    category_items = [f"(0x{a:04X}, 0x{b:04X}, {c})," for a, b, c in categories]
    run_items = [f"(0x{a:04X}, {n}, b'{letter}')," for a, n, letter in runs]
    word_items = [f'(0x{a:04X}, "{letters}"),' for a, letters in words]
    width_items = [f"(0x{a:04X}, 0x{b:04X}, {w})," for a, b, w in widths]
    return f"""\
//! Unicode {version} tables, generated by `tests/data/gen_unicode.py` from
//! Python's `unicodedata` (Unicode {version}). Do not edit by hand: change
//! the script and run it again (`python3 tests/data/gen_unicode.py`). The
//! lookups that read these tables, and why each exists, are in
//! [`super`]; the unit test there checks every code point against
//! `tests/data/unicode_tables.txt`, written by the same run.

use super::Category::{{self, {aliases}}};

/// The Unicode version these tables were generated from.
pub const UNICODE_VERSION: &str = "{version}";

/// `(first, last, category)`, sorted: every code point of categories Cc,
/// Cf, Zl, Zp, Co and Cn. {len(categories)} ranges.
pub const CATEGORIES: &[(u32, u32, Category)] = &[
{packed(category_items, 3)}
];

/// `(first, length, letter)`, sorted: `length` consecutive code points from
/// `first` fold to consecutive letters from `letter` (`Ａ`.. to `a`..).
/// {len(runs)} runs.
pub const FOLD_RUNS: &[(u32, u8, u8)] = &[
{packed(run_items, 4)}
];

/// `(code point, letters)`, sorted: the code points that fold to more than
/// one letter (`ﬀ` to `ff`, `Ⅳ` to `iv`). {len(words)} entries.
pub const FOLD_WORDS: &[(u32, &str)] = &[
{packed(word_items, 4)}
];

/// `(first, last, columns)`, sorted: the code points that do not take one
/// column, with the 0 or 2 they take. {len(widths)} ranges.
pub const WIDTHS: &[(u32, u32, u8)] = &[
{packed(width_items, 3)}
];
"""


def listing(categories, folds, widths):
    version = unicodedata.unidata_version
    lines = [
        f"# Unicode {version}, from Python's unicodedata, written by tests/data/gen_unicode.py.",
        "# The unit test in src/unicode/mod.rs checks the Rust tables against these lines.",
        "# category FIRST..LAST CODE  |  fold CODE_POINT LETTERS  |  width FIRST..LAST COLUMNS",
        f"version {version}",
    ]
    lines += [f"category {a:04X}..{b:04X} {c}" for a, b, c in categories]
    lines += [f"fold {cp:04X} {letters}" for cp, letters in folds]
    lines += [f"width {a:04X}..{b:04X} {w}" for a, b, w in widths]
    return "\n".join(lines) + "\n"


def main(argv):
    out = ROOT
    if len(argv) == 2 and argv[0] == "--out":
        out = argv[1]
    elif argv:
        sys.exit("usage: gen_unicode.py [--out DIR]")
    categories = category_rows()
    folds = fold_entries()
    runs, words = fold_tables(folds)
    widths = width_rows()
    outputs = {
        RUST_PATH: rust_file(categories, runs, words, widths),
        LISTING_PATH: listing(categories, folds, widths),
    }
    for relative, text in outputs.items():
        path = os.path.join(out, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        print(f"wrote {path}")


if __name__ == "__main__":
    main(sys.argv[1:])
