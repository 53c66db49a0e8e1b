//! What clients send: [`ClientMessage`], the only type the server decodes.
//!
//! None of these messages carries who sent it or when: the server knows
//! who is on the other end of each connection, and reads its own clock. A
//! client that adds `sender`, `timestamp`, `private` or any other key the
//! server sets has those keys ignored, never obeyed (contract section 5).

use super::{
    AdminAction, DecodeError, ErrorReport, FileChunk, FileComplete, Message, MessageType, PING,
    PONG, ROOM_LIST, USER_LIST, parts, take_optional_string, take_optional_u64, take_string,
    take_u64,
};
use crate::base64;
use crate::crypto::scram::Verifier;
use crate::json::Object;

/// Every message a client can send.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientMessage {
    /// `USER_JOIN`: the first frame, asking for a name.
    Join(Join),
    /// `USER_LEAVE`: a polite goodbye.
    Leave(Leave),
    /// `TEXT`: to everyone else, or privately to one user.
    Text(Text),
    /// `FILE`: a transfer begins.
    FileOffer(FileOffer),
    /// `FILE_DATA`: one chunk of the file.
    FileChunk(FileChunk),
    /// `FILE_COMPLETE`: the end of the file, with its checksum.
    FileComplete(FileComplete),
    /// `ERROR`: the client reports a problem (the server logs it).
    Error(ErrorReport),
    /// `USER_LIST` (extension): who is online?
    ListRequest,
    /// `PING` (extension): is the server still there?
    Ping,
    /// `PONG` (extension): the answer to the server's `PING`.
    Pong,
    /// `ROOM_JOIN` (extension): move to a room, creating it if need be.
    RoomJoin(RoomJoin),
    /// `ROOM_LIST` (extension): which rooms are there?
    RoomListRequest,
    /// `HISTORY` (extension): replay earlier messages of my room.
    History(HistoryRequest),
    /// `REGISTER` (extension): register a name with verifiers computed
    /// from its password, or change the password of the name logged in.
    Register(Register),
    /// `AUTH` (extension): one client step of a SCRAM-SHA-256 login.
    Auth(Auth),
    /// `ADMIN` (extension): an admin's action on another user.
    Admin(Admin),
}

impl Message for ClientMessage {
    fn from_parts(kind: &str, data: String, meta: &mut Object) -> Result<Self, DecodeError> {
        Ok(match kind {
            Join::NAME => ClientMessage::Join(Join::decode(data, meta)?),
            Leave::NAME => ClientMessage::Leave(Leave::decode(data, meta)?),
            Text::NAME => ClientMessage::Text(Text::decode(data, meta)?),
            FileOffer::NAME => ClientMessage::FileOffer(FileOffer::decode(data, meta)?),
            FileChunk::NAME => ClientMessage::FileChunk(FileChunk::decode(data, meta)?),
            FileComplete::NAME => ClientMessage::FileComplete(FileComplete::decode(data, meta)?),
            ErrorReport::NAME => ClientMessage::Error(ErrorReport::decode(data, meta)?),
            USER_LIST => ClientMessage::ListRequest,
            PING => ClientMessage::Ping,
            PONG => ClientMessage::Pong,
            RoomJoin::NAME => ClientMessage::RoomJoin(RoomJoin::decode(data, meta)?),
            ROOM_LIST => ClientMessage::RoomListRequest,
            HistoryRequest::NAME => ClientMessage::History(HistoryRequest::decode(data, meta)?),
            Register::NAME => ClientMessage::Register(Register::decode(data, meta)?),
            Auth::NAME => ClientMessage::Auth(Auth::decode(data, meta)?),
            Admin::NAME => ClientMessage::Admin(Admin::decode(data, meta)?),
            other => return Err(DecodeError::UnknownType(other.to_string())),
        })
    }

