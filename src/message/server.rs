//! What servers send: [`ServerMessage`], the only type the client decodes.
//!
//! What a server relays carries what only it can vouch for: who sent a
//! message (`sender`) and when (`timestamp`). A client reads those from here
//! and nowhere else.

use super::{
    AdminAction, DecodeError, ErrorReport, FileChunk, FileComplete, LeaveReason, Message,
    MessageType, PING, PONG, ROOM_LIST, Role, USER_LIST, clip, parts, string_list, take_flag,
    take_i64, take_leave_reason, take_optional_i64, take_optional_role, take_optional_string,
    take_optional_u64, take_string, take_string_list, take_u64,
};
use crate::filetypes::FileTypes;
use crate::json::{Object, Value};
use crate::text::Expected;

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
    /// `ROOM_JOIN` with `"self": true` (extension), to the joiner: you are
    /// in this room now, with these members.
    RoomWelcome(RoomWelcome),
    /// `ROOM_JOIN` (extension), to the room's other members: someone came.
    RoomEntered(RoomNotice),
    /// `ROOM_LEAVE` (extension), to the room's remaining members: someone
    /// moved to another room.
    RoomLeft(RoomNotice),
    /// `ROOM_LIST` (extension): the rooms and how many are in each.
    RoomList(RoomList),
    /// `HISTORY` (extension): the end of a replay, and how long it was.
    HistoryEnd(HistoryEnd),
    /// `REGISTER` with `"ok": true` (extension): the name is registered, or
    /// its password changed.
    Registered(Registered),
    /// `AUTH` (extension): one server step of a SCRAM-SHA-256 login.
    Auth(Auth),
    /// `ADMIN` with `"ok": true` (extension), to the admin who asked: done.
    AdminDone(AdminDone),
    /// `ADMIN` with `"by"` (extension), to the user an admin acted on.
    AdminNotice(AdminNotice),
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
            // The same two shapes as `USER_JOIN`: the joiner's own
            // confirmation, or a notice to the others.
            RoomWelcome::NAME if take_flag(meta, "self")? => {
                ServerMessage::RoomWelcome(RoomWelcome::decode(data, meta)?)
            }
            ROOM_JOIN => ServerMessage::RoomEntered(RoomNotice::decode(data, meta)?),
            ROOM_LEAVE => ServerMessage::RoomLeft(RoomNotice::decode(data, meta)?),
            RoomList::NAME => ServerMessage::RoomList(RoomList::decode(data, meta)?),
            HistoryEnd::NAME => ServerMessage::HistoryEnd(HistoryEnd::decode(data, meta)?),
            Registered::NAME => ServerMessage::Registered(Registered::decode(data, meta)?),
            Auth::NAME => ServerMessage::Auth(Auth::decode(data, meta)?),
            // One type, two messages, told apart like the two `USER_JOIN`s:
            // `"ok": true` confirms to the admin; otherwise it is the news
            // for the user acted on, which says `by` whom.
            AdminDone::NAME if take_flag(meta, "ok")? => {
                ServerMessage::AdminDone(AdminDone::decode(data, meta)?)
            }
            AdminNotice::NAME => ServerMessage::AdminNotice(AdminNotice::decode(data, meta)?),
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
            ServerMessage::RoomWelcome(m) => parts(m, meta),
            ServerMessage::RoomEntered(m) => (ROOM_JOIN, m.encode(meta)),
            ServerMessage::RoomLeft(m) => (ROOM_LEAVE, m.encode(meta)),
            ServerMessage::RoomList(m) => parts(m, meta),
            ServerMessage::HistoryEnd(m) => parts(m, meta),
            ServerMessage::Registered(m) => parts(m, meta),
            ServerMessage::Auth(m) => parts(m, meta),
            ServerMessage::AdminDone(m) => parts(m, meta),
            ServerMessage::AdminNotice(m) => parts(m, meta),
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
            ServerMessage::RoomWelcome(_) => RoomWelcome::NAME,
            ServerMessage::RoomEntered(_) => ROOM_JOIN,
            ServerMessage::RoomLeft(_) => ROOM_LEAVE,
            ServerMessage::RoomList(_) => RoomList::NAME,
            ServerMessage::HistoryEnd(_) => HistoryEnd::NAME,
            ServerMessage::Registered(_) => Registered::NAME,
            ServerMessage::Auth(_) => Auth::NAME,
            ServerMessage::AdminDone(_) => AdminDone::NAME,
            ServerMessage::AdminNotice(_) => AdminNotice::NAME,
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
            ServerMessage::RoomWelcome(m) => names(&m.members),
            ServerMessage::RoomList(m) => m.rooms.iter().map(|r| r.name.len() + 32).sum(),
            _ => 0,
        }
    }

    fn file_chunk(&self) -> Option<&FileChunk> {
        match self {
            ServerMessage::FileChunk(chunk) => Some(chunk),
            _ => None,
        }
    }
}

