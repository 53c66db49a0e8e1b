//! Typed messages: the one definition of every message in the protocol,
//! split by who sends it.
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
//! a typed message, and this module is the only place that knows which JSON
//! spells which message.
//!
//! # Two directions, two types
//!
//! Some types mean different things in each direction. A `TEXT` from a
//! client is something to relay; a `TEXT` from the server is something to
//! show, with the sender and the time the server added. So there are two
//! message types, and a receiver always knows which one it reads:
//!
//! - [`ClientMessage`] ([`client`]): what clients send. The server decodes it.
//! - [`ServerMessage`] ([`server`]): what servers send. The client decodes it.
//!
//! Each is decoded by its `type` name alone. Keys a receiver does not expect
//! are ignored, whoever wrote them: a client's `TEXT` that carries
//! `"sender": "server"` is an ordinary `TEXT`, its `sender` dropped, because
//! only the server sets who sent a message (contract section 5). An earlier
//! version had one type for both directions and guessed the meaning from
//! which keys were present, so that same `TEXT` was refused as "a message only
//! the server sends": a receiver must never let a peer choose how its words
//! are read.
//!
//! # One place per message
//!
//! Every message with fields is a struct that implements [`MessageType`]: its
//! name on the wire, how it is read from `data` and `metadata`, and how it is
//! written back, side by side. Adding a message means writing one such struct
//! and listing it in its direction's enum. Structs both sides send the same
//! way ([`FileChunk`], [`FileComplete`], [`ErrorReport`]) live here, in this
//! file; the rest live in their direction's file. The full table is in
//! `docs/protocol.md`.

pub mod client;
pub mod server;

pub use client::ClientMessage;
pub use server::ServerMessage;

use std::fmt::Write as _;

use crate::json::{self, ErrorKind, Object, ParseError, Value};
use crate::text::Expected;

/// One message type: its name on the wire, and how its fields are read from
/// and written into the envelope. Decode and encode sit next to each other,
/// so a field added to one is seen to be missing from the other.
pub trait MessageType: Sized {
    /// The envelope's `type`.
    const NAME: &'static str;

    /// Reads the message from the envelope's `data` and `metadata`. Keys it
    /// does not read are ignored.
    fn decode(data: String, meta: &mut Object) -> Result<Self, DecodeError>;

    /// Writes the message's metadata into `meta`, in the order the contract
    /// lists the keys (the encoder keeps insertion order, as a Python dict
    /// does), and returns its `data`. It moves the strings rather than
    /// copying them: a file chunk's data is kilobytes.
    fn encode(self, meta: &mut Object) -> String;
}

/// A message in one direction: [`ClientMessage`] or [`ServerMessage`].
///
/// Each direction says how its types map to envelopes
/// ([`Message::from_parts`], [`Message::into_parts`]); everything else, from
/// bytes to envelope and back, is the same for both and written once here.
pub trait Message: Sized + Clone {
    /// Reads the message whose envelope has this `type`.
    fn from_parts(kind: &str, data: String, meta: &mut Object) -> Result<Self, DecodeError>;

    /// Writes the metadata into `meta`; returns the `type` and the `data`.
    fn into_parts(self, meta: &mut Object) -> (&'static str, String);

    /// The protocol's name for this message's type.
    fn type_name(&self) -> &'static str;

    /// The length of the longest string this message carries (a chat text,
    /// a file chunk), so that encoding can allocate about once.
    fn payload_len(&self) -> usize;

    /// The file chunk this message is, if it is one: those have an encoder
    /// of their own ([`FileChunk::write_envelope`]).
    fn file_chunk(&self) -> Option<&FileChunk>;

    /// Decodes a frame's body: UTF-8 JSON text of one envelope object.
    fn decode(body: &[u8]) -> Result<Self, DecodeError> {
        let value = json::parse(body).map_err(DecodeError::Json)?;
        Self::from_value(value)
    }

    /// Reads a message out of a parsed envelope. A missing `metadata` is an
    /// empty one; missing or ill-typed fields are errors.
    fn from_value(value: Value) -> Result<Self, DecodeError> {
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
                    expected: Expected::Object,
                });
            }
        };
        Self::from_parts(&kind, data, &mut meta)
    }

    /// The envelope `{"type", "data", "metadata"}`, moving this message's
    /// strings into it rather than copying them.
    fn into_value(self) -> Value {
        let mut meta = Object::new();
        let (kind, data) = self.into_parts(&mut meta);
        let mut envelope = Object::new();
        envelope.insert("type", kind);
        envelope.insert("data", data);
        envelope.insert("metadata", meta);
        Value::Object(envelope)
    }

    /// The envelope, leaving this message as it is.
    fn to_value(&self) -> Value {
        self.clone().into_value()
    }

    /// Encodes this message as a frame body, byte for byte what the Python
    /// original would send.
    fn encode(&self) -> Vec<u8> {
        json::to_string(&self.to_value()).into_bytes()
    }

    /// Writes this message's body (its JSON text) onto `out`, consuming it.
    fn write_body(self, out: &mut String) {
        match self.file_chunk() {
            Some(chunk) => chunk.write_envelope(out),
            None => json::write_value(&self.into_value(), out),
        }
    }

    /// A guess at the length of this message's JSON text (about right for
    /// the envelope around plain ASCII), so that encoding can allocate once.
    fn size_hint(&self) -> usize {
        const ENVELOPE: usize = 160;
        ENVELOPE + self.payload_len()
    }
}

