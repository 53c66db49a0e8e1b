//! The history log through the API the server calls (contract §9): numbers
//! that continue across restarts, damage that costs one line, room names
//! that cannot leave the folder, many threads at once, and shutdown.
//!
//! No server process here: these open a history folder in a temporary
//! directory, as the server does on start, and look at the files it
//! leaves. Waiting is for events ([`History::wait_for`]), never for a time.

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use std::time::Duration;

use socket_chat::server::history::{Entry, History, HistoryError, OpenReport, Options, Problem};

/// How long a test waits for the writer before it calls that a failure.
const DEADLINE: Duration = Duration::from_secs(20);

/// Held while this test process starts a child, and while a test opens a
/// history folder.
///
/// Starting a child copies every open file descriptor into it until the
/// child executes its program (then the ones marked close-on-exec, as Rust
/// marks every file, are closed). A folder's lock belongs to the open file,
/// so for that moment a child holds the lock of whatever history another
/// test had open: a test that shuts its history down and at once opens the
/// folder again would find it locked, "in use by another server". With
/// this held around both, no copy is ever alive while a folder is opened.
static SPAWNING: Mutex<()> = Mutex::new(());

/// Opens a history folder with no child being started meanwhile (see
/// [`SPAWNING`]).
fn open_history(dir: &Path, options: Options) -> Result<(History, OpenReport), HistoryError> {
    let _no_spawn = SPAWNING.lock().unwrap_or_else(|e| e.into_inner());
    History::open(dir, options)
}

/// A history folder inside a temporary directory of its own.
struct Folder {
    _temp: tempfile::TempDir,
    outer: PathBuf,
    dir: PathBuf,
}

impl Folder {
    fn new() -> Self {
        let temp = tempfile::tempdir().expect("temp dir");
        let outer = temp.path().join("outer");
        let dir = outer.join("history");
        Folder {
            _temp: temp,
            outer,
            dir,
        }
    }

    /// Opens the history with `keep`, problems going to the receiver.
    fn open(&self, keep: usize) -> (History, OpenReport, Receiver<Problem>) {
        let (tx, rx) = channel();
        let mut options = Options::new(keep);
        options.reporter = Box::new(move |p| {
            let _ = tx.send(p);
        });
        let (history, report) = open_history(&self.dir, options).expect("open history");
        (history, report, rx)
    }

