//! History, end to end (contract §9): numbers per room, replays on entering
//! a room and on request, and a history on disk that survives `kill -9`,
//! torn and corrupt lines, and compaction, with room names that try to
//! escape the folder or to share a file. A real server in its own
//! directory; raw clients that read every message; real `chat-client`s
//! for what a person sees.
//!
//! The history folder is the default one, `files/history/` in the
//! server's working directory, unless a test says otherwise: what
//! `make run-server` does on a fresh clone.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;
use std::sync::{Arc, Barrier, Condvar, Mutex};
use std::thread;

use common::raw::Raw;
use common::rooms::{
    enter, enter_and_replay, expect_none, expect_text, history, join, lines_of, replay, room_files,
    say, wait_for_lines,
};
use common::{DEADLINE, Server};
use socket_chat::message::client::{RoomJoin, Text};
use socket_chat::message::server::Chat;
use socket_chat::message::{ClientMessage, ErrorCode, ServerMessage};

/// `(seq, sender, text)` of each message, the parts a replay must keep.
fn said(chats: &[Chat]) -> Vec<(u64, String, String)> {
    chats
        .iter()
        .map(|c| {
            (
                c.seq.expect("a room's TEXT has a seq"),
                c.sender.clone(),
                c.text.clone(),
            )
        })
        .collect()
}

fn lobby_file(server: &Server) -> PathBuf {
    server.path("files/history/room-lobby.jsonl")
}

/// Stops a server the polite way (`/quit`: the history is written and
/// synced) and hands back its directory for a restart.
fn quit(mut server: Server) -> tempfile::TempDir {
    server.send("/quit");
    server.expect("written this run");
    let status = server.proc.wait_exit();
    assert!(status.success(), "{status}");
    server.dir
}

/// Kills a server the way `kill -9` does, and hands back its directory.
fn kill(server: Server) -> tempfile::TempDir {
    let Server { mut proc, dir, .. } = server;
    proc.kill();
    dir
}

#[test]
fn each_room_numbers_its_own_messages_and_only_those() {
    let mut server = Server::start(&[]);
    let (mut alice, _) = join(server.port, "Alice");
    let (mut bob, _) = join(server.port, "Bob");
    let (mut carol, _) = join(server.port, "Carol");
    enter_and_replay(&mut carol, "python");

    say(&mut alice, "lobby one");
    assert_eq!(expect_text(&mut bob, "lobby one").seq, Some(1));
    say(&mut carol, "python one");
    say(&mut bob, "lobby two");
    assert_eq!(expect_text(&mut alice, "lobby two").seq, Some(2));
    // Private messages and the console's words to everyone are not a
    // room's, so they have no number and take none.
    alice.send(&ClientMessage::Text(Text {
        text: "psst".into(),
        to: Some("Bob".into()),
    }));
    assert_eq!(expect_text(&mut bob, "psst").seq, None);
    server.send("/msg to everyone");
    assert_eq!(expect_text(&mut alice, "to everyone").seq, None);
    say(&mut alice, "lobby three");
    assert_eq!(expect_text(&mut bob, "lobby three").seq, Some(3));
    enter_and_replay(&mut alice, "python");
    say(&mut carol, "python two");
    assert_eq!(expect_text(&mut alice, "python two").seq, Some(2));
}

#[test]
fn entering_a_room_replays_its_last_messages_as_they_were_said() {
    let server = Server::start(&["--history-on-join", "3"]);
    let (mut alice, _) = join(server.port, "Alice");
    let (mut bob, _) = join(server.port, "Bob");
    enter_and_replay(&mut alice, "python");
    let mut live = Vec::new();
    for i in 1..=5 {
        say(&mut alice, &format!("p{i}"));
    }
    // Alice's own request is answered after her five messages: they are
    // in the history before Bob comes.
    history(&mut alice, 1, None);
    enter(&mut bob, "python");
    let (replayed, end) = replay(&mut bob);
    assert_eq!(end.room, "python");
    assert_eq!(end.count, 3);
    assert_eq!(
        said(&replayed),
        (3..=5)
            .map(|i| (i, "Alice".to_string(), format!("p{i}")))
            .collect::<Vec<_>>()
    );
    for chat in &replayed {
        assert!(chat.history && chat.room.as_deref() == Some("python"));
        assert!(chat.to.is_none());
    }
    // The original timestamps, as Alice's room heard them: ask again, and
    // compare with what a member saw live.
    say(&mut alice, "p6");
    live.push(expect_text(&mut bob, "p6"));
    let (again, _) = history(&mut bob, 1, None);
    assert_eq!(again[0].timestamp, live[0].timestamp);
    assert_eq!(again[0].seq, live[0].seq);

    // The welcome into the lobby replays the lobby too.
    say(&mut bob, "back");
    enter_and_replay(&mut bob, "lobby");
    say(&mut bob, "lobby words");
    history(&mut bob, 1, None);
    let (_, welcome_replay) = join(server.port, "Carol");
    assert_eq!(
        said(&welcome_replay),
        [(1, "Bob".to_string(), "lobby words".to_string())]
    );
}