/// The `(type, data)` of a message with fields: the helper both directions'
/// [`Message::into_parts`] call for each of their structs.
fn parts<M: MessageType>(message: M, meta: &mut Object) -> (&'static str, String) {
    (M::NAME, message.encode(meta))
}

// ---------------------------------------------------------------------------
// Messages both sides send the same way
// ---------------------------------------------------------------------------

/// `FILE_DATA`: one chunk of a file, as base64 text. It stays text until
/// whoever writes it to disk decodes it, so a relay need not re-encode.
#[derive(Debug, Clone, PartialEq)]
pub struct FileChunk {
    pub transfer_id: String,
    pub index: u64,
    pub data: String,
}

impl FileChunk {
    /// Writes this chunk's envelope onto `out`: exactly the text the
    /// general encoder writes for it (a test compares the two), without
    /// building the envelope's object tree first.
    ///
    /// Every byte of every file travels inside a `FILE_DATA`, and for a
    /// 4 KiB chunk the tree cost nearly as much as the base64 encoding
    /// itself (47 ms against 61 ms per 256 MiB): nine small allocations
    /// for keys, objects and the number, and a walk over it all. The layout is fixed (`type`, `data`,
    /// `metadata` with `transfer_id` and `index`, Python's separators), so
    /// it is written straight out; the two strings still pass the one
    /// string encoder, escapes and all.
    pub fn write_envelope(&self, out: &mut String) {
        out.reserve(self.data.len() + self.transfer_id.len() + 96);
        out.push_str("{\"type\": \"");
        out.push_str(FileChunk::NAME);
        out.push_str("\", \"data\": ");
        json::write_string(&self.data, out);
        out.push_str(", \"metadata\": {\"transfer_id\": ");
        json::write_string(&self.transfer_id, out);
        // Writing into a `String` cannot fail.
        let _ = write!(out, ", \"index\": {}}}}}", self.index);
    }
}

impl MessageType for FileChunk {
    const NAME: &'static str = "FILE_DATA";

    fn decode(data: String, meta: &mut Object) -> Result<Self, DecodeError> {
        Ok(FileChunk {
            transfer_id: take_string(meta, "transfer_id")?,
            index: take_u64(meta, "index")?,
            data,
        })
    }

    fn encode(self, meta: &mut Object) -> String {
        meta.insert("transfer_id", self.transfer_id);
        meta.insert("index", self.index);
        self.data
    }
}

/// `FILE_COMPLETE`: the last message of a transfer, with the size and
/// SHA-256 the receiver checks before keeping the file.
#[derive(Debug, Clone, PartialEq)]
pub struct FileComplete {
    pub name: String,
    pub transfer_id: String,
    pub size: u64,
    pub sha256: String,
}

impl MessageType for FileComplete {
    const NAME: &'static str = "FILE_COMPLETE";

    fn decode(data: String, meta: &mut Object) -> Result<Self, DecodeError> {
        Ok(FileComplete {
            name: data,
            transfer_id: take_string(meta, "transfer_id")?,
            size: take_u64(meta, "size")?,
            sha256: take_string(meta, "sha256")?,
        })
    }

