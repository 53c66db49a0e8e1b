//! Browsers on the chat port: WebSocket sessions against the real
//! `chat-server` (contract section 13), through the test client in
//! `tests/common/ws.rs`.
//!
//! - the handshake, and a first frame sent right behind it;
//! - a browser-side client and a terminal client (the real `chat-client`)
//!   chatting, whispering and trading files both ways through one server;
//! - every framing rule and the close code each broken rule earns;
//!   fragmented messages with control frames between the pieces; oversized
//!   and non-UTF-8 messages;
//! - the closing handshake either way, one close frame each time.

mod common;

use std::time::Instant;

use common::files::{random_bytes, seeded_rng, write_file};
use common::ws::{Frame, Polled, Ws, client_frame, envelope, first_byte, opcode, parse_envelope};
use common::{DEADLINE, QUIET, Server};
use socket_chat::base64;
use socket_chat::crypto::scram::{ClientFirst, Verifier};
use socket_chat::crypto::sha256;
use socket_chat::json::{self, Value};

/// A field of an envelope's metadata, as text.
fn meta_str(meta: &Value, key: &str) -> Option<String> {
    meta.as_object()?.get(key)?.as_str().map(str::to_string)
}

/// A field of an envelope's metadata, as a number.
fn meta_u64(meta: &Value, key: &str) -> Option<u64> {
    meta.as_object()?.get(key)?.as_u64()
}

/// True if an envelope's metadata has `key` set to `true`.
fn meta_true(meta: &Value, key: &str) -> bool {
    meta.as_object()
        .and_then(|m| m.get(key))
        .is_some_and(|v| *v == Value::Bool(true))
}

/// Waits for a `TEXT` from `sender` saying `text`, and returns its metadata.
fn expect_chat(ws: &mut Ws, sender: &str, text: &str) -> Value {
    let body = ws.expect_message(&format!("{sender}: {text}"), |kind, data, meta| {
        kind == "TEXT" && data == text && meta_str(meta, "sender").as_deref() == Some(sender)
    });
    parse_envelope(&body).2
}

/// Waits for an `ERROR` with `code`, and returns its text.
fn expect_error(ws: &mut Ws, code: &str) -> String {
    let body = ws.expect_message(&format!("ERROR {code}"), |kind, _, meta| {
        kind == "ERROR" && meta_str(meta, "code").as_deref() == Some(code)
    });
    parse_envelope(&body).1
}

