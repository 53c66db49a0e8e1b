//! Files passing through the server.
//!
//! The server never holds a whole file, and never waits for the end before
//! forwarding: each `FILE_DATA` chunk is checked, handed to the server's
//! copy in `files/received/` (hashed and written on a thread of its own:
//! [`BackgroundReceiver`]), and queued for every recipient as soon as it
//! arrives. A recipient whose queue is full of file data makes the relay
//! wait (see
//! [`Outbox::push_bulk`](super::outbox::Outbox::push_bulk)), which in turn
//! stops the relay reading from the sender: TCP then slows the sender down.
//! That chain is called *back-pressure*, and it is what keeps memory flat
//! however big the file.
//!
//! Each session owns the uploads of its own client, so no lock is needed
//! here. The ids the sender chose are replaced by server-wide unique ones,
//! because two senders may both call their transfer `"1"`.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Instant;

use super::directory::Member;
use super::{Server, say};
use crate::filetypes::Refused;
use crate::message::server::FileOffer as RelayedOffer;
use crate::message::{
    ErrorCode, ErrorReason, ErrorReport, FileChunk, FileComplete, ServerMessage, client,
};
use crate::names::SERVER_NAME;
use crate::text;
use crate::transfer::{BackgroundReceiver, FileReceiver, FileSender, TransferError};
use crate::transport::Outgoing;

/// Uploads one client may have in progress at once.
pub const MAX_UPLOADS_PER_CLIENT: usize = 8;

/// One upload on its way through the server.
struct Relay {
    /// The id on the way out, unique across the server.
    relay_id: String,
    name: String,
    /// Who still receives it; a recipient that leaves is dropped from here.
    recipients: Vec<Arc<Member>>,
    /// The server's own copy: each chunk is checked and decoded here, then
    /// hashed and written on a thread of its own, so that this session's
    /// thread goes straight back to reading the sender.
    copy: BackgroundReceiver,
}

impl Relay {
    /// Deletes the server's partial copy (dropping it does that) and returns
    /// what is needed to tell everyone. The copy is gone *before* anyone is
    /// told, so whoever hears of the abort finds nothing left on disk.
    fn discard(self) -> (String, String, Vec<Arc<Member>>) {
        drop(self.copy);
        (self.relay_id, self.name, self.recipients)
    }
}

/// The uploads of one client, keyed by the id that client chose.
#[derive(Default)]
pub(super) struct Uploads {
    active: HashMap<String, Relay>,
    /// Ids of offers refused lately. The sender streams chunks before it
    /// hears of the refusal; those are dropped quietly, not answered one
    /// error per chunk.
    refused: VecDeque<String>,
}

/// How many refused ids are remembered.
const REMEMBER_REFUSED: usize = 16;

