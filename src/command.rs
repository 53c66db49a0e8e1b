//! Reading the commands people type: `/msg @Bob hi`, `/send "My File.pdf"`.
//!
//! The client's input loop and the server's admin console share this
//! grammar, so a command means the same thing in both:
//!
//! - a command is a line starting with `/`, its name runs to the first space;
//! - `@name` right after it picks one user (`/msg @Bob hi`);
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
    match rest.strip_prefix('@') {
        Some(after) => match after.split_once(char::is_whitespace) {
            Some((name, rest)) => (Some(name), rest.trim()),
            None => (Some(after), ""),
        },
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
