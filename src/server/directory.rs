//! Who is online: every member's name, how to reach one member (a private
//! message, a kick), and the server-wide notices that someone joined or
//! left. Which *room* each member is in, and what is said there, is
//! [`super::rooms`].
//!
//! # Lock order: the directory, then the rooms
//!
//! The server's shared state sits behind several locks, and a thread that
//! holds one lock while it waits for another must always take them in the
//! same order, or two threads can each hold the lock the other waits for
//! and wait for ever. The order, here and in `rooms.rs`:
//!
//! ```text
//! 1. the directory (this file)        who is online
//! 2. the rooms' index (rooms.rs)      which rooms exist
//! 3. one room's members (rooms.rs)    never two rooms at once
//! 4. leaves: a member's current room, the history, an outbox, a link
//! ```
//!
//! A thread may skip a level, never go back up one. Joining and leaving
//! the server are the two places that hold the directory *and* the rooms:
//! a newcomer is online and in `lobby` at one and the same moment, and a
//! leaver is gone from both at once, so that no other thread ever sees
//! someone online who is in no room, or counted in a room but offline
//! (contract §8: every joined client is in exactly one room).
//!
//! What would go wrong otherwise: suppose the console's `/list` took the
//! rooms first, to show each user's room, then the directory for the names,
//! while a joining session holds the directory and waits for the lobby.
//! Each thread holds what the other needs; neither ever lets go, and from
//! then on every join, leave and message that needs either lock waits too:
//! the server is frozen, though no thread is busy. `docs/08-rooms-and-history.md`
//! tells the story, and `/list` here reads each member's room from the
//! member itself (a leaf lock), holding nothing else.
//!
//! Every lock is held only long enough to look or change and to append to
//! outboxes, which never wait on a socket (see [`super::outbox`]). So one
//! slow client cannot keep any of them, and with them everyone, waiting.

use std::collections::HashMap;
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::Config;
use super::history::Entry;
use super::outbox::{Outbox, PushError};
use super::rooms::{Room, Rooms};
use crate::localtime::now_unix;
use crate::message::server::{Joined, Left, Welcome};
use crate::message::{LeaveReason, Role, ServerMessage};
use crate::names::name_key;
use crate::sync::lock;
use crate::transport::{Ending, Outgoing};

/// One connection's way out: its outbox, and a handle to cut it off.
/// It exists from `accept` on, before the client has a name.
pub struct Link {
    pub addr: SocketAddr,
    outbox: Arc<Outbox>,
    /// A second handle on the client's socket, used only to shut it down,
    /// which wakes the client's own thread out of a blocking `read`.
    socket: TcpStream,
    /// Set when someone other than the client's own thread decides that the
    /// client must go; the client's thread reads it when it wakes.
    dropped: Mutex<Option<LeaveReason>>,
    bulk_timeout: Duration,
}

impl Link {
    pub fn new(
        addr: SocketAddr,
        outbox: Arc<Outbox>,
        socket: TcpStream,
        bulk_timeout: Duration,
    ) -> Self {
        Link {
            addr,
            outbox,
            socket,
            dropped: Mutex::new(None),
            bulk_timeout,
        }
    }

    /// Queues a message for this client.
    pub fn send(&self, message: &ServerMessage) -> bool {
        self.send_body(Outgoing::new(message))
    }

    /// Queues an already encoded body. A client whose queue is full is not
    /// keeping up and is disconnected; `false` means nothing was queued.
    pub fn send_body(&self, body: Outgoing) -> bool {
        let result = self.outbox.push(body);
        self.check(result)
    }

    /// Queues a notice (someone joined or left), which may wait a moment
    /// for company (see [`NOTICE_DELAY`](super::outbox::NOTICE_DELAY)).
    pub fn send_notice(&self, body: Outgoing) -> bool {
        let result = self.outbox.push_notice(body);
        self.check(result)
    }

    /// Queues a file chunk, waiting (up to the bulk timeout) for room.
    pub fn send_bulk(&self, body: Outgoing) -> bool {
        let result = self.outbox.push_bulk(body, self.bulk_timeout);
        self.check(result)
    }

    fn check(&self, result: Result<(), PushError>) -> bool {
        match result {
            Ok(()) => true,
            Err(PushError::Full) => {
                self.disconnect(LeaveReason::Disconnected);
                false
            }
            Err(PushError::Closed) => false,
        }
    }

