//! One room's log on disk: a file of JSON lines, one message per line, only
//! ever added to at the end; and reading such a file back after a crash.
//!
//! ```text
//! {"seq": 1, "sender": "Alice", "timestamp": 1700000000, "text": "hi"}
//! {"seq": 2, "sender": "\u674e\u96f7", "timestamp": 1700000004, "text": "\u4f60\u597d"}
//! ```
//!
//! A line is the unit of everything here, so it must be impossible for a
//! message to span two lines: our JSON encoder (`crate::json`) writes a
//! newline inside a text as the two characters `\n` and never puts a raw
//! line break in its output. The file is therefore cut into messages by its
//! `\n` bytes alone, without parsing, and damage stays inside the line it
//! hit.
//!
//! # What a crash leaves behind
//!
//! Lines are written whole, with one `write` per batch, but a `write` is not
//! atomic against a power cut: the file can end in the first half of a line
//! (a *torn* write), or, after a disk or file-system fault, hold a line of
//! garbage anywhere. [`scan`] reads the file one line at a time and keeps
//! every line it can understand:
//!
//! - a line that is not a JSON object with the four fields, or whose `seq`
//!   is not above the line before it, is **corrupt**: it is skipped and
//!   counted, and the next line is read as if nothing had happened;
//! - a last line without its `\n` is **torn**. If it is a whole message
//!   nonetheless (only the newline was lost), it is kept. Otherwise it is
//!   counted, and [`recover`] cuts it off the file, so that it is reported
//!   once rather than at every start, and so that the next append starts a
//!   fresh line instead of gluing itself to half a message;
//! - blank lines are ignored (the writer leaves one behind when it starts a
//!   fresh line after a failed write).
//!
//! `docs/08-rooms-and-history.md` tells the longer story.

use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::sync::Arc;

use super::Entry;
use crate::json::{self, Object, Value};

/// The longest line [`scan`] reads into memory. A text is at most
/// `--max-text` bytes, itself bounded by the frame limit (at most 16 MiB),
/// and JSON escaping makes a text at most six times longer (`\u0001` for
/// one byte), so no line we write comes near this. A longer line is
/// skipped as corrupt without being held in memory.
pub const MAX_LINE: usize = 128 << 20;
const _: () = assert!(MAX_LINE > 6 * (16 << 20), "a line we write must fit");

/// How many corrupt line numbers a report lists (it counts them all).
pub const LISTED_LINES: usize = 10;

/// One message as a line of the file, newline included.
pub fn encode_line(entry: &Entry, out: &mut Vec<u8>) {
    let mut line = Object::new();
    line.insert("seq", entry.seq);
    line.insert("sender", entry.sender.as_str());
    line.insert("timestamp", entry.timestamp);
    line.insert("text", entry.text.as_str());
    out.extend_from_slice(json::to_string(&Value::from(line)).as_bytes());
    out.push(b'\n');
}

/// The message on one line (without its `\n`), or `None` if the line is
/// not one. Keys we do not know are ignored, so that a later version can
/// add fields without making today's server call its files corrupt.
pub fn decode_line(line: &[u8]) -> Option<Entry> {
    let value = json::parse(line).ok()?;
    let object = value.as_object()?;
    let field = |key| object.get(key);
    Some(Entry {
        seq: field("seq")?.as_u64().filter(|&seq| seq > 0)?,
        sender: field("sender")?.as_str()?.to_string(),
        timestamp: field("timestamp")?.as_i64()?,
        text: field("text")?.as_str()?.to_string(),
    })
}

/// What reading a log file found.
#[derive(Debug, Default)]
pub struct Scan {
    /// The last `keep` messages, oldest first.
    pub tail: VecDeque<Arc<Entry>>,
    /// Messages read (all of them, not only the `tail`).
    pub messages: usize,
    /// Lines the file holds, corrupt ones included: what compaction counts.
    pub lines: usize,
    /// The highest `seq` in the file, 0 if none.
    pub last_seq: u64,
    /// Corrupt lines: how many, and the numbers (from 1) of the first
    /// [`LISTED_LINES`] of them.
    pub corrupt: usize,
    pub corrupt_lines: Vec<u64>,
    /// A torn last line that is not a message.
    pub torn: Option<Torn>,
    /// Whether the file ends with `\n` (or is empty), so that the next line
    /// can be appended as it is.
    pub ends_with_newline: bool,
}