impl Uploads {
    /// `FILE`: checks the offer, opens the server's copy and tells the
    /// recipients a file is coming.
    pub fn offer(&mut self, server: &Server, sender: &Arc<Member>, offer: client::FileOffer) {
        let client::FileOffer {
            name,
            transfer_id: id,
            size,
            to,
        } = offer;
        let mut refuse_with = |report: ErrorReport| {
            send_report(sender, report, &id);
            if self.refused.len() == REMEMBER_REFUSED {
                self.refused.pop_front();
            }
            self.refused.push_back(id.clone());
        };
        // A muted sender's file goes nowhere, like its texts (contract §11).
        if let Some(report) = server.muted(sender) {
            return refuse_with(report);
        }
        // A file type the server refuses: refused before anything is
        // opened, so nothing of it is relayed or kept (contract §12).
        if let Err(why) = server.config.file_types.check(&name) {
            server.log(&text::t().log_file_type_refused(&sender.name, &name, &why));
            let reason = match why {
                Refused::Denied { .. } => ErrorReason::Denied,
                Refused::NotAllowed { .. } => ErrorReason::NotAllowed,
            };
            let text = text::t().error_file_type_refused(&name, &why);
            return refuse_with(
                ErrorReport::new(ErrorCode::FileTypeRefused, text)
                    .about(&name)
                    .because(reason),
            );
        }
        let max = server.config.max_file;
        if size > max {
            let text = text::t().error_file_too_large(size, max);
            return refuse_with(ErrorReport::new(ErrorCode::FileTooLarge, text).sized(size, max));
        }
        if self.active.contains_key(&id) {
            let text = text::t().error_duplicate_transfer(&id);
            return refuse_with(
                ErrorReport::new(ErrorCode::BadMessage, text)
                    .because(ErrorReason::DuplicateTransfer),
            );
        }
        if self.active.len() >= MAX_UPLOADS_PER_CLIENT {
            let text = text::t().error_too_many_transfers(MAX_UPLOADS_PER_CLIENT);
            return refuse_with(
                ErrorReport::new(ErrorCode::BadMessage, text)
                    .because(ErrorReason::TooManyTransfers)
                    .limited(MAX_UPLOADS_PER_CLIENT as u64),
            );
        }
        // For a private file, `to` becomes the name as its owner spells it;
        // a file to no one in particular goes to the sender's room, and
        // says which.
        let (recipients, to, room): (Vec<Arc<Member>>, _, _) = match &to {
            Some(target) => match server.directory.find(target) {
                Some(member) => {
                    let name = member.name.clone();
                    (vec![member], Some(name), None)
                }
                None => {
                    let text = text::t().error_unknown_user(target);
                    return refuse_with(
                        ErrorReport::new(ErrorCode::UnknownUser, text).about(target),
                    );
                }
            },
            None => {
                let room = sender.room();
                let others = room
                    .members()
                    .into_iter()
                    .filter(|m| !Arc::ptr_eq(m, sender))
                    .collect();
                (others, None, Some(room.name().to_string()))
            }
        };
        let received_dir = server.config.received_dir();
        let copy = match FileReceiver::create(&received_dir, &name, size)
            .and_then(BackgroundReceiver::start)
        {
            Ok(copy) => copy,
            Err(e) => {
                server.log(&text::t().log_file_aborted(&sender.name, &name, &e.to_string()));
                let text = text::t().error_server_storage(&name, &e);
                return refuse_with(
                    ErrorReport::new(ErrorCode::TransferAborted, text)
                        .because(ErrorReason::Storage),
                );
            }
        };
        let audience = audience(to.as_deref(), room.as_deref());
        server.log(&text::t().log_file_offer(&sender.name, &name, size, &audience));
        let relay_id = server.next_transfer_id();
        let offer = Outgoing::new(&ServerMessage::FileOffer(RelayedOffer {
            name: name.clone(),
            transfer_id: relay_id.clone(),
            size,
            to,
            sender: sender.name.clone(),
            room,
        }));
        let recipients = recipients
            .into_iter()
            .filter(|m| m.link.send_bulk(offer.clone()))
            .collect();
        self.active.insert(
            id,
            Relay {
                relay_id,
                name,
                recipients,
                copy,
            },
        );
    }

    /// `FILE_DATA`: checks and stores one chunk, then passes it on.
    pub fn chunk(&mut self, server: &Server, sender: &Arc<Member>, chunk: FileChunk) {
        let FileChunk {
            transfer_id: id,
            index,
            data,
        } = chunk;
        let Some(relay) = self.active.get_mut(&id) else {
            return self.unknown(sender, &id);
        };
        if let Err(e) = relay.copy.write_chunk(index, &data) {
            let why = text::t().error_transfer_failed(&relay.name, &e);
            return self.abort(server, sender, &id, why, ErrorReason::Damaged);
        }
        let body = Outgoing::from_message(ServerMessage::FileChunk(FileChunk {
            transfer_id: relay.relay_id.clone(),
            index,
            data,
        }));
        relay.recipients.retain(|m| m.link.send_bulk(body.clone()));
    }

