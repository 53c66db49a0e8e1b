//! Rooms: who is in which room, and how a message reaches a room's members
//! in the order of its number (contract §8 and §9). Who is online at all,
//! and private delivery, is [`super::directory`].
//!
//! Every member is in exactly one room. Everyone starts in `lobby`, which
//! always exists; any other room is created by the first member who enters
//! it and disappears with its last member (its history stays on disk, and
//! a room of the same name later carries on its numbering).
//!
//! # Lock order: the directory, then the rooms
//!
//! The same order as in `directory.rs`, and the reasons are there:
//!
//! ```text
//! 1. the directory (directory.rs)     who is online
//! 2. the rooms' index (this file)     which rooms exist
//! 3. one room's members (this file)   never two rooms at once
//! 4. leaves: a member's current room, the history, an outbox, a link
//! ```
//!
//! The index is held while a member moves, so that a room cannot disappear
//! between the moment a member finds it and the moment it enters: without
//! that, Alice leaving `#x` (its last member, so `#x` goes) and Bob
//! entering `#x` at the same time could leave Bob alone in a room nobody
//! can find. A move takes the old room's lock, lets go, then takes the new
//! room's: holding two rooms at once would need an order between rooms
//! too, and nothing here needs both at the same moment.
//!
//! A room's message is numbered *and* delivered under the room's lock
//! ([`Rooms::say`]). Two members who speak at once are then numbered 5 and
//! 6 in the same order in which everyone receives them, so each client
//! sees `seq` go up by one, never 6 before 5. The history's own lock is a
//! leaf, taken inside for a few instructions, so this costs one short wait
//! per message and never a wait for the disk.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::directory::{Link, Member, send_to_all};
use super::history::{Entry, History};
use crate::localtime::now_unix;
use crate::message::ServerMessage;
use crate::message::server::{Chat, HistoryEnd, RoomInfo, RoomList, RoomNotice, RoomWelcome};
use crate::names::{LOBBY, name_key};
use crate::sync::lock;
use crate::transport::Outgoing;

/// One room: its name, and its members in the order they came.
pub struct Room {
    /// Its key ([`name_key`]): `Python` and `python` are one room.
    key: String,
    /// Its name as its creator spelt it, shown to everyone.
    name: String,
    members: Mutex<Vec<Arc<Member>>>,
}