    /// The room files in the folder, by name.
    fn files(&self) -> BTreeSet<String> {
        fs::read_dir(&self.dir)
            .expect("read dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .filter(|name| name != "lock")
            .collect()
    }

    fn only_file(&self) -> PathBuf {
        let files = self.files();
        assert_eq!(files.len(), 1, "{files:?}");
        self.dir.join(files.first().expect("one"))
    }
}

fn texts(history: &History, room: &str) -> Vec<(u64, String)> {
    history
        .last(room, usize::MAX)
        .iter()
        .map(|e| (e.seq, e.text.clone()))
        .collect()
}

fn append(history: &History, room: &str, text: &str) -> u64 {
    history
        .append(room, "Alice", 1_700_000_000, text)
        .expect("append")
        .seq
}

fn line_count(path: &Path) -> usize {
    fs::read_to_string(path).expect("read").lines().count()
}

#[test]
fn seq_starts_at_one_and_continues_across_a_restart() {
    let folder = Folder::new();
    let (history, _, _) = folder.open(100);
    assert_eq!(append(&history, "lobby", "one"), 1);
    assert_eq!(append(&history, "lobby", "two"), 2);
    assert_eq!(append(&history, "python", "elsewhere"), 1);
    history.shutdown();
    drop(history);

    let (history, _, _) = folder.open(100);
    assert_eq!(
        texts(&history, "lobby"),
        [(1, "one".to_string()), (2, "two".to_string())]
    );
    assert_eq!(append(&history, "lobby", "three"), 3);
    assert_eq!(append(&history, "Python", "again"), 2);
}

#[test]
fn messages_reach_the_file_without_waiting_for_shutdown() {
    // What `kill -9` cannot lose is what reached the kernel: the writer
    // must write promptly, not at shutdown or at the next fsync.
    let folder = Folder::new();
    let (history, _, _) = folder.open(100);
    for i in 1..=3 {
        append(&history, "lobby", &format!("m{i}"));
    }
    assert!(history.wait_for(DEADLINE, |p| p.written >= 3));
    let file = fs::read_to_string(folder.only_file()).expect("read");
    assert_eq!(file.lines().count(), 3, "{file}");
    assert!(file.contains("\"text\": \"m3\""), "{file}");
    // And the group fsync comes by itself, within about a second.
    assert!(history.wait_for(DEADLINE, |p| p.synced >= 3));
}

#[test]
fn shutdown_writes_and_syncs_everything() {
    let folder = Folder::new();
    let (history, _, _) = folder.open(10_000);
    for i in 0..5000 {
        append(&history, &format!("room{}", i % 7), &format!("m{i}"));
    }
    let done = history.shutdown();
    assert_eq!((done.written, done.synced, done.lost), (5000, 5000, 0));
    let lines: usize = folder
        .files()
        .iter()
        .map(|f| line_count(&folder.dir.join(f)))
        .sum();
    assert_eq!(lines, 5000);
    // After shutdown nothing more is numbered, and reading still works.
    assert!(matches!(
        history.append("room0", "Alice", 0, "late"),
        Err(HistoryError::Closed)
    ));
    assert_eq!(history.last("room0", 1)[0].text, "m4998");
}

#[test]
fn a_torn_last_line_loses_that_line_only_and_the_next_append_is_whole() {
    let folder = Folder::new();
    let (history, _, _) = folder.open(100);
    for text in ["a", "b", "c"] {
        append(&history, "lobby", text);
    }
    history.shutdown();
    drop(history);
    // A power cut in the middle of writing the third line.
    let path = folder.only_file();
    let bytes = fs::read(&path).expect("read");
    let torn_at = bytes.len() - 20;
    fs::write(&path, &bytes[..torn_at]).expect("tear");

    let (history, report, _) = folder.open(100);
    assert_eq!(report.rooms.len(), 1);
    let room = &report.rooms[0];
    assert_eq!((room.messages, room.corrupt), (2, 0));
    assert_eq!(room.torn.map(|t| t.line), Some(3));
    assert_eq!(report.lines_lost(), 1);
    let lines = report.log_lines();
    assert_eq!(
        lines.len(),
        2,
        "a summary and one line for the damage: {lines:?}"
    );
    assert!(lines[1].contains("torn last line"), "{lines:?}");

    // The third message is gone, so its number is given again, and the
    // new line is whole: not glued to what was left of the torn one.
    assert_eq!(append(&history, "lobby", "c again"), 3);
    history.shutdown();
    drop(history);
    let (history, report, _) = folder.open(100);
    assert!(report.rooms.iter().all(|r| !r.is_damaged()), "{report:?}");
    assert_eq!(
        texts(&history, "lobby"),
        [(1, "a".into()), (2, "b".into()), (3, "c again".into())]
    );
}

#[test]
fn a_corrupt_middle_line_loses_that_line_only_and_is_reported() {
    let folder = Folder::new();
    let (history, _, _) = folder.open(100);
    for text in ["a", "b", "c", "d"] {
        append(&history, "lobby", text);
    }
    history.shutdown();
    drop(history);
    // A bad sector over the second line.
    let path = folder.only_file();
    let text = fs::read_to_string(&path).expect("read");
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[1] = "\u{0}\u{0}\u{0}\u{0}garbage".to_string();
    fs::write(&path, lines.join("\n") + "\n").expect("corrupt");

    let (history, report, _) = folder.open(100);
    let room = &report.rooms[0];
    assert_eq!((room.messages, room.corrupt, room.torn), (3, 1, None));
    assert_eq!(room.corrupt_lines, [2]);
    let log = report.log_lines().join("\n");
    assert!(log.contains("1 corrupt line skipped (line 2)"), "{log}");
    assert_eq!(
        texts(&history, "lobby"),
        [(1, "a".into()), (3, "c".into()), (4, "d".into())]
    );
    assert_eq!(append(&history, "lobby", "e"), 5);
}

#[test]
fn a_file_missing_only_its_last_newline_keeps_every_message() {
    let folder = Folder::new();
    let (history, _, _) = folder.open(100);
    append(&history, "lobby", "a");
    append(&history, "lobby", "b");
    history.shutdown();
    drop(history);
    let path = folder.only_file();
    let bytes = fs::read(&path).expect("read");
    fs::write(&path, &bytes[..bytes.len() - 1]).expect("cut the newline");

    let (history, report, _) = folder.open(100);
    assert!(!report.rooms[0].is_damaged());
    assert_eq!(append(&history, "lobby", "c"), 3);
    history.shutdown();
    assert_eq!(line_count(&path), 3);
}

#[test]
fn compaction_keeps_each_file_bounded_and_the_newest_messages() {
    let folder = Folder::new();
    let keep = 10;
    let (history, _, _) = folder.open(keep);
    for i in 1..=95 {
        append(&history, "lobby", &format!("m{i}"));
        // The file never holds much more than twice `keep`.
        history.wait_for(DEADLINE, |p| p.written >= i);
        assert!(line_count(&folder.only_file()) <= 2 * keep, "after {i}");
    }
    // Memory keeps exactly `keep`.
    let kept = texts(&history, "lobby");
    assert_eq!(kept.first().map(|k| k.0), Some(86));
    assert_eq!(kept.len(), keep);
    history.shutdown();
    drop(history);

    let (history, report, _) = folder.open(keep);
    assert_eq!(texts(&history, "lobby"), kept);
    assert_eq!(history.last_seq("lobby"), 95);
    assert!(report.rooms.iter().all(|r| !r.is_damaged()));
    assert_eq!(append(&history, "lobby", "next"), 96);
}

#[test]
fn a_leftover_temp_file_is_removed_and_the_old_file_is_read() {
    let folder = Folder::new();
    let (history, _, _) = folder.open(100);
    for text in ["a", "b"] {
        append(&history, "lobby", text);
    }
    history.shutdown();
    drop(history);
    // A crash while compaction was writing its new file: a half-written
    // temp file beside the whole old one.
    let path = folder.only_file();
    let temp = PathBuf::from(format!("{}.tmp", path.display()));
    fs::write(&temp, b"{\"seq\": 2, \"sender\": \"Al").expect("temp");

    let (history, report, _) = folder.open(100);
    assert!(!temp.exists());
    assert_eq!(report.removed_temp.len(), 1);
    assert!(report.ignored.is_empty(), "{report:?}");
    assert_eq!(texts(&history, "lobby"), [(1, "a".into()), (2, "b".into())]);
}

#[test]
fn hostile_room_names_stay_in_the_folder_and_never_share_a_file() {
    let folder = Folder::new();
    let (history, _, _) = folder.open(100);
    let names = [
        "..",
        ".",
        "../escape",
        "../../etc/passwd",
        "/etc/passwd",
        "a/b",
        "a\\b",
        "..\\..\\windows",
        "C:",
        "C:\\boot.ini",
        "CON",
        "con",
        "NUL",
        "COM1",
        "LPT1",
        "aux.txt",
        "lobby.",
        "lobby ",
        "<>:\"|?*",
        "room-x",
        "b32-x",
        "x.jsonl",
        "lock",
        "%2e%2e",
        "名字",
        &"名".repeat(32),
        &"😀".repeat(32),
        "\u{202e}evil",
        "tab\there",
    ];
    let mut expected = HashMap::new();
    for (i, name) in names.iter().enumerate() {
        let seq = history
            .append(name, "Mallory", 0, &format!("text {i}"))
            .expect("a name that fits is stored")
            .seq;
        // Case variants are one room: "CON" and "con" share the count.
        let key = name.to_ascii_lowercase();
        let count = expected.entry(key).or_insert(0u64);
        *count += 1;
        assert_eq!(seq, *count, "{name:?}");
    }
    history.shutdown();
    drop(history);

    // Nothing outside the folder; one file per distinct room inside it.
    let outside: Vec<_> = fs::read_dir(&folder.outer)
        .expect("read outer")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(outside, ["history"]);
    let files = folder.files();
    assert_eq!(files.len(), expected.len(), "{files:?}");
    for file in &files {
        assert!(
            file.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b)),
            "{file}"
        );
        assert!(file.len() <= 250, "{file}");
    }

    // Every room reads back as its own.
    let (history, report, _) = folder.open(100);
    assert_eq!(report.rooms.len(), expected.len());
    for (i, name) in names.iter().enumerate() {
        let texts: Vec<String> = texts(&history, name).into_iter().map(|t| t.1).collect();
        assert!(texts.contains(&format!("text {i}")), "{name:?}: {texts:?}");
    }
    assert_eq!(texts(&history, "con").len(), 2);
}

