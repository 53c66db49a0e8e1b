//! Which file holds which room: a room name becomes a file name that no
//! name can use to leave the history folder or to reach another room's file.
//!
//! Room names come from peers, and a file name is a path: `../../etc/x`,
//! `C:\boot.ini`, `a/b` or `NUL` all mean something to a file system. Rather
//! than list what is dangerous (and miss a case on some system we never
//! tried), we decide what is *safe* and encode everything else:
//!
//! - the room's key is its name with ASCII letters folded to lower case, the
//!   same rule that makes `Python` and `python` one room ([`room_key`]);
//! - a key made only of `a`–`z`, `0`–`9`, `_` and `-` is used as it is:
//!   `python` is kept in `room-python.jsonl`;
//! - any other key (`C++`, `..`, `张伟的房间`) is written as the base32 of
//!   its UTF-8 bytes, in lower case: `b32-<letters and digits>.jsonl`.
//!
//! Why each rule:
//!
//! - **No separators, no dots, no drive letters.** The only characters that
//!   ever reach a file name are `a`–`z`, `0`–`9`, `_`, `-` and the one `.`
//!   of the suffix, so `/`, `\`, `:` and `..` cannot appear: the file is
//!   always directly inside the folder.
//! - **A prefix.** Windows treats `CON`, `NUL`, `COM1` and friends as
//!   devices whatever follows the first dot (`con.jsonl` opens the console).
//!   `room-con.jsonl` is an ordinary file.
//! - **Lower case only.** macOS and Windows usually compare file names
//!   ignoring case. Our names never differ from each other by case alone,
//!   so two rooms cannot share a file there either.
//! - **Non-ASCII is encoded.** File systems disagree on Unicode: macOS
//!   normalises names, Windows stores UTF-16, Linux stores bytes. Base32
//!   keeps the name ASCII, and it is reversible, so [`key_from_file_name`]
//!   can tell which room a file on disk belongs to.
//! - **Both forms are canonical.** A key has exactly one file name and a
//!   file name decodes to at most one key (a plain key written in base32 is
//!   refused), so two keys can never meet in one file.
//!
//! 32 Chinese characters are 96 bytes of UTF-8, 154 base32 letters: with
//! prefix and suffix well inside the 255-byte limit of common file systems.
//! [`MAX_KEY_BYTES`] keeps even a name of 32 four-byte characters inside it.

use crate::names::name_key;

/// What every room file's name ends with: JSON lines.
pub const SUFFIX: &str = ".jsonl";

/// The longest key we accept, in bytes: 32 characters of up to 4 bytes
/// each, the most a valid room name can be (contract §8). Its base32 form
/// is 205 letters, 214 bytes with prefix and suffix.
pub const MAX_KEY_BYTES: usize = 128;

const PLAIN_PREFIX: &str = "room-";
const ENCODED_PREFIX: &str = "b32-";

/// RFC 4648's base32 alphabet, in lower case (see "Lower case only").
const BASE32: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

/// The key a room is stored under: names that differ only in ASCII case are
/// one room. `None` for a name that cannot be stored (empty or too long).
pub fn room_key(name: &str) -> Option<String> {
    let key = name_key(name);
    (!key.is_empty() && key.len() <= MAX_KEY_BYTES).then_some(key)
}

/// The file name of a room's key (a key from [`room_key`]).
pub fn file_name(key: &str) -> String {
    if is_plain(key) {
        format!("{PLAIN_PREFIX}{key}{SUFFIX}")
    } else {
        format!("{ENCODED_PREFIX}{}{SUFFIX}", base32(key.as_bytes()))
    }
}

/// The key whose file this is, or `None` for a name we would not have
/// written (someone else's file, a temp file, a name in a non-canonical
/// form).
pub fn key_from_file_name(name: &str) -> Option<String> {
    let stem = name.strip_suffix(SUFFIX)?;
    let key = if let Some(key) = stem.strip_prefix(PLAIN_PREFIX) {
        key.to_string()
    } else {
        let bytes = unbase32(stem.strip_prefix(ENCODED_PREFIX)?)?;
        String::from_utf8(bytes).ok()?
    };
    // Only the name `file_name` would give this key is accepted.
    let canonical = room_key(&key).is_some_and(|k| k == key) && file_name(&key) == name;
    canonical.then_some(key)
}