#[test]
fn history_on_join_zero_replays_nothing() {
    let server = Server::start(&["--history-on-join", "0"]);
    let mut alice = Raw::join(server.port, "Alice");
    say(&mut alice, "before Bob");
    history(&mut alice, 1, None);
    let mut bob = Raw::join(server.port, "Bob");
    expect_none(&mut bob, "a replay", |m| {
        matches!(m, ServerMessage::HistoryEnd(_) | ServerMessage::Chat(_))
    });
    // Asking still works.
    let (replayed, end) = history(&mut bob, 5, None);
    assert_eq!((said(&replayed).len(), end.count), (1, 1));
    enter(&mut bob, "python");
    expect_none(&mut bob, "a replay", |m| {
        matches!(m, ServerMessage::HistoryEnd(_))
    });
}

#[test]
fn history_requests_replay_the_last_messages_or_those_before_a_seq() {
    let server = Server::start(&[]);
    let (mut alice, _) = join(server.port, "Alice");
    for i in 1..=30 {
        say(&mut alice, &format!("m{i}"));
    }
    let (_, _) = history(&mut alice, 1, None); // every message is in
    let (replayed, end) = history(&mut alice, 10, None);
    assert_eq!(end.count, 10);
    assert_eq!(replayed.first().and_then(|c| c.seq), Some(21));
    assert_eq!(replayed.last().and_then(|c| c.seq), Some(30));
    let (replayed, _) = history(&mut alice, 5, Some(21));
    let seqs: Vec<_> = replayed.iter().filter_map(|c| c.seq).collect();
    assert_eq!(seqs, [16, 17, 18, 19, 20]);
    let (replayed, end) = history(&mut alice, 1000, Some(3));
    assert_eq!((said(&replayed).len(), end.count), (2, 2));
    let (replayed, end) = history(&mut alice, 1000, Some(1));
    assert!(replayed.is_empty() && end.count == 0);
    let (replayed, _) = history(&mut alice, 1000, None);
    assert_eq!(replayed.len(), 30);
    // A request outside 1 to 1000 is a bad message; the connection stays.
    for body in [
        r#"{"type": "HISTORY", "data": "", "metadata": {"limit": 0}}"#,
        r#"{"type": "HISTORY", "data": "", "metadata": {"limit": 1001}}"#,
        r#"{"type": "HISTORY", "data": "", "metadata": {}}"#,
        r#"{"type": "HISTORY", "data": "", "metadata": {"limit": 5, "before": -1}}"#,
    ] {
        alice.send_body(body.as_bytes()).expect("send");
        alice.expect_error(ErrorCode::BadMessage);
    }
    assert_eq!(alice.list(), ["Alice"]);
}

