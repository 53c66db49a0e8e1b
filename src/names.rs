//! The rules for user names, shared by the server (which enforces them) and
//! the client (which checks a typed name before bothering the server).
//!
//! A name shows up at the start of chat lines and after `@` in commands
//! (`/msg @Bob hi`), so it may not contain spaces, may not start with `@` or
//! `/`, and must be told apart from the others whatever the ASCII case:
//! `bob` and `Bob` would be too easy to confuse. `server` is the name the
//! server itself speaks under, so nobody else may take it.
//!
//! A name is also what others trust when they read who said something, so
//! it may not *look* like something it is not (contract section 6):
//!
//! - no invisible or reordering characters: no control (Cc), format
//!   character (Cf: U+202E, which reverses the text after it; U+200B, which
//!   takes no room; the BOM), line or paragraph separator (Zl, Zp);
//! - no private-use characters (Co), which look different on every machine,
//!   and no unassigned ones (Cn), which a newer Unicode may give any meaning;
//! - not `server` in disguise: full-width `ｓｅｒｖｅｒ`, `ſerver` with a long
//!   s, mathematical `𝐬𝐞𝐫𝐯𝐞𝐫` all *read* as `server`. A name is compared
//!   after folding such compatibility forms to the ASCII letters they stand
//!   for ([`fold`]), both against the reserved name and against the names
//!   online, so `ｂｏｂ` cannot join beside `bob` either.
//!
//! Look-alikes from other scripts (Cyrillic `ѕ` for Latin `s`) are a larger
//! question, with its own Unicode table (confusables, UTS #39), that these
//! rules do not try to answer. Chapter 6 (`docs/06-misbehaving-peers.md`,
//! "Look-alike names") shows the tempting wrong version of these rules.
//!
//! Room names (contract §8) follow the same rules, and are one more
//! [`NameRules`]: [`ROOM_NAMES`]. A person types `#python`, and the `#` is
//! how the commands tell a room from a user (`/msg #python hi` beside
//! `/msg @Bob hi`); it is not part of the name, so no room name may start
//! with one.

use std::borrow::Cow;

use crate::unicode::{self, Category};

/// The longest name allowed, counted in characters (not bytes), so that
/// Chinese names get the same room as Latin ones.
pub const MAX_NAME_CHARS: usize = 32;

/// The sender name of everything the server's own console sends.
pub const SERVER_NAME: &str = "server";

/// Why a name was refused. The wording is in [`crate::text`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameError {
    Empty,
    TooLong,
    /// Contains a character no name may have, and this is why.
    BadCharacter(char, BadChar),
    /// Starts with a character the command syntax reserves (`@`, `/`).
    BadStart(char),
    /// A reserved name (`server`), in any ASCII case.
    Reserved(&'static str),
    /// Reads as a reserved name once compatibility forms are folded
    /// (`ｓｅｒｖｅｒ`, `ſerver`).
    LooksLike(&'static str),
}

/// What is wrong with a character in a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadChar {
    /// White space of any kind (a space, U+3000 IDEOGRAPHIC SPACE).
    Space,
    /// Cc: a control character (a tab, ESC, DEL).
    Control,
    /// Cf: an invisible format character (U+202E, U+200B, U+FEFF).
    Format,
    /// Zl or Zp: U+2028 or U+2029.
    Separator,
    /// Co: private use.
    PrivateUse,
    /// Cn: not assigned in the Unicode version of our tables.
    Unassigned,
}

impl BadChar {
    /// What is wrong with `c` in a name, if anything.
    pub fn of(c: char) -> Option<BadChar> {
        // Categories first, so that U+2028 is called a separator and a tab
        // a control, not "a space".
        let bad = match unicode::category(c) {
            Some(Category::Control) => BadChar::Control,
            Some(Category::Format) => BadChar::Format,
            Some(Category::LineSeparator | Category::ParagraphSeparator) => BadChar::Separator,
            Some(Category::PrivateUse) => BadChar::PrivateUse,
            Some(Category::Unassigned) => BadChar::Unassigned,
            None if c.is_whitespace() => BadChar::Space,
            None => return None,
        };
        Some(bad)
    }
}

