//! The WebSocket test client (`tests/common/ws.rs`) checked against the
//! server's codec (`src/transport/websocket.rs`, `src/transport/http.rs`):
//! first on bytes, then over a real socket to a small echo server built from
//! the library's own HTTP and WebSocket parts. Two codecs written apart that
//! agree on every frame are much harder to get wrong together than one.

mod common;

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::thread;

use common::ws::{
    Frame, Polled, Ws, client_frame, envelope, first_byte, opcode, parse_envelope,
    parse_server_frame,
};
use common::{QUIET, files::seeded_rng};
use rand::RngExt;
use socket_chat::transport::http::{self, HeadReader, Route};
use socket_chat::transport::websocket::{
    Event, Header, Opcode, WebSocketReader, WsError, close_frame, encode_text, pong_frame,
};

const LIMIT: usize = 1024 * 1024;

/// Every event the server's reader finds in `bytes`, and the error that
/// ended them, if any.
fn server_reads(bytes: Vec<u8>) -> (Vec<Event>, Option<WsError>) {
    let mut reader = WebSocketReader::new(std::io::Cursor::new(bytes), LIMIT);
    let mut events = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Some(event)) => events.push(event),
            Ok(None) => return (events, None),
            Err(e) => return (events, Some(e)),
        }
    }
}

#[test]
fn the_client_masks_like_the_rfc_example() {
    // RFC 6455 section 5.7: "Hello", masked with 37 fa 21 3d.
    let frame = client_frame(0x81, b"Hello", Some([0x37, 0xfa, 0x21, 0x3d]));
    assert_eq!(
        frame,
        [
            0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58
        ]
    );
}

#[test]
fn random_client_messages_read_back_through_the_server_reader() {
    let mut rng = seeded_rng("ws random_client_messages");
    for round in 0..200 {
        let mut bytes = Vec::new();
        let mut expected = Vec::new();
        for _ in 0..rng.random_range(1..6) {
            let len = match rng.random_range(0..4) {
                0 => rng.random_range(0..126),
                1 => rng.random_range(126..70_000),
                2 => 0,
                _ => rng.random_range(0..10),
            };
            let text: String = (0..len)
                .map(|_| ['a', 'é', '好', '😀', '{', '"'][rng.random_range(0..6)])
                .collect();
            let body = text.as_bytes();
            // Cut anywhere, even inside a character: only the whole message
            // must be UTF-8.
            let pieces = rng.random_range(1..5).min(body.len().max(1));
            let mut cuts: Vec<usize> = (0..pieces - 1)
                .map(|_| rng.random_range(0..=body.len()))
                .collect();
            cuts.sort();
            cuts.dedup();
            let mut start = 0;
            let ends: Vec<usize> = cuts.into_iter().chain([body.len()]).collect();
            for (i, &end) in ends.iter().enumerate() {
                let op = if i == 0 {
                    opcode::TEXT
                } else {
                    opcode::CONTINUATION
                };
                let last = i + 1 == ends.len();
                bytes.extend(client_frame(
                    first_byte(last, op),
                    &body[start..end],
                    Some(rng.random()),
                ));
                start = end;
                if !last && rng.random_bool(0.3) {
                    let ping: Vec<u8> = (0..rng.random_range(0..126))
                        .map(|_| rng.random())
                        .collect();
                    bytes.extend(client_frame(
                        first_byte(true, opcode::PING),
                        &ping,
                        Some(rng.random()),
                    ));
                    expected.push(Event::Ping(ping));
                }
            }
            expected.push(Event::Text(body.to_vec()));
        }
        let (events, error) = server_reads(bytes);
        assert!(error.is_none(), "round {round}: {error:?}");
        assert_eq!(events, expected, "round {round}");
    }
}

