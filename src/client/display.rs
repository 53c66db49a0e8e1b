//! How incoming messages look on the user's screen.
//!
//! An `ERROR`'s own sentence is in the server's language, which need not be
//! ours. So an error whose code we know is said again here, in our
//! language, from its code and its metadata ([`error_text`]), with the same
//! catalogue sentences the server words it with; only a code this version
//! does not know (a newer server's) is shown in the server's words.

use crate::filetypes::{Refused, extension};
use crate::localtime::TimeZone;
use crate::localtime::now_unix;
use crate::message::{ErrorCode, ErrorReason, ErrorReport, ServerMessage};
use crate::names::{SERVER_NAME, check_name, check_room_name};
use crate::server::accounts::AccountError;
use crate::server::admin::AdminError;
use crate::server::mutes::MuteError;
use crate::text;
use crate::transfer::TransferError;

/// The line to print for an incoming message, if it shows anything.
/// Times are the server's timestamps shown in this machine's zone.
pub fn render(message: &ServerMessage, zone: &TimeZone) -> Option<String> {
    let time = |t: i64| zone.local(t).hms();
    Some(match message {
        // Replayed from the room's history: said before we came, or asked
        // for with `/history`.
        ServerMessage::Chat(chat) if chat.history => {
            text::t().earlier_line(&time(chat.timestamp), &chat.sender, &chat.text)
        }
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
        ServerMessage::RoomEntered(entered) => text::t().room_entered_line(
            &time(entered.timestamp),
            &entered.user,
            &entered.room,
            entered.members,
        ),
        ServerMessage::RoomLeft(left) => {
            text::t().room_left_line(&time(left.timestamp), &left.user, &left.room, left.members)
        }
        ServerMessage::RoomList(list) => {
            let rooms: Vec<(String, u64)> = list
                .rooms
                .iter()
                .map(|r| (r.name.clone(), r.members))
                .collect();
            text::t().rooms_list(&rooms)
        }
        ServerMessage::Error(error) => text::t().error_line(&error_text(error)),
        _ => return None,
    })
}

/// What an `ERROR` says, in this client's language.
pub fn error_text(error: &ErrorReport) -> String {
    explain(error, None).unwrap_or_else(|| error.text.clone())
}

/// Why the transfer of the file `name` from `sender` ended, as an `ERROR`
/// about it says, in this client's language.
pub fn transfer_error_text(error: &ErrorReport, name: &str, sender: &str) -> String {
    explain(error, Some((name, sender))).unwrap_or_else(|| error.text.clone())
}