    /// Cuts the connection off from another thread. The first reason given
    /// is the one reported to the others.
    pub fn disconnect(&self, reason: LeaveReason) {
        lock(&self.dropped).get_or_insert(reason);
        let _ = self.socket.shutdown(Shutdown::Both);
    }

    /// The reason given to [`Link::disconnect`], if it was called.
    pub fn dropped(&self) -> Option<LeaveReason> {
        *lock(&self.dropped)
    }

    /// Removes the client for `reason`, letting what is queued for it (a
    /// last message saying why, say) be written first. Its session notices
    /// at its next tick, or sooner when the client closes its side.
    pub fn remove(&self, reason: LeaveReason) {
        lock(&self.dropped).get_or_insert(reason);
        self.outbox.close();
    }

    /// Lets the writer finish what is queued, then end the connection.
    pub fn close(&self) {
        self.outbox.close();
    }

    /// [`Link::close`], saying why for transports whose goodbye carries a
    /// reason (a WebSocket's close code).
    pub fn close_because(&self, ending: Ending) {
        self.outbox.close_because(ending);
    }
}

/// A client that has joined under a name.
pub struct Member {
    pub name: String,
    pub link: Arc<Link>,
    /// Unix time of the join, for `/user`.
    pub joined_at: i64,
    messages_sent: AtomicU64,
    /// The room it is in. Changed only by [`Rooms`], under the rooms' locks;
    /// read by anyone. A leaf lock: nothing is locked while it is held.
    room: Mutex<Arc<Room>>,
    /// What this connection may do. It changes while the member is online:
    /// a guest registers its name, an admin is made a member (`deop`). A
    /// leaf lock too.
    role: Mutex<Role>,
}

impl Member {
    pub fn role(&self) -> Role {
        *lock(&self.role)
    }

    pub fn set_role(&self, role: Role) {
        *lock(&self.role) = role;
    }

    pub fn count_message(&self) {
        self.messages_sent.fetch_add(1, Ordering::Relaxed);
    }

    pub fn messages_sent(&self) -> u64 {
        self.messages_sent.load(Ordering::Relaxed)
    }

    /// The room this member is in now.
    pub fn room(&self) -> Arc<Room> {
        lock(&self.room).clone()
    }

    /// Moves the member's pointer to its room: for [`Rooms`] only, which
    /// moves the member between the rooms' member lists at the same time.
    pub(super) fn set_room(&self, room: Arc<Room>) {
        *lock(&self.room) = room;
    }
}

/// Why a join was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum JoinError {
    NameTaken,
}

/// What a successful join gives the session: the member, and the lobby's
/// last messages to replay (taken at the moment it entered the lobby, so
/// that every later message reaches it live, and none twice).
pub struct Joining {
    pub member: Arc<Member>,
    pub replay: Vec<Arc<Entry>>,
}

#[derive(Default)]
struct Online {
    /// Looked up by [`name_key`], so `bob` finds `Bob`.
    by_key: HashMap<String, Arc<Member>>,
    /// Everyone, in the order they joined. A broadcast clones this `Arc`
    /// (cheap) rather than the list, and the list is rebuilt only when
    /// someone joins or leaves, which is rare next to messages.
    in_order: Arc<[Arc<Member>]>,
}

/// Everyone online, in every room.
#[derive(Default)]
pub struct Directory {
    online: Mutex<Online>,
}

impl Directory {
    pub fn new() -> Self {
        Directory::default()
    }

