//! What the user types into the client: bytes cut into [`Lines`], and
//! each line read into a typed [`Input`].

use std::collections::VecDeque;

use crate::command::{self, PathError};
use crate::message::AdminAction;
use crate::message::client::MAX_HISTORY_LIMIT;
use crate::names::{NameError, check_room_name};
use crate::text;

/// How many messages `/history` shows when no number is given.
pub const DEFAULT_HISTORY: u64 = 20;

/// Cuts the bytes the keyboard thread passes on into lines.
///
/// A read from a terminal usually returns one whole line, but from a pipe it
/// returns whatever is there: half a line, or ten lines at once. So bytes
/// are kept until their line ends, and complete lines wait here until the
/// client asks for them: the name typed at the prompt is taken first, and
/// the lines typed after it stay for the chat.
#[derive(Debug, Default)]
pub struct Lines {
    /// Bytes of the line not yet ended.
    partial: Vec<u8>,
    /// Complete lines not yet taken.
    complete: VecDeque<String>,
}

impl Lines {
    /// Adds bytes that were read.
    pub fn push(&mut self, bytes: &[u8]) {
        let mut rest = bytes;
        while let Some(end) = rest.iter().position(|&b| b == b'\n') {
            self.partial.extend_from_slice(&rest[..end]);
            rest = &rest[end + 1..];
            let line = std::mem::take(&mut self.partial);
            self.complete.push_back(to_text(&line));
        }
        self.partial.extend_from_slice(rest);
    }

    /// The input ended: a last line without a line ending still counts.
    pub fn end(&mut self) {
        if !self.partial.is_empty() {
            let line = std::mem::take(&mut self.partial);
            self.complete.push_back(to_text(&line));
        }
    }

    /// The next complete line, oldest first.
    pub fn next_line(&mut self) -> Option<String> {
        self.complete.pop_front()
    }

    /// Takes the bytes of the line not yet ended: when the line editor
    /// takes over, what was typed of the next line is its to edit.
    pub fn take_partial(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.partial)
    }
}

/// A typed line as text, without its line ending. Invalid UTF-8 from the
/// terminal is shown as U+FFFD rather than refused: the user meant
/// *something*.
fn to_text(line: &[u8]) -> String {
    let text = String::from_utf8_lossy(line);
    text.trim_end_matches(['\n', '\r']).to_string()
}

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
    /// `/join #ROOM` (or `/join ROOM`): the room's name, without the `#`.
    Join(String),
    /// `/rooms`
    Rooms,
    /// `/who`: the members of my room.
    Who,
    /// `/history [N]`
    History(u64),
    /// `/help`
    Help,
    /// `/quit`
    Quit,
    /// `/register`: give the name joined as a guest a password.
    Register,
    /// `/passwd`: change the password of the name logged in as.
    Passwd,
    /// `/kick NAME`, `/mute NAME [SECS]`, `/unmute NAME`, `/op NAME`,
    /// `/deop NAME`: sent as they are; the server decides who may.
    Admin {
        action: AdminAction,
        target: String,
        seconds: Option<u64>,
    },
}

