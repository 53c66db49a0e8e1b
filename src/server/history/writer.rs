//! The one thread that writes history files, and the queue that feeds it.
//!
//! A session thread that wants a message kept puts it on a [`Queue`] and
//! carries on: putting it there takes a lock for a moment and never touches
//! the disk. The writer thread sleeps until something is queued, wakes at
//! once, takes *everything* queued in one go, and hands each room's new
//! lines to the kernel in one `write`. Then it *lingers* for
//! [`LINGER`] before it looks at the queue again. So:
//!
//! - no session waits for a disk, however slow the disk is;
//! - a message after a quiet spell reaches the kernel a few microseconds
//!   after it was queued, one in a busy room at most [`LINGER`] later, and
//!   from there a killed process cannot lose it (see "What a crash can
//!   lose" in `history/mod.rs`);
//! - under load, batches grow by themselves: while the writer writes and
//!   lingers, the next messages queue up and go out together.
//!
//! Why linger? Waking a sleeping thread is a system call, and the session
//! that queues a room's message makes it while it holds the room's lock
//! (that lock is what keeps `seq` in delivery order). A writer that went
//! back to sleep after every `write` would be woken for nearly every
//! message of a busy room, inside that lock, and everyone in the room
//! would wait for the wake-ups. A writer that lingers is asleep *without
//! asking to be woken*, so queueing costs no system call at all; the
//! chapter's benchmark measures the difference.
//!
//! `write` only puts bytes in the kernel's page cache. `fsync` (Rust's
//! [`File::sync_data`]) is what waits until they are on the disk itself,
//! and it is slow: a few milliseconds on an SSD, tens on a spinning disk,
//! often more on a shared machine. So the writer does not sync after every
//! message. It syncs in *groups*: when a file has had unsynced lines for
//! `sync_interval` (one second by default), it syncs every file that has
//! any, then sleeps again. One fsync then covers everything written in that
//! second, however many messages that was, and a power cut can cost at
//! most about that second. At shutdown it syncs whatever is left.
//!
//! Compaction (`compact.rs`) runs here too, between batches, so that no
//! other thread ever writes these files.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use super::compact::compact;
use super::file_name::file_name;
use super::log::encode_line;
use super::{Entry, Problem, Progress, Reporter};
use crate::server::durable::sync_dir;
use crate::sync::lock;

/// How many messages may wait for the writer. A healthy disk keeps the
/// queue near empty; this bound only matters when the disk has stopped
/// answering, and then a message over it is kept in memory (replay still
/// shows it) but not on disk, and counted as lost, instead of making
/// sessions wait or memory grow without end.
pub const MAX_QUEUED: usize = 1 << 16;

/// How long the writer lets messages gather after a `write` before it
/// takes the next batch: at most this much more of a busy room's newest
/// messages is in memory only, against the one second the contract allows
/// (§9), and it saves a wake-up per message (see the module documentation).
pub const LINGER: Duration = Duration::from_millis(2);

/// How many room files the writer keeps open at once. Rooms come and go,
/// and a descriptor per room ever used would run out in the end (chapter 6
/// tells what that does to a server); the least recently written file is
/// synced and closed to make room.
pub const MAX_OPEN_FILES: usize = 64;

/// One message to write: which room's file, and what.
pub struct Job {
    pub key: Arc<str>,
    pub entry: Arc<Entry>,
}

/// The queue between the session threads and the writer.
pub struct Queue {
    pending: Mutex<Pending>,
    /// Signalled when a job arrives or the queue closes.
    ready: Condvar,
}

struct Pending {
    jobs: Vec<Job>,
    closed: bool,
    /// Jobs refused since the writer last looked, because the queue was
    /// full.
    dropped: u64,
    /// True while the writer sleeps on `ready`: only then is waking it
    /// worth a system call (the same trick as the client outboxes').
    writer_waiting: bool,
}

/// What [`Queue::take`] found besides the jobs.
struct Taken {
    closed: bool,
    dropped: u64,
}

impl Queue {
    pub fn new() -> Self {
        Queue {
            pending: Mutex::new(Pending {
                jobs: Vec::new(),
                closed: false,
                dropped: 0,
                writer_waiting: false,
            }),
            ready: Condvar::new(),
        }
    }

    /// Queues a job without waiting for anything but the lock. The caller
    /// pushes a room's jobs in `seq` order (it holds its own lock while
    /// numbering and pushing), so each file gets its lines in order.
    pub fn push(&self, job: Job) {
        let mut pending = lock(&self.pending);
        if pending.jobs.len() >= MAX_QUEUED {
            pending.dropped += 1;
            return;
        }
        pending.jobs.push(job);
        if pending.writer_waiting {
            self.ready.notify_one();
        }
    }