    fn into_parts(self, meta: &mut Object) -> (&'static str, String) {
        match self {
            ClientMessage::Join(m) => parts(m, meta),
            ClientMessage::Leave(m) => parts(m, meta),
            ClientMessage::Text(m) => parts(m, meta),
            ClientMessage::FileOffer(m) => parts(m, meta),
            ClientMessage::FileChunk(m) => parts(m, meta),
            ClientMessage::FileComplete(m) => parts(m, meta),
            ClientMessage::Error(m) => parts(m, meta),
            ClientMessage::ListRequest => (USER_LIST, String::new()),
            ClientMessage::Ping => (PING, String::new()),
            ClientMessage::Pong => (PONG, String::new()),
            ClientMessage::RoomJoin(m) => parts(m, meta),
            ClientMessage::RoomListRequest => (ROOM_LIST, String::new()),
            ClientMessage::History(m) => parts(m, meta),
            ClientMessage::Register(m) => parts(m, meta),
            ClientMessage::Auth(m) => parts(m, meta),
            ClientMessage::Admin(m) => parts(m, meta),
        }
    }

    fn type_name(&self) -> &'static str {
        match self {
            ClientMessage::Join(_) => Join::NAME,
            ClientMessage::Leave(_) => Leave::NAME,
            ClientMessage::Text(_) => Text::NAME,
            ClientMessage::FileOffer(_) => FileOffer::NAME,
            ClientMessage::FileChunk(_) => FileChunk::NAME,
            ClientMessage::FileComplete(_) => FileComplete::NAME,
            ClientMessage::Error(_) => ErrorReport::NAME,
            ClientMessage::ListRequest => USER_LIST,
            ClientMessage::Ping => PING,
            ClientMessage::Pong => PONG,
            ClientMessage::RoomJoin(_) => RoomJoin::NAME,
            ClientMessage::RoomListRequest => ROOM_LIST,
            ClientMessage::History(_) => HistoryRequest::NAME,
            ClientMessage::Register(_) => Register::NAME,
            ClientMessage::Auth(_) => Auth::NAME,
            ClientMessage::Admin(_) => Admin::NAME,
        }
    }

    fn payload_len(&self) -> usize {
        match self {
            ClientMessage::Text(m) => m.text.len(),
            ClientMessage::FileChunk(m) => m.data.len(),
            ClientMessage::Error(m) => m.text.len(),
            _ => 0,
        }
    }

    fn file_chunk(&self) -> Option<&FileChunk> {
        match self {
            ClientMessage::FileChunk(chunk) => Some(chunk),
            _ => None,
        }
    }
}

/// `USER_JOIN`, client → server, the first frame: the name it asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct Join {
    pub name: String,
}

impl MessageType for Join {
    const NAME: &'static str = "USER_JOIN";

    fn decode(data: String, _meta: &mut Object) -> Result<Self, DecodeError> {
        Ok(Join { name: data })
    }

    fn encode(self, _meta: &mut Object) -> String {
        self.name
    }
}

/// `USER_LEAVE`, client → server: a polite goodbye, with the client's name.
#[derive(Debug, Clone, PartialEq)]
pub struct Leave {
    pub name: String,
}

impl MessageType for Leave {
    const NAME: &'static str = "USER_LEAVE";

    fn decode(data: String, _meta: &mut Object) -> Result<Self, DecodeError> {
        Ok(Leave { name: data })
    }

    fn encode(self, _meta: &mut Object) -> String {
        self.name
    }
}

/// `TEXT`, client → server: a chat line for everyone else, or for the one
/// user named in `to`.
#[derive(Debug, Clone, PartialEq)]
pub struct Text {
    pub text: String,
    pub to: Option<String>,
}

impl MessageType for Text {
    const NAME: &'static str = "TEXT";

    fn decode(data: String, meta: &mut Object) -> Result<Self, DecodeError> {
        Ok(Text {
            text: data,
            to: take_optional_string(meta, "to")?,
        })
    }

    fn encode(self, meta: &mut Object) -> String {
        if let Some(to) = self.to {
            meta.insert("to", to);
        }
        self.text
    }
}

/// `FILE`, client → server: a transfer begins, to everyone else or to the
/// user named in `to`. The id is the sender's own; the server relays the
/// file under an id of its own, and adds who sent it.
#[derive(Debug, Clone, PartialEq)]
pub struct FileOffer {
    pub name: String,
    pub transfer_id: String,
    pub size: u64,
    pub to: Option<String>,
}

