//! Files at both ends of a transfer: reading one into chunks, and writing
//! chunks back into a file that is only kept once it checks out.
//!
//! A file travels as `FILE` (name and size), then `FILE_DATA` chunks (base64,
//! 4096 bytes of file each by default), then `FILE_COMPLETE` (size and
//! SHA-256). Both sides stream: the sender reads one chunk at a time and the
//! receiver writes each as it arrives, so a 1 GiB file never sits in memory.
//!
//! The receiving side is careful, because the name and the bytes come from
//! someone else:
//! - only the *base name* is used ([`safe_file_name`]): a name like
//!   `../../etc/passwd` or `C:\Windows\x.dll` cannot write outside the
//!   download folder;
//! - an existing file is never overwritten: `report.pdf` becomes
//!   `report (1).pdf`;
//! - data goes to `NAME.part` and is renamed to `NAME` only when the size
//!   and SHA-256 match; anything else deletes the `.part` file.
//!
//! `docs/05-sending-files.md` tells the longer story.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, channel, sync_channel};
use std::thread::{self, JoinHandle};

use crate::base64;
use crate::crypto::sha256::{self, Sha256};
use crate::message::client::FileOffer;
use crate::message::{FileChunk, FileComplete};
use crate::unicode;
use crate::writeback::{WRITEBACK_EVERY, Writeback};

/// Bytes of file per `FILE_DATA` chunk unless told otherwise: the original's
/// `BUFFER_SIZE`.
pub const DEFAULT_CHUNK_SIZE: usize = 4096;

/// The largest chunk a sender may choose. In base64 inside JSON it must fit
/// the receiver's 1 MiB frame limit with room to spare.
pub const MAX_CHUNK_SIZE: usize = 512 * 1024;

/// The longest file name we write, in bytes (most file systems allow 255;
/// `.part` and ` (99)` need room).
const MAX_NAME_BYTES: usize = 200;

/// Why a file cannot be sent. The wording is in [`crate::text`].
#[derive(Debug)]
pub enum OpenError {
    NotFound,
    IsDirectory,
    /// Something that is not a regular file: see [`FileSender::open`].
    NotAFile(Special),
    Unreadable(io::Error),
}

/// The kinds of thing a path can name that are not files to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Special {
    /// A named pipe (`mkfifo`): reading waits for someone to write.
    Fifo,
    /// A device (`/dev/zero`, `/dev/tty`): endless, or waiting for input.
    Device,
    /// A Unix domain socket.
    Socket,
    /// Anything else that is neither a file nor a folder.
    Other,
}

/// Why a received file was not kept. The wording is in [`crate::text`].
#[derive(Debug)]
pub enum TransferError {
    /// A chunk arrived with the wrong index (lost or reordered data).
    OutOfOrder { expected: u64, got: u64 },
    /// More bytes arrived than the announced size.
    TooMuchData { size: u64 },
    /// A chunk's data was not valid base64.
    BadChunk(base64::DecodeError),
    /// `FILE_COMPLETE` says a different size than what arrived.
    SizeMismatch { expected: u64, received: u64 },
    /// The bytes that arrived do not have the announced SHA-256.
    ChecksumMismatch,
    /// Writing to disk failed.
    Io(io::Error),
}

impl From<io::Error> for TransferError {
    fn from(e: io::Error) -> Self {
        TransferError::Io(e)
    }
}

/// The name a received file is saved under: the last component of `name`
/// (split at both `/` and `\`, whatever system sent it), with characters
/// that are unsafe or invalid on some file system replaced by `_`, and
/// invisible format characters dropped: `invoice\u{202e}fdp.exe` would be
/// listed as `invoiceexe.pdf` in a file manager, so it is saved as
/// `invoicefdp.exe`, which is what it is.
pub fn safe_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|&c| !unicode::is_format(c))
        .map(|c| match c {
            c if c.is_control() => '_',
            // Line and paragraph separators break a listing like newlines.
            '\u{2028}' | '\u{2029}' => '_',
            // Invalid in Windows file names (':' also names a drive or stream).
            '<' | '>' | ':' | '"' | '|' | '?' | '*' => '_',
            c => c,
        })
        .collect();
    // Windows ignores trailing dots and spaces, so "x.txt." would be "x.txt".
    let cleaned = cleaned.trim_end_matches(['.', ' ']).trim_start();
    let mut cleaned = if cleaned.is_empty() {
        "file".to_string()
    } else {
        cleaned.to_string()
    };
    if is_windows_device_name(&cleaned) {
        cleaned.insert(0, '_');
    }
    truncate_name(&cleaned, MAX_NAME_BYTES)
}