impl Room {
    fn new(name: &str) -> Arc<Room> {
        Arc::new(Room {
            key: name_key(name),
            name: name.to_string(),
            members: Mutex::new(Vec::new()),
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn is_lobby(&self) -> bool {
        self.key == LOBBY
    }

    /// Its members now, in the order they came.
    pub fn members(&self) -> Vec<Arc<Member>> {
        lock(&self.members).clone()
    }

    /// Queues a replay of `entries` for one client: each message as it was
    /// said, marked `"history": true`, then one `HISTORY` with the count
    /// (contract §9). Called with no lock held: a long replay waits for
    /// room in the client's queue (as a file does) instead of overflowing
    /// it. Only the client's own session replays to it, and a session does
    /// one thing at a time, so two replays to one client never interleave.
    /// False if the client went away meanwhile.
    pub fn replay(&self, link: &Link, entries: &[Arc<Entry>]) -> bool {
        for entry in entries {
            let chat = ServerMessage::Chat(Chat {
                room: Some(self.name.clone()),
                seq: Some(entry.seq),
                history: true,
                ..Chat::new(
                    entry.text.clone(),
                    entry.sender.clone(),
                    entry.timestamp,
                    None,
                )
            });
            if !link.send_bulk(Outgoing::new(&chat)) {
                return false;
            }
        }
        link.send(&ServerMessage::HistoryEnd(HistoryEnd {
            room: self.name.clone(),
            count: entries.len() as u64,
        }))
    }
}

/// Why a member could not enter a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoomError {
    /// Creating it would make more rooms than `--max-rooms`.
    Limit(usize),
}

/// Where a `ROOM_JOIN` left the member.
pub enum Entered {
    /// It was in that room already: confirmed, nobody told, no replay.
    Already(Arc<Room>),
    /// It moved: the new room, and its last messages to replay.
    Moved {
        room: Arc<Room>,
        replay: Vec<Arc<Entry>>,
    },
}

/// Every room, and the history of them all.
pub struct Rooms {
    /// Every room that exists, `lobby` included, by key.
    index: Mutex<HashMap<String, Arc<Room>>>,
    lobby: Arc<Room>,
    history: History,
    /// Rooms that may exist at once, `lobby` included (`--max-rooms`).
    max_rooms: usize,
    /// Messages replayed on entering a room (`--history-on-join`).
    on_join: usize,
}

impl Rooms {
    pub fn new(history: History, max_rooms: usize, on_join: usize) -> Self {
        let lobby = Room::new(LOBBY);
        let index = HashMap::from([(lobby.key.clone(), lobby.clone())]);
        Rooms {
            index: Mutex::new(index),
            lobby,
            history,
            max_rooms: max_rooms.max(1),
            on_join,
        }
    }

    pub fn lobby(&self) -> Arc<Room> {
        self.lobby.clone()
    }

    pub fn history(&self) -> &History {
        &self.history
    }

    /// Puts a newcomer in the lobby, telling nobody (the directory tells
    /// everyone it joined the server), and returns the lobby's last
    /// messages to replay. Called by [`super::directory::Directory::join`]
    /// under the directory's lock.
    pub(super) fn enter_lobby(&self, member: &Arc<Member>) -> Vec<Arc<Entry>> {
        let mut members = lock(&self.lobby.members);
        members.push(member.clone());
        member.set_room(self.lobby.clone());
        self.snapshot(&self.lobby)
    }

    /// Takes a member that leaves the server out of its room, telling
    /// nobody (everyone hears `USER_LEAVE` instead); the room goes if it is
    /// empty now. Called under the directory's lock.
    pub(super) fn remove(&self, member: &Arc<Member>) {
        let mut index = lock(&self.index);
        let room = member.room();
        let mut members = lock(&room.members);
        members.retain(|m| !Arc::ptr_eq(m, member));
        if members.is_empty() && !room.is_lobby() {
            index.remove(&room.key);
        }
    }

    /// `ROOM_JOIN`: moves `member` to the room `name` (a name already
    /// checked against the room-name rules), creating it if nobody is
    /// there. The old room's others hear `ROOM_LEAVE`, the new room's
    /// `ROOM_JOIN`, and the member gets the `"self"` confirmation with the
    /// new room's members. Asking for the room one is in repeats the
    /// confirmation and tells nobody.
    pub fn enter(&self, member: &Arc<Member>, name: &str) -> Result<Entered, RoomError> {
        let key = name_key(name);
        let mut index = lock(&self.index);
        let old = member.room();
        if old.key == key {
            let members = lock(&old.members);
            confirm(&old, member, &members);
            return Ok(Entered::Already(old.clone()));
        }
        let new = match index.get(&key) {
            Some(room) => room.clone(),
            None => {
                // The old room goes if the member was its last, which makes
                // room under the limit for the new one.
                let old_goes = !old.is_lobby() && lock(&old.members).len() <= 1;
                if index.len() + 1 - usize::from(old_goes) > self.max_rooms {
                    return Err(RoomError::Limit(self.max_rooms));
                }
                let room = Room::new(name);
                index.insert(key, room.clone());
                room
            }
        };
        let timestamp = now_unix();
        {
            let mut members = lock(&old.members);
            members.retain(|m| !Arc::ptr_eq(m, member));
            if members.is_empty() && !old.is_lobby() {
                index.remove(&old.key);
            }
            let notice = ServerMessage::RoomLeft(RoomNotice {
                room: old.name.clone(),
                user: member.name.clone(),
                members: members.len() as u64,
                timestamp,
            });
            send_to_all(&members, Outgoing::new(&notice), None);
        }
        let mut members = lock(&new.members);
        members.push(member.clone());
        member.set_room(new.clone());
        confirm(&new, member, &members);
        let notice = ServerMessage::RoomEntered(RoomNotice {
            room: new.name.clone(),
            user: member.name.clone(),
            members: members.len() as u64,
            timestamp,
        });
        send_to_all(&members, Outgoing::new(&notice), Some(member));
        let replay = self.snapshot(&new);
        drop(members);
        Ok(Entered::Moved { room: new, replay })
    }

    /// A room's message: numbered, kept in its history and queued for every
    /// member but `except`, all under the room's lock, so that everyone
    /// receives the room's messages in `seq` order. `sender` is a member's
    /// name or `server` (the console's `/msg #room`). Returns the number it
    /// got and how many it was queued for; `None` once the history is
    /// closed (the server is stopping).
    pub fn say(
        &self,
        room: &Room,
        sender: &str,
        text: String,
        except: Option<&Arc<Member>>,
    ) -> Option<(u64, usize)> {
        let members = lock(&room.members);
        let timestamp = now_unix();
        let entry = self
            .history
            .append(&room.name, sender, timestamp, &text)
            .ok()?;
        let chat = ServerMessage::Chat(Chat {
            room: Some(room.name.clone()),
            seq: Some(entry.seq),
            ..Chat::new(text, sender.to_string(), timestamp, None)
        });
        send_to_all(&members, Outgoing::from_message(chat), except);
        let reached = members.len() - usize::from(except.is_some());
        Some((entry.seq, reached))
    }

    /// The room with this name (ignoring ASCII case), if it exists.
    pub fn find(&self, name: &str) -> Option<Arc<Room>> {
        lock(&self.index).get(&name_key(name)).cloned()
    }

    /// Every room with its members, `lobby` first, then by name (ignoring
    /// ASCII case): what `ROOM_LIST` and the console's `/rooms` show.
    pub fn list(&self) -> Vec<(Arc<Room>, Vec<Arc<Member>>)> {
        let index = lock(&self.index);
        let mut rooms: Vec<_> = index
            .values()
            .map(|room| (room.clone(), room.members()))
            .collect();
        drop(index);
        rooms.sort_by(|(a, _), (b, _)| {
            (!a.is_lobby(), &a.key, &a.name).cmp(&(!b.is_lobby(), &b.key, &b.name))
        });
        rooms
    }

    /// [`Rooms::list`] as the `ROOM_LIST` answer carries it.
    pub fn list_message(&self) -> ServerMessage {
        let rooms = self
            .list()
            .into_iter()
            .map(|(room, members)| RoomInfo {
                name: room.name.clone(),
                members: members.len() as u64,
            })
            .collect();
        ServerMessage::RoomList(RoomList { rooms })
    }

    /// The messages a member entering `room` is replayed: its last
    /// `--history-on-join`. Taken under the room's lock, at the moment the
    /// member enters, so that whatever is said after reaches it live and
    /// nothing reaches it twice.
    fn snapshot(&self, room: &Room) -> Vec<Arc<Entry>> {
        if self.on_join == 0 {
            return Vec::new();
        }
        self.history.last(&room.name, self.on_join)
    }

    /// Whether entering a room replays anything (`--history-on-join 0`
    /// turns it off, `HISTORY` end marker included).
    pub fn replays_on_join(&self) -> bool {
        self.on_join > 0
    }
}

/// The `"self"` confirmation: you are in `room`, with these members.
fn confirm(room: &Room, member: &Member, members: &[Arc<Member>]) {
    member.link.send(&ServerMessage::RoomWelcome(RoomWelcome {
        room: room.name.clone(),
        members: members.iter().map(|m| m.name.clone()).collect(),
        timestamp: now_unix(),
    }));
}
