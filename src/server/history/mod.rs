//! History: every room's public messages, numbered, and kept on disk so that
//! a restarted server can replay them (contract §9).
//!
//! ```text
//!  session threads                    the writer thread          files/history/
//!  ───────────────                    ─────────────────          ──────────────
//!  append("lobby", Alice, t, "hi")    wakes, takes the batch,    room-lobby.jsonl
//!    ├─ seq = last + 1   ─┐           one write per room   ───▶  room-python.jsonl
//!    ├─ kept in memory    │ Queue     fsync in groups            b32-4s4ly5ub….jsonl
//!    └─ queued, returns  ─┘──────▶    compacts past 2 × keep
//!  last("lobby", 20)  ◀── memory only, never the disk
//! ```
//!
//! - [`History`]: the API the server calls. [`History::append`] numbers a
//!   message and returns at once, [`History::last`] and
//!   [`History::before`] read what a replay needs, [`History::shutdown`]
//!   flushes and syncs everything.
//! - `file_name.rs`: which file holds which room, so that no room name can
//!   leave the folder or share another room's file.
//! - `log.rs`: the file format (one JSON object per line) and reading a file
//!   back after a crash: a torn or corrupt line costs that line only.
//! - `writer.rs`: the queue, and the thread that writes and syncs in groups.
//! - `compact.rs`: bounding a file by writing its tail to a new file and
//!   renaming it over the old one.
//!
//! # Numbering
//!
//! Each room counts on its own: `seq` 1 is the room's first message ever,
//! and each message gets one more. The number is decided in memory, under
//! one lock, at the moment of [`History::append`], and written with the
//! message; on start it continues from the highest number in the file. So
//! a number is never reused, with one exception a process crash makes
//! possible (below).
//!
//! If the order in which clients *see* a room's messages must follow
//! `seq`, the caller must number and deliver each message under one lock of
//! its own (the room's): two threads that append at the same time get 5
//! and 6 in one order but could broadcast in the other. That is safe: the
//! history's lock is a *leaf* in any lock order. It is held for a few
//! instructions, and inside it only the queue's lock is taken, which is a
//! leaf too; nothing here calls out to other code while holding either.
//!
//! # What a crash can lose
//!
//! A message passes three places on its way to the disk: our queue (memory
//! of this process), the kernel's page cache (memory of the machine), and
//! the disk. Which of them a crash empties decides what is lost:
//!
//! - **The process is killed** (`kill -9`, a panic that aborts, the
//!   out-of-memory killer): the kernel outlives the process, and it writes
//!   the page cache to disk in its own time. What the writer had handed to
//!   `write` is kept; only what was still queued is lost. The writer wakes
//!   the moment a message is queued after a quiet spell, and in a busy room
//!   it lets messages gather for at most `writer::LINGER` (2 ms) between
//!   writes, so that is what was appended in the last few milliseconds, a
//!   little more on a loaded machine: a message delivered a second before
//!   the kill is safe. (The lost ones
//!   may already have reached clients; after the restart their `seq` is
//!   given to the next messages. That is the one way a number can name two
//!   messages, and only a synchronous write before every delivery, which
//!   would make senders wait on the disk, could prevent it.)
//! - **The machine loses power** (or its kernel crashes): the page cache is
//!   gone too. What was `fsync`ed is kept; what was written but not yet
//!   synced may be lost, which is at most the last `sync_interval` (one
//!   second by default) plus the time one fsync takes. The file may end in
//!   a torn line, which the next start cuts off. A disk whose own cache
//!   ignores flush requests can lose more, and nothing a program does can
//!   prevent that.
//! - **What no crash loses**: any synced message; a file being compacted
//!   (the old file or the new one is whole on disk, never neither); the
//!   lines around a damaged line.
//!
//! `docs/08-rooms-and-history.md` tells the longer story.

mod compact;
mod file_name;
mod log;
mod writer;

#[cfg(test)]
mod tests;

use std::collections::{HashMap, VecDeque};
use std::fs::{self, File, OpenOptions, TryLockError};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

pub use log::{LISTED_LINES, Torn};
pub use writer::MAX_QUEUED;
use writer::{Counters, Job, Queue, RoomFile, Writer};

use crate::sync::lock;