#[test]
fn names_too_long_to_be_a_room_are_refused() {
    let folder = Folder::new();
    let (history, _, _) = folder.open(100);
    assert!(matches!(
        history.append("", "Alice", 0, "x"),
        Err(HistoryError::BadRoomName)
    ));
    assert!(matches!(
        history.append(&"😀".repeat(33), "Alice", 0, "x"),
        Err(HistoryError::BadRoomName)
    ));
    assert!(history.last("", 10).is_empty());
}

#[test]
fn concurrent_appends_give_each_room_gapless_numbers() {
    const THREADS: usize = 8;
    const EACH: usize = 500;
    const ROOMS: [&str; 3] = ["lobby", "Python", "rust"];
    let folder = Folder::new();
    let (history, _, _) = folder.open(THREADS * EACH);
    let history = Arc::new(history);
    let start = Arc::new(Barrier::new(THREADS));
    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let (history, start) = (history.clone(), start.clone());
            thread::spawn(move || {
                start.wait();
                let mut got = Vec::new();
                for i in 0..EACH {
                    let room = ROOMS[(t + i) % ROOMS.len()];
                    let entry = history
                        .append(room, &format!("t{t}"), 0, &format!("{t}/{i}"))
                        .expect("append");
                    got.push((room.to_ascii_lowercase(), entry.seq));
                }
                got
            })
        })
        .collect();
    let mut seqs: HashMap<String, Vec<u64>> = HashMap::new();
    for thread in threads {
        for (room, seq) in thread.join().expect("thread") {
            seqs.entry(room).or_default().push(seq);
        }
    }
    for (room, mut got) in seqs.clone() {
        got.sort_unstable();
        let want: Vec<u64> = (1..=got.len() as u64).collect();
        assert_eq!(got, want, "{room}: gaps or repeats");
    }
    assert_eq!(history.shutdown().written, (THREADS * EACH) as u64);

    // The files hold every message, each room in order.
    drop(history);
    let (history, report, _) = folder.open(THREADS * EACH);
    assert_eq!(report.messages(), THREADS * EACH);
    for room in ROOMS {
        let kept: Vec<u64> = texts(&history, room).into_iter().map(|t| t.0).collect();
        let want: Vec<u64> = (1..=seqs[&room.to_ascii_lowercase()].len() as u64).collect();
        assert_eq!(kept, want, "{room}");
    }
}