    /// `FILE_COMPLETE`: verifies the copy; on success keeps it and passes
    /// the completion on, otherwise aborts the transfer everywhere.
    pub fn complete(&mut self, server: &Server, sender: &Arc<Member>, complete: FileComplete) {
        let FileComplete {
            transfer_id: id,
            size,
            sha256,
            ..
        } = complete;
        let Some(relay) = self.active.remove(&id) else {
            return self.unknown(sender, &id);
        };
        let Relay {
            relay_id,
            name,
            recipients,
            copy,
        } = relay;
        // The recipients hear of a good file as soon as it checks out; the
        // server's own copy is written out to disk after that, so they do
        // not wait for the server's disk.
        let checked = match copy.check(size, &sha256) {
            Ok(checked) => checked,
            Err(e) => {
                let reason = match e {
                    TransferError::ChecksumMismatch => ErrorReason::Checksum,
                    _ => ErrorReason::Damaged,
                };
                let why = text::t().error_transfer_failed(&name, &e);
                server.log(&text::t().log_file_aborted(&sender.name, &name, &e.to_string()));
                send_error(
                    sender,
                    aborted(why.clone(), reason.clone()).for_transfer(&id),
                );
                return tell_aborted(&recipients, &relay_id, why, Some(reason));
            }
        };
        let done = Outgoing::new(&ServerMessage::FileComplete(FileComplete {
            name: name.clone(),
            transfer_id: relay_id,
            size,
            sha256,
        }));
        for member in recipients {
            member.link.send_bulk(done.clone());
        }
        match checked.save() {
            Ok(path) => server.log(&text::t().log_file_saved(&sender.name, &path, size)),
            Err(e) => server.log(&text::t().log_file_aborted(&sender.name, &name, &e.to_string())),
        }
    }

    /// Data for a transfer that is not in progress: an error, unless it is
    /// the tail of one we just refused.
    fn unknown(&self, sender: &Member, id: &str) {
        if !self.refused.iter().any(|r| r == id) {
            let text = text::t().error_unknown_transfer(id);
            send_error(
                sender,
                aborted(text, ErrorReason::UnknownTransfer).for_transfer(id),
            );
        }
    }

    /// Ends one transfer that went wrong: the sender and every recipient are
    /// told, and the server's partial copy is deleted.
    fn abort(
        &mut self,
        server: &Server,
        sender: &Arc<Member>,
        id: &str,
        why: String,
        reason: ErrorReason,
    ) {
        if let Some(relay) = self.active.remove(id) {
            let (relay_id, name, recipients) = relay.discard();
            server.log(&text::t().log_file_aborted(&sender.name, &name, &why));
            send_error(
                sender,
                aborted(why.clone(), reason.clone()).for_transfer(id),
            );
            tell_aborted(&recipients, &relay_id, why, Some(reason));
        }
    }

    /// The sender left: every transfer it had in progress ends.
    pub fn sender_left(&mut self, server: &Server, sender: &Member) {
        for (_, relay) in self.active.drain() {
            let (relay_id, name, recipients) = relay.discard();
            let why = text::t().error_sender_left(&name, &sender.name);
            server.log(&text::t().log_file_aborted(&sender.name, &name, &why));
            tell_aborted(&recipients, &relay_id, why, Some(ErrorReason::SenderLeft));
        }
    }
}

/// `ERROR transfer_aborted`, saying why in words and in its `reason`.
fn aborted(why: String, reason: ErrorReason) -> ErrorReport {
    ErrorReport::new(ErrorCode::TransferAborted, why).because(reason)
}

fn tell_aborted(
    recipients: &[Arc<Member>],
    relay_id: &str,
    why: String,
    reason: Option<ErrorReason>,
) {
    let mut report = ErrorReport::new(ErrorCode::TransferAborted, why).for_transfer(relay_id);
    report.details.reason = reason;
    let message = Outgoing::new(&ServerMessage::Error(report));
    for member in recipients {
        member.link.send_body(message.clone());
    }
}

fn send_error(member: &Member, report: ErrorReport) {
    member.link.send(&ServerMessage::Error(report));
}

