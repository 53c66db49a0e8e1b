//! Hostile bytes at a live server: garbage, broken frames, bodies that are
//! not messages, a peer that dribbles one byte at a time, and thousands of
//! random and mutated frames. Each is answered as `docs/protocol.md` says
//! (an `ERROR` code, and a close where framing is lost), the server logs
//! it once, and two well-behaved clients, Alice and Bob, keep chatting
//! throughout.
//!
//! The `bad input from` lines checked here are the server's log on stdout.

mod common;

use std::net::Shutdown;
use std::thread;
use std::time::{Duration, Instant};

use common::raw::{Polled, Raw};
use common::{DEADLINE, Pair};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use socket_chat::frame::{DEFAULT_MAX_FRAME, is_timeout};
use socket_chat::message::client::{
    Admin, Auth, FileOffer, HistoryRequest, Join, Leave, Register, RoomJoin, Text,
};
use socket_chat::message::{
    AdminAction, ClientMessage, ErrorCode, ErrorReport, FileChunk, FileComplete, ServerMessage,
};
use socket_chat::transport::tcp;

/// Joins Mallory, sends her one frame around `body`, and checks the answer:
/// `ERROR code`, logged once, and the connection still open (framing is in
/// step, so there is no reason to close). Alice and Bob chat meanwhile.
fn bad_body_is_answered_and_the_connection_stays_open(body: &[u8], code: ErrorCode) {
    let mut pair = Pair::start(&[]);
    let mut mallory = Raw::join(pair.port(), "Mallory");
    pair.still_chat();
    mallory.send_body(body).expect("send");
    pair.still_chat();
    mallory.expect_error(code);
    pair.server.proc.expect_once("bad input from Mallory");
    assert_eq!(mallory.list(), ["Alice", "Bob", "Mallory"]);
    pair.alice.expect_none("Mallory disconnected");
    pair.still_chat();
}

#[test]
fn a_body_that_is_not_utf8_gets_bad_utf8_and_the_connection_stays_open() {
    bad_body_is_answered_and_the_connection_stays_open(
        b"{\"type\": \"TEXT\", \"data\": \"caf\xe9 \xff\", \"metadata\": {}}",
        ErrorCode::BadUtf8,
    );
}

#[test]
fn a_body_that_is_not_json_gets_bad_json_and_the_connection_stays_open() {
    bad_body_is_answered_and_the_connection_stays_open(
        b"TEXT: hello, is this thing on?",
        ErrorCode::BadJson,
    );
}

#[test]
fn json_that_is_not_an_object_gets_bad_message_and_the_connection_stays_open() {
    bad_body_is_answered_and_the_connection_stays_open(
        br#"["TEXT", "hello", {}]"#,
        ErrorCode::BadMessage,
    );
}

#[test]
fn an_unknown_message_type_gets_bad_message_and_the_connection_stays_open() {
    bad_body_is_answered_and_the_connection_stays_open(
        br#"{"type": "SHOUT", "data": "HELLO", "metadata": {}}"#,
        ErrorCode::BadMessage,
    );
}

#[test]
fn a_message_without_its_data_gets_bad_message_and_the_connection_stays_open() {
    bad_body_is_answered_and_the_connection_stays_open(
        br#"{"type": "TEXT", "metadata": {}}"#,
        ErrorCode::BadMessage,
    );
}

/// 100,000 open brackets would overflow the stack of a recursive parser.
/// Ours keeps its own stack and stops at 128 levels.
#[test]
fn a_hundred_thousand_nested_brackets_get_bad_json_not_a_crash() {
    bad_body_is_answered_and_the_connection_stays_open(&[b'['; 100_000], ErrorCode::BadJson);
}

/// Balanced this time: valid JSON, but far too deep to accept.
#[test]
fn a_hundred_thousand_balanced_brackets_get_bad_json_not_a_crash() {
    let mut body = vec![b'['; 100_000];
    body.resize(200_000, b']');
    bad_body_is_answered_and_the_connection_stays_open(&body, ErrorCode::BadJson);
}