/// `USER_JOIN`, server → the joiner: accepted, with everyone online.
/// `room` (extension) is the room it is in now, `lobby`; `max_file_size`,
/// `max_text` and `file_types` (extensions) let a client refuse a file or a
/// chat text the server would refuse before sending any of it, and so tell
/// its user at once, instead of after the server has refused; `role`
/// (extension) says what this connection may do. A version 1 server sends
/// none of them.
#[derive(Debug, Clone, PartialEq)]
pub struct Welcome {
    pub name: String,
    pub users: Vec<String>,
    pub timestamp: i64,
    pub room: Option<String>,
    pub max_file_size: Option<u64>,
    /// The longest chat text the server accepts, in bytes of UTF-8.
    pub max_text: Option<u64>,
    pub role: Option<Role>,
    pub file_types: Option<FileTypes>,
}

impl MessageType for Welcome {
    const NAME: &'static str = "USER_JOIN";

    /// The `self` flag has already been read, to tell this from [`Joined`].
    fn decode(data: String, meta: &mut Object) -> Result<Self, DecodeError> {
        Ok(Welcome {
            name: data,
            users: take_string_list(meta, "users")?,
            timestamp: take_i64(meta, "timestamp")?,
            room: take_optional_string(meta, "room")?,
            max_file_size: take_optional_u64(meta, "max_file_size")?,
            max_text: take_optional_u64(meta, "max_text")?,
            role: take_optional_role(meta, "role")?,
            file_types: take_file_types(meta)?,
        })
    }