/// `CON`, `NUL`, `COM1`… are devices on Windows, whatever the extension.
fn is_windows_device_name(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or("").to_ascii_uppercase();
    matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || (stem.len() == 4
            && (stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.as_bytes()[3].is_ascii_digit())
}

/// Cuts a name to `max` bytes at a character boundary, keeping a short
/// extension so the file still opens with the right program.
fn truncate_name(name: &str, max: usize) -> String {
    if name.len() <= max {
        return name.to_string();
    }
    let (stem, ext) = split_extension(name);
    let ext = if ext.len() <= 16 { ext } else { "" };
    let mut end = max - ext.len();
    while !stem.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{ext}", &stem[..end])
}

/// `("report", ".pdf")`; a leading dot is part of the stem (`.bashrc`).
fn split_extension(name: &str) -> (&str, &str) {
    match name.rfind('.') {
        Some(i) if i > 0 => name.split_at(i),
        _ => (name, ""),
    }
}

/// The `n`-th candidate for a name: `report.pdf`, `report (1).pdf`, …
fn numbered(name: &str, n: u32) -> String {
    if n == 0 {
        return name.to_string();
    }
    let (stem, ext) = split_extension(name);
    format!("{stem} ({n}){ext}")
}

/// Reads a file to send, chunk by chunk, hashing as it goes.
pub struct FileSender {
    /// Read through a buffer: a 4 KiB chunk at a time would be a system
    /// call per chunk, 65,536 of them for a 256 MiB file.
    file: BufReader<File>,
    name: String,
    size: u64,
    chunk: Vec<u8>,
    sha: Sha256,
    index: u64,
    sent: u64,
}

impl FileSender {
    /// Opens `path` for sending in chunks of `chunk_size` bytes.
    ///
    /// Only a regular file can be sent. A named pipe (FIFO) would make
    /// `open` itself wait until someone opens it for writing, and the thread
    /// that asked (the server's console, the client's event loop) would hang
    /// there, deaf to every other command. A device such as `/dev/zero`
    /// reports a size of 0 and then never ends. So the path is looked at
    /// first, and the file is opened without waiting ([`open_without_waiting`])
    /// and looked at again: what a path names can change between the two
    /// looks, what was opened cannot.
    pub fn open(path: &Path, chunk_size: usize) -> Result<FileSender, OpenError> {
        let metadata = fs::metadata(path).map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => OpenError::NotFound,
            _ => OpenError::Unreadable(e),
        })?;
        check_regular(&metadata)?;
        let file = open_without_waiting(path).map_err(OpenError::Unreadable)?;
        let metadata = file.metadata().map_err(OpenError::Unreadable)?;
        check_regular(&metadata)?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "file".to_string());
        Ok(FileSender {
            file: BufReader::with_capacity(READ_BUFFER, file),
            name,
            size: metadata.len(),
            chunk: vec![0; chunk_size.clamp(1, MAX_CHUNK_SIZE)],
            sha: Sha256::new(),
            index: 0,
            sent: 0,
        })
    }

    /// The file's base name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The size announced in the offer.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Bytes read so far.
    pub fn sent(&self) -> u64 {
        self.sent
    }

    /// The `FILE` message that opens the transfer, to everyone or to `to`.
    pub fn offer(&self, transfer_id: &str, to: Option<String>) -> FileOffer {
        FileOffer {
            name: self.name.clone(),
            transfer_id: transfer_id.to_string(),
            size: self.size,
            to,
        }
    }

    /// The next `FILE_DATA` message, or `None` when the file is done. Never
    /// reads past the announced size, so a file that grows while it is sent
    /// still matches its offer.
    pub fn next_chunk(&mut self, transfer_id: &str) -> io::Result<Option<FileChunk>> {
        let left = self.size - self.sent;
        let want = self
            .chunk
            .len()
            .min(usize::try_from(left).unwrap_or(usize::MAX));
        if want == 0 {
            return Ok(None);
        }
        let n = read_full(&mut self.file, &mut self.chunk[..want])?;
        if n == 0 {
            // The file shrank: stop here; the size in FILE_COMPLETE will
            // not match and receivers will discard it.
            return Ok(None);
        }
        let bytes = &self.chunk[..n];
        self.sha.update(bytes);
        self.sent += n as u64;
        let message = FileChunk {
            transfer_id: transfer_id.to_string(),
            index: self.index,
            data: base64::encode(bytes),
        };
        self.index += 1;
        Ok(Some(message))
    }

    /// The `FILE_COMPLETE` message, with what was actually sent.
    pub fn complete(self, transfer_id: &str) -> FileComplete {
        FileComplete {
            name: self.name,
            transfer_id: transfer_id.to_string(),
            size: self.sent,
            sha256: sha256::to_hex(&self.sha.finish()),
        }
    }
}

/// Refuses what is not a regular file, saying what it is instead.
fn check_regular(metadata: &fs::Metadata) -> Result<(), OpenError> {
    let kind = metadata.file_type();
    if kind.is_file() {
        return Ok(());
    }
    if kind.is_dir() {
        return Err(OpenError::IsDirectory);
    }
    Err(OpenError::NotAFile(special(kind)))
}

#[cfg(unix)]
fn special(kind: fs::FileType) -> Special {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_fifo() {
        Special::Fifo
    } else if kind.is_char_device() || kind.is_block_device() {
        Special::Device
    } else if kind.is_socket() {
        Special::Socket
    } else {
        Special::Other
    }
}