/// A length prefix of 0xFFFFFFFF announces a 4 GiB body. The server checks
/// it against its limit before reading or allocating anything, answers,
/// and closes: it cannot skip 4 GiB to find the next frame.
#[test]
fn a_length_of_four_gigabytes_gets_frame_too_large_and_a_close() {
    let mut pair = Pair::start(&[]);
    let mut mallory = Raw::join(pair.port(), "Mallory");
    mallory.send_bytes(&[0xFF; 4]).expect("send");
    pair.still_chat();
    mallory.expect_error(ErrorCode::FrameTooLarge);
    mallory.expect_closed();
    pair.alice.expect("* Mallory disconnected (2 online)");
    pair.server
        .proc
        .expect_once("bad input from Mallory: frame of 4294967295 bytes");
    pair.still_chat();
}

/// The protocol has no empty message, and a zero length cannot be told
/// apart from a stream that lost its place, so the server closes.
#[test]
fn a_length_of_zero_gets_bad_message_and_a_close() {
    let mut pair = Pair::start(&[]);
    let mut mallory = Raw::join(pair.port(), "Mallory");
    mallory.send_bytes(&[0, 0, 0, 0]).expect("send");
    pair.still_chat();
    mallory.expect_error(ErrorCode::BadMessage);
    mallory.expect_closed();
    pair.alice.expect("* Mallory disconnected (2 online)");
    pair.server.proc.expect_once("bad input from Mallory");
    pair.still_chat();
}

/// Someone types at the port with `nc`. The first four characters, read as
/// a length ("hell" is 0x68656c6c), are far over the limit.
#[test]
fn text_typed_at_the_port_gets_frame_too_large_and_a_close() {
    let mut pair = Pair::start(&[]);
    let mut typist = Raw::connect(pair.port());
    let who = typist.stream.local_addr().expect("address").to_string();
    typist.send_bytes(b"hello? anyone there?\n").expect("send");
    typist.expect_error(ErrorCode::FrameTooLarge);
    typist.expect_closed();
    pair.server
        .proc
        .expect_once(&format!("bad input from {who}: frame of 1751477356 bytes"));
    pair.still_chat();
}

/// Random bytes, from a fixed seed, each lot on a new connection. What the
/// server must answer depends on the first four bytes, read as a length;
/// the test works it out the same way. Half the time the length is made
/// to fit the rest exactly, so the server gets to read a random body.
#[test]
fn random_bytes_get_the_answer_their_first_four_bytes_call_for() {
    let mut pair = Pair::start(&[]);
    let mut rng = seeded_rng("random_bytes");
    for round in 0..20 {
        let mut bytes = vec![0u8; rng.random_range(1..200)];
        rng.fill(&mut bytes[..]);
        if bytes.len() > 4 && rng.random_bool(0.5) {
            let body_len = (bytes.len() - 4) as u32;
            bytes[..4].copy_from_slice(&body_len.to_be_bytes());
        }
        let mut raw = Raw::connect(pair.port());
        let who = raw.stream.local_addr().expect("address").to_string();
        raw.send_bytes(&bytes).expect("send");
        let header: Option<[u8; 4]> = bytes.get(..4).map(|h| h.try_into().expect("4 bytes"));
        let len = header.map(|h| u32::from_be_bytes(h) as usize);
        eprintln!(
            "round {round}: {} bytes, length prefix {len:?}",
            bytes.len()
        );
        match len {
            Some(0) => {
                raw.expect_error(ErrorCode::BadMessage);
                raw.expect_closed();
            }
            Some(len) if len > DEFAULT_MAX_FRAME => {
                raw.expect_error(ErrorCode::FrameTooLarge);
                raw.expect_closed();
            }
            // A whole frame of noise: answered, and the connection stays
            // open (a PING still gets its PONG).
            Some(len) if len == bytes.len() - 4 => {
                raw.expect("an ERROR about the body", |m| {
                    matches!(
                        m,
                        ServerMessage::Error(ErrorReport {
                            code: ErrorCode::BadUtf8 | ErrorCode::BadJson | ErrorCode::BadMessage,
                            ..
                        })
                    )
                });
                raw.send(&ClientMessage::Ping);
                raw.expect("PONG", |m| *m == ServerMessage::Pong);
            }
            // Not even a whole header, or a length the bytes fall short
            // of: the server waits for the rest, which never comes. We
            // hang up mid-frame.
            _ => raw.close(),
        }
        pair.server
            .proc
            .expect_once(&format!("bad input from {who}"));
        if round % 5 == 0 {
            pair.still_chat();
        }
    }
    pair.still_chat();
}