/// A key that can be a file name as it is.
fn is_plain(key: &str) -> bool {
    !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// Base32 without padding: every 5 bits become one letter of [`BASE32`].
fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(BASE32[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(BASE32[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// The bytes of a [`base32`] text, or `None` if it is not one: a letter
/// outside the alphabet, or left-over bits that are not zero (which would
/// give a second spelling of the same bytes).
fn unbase32(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let value = BASE32.iter().position(|&b| b == c)? as u32;
        buffer = ((buffer << 5) | value) & 0xFFFF;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    // Fewer than 8 bits are left over; they must be padding zeros, and
    // a whole letter of padding (5 bits or more) is never written.
    (bits < 5 && buffer & ((1 << bits) - 1) == 0).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base32_matches_rfc_4648_test_vectors() {
        // RFC 4648 section 10, in lower case and without padding.
        for (bytes, text) in [
            ("", ""),
            ("f", "my"),
            ("fo", "mzxq"),
            ("foo", "mzxw6"),
            ("foob", "mzxw6yq"),
            ("fooba", "mzxw6ytb"),
            ("foobar", "mzxw6ytboi"),
        ] {
            assert_eq!(base32(bytes.as_bytes()), text);
            assert_eq!(unbase32(text).as_deref(), Some(bytes.as_bytes()));
        }
    }

    #[test]
    fn base32_refuses_a_second_spelling() {
        // "my" is "f"; "mz" has a non-zero padding bit.
        assert_eq!(unbase32("mz"), None);
        // Three letters leave 7 bits: one byte and a letter of pure padding.
        assert_eq!(unbase32("mya"), None);
        assert_eq!(unbase32("MY"), None);
        assert_eq!(unbase32("m1"), None);
    }

    #[test]
    fn plain_names_stay_readable() {
        assert_eq!(file_name("lobby"), "room-lobby.jsonl");
        assert_eq!(file_name("rust_2024-fans"), "room-rust_2024-fans.jsonl");
        assert_eq!(file_name("con"), "room-con.jsonl");
    }

    #[test]
    fn case_variants_are_one_room() {
        assert_eq!(room_key("Python"), room_key("PYTHON"));
        assert_eq!(room_key("Python").as_deref(), Some("python"));
        // Only ASCII folds: these are different rooms (contract §8).
        assert_ne!(room_key("Σ"), room_key("σ"));
    }

    #[test]
    fn every_file_name_decodes_to_its_key() {
        for name in ["lobby", "C++", "..", "a/b", "张伟的房间", "NUL", "x.y"] {
            let key = room_key(name).expect("a valid name");
            let file = file_name(&key);
            assert_eq!(key_from_file_name(&file), Some(key), "{file}");
        }
    }

    #[test]
    fn only_canonical_file_names_are_ours() {
        for name in [
            "lobby.jsonl",                                            // no prefix
            "room-Lobby.jsonl",     // upper case cannot come from a key
            "room-a.b.jsonl",       // a dot is never plain
            "room-.jsonl",          // empty key
            "b32-nrxwe.jsonl",      // "lob" in base32: plain keys are not encoded
            "b32-.jsonl",           // empty
            "b32-74.jsonl",         // not UTF-8
            "room-lobby.jsonl.tmp", // compaction's temp file
            "room-lobby.json",      // another suffix
            &format!("room-{}.jsonl", "a".repeat(MAX_KEY_BYTES + 1)), // too long
        ] {
            assert_eq!(key_from_file_name(name), None, "{name}");
        }
    }

    #[test]
    fn names_too_long_to_store_are_refused() {
        assert_eq!(room_key(""), None);
        assert!(room_key(&"名".repeat(32)).is_some());
        assert!(room_key(&"😀".repeat(32)).is_some());
        assert_eq!(room_key(&"😀".repeat(33)), None);
    }

    #[test]
    fn the_longest_key_still_fits_a_file_name() {
        let key = room_key(&"😀".repeat(32)).expect("128 bytes");
        assert!(file_name(&key).len() + ".tmp".len() <= 255);
    }
}