#[test]
fn replay_reads_the_last_messages_or_those_before_a_seq() {
    let history = History::in_memory(50);
    for i in 1..=60 {
        history
            .append("lobby", "Bob", i, &format!("m{i}"))
            .expect("append");
    }
    let seqs = |entries: Vec<Arc<Entry>>| -> Vec<u64> { entries.iter().map(|e| e.seq).collect() };
    assert_eq!(seqs(history.last("LOBBY", 3)), [58, 59, 60]);
    assert_eq!(seqs(history.before("lobby", 58, 2)), [56, 57]);
    // Only the newest 50 are kept: asking further back gets what is left.
    assert_eq!(seqs(history.before("lobby", 14, 5)), [11, 12, 13]);
    assert!(history.before("lobby", 11, 5).is_empty());
    assert_eq!(history.last("lobby", 1000).len(), 50);
    assert_eq!(seqs(history.before("lobby", u64::MAX, 1)), [60]);
    assert!(history.last("nowhere", 20).is_empty());
    assert_eq!(history.last_seq("nowhere"), 0);
}

#[test]
fn in_memory_mode_numbers_and_replays_but_writes_nothing() {
    let history = History::in_memory(5);
    assert_eq!(history.dir(), None);
    for i in 1..=7 {
        assert_eq!(append(&history, "Lobby", &format!("m{i}")), i);
    }
    assert_eq!(texts(&history, "lobby").len(), 5);
    assert_eq!(history.shutdown(), Default::default());
    assert!(matches!(
        history.append("lobby", "Alice", 0, "late"),
        Err(HistoryError::Closed)
    ));
    assert_eq!(history.progress(), Default::default());
}

#[test]
fn a_second_server_on_the_same_folder_is_refused() {
    let folder = Folder::new();
    let (history, _, _) = folder.open(100);
    let second = open_history(&folder.dir, Options::new(100));
    assert!(matches!(second, Err(HistoryError::InUse { .. })));
    // Once the first has stopped, the folder is free again.
    drop(history);
    assert!(open_history(&folder.dir, Options::new(100)).is_ok());
}

#[test]
fn files_that_are_no_rooms_history_are_left_alone_and_reported() {
    let folder = Folder::new();
    fs::create_dir_all(&folder.dir).expect("dir");
    for name in ["notes.txt", "room-Lobby.jsonl", "lobby.jsonl", ".gitkeep"] {
        fs::write(folder.dir.join(name), "keep me\n").expect("write");
    }
    let (history, report, _) = folder.open(100);
    // Hidden files (the `.gitkeep` of `files/history/`) are left alone
    // without a word.
    assert_eq!(report.ignored.len(), 3, "{report:?}");
    assert!(report.rooms.is_empty());
    append(&history, "lobby", "hi");
    history.shutdown();
    assert_eq!(
        fs::read_to_string(folder.dir.join("notes.txt")).expect("read"),
        "keep me\n"
    );
}

