//! How incoming messages look on the user's screen.

use crate::localtime::TimeZone;
use crate::message::ServerMessage;
use crate::text;

/// The line to print for an incoming message, if it shows anything.
/// Times are the server's timestamps shown in this machine's zone.
pub fn render(message: &ServerMessage, zone: &TimeZone) -> Option<String> {
    let time = |t: i64| zone.local(t).hms();
    Some(match message {
        // Replayed from the room's history: said before we came, or asked
        // for with `/history`.
        ServerMessage::Chat(chat) if chat.history => {
            text::earlier_line(&time(chat.timestamp), &chat.sender, &chat.text)
        }
        ServerMessage::Chat(chat) if chat.to.is_none() => {
            text::chat_line(&time(chat.timestamp), &chat.sender, &chat.text)
        }
        ServerMessage::Chat(chat) => {
            text::private_line(&time(chat.timestamp), &chat.sender, &chat.text)
        }
        ServerMessage::Joined(joined) => {
            text::joined_line(&time(joined.timestamp), &joined.name, joined.online)
        }
        ServerMessage::Left(left) => {
            text::left_line(&time(left.timestamp), &left.name, left.reason, left.online)
        }
        ServerMessage::UserList(list) => text::online_list(&list.users),
        ServerMessage::RoomEntered(entered) => text::room_entered_line(
            &time(entered.timestamp),
            &entered.user,
            &entered.room,
            entered.members,
        ),
        ServerMessage::RoomLeft(left) => {
            text::room_left_line(&time(left.timestamp), &left.user, &left.room, left.members)
        }
        ServerMessage::RoomList(list) => {
            let rooms: Vec<(String, u64)> = list
                .rooms
                .iter()
                .map(|r| (r.name.clone(), r.members))
                .collect();
            text::rooms_list(&rooms)
        }
        ServerMessage::Error(error) => text::error_line(&error.text),
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
        let chat = ServerMessage::Chat(Chat::new("Hello Bob!".into(), "Alice".into(), at, None));
        assert_eq!(render(&chat, &utc).unwrap(), "[14:30:25] Alice: Hello Bob!");
        let private = ServerMessage::Chat(Chat::new(
            "check your settings".into(),
            "server".into(),
            at,
            Some("Alice".into()),
        ));
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

    #[test]
    fn replayed_lines_are_marked_as_earlier() {
        let utc = TimeZone::utc();
        let replayed = ServerMessage::Chat(Chat {
            room: Some("python".into()),
            seq: Some(3),
            history: true,
            ..Chat::new("before you came".into(), "Bob".into(), 60, None)
        });
        assert_eq!(
            render(&replayed, &utc).unwrap(),
            "[00:01:00] (earlier) Bob: before you came"
        );
        let live = ServerMessage::Chat(Chat {
            room: Some("python".into()),
            seq: Some(4),
            ..Chat::new("now".into(), "Bob".into(), 60, None)
        });
        assert_eq!(render(&live, &utc).unwrap(), "[00:01:00] Bob: now");
    }
}
