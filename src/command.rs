//! Reading the commands people type: `/msg @Bob hi`, `/send "My File.pdf"`.
//!
//! The client's input loop and the server's admin console share this
//! grammar, so a command means the same thing in both:
//!
//! - a command is a line starting with `/`, its name runs to the first space;
//! - `@name` right after it picks one user (`/msg @Bob hi`), `#room` one
//!   room (`/msg #python hi`, on the server's console);
//! - a path may be quoted with `"` or `'` to hold spaces; inside quotes a
//!   backslash is an ordinary character, so Windows paths need no escaping.

/// A line split into its command name (without the `/`) and the rest.
/// `None` when the line is not a command.
pub fn split_command(line: &str) -> Option<(&str, &str)> {
    let body = line.trim().strip_prefix('/')?;
    match body.split_once(char::is_whitespace) {
        Some((name, rest)) => Some((name, rest.trim())),
        None => Some((body, "")),
    }
}

/// An optional `@name` at the start of `rest`, and what follows it.
pub fn take_target(rest: &str) -> (Option<&str>, &str) {
    match take_marked(rest, '@') {
        Some((name, rest)) => (Some(name), rest),
        None => (None, rest),
    }
}

/// The word after `mark` at the start of `rest`, and what follows it.
fn take_marked(rest: &str, mark: char) -> Option<(&str, &str)> {
    let after = rest.strip_prefix(mark)?;
    Some(match after.split_once(char::is_whitespace) {
        Some((word, rest)) => (word, rest.trim()),
        None => (after, ""),
    })
}

/// Who a command is for, when it names someone: `@name` or `#room`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recipient<'a> {
    User(&'a str),
    Room(&'a str),
}

/// An optional `@name` or `#room` at the start of `rest`, and what follows
/// it.
pub fn take_recipient(rest: &str) -> (Option<Recipient<'_>>, &str) {
    if let Some((name, rest)) = take_marked(rest, '@') {
        return (Some(Recipient::User(name)), rest);
    }
    match take_marked(rest, '#') {
        Some((room, rest)) => (Some(Recipient::Room(room)), rest),
        None => (None, rest),
    }
}

/// Why a path argument could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathError {
    Missing,
    UnclosedQuote,
    TextAfterQuote,
}

/// A path argument: quoted (`"a b.txt"`, `'a b.txt'`) or the rest as it is.
pub fn parse_path(rest: &str) -> Result<String, PathError> {
    let rest = rest.trim();
    let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
        return if rest.is_empty() {
            Err(PathError::Missing)
        } else {
            Ok(rest.to_string())
        };
    };
    let inner = &rest[1..];
    let end = inner.find(quote).ok_or(PathError::UnclosedQuote)?;
    if !inner[end + 1..].trim().is_empty() {
        return Err(PathError::TextAfterQuote);
    }
    let path = &inner[..end];
    if path.is_empty() {
        return Err(PathError::Missing);
    }
    Ok(path.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_split_at_the_first_space() {
        assert_eq!(
            split_command("/msg @Bob  hi there "),
            Some(("msg", "@Bob  hi there"))
        );
        assert_eq!(split_command("  /list"), Some(("list", "")));
        assert_eq!(split_command("hello /list"), None);
        assert_eq!(split_command("/"), Some(("", "")));
    }

    #[test]
    fn targets_are_optional() {
        assert_eq!(take_target("@Bob hi  there"), (Some("Bob"), "hi  there"));
        assert_eq!(take_target("@Bob"), (Some("Bob"), ""));
        assert_eq!(take_target("hi @Bob"), (None, "hi @Bob"));
        assert_eq!(take_target("@ hi"), (Some(""), "hi"));
    }

    #[test]
    fn rooms_are_marked_with_a_hash() {
        assert_eq!(
            take_recipient("#python hi  there"),
            (Some(Recipient::Room("python")), "hi  there")
        );
        assert_eq!(
            take_recipient("@Bob hi"),
            (Some(Recipient::User("Bob")), "hi")
        );
        assert_eq!(take_recipient("#"), (Some(Recipient::Room("")), ""));
        assert_eq!(take_recipient("hi #python"), (None, "hi #python"));
    }

    #[test]
    fn paths_may_be_quoted() {
        assert_eq!(parse_path("files/a.txt"), Ok("files/a.txt".into()));
        assert_eq!(parse_path("/tmp/a b.txt"), Ok("/tmp/a b.txt".into()));
        assert_eq!(
            parse_path(r#""C:\Users\me\My File.pdf""#),
            Ok(r"C:\Users\me\My File.pdf".into())
        );
        assert_eq!(parse_path("'/tmp/a b.txt'"), Ok("/tmp/a b.txt".into()));
        assert_eq!(parse_path(r#""it's.txt""#), Ok("it's.txt".into()));
    }

    #[test]
    fn bad_paths_say_why() {
        assert_eq!(parse_path("  "), Err(PathError::Missing));
        assert_eq!(parse_path("\"\""), Err(PathError::Missing));
        assert_eq!(parse_path("\"a b"), Err(PathError::UnclosedQuote));
        assert_eq!(parse_path("'a' b"), Err(PathError::TextAfterQuote));
    }
}