    fn encode(self, meta: &mut Object) -> String {
        meta.insert("transfer_id", self.transfer_id);
        meta.insert("size", self.size);
        meta.insert("sha256", self.sha256);
        self.name
    }
}

/// `ERROR`: a sentence for a person, a code for a program, the transfer it
/// ends, if any, and for a refusal that lasts a while (`muted`,
/// `auth_locked`, `rate_limited`), the Unix time it ends.
///
/// The sentence is in the sender's language. So that a reader in another
/// language is not left with it, the metadata also carries what the
/// sentence was made from ([`ErrorDetails`], and `until`): a client that
/// knows the code says it again in its own words, and shows `text` only for
/// a code it does not know.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorReport {
    pub text: String,
    pub code: ErrorCode,
    pub transfer_id: Option<String>,
    pub until: Option<i64>,
    /// Boxed: most errors carry none of it, and every message a client or
    /// a session passes around is as large as its largest variant.
    pub details: Box<ErrorDetails>,
}

/// Extension: the values an `ERROR`'s sentence was made from, each
/// optional (a version 1 peer sends none of them). `docs/protocol.md`
/// lists which code carries which.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ErrorDetails {
    /// `"name"`: the name refused, or the user who is not online.
    pub name: Option<String>,
    /// `"size"`: how large the refused thing was, in bytes.
    pub size: Option<u64>,
    /// `"limit"`: the limit it broke (bytes, or a count).
    pub limit: Option<u64>,
    /// `"seconds"`: how long the server waited.
    pub seconds: Option<u64>,
    /// `"reason"`: which of a code's cases this is.
    pub reason: Option<ErrorReason>,
    /// `"by"`: who did it (`kicked`: the admin, or `server`).
    pub by: Option<String>,
}

impl ErrorReport {
    /// An error that ends no transfer.
    pub fn new(code: ErrorCode, text: String) -> Self {
        ErrorReport {
            text,
            code,
            transfer_id: None,
            until: None,
            details: Box::default(),
        }
    }

    /// The same error, saying when what it refuses is allowed again.
    pub fn until(self, unix_time: i64) -> Self {
        ErrorReport {
            until: Some(unix_time),
            ..self
        }
    }

    /// ... about the transfer `id`, which it ends.
    pub fn for_transfer(mut self, id: &str) -> Self {
        self.transfer_id = Some(id.to_string());
        self
    }

    /// ... about this name.
    pub fn about(mut self, name: &str) -> Self {
        self.details.name = Some(name.to_string());
        self
    }

    /// ... about something of `size` bytes, over `limit`.
    pub fn sized(mut self, size: u64, limit: u64) -> Self {
        self.details.size = Some(size);
        self.limited(limit)
    }

    /// ... about a limit.
    pub fn limited(mut self, limit: u64) -> Self {
        self.details.limit = Some(limit);
        self
    }

    /// ... after waiting this long.
    pub fn after(mut self, seconds: u64) -> Self {
        self.details.seconds = Some(seconds);
        self
    }

    /// ... in this case of its code.
    pub fn because(mut self, reason: ErrorReason) -> Self {
        self.details.reason = Some(reason);
        self
    }

    /// ... done by this user (or `server`).
    pub fn by(mut self, name: &str) -> Self {
        self.details.by = Some(name.to_string());
        self
    }
}

impl MessageType for ErrorReport {
    const NAME: &'static str = "ERROR";

    fn decode(data: String, meta: &mut Object) -> Result<Self, DecodeError> {
        Ok(ErrorReport {
            text: data,
            code: ErrorCode::from_wire(&take_string(meta, "code")?),
            transfer_id: take_optional_string(meta, "transfer_id")?,
            until: take_optional_i64(meta, "until")?,
            details: Box::new(ErrorDetails {
                name: take_optional_string(meta, "name")?,
                size: take_optional_u64(meta, "size")?,
                limit: take_optional_u64(meta, "limit")?,
                seconds: take_optional_u64(meta, "seconds")?,
                reason: take_optional_string(meta, "reason")?.map(|r| ErrorReason::from_wire(&r)),
                by: take_optional_string(meta, "by")?,
            }),
        })
    }

