//! What servers send: [`ServerMessage`], the only type the client decodes.
//!
//! What a server relays carries what only it can vouch for: who sent a
//! message (`sender`) and when (`timestamp`). A client reads those from here
//! and nowhere else.

use super::{
    DecodeError, ErrorReport, FileChunk, FileComplete, LeaveReason, Message, MessageType, PING,
    PONG, USER_LIST, parts, string_list, take_flag, take_i64, take_leave_reason,
    take_optional_string, take_optional_u64, take_string, take_string_list, take_u64,
};
use crate::json::Object;

/// Every message a server can send.
#[derive(Debug, Clone, PartialEq)]
pub enum ServerMessage {
    /// `USER_JOIN` with `"self": true`, to the joiner: accepted.
    Welcome(Welcome),
    /// `USER_JOIN`, to everyone else: someone joined.
    Joined(Joined),
    /// `USER_LEAVE`, to everyone else: someone left, and why.
    Left(Left),
    /// `TEXT`: a chat line, with who sent it and when.
    Chat(Chat),
    /// `FILE`: a file is coming, from someone.
    FileOffer(FileOffer),
    /// `FILE_DATA`: one chunk of it.
    FileChunk(FileChunk),
    /// `FILE_COMPLETE`: its end, with the checksum to compare.
    FileComplete(FileComplete),
    /// `ERROR`: something went wrong, maybe ending a transfer.
    Error(ErrorReport),
    /// `USER_LIST` (extension): the names online.
    UserList(UserList),
    /// `PING` (extension): are you still there? Sent to a connection that
    /// has been silent for a while.
    Ping,
    /// `PONG` (extension): the answer to a client's `PING`.
    Pong,
}

impl Message for ServerMessage {
    fn from_parts(kind: &str, data: String, meta: &mut Object) -> Result<Self, DecodeError> {
        Ok(match kind {
            // One type, two messages: `"self": true` is the joiner's own
            // welcome, which carries the list of everyone online; without
            // it, the notice that someone else joined.
            Welcome::NAME if take_flag(meta, "self")? => {
                ServerMessage::Welcome(Welcome::decode(data, meta)?)
            }
            Joined::NAME => ServerMessage::Joined(Joined::decode(data, meta)?),
            Left::NAME => ServerMessage::Left(Left::decode(data, meta)?),
            Chat::NAME => ServerMessage::Chat(Chat::decode(data, meta)?),
            FileOffer::NAME => ServerMessage::FileOffer(FileOffer::decode(data, meta)?),
            FileChunk::NAME => ServerMessage::FileChunk(FileChunk::decode(data, meta)?),
            FileComplete::NAME => ServerMessage::FileComplete(FileComplete::decode(data, meta)?),
            ErrorReport::NAME => ServerMessage::Error(ErrorReport::decode(data, meta)?),
            UserList::NAME => ServerMessage::UserList(UserList::decode(data, meta)?),
            PING => ServerMessage::Ping,
            PONG => ServerMessage::Pong,
            other => return Err(DecodeError::UnknownType(other.to_string())),
        })
    }

    fn into_parts(self, meta: &mut Object) -> (&'static str, String) {
        match self {
            ServerMessage::Welcome(m) => parts(m, meta),
            ServerMessage::Joined(m) => parts(m, meta),
            ServerMessage::Left(m) => parts(m, meta),
            ServerMessage::Chat(m) => parts(m, meta),
            ServerMessage::FileOffer(m) => parts(m, meta),
            ServerMessage::FileChunk(m) => parts(m, meta),
            ServerMessage::FileComplete(m) => parts(m, meta),
            ServerMessage::Error(m) => parts(m, meta),
            ServerMessage::UserList(m) => parts(m, meta),
            ServerMessage::Ping => (PING, String::new()),
            ServerMessage::Pong => (PONG, String::new()),
        }
    }

    fn type_name(&self) -> &'static str {
        match self {
            ServerMessage::Welcome(_) => Welcome::NAME,
            ServerMessage::Joined(_) => Joined::NAME,
            ServerMessage::Left(_) => Left::NAME,
            ServerMessage::Chat(_) => Chat::NAME,
            ServerMessage::FileOffer(_) => FileOffer::NAME,
            ServerMessage::FileChunk(_) => FileChunk::NAME,
            ServerMessage::FileComplete(_) => FileComplete::NAME,
            ServerMessage::Error(_) => ErrorReport::NAME,
            ServerMessage::UserList(_) => UserList::NAME,
            ServerMessage::Ping => PING,
            ServerMessage::Pong => PONG,
        }
    }

    fn payload_len(&self) -> usize {
        let names = |users: &[String]| users.iter().map(|u| u.len() + 4).sum();
        match self {
            ServerMessage::Chat(m) => m.text.len(),
            ServerMessage::FileChunk(m) => m.data.len(),
            ServerMessage::Error(m) => m.text.len(),
            ServerMessage::Welcome(m) => names(&m.users),
            ServerMessage::UserList(m) => names(&m.users),
            _ => 0,
        }
    }
}

