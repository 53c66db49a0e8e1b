//! Typed messages: the one definition of every message in the protocol.
//!
//! On the wire every message is the same JSON envelope,
//!
//! ```text
//! {"type": "TEXT", "data": "Hello Bob!", "metadata": {"to": "Bob"}}
//! ```
//!
//! which is convenient for a Python program but easy to get wrong in a
//! program that handles it: a missing field, a misspelt key, a number where
//! a string belongs. So the rest of the code never sees the envelope. It sees
//! [`Message`], an enum with one variant per *meaning*, and this module is the
//! only place that knows which JSON spells which variant.
//!
//! Some types mean different things in each direction. A `USER_JOIN` from a
//! client asks for a name; from the server it announces that someone joined.
//! The fields the server adds tell them apart when decoding (`"self": true`,
//! `"timestamp"`, `"reason"`, `"sender"`, `"users"`), so decoding needs no
//! idea of who is speaking. The full table is in `docs/protocol.md`.

use std::fmt;

use crate::json::{self, ErrorKind, Object, ParseError, Value};

/// Every message either side can send.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// `USER_JOIN`, client → server, the first frame: the name it asks for.
    Join { name: String },
    /// `USER_JOIN`, server → the joiner: accepted, with everyone online.
    /// `max_file_size` (extension) lets a client refuse a file that is too
    /// big before sending any of it.
    Welcome {
        name: String,
        users: Vec<String>,
        timestamp: i64,
        max_file_size: Option<u64>,
    },
    /// `USER_JOIN`, server → everyone else: someone joined.
    Joined {
        name: String,
        timestamp: i64,
        online: u64,
    },
    /// `USER_LEAVE`, client → server: a polite goodbye.
    Leave { name: String },
    /// `USER_LEAVE`, server → everyone else: someone left, and why.
    Left {
        name: String,
        reason: LeaveReason,
        timestamp: i64,
        online: u64,
    },
    /// `TEXT`, client → server: to everyone else, or privately to one user.
    Text { text: String, to: Option<String> },
    /// `TEXT`, server → client: a message with its sender and time;
    /// `to` is set when it was private.
    Chat {
        text: String,
        sender: String,
        timestamp: i64,
        to: Option<String>,
    },
    /// `FILE`: a transfer begins. The server adds `sender` when relaying.
    FileOffer {
        name: String,
        transfer_id: String,
        size: u64,
        to: Option<String>,
        sender: Option<String>,
    },
    /// `FILE_DATA`: one chunk of a file, as base64 text. It stays text until
    /// whoever writes it to disk decodes it, so a relay need not re-encode.
    FileChunk {
        transfer_id: String,
        index: u64,
        data: String,
    },
    /// `FILE_COMPLETE`: the last message of a transfer, with the size and
    /// SHA-256 the receiver checks before keeping the file.
    FileComplete {
        name: String,
        transfer_id: String,
        size: u64,
        sha256: String,
    },
    /// `ERROR`: a sentence for a person, a code for a program, and the
    /// transfer it ends, if any.
    Error {
        text: String,
        code: ErrorCode,
        transfer_id: Option<String>,
    },
    /// `USER_LIST`, client → server (extension): who is online?
    ListRequest,
    /// `USER_LIST`, server → client (extension): the names online.
    UserList { users: Vec<String> },
    /// `PING` (extension): are you still there? Sent by the server to a
    /// connection that has been silent for a while.
    Ping,
    /// `PONG` (extension): the answer to `PING`.
    Pong,
}

/// Why a user left, as told to everyone else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeaveReason {
    /// The user said goodbye (`/quit`).
    Quit,
    /// The connection closed or failed without a goodbye.
    Disconnected,
    /// The connection went silent past the heartbeat deadline.
    Timeout,
    /// The server removed the user.
    Kicked,
}

impl LeaveReason {
    pub fn as_str(self) -> &'static str {
        match self {
            LeaveReason::Quit => "quit",
            LeaveReason::Disconnected => "disconnected",
            LeaveReason::Timeout => "timeout",
            LeaveReason::Kicked => "kicked",
        }
    }

    fn from_wire(s: &str) -> Option<Self> {
        Some(match s {
            "quit" => LeaveReason::Quit,
            "disconnected" => LeaveReason::Disconnected,
            "timeout" => LeaveReason::Timeout,
            "kicked" => LeaveReason::Kicked,
            _ => return None,
        })
    }
}