#[cfg(not(unix))]
fn special(_kind: fs::FileType) -> Special {
    Special::Other
}

/// Opens a file for reading without ever waiting in `open`.
///
/// On Unix, opening a FIFO for reading waits until a writer opens it too,
/// unless the `O_NONBLOCK` flag is given; with it, `open` returns at once
/// and [`FileSender::open`] then sees what it opened and refuses it. On a
/// regular file the flag changes nothing (reads from disk do not "block" in
/// that sense). std does not name the flag, so its value comes from each
/// system's `<fcntl.h>`; on a Unix not listed it is 0 (no flag), and only
/// the look before opening protects against a FIFO.
///
/// Elsewhere (Windows), opening a pipe or a device does not wait, and the
/// look at what was opened refuses it.
#[cfg(unix)]
pub fn open_without_waiting(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    const O_NONBLOCK: i32 = if cfg!(any(
        target_os = "macos",
        target_os = "ios",
        target_os = "freebsd",
        target_os = "openbsd",
        target_os = "netbsd",
        target_os = "dragonfly"
    )) {
        0x0004
    } else if cfg!(any(target_arch = "mips", target_arch = "mips64")) {
        0x0080
    } else if cfg!(any(target_arch = "sparc", target_arch = "sparc64")) {
        0x4000
    } else if cfg!(any(target_os = "linux", target_os = "android")) {
        0o4000
    } else if cfg!(any(target_os = "solaris", target_os = "illumos")) {
        0x0080
    } else {
        0
    };
    OpenOptions::new()
        .read(true)
        .custom_flags(O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
pub fn open_without_waiting(path: &Path) -> io::Result<File> {
    File::open(path)
}

/// Bytes a file being sent is read in at a time (larger chunks are read
/// straight into the chunk).
const READ_BUFFER: usize = 64 * 1024;

/// Reads until `buf` is full or the file ends.
fn read_full(file: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// The checks every chunk passes before its bytes are kept: it is the next
/// one in order, its base64 is strict, and it stays within the announced
/// size. Both receivers below make them through this one piece, so that
/// the one on the session thread and the one in a test cannot drift apart.
#[derive(Debug, Clone, Copy)]
struct ChunkChecks {
    size: u64,
    next_index: u64,
    /// Bytes of the chunks that passed.
    accepted: u64,
}

impl ChunkChecks {
    fn new(size: u64) -> ChunkChecks {
        ChunkChecks {
            size,
            next_index: 0,
            accepted: 0,
        }
    }

    /// Checks chunk `index` and appends its decoded bytes to `out`. On an
    /// error `out` is left exactly as it was and nothing is counted.
    fn decode_into(
        &mut self,
        index: u64,
        data: &str,
        out: &mut Vec<u8>,
    ) -> Result<(), TransferError> {
        if index != self.next_index {
            return Err(TransferError::OutOfOrder {
                expected: self.next_index,
                got: index,
            });
        }
        let before = out.len();
        base64::decode_into(data.as_bytes(), out).map_err(TransferError::BadChunk)?;
        let len = (out.len() - before) as u64;
        if self.accepted + len > self.size {
            out.truncate(before);
            return Err(TransferError::TooMuchData { size: self.size });
        }
        self.next_index += 1;
        self.accepted += len;
        Ok(())
    }
}

/// Writes a file being received into `NAME.part`, and keeps it only when
/// it checks out. Dropping it unfinished deletes the `.part` file.
pub struct FileReceiver {
    dir: PathBuf,
    /// The name it will be saved under (before numbering).
    name: String,
    /// Which numbered candidate the `.part` file reserved.
    number: u32,
    part_path: PathBuf,
    file: Option<BufWriter<File>>,
    checks: ChunkChecks,
    /// Bytes written (to the file and the checksum).
    received: u64,
    sha: Sha256,
    decoded: Vec<u8>,
    /// Times the disk was asked to take the file while it arrived
    /// ([`Writeback`]).
    early_flushes: u64,
}

impl FileReceiver {
    /// Starts receiving `name` (a name from the peer, made safe here) of
    /// `size` bytes into `dir`, which is created if missing.
    pub fn create(dir: &Path, name: &str, size: u64) -> io::Result<FileReceiver> {
        fs::create_dir_all(dir)?;
        let name = safe_file_name(name);
        // Reserve a name no one else is using: an existing file, or another
        // transfer's `.part` file. `create_new` fails if the file exists, so
        // two transfers of the same name cannot pick the same `.part`.
        let mut number = 0;
        loop {
            let candidate = numbered(&name, number);
            let part_path = dir.join(format!("{candidate}.part"));
            if !dir.join(&candidate).exists() {
                match OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&part_path)
                {
                    Ok(file) => {
                        return Ok(FileReceiver {
                            dir: dir.to_path_buf(),
                            name,
                            number,
                            part_path,
                            file: Some(BufWriter::with_capacity(64 * 1024, file)),
                            checks: ChunkChecks::new(size),
                            received: 0,
                            sha: Sha256::new(),
                            decoded: Vec::new(),
                            early_flushes: 0,
                        });
                    }
                    Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                    Err(e) => return Err(e),
                }
            }
            number += 1;
            if number > MAX_NUMBER {
                return Err(no_free_name());
            }
        }
    }

    /// The announced size.
    pub fn size(&self) -> u64 {
        self.checks.size
    }

    /// Bytes written so far.
    pub fn received(&self) -> u64 {
        self.received
    }

    /// The name the file will be saved under (before any numbering).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Decodes and writes chunk `index` (base64 `data`). Chunks must come in
    /// order and may not go past the announced size.
    pub fn write_chunk(&mut self, index: u64, data: &str) -> Result<(), TransferError> {
        let mut decoded = std::mem::take(&mut self.decoded);
        decoded.clear();
        let written = self
            .checks
            .decode_into(index, data, &mut decoded)
            .and_then(|()| self.write_decoded(&decoded));
        self.decoded = decoded;
        written
    }

    /// Writes bytes already decoded and checked (by a
    /// [`BackgroundReceiver`]), in order: the rest of `write_chunk`'s work.
    fn write_decoded(&mut self, bytes: &[u8]) -> Result<(), TransferError> {
        if let Some(file) = self.file.as_mut() {
            file.write_all(bytes)?;
        }
        self.sha.update(bytes);
        self.received += bytes.len() as u64;
        Ok(())
    }

    /// Hands the bytes still in our buffer to the kernel and returns the
    /// file, for a [`Writeback`] to send to the disk (`None` once saved).
    fn flushed(&mut self) -> io::Result<Option<&File>> {
        match self.file.as_mut() {
            Some(file) => {
                file.flush()?;
                Ok(Some(file.get_ref()))
            }
            None => Ok(None),
        }
    }

    /// Checks size and checksum, then gives the file its real name. On any
    /// failure the `.part` file is deleted. Returns where the file was saved.
    pub fn finish(self, size: u64, sha256_hex: &str) -> Result<PathBuf, TransferError> {
        self.check(size, sha256_hex)?.save()
    }

    /// The first half of [`FileReceiver::finish`]: compares what arrived
    /// with the size and SHA-256 the sender announced. Only a file that
    /// passes can be saved, which the types enforce: [`CheckedFile`] is the
    /// one thing with a `save`. (The server uses the two halves apart, to
    /// pass a good file's completion on before it waits for its own disk.)
    pub fn check(mut self, size: u64, sha256_hex: &str) -> Result<CheckedFile, TransferError> {
        if size != self.checks.size || self.received != self.checks.size {
            return Err(TransferError::SizeMismatch {
                expected: size,
                received: self.received,
            });
        }
        let digest = std::mem::take(&mut self.sha).finish();
        if !sha256::to_hex(&digest).eq_ignore_ascii_case(sha256_hex) {
            return Err(TransferError::ChecksumMismatch);
        }
        Ok(CheckedFile(self))
    }
}

/// A received file whose size and checksum matched, not yet under its name.
/// Dropped unsaved, it deletes its `.part` file like any unfinished one.
pub struct CheckedFile(FileReceiver);

impl CheckedFile {
    /// Writes the file out to the disk and gives it its real name.
    ///
    /// `sync_all` waits until the bytes are on the disk, not just in the
    /// system's memory: after a crash, a file with its final name is then
    /// a whole file, never the truncated start of one.
    pub fn save(mut self) -> Result<PathBuf, TransferError> {
        let receiver = &mut self.0;
        if let Some(mut file) = receiver.file.take() {
            file.flush()?;
            file.get_ref().sync_all()?;
        }
        // The reserved name may have been taken meanwhile (by a file someone
        // copied in); never overwrite, move on to the next number instead.
        for number in receiver.number..=MAX_NUMBER {
            let target = receiver.dir.join(numbered(&receiver.name, number));
            if keep_as(&receiver.part_path, &target)? {
                receiver.part_path = PathBuf::new(); // nothing left to clean up
                return Ok(target);
            }
        }
        Err(TransferError::Io(no_free_name()))
    }
}

/// Gives the finished `.part` file its real name, unless that name exists.
/// Returns false when it does.
///
/// `rename` would silently replace an existing file on Unix, and checking
/// first leaves a moment in which another program could create it. A hard
/// link, by contrast, fails if the name exists, in one step; then the
/// `.part` name is removed. File systems without hard links (FAT, some
/// network shares) get the check-then-rename fallback.
fn keep_as(part: &Path, target: &Path) -> io::Result<bool> {
    match fs::hard_link(part, target) {
        Ok(()) => {
            fs::remove_file(part)?;
            Ok(true)
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(false),
        Err(_) if !target.exists() => fs::rename(part, target).map(|()| true),
        Err(_) => Ok(false),
    }
}

/// How many numbered names (`report (1).pdf` …) are tried before giving up.
const MAX_NUMBER: u32 = 10_000;

fn no_free_name() -> io::Error {
    io::Error::new(io::ErrorKind::AlreadyExists, "no free file name")
}

impl Drop for FileReceiver {
    /// An unfinished transfer leaves nothing behind.
    fn drop(&mut self) {
        self.file = None; // close before deleting (Windows needs that)
        if !self.part_path.as_os_str().is_empty() {
            let _ = fs::remove_file(&self.part_path);
        }
    }
}

/// A [`FileReceiver`] that writes on a thread of its own.
///
/// Receiving a chunk is per-byte work: base64 decoding, SHA-256, copying
/// into the file. Done on the thread that also reads the socket, all of it
/// stops the reading while it runs, and the sender, and the whole chain
/// behind it, waits. So the receiving thread here does what it must to
/// check a chunk (in order, strict base64, within the announced size: the
/// same `ChunkChecks` as [`FileReceiver::write_chunk`], so a bad chunk is
/// refused at once) and hands the decoded bytes to a writer thread, which hashes
/// and writes them. The two run at the same time, on two processors when
/// there are two. The queue between them is bounded, so memory stays flat
/// however big the file: when the writer falls behind, the receiving thread
/// waits, and TCP slows the sender down (back-pressure).
///
/// The writer also has the disk start on the file every
/// [`WRITEBACK_EVERY`] bytes ([`Writeback`]), so that the `fsync` before
/// the file is kept waits for the last few MiB, not for all of it.
///
/// The bytes are handed over in batches of about [`BATCH_BYTES`]: a thread
/// woken for every 4 KiB chunk would spend more on waking up than on the
/// chunk, and the disk and SHA-256 like big pieces too. The writer sends
/// each batch's buffer back once written, and the next batch is filled in
/// it: a buffer of 64 KiB or more allocated by one thread and freed by
/// another, four thousand times per 256 MiB, made the memory allocator give
/// the top of its heap back to the system and take it again every time,
/// each 4 KiB of it a page fault (44,000 of them for one 256 MiB file in
/// the server's session thread).
pub struct BackgroundReceiver {
    name: String,
    /// Made here, on the receiving thread, before the bytes go over.
    checks: ChunkChecks,
    /// Decoded bytes not handed over yet.
    batch: Vec<u8>,
    /// `None` once the queue is closed.
    queue: Option<SyncSender<Vec<u8>>>,
    /// Buffers the writer has written out, to be filled again.
    spare: Receiver<Vec<u8>>,
    writer: Option<JoinHandle<Result<FileReceiver, TransferError>>>,
}

/// Decoded bytes per batch handed to the writer thread.
pub const BATCH_BYTES: usize = 64 * 1024;

/// Batches waiting for the writer, at most: with the one it writes and the
/// one being filled, about 384 KiB per file in flight (a little more with
/// chunks bigger than a batch).
const QUEUED_BATCHES: usize = 4;

impl BackgroundReceiver {
    /// Starts the writer thread for `file`.
    pub fn start(file: FileReceiver) -> io::Result<BackgroundReceiver> {
        BackgroundReceiver::start_with_writeback(file, WRITEBACK_EVERY)
    }

    /// [`BackgroundReceiver::start`], asking the disk to take the file
    /// every `writeback_every` bytes (tests use small files).
    fn start_with_writeback(
        file: FileReceiver,
        writeback_every: u64,
    ) -> io::Result<BackgroundReceiver> {
        let (queue, batches) = sync_channel::<Vec<u8>>(QUEUED_BATCHES);
        // Unbounded, but it never holds more buffers than were ever in the
        // queue at once, plus the one being filled.
        let (give_back, spare) = channel::<Vec<u8>>();
        let (name, checks) = (file.name().to_string(), file.checks);
        let writer = thread::Builder::new()
            .name("file-writer".to_string())
            .spawn(move || {
                let mut file = file;
                // The disk starts on the file as it arrives, not at the end.
                let mut writeback = Writeback::new(writeback_every);
                for mut batch in batches {
                    file.write_decoded(&batch)?;
                    if writeback.wrote(batch.len())
                        && let Some(written) = file.flushed()?
                    {
                        writeback.flush(written)?;
                    }
                    batch.clear();
                    // Nobody to give it to once the receiver is gone.
                    let _ = give_back.send(batch);
                }
                file.early_flushes = writeback.finish()?;
                Ok(file)
            })?;
        Ok(BackgroundReceiver {
            name,
            checks,
            batch: Vec::with_capacity(BATCH_BYTES),
            queue: Some(queue),
            spare,
            writer: Some(writer),
        })
    }

    /// The name the file will be saved under (before any numbering).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The announced size.
    pub fn size(&self) -> u64 {
        self.checks.size
    }

    /// Bytes accepted so far (some may still be on their way to the disk).
    pub fn received(&self) -> u64 {
        self.checks.accepted
    }

    /// Checks and decodes chunk `index` (base64 `data`), as
    /// [`FileReceiver::write_chunk`] does, and queues its bytes for the
    /// writer. An error the writer ran into (the disk, say) is reported
    /// here, at a chunk after it.
    pub fn write_chunk(&mut self, index: u64, data: &str) -> Result<(), TransferError> {
        self.checks.decode_into(index, data, &mut self.batch)?;
        if self.batch.len() >= BATCH_BYTES {
            self.hand_over()?;
        }
        Ok(())
    }

    /// Compares what arrived with the size and SHA-256 the sender announced,
    /// once the writer has written everything: [`FileReceiver::check`].
    pub fn check(mut self, size: u64, sha256_hex: &str) -> Result<CheckedFile, TransferError> {
        self.hand_over()?;
        self.queue = None;
        self.join()?.check(size, sha256_hex)
    }

    /// [`BackgroundReceiver::check`], then [`CheckedFile::save`].
    pub fn finish(self, size: u64, sha256_hex: &str) -> Result<PathBuf, TransferError> {
        self.check(size, sha256_hex)?.save()
    }

    /// Queues the batch being filled; the writer's error if it has stopped.
    fn hand_over(&mut self) -> Result<(), TransferError> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let next = self
            .spare
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(BATCH_BYTES));
        let batch = std::mem::replace(&mut self.batch, next);
        let sent = self.queue.as_ref().map(|queue| queue.send(batch));
        match sent {
            Some(Ok(())) => Ok(()),
            // The writer is gone: it failed, and says why when joined.
            _ => {
                self.queue = None;
                self.join().map(drop)
            }
        }
    }

    /// Waits for the writer thread and takes back the file.
    fn join(&mut self) -> Result<FileReceiver, TransferError> {
        match self.writer.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) | None => Err(TransferError::Io(io::Error::other(
                "the file writer stopped",
            ))),
        }
    }
}

