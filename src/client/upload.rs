//! Sending a file: `/send PATH` or `/send @NAME PATH`.
//!
//! Each file goes out on its own thread, so the user can keep chatting (and
//! receive files) while it is sent. Its chunks and the user's chat lines
//! share the one connection's queue ([`Outbound`](super::Outbound)); chunks
//! wait for room in its file half, chat lines never wait, and the writer
//! writes each message whole. The event loop joins the thread.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Instant;

use super::Shared;
use super::screen::Progress;
use crate::message::ClientMessage;
use crate::sync::lock;
use crate::text;
use crate::transfer::FileSender;

/// The files this client is sending, so that the event loop can stop
/// one when the server refuses or aborts it.
#[derive(Default)]
pub struct Uploads {
    next_id: AtomicU64,
    /// Transfer id → the reason to stop, once there is one.
    active: Mutex<HashMap<String, Option<String>>>,
}

impl Uploads {
    /// Asks the upload `id` to stop, with `reason`. Returns false if no
    /// such upload is running (it finished, or never existed).
    pub fn stop(&self, id: &str, reason: &str) -> bool {
        match lock(&self.active).get_mut(id) {
            Some(slot) => {
                slot.get_or_insert_with(|| reason.to_string());
                true
            }
            None => false,
        }
    }

    fn stop_reason(&self, id: &str) -> Option<String> {
        lock(&self.active).get(id).cloned().flatten()
    }

    /// Forgets the upload `id`, returning a reason to stop that came in
    /// after the sending thread last looked. From here on [`Uploads::stop`]
    /// returns false, and the event loop shows such an error itself.
    fn finish(&self, id: &str) -> Option<String> {
        lock(&self.active).remove(id).flatten()
    }
}

/// Checks the file and starts sending it, returning the sending thread.
/// Problems found before anything is sent (no such file, a folder, a pipe,
/// a type the server refuses, too big) are reported right here, and no
/// thread starts.
pub fn start(shared: &Arc<Shared>, to: Option<String>, path: String) -> Option<JoinHandle<()>> {
    let file = match FileSender::open(Path::new(&path), shared.config.chunk_size) {
        Ok(file) => file,
        Err(e) => {
            shared.screen.line(&text::t().cannot_send_file(&path, &e));
            return None;
        }
    };
    // The server's file-type rules, from its welcome: a file they refuse
    // is not offered at all, so nothing of it crosses the network.
    if let Err(why) = shared.file_types.check(file.name()) {
        shared
            .screen
            .line(&text::t().file_type_refused_locally(&path, &why));
        return None;
    }
    if let Some(max) = shared.max_file_size.filter(|max| file.size() > *max) {
        let line = text::t().file_too_large_locally(&path, file.size(), max);
        shared.screen.line(&line);
        return None;
    }
    let id = (shared.uploads.next_id.fetch_add(1, Ordering::Relaxed) + 1).to_string();
    lock(&shared.uploads.active).insert(id.clone(), None);
    let (thread_shared, thread_id) = (shared.clone(), id.clone());
    let started = thread::Builder::new()
        .name("upload".to_string())
        .spawn(move || {
            let (shared, id) = (thread_shared, thread_id);
            let name = file.name().to_string();
            let sent_all = send(&shared, file, &id, to);
            // The server may refuse the offer (say, an unknown user) after the
            // last check for a reason to stop: the refusal is then waiting
            // here, and must not be lost.
            let late_reason = shared.uploads.finish(&id);
            if let (true, Some(reason)) = (sent_all, late_reason) {
                shared
                    .screen
                    .line(&text::t().file_send_stopped(&name, &reason));
            }
        });
    match started {
        Ok(thread) => Some(thread),
        Err(e) => {
            shared.uploads.finish(&id);
            shared.screen.line(&text::t().cannot_send_file(&path, &e));
            None
        }
    }
}

/// Sends the whole file; returns true if every message of it went out.
fn send(shared: &Shared, mut file: FileSender, id: &str, to: Option<String>) -> bool {
    let screen = &shared.screen;
    let name = file.name().to_string();
    screen.line(&text::t().sending_file(&name, file.size(), to.as_deref()));
    let started = Instant::now();
    let mut progress = Progress::new();
    // A message that cannot be queued means the connection is closing or
    // gone: the event loop reports that, so the upload just stops.
    if !shared.send_bulk(ClientMessage::FileOffer(file.offer(id, to))) {
        return false;
    }
    loop {
        if shared.is_ending() {
            return false;
        }
        if let Some(reason) = shared.uploads.stop_reason(id) {
            screen.line(&text::t().file_send_stopped(&name, &reason));
            return false;
        }
        let chunk = match file.next_chunk(id) {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break,
            Err(e) => {
                screen.line(&text::t().file_send_stopped(&name, &e.to_string()));
                return false;
            }
        };
        if !shared.send_bulk(ClientMessage::FileChunk(chunk)) {
            return false;
        }
        if screen.shows_progress()
            && let Some(percent) = progress.due(file.sent(), file.size())
        {
            screen.progress(&text::t().sending_progress(&name, percent));
        }
    }
    let size = file.sent();
    let complete = file.complete(id);
    let sha256 = complete.sha256.clone();
    if !shared.send_bulk(ClientMessage::FileComplete(complete)) {
        return false;
    }
    let seconds = started.elapsed().as_secs_f64();
    screen.line(&text::t().file_sent(&name, size, seconds, &sha256));
    true
}
