//! The chat room: who is online, and how a message reaches them.
//!
//! Every client thread shares one [`Room`] behind a `Mutex`. The lock is held
//! only long enough to look at or change the member list; sending happens by
//! appending to each member's [`Outbox`](super::outbox::Outbox), which never
//! waits on a socket. So one slow client cannot keep the lock, and with it
//! the whole room, waiting.

use std::collections::HashMap;
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::outbox::{Outbox, PushError};
use crate::localtime::now_unix;
use crate::message::server::{Joined, Left, Welcome};
use crate::message::{LeaveReason, ServerMessage};
use crate::names::name_key;
use crate::sync::lock;
use crate::transport::Outgoing;

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
}

/// A client that has joined under a name.
pub struct Member {
    pub name: String,
    pub link: Arc<Link>,
    /// Unix time of the join, for `/user`.
    pub joined_at: i64,
    messages_sent: AtomicU64,
}

impl Member {
    pub fn count_message(&self) {
        self.messages_sent.fetch_add(1, Ordering::Relaxed);
    }

    pub fn messages_sent(&self) -> u64 {
        self.messages_sent.load(Ordering::Relaxed)
    }
}

/// Why a join was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum JoinError {
    NameTaken,
}

#[derive(Default)]
struct Members {
    /// Looked up by [`name_key`], so `bob` finds `Bob`.
    by_key: HashMap<String, Arc<Member>>,
    /// Everyone, in the order they joined. A broadcast clones this `Arc`
    /// (cheap) rather than the list, and the list is rebuilt only when
    /// someone joins or leaves, which is rare next to messages.
    in_order: Arc<[Arc<Member>]>,
}

/// Everyone online.
#[derive(Default)]
pub struct Room {
    members: Mutex<Members>,
}

impl Room {
    pub fn new() -> Self {
        Room::default()
    }

    /// Adds a member, welcomes it and tells everyone else. This happens
    /// under the lock, so nobody can see the newcomer's messages before the
    /// notice that it joined. The welcome announces the server's limits on
    /// a file and a chat text, so the client can check before it sends.
    pub fn join(
        &self,
        name: String,
        link: Arc<Link>,
        max_file_size: u64,
        max_text: u64,
    ) -> Result<Arc<Member>, JoinError> {
        let mut members = lock(&self.members);
        let key = name_key(&name);
        if members.by_key.contains_key(&key) {
            return Err(JoinError::NameTaken);
        }
        let timestamp = now_unix();
        let member = Arc::new(Member {
            name,
            link,
            joined_at: timestamp,
            messages_sent: AtomicU64::new(0),
        });
        members.by_key.insert(key, member.clone());
        let mut in_order = members.in_order.to_vec();
        in_order.push(member.clone());
        members.in_order = in_order.into();

        let users = members.in_order.iter().map(|m| m.name.clone()).collect();
        member.link.send(&ServerMessage::Welcome(Welcome {
            name: member.name.clone(),
            users,
            timestamp,
            max_file_size: Some(max_file_size),
            max_text: Some(max_text),
        }));
        let notice = Outgoing::new(&ServerMessage::Joined(Joined {
            name: member.name.clone(),
            timestamp,
            online: members.in_order.len() as u64,
        }));
        send_to_all(&members.in_order, notice, Some(&member));
        Ok(member)
    }

    /// Removes a member and tells everyone else why it left.
    pub fn leave(&self, member: &Arc<Member>, reason: LeaveReason) {
        let mut members = lock(&self.members);
        let key = name_key(&member.name);
        match members.by_key.get(&key) {
            Some(current) if Arc::ptr_eq(current, member) => {}
            _ => return,
        }
        members.by_key.remove(&key);
        let in_order: Vec<_> = members
            .in_order
            .iter()
            .filter(|m| !Arc::ptr_eq(m, member))
            .cloned()
            .collect();
        members.in_order = in_order.into();
        let notice = Outgoing::new(&ServerMessage::Left(Left {
            name: member.name.clone(),
            reason,
            timestamp: now_unix(),
            online: members.in_order.len() as u64,
        }));
        send_to_all(&members.in_order, notice, None);
    }

    /// Everyone online, in join order.
    pub fn everyone(&self) -> Arc<[Arc<Member>]> {
        lock(&self.members).in_order.clone()
    }

    /// The member with this name (ignoring ASCII case), if online.
    pub fn find(&self, name: &str) -> Option<Arc<Member>> {
        lock(&self.members).by_key.get(&name_key(name)).cloned()
    }

    /// Sends one message to everyone except `except`, encoding it once.
    pub fn broadcast(&self, message: &ServerMessage, except: Option<&Arc<Member>>) {
        send_to_all(&self.everyone(), Outgoing::new(message), except);
    }
}

fn send_to_all(members: &[Arc<Member>], body: Outgoing, except: Option<&Arc<Member>>) {
    for member in members {
        if except.is_some_and(|e| Arc::ptr_eq(e, member)) {
            continue;
        }
        member.link.send_body(body.clone());
    }
}