/// Throwing an unfinished file away: the writer writes what is queued (at
/// most a few batches) and drops the file, which deletes the `.part` file.
/// Dropping waits for that, so that whoever hears of the abort finds
/// nothing left on disk.
impl Drop for BackgroundReceiver {
    fn drop(&mut self) {
        self.queue = None;
        let _ = self.join();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_become_plain_base_names() {
        let cases = [
            ("report.pdf", "report.pdf"),
            ("../../etc/passwd", "passwd"),
            ("/abs/path/x.txt", "x.txt"),
            ("C:\\x\\y.txt", "y.txt"),
            ("..", "file"),
            (".", "file"),
            ("", "file"),
            ("dir/", "file"),
            ("a\u{0}b\nc.txt", "a_b_c.txt"),
            ("what?.txt", "what_.txt"),
            ("C:evil.txt", "C_evil.txt"),
            ("CON", "_CON"),
            ("nul.txt", "_nul.txt"),
            ("COM1.log", "_COM1.log"),
            ("COMMON.txt", "COMMON.txt"),
            ("trailing. ", "trailing"),
            ("我的 文件.txt", "我的 文件.txt"),
            (".bashrc", ".bashrc"),
            ("invoice\u{202e}fdp.exe", "invoicefdp.exe"),
            ("\u{feff}re\u{200b}port\u{2066}.pdf\u{2069}", "report.pdf"),
            ("a\u{2028}b\u{2029}c", "a_b_c"),
            ("\u{202e}", "file"),
            ("résumé 😀.txt", "résumé 😀.txt"),
        ];
        for (given, expected) in cases {
            assert_eq!(safe_file_name(given), expected, "{given:?}");
        }
    }

    #[test]
    fn long_names_are_cut_at_a_character_boundary_keeping_the_extension() {
        let long = format!("{}.pdf", "名".repeat(100));
        let safe = safe_file_name(&long);
        assert!(safe.len() <= MAX_NAME_BYTES);
        assert!(safe.ends_with("名.pdf"));
    }

    /// Everything a sender sends for the file at `path`.
    struct Sent {
        offer: FileOffer,
        chunks: Vec<FileChunk>,
        complete: FileComplete,
    }

    fn send_all(path: &Path, chunk: usize) -> Sent {
        let mut sender = FileSender::open(path, chunk).unwrap();
        let offer = sender.offer("1", None);
        let mut chunks = Vec::new();
        while let Some(m) = sender.next_chunk("1").unwrap() {
            chunks.push(m);
        }
        let complete = sender.complete("1");
        Sent {
            offer,
            chunks,
            complete,
        }
    }

    fn receive_all(dir: &Path, sent: Sent) -> Result<PathBuf, TransferError> {
        let mut receiver = FileReceiver::create(dir, &sent.offer.name, sent.offer.size).unwrap();
        for chunk in sent.chunks {
            receiver.write_chunk(chunk.index, &chunk.data)?;
        }
        receiver.finish(sent.complete.size, &sent.complete.sha256)
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<_> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_file_round_trips_and_a_second_copy_is_numbered() {
        let src = tempfile::tempdir().unwrap();
        let dst = tempfile::tempdir().unwrap();
        let path = src.path().join("report.pdf");
        let content: Vec<u8> = (0..10_000u32).map(|i| (i * 7 % 251) as u8).collect();
        fs::write(&path, &content).unwrap();
        for chunk in [1, 4096, 10_000, 65_536] {
            let saved = receive_all(dst.path(), send_all(&path, chunk)).unwrap();
            assert_eq!(fs::read(&saved).unwrap(), content, "chunk {chunk}");
        }
        assert_eq!(
            entries(dst.path()),
            [
                "report (1).pdf",
                "report (2).pdf",
                "report (3).pdf",
                "report.pdf"
            ]
        );
    }

    /// [`receive_all`] through a [`BackgroundReceiver`].
    fn receive_all_in_background(dir: &Path, sent: Sent) -> Result<PathBuf, TransferError> {
        let file = FileReceiver::create(dir, &sent.offer.name, sent.offer.size).unwrap();
        let mut receiver = BackgroundReceiver::start(file).unwrap();
        for chunk in sent.chunks {
            receiver.write_chunk(chunk.index, &chunk.data)?;
        }
        receiver.finish(sent.complete.size, &sent.complete.sha256)
    }

    #[test]
    fn a_file_bigger_than_the_writeback_step_goes_to_the_disk_as_it_arrives() {
        let src = tempfile::tempdir().unwrap();
        let dst = tempfile::tempdir().unwrap();
        let path = src.path().join("video.mp4");
        let content: Vec<u8> = (0..1_000_003u32).map(|i| (i * 7 % 251) as u8).collect();
        fs::write(&path, &content).unwrap();
        let sent = send_all(&path, 4096);
        let file = FileReceiver::create(dst.path(), &sent.offer.name, sent.offer.size).unwrap();
        let mut receiver = BackgroundReceiver::start_with_writeback(file, 100_000).unwrap();
        for chunk in sent.chunks {
            receiver.write_chunk(chunk.index, &chunk.data).unwrap();
        }
        let checked = receiver
            .check(sent.complete.size, &sent.complete.sha256)
            .unwrap();
        // Ten steps' worth: at least one flush was made while it arrived
        // (requests made while one is under way fold into it).
        assert!(checked.0.early_flushes >= 1);
        let saved = checked.save().unwrap();
        assert_eq!(fs::read(saved).unwrap(), content);
    }

    #[test]
    fn a_file_written_in_the_background_round_trips() {
        let src = tempfile::tempdir().unwrap();
        let dst = tempfile::tempdir().unwrap();
        let path = src.path().join("photo.jpg");
        // Several batches' worth, and not a multiple of any chunk size.
        let content: Vec<u8> = (0..300_001u32).map(|i| (i * 13 % 253) as u8).collect();
        fs::write(&path, &content).unwrap();
        for chunk in [1000, 4096, 200_000] {
            let saved = receive_all_in_background(dst.path(), send_all(&path, chunk)).unwrap();
            assert_eq!(fs::read(&saved).unwrap(), content, "chunk {chunk}");
            fs::remove_file(saved).unwrap();
        }
    }

    #[test]
    fn the_background_receiver_refuses_a_bad_chunk_at_once_and_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let file = FileReceiver::create(dir.path(), "x", 4).unwrap();
        let mut receiver = BackgroundReceiver::start(file).unwrap();
        assert!(matches!(
            receiver.write_chunk(1, "YQ=="),
            Err(TransferError::OutOfOrder {
                expected: 0,
                got: 1
            })
        ));
        assert!(matches!(
            receiver.write_chunk(0, "Y*=="),
            Err(TransferError::BadChunk(_))
        ));
        receiver.write_chunk(0, "YWJj").unwrap(); // "abc"
        assert!(matches!(
            receiver.write_chunk(1, "YWI="), // 2 more: past the 4 announced
            Err(TransferError::TooMuchData { size: 4 })
        ));
        assert_eq!(receiver.received(), 3);
        drop(receiver);
        assert!(entries(dir.path()).is_empty(), "the .part file is gone");
    }

    #[test]
    fn the_background_receiver_checks_size_and_checksum() {
        let dir = tempfile::tempdir().unwrap();
        let file = FileReceiver::create(dir.path(), "x.txt", 3).unwrap();
        let mut receiver = BackgroundReceiver::start(file).unwrap();
        receiver.write_chunk(0, &base64::encode(b"abc")).unwrap();
        let wrong = sha256::to_hex(&sha256::digest(b"abd"));
        assert!(matches!(
            receiver.finish(3, &wrong),
            Err(TransferError::ChecksumMismatch)
        ));
        assert!(entries(dir.path()).is_empty());
    }

    #[test]
    fn an_empty_file_has_no_chunks() {
        let src = tempfile::tempdir().unwrap();
        let path = src.path().join("empty");
        fs::write(&path, b"").unwrap();
        let sent = send_all(&path, 4096);
        assert!(sent.chunks.is_empty());
        let saved = receive_all(src.path().join("in").as_path(), sent).unwrap();
        assert_eq!(fs::read(saved).unwrap(), b"");
    }

    #[test]
    fn a_wrong_checksum_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let mut receiver = FileReceiver::create(dir.path(), "x.txt", 3).unwrap();
        receiver.write_chunk(0, &base64::encode(b"abc")).unwrap();
        assert!(dir.path().join("x.txt.part").exists());
        let wrong = sha256::to_hex(&sha256::digest(b"abd"));
        assert!(matches!(
            receiver.finish(3, &wrong),
            Err(TransferError::ChecksumMismatch)
        ));
        assert!(entries(dir.path()).is_empty());
    }

