//! Keeping a room's file bounded: the kept tail is written to a new file,
//! and the new file replaces the old one by `rename`.
//!
//! An append-only file only grows. A room needs its last `keep` messages
//! (`--history-keep`, 1000 by default) and nothing older, so once a file
//! holds about twice that many lines the writer thread rewrites it. Doing
//! it at twice, not at `keep + 1`, means one rewrite of `keep` lines per
//! `keep` appends: a constant cost per message, instead of a rewrite of the
//! whole file after every one.
//!
//! The rewrite must survive a crash at any moment. Rewriting the file in
//! place could not: a crash halfway would leave half a file. Instead:
//!
//! ```text
//! 1. write the kept lines to room-x.jsonl.tmp     crash: old file whole, tmp ignored
//! 2. fsync room-x.jsonl.tmp                        crash: old file whole, tmp ignored
//! 3. rename room-x.jsonl.tmp → room-x.jsonl        crash: old or new, each whole
//! 4. fsync the folder                              (makes the rename itself durable)
//! ```
//!
//! POSIX promises that `rename` over an existing file is atomic: anyone
//! opening the name sees the old file or the new one, never a mixture, and
//! never no file at all. (On Windows std uses a replacing rename too, and
//! NTFS journals it, though Windows documents less than POSIX does.) Step
//! 2 must come before step 3: without it, a power cut could leave the
//! rename on disk but not the data it points to, an empty or partial new
//! file under the old name. Step 4 is needed because a file's name lives in
//! its folder, which is a file of its own with its own dirty pages.
//!
//! A leftover `.tmp` from a crash in step 1 or 2 is deleted when the folder
//! is opened again (see `History::open`); the old file next to it is whole.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use super::log::{encode_line, scan};
use crate::server::durable::{sync_dir, temp_path};

/// What a compaction did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Compacted {
    /// Lines in the new file: the newest `keep` messages.
    pub kept: usize,
    /// Lines of the old file that are gone (older messages, corrupt lines).
    pub dropped: usize,
}

/// Rewrites `path` (a room's file in `dir`) to hold its newest `keep`
/// messages only. The file must not be open for appending meanwhile: the
/// caller (the writer thread) closes its handle first and reopens it after.
pub fn compact(dir: &Path, path: &Path, keep: usize) -> io::Result<Compacted> {
    let (temp, compacted) = write_kept_tail(path, keep)?;
    install(&temp, path, dir)?;
    Ok(compacted)
}

/// Steps 1 and 2: the newest `keep` messages of `path`, written to its temp
/// file and synced. On failure the temp file is removed (best effort: a
/// leftover is cleaned up at the next start anyway).
pub fn write_kept_tail(path: &Path, keep: usize) -> io::Result<(PathBuf, Compacted)> {
    let old = scan(File::open(path)?, keep)?;
    let temp = temp_path(path);
    let written = (|| {
        let mut out = BufWriter::new(File::create(&temp)?);
        let mut line = Vec::new();
        for entry in &old.tail {
            line.clear();
            encode_line(entry, &mut line);
            out.write_all(&line)?;
        }
        let file = out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&temp);
        return Err(e);
    }
    let kept = old.tail.len();
    let dropped = old.lines + usize::from(old.torn.is_some()) - kept;
    Ok((temp, Compacted { kept, dropped }))
}

/// Steps 3 and 4: the synced temp file takes the old file's name, and the
/// folder is synced so that the new name is on disk too.
pub fn install(temp: &Path, path: &Path, dir: &Path) -> io::Result<()> {
    fs::rename(temp, path)?;
    sync_dir(dir)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::history::Entry;
    use crate::server::history::log::Scan;

    fn write_log(path: &Path, seqs: std::ops::RangeInclusive<u64>) {
        let mut bytes = Vec::new();
        for seq in seqs {
            let entry = Entry {
                seq,
                sender: "Bob".to_string(),
                timestamp: seq as i64,
                text: format!("message {seq}"),
            };
            encode_line(&entry, &mut bytes);
        }
        fs::write(path, bytes).expect("write log");
    }

    fn read(path: &Path) -> Scan {
        scan(File::open(path).expect("open"), usize::MAX).expect("scan")
    }

    fn seqs(scan: &Scan) -> Vec<u64> {
        scan.tail.iter().map(|e| e.seq).collect()
    }

    #[test]
    fn compaction_keeps_the_newest_messages() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("room-a.jsonl");
        write_log(&path, 1..=25);
        let done = compact(dir.path(), &path, 10).expect("compact");
        assert_eq!(
            done,
            Compacted {
                kept: 10,
                dropped: 15
            }
        );
        assert_eq!(seqs(&read(&path)), (16..=25).collect::<Vec<_>>());
        assert!(!temp_path(&path).exists());
    }

    #[test]
    fn compaction_drops_corrupt_lines_and_a_torn_tail() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("room-a.jsonl");
        write_log(&path, 1..=3);
        let mut bytes = fs::read(&path).expect("read");
        bytes.extend_from_slice(b"garbage\n{\"seq\": 4");
        fs::write(&path, bytes).expect("write");
        let done = compact(dir.path(), &path, 10).expect("compact");
        assert_eq!(
            done,
            Compacted {
                kept: 3,
                dropped: 2
            }
        );
        let after = read(&path);
        assert_eq!((after.corrupt, after.torn, after.messages), (0, None, 3));
    }

    #[test]
    fn a_crash_before_the_rename_leaves_the_old_file_whole() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("room-a.jsonl");
        write_log(&path, 1..=25);
        let before = fs::read(&path).expect("read");
        // Steps 1 and 2 ran, then the process died.
        let (temp, _) = write_kept_tail(&path, 10).expect("tail");
        assert_eq!(fs::read(&path).expect("read"), before);
        assert_eq!(seqs(&read(&temp)), (16..=25).collect::<Vec<_>>());
    }

    #[test]
    fn a_crash_after_the_rename_leaves_the_new_file_whole() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("room-a.jsonl");
        write_log(&path, 1..=25);
        let (temp, _) = write_kept_tail(&path, 10).expect("tail");
        fs::rename(&temp, &path).expect("rename"); // step 3, then the crash
        assert_eq!(seqs(&read(&path)), (16..=25).collect::<Vec<_>>());
        assert!(!temp.exists());
    }

    #[test]
    fn a_failed_rewrite_leaves_no_temp_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("room-a.jsonl");
        assert!(compact(dir.path(), &path, 10).is_err(), "no such file");
        assert!(!temp_path(&path).exists());
    }
}
