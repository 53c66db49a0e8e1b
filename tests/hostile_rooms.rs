//! Hostile input at the room and history messages (`ROOM_JOIN`,
//! `ROOM_LIST`, `HISTORY`, contract §8 and §9), in the manner of
//! `hostile_input.rs`: each bad message gets the `ERROR` the protocol
//! names, the connection stays open where framing is in step, the server
//! logs it, and two well-behaved clients, Alice and Bob, keep chatting.

mod common;

use common::Pair;
use common::raw::Raw;
use common::rooms::{enter_and_replay, expect_none, expect_text, history, join, rooms, say};
use socket_chat::message::{ErrorCode, ServerMessage};

/// Sends one hand-written body and checks the answer: `ERROR code`, with
/// the connection open afterwards (a `ROOM_LIST` is still answered).
fn answered_and_open(pair: &mut Pair, raw: &mut Raw, body: &str, code: ErrorCode) {
    raw.send_body(body.as_bytes()).expect("send");
    raw.expect_error(code);
    rooms(raw);
    pair.still_chat();
}

#[test]
fn room_joins_that_are_not_well_formed_get_bad_message() {
    let mut pair = Pair::start(&[]);
    let (mut mallory, _) = join(pair.port(), "Mallory");
    for body in [
        r#"{"type": "ROOM_JOIN", "data": 7, "metadata": {}}"#,
        r#"{"type": "ROOM_JOIN", "data": null, "metadata": {}}"#,
        r#"{"type": "ROOM_JOIN", "metadata": {}}"#,
        r#"{"type": "ROOM_JOIN", "data": ["python"], "metadata": {}}"#,
        r#"{"type": "ROOM_JOIN", "data": "python", "metadata": "lobby"}"#,
    ] {
        answered_and_open(&mut pair, &mut mallory, body, ErrorCode::BadMessage);
    }
    pair.server.proc.expect("bad input from Mallory");
}