/// The `code` of an `ERROR` message: what a program can branch on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorCode {
    /// A frame's length was over the receiver's limit; the connection closes.
    FrameTooLarge,
    /// A frame's body was not UTF-8.
    BadUtf8,
    /// A frame's body was not JSON.
    BadJson,
    /// Valid JSON, but not a message this protocol knows.
    BadMessage,
    /// The requested user name breaks the naming rules.
    NameInvalid,
    /// Someone online already has that name.
    NameTaken,
    /// A private message or file named a user who is not online.
    UnknownUser,
    /// A file transfer ended before it completed.
    TransferAborted,
    /// Extension: the server is at its client limit.
    ServerFull,
    /// Extension: a text message was over the server's length limit.
    TextTooLong,
    /// Extension: a file was over the server's size limit.
    FileTooLarge,
    /// Extension: the server is shutting down.
    ServerShutdown,
    /// Extension: the server's admin removed this client (`/kick`).
    Kicked,
    /// A code this version does not know. Kept, not refused, so that a newer
    /// server can add codes without breaking older clients.
    Other(String),
}

impl ErrorCode {
    pub fn as_str(&self) -> &str {
        match self {
            ErrorCode::FrameTooLarge => "frame_too_large",
            ErrorCode::BadUtf8 => "bad_utf8",
            ErrorCode::BadJson => "bad_json",
            ErrorCode::BadMessage => "bad_message",
            ErrorCode::NameInvalid => "name_invalid",
            ErrorCode::NameTaken => "name_taken",
            ErrorCode::UnknownUser => "unknown_user",
            ErrorCode::TransferAborted => "transfer_aborted",
            ErrorCode::ServerFull => "server_full",
            ErrorCode::TextTooLong => "text_too_long",
            ErrorCode::FileTooLarge => "file_too_large",
            ErrorCode::ServerShutdown => "server_shutdown",
            ErrorCode::Kicked => "kicked",
            ErrorCode::Other(code) => code,
        }
    }

    fn from_wire(s: &str) -> Self {
        match s {
            "frame_too_large" => ErrorCode::FrameTooLarge,
            "bad_utf8" => ErrorCode::BadUtf8,
            "bad_json" => ErrorCode::BadJson,
            "bad_message" => ErrorCode::BadMessage,
            "name_invalid" => ErrorCode::NameInvalid,
            "name_taken" => ErrorCode::NameTaken,
            "unknown_user" => ErrorCode::UnknownUser,
            "transfer_aborted" => ErrorCode::TransferAborted,
            "server_full" => ErrorCode::ServerFull,
            "text_too_long" => ErrorCode::TextTooLong,
            "file_too_large" => ErrorCode::FileTooLarge,
            "server_shutdown" => ErrorCode::ServerShutdown,
            "kicked" => ErrorCode::Kicked,
            other => ErrorCode::Other(other.to_string()),
        }
    }
}