/// The sentence for an error we know, from its code and metadata; `None`
/// for a code we do not know, or one without the metadata its sentence
/// needs (a server of another version), where the server's words are all
/// there is.
fn explain(error: &ErrorReport, file: Option<(&str, &str)>) -> Option<String> {
    let t = text::t();
    let details = &error.details;
    let name = details.name.as_deref();
    let id = error.transfer_id.as_deref();
    Some(match &error.code {
        ErrorCode::NameInvalid | ErrorCode::NameTaken
            if details.reason == Some(ErrorReason::Register) =>
        {
            let why = match check_name(name?) {
                Err(why) if error.code == ErrorCode::NameInvalid => AccountError::BadName(why),
                _ => AccountError::Taken,
            };
            t.error_register_refused(name?, &why)
        }
        // Our own rules say why, in our words; a name they accept was
        // refused by rules we do not know.
        ErrorCode::NameInvalid if details.reason == Some(ErrorReason::RoomName) => {
            match check_room_name(name?) {
                Err(why) => t.error_room_invalid(name?, &why),
                Ok(()) => t.error_name_refused(name?),
            }
        }
        ErrorCode::NameInvalid => match check_name(name?) {
            Err(why) => t.error_name_invalid(name?, &why),
            Ok(()) => t.error_name_refused(name?),
        },
        ErrorCode::RoomLimit => t.error_room_limit(name?, usize::try_from(details.limit?).ok()?),
        ErrorCode::NameTaken => t.error_name_taken(name?),
        ErrorCode::UnknownUser if details.reason == Some(ErrorReason::NotRegistered) => {
            t.error_admin(&AdminError::NotRegistered(name?.to_string()))
        }
        ErrorCode::UnknownUser => t.error_unknown_user(name?),
        ErrorCode::TextTooLong => match (details.size, details.limit) {
            (Some(size), Some(limit)) => t.error_text_too_long(size, limit),
            _ => t.error_text_too_long_unsized(),
        },
        ErrorCode::FileTooLarge => match (details.size, details.limit) {
            (Some(size), Some(limit)) => t.error_file_too_large(size, limit),
            _ => t.error_file_too_large_unsized(),
        },
        ErrorCode::FrameTooLarge => t.error_frame_too_large(details.limit),
        ErrorCode::BadUtf8 | ErrorCode::BadJson => t.error_not_understood(),
        ErrorCode::BadMessage => match &details.reason {
            Some(ErrorReason::JoinFirst) => t.error_join_first(),
            Some(ErrorReason::AlreadyJoined) => t.error_already_joined(),
            Some(ErrorReason::DuplicateTransfer) => t.error_duplicate_transfer(id?),
            Some(ErrorReason::TooManyTransfers) => {
                t.error_too_many_transfers(usize::try_from(details.limit?).ok()?)
            }
            Some(ErrorReason::RegisterOwnName) => t.error_register_own_name(name?),
            Some(ErrorReason::AuthAfterJoin) => t.error_auth_after_join(),
            Some(ErrorReason::NotMuted) => t.error_admin(&AdminError::NotMuted(name?.to_string())),
            Some(ErrorReason::MuteZero) => t.error_admin(&AdminError::Mute(MuteError::Zero)),
            Some(ErrorReason::MuteTooLong) => t.error_admin(&AdminError::Mute(MuteError::TooLong)),
            Some(ErrorReason::MuteFull) => t.error_admin(&AdminError::Mute(MuteError::Full)),
            _ => t.error_not_understood(),
        },
        ErrorCode::TransferAborted => match (&details.reason, file) {
            (Some(ErrorReason::SenderLeft), Some((name, sender))) => {
                t.error_sender_left(name, sender)
            }
            (Some(ErrorReason::Checksum), Some((name, _))) => {
                t.error_transfer_failed(name, &t.transfer_error(&TransferError::ChecksumMismatch))
            }
            (Some(ErrorReason::Checksum), None) => {
                t.transfer_error(&TransferError::ChecksumMismatch)
            }
            (Some(ErrorReason::Damaged), _) => t.error_transfer_damaged(),
            (Some(ErrorReason::Storage), _) => t.error_server_cannot_store(),
            (Some(ErrorReason::UnknownTransfer), _) => t.error_unknown_transfer(id?),
            _ => t.error_transfer_aborted(),
        },
        ErrorCode::ServerFull => t.error_server_full(),
        ErrorCode::Kicked => match (&details.reason, details.by.as_deref()) {
            (Some(ErrorReason::AccountDeleted), Some(by)) => t.error_account_deleted(by),
            (_, by) => t.error_kicked(by.unwrap_or(SERVER_NAME)),
        },
        ErrorCode::AuthRequired if details.reason == Some(ErrorReason::MembersOnly) => {
            t.error_members_only(name?)
        }
        ErrorCode::AuthRequired => t.error_auth_required(name?),
        ErrorCode::AuthFailed => t.error_auth_failed(),
        ErrorCode::AuthLocked => t.error_auth_locked(seconds_until(error.until?)),
        ErrorCode::RateLimited => t.error_registrations_limited(seconds_until(error.until?)),
        ErrorCode::WeakVerifier => t.error_weak_verifier(),
        ErrorCode::Forbidden => match &details.reason {
            Some(ErrorReason::Action(action)) => t.error_forbidden(action.as_str()),
            _ => return None,
        },
        ErrorCode::Muted => t.error_muted(&TimeZone::from_env().local(error.until?).hms()),
        ErrorCode::FileTypeRefused => {
            let ext = extension(name?);
            let why = match details.reason {
                Some(ErrorReason::Denied) => Refused::Denied { ext: ext? },
                Some(ErrorReason::NotAllowed) => Refused::NotAllowed { ext },
                _ => return None,
            };
            t.error_file_type_refused(name?, &why)
        }
        ErrorCode::JoinTimeout => t.error_join_timeout(details.seconds?),
        ErrorCode::ServerShutdown => t.error_server_shutdown(),
        ErrorCode::Other(_) => return None,
    })
}