/// The rules for one kind of name. Every kind shares the length limit, the
/// forbidden characters and the fold; what differs is listed here.
#[derive(Debug)]
pub struct NameRules {
    /// Names nobody may take (compared after [`fold`]).
    pub reserved: &'static [&'static str],
    /// Characters a name may not start with.
    pub bad_starts: &'static [char],
}

/// User names: `@` and `/` begin commands, and `server` is the server's.
pub const USER_NAMES: NameRules = NameRules {
    reserved: &[SERVER_NAME],
    bad_starts: &['@', '/'],
};

/// Room names: as user names, and `#` may not start one either, since the
/// commands use it to mark a room (the wire carries `python`, never
/// `#python`). Compared like user names, by [`name_key`].
pub const ROOM_NAMES: NameRules = NameRules {
    reserved: &[SERVER_NAME],
    bad_starts: &['#', '@', '/'],
};

/// The room everyone is in on joining; it always exists.
pub const LOBBY: &str = "lobby";

impl NameRules {
    /// Checks a requested name against these rules.
    pub fn check(&self, name: &str) -> Result<(), NameError> {
        let Some(first) = name.chars().next() else {
            return Err(NameError::Empty);
        };
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(NameError::TooLong);
        }
        if let Some((c, why)) = name.chars().find_map(|c| Some((c, BadChar::of(c)?))) {
            return Err(NameError::BadCharacter(c, why));
        }
        if self.bad_starts.contains(&first) {
            return Err(NameError::BadStart(first));
        }
        let folded = fold(name);
        for &reserved in self.reserved {
            if name.eq_ignore_ascii_case(reserved) {
                return Err(NameError::Reserved(reserved));
            }
            if folded == reserved {
                return Err(NameError::LooksLike(reserved));
            }
        }
        Ok(())
    }
}

/// Checks a requested user name against the rules above.
pub fn check_name(name: &str) -> Result<(), NameError> {
    USER_NAMES.check(name)
}

/// Checks a requested room name (without its `#`) against
/// [`ROOM_NAMES`].
pub fn check_room_name(name: &str) -> Result<(), NameError> {
    ROOM_NAMES.check(name)
}

/// A name as it reads: ASCII letters in lower case, and every compatibility
/// form of an ASCII letter folded to it (`Ｓ`, `ſ`, `𝐒` → `s`; `ﬀ` → `ff`).
/// Other characters are kept as they are (`Zoë` → `zoë`): full Unicode case
/// folding is a larger question than a chat room needs to answer.
pub fn fold(name: &str) -> Cow<'_, str> {
    if name.is_ascii() {
        if name.bytes().any(|b| b.is_ascii_uppercase()) {
            return Cow::Owned(name.to_ascii_lowercase());
        }
        return Cow::Borrowed(name);
    }
    let mut folded = String::with_capacity(name.len());
    for c in name.chars() {
        match unicode::ascii_fold(c) {
            Some(letters) => folded.push_str(letters),
            None => folded.push(c.to_ascii_lowercase()),
        }
    }
    Cow::Owned(folded)
}