impl MessageType for FileOffer {
    const NAME: &'static str = "FILE";

    fn decode(data: String, meta: &mut Object) -> Result<Self, DecodeError> {
        Ok(FileOffer {
            name: data,
            transfer_id: take_string(meta, "transfer_id")?,
            size: take_u64(meta, "size")?,
            to: take_optional_string(meta, "to")?,
        })
    }

    fn encode(self, meta: &mut Object) -> String {
        meta.insert("transfer_id", self.transfer_id);
        meta.insert("size", self.size);
        if let Some(to) = self.to {
            meta.insert("to", to);
        }
        self.name
    }
}

/// `ROOM_JOIN`, client → server (extension): move to the room named in
/// `data`, which is created if nobody is in it. The name is as the user
/// typed it without the `#` (a person types `#python`, the wire says
/// `python`); the server checks it against the room-name rules.
#[derive(Debug, Clone, PartialEq)]
pub struct RoomJoin {
    pub name: String,
}

impl MessageType for RoomJoin {
    const NAME: &'static str = "ROOM_JOIN";

    fn decode(data: String, _meta: &mut Object) -> Result<Self, DecodeError> {
        Ok(RoomJoin { name: data })
    }

    fn encode(self, _meta: &mut Object) -> String {
        self.name
    }
}

/// The most messages one `HISTORY` request may ask for (contract §9).
pub const MAX_HISTORY_LIMIT: u64 = 1000;

/// `HISTORY`, client → server (extension): replay the last `limit`
/// messages of my room, or the last `limit` before `seq` = `before`.
///
/// `limit` is checked here, where it is read: 1 to
/// [`MAX_HISTORY_LIMIT`], so that no code past the decoder ever sees a
/// request for none or for a million.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryRequest {
    pub limit: u64,
    pub before: Option<u64>,
}

impl MessageType for HistoryRequest {
    const NAME: &'static str = "HISTORY";

    fn decode(_data: String, meta: &mut Object) -> Result<Self, DecodeError> {
        let limit = take_u64(meta, "limit")?;
        if !(1..=MAX_HISTORY_LIMIT).contains(&limit) {
            return Err(DecodeError::BadValue {
                field: "limit",
                value: limit.to_string(),
            });
        }
        Ok(HistoryRequest {
            limit,
            before: take_optional_u64(meta, "before")?,
        })
    }

    fn encode(self, meta: &mut Object) -> String {
        meta.insert("limit", self.limit);
        if let Some(before) = self.before {
            meta.insert("before", before);
        }
        String::new()
    }
}

/// `REGISTER`, client → server (extension): the name, and the SCRAM
/// verifiers the client computed from the password (contract §10). The
/// password itself never leaves the client. The fields stay as they came
/// (base64 text, a number): the server decodes and checks them, so that it
/// can say which one it refuses.
#[derive(Debug, Clone, PartialEq)]
pub struct Register {
    pub name: String,
    pub salt: String,
    pub iterations: u64,
    pub stored_key: String,
    pub server_key: String,
}

impl Register {
    /// The message that registers `name` with `verifier`.
    pub fn new(name: &str, verifier: &Verifier) -> Register {
        Register {
            name: name.to_string(),
            salt: base64::encode(&verifier.salt),
            iterations: u64::from(verifier.iterations),
            stored_key: base64::encode(&verifier.stored_key),
            server_key: base64::encode(&verifier.server_key),
        }
    }
}

impl MessageType for Register {
    const NAME: &'static str = "REGISTER";

    fn decode(data: String, meta: &mut Object) -> Result<Self, DecodeError> {
        Ok(Register {
            name: data,
            salt: take_string(meta, "salt")?,
            iterations: take_u64(meta, "iterations")?,
            stored_key: take_string(meta, "stored_key")?,
            server_key: take_string(meta, "server_key")?,
        })
    }

    fn encode(self, meta: &mut Object) -> String {
        meta.insert("salt", self.salt);
        meta.insert("iterations", self.iterations);
        meta.insert("stored_key", self.stored_key);
        meta.insert("server_key", self.server_key);
        self.name
    }
}