    /// Adds a member, welcomes it, puts it in the lobby and tells everyone
    /// else that it came. All of it happens under the directory's lock (and
    /// the lobby's, for the step that enters it: see the lock order above),
    /// so nobody can hear from the newcomer before the notice that it
    /// joined, and the newcomer hears nothing before its welcome. The
    /// welcome announces what `config` allows (the largest file, the
    /// longest text, the file types), so the client can check before it
    /// sends, and the newcomer's `role`.
    pub fn join(
        &self,
        name: String,
        link: Arc<Link>,
        rooms: &Rooms,
        role: Role,
        config: &Config,
    ) -> Result<Joining, JoinError> {
        let mut online = lock(&self.online);
        let key = name_key(&name);
        if online.by_key.contains_key(&key) {
            return Err(JoinError::NameTaken);
        }
        let timestamp = now_unix();
        let lobby = rooms.lobby();
        let member = Arc::new(Member {
            name,
            link,
            joined_at: timestamp,
            messages_sent: AtomicU64::new(0),
            room: Mutex::new(lobby.clone()),
            role: Mutex::new(role),
        });
        online.by_key.insert(key, member.clone());
        let mut in_order = online.in_order.to_vec();
        in_order.push(member.clone());
        online.in_order = in_order.into();

        // The welcome first: once the member is in the lobby, the lobby's
        // messages reach its queue, and they must come after it.
        let users = online.in_order.iter().map(|m| m.name.clone()).collect();
        // Encoded by moving the names into the JSON writer: at 5,000
        // members, copying them all once more for every join adds up.
        let welcome = ServerMessage::Welcome(Welcome {
            name: member.name.clone(),
            users,
            timestamp,
            room: Some(lobby.name().to_string()),
            max_file_size: Some(config.max_file),
            max_text: Some(config.max_text as u64),
            role: Some(role),
            file_types: Some(config.file_types.clone()),
        });
        member.link.send_body(Outgoing::from_message(welcome));
        let replay = rooms.enter_lobby(&member);
        let notice = Outgoing::new(&ServerMessage::Joined(Joined {
            name: member.name.clone(),
            timestamp,
            online: online.in_order.len() as u64,
        }));
        send_notice_to_all(&online.in_order, notice, Some(&member));
        Ok(Joining { member, replay })
    }

    /// Removes a member from the server (and from its room, under the same
    /// lock), and tells everyone else why it left. Leaving the server is
    /// `USER_LEAVE` alone: its room hears no `ROOM_LEAVE` (contract §8).
    pub fn leave(&self, member: &Arc<Member>, reason: LeaveReason, rooms: &Rooms) {
        let mut online = lock(&self.online);
        let key = name_key(&member.name);
        match online.by_key.get(&key) {
            Some(current) if Arc::ptr_eq(current, member) => {}
            _ => return,
        }
        online.by_key.remove(&key);
        let in_order: Vec<_> = online
            .in_order
            .iter()
            .filter(|m| !Arc::ptr_eq(m, member))
            .cloned()
            .collect();
        online.in_order = in_order.into();
        rooms.remove(member);
        let notice = Outgoing::new(&ServerMessage::Left(Left {
            name: member.name.clone(),
            reason,
            timestamp: now_unix(),
            online: online.in_order.len() as u64,
        }));
        send_notice_to_all(&online.in_order, notice, None);
    }

    /// Everyone online, in join order.
    pub fn everyone(&self) -> Arc<[Arc<Member>]> {
        lock(&self.online).in_order.clone()
    }

    /// The member with this name (ignoring ASCII case), if online.
    pub fn find(&self, name: &str) -> Option<Arc<Member>> {
        lock(&self.online).by_key.get(&name_key(name)).cloned()
    }

    /// Sends one message to everyone in every room except `except`,
    /// encoding it once: the console's `/msg TEXT`.
    pub fn broadcast(&self, message: &ServerMessage, except: Option<&Arc<Member>>) {
        send_to_all(&self.everyone(), Outgoing::new(message), except);
    }
}

/// Queues one encoded body for every member but `except`.
pub(super) fn send_to_all(members: &[Arc<Member>], body: Outgoing, except: Option<&Arc<Member>>) {
    for member in members {
        if except.is_some_and(|e| Arc::ptr_eq(e, member)) {
            continue;
        }
        member.link.send_body(body.clone());
    }
}

/// Queues one notice that someone joined or left the server for every
/// member but `except`. Notices may wait a moment in each queue (see
/// [`NOTICE_DELAY`](super::outbox::NOTICE_DELAY)): when 5,000 clients join
/// one after another, waking every writer for every join is what makes the
/// storm slow, and a join notice a tenth of a second late is not.
fn send_notice_to_all(members: &[Arc<Member>], body: Outgoing, except: Option<&Arc<Member>>) {
    for member in members {
        if except.is_some_and(|e| Arc::ptr_eq(e, member)) {
            continue;
        }
        member.link.send_notice(body.clone());
    }
}