/// An `ERROR` about the transfer `id` (the sender's own id for it).
fn send_report(member: &Member, report: ErrorReport, id: &str) {
    send_error(member, report.for_transfer(id));
}

/// Who a file sent from the console goes to.
#[derive(Debug, PartialEq, Eq)]
pub enum Target {
    /// Everyone online, in every room (`/send PATH`): no `room` on it.
    Everyone,
    /// One user (`/send @NAME PATH`).
    User(String),
    /// The members of one room (`/send #ROOM PATH`).
    Room(String),
}

/// How the log and the console name where a file goes: a user, `#room`,
/// or everyone.
fn audience(to: Option<&str>, room: Option<&str>) -> text::Audience {
    match (to, room) {
        (Some(name), _) => text::Audience::User(name.to_string()),
        (None, Some(room)) => text::Audience::Room(room.to_string()),
        (None, None) => text::Audience::Everyone,
    }
}

/// `/send` on the console: a file from the server itself, sent on its own
/// thread so that the console (and `/quit`) stays responsive meanwhile.
pub(super) fn send_from_console(server: &Arc<Server>, target: Target, path: String) {
    // `to` and `room` as the recipients' own spelling has them.
    let (recipients, to, room): (Vec<Arc<Member>>, _, _) = match &target {
        Target::User(name) => match server.directory.find(name) {
            Some(member) => {
                let name = member.name.clone();
                (vec![member], Some(name), None)
            }
            None => return say(&text::t().no_such_user(name)),
        },
        Target::Room(name) => match server.rooms.find(name) {
            Some(room) => (room.members(), None, Some(room.name().to_string())),
            None => return say(&text::t().no_such_room(name)),
        },
        Target::Everyone => (server.directory.everyone().to_vec(), None, None),
    };
    if recipients.is_empty() {
        return say(&text::t().list_empty());
    }
    let file = match FileSender::open(&server.config.send_path(&path), server.config.chunk_size) {
        Ok(file) => file,
        Err(e) => return say(&text::t().console_file_failed(&path, &e)),
    };
    let audience = audience(to.as_deref(), room.as_deref());
    say(&text::t().console_file_started(file.name(), file.size(), &audience));
    let server = server.clone();
    let started = super::spawn("console-send", move || {
        relay_file(&server, file, recipients, (to, room), &path);
    });
    if let Err(e) = started {
        say(&text::t().console_file_failed("", &e));
    }
}

fn relay_file(
    server: &Server,
    mut file: FileSender,
    mut recipients: Vec<Arc<Member>>,
    (to, room): (Option<String>, Option<String>),
    path: &str,
) {
    let started = Instant::now();
    let id = server.next_transfer_id();
    let send = |message: ServerMessage, recipients: &mut Vec<Arc<Member>>| {
        let body = Outgoing::from_message(message);
        recipients.retain(|m| m.link.send_bulk(body.clone()));
    };
    let offer = file.offer(&id, to.clone());
    let offer = RelayedOffer {
        name: offer.name,
        transfer_id: offer.transfer_id,
        size: offer.size,
        to: offer.to,
        sender: SERVER_NAME.to_string(),
        room: room.clone(),
    };
    send(ServerMessage::FileOffer(offer), &mut recipients);
    loop {
        match file.next_chunk(&id) {
            Ok(Some(chunk)) => send(ServerMessage::FileChunk(chunk), &mut recipients),
            Ok(None) => break,
            Err(e) => {
                say(&text::t().console_file_failed(path, &e));
                let why = text::t().error_transfer_failed(file.name(), &e);
                tell_aborted(&recipients, &id, why, None);
                return;
            }
        }
        if recipients.is_empty() || server.stopping() {
            return;
        }
    }
    let (name, size) = (file.name().to_string(), file.sent());
    send(
        ServerMessage::FileComplete(file.complete(&id)),
        &mut recipients,
    );
    let seconds = started.elapsed().as_secs_f64();
    let audience = audience(to.as_deref(), room.as_deref());
    say(&text::t().console_file_sent(&name, size, &audience, seconds));
}