/// Messages kept per room (`--history-keep`).
pub const DEFAULT_KEEP: usize = 1000;

/// Messages replayed on entering a room (`--history-on-join`).
pub const DEFAULT_ON_JOIN: usize = 20;

/// The largest `limit` a `HISTORY` request may ask for (contract §9).
pub const MAX_REQUEST: usize = 1000;

/// The longest time a written message waits for `fsync`.
pub const SYNC_INTERVAL: Duration = Duration::from_secs(1);

/// The folder's lock file: while a server runs, it holds a lock on it, so
/// that a second server on the same folder is refused instead of
/// interleaving its numbers with ours. The operating system releases the
/// lock when the process ends, however it ends, so a crash leaves no stale
/// lock behind.
const LOCK_FILE: &str = "lock";

/// One message of a room's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Its number in the room: 1, 2, 3, ...
    pub seq: u64,
    pub sender: String,
    /// Unix time in whole seconds, as the server stamped it.
    pub timestamp: i64,
    pub text: String,
}

/// Why the history could not do what was asked. The wording is in
/// [`crate::text`].
#[derive(Debug)]
pub enum HistoryError {
    /// A room name that is empty or longer than any valid room name.
    BadRoomName,
    /// [`History::shutdown`] has run; nothing more is numbered.
    Closed,
    /// The folder could not be created or read.
    Folder { dir: PathBuf, error: io::Error },
    /// Another running server keeps its history in this folder.
    InUse { dir: PathBuf },
    /// A room's file exists but cannot be read: starting without it would
    /// number the room from 1 again, so this stops the start instead.
    Read { path: PathBuf, error: io::Error },
}

impl std::error::Error for HistoryError {}

/// Something that went wrong on the writer thread while the server runs.
/// Each is reported once when it starts (and [`Problem::WriteResumed`] when
/// it ends), never once per message.
#[derive(Debug)]
pub enum Problem {
    /// Writing a room's file failed; its messages stay in memory only.
    WriteFailed { room: String, error: io::Error },
    /// Writing works again; `lost` messages were not written meanwhile.
    WriteResumed { room: String, lost: u64 },
    /// `fsync` failed for a room's file (or, for `None`, the folder).
    SyncFailed {
        room: Option<String>,
        error: io::Error,
    },
    /// Compacting a room's file failed; the old file is untouched.
    CompactFailed { room: String, error: io::Error },
    /// The writer fell so far behind that messages were not queued.
    QueueFull { dropped: u64 },
}

/// Where [`Problem`]s go: called on the writer thread.
pub type Reporter = Box<dyn FnMut(Problem) + Send>;

/// How a history on disk behaves.
pub struct Options {
    /// Messages kept per room, in memory and (about twice that, at most)
    /// on disk. At least 1.
    pub keep: usize,
    /// How long a written message may wait for `fsync`. Zero syncs after
    /// every batch.
    pub sync_interval: Duration,
    /// Where problems are reported; by default, the server's console.
    pub reporter: Reporter,
}

impl Options {
    pub fn new(keep: usize) -> Self {
        Options {
            keep,
            sync_interval: SYNC_INTERVAL,
            reporter: Box::new(|problem| super::say(&problem.to_string())),
        }
    }
}

impl Default for Options {
    fn default() -> Self {
        Options::new(DEFAULT_KEEP)
    }
}

/// How far the writer has got, in messages since the folder was opened.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Handed to the kernel: safe from a process crash.
    pub written: u64,
    /// Of those, covered by a completed `fsync`: safe from a power cut.
    pub synced: u64,
    /// Never written (the writer fell behind, or a write failed).
    pub lost: u64,
    /// Group syncs done: each is one `fsync` per file that had new lines.
    pub syncs: u64,
}

/// What opening the folder found: the server logs it
/// ([`OpenReport::log_lines`]).
#[derive(Debug, Default)]
pub struct OpenReport {
    pub dir: PathBuf,
    /// Every room's file, by room key.
    pub rooms: Vec<RoomRecovery>,
    /// Temp files of a compaction a crash interrupted, now deleted.
    pub removed_temp: Vec<String>,
    /// Files in the folder that are no room's history, left alone.
    pub ignored: Vec<String>,
}