#[test]
fn a_failing_write_is_reported_once_and_its_end_too() {
    let folder = Folder::new();
    let (history, _, problems) = folder.open(100);
    // A folder where the room's file should be: opening it for writing
    // fails on every system.
    let path = folder.dir.join("room-lobby.jsonl");
    fs::create_dir(&path).expect("block the file");
    append(&history, "lobby", "lost 1");
    append(&history, "lobby", "lost 2");
    assert!(history.wait_for(DEADLINE, |p| p.lost >= 2));
    let problem = problems.recv_timeout(DEADLINE).expect("a report");
    assert!(
        matches!(problem, Problem::WriteFailed { .. }),
        "{problem:?}"
    );
    assert!(problem.to_string().contains("\"lobby\""), "{problem}");

    fs::remove_dir(&path).expect("unblock");
    append(&history, "lobby", "kept");
    let problem = problems.recv_timeout(DEADLINE).expect("a report");
    assert!(
        matches!(problem, Problem::WriteResumed { lost: 2, .. }),
        "{problem:?}"
    );
    let done = history.shutdown();
    assert_eq!((done.written, done.lost), (1, 2));
    assert!(
        problems.try_recv().is_err(),
        "each problem is reported once"
    );
    // Memory still replays all three, with their numbers.
    assert_eq!(history.last_seq("lobby"), 3);
    assert_eq!(line_count(&path), 1);
}

#[test]
fn a_killed_process_loses_nothing_it_had_written() {
    // This test runs itself a second time as a child process (the same
    // test binary, this test only): the child appends, waits until the
    // writer has handed everything to the kernel, says so, and is killed
    // the way `kill -9` kills, with no chance to shut down or sync.
    const CHILD: &str = "SOCKET_CHAT_HISTORY_CHILD";
    const COUNT: u64 = 50;
    if let Some(dir) = std::env::var_os(CHILD) {
        let (history, _) = History::open(Path::new(&dir), Options::new(100)).expect("open");
        for i in 1..=COUNT {
            append(&history, "lobby", &format!("m{i}"));
        }
        assert!(history.wait_for(DEADLINE, |p| p.written >= COUNT));
        println!("child ready");
        // Wait to be killed; if the parent goes away first, leave without
        // shutting down all the same.
        let _ = std::io::stdin().read_line(&mut String::new());
        std::process::exit(3);
    }

    let folder = Folder::new();
    let spawning = SPAWNING.lock().unwrap_or_else(|e| e.into_inner());
    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--exact",
            "a_killed_process_loses_nothing_it_had_written",
            "--nocapture",
        ])
        .env(CHILD, &folder.dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the child");
    // `spawn` returns once the child runs its program: no copies left.
    drop(spawning);
    let stdout = child.stdout.take().expect("piped");
    let (tx, rx) = channel();
    thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line == "child ready" {
                let _ = tx.send(());
            }
        }
    });
    let ready = rx.recv_timeout(DEADLINE);
    child.kill().expect("kill"); // SIGKILL on Unix, TerminateProcess on Windows
    child.wait().expect("wait");
    ready.expect("the child appended and said so");

    // The kernel kept what the writer had written, and the folder's lock
    // died with the process.
    let (history, report, _) = folder.open(100);
    assert_eq!(report.messages(), COUNT as usize);
    assert!(report.rooms.iter().all(|r| !r.is_damaged()), "{report:?}");
    assert_eq!(history.last_seq("lobby"), COUNT);
    assert_eq!(append(&history, "lobby", "after the restart"), COUNT + 1);
}

#[test]
fn a_room_file_that_cannot_be_read_stops_the_start() {
    // Going on without it would number the room from 1 again.
    let folder = Folder::new();
    fs::create_dir_all(folder.dir.join("room-lobby.jsonl")).expect("a folder in its place");
    match open_history(&folder.dir, Options::new(100)) {
        Err(error @ HistoryError::Read { .. }) => {
            assert!(error.to_string().contains("room-lobby.jsonl"), "{error}");
        }
        other => panic!("expected a read error, got {:?}", other.map(|o| o.1)),
    }
}
