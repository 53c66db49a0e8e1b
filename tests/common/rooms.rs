//! Rooms and history through a [`Raw`] client: moving between rooms,
//! saying something, collecting a replay, and proving that something did
//! *not* arrive. Messages are sent as hand-written JSON bodies where the
//! exact wire form matters to a test, and as typed messages elsewhere.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::mpsc::channel;
use std::time::{Duration, Instant};

use socket_chat::message::ClientMessage;
use socket_chat::message::ServerMessage;
use socket_chat::message::client::{HistoryRequest, RoomJoin, Text};
use socket_chat::message::server::{Chat, HistoryEnd, RoomInfo, RoomWelcome};

use super::raw::{Polled, Raw};
use super::{DEADLINE, QUIET};

/// Joins the server as `name` and takes the replay that follows the
/// welcome, returning the connection and what the lobby replayed.
pub fn join(port: u16, name: &str) -> (Raw, Vec<Chat>) {
    let mut raw = Raw::join(port, name);
    let (replayed, _) = replay(&mut raw);
    (raw, replayed)
}

/// Moves to `room` and waits for the `"self"` confirmation.
pub fn enter(raw: &mut Raw, room: &str) -> RoomWelcome {
    raw.send(&ClientMessage::RoomJoin(RoomJoin {
        name: room.to_string(),
    }));
    match raw.expect("the ROOM_JOIN confirmation", |m| {
        matches!(m, ServerMessage::RoomWelcome(_))
    }) {
        ServerMessage::RoomWelcome(welcome) => welcome,
        _ => unreachable!(),
    }
}

/// Moves to `room` and takes the replay that follows the confirmation.
pub fn enter_and_replay(raw: &mut Raw, room: &str) -> (RoomWelcome, Vec<Chat>) {
    let welcome = enter(raw, room);
    let (replayed, _) = replay(raw);
    (welcome, replayed)
}

/// Collects a replay: every `TEXT` marked `"history": true` up to the
/// `HISTORY` that ends it. Live messages that come between are kept in
/// `raw.skipped`.
pub fn replay(raw: &mut Raw) -> (Vec<Chat>, HistoryEnd) {
    let mut replayed = Vec::new();
    loop {
        match raw.expect("a replayed TEXT or the HISTORY end", |m| {
            matches!(m, ServerMessage::HistoryEnd(_))
                || matches!(m, ServerMessage::Chat(c) if c.history)
        }) {
            ServerMessage::Chat(chat) => replayed.push(chat),
            ServerMessage::HistoryEnd(end) => return (replayed, end),
            _ => unreachable!(),
        }
    }
}

/// Asks for the last `limit` messages (before `before`) and collects them.
pub fn history(raw: &mut Raw, limit: u64, before: Option<u64>) -> (Vec<Chat>, HistoryEnd) {
    raw.send(&ClientMessage::History(HistoryRequest { limit, before }));
    replay(raw)
}

/// Says `text` to the room.
pub fn say(raw: &mut Raw, text: &str) {
    raw.send(&ClientMessage::Text(Text {
        text: text.to_string(),
        to: None,
    }));
}

/// Waits for the live `TEXT` whose text is `text`.
pub fn expect_text(raw: &mut Raw, text: &str) -> Chat {
    match raw.expect(
        &format!("TEXT {text:?}"),
        |m| matches!(m, ServerMessage::Chat(c) if c.text == text && !c.history),
    ) {
        ServerMessage::Chat(chat) => chat,
        _ => unreachable!(),
    }
}

/// Asks for the rooms and waits for the answer.
pub fn rooms(raw: &mut Raw) -> Vec<(String, u64)> {
    raw.send(&ClientMessage::RoomListRequest);
    match raw.expect("ROOM_LIST", |m| matches!(m, ServerMessage::RoomList(_))) {
        ServerMessage::RoomList(list) => list
            .rooms
            .into_iter()
            .map(|RoomInfo { name, members }| (name, members))
            .collect(),
        _ => unreachable!(),
    }
}

/// Proves that no message satisfying `unwanted` arrives within a short
/// bounded wait, nor is waiting among those already skipped. Others are
/// kept in `raw.skipped`.
pub fn expect_none(raw: &mut Raw, what: &str, unwanted: impl Fn(&ServerMessage) -> bool) {
    if let Some(m) = raw.skipped.iter().find(|m| unwanted(m)) {
        panic!("unexpected {what}: {m:?}");
    }
    let until = Instant::now() + QUIET;
    loop {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return;
        }
        match raw.poll(left) {
            Polled::Message(m) if unwanted(&m) => panic!("unexpected {what}: {m:?}"),
            Polled::Message(m) => raw.skipped.push(m),
            Polled::Quiet => return,
            Polled::Closed => panic!("the connection closed while checking for no {what}"),
        }
    }
}

/// The room files in a history folder (no lock file, nothing hidden).
pub fn room_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.ends_with(".jsonl")
        })
        .collect();
    files.sort();
    files
}

/// The lines of a file, or none if it does not exist yet.
pub fn lines_of(path: &Path) -> Vec<String> {
    fs::read_to_string(path)
        .map(|t| t.lines().map(str::to_string).collect())
        .unwrap_or_default()
}

/// Waits until the history file at `path` holds at least `lines` lines:
/// the moment the server's writer has handed them to the kernel, which is
/// what a killed process cannot lose. The file is looked at again every
/// few milliseconds, up to the deadline. (Waiting on a channel nobody
/// sends on is how this paces itself: nothing here guesses how long the
/// writer takes.)
pub fn wait_for_lines(path: &Path, lines: usize) {
    let (_keep, pace) = channel::<()>();
    let deadline = Instant::now() + DEADLINE;
    while lines_of(path).len() < lines {
        assert!(
            Instant::now() < deadline,
            "{} did not reach {lines} lines within {DEADLINE:?}: {:?}",
            path.display(),
            lines_of(path)
        );
        let _ = pace.recv_timeout(Duration::from_millis(5));
    }
}