    fn encode(self, meta: &mut Object) -> String {
        meta.insert("self", true);
        meta.insert("users", string_list(self.users));
        meta.insert("timestamp", self.timestamp);
        if let Some(room) = self.room {
            meta.insert("room", room);
        }
        if let Some(max) = self.max_file_size {
            meta.insert("max_file_size", max);
        }
        if let Some(max) = self.max_text {
            meta.insert("max_text", max);
        }
        if let Some(role) = self.role {
            meta.insert("role", role.as_str());
        }
        if let Some(rules) = self.file_types {
            let mut lists = Object::new();
            lists.insert("allow", string_list(rules.allow().to_vec()));
            lists.insert("deny", string_list(rules.deny().to_vec()));
            meta.insert("file_types", lists);
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
///
/// A room's message (extension) carries its `room` and its number there,
/// `seq`; a message replayed from the history also carries
/// `"history": true`. Private messages and the console's messages to
/// everyone carry none of the three.
#[derive(Debug, Clone, PartialEq)]
pub struct Chat {
    pub text: String,
    pub sender: String,
    pub timestamp: i64,
    pub to: Option<String>,
    pub room: Option<String>,
    pub seq: Option<u64>,
    pub history: bool,
}

impl Chat {
    /// A chat line with no room: private (`to`), or to everyone.
    pub fn new(text: String, sender: String, timestamp: i64, to: Option<String>) -> Self {
        Chat {
            text,
            sender,
            timestamp,
            to,
            room: None,
            seq: None,
            history: false,
        }
    }
}

impl MessageType for Chat {
    const NAME: &'static str = "TEXT";

    fn decode(data: String, meta: &mut Object) -> Result<Self, DecodeError> {
        Ok(Chat {
            text: data,
            sender: take_string(meta, "sender")?,
            timestamp: take_i64(meta, "timestamp")?,
            to: take_optional_string(meta, "to")?,
            room: take_optional_string(meta, "room")?,
            seq: take_optional_u64(meta, "seq")?,
            history: take_flag(meta, "history")?,
        })
    }

    fn encode(self, meta: &mut Object) -> String {
        meta.insert("sender", self.sender);
        meta.insert("timestamp", self.timestamp);
        if let Some(to) = self.to {
            meta.insert("private", true);
            meta.insert("to", to);
        }
        if let Some(room) = self.room {
            meta.insert("room", room);
        }
        if let Some(seq) = self.seq {
            meta.insert("seq", seq);
        }
        if self.history {
            meta.insert("history", true);
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
    /// Set when the file was sent to a room (extension): the room's name.
    pub room: Option<String>,
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
            room: take_optional_string(meta, "room")?,
        })
    }

    fn encode(self, meta: &mut Object) -> String {
        meta.insert("transfer_id", self.transfer_id);
        meta.insert("size", self.size);
        if let Some(to) = self.to {
            meta.insert("to", to);
        }
        meta.insert("sender", self.sender);
        if let Some(room) = self.room {
            meta.insert("room", room);
        }
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

/// `ROOM_JOIN` with `"self": true`, server → the joiner (extension): it is
/// in `room` now (as the room's creator spelt it), with these `members`,
/// itself included, in the order they came.
#[derive(Debug, Clone, PartialEq)]
pub struct RoomWelcome {
    pub room: String,
    pub members: Vec<String>,
    pub timestamp: i64,
}

impl MessageType for RoomWelcome {
    const NAME: &'static str = "ROOM_JOIN";

    /// The `self` flag has already been read, to tell this from a
    /// [`RoomNotice`].
    fn decode(data: String, meta: &mut Object) -> Result<Self, DecodeError> {
        Ok(RoomWelcome {
            room: data,
            members: take_string_list(meta, "members")?,
            timestamp: take_i64(meta, "timestamp")?,
        })
    }

    fn encode(self, meta: &mut Object) -> String {
        meta.insert("self", true);
        meta.insert("members", string_list(self.members));
        meta.insert("timestamp", self.timestamp);
        self.room
    }
}

/// The two room notices (extension), one shape: `ROOM_JOIN` to the room's
/// other members when `user` came in, `ROOM_LEAVE` to its remaining
/// members when `user` moved to another room; the room has `members` now.
/// (Leaving the server is `USER_LEAVE`, to everyone, and no `ROOM_LEAVE`.)
/// The variant, [`ServerMessage::RoomEntered`] or
/// [`ServerMessage::RoomLeft`], says which.
#[derive(Debug, Clone, PartialEq)]
pub struct RoomNotice {
    pub room: String,
    pub user: String,
    pub members: u64,
    pub timestamp: i64,
}

/// The type names of the notices ([`RoomWelcome`] shares the first).
const ROOM_JOIN: &str = RoomWelcome::NAME;
const ROOM_LEAVE: &str = "ROOM_LEAVE";

impl RoomNotice {
    fn decode(data: String, meta: &mut Object) -> Result<Self, DecodeError> {
        Ok(RoomNotice {
            room: data,
            user: take_string(meta, "user")?,
            members: take_u64(meta, "members")?,
            timestamp: take_i64(meta, "timestamp")?,
        })
    }

    fn encode(self, meta: &mut Object) -> String {
        meta.insert("user", self.user);
        meta.insert("members", self.members);
        meta.insert("timestamp", self.timestamp);
        self.room
    }
}

/// One row of a [`RoomList`]: a room and how many are in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomInfo {
    pub name: String,
    pub members: u64,
}

/// `ROOM_LIST`, server → client (extension): every room, `lobby` first,
/// then by name.
#[derive(Debug, Clone, PartialEq)]
pub struct RoomList {
    pub rooms: Vec<RoomInfo>,
}

impl MessageType for RoomList {
    const NAME: &'static str = ROOM_LIST;

    fn decode(_data: String, meta: &mut Object) -> Result<Self, DecodeError> {
        let wrong = DecodeError::WrongType {
            field: "rooms",
            expected: Expected::RoomList,
        };
        let Some(Value::Array(items)) = meta.remove("rooms") else {
            return Err(wrong);
        };
        let rooms = items
            .into_iter()
            .map(|item| match item {
                Value::Object(mut row) => Ok(RoomInfo {
                    name: take_string(&mut row, "name")?,
                    members: take_u64(&mut row, "members")?,
                }),
                _ => Err(wrong.clone()),
            })
            .collect::<Result<_, _>>()?;
        Ok(RoomList { rooms })
    }

    fn encode(self, meta: &mut Object) -> String {
        let rooms = self
            .rooms
            .into_iter()
            .map(|room| {
                let mut row = Object::new();
                row.insert("name", room.name);
                row.insert("members", room.members);
                Value::from(row)
            })
            .collect::<Vec<_>>();
        meta.insert("rooms", rooms);
        String::new()
    }
}

/// `HISTORY`, server → client (extension): ends a replay of `count`
/// messages of `room`, which came just before it (live messages may have
/// come between them; their `seq` orders them).
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEnd {
    pub room: String,
    pub count: u64,
}

impl MessageType for HistoryEnd {
    const NAME: &'static str = "HISTORY";

    fn decode(data: String, meta: &mut Object) -> Result<Self, DecodeError> {
        Ok(HistoryEnd {
            room: data,
            count: take_u64(meta, "count")?,
        })
    }

    fn encode(self, meta: &mut Object) -> String {
        meta.insert("count", self.count);
        self.room
    }
}

/// The welcome's `file_types`, `{"allow": [...], "deny": [...]}`, checked
/// as strictly as the server's own flags are: a client must not trust a
/// server's lists more than its own.
fn take_file_types(meta: &mut Object) -> Result<Option<FileTypes>, DecodeError> {
    const FIELD: &str = "file_types";
    let mut lists = match meta.remove(FIELD) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(lists)) => lists,
        Some(_) => {
            return Err(DecodeError::WrongType {
                field: FIELD,
                expected: Expected::FileTypes,
            });
        }
    };
    let allow = take_string_list(&mut lists, "allow")?;
    let deny = take_string_list(&mut lists, "deny")?;
    FileTypes::from_lists(&allow, &deny)
        .map(Some)
        .map_err(|e| DecodeError::BadValue {
            field: FIELD,
            value: clip(&e.to_string()),
        })
}

/// `REGISTER`, server → client (extension): `{"ok": true}`, the name
/// registered (or whose password changed).
#[derive(Debug, Clone, PartialEq)]
pub struct Registered {
    pub name: String,
}

impl MessageType for Registered {
    const NAME: &'static str = "REGISTER";