/// Asks who is online and waits for the answer: a round trip that proves
/// the session is alive.
fn who_is_online(ws: &mut Ws) -> Vec<String> {
    ws.send_text(&envelope("USER_LIST", "", "{}"));
    let body = ws.expect_type("USER_LIST");
    let (_, _, meta) = parse_envelope(&body);
    meta.as_object()
        .and_then(|m| m.get("users"))
        .and_then(Value::as_array)
        .map(|users| {
            users
                .iter()
                .filter_map(|u| u.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------
// The handshake
// ---------------------------------------------------------------------------

#[test]
fn a_websocket_joins_on_the_chat_port() {
    let mut server = Server::start(&[]);
    let mut ws = Ws::connect(server.port);
    ws.send_text(&envelope("USER_JOIN", "Alice", "{}"));
    let welcome = ws.expect_type("USER_JOIN");
    let (_, name, meta) = parse_envelope(&welcome);
    assert_eq!(name, "Alice");
    assert!(meta_true(&meta, "self"), "{welcome}");
    server.expect("HTTP 127.0.0.1:");
    server.expect("Alice joined from 127.0.0.1:");
    assert_eq!(who_is_online(&mut ws), ["Alice"]);
}

#[test]
fn a_first_frame_sent_behind_the_handshake_is_not_lost() {
    let server = Server::start(&[]);
    // The join, masked, in the same write as the upgrade request: the
    // server reads both in one go and must hand the frame on.
    let join = client_frame(
        first_byte(true, opcode::TEXT),
        envelope("USER_JOIN", "Eager", "{}").as_bytes(),
        Some([7, 1, 2, 9]),
    );
    let mut ws = Ws::connect_then(server.port, &[], &join).expect("upgraded");
    let (_, name, _) = parse_envelope(&ws.expect_type("USER_JOIN"));
    assert_eq!(name, "Eager");
}

#[test]
fn a_page_of_another_site_cannot_open_a_chat_connection() {
    let mut server = Server::start(&[]);
    let refusal = match Ws::connect_with(server.port, &["Origin: http://evil.example"]) {
        Err(refusal) => refusal,
        Ok(_) => panic!("a foreign origin was upgraded"),
    };
    assert_eq!(refusal.status, 403, "{}", refusal.response);
    server.expect("\"GET /ws\": 403");
    // Our own page's origin is welcome.
    let origin = format!("Origin: http://127.0.0.1:{}", server.port);
    assert!(Ws::connect_with(server.port, &[&origin]).is_ok());
}

#[test]
fn allow_origin_lets_a_named_page_in() {
    let server = Server::start(&[
        "--allow-origin",
        "http://classroom.example:8080",
        "--allow-origin",
        "http://other.example",
    ]);
    for origin in ["http://classroom.example:8080", "http://other.example"] {
        let mut ws = Ws::connect_with(server.port, &[&format!("Origin: {origin}")])
            .unwrap_or_else(|r| panic!("{origin} refused: {}", r.response));
        ws.send_text(&envelope("USER_JOIN", "Visitor", "{}"));
        ws.expect_type("USER_JOIN");
        ws.send_close(1000, "").unwrap();
        ws.expect_close();
    }
    let refused = Ws::connect_with(server.port, &["Origin: http://classroom.example"]);
    assert_eq!(refused.err().map(|r| r.status), Some(403));
}

// ---------------------------------------------------------------------------
// A browser and a terminal, one room
// ---------------------------------------------------------------------------

#[test]
fn a_browser_and_a_terminal_client_chat_both_ways() {
    let server = Server::start(&[]);
    let mut bob = server.join("Bob");
    let mut alice = Ws::join(server.port, "Alice");
    bob.expect("* Alice joined the chat (2 online)");
    assert_eq!(who_is_online(&mut alice), ["Bob", "Alice"]);

    alice.send_text(&envelope("TEXT", "Hello from a browser 你好 😀", "{}"));
    bob.expect("Alice: Hello from a browser 你好 😀");
    bob.send("Hello from a terminal");
    let meta = expect_chat(&mut alice, "Bob", "Hello from a terminal");
    assert!(!meta_true(&meta, "private"));

    // Private messages cross the two transports too.
    alice.send_text(&envelope("TEXT", "just for you", "{\"to\": \"bob\"}"));
    bob.expect("Alice: [private] just for you");
    bob.send("/msg @Alice and this for you");
    let meta = expect_chat(&mut alice, "Bob", "and this for you");
    assert!(meta_true(&meta, "private"));

    // A polite goodbye from the browser.
    alice.send_text(&envelope("USER_LEAVE", "Alice", "{}"));
    assert_eq!(alice.expect_close(), Some(1000));
    bob.expect("* Alice left");
}

/// Join and leave notices may wait a moment in a queue for company (see
/// `NOTICE_DELAY` in src/server/outbox.rs); a browser's queue is written
/// with WebSocket headers and carries its pongs too, and must still get
/// every notice, whole and in order.
#[test]
fn a_browser_hears_who_joins_and_leaves() {
    let server = Server::start(&[]);
    let mut alice = Ws::join(server.port, "Alice");
    let mut bob = server.join("Bob");
    let body = alice.expect_message("Bob's join", |kind, data, _| {
        kind == "USER_JOIN" && data == "Bob"
    });
    let (_, _, meta) = parse_envelope(&body);
    assert_eq!(meta_u64(&meta, "online"), Some(2));
    // A pong goes out at once, whatever notice may be waiting with it.
    alice.ping(b"still there?");
    let pong = alice.expect_frame("a pong", |f| f.opcode == opcode::PONG);
    assert_eq!(pong.payload, b"still there?");
    let mut carol = Ws::join(server.port, "Carol");
    alice.expect_message("Carol's join", |kind, data, _| {
        kind == "USER_JOIN" && data == "Carol"
    });
    bob.send("/quit");
    for ws in [&mut alice, &mut carol] {
        let body = ws.expect_message("Bob's leave", |kind, data, _| {
            kind == "USER_LEAVE" && data == "Bob"
        });
        let (_, _, meta) = parse_envelope(&body);
        assert_eq!(meta_u64(&meta, "online"), Some(2));
    }
}

#[test]
fn files_cross_from_a_browser_to_a_terminal_and_back() {
    let server = Server::start(&[]);
    let mut bob = server.join("Bob");
    let mut alice = Ws::join(server.port, "Alice");
    bob.expect("Alice joined");
    let mut rng = seeded_rng("websocket files");

    // Browser to terminal: the page's own chunking (4096 bytes).
    let content = random_bytes(&mut rng, 3 * 4096 + 17);
    let name = "from-the-browser.bin";
    alice.send_text(&envelope(
        "FILE",
        name,
        &format!(
            "{{\"transfer_id\": \"1\", \"size\": {}, \"to\": \"Bob\"}}",
            content.len()
        ),
    ));
    for (index, chunk) in content.chunks(4096).enumerate() {
        alice.send_text(&envelope(
            "FILE_DATA",
            &base64::encode(chunk),
            &format!("{{\"transfer_id\": \"1\", \"index\": {index}}}"),
        ));
    }
    let digest = sha256::to_hex(&sha256::digest(&content));
    alice.send_text(&envelope(
        "FILE_COMPLETE",
        name,
        &format!(
            "{{\"transfer_id\": \"1\", \"size\": {}, \"sha256\": \"{digest}\"}}",
            content.len()
        ),
    ));
    let line = bob.expect(&format!("[file] received {name} from Alice:"));
    let saved = common::files::saved_path(&line);
    common::files::assert_same_bytes(&bob.dir.path().join(saved), &content);

    // Terminal to browser.
    let back = random_bytes(&mut rng, 70_000);
    write_file(&bob.path("to-the-browser.bin"), &back);
    bob.send("/send @Alice to-the-browser.bin");
    let offer = alice.expect_message("the offer", |kind, data, _| {
        kind == "FILE" && data == "to-the-browser.bin"
    });
    let (_, _, meta) = parse_envelope(&offer);
    let id = meta_str(&meta, "transfer_id").expect("a transfer id");
    assert_eq!(meta_str(&meta, "sender").as_deref(), Some("Bob"));
    let mut received = Vec::new();
    let complete = loop {
        let body = alice.expect_message("a chunk or the end", |kind, _, meta| {
            (kind == "FILE_DATA" || kind == "FILE_COMPLETE")
                && meta_str(meta, "transfer_id").as_deref() == Some(&id)
        });
        let (kind, data, meta) = parse_envelope(&body);
        if kind == "FILE_COMPLETE" {
            break meta;
        }
        received.extend(base64::decode(&data).expect("base64"));
    };
    assert!(received == back, "the browser got other bytes");
    assert_eq!(
        meta_str(&complete, "sha256"),
        Some(sha256::to_hex(&sha256::digest(&back)))
    );
}

#[test]
fn a_browser_and_a_terminal_share_rooms_and_their_history() {
    let server = Server::start(&[]);
    let mut bob = server.join("Bob");
    // Once a member of the lobby has the message, it is in the lobby's
    // history (a room numbers, keeps and queues a message in one step).
    let mut witness = Ws::join(server.port, "Witness");
    bob.send("before Alice came");
    expect_chat(&mut witness, "Bob", "before Alice came");
    let mut alice = Ws::join(server.port, "Alice");
    // Entering the lobby replays what was said there, marked as history.
    let replayed = alice.expect_message("the replay", |kind, data, _| {
        kind == "TEXT" && data == "before Alice came"
    });
    let (_, _, meta) = parse_envelope(&replayed);
    assert!(meta_true(&meta, "history"), "{replayed}");
    assert_eq!(meta_str(&meta, "room").as_deref(), Some("lobby"));
    let (_, room, meta) = parse_envelope(&alice.expect_type("HISTORY"));
    assert_eq!(
        (
            room.as_str(),
            meta.as_object()
                .and_then(|m| m.get("count"))
                .and_then(Value::as_u64)
        ),
        ("lobby", Some(1))
    );

    alice.send_text(&envelope("ROOM_JOIN", "python", "{}"));
    let (_, room, meta) = parse_envelope(&alice.expect_type("ROOM_JOIN"));
    assert_eq!(room, "python");
    assert!(meta_true(&meta, "self"));
    bob.expect("* Alice left #lobby");
    bob.send("/join #python");
    alice.expect_message("Bob coming in", |kind, data, meta| {
        kind == "ROOM_JOIN" && data == "python" && meta_str(meta, "user").as_deref() == Some("Bob")
    });
    bob.send("in python");
    let meta = expect_chat(&mut alice, "Bob", "in python");
    assert_eq!(meta_str(&meta, "room").as_deref(), Some("python"));
    alice.send_text(&envelope("TEXT", "hello python", "{}"));
    bob.expect("Alice: hello python");

    // Asked for: the room's history, then the list of rooms.
    alice.send_text(&envelope("HISTORY", "", "{\"limit\": 5}"));
    alice.expect_message("the replayed text", |kind, data, meta| {
        kind == "TEXT" && data == "in python" && meta_true(meta, "history")
    });
    alice.expect_type("HISTORY");
    alice.send_text(&envelope("ROOM_LIST", "", "{}"));
    let (_, _, meta) = parse_envelope(&alice.expect_type("ROOM_LIST"));
    let rooms = json::to_string(
        meta.as_object()
            .and_then(|m| m.get("rooms"))
            .expect("rooms"),
    );
    assert_eq!(
        rooms,
        r#"[{"name": "lobby", "members": 1}, {"name": "python", "members": 2}]"#
    );
}

#[test]
fn a_websocket_client_registers_and_logs_in_like_a_terminal() {
    let server = Server::start(&[]);
    let verifier = Verifier::generate("pässword", 4096).expect("a verifier");
    let mut ws = Ws::connect(server.port);
    ws.send_text(&envelope(
        "REGISTER",
        "Alice",
        &format!(
            "{{\"salt\": \"{}\", \"iterations\": 4096, \"stored_key\": \"{}\", \"server_key\": \"{}\"}}",
            base64::encode(&verifier.salt),
            base64::encode(&verifier.stored_key),
            base64::encode(&verifier.server_key)
        ),
    ));
    ws.expect_message("registered", |kind, data, meta| {
        kind == "REGISTER" && data == "Alice" && meta_true(meta, "ok")
    });
    ws.send_close(1000, "").unwrap();
    ws.expect_close();

    // A registered name, without logging in: refused, and still connected.
    let mut ws = Ws::connect(server.port);
    ws.send_text(&envelope("USER_JOIN", "alice", "{}"));
    expect_error(&mut ws, "auth_required");
    // SCRAM over the WebSocket: four AUTH messages, then the join.
    let first = ClientFirst::new("Alice", "pässword").expect("client-first");
    ws.send_text(&envelope(
        "AUTH",
        first.message(),
        "{\"mechanism\": \"SCRAM-SHA-256\"}",
    ));
    let (_, challenge, _) = parse_envelope(&ws.expect_type("AUTH"));
    let last = first
        .receive_server_first(&challenge)
        .expect("server-first");
    ws.send_text(&envelope("AUTH", last.message(), "{}"));
    let (_, signature, meta) = parse_envelope(&ws.expect_type("AUTH"));
    assert!(meta_true(&meta, "ok"));
    last.receive_server_final(&signature)
        .expect("the server proves it holds the verifier");
    ws.send_text(&envelope("USER_JOIN", "Alice", "{}"));
    let (_, _, meta) = parse_envelope(&ws.expect_type("USER_JOIN"));
    assert_eq!(meta_str(&meta, "role").as_deref(), Some("member"));
}

// ---------------------------------------------------------------------------
// Framing rules, end to end
// ---------------------------------------------------------------------------

#[test]
fn fragmented_messages_with_pings_between_the_pieces() {
    let server = Server::start(&[]);
    let mut bob = server.join("Bob");
    let mut alice = Ws::join(server.port, "Alice");
    // A text cut into 9 pieces, some inside a character, a ping after each.
    let text = "分成好几块的一句话, cut in pieces 😀".repeat(20);
    let body = envelope("TEXT", &text, "{}");
    alice.send_fragmented(body.as_bytes(), 9, true);
    for i in 0..8 {
        let pong = alice.expect_frame("a pong", |f| f.opcode == opcode::PONG);
        assert_eq!(pong.payload, format!("between {i}").into_bytes());
    }
    bob.expect(&format!("Alice: {}", &text[..30]));
    // And a ping on its own, answered with its own payload.
    alice.ping(b"are you there?");
    let pong = alice.expect_frame("a pong", |f| f.opcode == opcode::PONG);
    assert_eq!(pong.payload, b"are you there?");
    assert_eq!(who_is_online(&mut alice), ["Bob", "Alice"]);
}

#[test]
fn a_message_that_is_not_a_message_gets_an_error_and_the_session_goes_on() {
    let server = Server::start(&[]);
    let mut alice = Ws::join(server.port, "Alice");
    alice.send_text("this is not JSON");
    expect_error(&mut alice, "bad_json");
    alice.send_text("[1, 2, 3]");
    expect_error(&mut alice, "bad_message");
    assert_eq!(who_is_online(&mut alice), ["Alice"]);
}

/// Sends `bytes` on a joined WebSocket and returns the close code the
/// server answers with, checking that it closes the TCP connection after.
fn close_code_for(server: &mut Server, name: &str, bytes: &[u8]) -> Option<u16> {
    let mut ws = Ws::join(server.port, name);
    // Written whole: the server may close before it has read all of it.
    let _ = ws.send_raw(bytes);
    let code = ws.expect_close();
    assert!(
        !ws.skipped.iter().any(|f| f.opcode == opcode::CLOSE),
        "two close frames"
    );
    server.expect(&format!("bad input from {name}"));
    code
}

#[test]
fn every_broken_rule_gets_its_close_code() {
    let mut server = Server::start(&["--max-frame", "4096"]);
    let mask = Some([0x12, 0x34, 0x56, 0x78]);
    let text = |payload: &[u8]| client_frame(0x81, payload, mask);
    let mut fragmented_control = client_frame(0x01, b"{", mask);
    fragmented_control.extend(client_frame(0x09, b"ping", mask));
    let mut unfinished = client_frame(0x01, b"{", mask);
    unfinished.extend(text(b"{}"));
    let mut split_bad_utf8 = client_frame(0x01, "好".as_bytes()[..2].as_ref(), mask);
    split_bad_utf8.extend(client_frame(0x80, b"!", mask));
    let mut over_in_pieces = client_frame(0x01, &[b'a'; 3000], mask);
    over_in_pieces.extend(client_frame(0x80, &[b'a'; 1097], mask));
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        ("unmasked", client_frame(0x81, b"{}", None), 1002),
        ("reserved bit", client_frame(0xC1, b"{}", mask), 1002),
        ("reserved opcode", client_frame(0x83, b"{}", mask), 1002),
        (
            "a length in more bytes than it needs",
            [0x81, 0x80 | 126, 0, 5, 1, 2, 3, 4, 1, 2, 3, 4, 5].to_vec(),
            1002,
        ),
        (
            "a control frame over 125 bytes",
            client_frame(0x89, &[0; 126], mask),
            1002,
        ),
        ("a fragmented control frame", fragmented_control, 1002),
        (
            "a continuation of nothing",
            client_frame(0x80, b"x", mask),
            1002,
        ),
        ("a message inside a message", unfinished, 1002),
        (
            "a close code no one may send",
            client_frame(0x88, &1005u16.to_be_bytes(), mask),
            1002,
        ),
        ("binary", client_frame(0x82, b"\x00\x01", mask), 1003),
        (
            "text that is not UTF-8",
            text(b"{\"type\": \"\xff\"}"),
            1007,
        ),
        ("a character cut and never finished", split_bad_utf8, 1007),
        (
            "a close reason that is not UTF-8",
            client_frame(0x88, b"\x03\xe8\xc3", mask),
            1007,
        ),
        ("one byte over the limit", text(&[b'a'; 4097]), 1009),
        ("over the limit in two pieces", over_in_pieces, 1009),
        (
            "a length of 2^62 bytes",
            [0x81, 0x80 | 127, 0x40, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4].to_vec(),
            1009,
        ),
    ];
    for (i, (what, bytes, code)) in cases.into_iter().enumerate() {
        let got = close_code_for(&mut server, &format!("case{i}"), &bytes);
        assert_eq!(got, Some(code), "{what}");
    }
    // Exactly at the limit is fine.
    let mut ws = Ws::join(server.port, "AtTheLimit");
    let padding = "x".repeat(4096 - envelope("TEXT", "", "{}").len());
    ws.send_text(&envelope("TEXT", &padding, "{}"));
    assert_eq!(who_is_online(&mut ws), ["AtTheLimit"]);
}

#[test]
fn a_member_cut_off_for_a_broken_frame_leaves_the_room() {
    let server = Server::start(&[]);
    let mut bob = server.join("Bob");
    let mut mallory = Ws::join(server.port, "Mallory");
    bob.expect("Mallory joined");
    mallory
        .send_raw(&client_frame(0x82, b"binary", Some([1; 4])))
        .unwrap();
    assert_eq!(mallory.expect_close(), Some(1003));
    bob.expect("* Mallory disconnected");
    bob.send("still here");
    let mut carol = Ws::join(server.port, "Carol");
    bob.send("hello Carol");
    expect_chat(&mut carol, "Bob", "hello Carol");
}

// ---------------------------------------------------------------------------
// Closing
// ---------------------------------------------------------------------------

#[test]
fn a_close_is_answered_with_a_close_echoing_its_code() {
    let server = Server::start(&[]);
    let mut bob = server.join("Bob");
    for (i, code) in [Some(1000u16), Some(1001), Some(4000), None]
        .into_iter()
        .enumerate()
    {
        let name = format!("Closer{i}");
        let mut ws = Ws::join(server.port, &name);
        bob.expect(&format!("{name} joined"));
        match code {
            Some(code) => ws.send_close(code, "bye").unwrap(),
            None => ws.send_frame(true, opcode::CLOSE, b"").unwrap(),
        }
        assert_eq!(ws.expect_close(), Some(code.unwrap_or(1000)), "{code:?}");
        assert!(
            !ws.skipped.iter().any(|f| f.opcode == opcode::CLOSE),
            "{:?}",
            ws.skipped
        );
        bob.expect(&format!("* {name} disconnected"));
    }
}

#[test]
fn nothing_follows_the_close_frame() {
    let server = Server::start(&[]);
    let mut bob = server.join("Bob");
    let mut alice = Ws::join(server.port, "Alice");
    bob.expect("Alice joined");
    alice.send_close(1000, "").unwrap();
    // Bob talks while Alice's close is on its way: none of it may come
    // after the server's close frame.
    for i in 0..50 {
        bob.send(&format!("line {i}"));
    }
    let mut after_close = Vec::new();
    let mut closed = false;
    let deadline = Instant::now() + DEADLINE;
    loop {
        match alice.poll(deadline.saturating_duration_since(Instant::now())) {
            Polled::Frame(frame) if closed => after_close.push(frame),
            Polled::Frame(Frame {
                opcode: opcode::CLOSE,
                ..
            }) => closed = true,
            Polled::Frame(_) => {}
            Polled::Closed => break,
            Polled::Quiet => panic!("the connection stayed open"),
        }
    }
    assert!(closed, "no close frame");
    assert!(after_close.is_empty(), "{after_close:?}");
}

#[test]
fn a_connection_that_never_joins_is_told_and_closed() {
    // Long enough for the handshake to finish first on a busy machine: the
    // deadline counts from `accept`, and a head still arriving gets 408.
    let server = Server::start(&["--heartbeat", "3"]);
    let mut ws = Ws::connect(server.port);
    expect_error(&mut ws, "join_timeout");
    assert_eq!(ws.expect_close(), Some(1000));
}

#[test]
fn a_refused_name_is_told_then_closed() {
    let server = Server::start(&[]);
    let _bob = server.join("Bob");
    let mut ws = Ws::connect(server.port);
    ws.send_text(&envelope("USER_JOIN", "bob", "{}"));
    expect_error(&mut ws, "name_taken");
    assert_eq!(ws.expect_close(), Some(1000));
}

#[test]
fn at_shutdown_a_browser_hears_why_and_the_server_is_going_away() {
    let mut server = Server::start(&[]);
    let mut alice = Ws::join(server.port, "Alice");
    let mut idle = Ws::connect(server.port);
    server.send("/quit");
    expect_error(&mut alice, "server_shutdown");
    assert_eq!(alice.expect_close(), Some(1001));
    expect_error(&mut idle, "server_shutdown");
    assert_eq!(idle.expect_close(), Some(1001));
    assert!(server.proc.wait_exit().success());
}

#[test]
fn a_kicked_browser_is_told_and_closed() {
    let mut server = Server::start(&[]);
    let mut alice = Ws::join(server.port, "Alice");
    server.expect("Alice joined");
    server.send("/kick Alice");
    expect_error(&mut alice, "kicked");
    assert!(alice.expect_close().is_some());
}

#[test]
fn a_quiet_socket_is_not_a_closed_one() {
    let server = Server::start(&[]);
    let mut alice = Ws::join(server.port, "Alice");
    // The end of the lobby's (empty) replay follows the welcome.
    alice.expect_type("HISTORY");
    assert!(matches!(alice.poll(QUIET), Polled::Quiet));
    assert_eq!(who_is_online(&mut alice), ["Alice"]);
}