#[test]
fn replays_to_one_client_never_interleave_though_live_messages_may() {
    let server = Server::start(&[]);
    let (mut alice, _) = join(server.port, "Alice");
    let (mut bob, _) = join(server.port, "Bob");
    for i in 1..=200 {
        say(&mut alice, &format!("old {i}"));
    }
    expect_text(&mut bob, "old 200");
    // Three replays asked at once, while Alice keeps talking.
    for limit in [200, 50, 120] {
        bob.send(&ClientMessage::History(
            socket_chat::message::client::HistoryRequest {
                limit,
                before: None,
            },
        ));
    }
    for i in 1..=50 {
        say(&mut alice, &format!("new {i}"));
    }
    let mut live_seqs = Vec::new();
    for expected in [200, 50, 120] {
        let mut seqs = Vec::new();
        let end = loop {
            match bob.next_within(DEADLINE).expect("open") {
                ServerMessage::Chat(c) if c.history => seqs.push(c.seq.expect("seq")),
                ServerMessage::Chat(c) => live_seqs.push(c.seq.expect("seq")),
                ServerMessage::HistoryEnd(end) => break end,
                other => panic!("{other:?}"),
            }
        };
        // Each replay is whole and in order before the next begins.
        assert_eq!(end.count as usize, seqs.len());
        assert_eq!(seqs.len(), expected);
        assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "{seqs:?}");
    }
    while live_seqs.len() < 50 {
        match bob.next_within(DEADLINE).expect("open") {
            ServerMessage::Chat(c) => live_seqs.push(c.seq.expect("seq")),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(live_seqs, (201..=250).collect::<Vec<u64>>());
}

#[test]
fn a_server_killed_after_delivering_keeps_every_message_and_its_seq() {
    let server = Server::start(&[]);
    let (mut alice, _) = join(server.port, "Alice");
    let (mut bob, _) = join(server.port, "Bob");
    enter_and_replay(&mut alice, "python");
    enter_and_replay(&mut bob, "python");
    let mut delivered = Vec::new();
    for i in 1..=25 {
        say(&mut alice, &format!("before the crash {i}"));
        delivered.push(expect_text(&mut bob, &format!("before the crash {i}")));
    }
    // Delivered, and handed to the kernel by the history's writer: from
    // there a killed process cannot lose it.
    wait_for_lines(&server.path("files/history/room-python.jsonl"), 25);
    let dir = kill(server);

    let mut server = Server::start_in(dir, &["--history-on-join", "100"]);
    server.expect("history: kept in files/history: 25 messages in 1 room");
    let (mut carol, _) = join(server.port, "Carol");
    let (_, replayed) = enter_and_replay(&mut carol, "python");
    assert_eq!(said(&replayed), said(&delivered));
    let times: Vec<_> = replayed.iter().map(|c| c.timestamp).collect();
    let live_times: Vec<_> = delivered.iter().map(|c| c.timestamp).collect();
    assert_eq!(times, live_times);
    // The next message continues the numbering.
    let (mut dave, _) = join(server.port, "Dave");
    enter_and_replay(&mut dave, "python");
    say(&mut carol, "after the restart");
    assert_eq!(expect_text(&mut dave, "after the restart").seq, Some(26));
}

#[test]
fn a_torn_and_a_corrupt_line_cost_one_line_each_and_the_server_starts() {
    let server = Server::start(&[]);
    let (mut alice, _) = join(server.port, "Alice");
    for text in ["one", "two", "three", "four"] {
        say(&mut alice, text);
    }
    let path = lobby_file(&server);
    wait_for_lines(&path, 4);
    drop(alice);
    let dir = quit(server);

    // A bad sector over line 2, and a power cut in the middle of line 4.
    let path = dir.path().join("files/history/room-lobby.jsonl");
    let mut lines = lines_of(&path);
    lines[1] = "\u{0}\u{0}garbage\u{0}".to_string();
    let torn = &lines[3][..20];
    let damaged = format!("{}\n{}\n{}\n{torn}", lines[0], lines[1], lines[2]);
    fs::write(&path, damaged).expect("damage the file");

    let mut server = Server::start_in(dir, &[]);
    server.expect(
        "history: kept in files/history: 2 messages in 1 room, 2 lines lost to damage (below)",
    );
    server.expect(
        "history: room \"lobby\": 1 corrupt line skipped (line 2), a torn last line cut off (line 4, 20 bytes); 2 messages read, up to seq 3",
    );
    let (mut bob, replayed) = join(server.port, "Bob");
    assert_eq!(
        said(&replayed),
        [
            (1, "Alice".to_string(), "one".to_string()),
            (3, "Alice".to_string(), "three".to_string())
        ]
    );
    // The torn message is gone, so its number goes to the next one, which
    // lands on a line of its own.
    let (mut carol, _) = join(server.port, "Carol");
    say(&mut bob, "five");
    assert_eq!(expect_text(&mut carol, "five").seq, Some(4));
    let path = lobby_file(&server);
    wait_for_lines(&path, 4);
    let lines = lines_of(&path);
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert!(
        lines[3].starts_with("{\"seq\": 4, \"sender\": \"Bob\""),
        "{lines:?}"
    );
}

#[test]
fn compaction_keeps_the_file_bounded_and_a_crash_during_it_loses_nothing() {
    let keep = 5;
    let server = Server::start(&["--history-keep", "5"]);
    let (mut alice, _) = join(server.port, "Alice");
    let (mut bob, _) = join(server.port, "Bob");
    for i in 1..=32 {
        say(&mut alice, &format!("m{i}"));
        expect_text(&mut bob, &format!("m{i}"));
    }
    let (replayed, _) = history(&mut bob, 1000, None);
    assert_eq!(replayed.first().and_then(|c| c.seq), Some(28));
    assert_eq!(replayed.len(), keep);
    drop((alice, bob));
    let dir = quit(server);

    // Compaction ran: past twice `--history-keep` lines, the file is cut
    // to its newest five and grows again from there, so what is left is a
    // tail of the room, at most ten lines, ending with the last message.
    let history = dir.path().join("files/history");
    let lines = lines_of(&history.join("room-lobby.jsonl"));
    let seqs: Vec<u64> = lines
        .iter()
        .map(|l| {
            let rest = l
                .strip_prefix("{\"seq\": ")
                .expect("a line starts with its seq");
            rest.split(',')
                .next()
                .and_then(|n| n.parse().ok())
                .expect("seq")
        })
        .collect();
    assert!((keep..=2 * keep).contains(&seqs.len()), "{lines:?}");
    assert_eq!(seqs.last(), Some(&32));
    assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "{seqs:?}");

    // A crash while compaction was writing its new file leaves a partial
    // temp file beside the whole old one.
    fs::write(history.join("room-lobby.jsonl.tmp"), "{\"seq\": 30, \"sen").expect("temp");
    let mut server = Server::start_in(dir, &["--history-keep", "5"]);
    server.expect("history: removed what an interrupted compaction left (room-lobby.jsonl.tmp)");
    let (mut carol, replayed) = join(server.port, "Carol");
    assert_eq!(
        replayed.iter().filter_map(|c| c.seq).collect::<Vec<_>>(),
        [28, 29, 30, 31, 32]
    );
    assert!(!history.join("room-lobby.jsonl.tmp").exists());
    let (mut dave, _) = join(server.port, "Dave");
    say(&mut carol, "next");
    assert_eq!(expect_text(&mut dave, "next").seq, Some(33));
}