    fn encode(self, meta: &mut Object) -> String {
        meta.insert("code", self.code.as_str());
        if let Some(id) = self.transfer_id {
            meta.insert("transfer_id", id);
        }
        if let Some(until) = self.until {
            meta.insert("until", until);
        }
        let ErrorDetails {
            name,
            size,
            limit,
            seconds,
            reason,
            by,
        } = *self.details;
        if let Some(name) = name {
            meta.insert("name", name);
        }
        if let Some(size) = size {
            meta.insert("size", size);
        }
        if let Some(limit) = limit {
            meta.insert("limit", limit);
        }
        if let Some(seconds) = seconds {
            meta.insert("seconds", seconds);
        }
        if let Some(reason) = reason {
            meta.insert("reason", reason.as_str());
        }
        if let Some(by) = by {
            meta.insert("by", by);
        }
        self.text
    }
}

// The types that carry nothing but their name (`"data": ""`, no metadata
// keys) in at least one direction: no struct, just the name.

/// `PING`: are you still there?
const PING: &str = "PING";
/// `PONG`: the answer to `PING`.
const PONG: &str = "PONG";
/// `USER_LIST`: a client's question (empty); a server's answer has fields.
const USER_LIST: &str = "USER_LIST";
/// `ROOM_LIST` (extension): a client's question (empty); a server's answer
/// has fields.
const ROOM_LIST: &str = "ROOM_LIST";

// ---------------------------------------------------------------------------
// Codes and reasons
// ---------------------------------------------------------------------------

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

/// Extension: the `reason` of an `ERROR`, which of its code's cases it is,
/// where one code covers several.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorReason {
    /// `transfer_aborted`: the sender left before the file was complete.
    SenderLeft,
    /// `transfer_aborted`: the data did not check out (a chunk out of
    /// order or not base64, too many bytes, a wrong size).
    Damaged,
    /// `transfer_aborted`: the whole file arrived, but its SHA-256 is not
    /// the one announced.
    Checksum,
    /// `transfer_aborted`: the server could not keep its copy.
    Storage,
    /// `transfer_aborted`: no transfer with that id is in progress.
    UnknownTransfer,
    /// `bad_message`: a transfer with that id is in progress already.
    DuplicateTransfer,
    /// `bad_message`: the sender has `limit` transfers going already.
    TooManyTransfers,
    /// `bad_message`: something other than `USER_JOIN` came first.
    JoinFirst,
    /// `bad_message`: a second `USER_JOIN`.
    AlreadyJoined,
    /// `name_invalid`: the name refused is a room's (from `ROOM_JOIN`),
    /// and the connection stays open.
    RoomName,
    /// `auth_required` from a `--members-only` server: every name must log
    /// in, registered or not (the answer does not say which).
    MembersOnly,
    /// `name_taken`, `name_invalid`: a `REGISTER` of `name` was refused.
    Register,
    /// `bad_message`: a joined guest may register only the name it uses
    /// (`name`).
    RegisterOwnName,
    /// `kicked`: the account was deleted (`by` an admin).
    AccountDeleted,
    /// `bad_message`: `AUTH` from a connection that has joined already.
    AuthAfterJoin,
    /// `unknown_user` to an admin: `name` has no account.
    NotRegistered,
    /// `bad_message` to an admin: `name` is not muted.
    NotMuted,
    /// `bad_message` to an admin: a mute of no time.
    MuteZero,
    /// `bad_message` to an admin: a mute longer than the longest.
    MuteTooLong,
    /// `bad_message` to an admin: as many names are muted as can be.
    MuteFull,
    /// `forbidden`: what a non-admin asked to do.
    Action(AdminAction),
    /// `file_type_refused`: the extension of `name` is on the deny list.
    Denied,
    /// `file_type_refused`: there is an allow list, and the extension of
    /// `name` (or its lack of one) is not on it.
    NotAllowed,
    /// A reason this version does not know, kept as it came.
    Other(String),
}

impl ErrorReason {
    pub fn as_str(&self) -> &str {
        match self {
            ErrorReason::SenderLeft => "sender_left",
            ErrorReason::Damaged => "damaged",
            ErrorReason::Checksum => "checksum",
            ErrorReason::Storage => "storage",
            ErrorReason::UnknownTransfer => "unknown_transfer",
            ErrorReason::DuplicateTransfer => "duplicate_transfer",
            ErrorReason::TooManyTransfers => "too_many_transfers",
            ErrorReason::JoinFirst => "join_first",
            ErrorReason::AlreadyJoined => "already_joined",
            ErrorReason::RoomName => "room",
            ErrorReason::MembersOnly => "members_only",
            ErrorReason::Register => "register",
            ErrorReason::RegisterOwnName => "register_own_name",
            ErrorReason::AccountDeleted => "account_deleted",
            ErrorReason::AuthAfterJoin => "auth_after_join",
            ErrorReason::NotRegistered => "not_registered",
            ErrorReason::NotMuted => "not_muted",
            ErrorReason::MuteZero => "mute_zero",
            ErrorReason::MuteTooLong => "mute_too_long",
            ErrorReason::MuteFull => "mute_full",
            ErrorReason::Action(action) => action.as_str(),
            ErrorReason::Denied => "denied",
            ErrorReason::NotAllowed => "not_allowed",
            ErrorReason::Other(reason) => reason,
        }
    }