/// `USER_JOIN`, server → the joiner: accepted, with everyone online.
/// `max_file_size` and `max_text` (extensions) let a client refuse a file
/// or a chat text that is too big before sending any of it, and so tell
/// its user at once, instead of after the server has refused.
#[derive(Debug, Clone, PartialEq)]
pub struct Welcome {
    pub name: String,
    pub users: Vec<String>,
    pub timestamp: i64,
    pub max_file_size: Option<u64>,
    /// The longest chat text the server accepts, in bytes of UTF-8.
    pub max_text: Option<u64>,
}

impl MessageType for Welcome {
    const NAME: &'static str = "USER_JOIN";

    /// The `self` flag has already been read, to tell this from [`Joined`].
    fn decode(data: String, meta: &mut Object) -> Result<Self, DecodeError> {
        Ok(Welcome {
            name: data,
            users: take_string_list(meta, "users")?,
            timestamp: take_i64(meta, "timestamp")?,
            max_file_size: take_optional_u64(meta, "max_file_size")?,
            max_text: take_optional_u64(meta, "max_text")?,
        })
    }

    fn encode(self, meta: &mut Object) -> String {
        meta.insert("self", true);
        meta.insert("users", string_list(self.users));
        meta.insert("timestamp", self.timestamp);
        if let Some(max) = self.max_file_size {
            meta.insert("max_file_size", max);
        }
        if let Some(max) = self.max_text {
            meta.insert("max_text", max);
        }
        self.name
    }
}

/// `USER_JOIN`, server → everyone else: someone joined.
#[derive(Debug, Clone, PartialEq)]
pub struct Joined {
    pub name: String,
    pub timestamp: i64,
    pub online: u64,
}

impl MessageType for Joined {
    const NAME: &'static str = "USER_JOIN";

    fn decode(data: String, meta: &mut Object) -> Result<Self, DecodeError> {
        Ok(Joined {
            name: data,
            timestamp: take_i64(meta, "timestamp")?,
            online: take_u64(meta, "online")?,
        })
    }

    fn encode(self, meta: &mut Object) -> String {
        meta.insert("timestamp", self.timestamp);
        meta.insert("online", self.online);
        self.name
    }
}

/// `USER_LEAVE`, server → everyone else: someone left, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Left {
    pub name: String,
    pub reason: LeaveReason,
    pub timestamp: i64,
    pub online: u64,
}

impl MessageType for Left {
    const NAME: &'static str = "USER_LEAVE";

    fn decode(data: String, meta: &mut Object) -> Result<Self, DecodeError> {
        Ok(Left {
            name: data,
            reason: take_leave_reason(meta, "reason")?,
            timestamp: take_i64(meta, "timestamp")?,
            online: take_u64(meta, "online")?,
        })
    }

    fn encode(self, meta: &mut Object) -> String {
        meta.insert("reason", self.reason.as_str());
        meta.insert("timestamp", self.timestamp);
        meta.insert("online", self.online);
        self.name
    }
}

/// `TEXT`, server → client: a chat line with its sender and time; `to` is
/// set when it was private (and then `"private": true` goes with it).
#[derive(Debug, Clone, PartialEq)]
pub struct Chat {
    pub text: String,
    pub sender: String,
    pub timestamp: i64,
    pub to: Option<String>,
}

impl MessageType for Chat {
    const NAME: &'static str = "TEXT";

    fn decode(data: String, meta: &mut Object) -> Result<Self, DecodeError> {
        Ok(Chat {
            text: data,
            sender: take_string(meta, "sender")?,
            timestamp: take_i64(meta, "timestamp")?,
            to: take_optional_string(meta, "to")?,
        })
    }

    fn encode(self, meta: &mut Object) -> String {
        meta.insert("sender", self.sender);
        meta.insert("timestamp", self.timestamp);
        if let Some(to) = self.to {
            meta.insert("private", true);
            meta.insert("to", to);
        }
        self.text
    }
}

/// `FILE`, server → recipients: a file is coming from `sender` (a user, or
/// `server` for the console's `/send`), under the server's own transfer id.
#[derive(Debug, Clone, PartialEq)]
pub struct FileOffer {
    pub name: String,
    pub transfer_id: String,
    pub size: u64,
    /// Set when the file was sent to one user only.
    pub to: Option<String>,
    pub sender: String,
}