#[test]
fn room_names_that_look_like_paths_or_differ_in_case_stay_in_the_folder_and_apart() {
    let server = Server::start(&[]);
    let names = [
        "..",
        "../../etc",
        "C:\\boot.ini",
        "CON",
        "a/b",
        "lobby.",
        "x.jsonl",
        "%2e%2e",
        "Python",
        "张伟的房间",
    ];
    let (mut alice, _) = join(server.port, "Alice");
    for (i, name) in names.iter().enumerate() {
        enter_and_replay(&mut alice, name);
        say(&mut alice, &format!("in room {i}"));
    }
    // Another spelling of Python is Python: its numbering goes on.
    let (mut bob, _) = join(server.port, "Bob");
    enter_and_replay(&mut bob, "PYTHON");
    enter_and_replay(&mut alice, "python");
    say(&mut alice, "python again");
    assert_eq!(expect_text(&mut bob, "python again").seq, Some(2));
    let history = server.path("files/history");
    let python = history.join("room-python.jsonl");
    wait_for_lines(&python, 2);
    drop((alice, bob));
    let dir = quit(server);

    // Nothing outside the history folder; one file per room inside it,
    // each name made of safe characters only.
    let files = common::files::files_under(dir.path());
    assert!(
        files.iter().all(|f| f.starts_with("files/history")),
        "{files:?}"
    );
    let rooms = room_files(&dir.path().join("files/history"));
    assert_eq!(rooms.len(), names.len(), "{rooms:?}");
    for file in &rooms {
        let name = file.file_name().and_then(|n| n.to_str()).expect("name");
        assert!(
            name.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b)),
            "{name}"
        );
    }
    // After a restart, each room replays its own words.
    let server = Server::start_in(dir, &[]);
    let (mut carol, _) = join(server.port, "Carol");
    for (i, name) in names.iter().enumerate() {
        let (_, replayed) = enter_and_replay(&mut carol, name);
        let texts: Vec<_> = replayed.iter().map(|c| c.text.as_str()).collect();
        let expected = format!("in room {i}");
        assert_eq!(texts.first().copied(), Some(expected.as_str()), "{name:?}");
        if *name == "Python" {
            assert_eq!(texts, [expected.as_str(), "python again"]);
        }
    }
}

