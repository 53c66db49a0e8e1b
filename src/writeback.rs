//! Sending a received file's bytes to the disk while the rest of it is
//! still arriving.
//!
//! A received file is kept only once it is on the disk: `fsync` (std's
//! `sync_all`), then the rename (see `docs/05-files.md`). But `write` only
//! copies bytes into the kernel's page cache; the kernel writes them to the
//! disk when it sees fit, on Linux after about 30 seconds or once dirty
//! memory passes a tenth of the machine's. A file of a few hundred MiB is
//! therefore *all* still in memory when its last chunk arrives, and the
//! final `fsync` waits while the disk takes every byte of it: a fifth of a
//! second for 256 MiB here, at the very end, with everyone waiting. During
//! the transfer, meanwhile, the disk had nothing to do.
//!
//! So every [`WRITEBACK_EVERY`] bytes the writer asks for what it has
//! written so far to go to the disk now (`sync_data`, which is
//! `fdatasync` on Linux and `FlushFileBuffers` on Windows). The call waits
//! for the disk, and the writer must not, or its queue fills and the whole
//! chain back to the sender stalls; so a thread of its own makes it, on a
//! second handle to the same open file. The final `fsync` then finds
//! little left to do. Nothing about *when a file counts as kept* changes:
//! that is still the final `fsync` and the rename after it.
//!
//! One catch: a failed write-back is reported once per open file, to
//! whichever handle asks first, and ours share one open file. An error the
//! flushing thread sees is therefore kept and reported by
//! [`Writeback::finish`]; were it dropped, the final `fsync` could succeed
//! over bytes that never reached the disk.

use std::fs::File;
use std::io;
use std::sync::mpsc::{SyncSender, TrySendError, sync_channel};
use std::thread::{self, JoinHandle};

/// Bytes written between two requests to start the disk on them. Large
/// enough that the requests cost nothing next to the writes (one per 2,048
/// chunks of 4 KiB), small enough that the final `fsync` has at most this
/// much, and what a request still in progress covers, left to write.
pub const WRITEBACK_EVERY: u64 = 8 * 1024 * 1024;

/// Counts what a writer has written and, every so many bytes, has a
/// thread of its own push it to the disk.
pub struct Writeback {
    every: u64,
    /// Bytes written since the last request.
    since: u64,
    /// The flushing thread, started at the first request: a small file
    /// never needs one.
    flusher: Option<Flusher>,
}

struct Flusher {
    /// One request can wait while another is carried out; a request made
    /// while one waits adds nothing, since the waiting one will cover the
    /// new bytes too.
    requests: SyncSender<()>,
    /// Returns how many flushes it made, or the first error.
    thread: JoinHandle<io::Result<u64>>,
}

impl Writeback {
    /// A writeback asking for the disk every `every` bytes.
    pub fn new(every: u64) -> Writeback {
        Writeback {
            every: every.max(1),
            since: 0,
            flusher: None,
        }
    }

    /// Counts `n` more bytes written. True when it is time to call
    /// [`Writeback::flush`] (after the writer has handed its own buffer
    /// to the kernel, so that the bytes are there to be flushed).
    pub fn wrote(&mut self, n: usize) -> bool {
        self.since = self.since.saturating_add(n as u64);
        self.since >= self.every
    }

    /// Asks for everything written to `file` so far to go to the disk,
    /// without waiting for it. The first call starts the flushing thread.
    /// An error is about starting it (the second handle, the thread); a
    /// failed flush is reported by [`Writeback::finish`].
    pub fn flush(&mut self, file: &File) -> io::Result<()> {
        self.since = 0;
        let flusher = match &mut self.flusher {
            Some(flusher) => flusher,
            None => self.flusher.insert(Flusher::start(file.try_clone()?)?),
        };
        match flusher.requests.try_send(()) {
            // Full: a request is waiting already, and will cover these
            // bytes too. Disconnected: the thread stopped at an error,
            // which `finish` reports.
            Ok(()) | Err(TrySendError::Full(())) | Err(TrySendError::Disconnected(())) => {}
        }
        Ok(())
    }

    /// Waits for the flush in progress, if any. Returns how many flushes
    /// were made, or the first one's error.
    pub fn finish(mut self) -> io::Result<u64> {
        match self.flusher.take() {
            Some(flusher) => flusher.join(),
            None => Ok(0),
        }
    }
}

impl Flusher {
    fn start(file: File) -> io::Result<Flusher> {
        let (requests, asked) = sync_channel::<()>(1);
        let thread = thread::Builder::new()
            .name("file-flusher".to_string())
            .spawn(move || {
                let mut flushes = 0;
                // Ends when the writer is done and drops its end.
                for () in asked {
                    file.sync_data()?;
                    flushes += 1;
                }
                Ok(flushes)
            })?;
        Ok(Flusher { requests, thread })
    }

    fn join(self) -> io::Result<u64> {
        let Flusher { requests, thread } = self;
        drop(requests);
        thread
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the file flusher stopped")))
    }
}

impl Drop for Writeback {
    /// A writer that stops early (an error, a transfer thrown away) does
    /// not leave the thread behind: the second handle is closed before the
    /// file is deleted (Windows will not delete an open file).
    fn drop(&mut self) {
        if let Some(flusher) = self.flusher.take() {
            let _ = flusher.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn small_writes_never_start_a_flush() {
        let mut writeback = Writeback::new(1000);
        assert!(!writeback.wrote(400));
        assert!(!writeback.wrote(599));
        assert!(writeback.wrote(1));
        assert_eq!(writeback.finish().unwrap(), 0);
    }

    #[test]
    fn a_flush_is_due_every_so_many_bytes_and_is_made() {
        let dir = tempfile::tempdir().unwrap();
        let mut file = File::create(dir.path().join("f")).unwrap();
        let mut writeback = Writeback::new(4096);
        let mut due = 0;
        for _ in 0..10 {
            file.write_all(&[7; 2048]).unwrap();
            if writeback.wrote(2048) {
                due += 1;
                writeback.flush(&file).unwrap();
            }
        }
        assert_eq!(due, 5);
        // Requests made while one waits are folded into it, so at least
        // one flush and at most one per request.
        let made = writeback.finish().unwrap();
        assert!((1..=5).contains(&made), "{made} flushes");
        assert_eq!(
            std::fs::metadata(dir.path().join("f")).unwrap().len(),
            20480
        );
    }

    /// Linux refuses to `fdatasync` a character device such as /dev/null:
    /// the flush fails, and `finish` must say so rather than lose it.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_failed_flush_is_reported_by_finish() {
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/null")
            .unwrap();
        let mut writeback = Writeback::new(1);
        assert!(writeback.wrote(1));
        writeback.flush(&file).unwrap();
        assert!(writeback.finish().is_err());
    }
}