/// What reading one room's file found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomRecovery {
    /// The room's key (its name in lower case).
    pub room: String,
    pub messages: usize,
    pub last_seq: u64,
    /// Corrupt lines skipped: how many, and the first [`LISTED_LINES`]
    /// line numbers.
    pub corrupt: usize,
    pub corrupt_lines: Vec<u64>,
    /// A torn last line, cut off.
    pub torn: Option<Torn>,
}

impl RoomRecovery {
    /// Whether anything was lost.
    pub fn is_damaged(&self) -> bool {
        self.corrupt > 0 || self.torn.is_some()
    }
}

impl OpenReport {
    /// Messages read back, in every room.
    pub fn messages(&self) -> usize {
        self.rooms.iter().map(|r| r.messages).sum()
    }

    /// Lines lost to damage, in every room.
    pub fn lines_lost(&self) -> usize {
        self.rooms
            .iter()
            .map(|r| r.corrupt + usize::from(r.torn.is_some()))
            .sum()
    }

    /// The lines the server prints: a summary, then one line per damaged
    /// file and one for each kind of file it removed or ignored.
    pub fn log_lines(&self) -> Vec<String> {
        use crate::text;
        let mut lines = vec![text::t().history_opened(self)];
        for room in self.rooms.iter().filter(|r| r.is_damaged()) {
            lines.push(room.to_string());
        }
        if !self.removed_temp.is_empty() {
            lines.push(text::t().history_removed_temp(&self.removed_temp));
        }
        if !self.ignored.is_empty() {
            lines.push(text::t().history_ignored(&self.ignored));
        }
        lines
    }
}

/// The history of every room. Shared by all session threads (it is `Sync`);
/// every method takes `&self`.
pub struct History {
    keep: usize,
    state: Mutex<State>,
    /// The writer's side: `None` in memory mode (`--no-history`).
    disk: Option<Disk>,
}

struct Disk {
    dir: PathBuf,
    queue: Arc<Queue>,
    counters: Arc<Counters>,
    writer: Mutex<Option<JoinHandle<()>>>,
    /// Holds the folder's lock until shutdown.
    lock: Mutex<Option<File>>,
}

struct State {
    rooms: HashMap<Arc<str>, Tail>,
    closed: bool,
}

/// One room in memory: its last number and the messages a replay needs.
struct Tail {
    key: Arc<str>,
    last_seq: u64,
    /// The newest `keep` messages, oldest first.
    entries: VecDeque<Arc<Entry>>,
}

impl Tail {
    fn push(&mut self, entry: Arc<Entry>, keep: usize) {
        self.last_seq = entry.seq;
        if self.entries.len() >= keep {
            self.entries.pop_front();
        }
        self.entries.push_back(entry);
    }
}

impl History {
    /// A history that lives in memory only (`--no-history`): numbered and
    /// replayed like the other, and gone when the server stops.
    pub fn in_memory(keep: usize) -> Self {
        History {
            keep: keep.max(1),
            state: Mutex::new(State {
                rooms: HashMap::new(),
                closed: false,
            }),
            disk: None,
        }
    }

    /// Opens (or creates) the history folder `dir`: reads every room's file
    /// back, deletes what an interrupted compaction left, and starts the
    /// writer thread. Damaged lines never stop it; they are counted in the
    /// report. What does stop it is a folder it cannot use, one that
    /// another server is using, or a room file it cannot read.
    pub fn open(dir: &Path, options: Options) -> Result<(History, OpenReport), HistoryError> {
        let keep = options.keep.max(1);
        fs::create_dir_all(dir).map_err(|error| folder_error(dir, error))?;
        let lock_file = lock_folder(dir)?;
        let Recovered {
            report,
            rooms,
            files,
        } = recover_folder(dir, keep)?;

        let queue = Arc::new(Queue::new());
        let counters = Arc::new(Counters::new());
        let writer = Writer {
            dir: dir.to_path_buf(),
            keep,
            sync_interval: options.sync_interval,
            files,
            queue: queue.clone(),
            counters: counters.clone(),
            report: options.reporter,
        };
        let handle = std::thread::Builder::new()
            .name("history-writer".to_string())
            .spawn(move || writer.run())
            .map_err(|error| folder_error(dir, error))?;
        let history = History {
            keep,
            state: Mutex::new(State {
                rooms,
                closed: false,
            }),
            disk: Some(Disk {
                dir: dir.to_path_buf(),
                queue,
                counters,
                writer: Mutex::new(Some(handle)),
                lock: Mutex::new(Some(lock_file)),
            }),
        };
        Ok((history, report))
    }