/// `count` threads meet here; each waits until all have arrived, or until
/// [`DEADLINE`] has passed.
struct Gate {
    left: Mutex<usize>,
    all_in: Condvar,
}

impl Gate {
    fn new(count: usize) -> Self {
        Gate {
            left: Mutex::new(count),
            all_in: Condvar::new(),
        }
    }

    fn arrive_and_wait(&self) {
        let mut left = self.left.lock().expect("lock");
        *left = left.saturating_sub(1);
        self.all_in.notify_all();
        let _ = self
            .all_in
            .wait_timeout_while(left, DEADLINE, |left| *left > 0)
            .expect("lock");
    }
}

#[test]
fn many_clients_in_several_rooms_see_each_rooms_messages_in_order_without_gaps() {
    const ROOMS: [&str; 3] = ["lobby", "python", "rust"];
    const PER_ROOM: usize = 4;
    const EACH: usize = 40;
    let server = Server::start(&[]);
    let mut clients = Vec::new();
    for (r, room) in ROOMS.iter().enumerate() {
        for c in 0..PER_ROOM {
            let (mut raw, _) = join(server.port, &format!("c{r}_{c}"));
            if *room != "lobby" {
                enter_and_replay(&mut raw, room);
            }
            clients.push((r, raw));
        }
    }
    // Everyone's notices have arrived once each has heard every later
    // member's arrival; from here only chat comes.
    let start = Arc::new(Barrier::new(clients.len()));
    // Nobody hangs up before everyone has heard everything: a client that
    // closes its socket with messages still unread in it makes the kernel
    // reset the connection, and the server would lose what that client
    // sent and it had not read yet.
    // (A gate with a deadline rather than a `Barrier`, so that a client
    // that fails does not leave the others waiting for ever.)
    let done = Arc::new(Gate::new(clients.len()));
    let threads: Vec<_> = clients
        .into_iter()
        .enumerate()
        .map(|(i, (r, mut raw))| {
            let (start, done) = (start.clone(), done.clone());
            thread::spawn(move || {
                start.wait();
                let mut stream = raw.stream.try_clone().expect("clone");
                let sender = thread::spawn(move || {
                    for k in 0..EACH {
                        let frame =
                            socket_chat::transport::tcp::frame(&ClientMessage::Text(Text {
                                text: format!("{i}:{k}"),
                                to: None,
                            }));
                        use std::io::Write;
                        stream.write_all(&frame).expect("send");
                    }
                });
                let mut got = Vec::new();
                while got.len() < (PER_ROOM - 1) * EACH {
                    if let ServerMessage::Chat(c) = raw.next_within(DEADLINE).expect("open") {
                        assert_eq!(c.room.as_deref(), Some(ROOMS[r]));
                        got.push((c.seq.expect("seq"), c.text));
                    }
                }
                sender.join().expect("sender");
                done.arrive_and_wait();
                (r, i, got)
            })
        })
        .collect();
    let mut per_room: BTreeMap<usize, Vec<u64>> = BTreeMap::new();
    for thread in threads {
        let (r, i, got) = thread.join().expect("client");
        // Each client sees its room's numbers only go up...
        assert!(
            got.windows(2).all(|w| w[1].0 > w[0].0),
            "client {i}: {got:?}"
        );
        // ...and each sender's messages in the order they were sent.
        let mut last_from: BTreeMap<String, usize> = BTreeMap::new();
        for (_, text) in &got {
            let (from, k) = text.split_once(':').expect("from:k");
            let k: usize = k.parse().expect("k");
            if let Some(before) = last_from.insert(from.to_string(), k) {
                assert!(k > before, "client {i}: {from} out of order");
            }
        }
        per_room
            .entry(r)
            .or_default()
            .extend(got.iter().map(|g| g.0));
    }
    // Together, a room's members heard every number from 1, none twice
    // from one sender's point of view, and none missing.
    for (r, mut seqs) in per_room {
        seqs.sort_unstable();
        seqs.dedup();
        let total = (PER_ROOM * EACH) as u64;
        assert_eq!(seqs, (1..=total).collect::<Vec<_>>(), "room {}", ROOMS[r]);
    }
}