/// `AUTH`, client → server (extension): a SCRAM message. The first of a
/// login (client-first) names its mechanism; the second (client-final)
/// carries the proof and nothing in `metadata`.
#[derive(Debug, Clone, PartialEq)]
pub struct Auth {
    pub message: String,
    pub mechanism: Option<String>,
}

impl MessageType for Auth {
    const NAME: &'static str = "AUTH";

    fn decode(data: String, meta: &mut Object) -> Result<Self, DecodeError> {
        Ok(Auth {
            message: data,
            mechanism: take_optional_string(meta, "mechanism")?,
        })
    }

    fn encode(self, meta: &mut Object) -> String {
        if let Some(mechanism) = self.mechanism {
            meta.insert("mechanism", mechanism);
        }
        self.message
    }
}

/// `ADMIN`, client → server (extension): an action on the user `target`;
/// `seconds` says how long a `mute` lasts (the server's default if absent).
#[derive(Debug, Clone, PartialEq)]
pub struct Admin {
    pub action: AdminAction,
    pub target: String,
    pub seconds: Option<u64>,
}

impl MessageType for Admin {
    const NAME: &'static str = "ADMIN";

    fn decode(data: String, meta: &mut Object) -> Result<Self, DecodeError> {
        Ok(Admin {
            action: AdminAction::decode(data)?,
            target: take_string(meta, "target")?,
            seconds: take_optional_u64(meta, "seconds")?,
        })
    }

