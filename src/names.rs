//! The rules for user names, shared by the server (which enforces them) and
//! the client (which checks a typed name before bothering the server).
//!
//! A name shows up at the start of chat lines and after `@` in commands
//! (`/msg @Bob hi`), so it may not contain spaces, may not start with `@` or
//! `/`, and must be told apart from the others whatever the ASCII case:
//! `bob` and `Bob` would be too easy to confuse. `server` is the name the
//! server itself speaks under, so nobody else may take it.

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
    /// Contains whitespace or a control character.
    BadCharacter(char),
    /// Starts with `@` or `/`, which the command syntax reserves.
    BadStart(char),
    /// `server`, in any case.
    Reserved,
}

/// Checks a requested name against the rules above.
pub fn check_name(name: &str) -> Result<(), NameError> {
    let Some(first) = name.chars().next() else {
        return Err(NameError::Empty);
    };
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(NameError::TooLong);
    }
    if let Some(c) = name.chars().find(|c| c.is_whitespace() || c.is_control()) {
        return Err(NameError::BadCharacter(c));
    }
    if first == '@' || first == '/' {
        return Err(NameError::BadStart(first));
    }
    if name.eq_ignore_ascii_case(SERVER_NAME) {
        return Err(NameError::Reserved);
    }
    Ok(())
}

/// The key under which a name is unique: ASCII letters folded to lower case.
/// (Only ASCII, as the contract says: full Unicode case folding is a larger
/// question than a chat room needs to answer.)
pub fn name_key(name: &str) -> String {
    name.to_ascii_lowercase()
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
            "a",
            &"x".repeat(32),
            &"名".repeat(32),
        ] {
            assert_eq!(check_name(name), Ok(()), "{name}");
        }
    }

    #[test]
    fn bad_names_say_why() {
        assert_eq!(check_name(""), Err(NameError::Empty));
        assert_eq!(check_name(&"x".repeat(33)), Err(NameError::TooLong));
        assert_eq!(check_name("Al ice"), Err(NameError::BadCharacter(' ')));
        assert_eq!(check_name("tab\t"), Err(NameError::BadCharacter('\t')));
        assert_eq!(
            check_name("bell\u{7}"),
            Err(NameError::BadCharacter('\u{7}'))
        );
        assert_eq!(
            check_name("full\u{3000}width"),
            Err(NameError::BadCharacter('\u{3000}'))
        );
        assert_eq!(check_name("@bob"), Err(NameError::BadStart('@')));
        assert_eq!(check_name("/quit"), Err(NameError::BadStart('/')));
        assert_eq!(check_name("SeRvEr"), Err(NameError::Reserved));
    }

    #[test]
    fn uniqueness_ignores_ascii_case_only() {
        assert_eq!(name_key("Bob"), name_key("bOB"));
        assert_ne!(name_key("Zoë"), name_key("ZOË"));
    }
}