    /// No more jobs will come: the writer writes what is queued, syncs and
    /// ends.
    pub fn close(&self) {
        lock(&self.pending).closed = true;
        self.ready.notify_one();
    }

    /// Waits for `time`, or until the queue closes, *without* asking to be
    /// woken for new jobs: [`Queue::push`] only signals a writer that is
    /// waiting in [`Queue::take`].
    fn linger(&self, time: Duration) {
        let until = Instant::now() + time;
        let mut pending = lock(&self.pending);
        while !pending.closed {
            let Some(left) = until.checked_duration_since(Instant::now()) else {
                return;
            };
            pending = match self.ready.wait_timeout(pending, left) {
                Ok((guard, _)) => guard,
                Err(e) => e.into_inner().0,
            };
        }
    }

    /// Moves every queued job into `into`, waiting until there is one, the
    /// queue closes, or `deadline` (the next group sync) passes.
    fn take(&self, into: &mut Vec<Job>, deadline: Option<Instant>) -> Taken {
        let mut pending = lock(&self.pending);
        while pending.jobs.is_empty() && !pending.closed {
            pending.writer_waiting = true;
            pending = match deadline {
                None => self.ready.wait(pending).unwrap_or_else(|e| e.into_inner()),
                Some(deadline) => {
                    let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                        break;
                    };
                    match self.ready.wait_timeout(pending, left) {
                        Ok((guard, _)) => guard,
                        Err(e) => e.into_inner().0,
                    }
                }
            };
            pending.writer_waiting = false;
        }
        pending.writer_waiting = false;
        std::mem::swap(into, &mut pending.jobs);
        Taken {
            closed: pending.closed,
            dropped: std::mem::take(&mut pending.dropped),
        }
    }
}

#[cfg(test)]
impl Queue {
    /// Takes what is queued without waiting; how many were refused.
    pub fn take_for_test(&self, into: &mut Vec<Job>) -> u64 {
        self.take(into, Some(Instant::now())).dropped
    }
}

/// The writer's counters, shared with [`History`](super::History) so that
/// it (and a test, or the benchmark) can see and wait for progress.
pub struct Counters {
    progress: Mutex<Progress>,
    changed: Condvar,
}

impl Counters {
    pub fn new() -> Self {
        Counters {
            progress: Mutex::new(Progress::default()),
            changed: Condvar::new(),
        }
    }

    pub fn get(&self) -> Progress {
        *lock(&self.progress)
    }

    fn update(&self, change: impl FnOnce(&mut Progress)) {
        change(&mut lock(&self.progress));
        self.changed.notify_all();
    }

    /// Waits until `done` holds, for at most `timeout`; whether it holds.
    pub fn wait_until(&self, timeout: Duration, done: impl Fn(&Progress) -> bool) -> bool {
        let deadline = Instant::now() + timeout;
        let mut progress = lock(&self.progress);
        while !done(&progress) {
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                return false;
            };
            progress = match self.changed.wait_timeout(progress, left) {
                Ok((guard, _)) => guard,
                Err(e) => e.into_inner().0,
            };
        }
        true
    }
}

/// What the writer knows about one room's file.
pub struct RoomFile {
    path: PathBuf,
    /// Open for appending, or `None` until the next write needs it.
    file: Option<File>,
    /// Whether the file exists on disk (a new one means a new name in the
    /// folder, which needs the folder synced).
    exists: bool,
    /// Lines in the file, corrupt ones included.
    lines: usize,
    /// Compaction runs when `lines` passes this.
    compact_at: usize,
    /// Whether the file ends with `\n`; if not, the next write starts with
    /// one, so a torn or failed line never swallows the next message.
    ends_with_newline: bool,
    /// Whether it has lines that are not yet synced.
    unsynced: bool,
    /// Messages lost since writing to this file started failing; `None`
    /// while it works. A failure is reported once, not once per message.
    failing: Option<u64>,
    sync_failing: bool,
    /// For closing the least recently used file.
    last_used: u64,
}

impl RoomFile {
    /// A file found on disk when the folder was opened.
    pub fn existing(path: PathBuf, lines: usize, ends_with_newline: bool) -> Self {
        RoomFile {
            path,
            file: None,
            exists: true,
            lines,
            compact_at: 0, // set by the writer
            ends_with_newline,
            unsynced: false,
            failing: None,
            sync_failing: false,
            last_used: 0,
        }
    }

    fn new(path: PathBuf) -> Self {
        RoomFile {
            exists: false,
            ..RoomFile::existing(path, 0, true)
        }
    }
}

/// Everything the writer thread owns.
pub struct Writer {
    pub dir: PathBuf,
    pub keep: usize,
    pub sync_interval: Duration,
    pub files: HashMap<Arc<str>, RoomFile>,
    pub queue: Arc<Queue>,
    pub counters: Arc<Counters>,
    pub report: Reporter,
}

