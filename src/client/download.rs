//! Receiving files: `FILE`, `FILE_DATA`…, `FILE_COMPLETE`, or an `ERROR`
//! that aborts the transfer.
//!
//! All of it happens on the event loop, in the order messages arrive.
//! Several transfers may be under way at once (two people sending to us);
//! the server gives each a unique id, so their chunks never mix.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Instant;

use super::display::transfer_error_text;
use super::screen::{Progress, Screen};
use crate::message::server::FileOffer;
use crate::message::{ErrorReport, FileChunk, FileComplete};
use crate::text;
use crate::transfer::{BackgroundReceiver, FileReceiver};

/// One file on its way in. The event loop checks and decodes each chunk;
/// hashing and writing happen on a thread of its own
/// ([`BackgroundReceiver`]), at the same time.
struct Download {
    file: BackgroundReceiver,
    sender: String,
    started: Instant,
    progress: Progress,
}

impl Download {
    /// Deletes the `.part` file (dropping the receiver does that) and
    /// returns the file's name and sender, to tell the user. The file is
    /// gone *before* the line saying so is printed, so whoever reads that
    /// line and looks in the folder finds nothing left.
    fn discard(self) -> (String, String) {
        let name = self.file.name().to_string();
        drop(self.file);
        (name, self.sender)
    }
}

/// Every file being received, by transfer id.
pub struct Downloads {
    dir: PathBuf,
    active: HashMap<String, Download>,
}

impl Downloads {
    /// Files will be saved in `dir` (created when the first one arrives).
    pub fn new(dir: PathBuf) -> Self {
        Downloads {
            dir,
            active: HashMap::new(),
        }
    }

    /// `FILE`: someone is sending us a file.
    pub fn offer(&mut self, screen: &Screen, offer: FileOffer) {
        let FileOffer {
            name,
            transfer_id: id,
            size,
            sender,
            ..
        } = offer;
        screen.line(&text::t().incoming_file(&sender, &name, size));
        match FileReceiver::create(&self.dir, &name, size).and_then(BackgroundReceiver::start) {
            Ok(file) => {
                self.active.insert(
                    id,
                    Download {
                        file,
                        sender,
                        started: Instant::now(),
                        progress: Progress::new(),
                    },
                );
            }
            Err(e) => screen.line(&text::t().cannot_save_file(&name, &e)),
        }
    }

    /// `FILE_DATA`: one more chunk.
    pub fn chunk(&mut self, screen: &Screen, chunk: FileChunk) {
        let id = chunk.transfer_id.as_str();
        let Some(download) = self.active.get_mut(id) else {
            return; // a transfer we could not open, or one already ended
        };
        match download.file.write_chunk(chunk.index, &chunk.data) {
            Ok(()) if !screen.shows_progress() => {}
            Ok(()) => {
                let (done, total) = (download.file.received(), download.file.size());
                if let Some(percent) = download.progress.due(done, total) {
                    let line = text::t().receiving_progress(
                        download.file.name(),
                        &download.sender,
                        percent,
                    );
                    screen.progress(&line);
                }
            }
            Err(e) => {
                if let Some(download) = self.active.remove(id) {
                    let (name, sender) = download.discard();
                    screen.line(&text::t().file_not_received(&name, &sender, &e));
                }
            }
        }
    }

    /// `FILE_COMPLETE`: check the file and keep it, or throw it away.
    pub fn complete(&mut self, screen: &Screen, complete: FileComplete) {
        let FileComplete {
            transfer_id: id,
            size,
            sha256,
            ..
        } = complete;
        let sha256 = sha256.as_str();
        let Some(download) = self.active.remove(&id) else {
            return;
        };
        let name = download.file.name().to_string();
        let line = match download.file.finish(size, sha256) {
            Ok(path) => {
                let seconds = download.started.elapsed().as_secs_f64();
                text::t().file_received(&name, &download.sender, size, seconds, &path, sha256)
            }
            Err(e) => text::t().file_not_received(&name, &download.sender, &e),
        };
        screen.line(&line);
    }

    /// An `ERROR` about the transfer `id` (`transfer_aborted`): it ended
    /// early. Returns false if the id is not one of ours.
    pub fn abort(&mut self, screen: &Screen, id: &str, error: &ErrorReport) -> bool {
        match self.active.remove(id) {
            Some(download) => {
                let (name, sender) = download.discard();
                let why = transfer_error_text(error, &name, &sender);
                screen.line(&text::t().file_not_received(&name, &sender, &why));
                true
            }
            None => false,
        }
    }

    /// The connection is gone: delete every partial file.
    pub fn abandon(&mut self) {
        self.active.clear();
    }
}