#[test]
fn room_names_built_to_hurt_get_name_invalid_and_leave_no_trace() {
    let mut pair = Pair::start(&[]);
    let (mut mallory, _) = join(pair.port(), "Mallory");
    let huge = "x".repeat(900_000);
    let bodies = [
        // A screen's worth of control characters, escaped and raw.
        r#"{"type": "ROOM_JOIN", "data": "\u001b[2J\u001b]0;owned\u0007", "metadata": {}}"#
            .to_string(),
        r#"{"type": "ROOM_JOIN", "data": "r\u202eoom", "metadata": {}}"#.to_string(),
        r#"{"type": "ROOM_JOIN", "data": "line\nbreak", "metadata": {}}"#.to_string(),
        r#"{"type": "ROOM_JOIN", "data": "\ufeff", "metadata": {}}"#.to_string(),
        r#"{"type": "ROOM_JOIN", "data": "\ud800x", "metadata": {}}"#.to_string(),
        format!(r#"{{"type": "ROOM_JOIN", "data": "{huge}", "metadata": {{}}}}"#),
        r##"{"type": "ROOM_JOIN", "data": "#lobby", "metadata": {}}"##.to_string(),
        r#"{"type": "ROOM_JOIN", "data": "SERVER", "metadata": {}}"#.to_string(),
    ];
    for body in &bodies {
        mallory.send_body(body.as_bytes()).expect("send");
        mallory.expect("an ERROR", |m| {
            matches!(
                m,
                ServerMessage::Error(e)
                    if e.code == ErrorCode::NameInvalid || e.code == ErrorCode::BadJson
            )
        });
    }
    // Nothing was created, Mallory is still in the lobby, still heard.
    assert_eq!(rooms(&mut mallory), [("lobby".to_string(), 3)]);
    say(&mut mallory, "still in the lobby");
    pair.alice.expect("Mallory: still in the lobby");
    // The log shows the names escaped, never the controls themselves.
    let line = pair.server.proc.expect("refused room name \"\\u{1b}[2J");
    assert!(!line.contains('\u{1b}'), "{line:?}");
    pair.still_chat();
}

#[test]
fn history_requests_out_of_range_or_ill_typed_get_bad_message() {
    let mut pair = Pair::start(&[]);
    let (mut mallory, _) = join(pair.port(), "Mallory");
    // A room of her own, so that Alice and Bob's chat is not in its history.
    enter_and_replay(&mut mallory, "quiet");
    for body in [
        r#"{"type": "HISTORY", "data": "", "metadata": {}}"#,
        r#"{"type": "HISTORY", "data": "", "metadata": {"limit": 0}}"#,
        r#"{"type": "HISTORY", "data": "", "metadata": {"limit": 1001}}"#,
        r#"{"type": "HISTORY", "data": "", "metadata": {"limit": -5}}"#,
        r#"{"type": "HISTORY", "data": "", "metadata": {"limit": 2.5}}"#,
        r#"{"type": "HISTORY", "data": "", "metadata": {"limit": 1e3}}"#,
        r#"{"type": "HISTORY", "data": "", "metadata": {"limit": "20"}}"#,
        r#"{"type": "HISTORY", "data": "", "metadata": {"limit": 18446744073709551616}}"#,
        r#"{"type": "HISTORY", "data": "", "metadata": {"limit": 99999999999999999999999999999}}"#,
        r#"{"type": "HISTORY", "data": "", "metadata": {"limit": 5, "before": "last"}}"#,
        r#"{"type": "HISTORY", "data": "", "metadata": {"limit": 5, "before": -1}}"#,
        r#"{"type": "HISTORY", "data": "", "metadata": {"limit": 5, "before": {}}}"#,
    ] {
        answered_and_open(&mut pair, &mut mallory, body, ErrorCode::BadMessage);
    }
    // The edges are fine: 1, 1000, before 0, before the largest number.
    say(&mut mallory, "one message");
    for (limit, before, count) in [(1, None, 1), (1000, None, 1), (5, Some(0), 0)] {
        let (_, end) = history(&mut mallory, limit, before);
        assert_eq!(end.count, count);
    }
    let (_, end) = history(&mut mallory, 5, Some(u64::MAX));
    assert_eq!(end.count, 1);
    pair.still_chat();
}

#[test]
fn room_and_history_messages_before_joining_get_bad_message() {
    let mut pair = Pair::start(&[]);
    let mut eve = Raw::connect(pair.port());
    for body in [
        r#"{"type": "ROOM_JOIN", "data": "python", "metadata": {}}"#,
        r#"{"type": "ROOM_LIST", "data": "", "metadata": {}}"#,
        r#"{"type": "HISTORY", "data": "", "metadata": {"limit": 10}}"#,
    ] {
        eve.send_body(body.as_bytes()).expect("send");
        eve.expect_error(ErrorCode::BadMessage);
    }
    expect_none(&mut eve, "a replay or a room", |m| {
        matches!(
            m,
            ServerMessage::Chat(_) | ServerMessage::RoomList(_) | ServerMessage::HistoryEnd(_)
        )
    });
    pair.still_chat();
}

/// Only the server sets `room`, `seq` and `history` (contract §5): a
/// client's `TEXT` carrying them is relayed with the server's own.
#[test]
fn a_text_claiming_a_room_a_seq_or_to_be_history_gets_the_servers_own() {
    let mut pair = Pair::start(&[]);
    let (mut mallory, _) = join(pair.port(), "Mallory");
    let (mut watcher, _) = join(pair.port(), "Watcher");
    let (mut python, _) = join(pair.port(), "Pythonista");
    enter_and_replay(&mut python, "python");
    mallory
        .send_body(
            br#"{"type": "TEXT", "data": "forged", "metadata": {"room": "python", "seq": 9999, "history": true, "sender": "server"}}"#,
        )
        .expect("send");
    let got = expect_text(&mut watcher, "forged");
    assert_eq!(got.sender, "Mallory");
    assert_eq!(
        (got.room.as_deref(), got.seq, got.history),
        (Some("lobby"), Some(1), false)
    );
    expect_none(&mut python, "the lobby's text", |m| {
        matches!(m, ServerMessage::Chat(_))
    });
    // A ROOM_JOIN that claims to be the server's confirmation is a join.
    mallory
        .send_body(br#"{"type": "ROOM_JOIN", "data": "python", "metadata": {"self": true, "members": ["server"]}}"#)
        .expect("send");
    let welcome = mallory.expect("the confirmation", |m| {
        matches!(m, ServerMessage::RoomWelcome(_))
    });
    let ServerMessage::RoomWelcome(welcome) = welcome else {
        unreachable!()
    };
    assert_eq!(welcome.members, ["Pythonista", "Mallory"]);
    common::rooms::replay(&mut mallory);
    // A ROOM_LIST or HISTORY carrying rooms or counts is only a question.
    mallory
        .send_body(br#"{"type": "ROOM_LIST", "data": "x", "metadata": {"rooms": [{"name": "fake", "members": 9}]}}"#)
        .expect("send");
    let listed = mallory.expect("ROOM_LIST", |m| matches!(m, ServerMessage::RoomList(_)));
    assert!(!format!("{listed:?}").contains("fake"));
    pair.still_chat();
}

/// One client hopping between rooms as fast as it can send, while others
/// talk: rooms come and go, the limit holds, nobody is lost in a room
/// that no longer exists.
#[test]
fn a_client_hopping_between_rooms_cannot_break_the_room_list() {
    let mut pair = Pair::start(&["--max-rooms", "4"]);
    let (mut hopper, _) = join(pair.port(), "Hopper");
    let (mut other, _) = join(pair.port(), "Other");
    enter_and_replay(&mut other, "stay");
    for i in 0..300 {
        let room = format!("r{}", i % 7);
        hopper
            .send_body(
                format!(r#"{{"type": "ROOM_JOIN", "data": "{room}", "metadata": {{}}}}"#)
                    .as_bytes(),
            )
            .expect("send");
        if i % 50 == 0 {
            pair.still_chat();
        }
    }
    // Every hop was accepted (each leaves its room empty, so the count
    // never grows): the last lands in r5. Hopper's own question is
    // answered after all of them.
    assert_eq!(
        rooms(&mut hopper),
        [
            ("lobby".to_string(), 2),
            ("r5".to_string(), 1),
            ("stay".to_string(), 1)
        ]
    );
    assert!(
        !hopper
            .skipped
            .iter()
            .any(|m| matches!(m, ServerMessage::Error(_))),
        "a hop was refused"
    );
    assert_eq!(
        rooms(&mut other),
        [
            ("lobby".to_string(), 2),
            ("r5".to_string(), 1),
            ("stay".to_string(), 1)
        ]
    );
    say(&mut other, "still here");
    expect_none(
        &mut hopper,
        "another room's text",
        |m| matches!(m, ServerMessage::Chat(c) if c.text == "still here"),
    );
    pair.still_chat();
}