#[test]
fn what_the_server_writes_the_client_reads() {
    for len in [0, 1, 125, 126, 127, 0xFFFF, 0x1_0000, 300_000] {
        let body = vec![b'x'; len];
        let mut bytes = Vec::new();
        encode_text(&body, &mut bytes);
        let (frame, used) = parse_server_frame(&bytes).unwrap().expect("a whole frame");
        assert_eq!(used, bytes.len());
        assert_eq!(
            frame,
            Frame {
                fin: true,
                rsv: 0,
                opcode: opcode::TEXT,
                payload: body
            },
            "length {len}"
        );
        // Any prefix is "not yet", never an error or a wrong frame.
        for cut in [0, 1, 2, 3, 9, bytes.len() - 1] {
            if cut < bytes.len() {
                assert_eq!(parse_server_frame(&bytes[..cut]), Ok(None), "cut {cut}");
            }
        }
    }
    let (pong, _) = parse_server_frame(&pong_frame(b"hi")).unwrap().unwrap();
    assert_eq!(
        (pong.opcode, pong.payload.as_slice()),
        (opcode::PONG, &b"hi"[..])
    );
    let (close, _) = parse_server_frame(&close_frame(1009, "big"))
        .unwrap()
        .unwrap();
    assert_eq!(close.close_code(), Some(1009));
    assert_eq!(&close.payload[2..], b"big");
}

#[test]
fn the_client_refuses_what_no_server_may_send() {
    // Masked.
    assert!(parse_server_frame(&client_frame(0x81, b"x", Some([1, 2, 3, 4]))).is_err());
    // A short length written long.
    assert!(parse_server_frame(&[0x81, 126, 0, 5, b'a', b'b', b'c', b'd', b'e']).is_err());
}

#[test]
fn the_client_builds_the_hostile_frames_the_server_refuses() {
    let cases: Vec<(Vec<u8>, u16)> = vec![
        (client_frame(0x81, b"x", None), 1002),
        (client_frame(0xC1, b"x", Some([1; 4])), 1002),
        (client_frame(0x83, b"x", Some([1; 4])), 1002),
        (client_frame(0x82, b"x", Some([1; 4])), 1003),
        (client_frame(0x81, b"\xff", Some([1; 4])), 1007),
        (client_frame(0x09, b"", Some([1; 4])), 1002),
        (client_frame(0x89, &[0; 126], Some([1; 4])), 1002),
        (
            client_frame(0x81, &vec![b'a'; LIMIT + 1], Some([1; 4])),
            1009,
        ),
    ];
    for (bytes, code) in cases {
        let first = bytes[0];
        let (_, error) = server_reads(bytes);
        assert_eq!(error.and_then(|e| e.close_code()), Some(code), "{first:#x}");
    }
}

#[test]
fn envelopes_are_hand_written_json() {
    let body = envelope("TEXT", "Hi \"Bob\" 😀", "{\"to\": \"Bob\"}");
    assert_eq!(
        body,
        r#"{"type": "TEXT", "data": "Hi \"Bob\" \ud83d\ude00", "metadata": {"to": "Bob"}}"#
    );
    let (kind, data, meta) = parse_envelope(&body);
    assert_eq!((kind.as_str(), data.as_str()), ("TEXT", "Hi \"Bob\" 😀"));
    let to = meta
        .as_object()
        .and_then(|m| m.get("to"))
        .and_then(|v| v.as_str());
    assert_eq!(to, Some("Bob"));
}

// ---------------------------------------------------------------------------
// Over a socket: an echo server made of the library's own parts
// ---------------------------------------------------------------------------

/// Serves one WebSocket connection per accepted socket: echoes every text
/// message, answers pings, answers a close with a close, and sends a ping of
/// its own when asked to with the text "ping me".
fn echo_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            thread::spawn(move || echo(stream));
        }
    });
    port
}