/// Before joining, a client may only ask for a name. Anything else is
/// refused, but the client can still join afterwards.
#[test]
fn text_before_joining_gets_bad_message_and_joining_still_works() {
    let mut pair = Pair::start(&[]);
    let mut eve = Raw::connect(pair.port());
    let who = eve.stream.local_addr().expect("address").to_string();
    eve.send(&ClientMessage::Text(Text {
        text: "sneaking in".to_string(),
        to: None,
    }));
    eve.expect_error(ErrorCode::BadMessage);
    pair.server
        .proc
        .expect_once(&format!("bad input from {who}"));
    pair.alice.expect_none("sneaking in");
    pair.bob.expect_none("sneaking in");

    eve.send(&ClientMessage::Join(Join {
        name: "Eve".to_string(),
    }));
    eve.expect("welcome", |m| matches!(m, ServerMessage::Welcome(_)));
    pair.alice.expect("* Eve joined the chat (3 online)");
    pair.still_chat();
}

/// Regression: a client `TEXT` that carried `"sender"` was refused with
/// `bad_message` ("only the server sends TEXT messages of this form"),
/// because the server guessed a message's direction from its keys. A
/// client's `TEXT` is a client's `TEXT`: relayed under the sender's own
/// name and time, every key only the server sets dropped on the way.
#[test]
fn a_text_claiming_another_sender_is_relayed_as_its_own_with_the_extra_keys_dropped() {
    let mut pair = Pair::start(&[]);
    let mut mallory = Raw::join(pair.port(), "Mallory");
    let mut watcher = Raw::join(pair.port(), "Watcher");
    mallory
        .send_body(
            br#"{"type": "TEXT", "data": "I am the server", "metadata": {"sender": "server", "timestamp": 1, "private": true}}"#,
        )
        .expect("send");
    let relayed = watcher.expect("the relayed TEXT", |m| matches!(m, ServerMessage::Chat(_)));
    let ServerMessage::Chat(chat) = relayed else {
        unreachable!()
    };
    assert_eq!(chat.text, "I am the server");
    assert_eq!(chat.sender, "Mallory");
    assert_eq!(chat.to, None, "a public text, whatever \"private\" said");
    assert!(chat.timestamp > 1_000_000_000, "the server's clock, not 1");
    pair.alice.expect("Mallory: I am the server");
    pair.bob.expect("Mallory: I am the server");
    // Nothing was refused, and nothing about it was logged as bad input.
    assert_eq!(mallory.list(), ["Alice", "Bob", "Mallory", "Watcher"]);
    mallory.assert_no_error_skipped();
    pair.server.proc.expect_none("bad input from Mallory");
    pair.still_chat();
}

/// A name is for the whole connection: a second `USER_JOIN` is refused,
/// and nobody hears of it.
#[test]
fn a_second_join_gets_bad_message_and_changes_nothing() {
    let mut pair = Pair::start(&[]);
    let mut mallory = Raw::join(pair.port(), "Mallory");
    pair.alice.expect("* Mallory joined");
    mallory.send(&ClientMessage::Join(Join {
        name: "Bob2".to_string(),
    }));
    mallory.expect_error(ErrorCode::BadMessage);
    pair.server.proc.expect_once("bad input from Mallory");
    assert_eq!(mallory.list(), ["Alice", "Bob", "Mallory"]);
    pair.alice.expect_none("Bob2");
    pair.still_chat();
}

/// The connection ends in the middle of a frame: the partial frame is
/// dropped, the peer counts as disconnected, and the log says so once.
#[test]
fn a_frame_cut_off_by_a_disconnect_is_dropped_and_logged() {
    let mut pair = Pair::start(&[]);
    let mut mallory = Raw::join(pair.port(), "Mallory");
    let text = tcp::frame(&ClientMessage::Text(Text {
        text: "this will never be finished".to_string(),
        to: None,
    }));
    mallory.send_bytes(&text[..text.len() / 2]).expect("send");
    mallory.close();
    pair.alice.expect("* Mallory disconnected (2 online)");
    pair.server.proc.expect_once("bad input from Mallory");
    pair.bob.expect_none("never be finished");
    pair.still_chat();
}