/// Why a frame's body is not a message. Each maps to the `ERROR` code the
/// receiver answers with ([`DecodeError::code`]).
#[derive(Debug, Clone, PartialEq)]
pub enum DecodeError {
    /// The body is not UTF-8, or not JSON.
    Json(ParseError),
    /// The JSON is not an object.
    NotAnObject,
    /// A required field is absent.
    MissingField(&'static str),
    /// A field holds the wrong kind of value.
    WrongType {
        field: &'static str,
        expected: &'static str,
    },
    /// A field has the right type but a value the protocol does not allow.
    BadValue { field: &'static str, value: String },
    /// The `type` names no message this protocol knows.
    UnknownType(String),
}

impl DecodeError {
    /// The protocol error code for this failure.
    pub fn code(&self) -> ErrorCode {
        match self {
            DecodeError::Json(e) if matches!(e.kind(), ErrorKind::InvalidUtf8) => {
                ErrorCode::BadUtf8
            }
            DecodeError::Json(_) => ErrorCode::BadJson,
            _ => ErrorCode::BadMessage,
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Json(e) => write!(f, "{e}"),
            DecodeError::NotAnObject => write!(f, "a message must be a JSON object"),
            DecodeError::MissingField(field) => write!(f, "the message has no \"{field}\" field"),
            DecodeError::WrongType { field, expected } => {
                write!(f, "\"{field}\" must be {expected}")
            }
            DecodeError::BadValue { field, value } => {
                write!(f, "\"{field}\" cannot be \"{value}\"")
            }
            DecodeError::UnknownType(t) => write!(f, "unknown message type \"{t}\""),
        }
    }
}

impl std::error::Error for DecodeError {}

impl Message {
    /// Decodes a frame's body: UTF-8 JSON text of one envelope object.
    pub fn decode(body: &[u8]) -> Result<Message, DecodeError> {
        let value = json::parse(body).map_err(DecodeError::Json)?;
        Message::from_value(value)
    }

    /// Encodes this message as a frame body, byte for byte what the Python
    /// original would send.
    pub fn encode(&self) -> Vec<u8> {
        json::to_string(&self.to_value()).into_bytes()
    }

    /// A guess at the length of this message's JSON text (exact for the
    /// envelope around plain ASCII), so that encoding can allocate once.
    pub fn size_hint(&self) -> usize {
        const ENVELOPE: usize = 160;
        let payload = match self {
            Message::FileChunk { data, .. } => data.len(),
            Message::Text { text, .. }
            | Message::Chat { text, .. }
            | Message::Error { text, .. } => text.len(),
            Message::Welcome { users, .. } | Message::UserList { users } => {
                users.iter().map(|u| u.len() + 4).sum()
            }
            _ => 0,
        };
        ENVELOPE + payload
    }

    /// Writes this message's body (its JSON text) onto `out`, consuming it.
    pub fn write_body(self, out: &mut String) {
        json::write_value(&self.into_value(), out);
    }

    /// The protocol's name for this message's type.
    pub fn type_name(&self) -> &'static str {
        match self {
            Message::Join { .. } | Message::Welcome { .. } | Message::Joined { .. } => "USER_JOIN",
            Message::Leave { .. } | Message::Left { .. } => "USER_LEAVE",
            Message::Text { .. } | Message::Chat { .. } => "TEXT",
            Message::FileOffer { .. } => "FILE",
            Message::FileChunk { .. } => "FILE_DATA",
            Message::FileComplete { .. } => "FILE_COMPLETE",
            Message::Error { .. } => "ERROR",
            Message::ListRequest | Message::UserList { .. } => "USER_LIST",
            Message::Ping => "PING",
            Message::Pong => "PONG",
        }
    }

    /// The envelope `{"type", "data", "metadata"}` for this message.
    pub fn to_value(&self) -> Value {
        self.clone().into_value()
    }

    /// The envelope `{"type", "data", "metadata"}`, moving this message's
    /// strings into it rather than copying them (a file chunk's data is
    /// kilobytes). The metadata keys are inserted in the order the contract
    /// lists them, because the encoder keeps insertion order (as a Python
    /// dict does).
    pub fn into_value(self) -> Value {
        let kind = self.type_name();
        let mut meta = Object::new();
        let data: String = match self {
            Message::Join { name } | Message::Leave { name } => name,
            Message::Welcome {
                name,
                users,
                timestamp,
                max_file_size,
            } => {
                meta.insert("self", true);
                meta.insert("users", string_list(users));
                meta.insert("timestamp", timestamp);
                if let Some(max) = max_file_size {
                    meta.insert("max_file_size", max);
                }
                name
            }
            Message::Joined {
                name,
                timestamp,
                online,
            } => {
                meta.insert("timestamp", timestamp);
                meta.insert("online", online);
                name
            }
            Message::Left {
                name,
                reason,
                timestamp,
                online,
            } => {
                meta.insert("reason", reason.as_str());
                meta.insert("timestamp", timestamp);
                meta.insert("online", online);
                name
            }
            Message::Text { text, to } => {
                if let Some(to) = to {
                    meta.insert("to", to);
                }
                text
            }
            Message::Chat {
                text,
                sender,
                timestamp,
                to,
            } => {
                meta.insert("sender", sender);
                meta.insert("timestamp", timestamp);
                if let Some(to) = to {
                    meta.insert("private", true);
                    meta.insert("to", to);
                }
                text
            }
            Message::FileOffer {
                name,
                transfer_id,
                size,
                to,
                sender,
            } => {
                meta.insert("transfer_id", transfer_id);
                meta.insert("size", size);
                if let Some(to) = to {
                    meta.insert("to", to);
                }
                if let Some(sender) = sender {
                    meta.insert("sender", sender);
                }
                name
            }
            Message::FileChunk {
                transfer_id,
                index,
                data,
            } => {
                meta.insert("transfer_id", transfer_id);
                meta.insert("index", index);
                data
            }
            Message::FileComplete {
                name,
                transfer_id,
                size,
                sha256,
            } => {
                meta.insert("transfer_id", transfer_id);
                meta.insert("size", size);
                meta.insert("sha256", sha256);
                name
            }
            Message::Error {
                text,
                code,
                transfer_id,
            } => {
                meta.insert("code", code.as_str());
                if let Some(id) = transfer_id {
                    meta.insert("transfer_id", id);
                }
                text
            }
            Message::ListRequest | Message::Ping | Message::Pong => String::new(),
            Message::UserList { users } => {
                meta.insert("users", string_list(users));
                String::new()
            }
        };
        let mut envelope = Object::new();
        envelope.insert("type", kind);
        envelope.insert("data", data);
        envelope.insert("metadata", meta);
        Value::Object(envelope)
    }

    /// Reads a message out of a parsed envelope. Unknown metadata keys are
    /// ignored (a newer peer may send more); missing or ill-typed ones are
    /// errors.
    pub fn from_value(value: Value) -> Result<Message, DecodeError> {
        let Value::Object(mut envelope) = value else {
            return Err(DecodeError::NotAnObject);
        };
        let kind = take_string(&mut envelope, "type")?;
        let data = take_string(&mut envelope, "data")?;
        let mut meta = match envelope.remove("metadata") {
            None | Some(Value::Null) => Object::new(),
            Some(Value::Object(meta)) => meta,
            Some(_) => {
                return Err(DecodeError::WrongType {
                    field: "metadata",
                    expected: "an object",
                });
            }
        };
        let m = &mut meta;
        let message = match kind.as_str() {
            "USER_JOIN" if m.get("self").and_then(Value::as_bool) == Some(true) => {
                Message::Welcome {
                    name: data,
                    users: take_string_list(m, "users")?,
                    timestamp: take_i64(m, "timestamp")?,
                    max_file_size: take_optional_u64(m, "max_file_size")?,
                }
            }
            "USER_JOIN" if m.get("timestamp").is_some() => Message::Joined {
                name: data,
                timestamp: take_i64(m, "timestamp")?,
                online: take_u64(m, "online")?,
            },
            "USER_JOIN" => Message::Join { name: data },
            "USER_LEAVE" if m.get("reason").is_some() => {
                let reason = take_string(m, "reason")?;
                Message::Left {
                    name: data,
                    reason: LeaveReason::from_wire(&reason).ok_or(DecodeError::BadValue {
                        field: "reason",
                        value: reason,
                    })?,
                    timestamp: take_i64(m, "timestamp")?,
                    online: take_u64(m, "online")?,
                }
            }
            "USER_LEAVE" => Message::Leave { name: data },
            "TEXT" if m.get("sender").is_some() => Message::Chat {
                text: data,
                sender: take_string(m, "sender")?,
                timestamp: take_i64(m, "timestamp")?,
                to: take_optional_string(m, "to")?,
            },
            "TEXT" => Message::Text {
                text: data,
                to: take_optional_string(m, "to")?,
            },
            "FILE" => Message::FileOffer {
                name: data,
                transfer_id: take_string(m, "transfer_id")?,
                size: take_u64(m, "size")?,
                to: take_optional_string(m, "to")?,
                sender: take_optional_string(m, "sender")?,
            },
            "FILE_DATA" => Message::FileChunk {
                transfer_id: take_string(m, "transfer_id")?,
                index: take_u64(m, "index")?,
                data,
            },
            "FILE_COMPLETE" => Message::FileComplete {
                name: data,
                transfer_id: take_string(m, "transfer_id")?,
                size: take_u64(m, "size")?,
                sha256: take_string(m, "sha256")?,
            },
            "ERROR" => Message::Error {
                text: data,
                code: ErrorCode::from_wire(&take_string(m, "code")?),
                transfer_id: take_optional_string(m, "transfer_id")?,
            },
            "USER_LIST" if m.get("users").is_some() => Message::UserList {
                users: take_string_list(m, "users")?,
            },
            "USER_LIST" => Message::ListRequest,
            "PING" => Message::Ping,
            "PONG" => Message::Pong,
            _ => return Err(DecodeError::UnknownType(kind)),
        };
        Ok(message)
    }
}

fn string_list(items: Vec<String>) -> Value {
    Value::Array(items.into_iter().map(Value::from).collect())
}

// Field readers. They *take* values out of the object so that strings move
// into the message instead of being copied (a file chunk's data is kilobytes).

fn take_optional_string(
    obj: &mut Object,
    field: &'static str,
) -> Result<Option<String>, DecodeError> {
    match obj.remove(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(DecodeError::WrongType {
            field,
            expected: "a string",
        }),
    }
}

fn take_string(obj: &mut Object, field: &'static str) -> Result<String, DecodeError> {
    take_optional_string(obj, field)?.ok_or(DecodeError::MissingField(field))
}

fn take_u64(obj: &mut Object, field: &'static str) -> Result<u64, DecodeError> {
    let value = obj.remove(field).ok_or(DecodeError::MissingField(field))?;
    value.as_u64().ok_or(DecodeError::WrongType {
        field,
        expected: "a whole number of at least 0",
    })
}

fn take_optional_u64(obj: &mut Object, field: &'static str) -> Result<Option<u64>, DecodeError> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(_) => take_u64(obj, field).map(Some),
    }
}

