//! What the user types into the client, read into a typed [`Input`].

use crate::command::{self, PathError};
use crate::text;

/// One line of user input.
#[derive(Debug, PartialEq, Eq)]
pub enum Input {
    /// Plain text: to everyone.
    Say(String),
    /// `/msg @NAME TEXT`
    Private { to: String, text: String },
    /// `/send PATH`, `/send @NAME PATH`
    SendFile { to: Option<String>, path: String },
    /// `/list`
    List,
    /// `/help`
    Help,
    /// `/quit`
    Quit,
}

/// A line that cannot be acted on; each prints as a hint and nothing is sent.
#[derive(Debug, PartialEq, Eq)]
pub enum Mistake {
    Unknown(String),
    MsgUsage,
    SendUsage(Option<PathError>),
}

impl Mistake {
    pub fn hint(&self) -> String {
        match self {
            Mistake::Unknown(name) => text::client_unknown_command(name),
            Mistake::MsgUsage => text::usage_client_msg(),
            Mistake::SendUsage(Some(e)) => text::bad_path(e),
            Mistake::SendUsage(None) => text::usage_send(),
        }
    }
}

/// Reads one line. `Ok(None)` for an empty line, which is not sent.
///
/// A line starting with `//` is text that starts with `/` (`//shrug` sends
/// "/shrug"), so any text can be sent.
pub fn parse(line: &str) -> Result<Option<Input>, Mistake> {
    if line.trim().is_empty() {
        return Ok(None);
    }
    if let Some(text) = line.strip_prefix("//") {
        return Ok(Some(Input::Say(format!("/{text}"))));
    }
    let Some((name, rest)) = command::split_command(line) else {
        return Ok(Some(Input::Say(line.to_string())));
    };
    let input = match name {
        "msg" => match command::take_target(rest) {
            (Some(to), text) if !to.is_empty() && !text.is_empty() => Input::Private {
                to: to.to_string(),
                text: text.to_string(),
            },
            (None, text) if !text.is_empty() => Input::Say(text.to_string()),
            _ => return Err(Mistake::MsgUsage),
        },
        "send" => {
            let (to, rest) = command::take_target(rest);
            if to == Some("") {
                return Err(Mistake::SendUsage(None));
            }
            let path = command::parse_path(rest).map_err(|e| Mistake::SendUsage(Some(e)))?;
            Input::SendFile {
                to: to.map(str::to_string),
                path,
            }
        }
        "list" => Input::List,
        "help" => Input::Help,
        "quit" | "exit" => Input::Quit,
        other => return Err(Mistake::Unknown(other.to_string())),
    };
    Ok(Some(input))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_commands() {
        assert_eq!(
            parse("Hello, everyone!"),
            Ok(Some(Input::Say("Hello, everyone!".into())))
        );
        assert_eq!(
            parse("  spaced  "),
            Ok(Some(Input::Say("  spaced  ".into())))
        );
        assert_eq!(
            parse("/msg @Bob hi there"),
            Ok(Some(Input::Private {
                to: "Bob".into(),
                text: "hi there".into()
            }))
        );
        assert_eq!(parse("/msg to all"), Ok(Some(Input::Say("to all".into()))));
        assert_eq!(
            parse("/send \"C:\\Users\\me\\My File.pdf\""),
            Ok(Some(Input::SendFile {
                to: None,
                path: "C:\\Users\\me\\My File.pdf".into()
            }))
        );
        assert_eq!(parse("/list"), Ok(Some(Input::List)));
        assert_eq!(parse("/help"), Ok(Some(Input::Help)));
        assert_eq!(parse("/quit"), Ok(Some(Input::Quit)));
        assert_eq!(parse("//shrug"), Ok(Some(Input::Say("/shrug".into()))));
    }

    #[test]
    fn empty_lines_are_not_sent() {
        assert_eq!(parse(""), Ok(None));
        assert_eq!(parse("   "), Ok(None));
    }

    #[test]
    fn mistakes_are_not_sent_as_text() {
        assert_eq!(parse("/shrug"), Err(Mistake::Unknown("shrug".into())));
        assert_eq!(parse("/msg @Bob"), Err(Mistake::MsgUsage));
        assert_eq!(parse("/msg"), Err(Mistake::MsgUsage));
        assert_eq!(parse("/send @ x"), Err(Mistake::SendUsage(None)));
        assert_eq!(
            parse("/send"),
            Err(Mistake::SendUsage(Some(PathError::Missing)))
        );
        assert!(!Mistake::Unknown("x".into()).hint().is_empty());
    }
}