/// A peer sends one byte at a time: first a whole bad frame, slowly, then
/// a chat message that never ends. The server answers the bad frame once
/// (not once per byte), neither hangs nor spins meanwhile, and since no
/// complete message arrives, the heartbeat deadline drops the peer.
#[test]
fn a_peer_sending_one_byte_at_a_time_is_answered_once_then_times_out() {
    // How long to wait between bytes: on the raw socket's read timeout.
    const PACE: Duration = Duration::from_millis(100);
    let mut pair = Pair::start(&["--heartbeat", "1"]);
    let mut slow = Raw::join(pair.port(), "Slow");
    let joined = Instant::now();
    #[cfg(target_os = "linux")]
    let cpu_before = common::procfs::cpu_time(pair.server.proc.pid());

    let mut bad_frame = Vec::new();
    socket_chat::frame::encode_frame(b"nope", &mut bad_frame);
    // Long enough never to be finished before the deadline.
    let endless = tcp::frame(&ClientMessage::Text(Text {
        text: "x".repeat(60_000),
        to: None,
    }));
    let mut bytes = bad_frame.iter().chain(&endless);
    let mut answered = false;
    let mut sent = 0;
    loop {
        assert!(
            joined.elapsed() < DEADLINE,
            "Slow was never dropped; it got {:?}",
            slow.skipped
        );
        let byte = *bytes.next().expect("more bytes than the deadline allows");
        if slow.send_bytes(&[byte]).is_err() {
            break; // the server has closed
        }
        sent += 1;
        match slow.poll(PACE) {
            Polled::Quiet => {}
            Polled::Closed => break,
            Polled::Message(ServerMessage::Error(ErrorReport {
                code: ErrorCode::BadJson,
                ..
            })) => answered = true,
            Polled::Message(other) => slow.skipped.push(other),
        }
        if sent % 4 == 0 {
            pair.still_chat();
        }
    }
    let took = joined.elapsed();
    // Two heartbeat intervals, a quarter interval for the tick, and slack.
    assert!(
        took < Duration::from_secs(4),
        "Slow was dropped after {took:?}"
    );
    #[cfg(target_os = "linux")]
    {
        // A thread spinning on a read that returns nothing would burn a
        // whole core; a server that waits properly uses almost nothing.
        let cpu = common::procfs::cpu_time(pair.server.proc.pid()) - cpu_before;
        assert!(cpu < took / 4, "the server used {cpu:?} of CPU in {took:?}");
    }
    assert!(answered, "no bad_json answer; got {:?}", slow.skipped);
    pair.alice.expect("* Slow timed out (2 online)");
    pair.server.proc.expect_once("bad input from Slow");
    pair.still_chat();
}

/// Thousands of random, mutated and cut-off frames from several
/// connections at once, some joined, some not. Whatever they do, the
/// server keeps running, no thread of it panics, and it still serves
/// Alice and Bob and a newcomer. The seed is printed;
/// `SOCKET_CHAT_SEED=<number>` replays or explores.
#[test]
fn thousands_of_random_and_mutated_frames_never_crash_the_server() {
    const CONNECTIONS: u64 = 4;
    const FRAMES_EACH: usize = 2500;
    let mut pair = Pair::start(&[]);
    let port = pair.port();
    let seed = seed("random_frames");

    let connections: usize = thread::scope(|scope| {
        let workers: Vec<_> = (0..CONNECTIONS)
            .map(|c| {
                scope.spawn(move || {
                    let mut rng = StdRng::seed_from_u64(seed.wrapping_add(c));
                    let mut sent = 0;
                    let mut connections = 0;
                    while sent < FRAMES_EACH {
                        sent += flood_one_connection(port, &mut rng);
                        connections += 1;
                    }
                    connections
                })
            })
            .collect();
        // Alice and Bob chat while the flood goes on.
        while !workers.iter().all(|w| w.is_finished()) {
            pair.still_chat();
        }
        let results: Vec<_> = workers.into_iter().map(|w| w.join()).collect();
        if results.iter().any(|r| r.is_err()) {
            pair.server.proc.catch_up();
            panic!(
                "a flooding connection failed (see above); the server's stderr:\n{}",
                pair.server.proc.stderr_lines().join("\n")
            );
        }
        results.into_iter().map(|r| r.unwrap_or_default()).sum()
    });
    eprintln!(
        "about {} frames over {connections} connections",
        CONNECTIONS as usize * FRAMES_EACH
    );

    assert!(pair.server.proc.is_running(), "the server exited");
    pair.still_chat();
    let mut newcomer = Raw::join(port, "Newcomer");
    assert!(newcomer.list().contains(&"Newcomer".to_string()));
    pair.server.proc.expect_none_err("panicked");
    assert!(pair.server.proc.is_running(), "the server exited");
}