/// Whole seconds from now until the Unix time `until`, at least 1: what a
/// "try again in N seconds" says.
fn seconds_until(until: i64) -> u64 {
    u64::try_from(until.saturating_sub(now_unix()))
        .unwrap_or(0)
        .max(1)
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

    /// The server spoke Chinese; this client (English, as every unit test
    /// is) says each error it knows in English, from the metadata.
    #[test]
    fn known_errors_are_said_in_our_language_unknown_ones_in_the_servers() {
        let t = text::t();
        let zh = |code| ErrorReport::new(code, "服务器的句子".into());
        assert_eq!(
            error_text(&zh(ErrorCode::UnknownUser).about("Bob")),
            t.error_unknown_user("Bob")
        );
        assert_eq!(
            error_text(&zh(ErrorCode::TextTooLong).sized(70000, 65536)),
            t.error_text_too_long(70000, 65536)
        );
        // Our own rules say why a name is refused.
        assert_eq!(
            error_text(&zh(ErrorCode::NameInvalid).about("a b")),
            "The name \"a b\" cannot be used: a name cannot contain spaces."
        );
        assert_eq!(
            error_text(&zh(ErrorCode::NameInvalid).about("Alice")),
            t.error_name_refused("Alice")
        );
        assert_eq!(error_text(&zh(ErrorCode::Kicked)), t.error_kicked("server"));
        assert_eq!(
            error_text(&zh(ErrorCode::Kicked).by("Alice")),
            t.error_kicked("Alice")
        );
        assert_eq!(
            error_text(&zh(ErrorCode::BadMessage).because(ErrorReason::JoinFirst)),
            t.error_join_first()
        );
        assert_eq!(
            error_text(&zh(ErrorCode::BadJson)),
            t.error_not_understood()
        );
        let left = zh(ErrorCode::TransferAborted)
            .for_transfer("t1")
            .because(ErrorReason::SenderLeft);
        assert_eq!(
            transfer_error_text(&left, "notes.txt", "Bob"),
            t.error_sender_left("notes.txt", "Bob")
        );
        // Without the metadata its sentence needs, or with a code we do
        // not know, the server's words are all there is.
        assert_eq!(error_text(&zh(ErrorCode::UnknownUser)), "服务器的句子");
        assert_eq!(
            error_text(&zh(ErrorCode::Other("new_code".into()))),
            "服务器的句子"
        );
        // A room's name is refused by the room rules, in our words.
        let room = zh(ErrorCode::NameInvalid)
            .about("a b")
            .because(ErrorReason::RoomName);
        assert_eq!(
            error_text(&room),
            t.error_room_invalid("a b", &check_room_name("a b").unwrap_err())
        );
        assert_eq!(
            error_text(&zh(ErrorCode::RoomLimit).about("python").limited(100)),
            t.error_room_limit("python", 100)
        );
        // Sizes missing: the sentence without them, still ours.
        assert_eq!(
            error_text(&zh(ErrorCode::FileTooLarge)),
            t.error_file_too_large_unsized()
        );
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