    fn from_wire(s: &str) -> Self {
        match s {
            "sender_left" => ErrorReason::SenderLeft,
            "damaged" => ErrorReason::Damaged,
            "checksum" => ErrorReason::Checksum,
            "storage" => ErrorReason::Storage,
            "unknown_transfer" => ErrorReason::UnknownTransfer,
            "duplicate_transfer" => ErrorReason::DuplicateTransfer,
            "too_many_transfers" => ErrorReason::TooManyTransfers,
            "join_first" => ErrorReason::JoinFirst,
            "already_joined" => ErrorReason::AlreadyJoined,
            "room" => ErrorReason::RoomName,
            "members_only" => ErrorReason::MembersOnly,
            "register" => ErrorReason::Register,
            "register_own_name" => ErrorReason::RegisterOwnName,
            "account_deleted" => ErrorReason::AccountDeleted,
            "auth_after_join" => ErrorReason::AuthAfterJoin,
            "not_registered" => ErrorReason::NotRegistered,
            "not_muted" => ErrorReason::NotMuted,
            "mute_zero" => ErrorReason::MuteZero,
            "mute_too_long" => ErrorReason::MuteTooLong,
            "mute_full" => ErrorReason::MuteFull,
            "denied" => ErrorReason::Denied,
            "not_allowed" => ErrorReason::NotAllowed,
            other => match AdminAction::from_wire(other) {
                Some(action) => ErrorReason::Action(action),
                None => ErrorReason::Other(other.to_string()),
            },
        }
    }
}

/// What an `ADMIN` message asks for (contract §11): its `data`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminAction {
    /// End the target's connection (`USER_LEAVE` reason `kicked`).
    Kick,
    /// Silence the target's `TEXT` and `FILE` for a while.
    Mute,
    /// Lift a mute before its time.
    Unmute,
    /// Make a registered account an admin.
    Op,
    /// Make an admin's account a member again.
    Deop,
}

impl AdminAction {
    pub fn as_str(self) -> &'static str {
        match self {
            AdminAction::Kick => "kick",
            AdminAction::Mute => "mute",
            AdminAction::Unmute => "unmute",
            AdminAction::Op => "op",
            AdminAction::Deop => "deop",
        }
    }

    pub fn from_wire(s: &str) -> Option<Self> {
        Some(match s {
            "kick" => AdminAction::Kick,
            "mute" => AdminAction::Mute,
            "unmute" => AdminAction::Unmute,
            "op" => AdminAction::Op,
            "deop" => AdminAction::Deop,
            _ => return None,
        })
    }

    /// Reads an `ADMIN` message's `data`.
    fn decode(data: String) -> Result<Self, DecodeError> {
        AdminAction::from_wire(&data).ok_or_else(|| DecodeError::BadValue {
            field: "data",
            value: clip(&data),
        })
    }
}