/// How many frames go out between two checks that the server has read
/// them all.
const SYNC_EVERY: usize = 8;

/// One connection's worth of hostile frames; returns how many were sent.
///
/// Writing is not enough: the kernel takes our bytes long before the
/// server reads them, and a server that closed the connection would
/// silently throw the rest away. So every few frames, a `PING` must come
/// back as a `PONG`, proving the server read everything before it. Once a
/// frame has broken the framing, nothing after it means anything: the
/// connection ends there, and the server must notice and close its side.
fn flood_one_connection(port: u16, rng: &mut StdRng) -> usize {
    let mut raw = Raw::connect(port);
    // A server that stopped reading must fail the test, not hang it.
    raw.stream
        .set_write_timeout(Some(DEADLINE))
        .expect("write timeout");
    let ping = tcp::frame(&ClientMessage::Ping);
    let mut sent = 0;
    loop {
        let (frame, framing_kept) = random_frame(rng);
        if !send_unless_closed(&mut raw, &frame) {
            return sent; // the server had closed (a goodbye, a bad name)
        }
        sent += 1;
        if !framing_kept {
            let _ = raw.stream.shutdown(Shutdown::Write);
            raw.expect_closed();
            return sent;
        }
        if sent % SYNC_EVERY == 0 {
            if !send_unless_closed(&mut raw, &ping) {
                return sent;
            }
            // Skips answers, errors and other people's chat on the way.
            if raw
                .expect_or_closed("PONG", |m| *m == ServerMessage::Pong)
                .is_none()
            {
                return sent;
            }
        }
    }
}

fn seed(test: &str) -> u64 {
    common::seed(test, 0x686f_7374) // "host"
}

fn seeded_rng(test: &str) -> StdRng {
    StdRng::seed_from_u64(seed(test))
}

/// Short random text: ASCII, Chinese, emoji and control characters.
fn random_text(rng: &mut StdRng) -> String {
    (0..rng.random_range(0..24))
        .map(|_| {
            let code = match rng.random_range(0..4) {
                0 => rng.random_range(0..0x20),
                1 => rng.random_range(0x4e00..0x9fff),
                2 => rng.random_range(0x1f300..0x1fa00),
                _ => rng.random_range(0x20..0x7f),
            };
            char::from_u32(code).unwrap_or('?')
        })
        .collect()
}