/// The key under which a name is unique: its [`fold`], so that `Bob`,
/// `bOB` and full-width `Ｂｏｂ` are one name.
pub fn name_key(name: &str) -> String {
    fold(name).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_names_pass() {
        for name in [
            "Alice",
            "bob_2",
            "张伟",
            "Zoë",
            "Zoe\u{308}", // the same, with a combining diaeresis
            "a",
            "😀",
            "servers",
            "ｓｅｒｖｅ", // full width, but not a reserved name
            &"x".repeat(32),
            &"名".repeat(32),
        ] {
            assert_eq!(check_name(name), Ok(()), "{name}");
        }
    }

    #[test]
    fn bad_names_say_why() {
        use BadChar::*;
        assert_eq!(check_name(""), Err(NameError::Empty));
        assert_eq!(check_name(&"x".repeat(33)), Err(NameError::TooLong));
        for (name, c, why) in [
            ("Al ice", ' ', Space),
            ("tab\t", '\t', Control),
            ("bell\u{7}", '\u{7}', Control),
            ("full\u{3000}width", '\u{3000}', Space),
        ] {
            assert_eq!(check_name(name), Err(NameError::BadCharacter(c, why)));
        }
        assert_eq!(check_name("@bob"), Err(NameError::BadStart('@')));
        assert_eq!(check_name("/quit"), Err(NameError::BadStart('/')));
        assert_eq!(check_name("SeRvEr"), Err(NameError::Reserved("server")));
    }

    #[test]
    fn invisible_and_reordering_characters_are_refused() {
        use BadChar::*;
        for (name, c, why) in [
            ("bob\u{202e}", '\u{202e}', Format),    // right-to-left override
            ("server\u{200b}", '\u{200b}', Format), // zero width space
            ("\u{feff}bob", '\u{feff}', Format),    // byte order mark
            ("bo\u{ad}b", '\u{ad}', Format),        // soft hyphen
            ("\u{2066}bob\u{2069}", '\u{2066}', Format), // isolates
            ("bob\u{200d}", '\u{200d}', Format),    // zero width joiner
            ("bob\u{1b}[2K", '\u{1b}', Control),
            ("bob\u{9b}", '\u{9b}', Control),        // C1 CSI
            ("bob\u{7f}", '\u{7f}', Control),        // DEL
            ("bob\u{2028}", '\u{2028}', Separator),  // line separator
            ("bob\u{2029}", '\u{2029}', Separator),  // paragraph separator
            ("bob\u{e000}", '\u{e000}', PrivateUse), // private use
            ("bob\u{f0000}", '\u{f0000}', PrivateUse),
            ("bob\u{378}", '\u{378}', Unassigned), // unassigned
            ("bob\u{ffff}", '\u{ffff}', Unassigned), // a noncharacter
        ] {
            assert_eq!(
                check_name(name),
                Err(NameError::BadCharacter(c, why)),
                "{name:?}"
            );
        }
    }

    #[test]
    fn server_in_disguise_is_refused() {
        for name in [
            "ｓｅｒｖｅｒ", // full-width
            "ＳＥＲＶＥＲ", // full-width capitals
            "ſerver",       // long s
            "ſERVER",       // long s, capitals
            "𝐬𝐞𝐫𝐯𝐞𝐫",       // mathematical bold
            "𝐒𝐄𝐑𝐕𝐄𝐑",       // mathematical bold capitals
            "𝓈𝑒𝓇𝓋𝑒𝓇",       // mathematical script and italic
            "𝚜𝚎𝚛𝚟𝚎𝚛",       // mathematical monospace
            "ⓢⓔⓡⓥⓔⓡ",       // circled
            "serｖer",      // one letter is enough
            "ˢerver",       // modifier letter small s
        ] {
            assert_eq!(
                check_name(name),
                Err(NameError::LooksLike(SERVER_NAME)),
                "{name:?}"
            );
        }
    }

    #[test]
    fn uniqueness_folds_look_alike_letters() {
        assert_eq!(name_key("Bob"), name_key("bOB"));
        assert_eq!(name_key("Bob"), name_key("Ｂｏｂ"));
        assert_eq!(name_key("staff"), name_key("staﬀ"));
        assert_ne!(name_key("Zoë"), name_key("ZOË"));
        assert_ne!(name_key("bob"), name_key("bоb")); // Cyrillic о: not a compatibility form
        assert_eq!(name_key("张伟"), "张伟");
    }

    #[test]
    fn room_names_follow_the_user_name_rules_and_may_not_start_with_a_hash() {
        for name in ["python", "Python", "C++", "张伟的房间", "..", "a/b", "CON"] {
            assert_eq!(check_room_name(name), Ok(()), "{name}");
        }
        assert_eq!(check_room_name("#python"), Err(NameError::BadStart('#')));
        assert_eq!(check_room_name("@bob"), Err(NameError::BadStart('@')));
        assert_eq!(check_room_name(""), Err(NameError::Empty));
        assert_eq!(check_room_name(&"x".repeat(33)), Err(NameError::TooLong));
        assert_eq!(
            check_room_name("two words"),
            Err(NameError::BadCharacter(' ', BadChar::Space))
        );
        assert_eq!(
            check_room_name("evil\u{202e}"),
            Err(NameError::BadCharacter('\u{202e}', BadChar::Format))
        );
        assert_eq!(name_key("Python"), name_key("PYTHON"));
    }

    #[test]
    fn folding_plain_ascii_does_not_copy() {
        assert!(matches!(fold("alice"), Cow::Borrowed("alice")));
        assert_eq!(fold("Alice"), "alice");
    }
}