/// The writer's working state, besides what it was started with.
struct Running {
    w: Writer,
    open_files: usize,
    clock: u64,
    /// A file was created since the folder was last synced.
    dir_dirty: bool,
    /// When the oldest line not yet synced was written: the next group
    /// sync is due `sync_interval` later.
    dirty_since: Option<Instant>,
    /// The queue is refusing jobs (reported once until it stops).
    dropping: bool,
}

impl Writer {
    /// The thread's body: write batches until the queue closes, then sync.
    pub fn run(mut self) {
        let compact_at = self.compact_threshold();
        for file in self.files.values_mut() {
            file.compact_at = compact_at;
        }
        let mut running = Running {
            w: self,
            open_files: 0,
            clock: 0,
            dir_dirty: false,
            dirty_since: None,
            dropping: false,
        };
        let mut batch = Vec::new();
        loop {
            let taken = running.w.queue.take(&mut batch, running.sync_deadline());
            let wrote = !batch.is_empty();
            running.note_dropped(taken.dropped, batch.is_empty());
            running.write_batch(&mut batch);
            if taken.closed {
                running.sync_all();
                return;
            }
            if running.sync_deadline().is_some_and(|d| d <= Instant::now()) {
                running.sync_all();
            }
            if wrote {
                running.w.queue.linger(LINGER);
            }
        }
    }

    /// About twice `keep` lines: a rewrite of `keep` lines every `keep`
    /// appends (see `compact.rs`).
    fn compact_threshold(&self) -> usize {
        self.keep.saturating_mul(2).max(self.keep + 1)
    }
}

impl Running {
    /// When the next group sync is due: `sync_interval` after the oldest
    /// unsynced write, or never if everything is synced.
    fn sync_deadline(&self) -> Option<Instant> {
        Some(self.dirty_since? + self.w.sync_interval)
    }

    fn note_dropped(&mut self, dropped: u64, nothing_queued: bool) {
        if dropped > 0 {
            self.w.counters.update(|p| p.lost += dropped);
            if !self.dropping {
                (self.w.report)(Problem::QueueFull { dropped });
            }
            self.dropping = true;
        } else if !nothing_queued {
            self.dropping = false;
        }
    }

    /// Writes a batch: each room's lines, in the order they were queued,
    /// with one `write` per room.
    fn write_batch(&mut self, batch: &mut Vec<Job>) {
        if batch.is_empty() {
            return;
        }
        let mut rooms: Vec<(Arc<str>, Vec<u8>, u64)> = Vec::new();
        let mut index: HashMap<Arc<str>, usize> = HashMap::new();
        for job in batch.drain(..) {
            let i = *index.entry(job.key.clone()).or_insert_with(|| {
                rooms.push((job.key.clone(), Vec::new(), 0));
                rooms.len() - 1
            });
            encode_line(&job.entry, &mut rooms[i].1);
            rooms[i].2 += 1;
        }
        let (mut written, mut lost) = (0, 0);
        for (key, lines, count) in rooms {
            if self.write_room(&key, &lines, count) {
                written += count;
            } else {
                lost += count;
            }
        }
        self.w.counters.update(|p| {
            p.written += written;
            p.lost += lost;
        });
    }

    /// Appends `lines` (`count` messages) to a room's file; whether they
    /// reached the kernel.
    fn write_room(&mut self, key: &Arc<str>, lines: &[u8], count: u64) -> bool {
        if !self.w.files.contains_key(key) {
            let path = self.w.dir.join(file_name(key));
            let mut file = RoomFile::new(path);
            file.compact_at = self.w.compact_threshold();
            self.w.files.insert(key.clone(), file);
        }
        if self.w.files.get(key).is_some_and(|f| f.file.is_none()) {
            self.close_least_recent();
        }
        self.clock += 1;
        let Some(room) = self.w.files.get_mut(key) else {
            return false;
        };
        room.last_used = self.clock;
        let result = append(room, lines, &mut self.open_files, &mut self.dir_dirty);
        match result {
            Ok(()) => {
                room.lines += count as usize;
                let now = Instant::now();
                room.unsynced = true;
                self.dirty_since.get_or_insert(now);
                if let Some(lost) = room.failing.take() {
                    (self.w.report)(Problem::WriteResumed {
                        room: key.to_string(),
                        lost,
                    });
                }
                if room.lines > room.compact_at {
                    self.compact_room(key);
                }
                true
            }
            Err(error) => {
                // The handle is dropped, in case the file itself is what
                // went wrong (`append` has noted whether the next write
                // must start a fresh line).
                if room.file.take().is_some() {
                    self.open_files -= 1;
                }
                match &mut room.failing {
                    Some(lost) => *lost += count,
                    None => {
                        room.failing = Some(count);
                        (self.w.report)(Problem::WriteFailed {
                            room: key.to_string(),
                            error,
                        });
                    }
                }
                false
            }
        }
    }