/// A message a client might send, valid as a frame but not always sensible:
/// names that break the rules, transfers that do not exist, a goodbye.
fn random_message(rng: &mut StdRng) -> ClientMessage {
    let name = |rng: &mut StdRng| match rng.random_range(0..3) {
        0 => format!("r{}", rng.random_range(0..20)),
        1 => ["Alice", "Bob", "server", ""][rng.random_range(0..4)].to_string(),
        _ => random_text(rng),
    };
    let id = |rng: &mut StdRng| rng.random_range(0..4).to_string();
    match rng.random_range(0..18) {
        0 | 1 => ClientMessage::Join(Join { name: name(rng) }),
        2 | 3 => ClientMessage::Text(Text {
            text: random_text(rng),
            to: rng.random_bool(0.3).then(|| name(rng)),
        }),
        4 => ClientMessage::ListRequest,
        5 => ClientMessage::Ping,
        6 => ClientMessage::Pong,
        7 => ClientMessage::FileOffer(FileOffer {
            name: random_text(rng),
            transfer_id: id(rng),
            size: rng.random_range(0..5000),
            to: rng.random_bool(0.3).then(|| name(rng)),
        }),
        8 => ClientMessage::FileChunk(FileChunk {
            transfer_id: id(rng),
            index: rng.random_range(0..3),
            data: ["AAAA", "not base64!", "", "QUJD"][rng.random_range(0..4)].to_string(),
        }),
        9 => ClientMessage::FileComplete(FileComplete {
            name: random_text(rng),
            transfer_id: id(rng),
            size: rng.random_range(0..5000),
            sha256: "0".repeat(64),
        }),
        10 => ClientMessage::Error(ErrorReport::new(
            ErrorCode::Other("made_up".to_string()),
            random_text(rng),
        )),
        // Accounts and admins (contract §10, §11): verifiers too weak to
        // keep, SCRAM messages half right, actions from non-admins.
        14 => ClientMessage::Register(Register {
            name: name(rng),
            salt: ["c2FsdA==", "not base64!", "", "AAAAAAAAAAAAAAAAAAAAAA=="]
                [rng.random_range(0..4)]
            .to_string(),
            iterations: [0, 1, 4095, u64::MAX][rng.random_range(0..4)],
            stored_key: random_text(rng),
            server_key: random_text(rng),
        }),
        15 => ClientMessage::Auth(Auth {
            message: [
                "n,,n=Alice,r=abc",
                "c=biws,r=abc,p=AAAA",
                "",
                "p=x,,n=a,r=b",
            ][rng.random_range(0..4)]
            .to_string()
                + &random_text(rng),
            mechanism: rng.random_bool(0.5).then(|| "SCRAM-SHA-256".to_string()),
        }),
        16 => ClientMessage::Admin(Admin {
            action: [AdminAction::Kick, AdminAction::Mute, AdminAction::Op][rng.random_range(0..3)],
            target: name(rng),
            seconds: rng.random_bool(0.5).then(|| rng.random_range(0..u64::MAX)),
        }),
        // Rooms and history (contract §8, §9): names good and bad, and
        // replays of every size.
        11 => ClientMessage::RoomJoin(RoomJoin { name: name(rng) }),
        12 => ClientMessage::RoomListRequest,
        13 => ClientMessage::History(HistoryRequest {
            limit: rng.random_range(1..=1000),
            before: rng.random_bool(0.5).then(|| rng.random_range(0..50)),
        }),
        _ => ClientMessage::Leave(Leave { name: name(rng) }),
    }
}

/// Sends `bytes`; false if the server has closed the connection. Panics
/// if the server stopped reading without closing.
fn send_unless_closed(raw: &mut Raw, bytes: &[u8]) -> bool {
    match raw.send_bytes(bytes) {
        Ok(()) => true,
        Err(e) if is_timeout(&e) => panic!("the server stopped reading for {DEADLINE:?}"),
        Err(_) => false,
    }
}

/// The bytes of one hostile frame, and whether the framing is still in
/// step after it. Mostly it is (so the server gets to parse the body);
/// sometimes the length is wrong or the bytes are noise.
fn random_frame(rng: &mut StdRng) -> (Vec<u8>, bool) {
    let mut frame = tcp::frame(&random_message(rng));
    let body = 4..frame.len();
    match rng.random_range(0..20) {
        // A valid message.
        0..=8 => (frame, true),
        // A few bytes of the body changed; the length still fits.
        9..=14 => {
            for _ in 0..rng.random_range(1..4) {
                let i = rng.random_range(body.clone());
                frame[i] = rng.random();
            }
            (frame, true)
        }
        // The body cut short, with a length to match.
        15..=17 => {
            let keep = rng.random_range(1..frame.len() - 4);
            frame.truncate(4 + keep);
            frame[..4].copy_from_slice(&(keep as u32).to_be_bytes());
            (frame, true)
        }
        // A wrong length.
        18 => {
            let len: u32 = match rng.random_range(0..3) {
                0 => 0,
                1 => rng.random(),
                _ => rng.random_range(1..64),
            };
            frame[..4].copy_from_slice(&len.to_be_bytes());
            (frame, false)
        }
        // Plain noise.
        _ => {
            let mut noise = vec![0; rng.random_range(1..64)];
            rng.fill(&mut noise[..]);
            (noise, false)
        }
    }
}