/// What a connection may do (contract §10, §11), as the welcome and a
/// login's answer say it: `admin` and `member` are registered accounts,
/// `guest` is anyone else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Guest,
    Member,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Guest => "guest",
            Role::Member => "member",
            Role::Admin => "admin",
        }
    }

    pub fn from_wire(s: &str) -> Option<Self> {
        Some(match s {
            "guest" => Role::Guest,
            "member" => Role::Member,
            "admin" => Role::Admin,
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
    /// Extension: the connection did not join within one heartbeat
    /// interval, and is closed (contract section 7).
    JoinTimeout,
    /// Extension: this name is registered and the connection has not logged
    /// in as it, or the server admits registered names only
    /// (`--members-only`). The connection stays open, to log in.
    AuthRequired,
    /// Extension: a login's proof was wrong: a wrong password, or a name
    /// with no account (the two are answered alike).
    AuthFailed,
    /// Extension: too many failed logins for this name or from this
    /// address; `until` says when to try again.
    AuthLocked,
    /// Extension: `REGISTER` verifiers weaker than the server accepts (a
    /// salt under 16 bytes, fewer than 4096 iterations) or outside its
    /// bounds (a salt over 64 bytes, more than 10 million iterations).
    WeakVerifier,
    /// Extension: too many registrations from this address lately; `until`
    /// says when to try again.
    RateLimited,
    /// Extension: an `ADMIN` action from a connection that is not a
    /// logged-in admin.
    Forbidden,
    /// Extension: an admin muted this user; its `TEXT` and `FILE` go
    /// nowhere until `until`.
    Muted,
    /// Extension: the server does not accept files with this name's
    /// extension (`--allow-ext`, `--deny-ext`).
    FileTypeRefused,
    /// Extension: a `ROOM_JOIN` would create more rooms than the server's
    /// limit (`--max-rooms`); the connection stays open.
    RoomLimit,
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
            ErrorCode::JoinTimeout => "join_timeout",
            ErrorCode::AuthRequired => "auth_required",
            ErrorCode::AuthFailed => "auth_failed",
            ErrorCode::AuthLocked => "auth_locked",
            ErrorCode::WeakVerifier => "weak_verifier",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::Muted => "muted",
            ErrorCode::FileTypeRefused => "file_type_refused",
            ErrorCode::RoomLimit => "room_limit",
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
            "join_timeout" => ErrorCode::JoinTimeout,
            "auth_required" => ErrorCode::AuthRequired,
            "auth_failed" => ErrorCode::AuthFailed,
            "auth_locked" => ErrorCode::AuthLocked,
            "weak_verifier" => ErrorCode::WeakVerifier,
            "rate_limited" => ErrorCode::RateLimited,
            "forbidden" => ErrorCode::Forbidden,
            "muted" => ErrorCode::Muted,
            "file_type_refused" => ErrorCode::FileTypeRefused,
            "room_limit" => ErrorCode::RoomLimit,
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
        expected: Expected,
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

impl std::error::Error for DecodeError {}

// ---------------------------------------------------------------------------
// Field readers and writers
// ---------------------------------------------------------------------------
//
// The readers *take* values out of the object so that strings move into the
// message instead of being copied (a file chunk's data is kilobytes).

fn string_list(items: Vec<String>) -> Value {
    Value::Array(items.into_iter().map(Value::from).collect())
}

fn take_optional_string(
    obj: &mut Object,
    field: &'static str,
) -> Result<Option<String>, DecodeError> {
    match obj.remove(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(DecodeError::WrongType {
            field,
            expected: Expected::String,
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
        expected: Expected::NonNegative,
    })
}

fn take_optional_u64(obj: &mut Object, field: &'static str) -> Result<Option<u64>, DecodeError> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(_) => take_u64(obj, field).map(Some),
    }
}

fn take_optional_i64(obj: &mut Object, field: &'static str) -> Result<Option<i64>, DecodeError> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(_) => take_i64(obj, field).map(Some),
    }
}

fn take_i64(obj: &mut Object, field: &'static str) -> Result<i64, DecodeError> {
    let value = obj.remove(field).ok_or(DecodeError::MissingField(field))?;
    value.as_i64().ok_or(DecodeError::WrongType {
        field,
        expected: Expected::WholeNumber,
    })
}

/// A flag: `true`, or absent (`null` and `false` count as absent).
fn take_flag(obj: &mut Object, field: &'static str) -> Result<bool, DecodeError> {
    match obj.remove(field) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(b),
        Some(_) => Err(DecodeError::WrongType {
            field,
            expected: Expected::Bool,
        }),
    }
}

fn take_leave_reason(obj: &mut Object, field: &'static str) -> Result<LeaveReason, DecodeError> {
    let reason = take_string(obj, field)?;
    LeaveReason::from_wire(&reason).ok_or(DecodeError::BadValue {
        field,
        value: reason,
    })
}

/// A peer's value, cut to a length an error message can carry: the frame
/// limit allows a megabyte where a word belongs.
fn clip(value: &str) -> String {
    const MAX_CHARS: usize = 32;
    match value.char_indices().nth(MAX_CHARS) {
        Some((end, _)) => format!("{}…", &value[..end]),
        None => value.to_string(),
    }
}

fn take_optional_role(obj: &mut Object, field: &'static str) -> Result<Option<Role>, DecodeError> {
    match take_optional_string(obj, field)? {
        None => Ok(None),
        Some(role) => match Role::from_wire(&role) {
            Some(role) => Ok(Some(role)),
            None => Err(DecodeError::BadValue {
                field,
                value: clip(&role),
            }),
        },
    }
}

fn take_string_list(obj: &mut Object, field: &'static str) -> Result<Vec<String>, DecodeError> {
    let wrong = DecodeError::WrongType {
        field,
        expected: Expected::StringList,
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

/// Checks both directions' tests share.
#[cfg(test)]
mod checks {
    use super::Message;
    use std::fmt::Debug;

    /// The body of `message`, as text.
    pub fn wire<M: Message>(message: &M) -> String {
        String::from_utf8(message.encode()).unwrap()
    }

    /// Each message decodes back to itself.
    pub fn round_trip<M: Message + PartialEq + Debug>(examples: Vec<M>) {
        for message in examples {
            let decoded = M::decode(&message.encode());
            assert_eq!(decoded.as_ref(), Ok(&message), "{}", wire(&message));
        }
    }

    /// Each message encodes to exactly these bytes.
    pub fn encodes_to<M: Message>(cases: Vec<(M, &str)>) {
        for (message, expected) in cases {
            assert_eq!(wire(&message), expected);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_chunk_is_written_as_the_general_encoder_writes_it() {
        let ids = ["1", "17", "id \"quoted\" \\ and\nnew", "文件", "\u{1F600}"];
        let datas = ["", "QUJD", "not base64: \" \\ \u{7f} é \u{1F600}"];
        for transfer_id in ids {
            for data in datas {
                for index in [0, 1, 4095, u64::MAX] {
                    let chunk = FileChunk {
                        transfer_id: transfer_id.to_string(),
                        index,
                        data: data.to_string(),
                    };
                    let general = |message: Value| json::to_string(&message);
                    let client = ClientMessage::FileChunk(chunk.clone());
                    let server = ServerMessage::FileChunk(chunk.clone());
                    let mut direct = String::from("kept:");
                    chunk.write_envelope(&mut direct);
                    assert_eq!(direct, format!("kept:{}", general(client.to_value())));
                    assert_eq!(direct, format!("kept:{}", general(server.to_value())));
                    // And the message's own encoding takes that path.
                    let mut body = String::new();
                    client.write_body(&mut body);
                    assert_eq!(body, direct["kept:".len()..]);
                    assert_eq!(
                        ClientMessage::decode(body.as_bytes()).ok(),
                        Some(ClientMessage::FileChunk(chunk))
                    );
                }
            }
        }
    }

    #[test]
    fn errors_map_to_protocol_codes_in_both_directions() {
        let cases: [(&[u8], ErrorCode); 7] = [
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
        ];
        for (body, code) in cases {
            let shown = String::from_utf8_lossy(body);
            let err = ClientMessage::decode(body).unwrap_err();
            assert_eq!(err.code(), code, "client: {shown}");
            assert!(!err.to_string().is_empty());
            let err = ServerMessage::decode(body).unwrap_err();
            assert_eq!(err.code(), code, "server: {shown}");
        }
    }

    #[test]
    fn decode_errors_read_like_sentences() {
        let err = ClientMessage::decode(br#"{"type": "FILE", "data": "a"}"#).unwrap_err();
        assert_eq!(err.to_string(), "the message has no \"transfer_id\" field");
        let err = ServerMessage::decode(br#"{"type": "NOPE", "data": ""}"#).unwrap_err();
        assert_eq!(err.to_string(), "unknown message type \"NOPE\"");
    }

    #[test]
    fn metadata_must_be_an_object() {
        let err =
            ClientMessage::decode(br#"{"type": "PING", "data": "", "metadata": []}"#).unwrap_err();
        assert_eq!(err.to_string(), "\"metadata\" must be an object");
    }

    #[test]
    fn codes_round_trip_through_their_wire_names() {
        for code in [
            ErrorCode::JoinTimeout,
            ErrorCode::RoomLimit,
            ErrorCode::Other("new_thing".into()),
        ] {
            assert_eq!(ErrorCode::from_wire(code.as_str()), code);
        }
    }
}
