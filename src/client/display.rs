//! How incoming messages look on the user's screen.

use crate::localtime::TimeZone;
use crate::message::Message;
use crate::text;

/// The line to print for an incoming message, if it shows anything.
/// Times are the server's timestamps shown in this machine's zone.
pub fn render(message: &Message, zone: &TimeZone) -> Option<String> {
    let time = |t: i64| zone.local(t).hms();
    Some(match message {
        Message::Chat {
            text,
            sender,
            timestamp,
            to: None,
        } => text::chat_line(&time(*timestamp), sender, text),
        Message::Chat {
            text,
            sender,
            timestamp,
            to: Some(_),
        } => text::private_line(&time(*timestamp), sender, text),
        Message::Joined {
            name,
            timestamp,
            online,
        } => text::joined_line(&time(*timestamp), name, *online),
        Message::Left {
            name,
            reason,
            timestamp,
            online,
        } => text::left_line(&time(*timestamp), name, *reason, *online),
        Message::UserList { users } => text::online_list(users),
        Message::Error { text, .. } => text::error_line(text),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::LeaveReason;

    #[test]
    fn lines_look_like_the_original() {
        let utc = TimeZone::utc();
        let at = 14 * 3600 + 30 * 60 + 25;
        let chat = Message::Chat {
            text: "Hello Bob!".into(),
            sender: "Alice".into(),
            timestamp: at,
            to: None,
        };
        assert_eq!(render(&chat, &utc).unwrap(), "[14:30:25] Alice: Hello Bob!");
        let private = Message::Chat {
            text: "check your settings".into(),
            sender: "server".into(),
            timestamp: at,
            to: Some("Alice".into()),
        };
        assert_eq!(
            render(&private, &utc).unwrap(),
            "[14:30:25] server: [private] check your settings"
        );
        let left = Message::Left {
            name: "Bob".into(),
            reason: LeaveReason::Timeout,
            timestamp: at,
            online: 1,
        };
        assert_eq!(
            render(&left, &utc).unwrap(),
            "[14:30:25] * Bob timed out (1 online)"
        );
        assert_eq!(render(&Message::Ping, &utc), None);
    }
}