fn echo(mut stream: TcpStream) {
    let mut head = HeadReader::new(stream.try_clone().unwrap());
    let answer = head
        .read_head()
        .and_then(|request| http::route(&request, &[]));
    let accept = match answer {
        Ok(Route::Upgrade { accept }) => accept,
        Ok(Route::Page) => return,
        Err(e) => {
            let _ = stream.write_all(&http::error_response(&e).unwrap_or_default());
            return;
        }
    };
    stream
        .write_all(&http::switching_protocols(&accept))
        .unwrap();
    let (inner, rest) = head.into_parts();
    let mut reader = WebSocketReader::with_buffered(inner, LIMIT, &rest);
    loop {
        let reply = match reader.read_event() {
            Ok(Some(Event::Text(body))) if body == b"ping me" => {
                let mut frame = Header::new(Opcode::Ping, 4).as_bytes().to_vec();
                frame.extend_from_slice(b"you?");
                frame
            }
            Ok(Some(Event::Text(body))) => {
                let mut frame = Vec::new();
                encode_text(&body, &mut frame);
                frame
            }
            Ok(Some(Event::Ping(payload))) => pong_frame(&payload),
            Ok(Some(Event::Pong(payload))) => {
                let mut frame = Vec::new();
                encode_text(&[b"pong: ", &payload[..]].concat(), &mut frame);
                frame
            }
            Ok(Some(Event::Close { code, .. })) => {
                let _ = stream.write_all(&close_frame(code.unwrap_or(1000), ""));
                return;
            }
            Ok(None) => return,
            Err(e) => {
                if let Some(code) = e.close_code() {
                    let _ = stream.write_all(&close_frame(code, &e.to_string()));
                }
                return;
            }
        };
        if stream.write_all(&reply).is_err() {
            return;
        }
    }
}

fn text_of(frame: &Frame) -> &str {
    std::str::from_utf8(&frame.payload).unwrap()
}

#[test]
fn handshake_echo_and_close() {
    let mut ws = Ws::connect(echo_server());
    ws.send_text("hello");
    let frame = ws.next_frame().unwrap();
    assert_eq!((frame.opcode, text_of(&frame)), (opcode::TEXT, "hello"));
    ws.send_close(1000, "bye").unwrap();
    assert_eq!(ws.expect_close(), Some(1000));
}

#[test]
fn fragments_with_pings_between_them() {
    let mut ws = Ws::connect(echo_server());
    let text = "一条被切成好几块的消息".repeat(50);
    ws.send_fragmented(text.as_bytes(), 7, true);
    for i in 0..6 {
        let pong = ws.next_frame().unwrap();
        assert_eq!(
            (pong.opcode, text_of(&pong)),
            (opcode::PONG, format!("between {i}").as_str())
        );
    }
    let echoed = ws.next_frame().unwrap();
    assert_eq!(text_of(&echoed), text);
}

#[test]
fn the_client_answers_a_ping_like_a_browser() {
    let mut ws = Ws::connect(echo_server());
    ws.send_text("ping me");
    let ping = ws.next_frame().unwrap();
    assert_eq!(
        (ping.opcode, ping.payload.as_slice()),
        (opcode::PING, &b"you?"[..])
    );
    // The pong the client sent comes back as a text the echo server makes.
    let echoed = ws.next_frame().unwrap();
    assert_eq!(text_of(&echoed), "pong: you?");
}

#[test]
fn a_hostile_frame_gets_its_close_code() {
    let mut ws = Ws::connect(echo_server());
    ws.send_raw(&client_frame(0x81, b"unmasked", None)).unwrap();
    assert_eq!(ws.expect_close(), Some(1002));
}

#[test]
fn a_refused_handshake_shows_its_status() {
    let port = echo_server();
    let refusal = match Ws::connect_with(port, &["Origin: http://evil.example"]) {
        Err(refusal) => refusal,
        Ok(_) => panic!("a foreign origin was accepted"),
    };
    assert_eq!(refusal.status, 403);
    assert!(
        refusal.response.contains("Connection: close"),
        "{}",
        refusal.response
    );
}

#[test]
fn quiet_is_not_closed() {
    let mut ws = Ws::connect(echo_server());
    assert!(matches!(ws.poll(QUIET), Polled::Quiet));
    ws.send_text("still here");
    assert!(matches!(ws.poll(QUIET * 10), Polled::Frame(_)));
    ws.close();
}