    /// Numbers a room's public message, keeps it for replay and queues it
    /// for the disk; returns it with its `seq` at once, without waiting for
    /// any disk. `room` is the name as the user typed it: names that differ
    /// only in ASCII case are the same room.
    pub fn append(
        &self,
        room: &str,
        sender: &str,
        timestamp: i64,
        text: &str,
    ) -> Result<Arc<Entry>, HistoryError> {
        let key = file_name::room_key(room).ok_or(HistoryError::BadRoomName)?;
        let (sender, text) = (sender.to_string(), text.to_string());
        let mut state = lock(&self.state);
        if state.closed {
            return Err(HistoryError::Closed);
        }
        let tail = match state.rooms.get_mut(key.as_str()) {
            Some(tail) => tail,
            None => {
                let key: Arc<str> = key.into();
                state.rooms.entry(key.clone()).or_insert(Tail {
                    key,
                    last_seq: 0,
                    entries: VecDeque::new(),
                })
            }
        };
        let entry = Arc::new(Entry {
            seq: tail.last_seq + 1,
            sender,
            timestamp,
            text,
        });
        // Queued under the state lock, so each room's jobs are queued in
        // `seq` order and its file gets its lines in order.
        if let Some(disk) = &self.disk {
            disk.queue.push(Job {
                key: tail.key.clone(),
                entry: entry.clone(),
            });
        }
        tail.push(entry.clone(), self.keep);
        Ok(entry)
    }

    /// The last `limit` messages of a room, oldest first (a replay on
    /// entering the room, or a `HISTORY` request without `before`).
    pub fn last(&self, room: &str, limit: usize) -> Vec<Arc<Entry>> {
        self.before(room, u64::MAX, limit)
    }

    /// The last `limit` messages of a room whose `seq` is below `seq`,
    /// oldest first (a `HISTORY` request with `before`). Only the newest
    /// `keep` messages are kept, so a request reaching further back gets
    /// fewer.
    pub fn before(&self, room: &str, seq: u64, limit: usize) -> Vec<Arc<Entry>> {
        let Some(key) = file_name::room_key(room) else {
            return Vec::new();
        };
        let state = lock(&self.state);
        let Some(tail) = state.rooms.get(key.as_str()) else {
            return Vec::new();
        };
        let end = tail.entries.partition_point(|e| e.seq < seq);
        let start = end.saturating_sub(limit);
        tail.entries.range(start..end).cloned().collect()
    }

    /// The highest `seq` a room has given out, 0 for a room without
    /// history.
    pub fn last_seq(&self, room: &str) -> u64 {
        let Some(key) = file_name::room_key(room) else {
            return 0;
        };
        lock(&self.state)
            .rooms
            .get(key.as_str())
            .map_or(0, |tail| tail.last_seq)
    }

    /// The folder, or `None` in memory mode.
    pub fn dir(&self) -> Option<&Path> {
        self.disk.as_ref().map(|d| d.dir.as_path())
    }

    /// How far the writer has got (all zeros in memory mode).
    pub fn progress(&self) -> Progress {
        self.disk
            .as_ref()
            .map_or_else(Progress::default, |d| d.counters.get())
    }

    /// Waits at most `timeout` for the writer's progress to satisfy `done`;
    /// whether it did. For tests and benchmarks, which must wait for an
    /// event rather than for a guessed time.
    pub fn wait_for(&self, timeout: Duration, done: impl Fn(&Progress) -> bool) -> bool {
        match &self.disk {
            Some(disk) => disk.counters.wait_until(timeout, done),
            None => done(&Progress::default()),
        }
    }

