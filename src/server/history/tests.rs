//! Tests of the parts of the history that the public API does not reach:
//! a crash at each step of compaction, the queue's bound, many rooms with
//! few descriptors, fsync after every batch. (`tests/history.rs` tests the
//! API the server calls.)

use std::fs;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use super::compact::write_kept_tail;
use super::file_name::{file_name, room_key};
use super::writer::{Job, MAX_OPEN_FILES, MAX_QUEUED, Queue};
use super::*;
use crate::server::durable::temp_path;

const DEADLINE: Duration = Duration::from_secs(20);

fn quiet(keep: usize) -> Options {
    let mut options = Options::new(keep);
    options.reporter = Box::new(|problem| panic!("unexpected problem: {problem}"));
    options
}

fn fill(dir: &Path, room: &str, count: u64) {
    let (history, _) = History::open(dir, quiet(1000)).expect("open");
    for i in 1..=count {
        history
            .append(room, "Bob", i as i64, &format!("m{i}"))
            .expect("append");
    }
    history.shutdown();
}

fn room_path(dir: &Path, room: &str) -> std::path::PathBuf {
    dir.join(file_name(&room_key(room).expect("key")))
}

fn seqs(history: &History, room: &str) -> Vec<u64> {
    history
        .last(room, usize::MAX)
        .iter()
        .map(|e| e.seq)
        .collect()
}

#[test]
fn a_crash_while_compaction_writes_its_temp_file_loses_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    fill(dir.path(), "lobby", 30);
    let path = room_path(dir.path(), "lobby");
    let before = fs::read(&path).expect("read");
    // Steps 1 and 2 ran completely, or halfway: either way the rename did
    // not happen.
    for whole in [true, false] {
        let (temp, _) = write_kept_tail(&path, 10).expect("tail");
        if !whole {
            let bytes = fs::read(&temp).expect("temp");
            fs::write(&temp, &bytes[..bytes.len() / 2]).expect("tear the temp file");
        }
        let (history, report) = History::open(dir.path(), quiet(1000)).expect("open");
        assert_eq!(report.removed_temp, ["room-lobby.jsonl.tmp"]);
        assert!(!temp.exists());
        assert_eq!(seqs(&history, "lobby"), (1..=30).collect::<Vec<_>>());
        assert_eq!(fs::read(&path).expect("read"), before);
    }
}

#[test]
fn a_crash_right_after_the_rename_leaves_the_kept_tail() {
    let dir = tempfile::tempdir().expect("temp dir");
    fill(dir.path(), "lobby", 30);
    let path = room_path(dir.path(), "lobby");
    let (temp, _) = write_kept_tail(&path, 10).expect("tail");
    fs::rename(&temp, &path).expect("rename"); // and no folder sync: the crash
    let (history, report) = History::open(dir.path(), quiet(1000)).expect("open");
    assert!(report.removed_temp.is_empty());
    assert_eq!(seqs(&history, "lobby"), (21..=30).collect::<Vec<_>>());
    assert_eq!(
        history
            .append("lobby", "Bob", 0, "next")
            .expect("append")
            .seq,
        31
    );
}

#[test]
fn compaction_under_way_never_leaves_a_temp_file_behind() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (history, _) = History::open(dir.path(), quiet(5)).expect("open");
    let path = room_path(dir.path(), "lobby");
    for i in 1..=100u64 {
        history.append("lobby", "Bob", 0, "x").expect("append");
        assert!(history.wait_for(DEADLINE, |p| p.written >= i));
        assert!(!temp_path(&path).exists(), "after {i}");
    }
}

#[test]
fn the_queue_is_bounded_and_counts_what_it_refused() {
    let queue = Queue::new();
    let entry = Arc::new(Entry {
        seq: 1,
        sender: "a".into(),
        timestamp: 0,
        text: "x".into(),
    });
    for _ in 0..MAX_QUEUED + 3 {
        queue.push(Job {
            key: "lobby".into(),
            entry: entry.clone(),
        });
    }
    let mut jobs = Vec::new();
    let taken = queue.take_for_test(&mut jobs);
    assert_eq!((jobs.len(), taken), (MAX_QUEUED, 3));
}

#[test]
fn more_rooms_than_open_files_are_all_written() {
    let dir = tempfile::tempdir().expect("temp dir");
    let rooms = MAX_OPEN_FILES + 20;
    let (history, _) = History::open(dir.path(), quiet(100)).expect("open");
    for round in 0..3 {
        for r in 0..rooms {
            history
                .append(&format!("room{r}"), "Bob", 0, &format!("{round}"))
                .expect("append");
        }
    }
    let done = history.shutdown();
    assert_eq!(
        (done.written, done.synced),
        (3 * rooms as u64, 3 * rooms as u64)
    );
    let (history, report) = History::open(dir.path(), quiet(100)).expect("reopen");
    assert_eq!(report.rooms.len(), rooms);
    for r in 0..rooms {
        assert_eq!(seqs(&history, &format!("room{r}")), [1, 2, 3]);
    }
}

#[test]
fn a_zero_sync_interval_syncs_after_every_batch() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut options = quiet(100);
    options.sync_interval = Duration::ZERO;
    let (history, _) = History::open(dir.path(), options).expect("open");
    for i in 1..=20u64 {
        history.append("lobby", "Bob", 0, "x").expect("append");
        assert!(history.wait_for(DEADLINE, |p| p.synced >= i));
    }
}

#[test]
fn the_open_report_reads_well() {
    let dir = tempfile::tempdir().expect("temp dir");
    fill(dir.path(), "Lobby", 3);
    fill(dir.path(), "张伟的房间", 1);
    let (_, report) = History::open(dir.path(), quiet(100)).expect("open");
    assert_eq!(
        report.log_lines(),
        [format!(
            "history: kept in {}: 4 messages in 2 rooms",
            dir.path().display()
        )]
    );
}

#[test]
fn a_damage_report_lists_the_first_lines_and_counts_the_rest() {
    let room = RoomRecovery {
        room: "lobby".to_string(),
        messages: 900,
        last_seq: 930,
        corrupt: 12,
        corrupt_lines: (1..=10).collect(),
        torn: Some(Torn {
            line: 931,
            offset: 0,
            bytes: 17,
        }),
    };
    assert_eq!(
        room.to_string(),
        "history: room \"lobby\": 12 corrupt lines skipped (lines 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, \
         and 2 more), a torn last line cut off (line 931, 17 bytes); 900 messages read, up to seq 930"
    );
}
