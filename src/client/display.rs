//! How incoming messages look on the user's screen.

use crate::localtime::TimeZone;
use crate::message::ServerMessage;
use crate::text;

/// The line to print for an incoming message, if it shows anything.
/// Times are the server's timestamps shown in this machine's zone.
pub fn render(message: &ServerMessage, zone: &TimeZone) -> Option<String> {
    let time = |t: i64| zone.local(t).hms();
    Some(match message {
        ServerMessage::Chat(chat) if chat.to.is_none() => {
            text::t().chat_line(&time(chat.timestamp), &chat.sender, &chat.text)
        }
        ServerMessage::Chat(chat) => {
            text::t().private_line(&time(chat.timestamp), &chat.sender, &chat.text)
        }
        ServerMessage::Joined(joined) => {
            text::t().joined_line(&time(joined.timestamp), &joined.name, joined.online)
        }
        ServerMessage::Left(left) => {
            text::t().left_line(&time(left.timestamp), &left.name, left.reason, left.online)
        }
        ServerMessage::UserList(list) => text::t().online_list(&list.users),
        ServerMessage::Error(error) => text::t().error_line(&error.text),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::LeaveReason;
    use crate::message::server::{Chat, Left};

    #[test]
    fn lines_look_like_the_original() {
        let utc = TimeZone::utc();
        let at = 14 * 3600 + 30 * 60 + 25;
        let chat = ServerMessage::Chat(Chat {
            text: "Hello Bob!".into(),
            sender: "Alice".into(),
            timestamp: at,
            to: None,
        });
        assert_eq!(render(&chat, &utc).unwrap(), "[14:30:25] Alice: Hello Bob!");
        let private = ServerMessage::Chat(Chat {
            text: "check your settings".into(),
            sender: "server".into(),
            timestamp: at,
            to: Some("Alice".into()),
        });
        assert_eq!(
            render(&private, &utc).unwrap(),
            "[14:30:25] server: [private] check your settings"
        );
        let left = ServerMessage::Left(Left {
            name: "Bob".into(),
            reason: LeaveReason::Timeout,
            timestamp: at,
            online: 1,
        });
        assert_eq!(
            render(&left, &utc).unwrap(),
            "[14:30:25] * Bob timed out (1 online)"
        );
        assert_eq!(render(&ServerMessage::Ping, &utc), None);
    }
}