    /// Stops numbering, lets the writer write and sync everything queued,
    /// waits for it, and gives the folder's lock back. Later calls do
    /// nothing; reading (from memory) stays possible.
    /// Returns the final progress: `written` equals every message appended
    /// unless some were `lost` (each loss was reported when it happened).
    pub fn shutdown(&self) -> Progress {
        lock(&self.state).closed = true;
        let Some(disk) = &self.disk else {
            return Progress::default();
        };
        disk.queue.close();
        if let Some(handle) = lock(&disk.writer).take() {
            // A writer that panicked has written what it wrote; there is
            // nothing better to do with the panic at shutdown.
            let _ = handle.join();
        }
        // Everything is on disk: another server may have the folder now.
        lock(&disk.lock).take();
        disk.counters.get()
    }
}

fn folder_error(dir: &Path, error: io::Error) -> HistoryError {
    HistoryError::Folder {
        dir: dir.to_path_buf(),
        error,
    }
}

/// Takes the folder's lock ([`LOCK_FILE`]), or says who holds it.
fn lock_folder(dir: &Path) -> Result<File, HistoryError> {
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(dir.join(LOCK_FILE))
        .map_err(|error| folder_error(dir, error))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(TryLockError::WouldBlock) => Err(HistoryError::InUse {
            dir: dir.to_path_buf(),
        }),
        Err(TryLockError::Error(error)) => Err(folder_error(dir, error)),
    }
}

/// What reading the folder back gives the two sides of the history.
struct Recovered {
    report: OpenReport,
    /// For memory: each room's last number and newest messages.
    rooms: HashMap<Arc<str>, Tail>,
    /// For the writer: each room's file.
    files: HashMap<Arc<str>, RoomFile>,
}

/// Reads every room's file in the folder back (cutting torn tails), and
/// deletes the temp files of an interrupted compaction.
fn recover_folder(dir: &Path, keep: usize) -> Result<Recovered, HistoryError> {
    let mut names = Vec::new();
    for entry in fs::read_dir(dir).map_err(|error| folder_error(dir, error))? {
        let entry = entry.map_err(|error| folder_error(dir, error))?;
        // `fs::metadata` follows a symbolic link, as opening it would.
        let is_file = fs::metadata(entry.path()).is_ok_and(|m| m.is_file());
        let name = entry.file_name().to_string_lossy().into_owned();
        // Hidden files are not ours (no room's file name starts with a
        // dot) and not worth a line at every start: the `.gitkeep` that
        // keeps `files/history/` in the repository is one.
        if name != LOCK_FILE && !name.starts_with('.') {
            names.push((name, is_file));
        }
    }
    names.sort();

    let mut found = Recovered {
        report: OpenReport {
            dir: dir.to_path_buf(),
            ..OpenReport::default()
        },
        rooms: HashMap::new(),
        files: HashMap::new(),
    };
    for (name, is_file) in names {
        let path = dir.join(&name);
        let temp_of = name
            .strip_suffix(crate::server::durable::TEMP_SUFFIX)
            .and_then(file_name::key_from_file_name);
        if is_file && temp_of.is_some() {
            // The room's file beside it is whole: see compact.rs.
            if fs::remove_file(&path).is_ok() {
                found.report.removed_temp.push(name);
            }
            continue;
        }
        let Some(key) = file_name::key_from_file_name(&name) else {
            found.report.ignored.push(name);
            continue;
        };
        if !is_file {
            // A room's name, but a folder (or a broken link): the writer
            // could not append to it, and ignoring it would number the
            // room from 1 again.
            let error = io::Error::other("not a regular file");
            return Err(HistoryError::Read { path, error });
        }
        let scan = log::recover(&path, keep).map_err(|error| HistoryError::Read {
            path: path.clone(),
            error,
        })?;
        found.report.rooms.push(RoomRecovery {
            room: key.clone(),
            messages: scan.messages,
            last_seq: scan.last_seq,
            corrupt: scan.corrupt,
            corrupt_lines: scan.corrupt_lines,
            torn: scan.torn,
        });
        let key: Arc<str> = key.into();
        found.files.insert(
            key.clone(),
            RoomFile::existing(path, scan.lines, scan.ends_with_newline),
        );
        let tail = Tail {
            key: key.clone(),
            last_seq: scan.last_seq,
            entries: scan.tail,
        };
        found.rooms.insert(key, tail);
    }
    Ok(found)
}

impl Drop for History {
    fn drop(&mut self) {
        self.shutdown();
    }
}