/// A last line that was cut short.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Torn {
    /// Its line number, from 1.
    pub line: u64,
    /// Where it starts: the file's length without it.
    pub offset: u64,
    /// How long it is.
    pub bytes: u64,
}

impl Scan {
    fn keep(&mut self, entry: Entry, keep: usize) {
        self.messages += 1;
        self.last_seq = entry.seq;
        if self.tail.len() == keep {
            self.tail.pop_front();
        }
        self.tail.push_back(Arc::new(entry));
    }

    fn corrupt(&mut self, line: u64) {
        self.corrupt += 1;
        if self.corrupt_lines.len() < LISTED_LINES {
            self.corrupt_lines.push(line);
        }
    }
}

/// Reads a whole log, keeping the last `keep` messages (at least one).
/// Memory stays bounded by `keep` messages and one line, however long the
/// file is. Only an error reading the bytes is an error: damage is counted
/// in the [`Scan`].
pub fn scan(input: impl Read, keep: usize) -> io::Result<Scan> {
    scan_lines(input, keep, MAX_LINE)
}

/// [`scan`] with a line limit of our choosing (tests use a small one).
fn scan_lines(input: impl Read, keep: usize, max_line: usize) -> io::Result<Scan> {
    let keep = keep.max(1);
    let mut reader = BufReader::with_capacity(64 * 1024, input);
    let mut scan = Scan {
        ends_with_newline: true,
        ..Scan::default()
    };
    let mut line = Vec::new();
    let (mut offset, mut number) = (0u64, 0u64);
    while let Some(raw) = read_line(&mut reader, &mut line, max_line)? {
        number += 1;
        let start = offset;
        offset += raw.bytes;
        scan.ends_with_newline = raw.newline;
        if !raw.too_long && line.iter().all(u8::is_ascii_whitespace) {
            continue; // blank
        }
        let entry = (!raw.too_long)
            .then(|| decode_line(&line))
            .flatten()
            .filter(|entry| entry.seq > scan.last_seq);
        match entry {
            Some(entry) => {
                scan.lines += 1;
                scan.keep(entry, keep);
            }
            None if raw.newline => {
                scan.lines += 1;
                scan.corrupt(number);
            }
            // No `\n` means the end of the file: the last line was torn.
            None => {
                scan.torn = Some(Torn {
                    line: number,
                    offset: start,
                    bytes: raw.bytes,
                });
            }
        }
    }
    Ok(scan)
}

/// How one line of the file ended.
struct RawLine {
    /// Bytes it took in the file, `\n` included.
    bytes: u64,
    /// Whether it ended with `\n` (else the file ended).
    newline: bool,
    /// Longer than the limit: `line` was left empty.
    too_long: bool,
}

/// Reads one line into `line` (without its `\n`), or `None` at the end of
/// the file. A line over `max_line` bytes is read to its end but not kept.
fn read_line(
    reader: &mut impl BufRead,
    line: &mut Vec<u8>,
    max_line: usize,
) -> io::Result<Option<RawLine>> {
    line.clear();
    let mut raw = RawLine {
        bytes: 0,
        newline: false,
        too_long: false,
    };
    loop {
        let buffer = reader.fill_buf()?;
        if buffer.is_empty() {
            return Ok((raw.bytes > 0).then_some(raw));
        }
        let end = buffer.iter().position(|&b| b == b'\n');
        let piece = &buffer[..end.unwrap_or(buffer.len())];
        if !raw.too_long {
            if line.len() + piece.len() > max_line {
                raw.too_long = true;
                *line = Vec::new();
            } else {
                line.extend_from_slice(piece);
            }
        }
        let used = piece.len() + usize::from(end.is_some());
        reader.consume(used);
        raw.bytes += used as u64;
        if end.is_some() {
            raw.newline = true;
            return Ok(Some(raw));
        }
    }
}