    #[test]
    fn bad_chunks_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut receiver = FileReceiver::create(dir.path(), "x", 4).unwrap();
        assert!(matches!(
            receiver.write_chunk(1, "YQ=="),
            Err(TransferError::OutOfOrder {
                expected: 0,
                got: 1
            })
        ));
        assert!(matches!(
            receiver.write_chunk(0, "not base64!"),
            Err(TransferError::BadChunk(_))
        ));
        receiver.write_chunk(0, "YWJj").unwrap();
        assert!(matches!(
            receiver.write_chunk(1, "YWJj"),
            Err(TransferError::TooMuchData { size: 4 })
        ));
        assert!(matches!(
            receiver.finish(4, "00"),
            Err(TransferError::SizeMismatch {
                expected: 4,
                received: 3
            })
        ));
        assert!(entries(dir.path()).is_empty());
    }

    #[test]
    fn dropping_an_unfinished_transfer_deletes_the_part_file() {
        let dir = tempfile::tempdir().unwrap();
        let receiver = FileReceiver::create(dir.path(), "x", 10).unwrap();
        assert_eq!(entries(dir.path()), ["x.part"]);
        drop(receiver);
        assert!(entries(dir.path()).is_empty());
    }

    #[test]
    fn concurrent_transfers_of_one_name_reserve_different_part_files() {
        let dir = tempfile::tempdir().unwrap();
        let a = FileReceiver::create(dir.path(), "same.txt", 0).unwrap();
        let b = FileReceiver::create(dir.path(), "same.txt", 0).unwrap();
        assert_eq!(entries(dir.path()), ["same (1).txt.part", "same.txt.part"]);
        let empty = sha256::to_hex(&sha256::digest(b""));
        // The second one finishes first and still gets its own name.
        let b_path = b.finish(0, &empty).unwrap();
        let a_path = a.finish(0, &empty).unwrap();
        assert_ne!(a_path, b_path);
        assert_eq!(entries(dir.path()), ["same (1).txt", "same.txt"]);
    }

    #[test]
    fn a_file_that_appears_meanwhile_is_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let receiver = FileReceiver::create(dir.path(), "a.txt", 0).unwrap();
        fs::write(dir.path().join("a.txt"), b"someone else's").unwrap();
        let empty = sha256::to_hex(&sha256::digest(b""));
        let saved = receiver.finish(0, &empty).unwrap();
        assert_eq!(saved, dir.path().join("a (1).txt"));
        assert_eq!(
            fs::read(dir.path().join("a.txt")).unwrap(),
            b"someone else's"
        );
        assert_eq!(entries(dir.path()), ["a (1).txt", "a.txt"]);
    }

    #[test]
    fn sending_refuses_missing_files_and_directories() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            FileSender::open(&dir.path().join("nope"), 4096),
            Err(OpenError::NotFound)
        ));
        assert!(matches!(
            FileSender::open(dir.path(), 4096),
            Err(OpenError::IsDirectory)
        ));
    }

    /// `/dev/zero` has a size of 0 and never ends: it used to be "sent" as
    /// an empty file.
    #[cfg(unix)]
    #[test]
    fn sending_refuses_devices() {
        assert!(matches!(
            FileSender::open(Path::new("/dev/zero"), 4096),
            Err(OpenError::NotAFile(Special::Device))
        ));
    }

    /// A named pipe is refused, and opening one never waits for a writer:
    /// `open_without_waiting` returns at once (without the flag it would
    /// hang here, so it runs on a thread, watched with a deadline).
    #[cfg(unix)]
    #[test]
    fn sending_refuses_a_fifo_without_waiting_for_a_writer() {
        use std::sync::mpsc;
        use std::time::Duration;
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            eprintln!("mkfifo is not available here: skipped");
            return;
        }
        let (tx, rx) = mpsc::channel();
        let path = fifo.clone();
        std::thread::spawn(move || {
            let opened = open_without_waiting(&path).map(|f| f.metadata().map(|m| m.is_file()));
            let _ = tx.send(opened.is_ok());
        });
        assert_eq!(
            rx.recv_timeout(Duration::from_secs(20)),
            Ok(true),
            "opening a FIFO waited for a writer"
        );
        assert!(matches!(
            FileSender::open(&fifo, 4096),
            Err(OpenError::NotAFile(Special::Fifo))
        ));
    }
}