    /// Keeps the number of open files under [`MAX_OPEN_FILES`].
    fn close_least_recent(&mut self) {
        if self.open_files < MAX_OPEN_FILES {
            return;
        }
        let oldest = self
            .w
            .files
            .iter()
            .filter(|(_, f)| f.file.is_some())
            .min_by_key(|(_, f)| f.last_used)
            .map(|(key, _)| key.clone());
        if let Some(key) = oldest {
            self.sync_room(&key);
            if let Some(room) = self.w.files.get_mut(&key)
                && room.file.take().is_some()
            {
                self.open_files -= 1;
            }
        }
    }

    /// Rewrites a room's file to its newest `keep` messages.
    fn compact_room(&mut self, key: &Arc<str>) {
        let threshold = self.w.compact_threshold();
        let Some(room) = self.w.files.get_mut(key) else {
            return;
        };
        // Closed first: after the rename our handle would still point at
        // the old file, and Windows refuses to replace a file that is open.
        if room.file.take().is_some() {
            self.open_files -= 1;
        }
        match compact(&self.w.dir, &room.path, self.w.keep) {
            Ok(done) => {
                room.lines = done.kept;
                room.compact_at = threshold;
                room.ends_with_newline = true;
                // The new file was synced before it took the name, and it
                // holds every line the old one had that we keep.
                room.unsynced = false;
            }
            Err(error) => {
                // The old file is still there, whole (or the new one is, if
                // only the folder sync failed). Try again after `keep` more
                // lines rather than after every message.
                room.compact_at = room.lines.saturating_add(self.w.keep);
                (self.w.report)(Problem::CompactFailed {
                    room: key.to_string(),
                    error,
                });
            }
        }
    }

    /// Syncs one room's file if it has unsynced lines; whether all is well.
    fn sync_room(&mut self, key: &Arc<str>) -> bool {
        let Some(room) = self.w.files.get_mut(key) else {
            return true;
        };
        if !room.unsynced {
            return true;
        }
        // A file whose handle was dropped after a failed write may still
        // have earlier lines in the page cache: a new handle syncs them too.
        let synced = match &room.file {
            Some(file) => file.sync_data(),
            None => OpenOptions::new()
                .append(true)
                .open(&room.path)
                .and_then(|file| file.sync_data()),
        };
        // After a failed fsync the kernel may already have dropped those
        // pages, and a second fsync would "succeed" without writing them,
        // so there is nothing to retry: we report it, once, and move on.
        room.unsynced = false;
        match synced {
            Ok(()) => {
                room.sync_failing = false;
                true
            }
            Err(error) => {
                if !room.sync_failing {
                    room.sync_failing = true;
                    (self.w.report)(Problem::SyncFailed {
                        room: Some(key.to_string()),
                        error,
                    });
                }
                false
            }
        }
    }

    /// The group sync: every file with unsynced lines, and the folder if a
    /// file was created in it.
    fn sync_all(&mut self) {
        let written = self.w.counters.get().written;
        let dirty: Vec<Arc<str>> = self
            .w
            .files
            .iter()
            .filter(|(_, f)| f.unsynced)
            .map(|(key, _)| key.clone())
            .collect();
        let mut ok = true;
        for key in &dirty {
            ok &= self.sync_room(key);
        }
        let synced_any = !dirty.is_empty() || self.dir_dirty;
        if self.dir_dirty {
            self.dir_dirty = false;
            if let Err(error) = sync_dir(&self.w.dir) {
                ok = false;
                (self.w.report)(Problem::SyncFailed { room: None, error });
            }
        }
        self.dirty_since = None;
        self.w.counters.update(|p| {
            p.syncs += u64::from(synced_any);
            if ok {
                p.synced = p.synced.max(written);
            }
        });
    }
}

/// Opens the file if needed and writes the lines, after a `\n` if the file
/// does not end with one.
fn append(
    room: &mut RoomFile,
    lines: &[u8],
    open_files: &mut usize,
    dir_dirty: &mut bool,
) -> io::Result<()> {
    let file = match &mut room.file {
        Some(file) => file,
        None => {
            // Append mode: every write goes to the end of the file, which is
            // all this file ever needs.
            let file = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&room.path)?;
            if !room.exists {
                room.exists = true;
                *dir_dirty = true;
            }
            *open_files += 1;
            room.file.insert(file)
        }
    };
    if !room.ends_with_newline {
        file.write_all(b"\n")?;
    }
    // Until the whole batch is in, the file may end in part of a line (how
    // much of a failed write reached the file is unknown).
    room.ends_with_newline = false;
    // `File` has no buffer of its own: when this returns, the bytes are in
    // the kernel, where a killed process can no longer lose them.
    file.write_all(lines)?;
    room.ends_with_newline = true;
    Ok(())
}