impl MessageType for FileOffer {
    const NAME: &'static str = "FILE";

    fn decode(data: String, meta: &mut Object) -> Result<Self, DecodeError> {
        Ok(FileOffer {
            name: data,
            transfer_id: take_string(meta, "transfer_id")?,
            size: take_u64(meta, "size")?,
            to: take_optional_string(meta, "to")?,
            sender: take_string(meta, "sender")?,
        })
    }

    fn encode(self, meta: &mut Object) -> String {
        meta.insert("transfer_id", self.transfer_id);
        meta.insert("size", self.size);
        if let Some(to) = self.to {
            meta.insert("to", to);
        }
        meta.insert("sender", self.sender);
        self.name
    }
}

/// `USER_LIST`, server → client (extension): the names online, in the order
/// they joined.
#[derive(Debug, Clone, PartialEq)]
pub struct UserList {
    pub users: Vec<String>,
}

impl MessageType for UserList {
    const NAME: &'static str = USER_LIST;

    fn decode(_data: String, meta: &mut Object) -> Result<Self, DecodeError> {
        Ok(UserList {
            users: take_string_list(meta, "users")?,
        })
    }

    fn encode(self, meta: &mut Object) -> String {
        meta.insert("users", string_list(self.users));
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::checks::{encodes_to, round_trip};
    use crate::message::{ErrorCode, ErrorReason};

    /// One example of every message, used by the round-trip test.
    fn examples() -> Vec<ServerMessage> {
        vec![
            ServerMessage::Welcome(Welcome {
                name: "Alice".into(),
                users: vec!["Bob".into(), "Alice".into()],
                timestamp: 1_700_000_000,
                max_file_size: None,
                max_text: None,
            }),
            ServerMessage::Welcome(Welcome {
                name: "Alice".into(),
                users: vec![],
                timestamp: 1,
                max_file_size: Some(1 << 30),
                max_text: Some(65536),
            }),
            ServerMessage::Joined(Joined {
                name: "Alice".into(),
                timestamp: 1_700_000_000,
                online: 2,
            }),
            ServerMessage::Left(Left {
                name: "Bob".into(),
                reason: LeaveReason::Timeout,
                timestamp: 1,
                online: 0,
            }),
            ServerMessage::Chat(Chat {
                text: "你好 😀".into(),
                sender: "Alice".into(),
                timestamp: 5,
                to: None,
            }),
            ServerMessage::Chat(Chat {
                text: "psst".into(),
                sender: "server".into(),
                timestamp: 5,
                to: Some("Bob".into()),
            }),
            ServerMessage::FileOffer(FileOffer {
                name: "a b.txt".into(),
                transfer_id: "t1".into(),
                size: 4097,
                to: Some("Bob".into()),
                sender: "Alice".into(),
            }),
            ServerMessage::FileChunk(FileChunk {
                transfer_id: "t1".into(),
                index: 0,
                data: "aGk=".into(),
            }),
            ServerMessage::FileComplete(FileComplete {
                name: "a b.txt".into(),
                transfer_id: "t1".into(),
                size: 2,
                sha256: "ab".repeat(32),
            }),
            ServerMessage::Error(
                ErrorReport::new(ErrorCode::UnknownUser, "No such user".into()).about("Bob"),
            ),
            ServerMessage::Error(
                ErrorReport::new(ErrorCode::TransferAborted, "gone".into())
                    .for_transfer("t7")
                    .because(ErrorReason::SenderLeft),
            ),
            ServerMessage::Error(
                ErrorReport::new(ErrorCode::TextTooLong, "long".into()).sized(70000, 65536),
            ),
            ServerMessage::Error(ErrorReport::new(ErrorCode::JoinTimeout, "late".into()).after(30)),
            ServerMessage::Error(
                ErrorReport::new(ErrorCode::BadMessage, "?".into())
                    .because(ErrorReason::Other("new_reason".into())),
            ),
            ServerMessage::UserList(UserList {
                users: vec!["Alice".into()],
            }),
            ServerMessage::Ping,
            ServerMessage::Pong,
        ]
    }

    #[test]
    fn every_message_round_trips() {
        round_trip(examples());
    }

    #[test]
    fn wire_form_matches_the_contract_byte_for_byte() {
        encodes_to(vec![
            (
                ServerMessage::Welcome(Welcome {
                    name: "Alice".into(),
                    users: vec!["Bob".into(), "Alice".into()],
                    timestamp: 17,
                    max_file_size: None,
                    max_text: None,
                }),
                r#"{"type": "USER_JOIN", "data": "Alice", "metadata": {"self": true, "users": ["Bob", "Alice"], "timestamp": 17}}"#,
            ),
            (
                ServerMessage::Joined(Joined {
                    name: "Alice".into(),
                    timestamp: 17,
                    online: 2,
                }),
                r#"{"type": "USER_JOIN", "data": "Alice", "metadata": {"timestamp": 17, "online": 2}}"#,
            ),
            (
                ServerMessage::Left(Left {
                    name: "Bob".into(),
                    reason: LeaveReason::Quit,
                    timestamp: 3,
                    online: 1,
                }),
                r#"{"type": "USER_LEAVE", "data": "Bob", "metadata": {"reason": "quit", "timestamp": 3, "online": 1}}"#,
            ),
            (
                ServerMessage::Chat(Chat {
                    text: "Hi 😀".into(),
                    sender: "Alice".into(),
                    timestamp: 9,
                    to: Some("Bob".into()),
                }),
                r#"{"type": "TEXT", "data": "Hi \ud83d\ude00", "metadata": {"sender": "Alice", "timestamp": 9, "private": true, "to": "Bob"}}"#,
            ),
            (
                ServerMessage::FileOffer(FileOffer {
                    name: "r.pdf".into(),
                    transfer_id: "t1".into(),
                    size: 10,
                    to: None,
                    sender: "Alice".into(),
                }),
                r#"{"type": "FILE", "data": "r.pdf", "metadata": {"transfer_id": "t1", "size": 10, "sender": "Alice"}}"#,
            ),
            (
                ServerMessage::Error(
                    ErrorReport::new(ErrorCode::TransferAborted, "x".into()).for_transfer("t1"),
                ),
                r#"{"type": "ERROR", "data": "x", "metadata": {"code": "transfer_aborted", "transfer_id": "t1"}}"#,
            ),
            (
                ServerMessage::Error(
                    ErrorReport::new(ErrorCode::TransferAborted, "x".into())
                        .for_transfer("t1")
                        .because(ErrorReason::Damaged),
                ),
                r#"{"type": "ERROR", "data": "x", "metadata": {"code": "transfer_aborted", "transfer_id": "t1", "reason": "damaged"}}"#,
            ),
            (
                ServerMessage::Error(
                    ErrorReport::new(ErrorCode::FileTooLarge, "x".into()).sized(10, 5),
                ),
                r#"{"type": "ERROR", "data": "x", "metadata": {"code": "file_too_large", "size": 10, "limit": 5}}"#,
            ),
            (
                ServerMessage::Error(
                    ErrorReport::new(ErrorCode::NameTaken, "x".into()).about("Bob"),
                ),
                r#"{"type": "ERROR", "data": "x", "metadata": {"code": "name_taken", "name": "Bob"}}"#,
            ),
            (
                ServerMessage::UserList(UserList {
                    users: vec!["Alice".into(), "Bob".into()],
                }),
                r#"{"type": "USER_LIST", "data": "", "metadata": {"users": ["Alice", "Bob"]}}"#,
            ),
            (
                ServerMessage::Ping,
                r#"{"type": "PING", "data": "", "metadata": {}}"#,
            ),
        ]);
    }

    #[test]
    fn a_bad_leave_reason_is_bad_message() {
        let err = ServerMessage::decode(
            br#"{"type": "USER_LEAVE", "data": "a", "metadata": {"reason": "bored", "timestamp": 1, "online": 1}}"#,
        )
        .unwrap_err();
        assert_eq!(err.code(), ErrorCode::BadMessage);
        assert_eq!(err.to_string(), "\"reason\" cannot be \"bored\"");
    }

    #[test]
    fn unknown_error_codes_are_kept() {
        let m = ServerMessage::decode(
            br#"{"type": "ERROR", "data": "?", "metadata": {"code": "new_thing"}}"#,
        )
        .unwrap();
        assert_eq!(
            m,
            ServerMessage::Error(ErrorReport::new(
                ErrorCode::Other("new_thing".into()),
                "?".into()
            ))
        );
    }

    /// A server message lacks nothing it promises: a `TEXT` without its
    /// sender is not a chat line a client could show.
    #[test]
    fn a_text_without_sender_is_not_a_chat_line() {
        let err = ServerMessage::decode(br#"{"type": "TEXT", "data": "hi", "metadata": {}}"#)
            .unwrap_err();
        assert_eq!(err, DecodeError::MissingField("sender"));
    }

    #[test]
    fn the_self_flag_must_be_a_boolean() {
        let err = ServerMessage::decode(
            br#"{"type": "USER_JOIN", "data": "a", "metadata": {"self": "yes", "users": [], "timestamp": 1}}"#,
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "\"self\" must be true or false");
    }
}