/// A line that cannot be acted on; each prints as a hint and nothing is sent.
#[derive(Debug, PartialEq, Eq)]
pub enum Mistake {
    Unknown(String),
    MsgUsage,
    SendUsage(Option<PathError>),
    /// An admin command without its name (or with a bad number of seconds).
    AdminUsage(&'static str),
    JoinUsage,
    /// A room name the server would refuse: checked here first, as a user
    /// name is before joining.
    BadRoom(String, NameError),
    HistoryUsage,
}

impl Mistake {
    pub fn hint(&self) -> String {
        match self {
            Mistake::Unknown(name) => text::t().client_unknown_command(name),
            Mistake::MsgUsage => text::t().usage_client_msg(),
            Mistake::SendUsage(Some(e)) => text::t().bad_path(e),
            Mistake::SendUsage(None) => text::t().usage_send(),
            Mistake::AdminUsage(command) => text::t().usage_client_admin(command),
            Mistake::JoinUsage => text::t().usage_join(),
            Mistake::BadRoom(name, why) => text::t().room_refused(name, why),
            Mistake::HistoryUsage => text::t().usage_history(),
        }
    }
}

/// `/join #python`, `/join python`: the name without one leading `#`,
/// checked against the room-name rules.
fn parse_join(rest: &str) -> Result<Input, Mistake> {
    let name = rest.strip_prefix('#').unwrap_or(rest);
    if name.is_empty() || name.contains(char::is_whitespace) {
        return Err(Mistake::JoinUsage);
    }
    check_room_name(name).map_err(|why| Mistake::BadRoom(name.to_string(), why))?;
    Ok(Input::Join(name.to_string()))
}

/// `/history`, `/history 50`.
fn parse_history(rest: &str) -> Result<Input, Mistake> {
    if rest.is_empty() {
        return Ok(Input::History(DEFAULT_HISTORY));
    }
    match rest.parse::<u64>() {
        Ok(n) if (1..=MAX_HISTORY_LIMIT).contains(&n) => Ok(Input::History(n)),
        _ => Err(Mistake::HistoryUsage),
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
        "register" => Input::Register,
        "passwd" => Input::Passwd,
        "kick" | "mute" | "unmute" | "op" | "deop" => admin(name, rest)?,
        "join" => parse_join(rest)?,
        "rooms" => Input::Rooms,
        "who" => Input::Who,
        "history" => parse_history(rest)?,
        "help" => Input::Help,
        "quit" | "exit" => Input::Quit,
        other => return Err(Mistake::Unknown(other.to_string())),
    };
    Ok(Some(input))
}

/// An admin command: `NAME` (an `@` before it is allowed), and for `mute`
/// an optional number of seconds.
fn admin(command: &str, rest: &str) -> Result<Input, Mistake> {
    let (action, usage) = match command {
        "kick" => (AdminAction::Kick, "kick"),
        "mute" => (AdminAction::Mute, "mute"),
        "unmute" => (AdminAction::Unmute, "unmute"),
        "op" => (AdminAction::Op, "op"),
        _ => (AdminAction::Deop, "deop"),
    };
    let rest = rest.trim_start_matches('@');
    let (target, more) = match rest.split_once(char::is_whitespace) {
        Some((target, more)) => (target, more.trim()),
        None => (rest, ""),
    };
    let seconds = match (action, more) {
        (_, "") => None,
        (AdminAction::Mute, seconds) => {
            Some(seconds.parse().map_err(|_| Mistake::AdminUsage(usage))?)
        }
        _ => return Err(Mistake::AdminUsage(usage)),
    };
    if target.is_empty() {
        return Err(Mistake::AdminUsage(usage));
    }
    Ok(Input::Admin {
        action,
        target: target.to_string(),
        seconds,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_become_lines_however_they_are_cut() {
        let mut lines = Lines::default();
        lines.push(b"Ali");
        assert_eq!(lines.next_line(), None);
        lines.push(b"ce\r\nhello\n/quit\nno end");
        assert_eq!(lines.next_line().as_deref(), Some("Alice"));
        assert_eq!(lines.next_line().as_deref(), Some("hello"));
        assert_eq!(lines.next_line().as_deref(), Some("/quit"));
        assert_eq!(lines.next_line(), None);
        lines.end();
        assert_eq!(lines.next_line().as_deref(), Some("no end"));
        assert_eq!(lines.next_line(), None);
    }

    #[test]
    fn the_unfinished_line_can_be_taken_away() {
        let mut lines = Lines::default();
        lines.push(b"Alice\nhel");
        assert_eq!(lines.take_partial(), b"hel");
        lines.end();
        assert_eq!(lines.next_line().as_deref(), Some("Alice"));
        assert_eq!(lines.next_line(), None);
    }

    #[test]
    fn invalid_utf8_is_shown_not_refused() {
        let mut lines = Lines::default();
        lines.push(b"caf\xe9\n");
        assert_eq!(lines.next_line().as_deref(), Some("caf\u{fffd}"));
    }

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
        assert_eq!(parse("/register"), Ok(Some(Input::Register)));
        assert_eq!(parse("/passwd"), Ok(Some(Input::Passwd)));
    }

    #[test]
    fn admin_commands() {
        let admin = |action, target: &str, seconds| {
            Ok(Some(Input::Admin {
                action,
                target: target.into(),
                seconds,
            }))
        };
        assert_eq!(parse("/kick Bob"), admin(AdminAction::Kick, "Bob", None));
        assert_eq!(parse("/kick @Bob"), admin(AdminAction::Kick, "Bob", None));
        assert_eq!(parse("/mute Bob"), admin(AdminAction::Mute, "Bob", None));
        assert_eq!(
            parse("/mute Bob 60"),
            admin(AdminAction::Mute, "Bob", Some(60))
        );
        assert_eq!(
            parse("/unmute Bob"),
            admin(AdminAction::Unmute, "Bob", None)
        );
        assert_eq!(parse("/op 李雷"), admin(AdminAction::Op, "李雷", None));
        assert_eq!(parse("/deop Bob"), admin(AdminAction::Deop, "Bob", None));
        for wrong in [
            "/kick",
            "/mute Bob soon",
            "/mute Bob -1",
            "/op Bob now",
            "/deop @",
        ] {
            assert!(
                matches!(parse(wrong), Err(Mistake::AdminUsage(_))),
                "{wrong}"
            );
        }
    }

    #[test]
    fn room_commands() {
        assert_eq!(
            parse("/join #python"),
            Ok(Some(Input::Join("python".into())))
        );
        assert_eq!(
            parse("/join Python"),
            Ok(Some(Input::Join("Python".into())))
        );
        assert_eq!(parse("/rooms"), Ok(Some(Input::Rooms)));
        assert_eq!(parse("/who"), Ok(Some(Input::Who)));
        assert_eq!(parse("/history"), Ok(Some(Input::History(20))));
        assert_eq!(parse("/history 1000"), Ok(Some(Input::History(1000))));
        assert_eq!(parse("/join"), Err(Mistake::JoinUsage));
        assert_eq!(parse("/join #"), Err(Mistake::JoinUsage));
        assert_eq!(parse("/join #a b"), Err(Mistake::JoinUsage));
        assert_eq!(
            parse("/join ##x"),
            Err(Mistake::BadRoom("#x".into(), NameError::BadStart('#')))
        );
        for bad in [
            "/history 0",
            "/history 1001",
            "/history lots",
            "/history -5",
        ] {
            assert_eq!(parse(bad), Err(Mistake::HistoryUsage), "{bad}");
        }
        assert!(!Mistake::HistoryUsage.hint().is_empty());
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