    fn encode(self, meta: &mut Object) -> String {
        meta.insert("target", self.target);
        if let Some(seconds) = self.seconds {
            meta.insert("seconds", seconds);
        }
        self.action.as_str().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::ErrorCode;
    use crate::message::checks::{encodes_to, round_trip, wire};

    /// One example of every message, used by the round-trip test.
    fn examples() -> Vec<ClientMessage> {
        vec![
            ClientMessage::Join(Join {
                name: "Alice".into(),
            }),
            ClientMessage::Leave(Leave { name: "Bob".into() }),
            ClientMessage::Text(Text {
                text: "hi".into(),
                to: None,
            }),
            ClientMessage::Text(Text {
                text: "psst 😀".into(),
                to: Some("Bob".into()),
            }),
            ClientMessage::FileOffer(FileOffer {
                name: "a b.txt".into(),
                transfer_id: "1".into(),
                size: 4097,
                to: Some("Bob".into()),
            }),
            ClientMessage::FileChunk(FileChunk {
                transfer_id: "1".into(),
                index: 0,
                data: "aGk=".into(),
            }),
            ClientMessage::FileComplete(FileComplete {
                name: "a b.txt".into(),
                transfer_id: "1".into(),
                size: 2,
                sha256: "ab".repeat(32),
            }),
            ClientMessage::Error(
                ErrorReport::new(ErrorCode::TransferAborted, "gone".into()).for_transfer("t7"),
            ),
            ClientMessage::ListRequest,
            ClientMessage::Ping,
            ClientMessage::Pong,
            ClientMessage::RoomJoin(RoomJoin {
                name: "Python".into(),
            }),
            ClientMessage::RoomListRequest,
            ClientMessage::History(HistoryRequest {
                limit: 20,
                before: None,
            }),
            ClientMessage::History(HistoryRequest {
                limit: 1000,
                before: Some(57),
            }),
            ClientMessage::Register(Register {
                name: "李雷".into(),
                salt: "c2FsdA==".into(),
                iterations: 4096,
                stored_key: "a2V5".into(),
                server_key: "a2V5".into(),
            }),
            ClientMessage::Auth(Auth {
                message: "n,,n=user,r=abc".into(),
                mechanism: Some("SCRAM-SHA-256".into()),
            }),
            ClientMessage::Auth(Auth {
                message: "c=biws,r=abcdef,p=cHJvb2Y=".into(),
                mechanism: None,
            }),
            ClientMessage::Admin(Admin {
                action: AdminAction::Mute,
                target: "Bob".into(),
                seconds: Some(60),
            }),
            ClientMessage::Admin(Admin {
                action: AdminAction::Deop,
                target: "Bob".into(),
                seconds: None,
            }),
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
                ClientMessage::Join(Join {
                    name: "Alice".into(),
                }),
                r#"{"type": "USER_JOIN", "data": "Alice", "metadata": {}}"#,
            ),
            (
                ClientMessage::Text(Text {
                    text: "Hi 😀".into(),
                    to: None,
                }),
                r#"{"type": "TEXT", "data": "Hi \ud83d\ude00", "metadata": {}}"#,
            ),
            (
                ClientMessage::Text(Text {
                    text: "psst".into(),
                    to: Some("Bob".into()),
                }),
                r#"{"type": "TEXT", "data": "psst", "metadata": {"to": "Bob"}}"#,
            ),
            (
                ClientMessage::FileOffer(FileOffer {
                    name: "r.pdf".into(),
                    transfer_id: "1".into(),
                    size: 10,
                    to: Some("Bob".into()),
                }),
                r#"{"type": "FILE", "data": "r.pdf", "metadata": {"transfer_id": "1", "size": 10, "to": "Bob"}}"#,
            ),
            (
                ClientMessage::ListRequest,
                r#"{"type": "USER_LIST", "data": "", "metadata": {}}"#,
            ),
            (
                ClientMessage::RoomJoin(RoomJoin {
                    name: "python".into(),
                }),
                r#"{"type": "ROOM_JOIN", "data": "python", "metadata": {}}"#,
            ),
            (
                ClientMessage::RoomListRequest,
                r#"{"type": "ROOM_LIST", "data": "", "metadata": {}}"#,
            ),
            (
                ClientMessage::History(HistoryRequest {
                    limit: 50,
                    before: Some(120),
                }),
                r#"{"type": "HISTORY", "data": "", "metadata": {"limit": 50, "before": 120}}"#,
            ),
            (
                ClientMessage::Register(Register {
                    name: "Alice".into(),
                    salt: "S".into(),
                    iterations: 4096,
                    stored_key: "K1".into(),
                    server_key: "K2".into(),
                }),
                r#"{"type": "REGISTER", "data": "Alice", "metadata": {"salt": "S", "iterations": 4096, "stored_key": "K1", "server_key": "K2"}}"#,
            ),
            (
                ClientMessage::Auth(Auth {
                    message: "n,,n=user,r=rOprNGfwEbeRWgbNEkqO".into(),
                    mechanism: Some("SCRAM-SHA-256".into()),
                }),
                r#"{"type": "AUTH", "data": "n,,n=user,r=rOprNGfwEbeRWgbNEkqO", "metadata": {"mechanism": "SCRAM-SHA-256"}}"#,
            ),
            (
                ClientMessage::Admin(Admin {
                    action: AdminAction::Mute,
                    target: "Bob".into(),
                    seconds: Some(300),
                }),
                r#"{"type": "ADMIN", "data": "mute", "metadata": {"target": "Bob", "seconds": 300}}"#,
            ),
        ]);
    }

    #[test]
    fn a_history_limit_outside_one_to_a_thousand_is_bad_message() {
        for limit in ["0", "1001", "-1", "1.5", "\"20\"", "null"] {
            let body =
                format!(r#"{{"type": "HISTORY", "data": "", "metadata": {{"limit": {limit}}}}}"#);
            let err = ClientMessage::decode(body.as_bytes()).unwrap_err();
            assert_eq!(err.code(), ErrorCode::BadMessage, "{body}");
        }
        let err = ClientMessage::decode(
            br#"{"type": "HISTORY", "data": "", "metadata": {"limit": 5, "before": "x"}}"#,
        )
        .unwrap_err();
        assert_eq!(err.code(), ErrorCode::BadMessage);
    }

    #[test]
    fn an_admin_action_is_one_of_five_words() {
        let err = ClientMessage::decode(
            br#"{"type": "ADMIN", "data": "ban", "metadata": {"target": "Bob"}}"#,
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "\"data\" cannot be \"ban\"");
        let err = ClientMessage::decode(br#"{"type": "ADMIN", "data": "kick"}"#).unwrap_err();
        assert_eq!(err, DecodeError::MissingField("target"));
        let err = ClientMessage::decode(
            br#"{"type": "ADMIN", "data": "mute", "metadata": {"target": "Bob", "seconds": -1}}"#,
        )
        .unwrap_err();
        assert!(matches!(
            err,
            DecodeError::WrongType {
                field: "seconds",
                ..
            }
        ));
    }

    #[test]
    fn a_register_without_its_verifiers_is_bad_message() {
        for missing in ["salt", "iterations", "stored_key", "server_key"] {
            let mut meta = vec![
                r#""salt": "S""#,
                r#""iterations": 4096"#,
                r#""stored_key": "K""#,
                r#""server_key": "K""#,
            ];
            meta.retain(|field| !field.contains(missing));
            let body = format!(
                r#"{{"type": "REGISTER", "data": "Alice", "metadata": {{{}}}}}"#,
                meta.join(", ")
            );
            let err = ClientMessage::decode(body.as_bytes()).unwrap_err();
            assert!(
                matches!(err, DecodeError::MissingField(f) if f == missing),
                "{body}"
            );
        }
    }

    #[test]
    fn missing_metadata_is_an_empty_object() {
        let m = ClientMessage::decode(br#"{"type": "TEXT", "data": "hi"}"#).unwrap();
        assert_eq!(
            m,
            ClientMessage::Text(Text {
                text: "hi".into(),
                to: None
            })
        );
    }

    #[test]
    fn unknown_metadata_keys_and_key_order_do_not_matter() {
        let m = ClientMessage::decode(
            br#"{"metadata":{"future":[1,2],"to":"Bob"} , "data":"hi","type":"TEXT"}"#,
        )
        .unwrap();
        assert_eq!(
            m,
            ClientMessage::Text(Text {
                text: "hi".into(),
                to: Some("Bob".into())
            })
        );
    }

    /// Regression: a client `TEXT` that carried `"sender"` was refused as
    /// "only the server sends TEXT messages of this form", because the
    /// decoder guessed the direction from the keys present. It is an
    /// ordinary `TEXT`, and the keys only the server sets are dropped.
    #[test]
    fn a_text_carrying_server_only_keys_is_an_ordinary_text() {
        let body = br#"{"type": "TEXT", "data": "hi", "metadata": {"sender": "server", "timestamp": 1, "private": true, "to": "Bob"}}"#;
        assert_eq!(
            ClientMessage::decode(body),
            Ok(ClientMessage::Text(Text {
                text: "hi".into(),
                to: Some("Bob".into())
            }))
        );
        // Re-encoded, nothing of the server's keys is left.
        assert_eq!(
            wire(&ClientMessage::decode(body).unwrap()),
            r#"{"type": "TEXT", "data": "hi", "metadata": {"to": "Bob"}}"#
        );
    }

    /// Every type name means one thing from a client, whatever keys ride
    /// along: the server's shapes of `USER_JOIN`, `USER_LEAVE`, `USER_LIST`
    /// and `FILE` are read as the client's.
    #[test]
    fn server_shaped_messages_from_a_client_read_as_client_messages() {
        let cases: [(&[u8], ClientMessage); 4] = [
            (
                br#"{"type": "USER_JOIN", "data": "Eve", "metadata": {"self": true, "users": [], "timestamp": 1}}"#,
                ClientMessage::Join(Join { name: "Eve".into() }),
            ),
            (
                br#"{"type": "USER_LEAVE", "data": "Eve", "metadata": {"reason": "kicked", "timestamp": 1, "online": 0}}"#,
                ClientMessage::Leave(Leave { name: "Eve".into() }),
            ),
            (
                br#"{"type": "USER_LIST", "data": "", "metadata": {"users": ["Alice"]}}"#,
                ClientMessage::ListRequest,
            ),
            (
                br#"{"type": "FILE", "data": "x", "metadata": {"transfer_id": "1", "size": 1, "sender": "server"}}"#,
                ClientMessage::FileOffer(FileOffer {
                    name: "x".into(),
                    transfer_id: "1".into(),
                    size: 1,
                    to: None,
                }),
            ),
        ];
        for (body, expected) in cases {
            assert_eq!(
                ClientMessage::decode(body),
                Ok(expected),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