    fn decode(data: String, meta: &mut Object) -> Result<Self, DecodeError> {
        if !take_flag(meta, "ok")? {
            return Err(DecodeError::MissingField("ok"));
        }
        Ok(Registered { name: data })
    }

    fn encode(self, meta: &mut Object) -> String {
        meta.insert("ok", true);
        self.name
    }
}

/// `AUTH`, server → client (extension): the server-first message (`done`
/// is `None`, metadata `{}`), then the server-final one, which carries
/// `{"ok": true, "role": ROLE}`: the server accepted the proof. The client
/// still checks the signature in it before it believes the server.
#[derive(Debug, Clone, PartialEq)]
pub struct Auth {
    pub message: String,
    pub done: Option<Role>,
}

impl MessageType for Auth {
    const NAME: &'static str = "AUTH";

    fn decode(data: String, meta: &mut Object) -> Result<Self, DecodeError> {
        let done = if take_flag(meta, "ok")? {
            Some(take_optional_role(meta, "role")?.ok_or(DecodeError::MissingField("role"))?)
        } else {
            None
        };
        Ok(Auth {
            message: data,
            done,
        })
    }

    fn encode(self, meta: &mut Object) -> String {
        if let Some(role) = self.done {
            meta.insert("ok", true);
            meta.insert("role", role.as_str());
        }
        self.message
    }
}

/// `ADMIN` with `"ok": true`, server → the admin (extension): the action
/// on `target` is done.
#[derive(Debug, Clone, PartialEq)]
pub struct AdminDone {
    pub action: AdminAction,
    pub target: String,
}

impl MessageType for AdminDone {
    const NAME: &'static str = "ADMIN";

    /// The `ok` flag has already been read, to tell this from [`AdminNotice`].
    fn decode(data: String, meta: &mut Object) -> Result<Self, DecodeError> {
        Ok(AdminDone {
            action: AdminAction::decode(data)?,
            target: take_string(meta, "target")?,
        })
    }