#[test]
fn a_fresh_server_keeps_history_in_files_history_and_replays_it_after_a_restart() {
    // What `make run-server` does in a fresh clone: no flags.
    let mut server = Server::start(&[]);
    server.expect("history: kept in files/history (no rooms yet)");
    let mut alice = server.join("Alice");
    alice.send("remember this");
    server.expect("Alice to #lobby: remember this");
    let path = lobby_file(&server);
    wait_for_lines(&path, 1);
    alice.send("/quit");
    alice.proc.wait_exit();
    let dir = quit(server);
    assert!(dir.path().join("files/history/room-lobby.jsonl").is_file());

    let mut server = Server::start_in(dir, &[]);
    server.expect("history: kept in files/history: 1 message in 1 room");
    let mut bob = server.join("Bob");
    bob.expect("(earlier) Alice: remember this");
    bob.expect("(1 earlier message of #lobby above)");
    bob.send("/history 5");
    let again = bob.expect("(earlier) Alice: remember this");
    assert!(again.starts_with('['), "{again}");
    bob.expect("(1 earlier message of #lobby above)");
    bob.send("/join #empty");
    bob.expect("You are in #empty (1): Bob");
    bob.send("/history");
    bob.expect("(no earlier messages in #empty)");
    bob.send("/history 0");
    bob.expect("Usage: /history [N], N from 1 to 1000");
}

#[test]
fn no_history_keeps_numbers_in_memory_and_writes_nothing() {
    let mut server = Server::start(&["--no-history"]);
    let (mut alice, _) = join(server.port, "Alice");
    let (mut bob, _) = join(server.port, "Bob");
    say(&mut alice, "fleeting");
    assert_eq!(expect_text(&mut bob, "fleeting").seq, Some(1));
    let (replayed, _) = history(&mut bob, 10, None);
    assert_eq!(said(&replayed).len(), 1);
    server.send("/quit");
    server.expect("Server stopped.");
    assert!(!server.path("files/history").exists());
}

#[test]
fn a_folder_held_by_another_server_stops_the_second_with_a_reason() {
    let first = Server::start(&["--history", "shared"]);
    let shared = first.path("shared").display().to_string();
    let output = common::run_to_end(
        std::path::Path::new(env!("CARGO_BIN_EXE_chat-server")),
        &["--port", "0", "--history", &shared],
    );
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("is in use by another server"), "{stderr}");
    drop(first);
}

#[test]
fn a_client_that_does_not_read_its_replay_is_dropped_and_the_room_chats_on() {
    let mut pair = common::Pair::start(&["--queue", "65536", "--send-timeout", "1"]);
    // 1.2 MB of history in a room of its own (a burst like that to Alice
    // and Bob would overflow their small queues: that is another test).
    let (mut filler, _) = join(pair.port(), "Filler");
    enter_and_replay(&mut filler, "archive");
    let text = "x".repeat(4000);
    for _ in 0..300 {
        say(&mut filler, &text);
    }
    let (last, _) = history(&mut filler, 1, None);
    assert_eq!(last[0].seq, Some(300));
    // Mallory asks for all of it ten times over, far more than her queue
    // and both ends' socket buffers hold, and reads none of it.
    let mut mallory = Raw::join(pair.port(), "Mallory");
    mallory.send(&ClientMessage::RoomJoin(RoomJoin {
        name: "archive".into(),
    }));
    for _ in 0..10 {
        mallory.send(&ClientMessage::History(
            socket_chat::message::client::HistoryRequest {
                limit: 1000,
                before: None,
            },
        ));
    }
    pair.alice.expect("* Mallory disconnected");
    pair.still_chat();
}