/// Reads a room's file on start ([`scan`]), and cuts a torn last line off
/// it, so that the next message starts on a line of its own. If the cut
/// fails (a read-only file, say), `ends_with_newline` stays false and the
/// writer starts its first line with a `\n` instead: the torn bytes then
/// stay as a corrupt line, and the next message is still whole.
pub fn recover(path: &Path, keep: usize) -> io::Result<Scan> {
    let mut scan = scan(File::open(path)?, keep)?;
    if let Some(torn) = scan.torn {
        let cut = OpenOptions::new()
            .write(true)
            .open(path)
            .and_then(|file| file.set_len(torn.offset));
        scan.ends_with_newline = cut.is_ok();
    }
    Ok(scan)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: u64, text: &str) -> Entry {
        Entry {
            seq,
            sender: "Alice".to_string(),
            timestamp: 1_700_000_000 + seq as i64,
            text: text.to_string(),
        }
    }

    fn lines(entries: &[Entry]) -> Vec<u8> {
        let mut out = Vec::new();
        for e in entries {
            encode_line(e, &mut out);
        }
        out
    }

    fn seqs(scan: &Scan) -> Vec<u64> {
        scan.tail.iter().map(|e| e.seq).collect()
    }

    #[test]
    fn a_line_is_the_json_the_docs_show() {
        let mut out = Vec::new();
        encode_line(&entry(1, "hi"), &mut out);
        assert_eq!(
            out,
            b"{\"seq\": 1, \"sender\": \"Alice\", \"timestamp\": 1700000001, \"text\": \"hi\"}\n"
        );
    }

    #[test]
    fn newlines_and_chinese_stay_inside_one_line() {
        let e = entry(7, "第一行\n第二行\r\n\u{2028}end");
        let out = lines(std::slice::from_ref(&e));
        assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 1);
        assert!(out.is_ascii());
        assert_eq!(decode_line(&out[..out.len() - 1]), Some(e));
    }

    #[test]
    fn a_clean_file_reads_back_whole() {
        let all: Vec<Entry> = (1..=5).map(|s| entry(s, "x")).collect();
        let scan = scan(&lines(&all)[..], 3).expect("read");
        assert_eq!(seqs(&scan), [3, 4, 5]);
        assert_eq!((scan.messages, scan.lines, scan.last_seq), (5, 5, 5));
        assert_eq!((scan.corrupt, scan.torn), (0, None));
        assert!(scan.ends_with_newline);
    }

    #[test]
    fn a_torn_last_line_loses_that_line_only() {
        let mut bytes = lines(&[entry(1, "a"), entry(2, "b")]);
        let whole = bytes.len() as u64;
        let third = lines(&[entry(3, "c")]);
        bytes.extend_from_slice(&third[..third.len() / 2]);
        let scan = scan(&bytes[..], 10).expect("read");
        assert_eq!(seqs(&scan), [1, 2]);
        let torn = scan.torn.expect("torn");
        assert_eq!((torn.line, torn.offset), (3, whole));
        assert_eq!(torn.bytes as usize, third.len() / 2);
        assert_eq!((scan.corrupt, scan.lines), (0, 2));
        assert!(!scan.ends_with_newline);
    }

    #[test]
    fn a_last_line_that_lost_only_its_newline_is_kept() {
        let mut bytes = lines(&[entry(1, "a"), entry(2, "b")]);
        bytes.pop();
        let scan = scan(&bytes[..], 10).expect("read");
        assert_eq!(seqs(&scan), [1, 2]);
        assert_eq!(scan.torn, None);
        assert!(!scan.ends_with_newline, "the next append needs a newline");
    }

    #[test]
    fn a_corrupt_middle_line_loses_that_line_only() {
        let mut bytes = lines(&[entry(1, "a")]);
        bytes.extend_from_slice(b"{\"seq\": 2, \"sender\": \"Al\xffice\"\n");
        bytes.extend_from_slice(b"\x00\x00\x00 garbage from a bad sector\n");
        bytes.extend(lines(&[entry(3, "c"), entry(4, "d")]));
        let scan = scan(&bytes[..], 10).expect("read");
        assert_eq!(seqs(&scan), [1, 3, 4]);
        assert_eq!(scan.corrupt, 2);
        assert_eq!(scan.corrupt_lines, [2, 3]);
        assert_eq!(scan.lines, 5);
        assert_eq!(scan.torn, None);
    }

    #[test]
    fn lines_that_are_json_but_not_messages_are_corrupt() {
        let mut bytes = Vec::new();
        for bad in [
            "[1, 2]",
            "{\"seq\": 0, \"sender\": \"a\", \"timestamp\": 1, \"text\": \"x\"}",
            "{\"seq\": -1, \"sender\": \"a\", \"timestamp\": 1, \"text\": \"x\"}",
            "{\"seq\": 1, \"sender\": 5, \"timestamp\": 1, \"text\": \"x\"}",
            "{\"seq\": 1, \"sender\": \"a\", \"text\": \"x\"}",
            "{\"seq\": 1.5, \"sender\": \"a\", \"timestamp\": 1, \"text\": \"x\"}",
        ] {
            bytes.extend_from_slice(bad.as_bytes());
            bytes.push(b'\n');
        }
        let scan = scan(&bytes[..], 10).expect("read");
        assert_eq!((scan.messages, scan.corrupt), (0, 6));
    }

    #[test]
    fn a_seq_that_goes_backwards_is_corrupt() {
        let bytes = lines(&[entry(1, "a"), entry(5, "b"), entry(3, "c"), entry(6, "d")]);
        let scan = scan(&bytes[..], 10).expect("read");
        assert_eq!(seqs(&scan), [1, 5, 6]);
        assert_eq!(scan.corrupt_lines, [3]);
    }

    #[test]
    fn unknown_keys_are_ignored_and_blank_lines_skipped() {
        let text = "\n{\"seq\": 1, \"sender\": \"a\", \"timestamp\": 1, \"text\": \"x\", \"room\": \"r\"}\n\n \r\n";
        let scan = scan(text.as_bytes(), 10).expect("read");
        assert_eq!((scan.messages, scan.lines, scan.corrupt), (1, 1, 0));
    }

    #[test]
    fn only_the_first_corrupt_line_numbers_are_listed() {
        let bytes = "nonsense\n".repeat(LISTED_LINES + 5);
        let scan = scan(bytes.as_bytes(), 10).expect("read");
        assert_eq!(scan.corrupt, LISTED_LINES + 5);
        assert_eq!(scan.corrupt_lines.len(), LISTED_LINES);
    }

    #[test]
    fn a_line_longer_than_the_limit_is_skipped_without_being_kept() {
        let rest = lines(&[entry(1, "after")]);
        let mut input = vec![b'x'; 100_000];
        input.push(b'\n');
        input.extend_from_slice(&rest);
        input.extend(std::iter::repeat_n(b'y', 100_000)); // and a torn one
        let scan = scan_lines(&input[..], 10, 1000).expect("read");
        assert_eq!(seqs(&scan), [1]);
        assert_eq!(scan.corrupt_lines, [1]);
        let torn = scan.torn.expect("the long last line is torn");
        assert_eq!((torn.line, torn.bytes), (3, 100_000));
    }

    #[test]
    fn recover_cuts_a_torn_tail_off_the_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("room-a.jsonl");
        let mut bytes = lines(&[entry(1, "a")]);
        let whole = bytes.len() as u64;
        bytes.extend_from_slice(b"{\"seq\": 2, \"sen");
        std::fs::write(&path, &bytes).expect("write");
        let scan = recover(&path, 10).expect("recover");
        assert_eq!(seqs(&scan), [1]);
        assert!(scan.torn.is_some());
        assert!(scan.ends_with_newline);
        assert_eq!(std::fs::metadata(&path).expect("meta").len(), whole);
        // Read again: nothing left to report.
        let again = recover(&path, 10).expect("recover");
        assert_eq!((again.torn, again.corrupt, again.messages), (None, 0, 1));
    }
}