    fn encode(self, meta: &mut Object) -> String {
        meta.insert("ok", true);
        meta.insert("target", self.target);
        self.action.as_str().to_string()
    }
}

/// `ADMIN` with `"by"`, server → the user acted on (extension): who did
/// what to it, and for a `mute`, the Unix time it ends. (A `kick` is told
/// by `ERROR kicked` instead, since the connection ends.)
#[derive(Debug, Clone, PartialEq)]
pub struct AdminNotice {
    pub action: AdminAction,
    pub by: String,
    pub until: Option<i64>,
}

impl MessageType for AdminNotice {
    const NAME: &'static str = "ADMIN";

    fn decode(data: String, meta: &mut Object) -> Result<Self, DecodeError> {
        Ok(AdminNotice {
            action: AdminAction::decode(data)?,
            by: take_string(meta, "by")?,
            until: take_optional_i64(meta, "until")?,
        })
    }

    fn encode(self, meta: &mut Object) -> String {
        meta.insert("by", self.by);
        if let Some(until) = self.until {
            meta.insert("until", until);
        }
        self.action.as_str().to_string()
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
                room: None,
                max_file_size: None,
                max_text: None,
                role: None,
                file_types: None,
            }),
            ServerMessage::Welcome(Welcome {
                name: "Alice".into(),
                users: vec![],
                timestamp: 1,
                room: Some("lobby".into()),
                max_file_size: Some(1 << 30),
                max_text: Some(65536),
                role: Some(Role::Admin),
                file_types: Some(FileTypes::from_lists(&["txt", "pdf"], &["exe"]).unwrap()),
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
            ServerMessage::Chat(Chat::new("你好 😀".into(), "Alice".into(), 5, None)),
            ServerMessage::Chat(Chat::new(
                "psst".into(),
                "server".into(),
                5,
                Some("Bob".into()),
            )),
            ServerMessage::Chat(Chat {
                room: Some("Python".into()),
                seq: Some(42),
                history: true,
                ..Chat::new("earlier".into(), "Bob".into(), 3, None)
            }),
            ServerMessage::FileOffer(FileOffer {
                name: "a b.txt".into(),
                transfer_id: "t1".into(),
                size: 4097,
                to: Some("Bob".into()),
                sender: "Alice".into(),
                room: None,
            }),
            ServerMessage::FileOffer(FileOffer {
                name: "notes.txt".into(),
                transfer_id: "t2".into(),
                size: 1,
                to: None,
                sender: "Alice".into(),
                room: Some("python".into()),
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
            ServerMessage::RoomWelcome(RoomWelcome {
                room: "Python".into(),
                members: vec!["Bob".into(), "Alice".into()],
                timestamp: 8,
            }),
            ServerMessage::RoomEntered(RoomNotice {
                room: "Python".into(),
                user: "Alice".into(),
                members: 2,
                timestamp: 8,
            }),
            ServerMessage::RoomLeft(RoomNotice {
                room: "lobby".into(),
                user: "Alice".into(),
                members: 0,
                timestamp: 8,
            }),
            ServerMessage::RoomList(RoomList {
                rooms: vec![
                    RoomInfo {
                        name: "lobby".into(),
                        members: 3,
                    },
                    RoomInfo {
                        name: "Python".into(),
                        members: 1,
                    },
                ],
            }),
            ServerMessage::RoomList(RoomList { rooms: vec![] }),
            ServerMessage::HistoryEnd(HistoryEnd {
                room: "lobby".into(),
                count: 0,
            }),
            ServerMessage::Registered(Registered {
                name: "李雷".into(),
            }),
            ServerMessage::Auth(Auth {
                message: "r=ab,s=c2FsdA==,i=4096".into(),
                done: None,
            }),
            ServerMessage::Auth(Auth {
                message: "v=c2lnbg==".into(),
                done: Some(Role::Admin),
            }),
            ServerMessage::AdminDone(AdminDone {
                action: AdminAction::Op,
                target: "Bob".into(),
            }),
            ServerMessage::AdminNotice(AdminNotice {
                action: AdminAction::Unmute,
                by: "server".into(),
                until: None,
            }),
            ServerMessage::Error(ErrorReport::new(ErrorCode::AuthLocked, "wait".into()).until(60)),
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
                    users: vec!["Alice".into()],
                    timestamp: 17,
                    room: None,
                    max_file_size: Some(100),
                    max_text: Some(50),
                    role: Some(Role::Guest),
                    file_types: Some(FileTypes::from_lists(&["txt"], &[] as &[&str]).unwrap()),
                }),
                r#"{"type": "USER_JOIN", "data": "Alice", "metadata": {"self": true, "users": ["Alice"], "timestamp": 17, "max_file_size": 100, "max_text": 50, "role": "guest", "file_types": {"allow": ["txt"], "deny": []}}}"#,
            ),
            (
                ServerMessage::Registered(Registered {
                    name: "Alice".into(),
                }),
                r#"{"type": "REGISTER", "data": "Alice", "metadata": {"ok": true}}"#,
            ),
            (
                ServerMessage::Auth(Auth {
                    message: "r=abcdef,s=c2FsdA==,i=4096".into(),
                    done: None,
                }),
                r#"{"type": "AUTH", "data": "r=abcdef,s=c2FsdA==,i=4096", "metadata": {}}"#,
            ),
            (
                ServerMessage::Auth(Auth {
                    message: "v=c2lnbg==".into(),
                    done: Some(Role::Member),
                }),
                r#"{"type": "AUTH", "data": "v=c2lnbg==", "metadata": {"ok": true, "role": "member"}}"#,
            ),
            (
                ServerMessage::AdminDone(AdminDone {
                    action: AdminAction::Kick,
                    target: "Bob".into(),
                }),
                r#"{"type": "ADMIN", "data": "kick", "metadata": {"ok": true, "target": "Bob"}}"#,
            ),
            (
                ServerMessage::AdminNotice(AdminNotice {
                    action: AdminAction::Mute,
                    by: "Alice".into(),
                    until: Some(1_700_000_300),
                }),
                r#"{"type": "ADMIN", "data": "mute", "metadata": {"by": "Alice", "until": 1700000300}}"#,
            ),
            (
                ServerMessage::Error(
                    ErrorReport::new(ErrorCode::Muted, "shh".into()).until(1_700_000_300),
                ),
                r#"{"type": "ERROR", "data": "shh", "metadata": {"code": "muted", "until": 1700000300}}"#,
            ),
            (
                ServerMessage::Welcome(Welcome {
                    name: "Alice".into(),
                    users: vec!["Bob".into(), "Alice".into()],
                    timestamp: 17,
                    room: None,
                    max_file_size: None,
                    max_text: None,
                    role: None,
                    file_types: None,
                }),
                r#"{"type": "USER_JOIN", "data": "Alice", "metadata": {"self": true, "users": ["Bob", "Alice"], "timestamp": 17}}"#,
            ),
            (
                ServerMessage::Welcome(Welcome {
                    name: "Alice".into(),
                    users: vec!["Alice".into()],
                    timestamp: 17,
                    room: Some("lobby".into()),
                    max_file_size: Some(1024),
                    max_text: Some(64),
                    role: None,
                    file_types: None,
                }),
                r#"{"type": "USER_JOIN", "data": "Alice", "metadata": {"self": true, "users": ["Alice"], "timestamp": 17, "room": "lobby", "max_file_size": 1024, "max_text": 64}}"#,
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
                ServerMessage::Chat(Chat::new(
                    "Hi 😀".into(),
                    "Alice".into(),
                    9,
                    Some("Bob".into()),
                )),
                r#"{"type": "TEXT", "data": "Hi \ud83d\ude00", "metadata": {"sender": "Alice", "timestamp": 9, "private": true, "to": "Bob"}}"#,
            ),
            (
                ServerMessage::Chat(Chat {
                    room: Some("lobby".into()),
                    seq: Some(7),
                    ..Chat::new("hi".into(), "Alice".into(), 9, None)
                }),
                r#"{"type": "TEXT", "data": "hi", "metadata": {"sender": "Alice", "timestamp": 9, "room": "lobby", "seq": 7}}"#,
            ),
            (
                ServerMessage::Chat(Chat {
                    room: Some("lobby".into()),
                    seq: Some(7),
                    history: true,
                    ..Chat::new("hi".into(), "Alice".into(), 9, None)
                }),
                r#"{"type": "TEXT", "data": "hi", "metadata": {"sender": "Alice", "timestamp": 9, "room": "lobby", "seq": 7, "history": true}}"#,
            ),
            (
                ServerMessage::FileOffer(FileOffer {
                    name: "r.pdf".into(),
                    transfer_id: "t1".into(),
                    size: 10,
                    to: None,
                    sender: "Alice".into(),
                    room: Some("lobby".into()),
                }),
                r#"{"type": "FILE", "data": "r.pdf", "metadata": {"transfer_id": "t1", "size": 10, "sender": "Alice", "room": "lobby"}}"#,
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
            (
                ServerMessage::RoomWelcome(RoomWelcome {
                    room: "python".into(),
                    members: vec!["Bob".into(), "Alice".into()],
                    timestamp: 4,
                }),
                r#"{"type": "ROOM_JOIN", "data": "python", "metadata": {"self": true, "members": ["Bob", "Alice"], "timestamp": 4}}"#,
            ),
            (
                ServerMessage::RoomEntered(RoomNotice {
                    room: "python".into(),
                    user: "Alice".into(),
                    members: 2,
                    timestamp: 4,
                }),
                r#"{"type": "ROOM_JOIN", "data": "python", "metadata": {"user": "Alice", "members": 2, "timestamp": 4}}"#,
            ),
            (
                ServerMessage::RoomLeft(RoomNotice {
                    room: "lobby".into(),
                    user: "Alice".into(),
                    members: 1,
                    timestamp: 4,
                }),
                r#"{"type": "ROOM_LEAVE", "data": "lobby", "metadata": {"user": "Alice", "members": 1, "timestamp": 4}}"#,
            ),
            (
                ServerMessage::RoomList(RoomList {
                    rooms: vec![
                        RoomInfo {
                            name: "lobby".into(),
                            members: 1,
                        },
                        RoomInfo {
                            name: "python".into(),
                            members: 2,
                        },
                    ],
                }),
                r#"{"type": "ROOM_LIST", "data": "", "metadata": {"rooms": [{"name": "lobby", "members": 1}, {"name": "python", "members": 2}]}}"#,
            ),
            (
                ServerMessage::HistoryEnd(HistoryEnd {
                    room: "lobby".into(),
                    count: 20,
                }),
                r#"{"type": "HISTORY", "data": "lobby", "metadata": {"count": 20}}"#,
            ),
        ]);
    }

    #[test]
    fn a_room_list_must_be_a_list_of_rows() {
        for meta in [
            r#"{}"#,
            r#"{"rooms": "lobby"}"#,
            r#"{"rooms": ["lobby"]}"#,
            r#"{"rooms": [{"name": "lobby"}]}"#,
            r#"{"rooms": [{"name": 1, "members": 1}]}"#,
        ] {
            let body = format!(r#"{{"type": "ROOM_LIST", "data": "", "metadata": {meta}}}"#);
            let err = ServerMessage::decode(body.as_bytes()).unwrap_err();
            assert_eq!(err.code(), ErrorCode::BadMessage, "{body}");
        }
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

#[cfg(test)]
mod extension_tests {
    use super::*;

    #[test]
    fn a_welcome_with_a_bad_extension_list_is_refused() {
        let err = ServerMessage::decode(
            br#"{"type": "USER_JOIN", "data": "a", "metadata": {"self": true, "users": [], "timestamp": 1, "file_types": {"allow": ["tar.gz"], "deny": []}}}"#,
        )
        .unwrap_err();
        assert!(
            matches!(
                err,
                DecodeError::BadValue {
                    field: "file_types",
                    ..
                }
            ),
            "{err}"
        );
        let err = ServerMessage::decode(
            br#"{"type": "USER_JOIN", "data": "a", "metadata": {"self": true, "users": [], "timestamp": 1, "role": "king"}}"#,
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "\"role\" cannot be \"king\"");
    }

    #[test]
    fn a_login_that_says_ok_says_the_role() {
        let err =
            ServerMessage::decode(br#"{"type": "AUTH", "data": "v=x", "metadata": {"ok": true}}"#)
                .unwrap_err();
        assert_eq!(err, DecodeError::MissingField("role"));
    }
}