fn take_i64(obj: &mut Object, field: &'static str) -> Result<i64, DecodeError> {
    let value = obj.remove(field).ok_or(DecodeError::MissingField(field))?;
    value.as_i64().ok_or(DecodeError::WrongType {
        field,
        expected: "a whole number",
    })
}

fn take_string_list(obj: &mut Object, field: &'static str) -> Result<Vec<String>, DecodeError> {
    let wrong = DecodeError::WrongType {
        field,
        expected: "a list of strings",
    };
    match obj.remove(field) {
        None => Err(DecodeError::MissingField(field)),
        Some(Value::Array(items)) => items
            .into_iter()
            .map(|item| match item {
                Value::String(s) => Ok(s),
                _ => Err(wrong.clone()),
            })
            .collect(),
        Some(_) => Err(wrong),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire(message: &Message) -> String {
        String::from_utf8(message.encode()).unwrap()
    }

    /// One example of every variant, used by the round-trip tests.
    pub(crate) fn examples() -> Vec<Message> {
        vec![
            Message::Join {
                name: "Alice".into(),
            },
            Message::Welcome {
                name: "Alice".into(),
                users: vec!["Bob".into(), "Alice".into()],
                timestamp: 1_700_000_000,
                max_file_size: None,
            },
            Message::Welcome {
                name: "Alice".into(),
                users: vec![],
                timestamp: 1,
                max_file_size: Some(1 << 30),
            },
            Message::Joined {
                name: "Alice".into(),
                timestamp: 1_700_000_000,
                online: 2,
            },
            Message::Leave { name: "Bob".into() },
            Message::Left {
                name: "Bob".into(),
                reason: LeaveReason::Timeout,
                timestamp: 1,
                online: 0,
            },
            Message::Text {
                text: "hi".into(),
                to: None,
            },
            Message::Text {
                text: "psst".into(),
                to: Some("Bob".into()),
            },
            Message::Chat {
                text: "你好 😀".into(),
                sender: "Alice".into(),
                timestamp: 5,
                to: None,
            },
            Message::Chat {
                text: "psst".into(),
                sender: "server".into(),
                timestamp: 5,
                to: Some("Bob".into()),
            },
            Message::FileOffer {
                name: "a b.txt".into(),
                transfer_id: "1".into(),
                size: 4097,
                to: Some("Bob".into()),
                sender: Some("Alice".into()),
            },
            Message::FileChunk {
                transfer_id: "1".into(),
                index: 0,
                data: "aGk=".into(),
            },
            Message::FileComplete {
                name: "a b.txt".into(),
                transfer_id: "1".into(),
                size: 2,
                sha256: "ab".repeat(32),
            },
            Message::Error {
                text: "No such user".into(),
                code: ErrorCode::UnknownUser,
                transfer_id: None,
            },
            Message::Error {
                text: "gone".into(),
                code: ErrorCode::TransferAborted,
                transfer_id: Some("t7".into()),
            },
            Message::ListRequest,
            Message::UserList {
                users: vec!["Alice".into()],
            },
            Message::Ping,
            Message::Pong,
        ]
    }

    #[test]
    fn every_variant_round_trips() {
        for message in examples() {
            let decoded = Message::decode(&message.encode());
            assert_eq!(decoded.as_ref(), Ok(&message), "{}", wire(&message));
        }
    }

    #[test]
    fn wire_form_matches_the_contract_byte_for_byte() {
        let cases = [
            (
                Message::Join {
                    name: "Alice".into(),
                },
                r#"{"type": "USER_JOIN", "data": "Alice", "metadata": {}}"#,
            ),
            (
                Message::Welcome {
                    name: "Alice".into(),
                    users: vec!["Bob".into(), "Alice".into()],
                    timestamp: 17,
                    max_file_size: None,
                },
                r#"{"type": "USER_JOIN", "data": "Alice", "metadata": {"self": true, "users": ["Bob", "Alice"], "timestamp": 17}}"#,
            ),
            (
                Message::Left {
                    name: "Bob".into(),
                    reason: LeaveReason::Quit,
                    timestamp: 3,
                    online: 1,
                },
                r#"{"type": "USER_LEAVE", "data": "Bob", "metadata": {"reason": "quit", "timestamp": 3, "online": 1}}"#,
            ),
            (
                Message::Chat {
                    text: "Hi 😀".into(),
                    sender: "Alice".into(),
                    timestamp: 9,
                    to: Some("Bob".into()),
                },
                r#"{"type": "TEXT", "data": "Hi \ud83d\ude00", "metadata": {"sender": "Alice", "timestamp": 9, "private": true, "to": "Bob"}}"#,
            ),
            (
                Message::FileOffer {
                    name: "r.pdf".into(),
                    transfer_id: "t1".into(),
                    size: 10,
                    to: None,
                    sender: Some("Alice".into()),
                },
                r#"{"type": "FILE", "data": "r.pdf", "metadata": {"transfer_id": "t1", "size": 10, "sender": "Alice"}}"#,
            ),
            (
                Message::Error {
                    text: "x".into(),
                    code: ErrorCode::TransferAborted,
                    transfer_id: Some("t1".into()),
                },
                r#"{"type": "ERROR", "data": "x", "metadata": {"code": "transfer_aborted", "transfer_id": "t1"}}"#,
            ),
        ];
        for (message, expected) in cases {
            assert_eq!(wire(&message), expected);
        }
    }

    #[test]
    fn missing_metadata_is_an_empty_object() {
        let m = Message::decode(br#"{"type": "TEXT", "data": "hi"}"#).unwrap();
        assert_eq!(
            m,
            Message::Text {
                text: "hi".into(),
                to: None
            }
        );
    }

    #[test]
    fn unknown_metadata_keys_and_key_order_do_not_matter() {
        let m = Message::decode(
            br#"{"metadata":{"future":[1,2],"to":"Bob"} , "data":"hi","type":"TEXT"}"#,
        )
        .unwrap();
        assert_eq!(
            m,
            Message::Text {
                text: "hi".into(),
                to: Some("Bob".into())
            }
        );
    }

    #[test]
    fn errors_map_to_protocol_codes() {
        let cases: [(&[u8], ErrorCode); 8] = [
            (b"\xff\xfe", ErrorCode::BadUtf8),
            (b"{not json", ErrorCode::BadJson),
            (b"[1, 2]", ErrorCode::BadMessage),
            (br#"{"data": "x"}"#, ErrorCode::BadMessage),
            (br#"{"type": "NOPE", "data": ""}"#, ErrorCode::BadMessage),
            (br#"{"type": "TEXT", "data": 5}"#, ErrorCode::BadMessage),
            (
                br#"{"type": "FILE_DATA", "data": "", "metadata": {"transfer_id": "1", "index": -1}}"#,
                ErrorCode::BadMessage,
            ),
            (
                br#"{"type": "USER_LEAVE", "data": "a", "metadata": {"reason": "bored", "timestamp": 1, "online": 1}}"#,
                ErrorCode::BadMessage,
            ),
        ];
        for (body, code) in cases {
            let err = Message::decode(body).unwrap_err();
            assert_eq!(err.code(), code, "{}", String::from_utf8_lossy(body));
            assert!(!err.to_string().is_empty());
        }
    }

    #[test]
    fn decode_errors_read_like_sentences() {
        let err = Message::decode(br#"{"type": "FILE", "data": "a"}"#).unwrap_err();
        assert_eq!(err.to_string(), "the message has no \"transfer_id\" field");
        let err = Message::decode(br#"{"type": "NOPE", "data": ""}"#).unwrap_err();
        assert_eq!(err.to_string(), "unknown message type \"NOPE\"");
    }

    #[test]
    fn unknown_error_codes_are_kept() {
        let m = Message::decode(
            br#"{"type": "ERROR", "data": "?", "metadata": {"code": "new_thing"}}"#,
        )
        .unwrap();
        assert_eq!(
            m,
            Message::Error {
                text: "?".into(),
                code: ErrorCode::Other("new_thing".into()),
                transfer_id: None
            }
        );
    }
}
