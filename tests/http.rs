//! HTTP on the chat port, against the real `chat-server`: the page and its
//! headers, every refusal and its status, and hostile requests (garbage,
//! huge heads, heads that never end, pipelined requests, connections that
//! say nothing). Each answer but the upgrade ends its connection.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::raw::Raw;
use common::{DEADLINE, Server};
use socket_chat::message::ErrorCode;
use socket_chat::server::web;

/// A response read to the end of the connection: status code, head, body.
#[derive(Debug)]
struct Response {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Response {
    /// The value of header `name` (exact case, as the server writes it).
    fn header(&self, name: &str) -> Option<&str> {
        self.head
            .split("\r\n")
            .skip(1)
            .find_map(|line| line.strip_prefix(name)?.strip_prefix(": "))
    }
}

/// Sends `request` exactly as given and reads until the server closes the
/// connection; panics if it stays open past the deadline.
fn exchange(port: u16, request: &[u8]) -> Response {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream.write_all(request).expect("send request");
    read_response(&mut stream)
}

fn read_response(stream: &mut TcpStream) -> Response {
    let bytes = read_to_close(stream);
    let end = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no head in {:?}", String::from_utf8_lossy(&bytes)));
    let head = String::from_utf8(bytes[..end].to_vec()).expect("an ASCII head");
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {head:?}"));
    Response {
        status,
        head,
        body: bytes[end + 4..].to_vec(),
    }
}

/// Everything the server sends until it closes the connection.
fn read_to_close(stream: &mut TcpStream) -> Vec<u8> {
    let deadline = Instant::now() + DEADLINE;
    let mut bytes = Vec::new();
    let mut piece = [0u8; 64 * 1024];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "the server kept the connection open");
        stream.set_read_timeout(Some(left)).ok();
        match stream.read(&mut piece) {
            Ok(0) => return bytes,
            Ok(n) => bytes.extend_from_slice(&piece[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(e) => panic!("read failed after {} bytes: {e}", bytes.len()),
        }
    }
}

fn get(path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").into_bytes()
}

#[test]
fn the_page_comes_with_its_policy_and_the_connection_ends() {
    let mut server = Server::start(&[]);
    let response = exchange(server.port, &get("/"));
    assert_eq!(response.status, 200, "{}", response.head);
    let page = web::page();
    assert!(response.body == page.html.as_bytes(), "another page");
    assert_eq!(
        response.header("Content-Length"),
        Some(page.html.len().to_string().as_str())
    );
    assert_eq!(
        response.header("Content-Type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(
        response.header("Content-Security-Policy"),
        Some(page.csp.as_str())
    );
    assert_eq!(response.header("X-Content-Type-Options"), Some("nosniff"));
    assert_eq!(response.header("Cache-Control"), Some("no-store"));
    assert_eq!(response.header("Connection"), Some("close"));
    server.expect("\"GET /\": 200");
    // A query string is the same page.
    assert_eq!(exchange(server.port, &get("/?lang=zh")).status, 200);
}

#[test]
fn the_start_up_lines_say_where_the_page_is() {
    let mut server = Server::start(&[]);
    server.expect(&format!(
        "In a browser, open http://127.0.0.1:{}/",
        server.port
    ));
}

#[test]
fn every_request_we_do_not_serve_gets_its_status() {
    let mut server = Server::start(&[]);
    let upgrade = |version: &str, extra: &str| {
        format!(
            "GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: {version}\r\n{extra}\r\n"
        )
        .into_bytes()
    };
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        ("another path", get("/index.html"), 404),
        ("a path outside", get("/../etc/passwd"), 404),
        (
            "POST",
            b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nhi".to_vec(),
            405,
        ),
        ("HEAD", b"HEAD / HTTP/1.1\r\nHost: h\r\n\r\n".to_vec(), 405),
        ("no Host", b"GET / HTTP/1.1\r\n\r\n".to_vec(), 400),
        ("bare LF", b"GET / HTTP/1.1\nHost: h\n\n".to_vec(), 400),
        (
            "a space before the colon",
            b"GET / HTTP/1.1\r\nHost : h\r\n\r\n".to_vec(),
            400,
        ),
        (
            "a folded header",
            b"GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n".to_vec(),
            400,
        ),
        ("garbage in capitals", b"HELLO THERE\r\n\r\n".to_vec(), 400),
        (
            "a NUL in the head",
            b"GET /\x00 HTTP/1.1\r\n\r\n".to_vec(),
            400,
        ),
        (
            "HTTP/2.0",
            b"GET / HTTP/2.0\r\nHost: h\r\n\r\n".to_vec(),
            505,
        ),
        ("an upgrade without its headers", get("/ws"), 400),
        ("WebSocket version 8", upgrade("8", ""), 426),
        (
            "another site's page",
            upgrade("13", "Origin: http://evil.example\r\n"),
            403,
        ),
        (
            "an upgrade with a body",
            upgrade("13", "Content-Length: 5\r\n"),
            400,
        ),
    ];
    for (what, request, status) in cases {
        let response = exchange(server.port, &request);
        assert_eq!(response.status, status, "{what}: {}", response.head);
        assert_eq!(response.header("Connection"), Some("close"), "{what}");
        assert_eq!(
            response.header("Content-Length"),
            Some(response.body.len().to_string().as_str()),
            "{what}"
        );
        assert_eq!(response.header("X-Content-Type-Options"), Some("nosniff"));
        server.expect(&format!(": {status}, "));
    }
    let version = exchange(server.port, &upgrade("8", ""));
    assert_eq!(version.header("Sec-WebSocket-Version"), Some("13"));
}

#[test]
fn a_head_over_8_kib_gets_431() {
    let server = Server::start(&[]);
    let mut request = b"GET / HTTP/1.1\r\nHost: h\r\nCookie: ".to_vec();
    request.extend(vec![b'a'; 50_000]);
    request.extend_from_slice(b"\r\n\r\n");
    let response = exchange(server.port, &request);
    assert_eq!(response.status, 431, "{}", response.head);
    // Just under the limit is fine.
    let mut request = b"GET / HTTP/1.1\r\nHost: h\r\nCookie: ".to_vec();
    request.extend(vec![b'a'; 8000]);
    request.extend_from_slice(b"\r\n\r\n");
    assert_eq!(exchange(server.port, &request).status, 200);
}

#[test]
fn a_frame_whose_length_begins_with_a_capital_letter_is_read_as_http() {
    // "A\0\0\0" as a length is 1,090,519,040 bytes: no server could take
    // such a frame, so reading it as the start of a request loses nothing.
    let server = Server::start(&[]);
    let response = exchange(server.port, b"A\0\0\0{}");
    assert_eq!(response.status, 400);
    // Every other first byte is our framing.
    let mut raw = Raw::connect(server.port);
    raw.send_bytes(&[0xFF, 0, 0, 0]).unwrap();
    raw.expect_error(ErrorCode::FrameTooLarge);
}

#[test]
fn a_head_that_never_ends_is_cut_off_at_the_join_deadline() {
    let mut server = Server::start(&["--heartbeat", "1"]);
    let started = Instant::now();
    let response = exchange(server.port, b"GET / HTTP/1.1\r\nHost: h\r\n");
    assert_eq!(response.status, 408, "{}", response.head);
    assert!(started.elapsed() >= Duration::from_secs(1));
    server.expect(": 408, ");
}

#[test]
fn a_head_sent_a_byte_at_a_time_is_cut_off_at_the_join_deadline() {
    let server = Server::start(&["--heartbeat", "1"]);
    let mut stream = TcpStream::connect(("127.0.0.1", server.port)).expect("connect");
    stream.write_all(b"GET / HTTP/1.1\r\nHost: h\r\n").unwrap();
    // One more header byte whenever the server has said nothing for a
    // moment (the read's own timeout is the pause): slowloris, which the
    // deadline stops however lively the trickle.
    let started = Instant::now();
    let mut answer = Vec::new();
    let mut piece = [0u8; 4096];
    stream
        .set_read_timeout(Some(Duration::from_millis(50)))
        .unwrap();
    loop {
        assert!(started.elapsed() < DEADLINE, "never cut off");
        match stream.read(&mut piece) {
            Ok(0) => break,
            Ok(n) => answer.extend_from_slice(&piece[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                if answer.is_empty() {
                    let _ = stream.write_all(b"X-Slow: a\r\n");
                }
            }
            Err(e) => panic!("{e}"),
        }
    }
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 408 "), "{text}");
}

#[test]
fn pipelined_requests_get_one_answer_and_the_end() {
    let server = Server::start(&[]);
    let mut requests = get("/");
    requests.extend(get("/"));
    requests.extend(get("/missing"));
    let response = exchange(server.port, &requests);
    assert_eq!(response.status, 200);
    assert!(
        response.body == web::page().html.as_bytes(),
        "one page, whole"
    );
    // A refusal followed by more requests: the same.
    let mut requests = get("/nowhere");
    requests.extend(get("/"));
    let response = exchange(server.port, &requests);
    assert_eq!(response.status, 404);
    assert!(!String::from_utf8_lossy(&response.body).contains("HTTP/1.1"));
}

#[test]
fn an_answer_is_not_lost_to_bytes_the_server_did_not_read() {
    // A request followed by much more than the server reads: closing on
    // unread bytes would reset the connection, and a reset may throw away
    // the answer before the client reads it. The server drains first.
    let server = Server::start(&[]);
    let mut stream = TcpStream::connect(("127.0.0.1", server.port)).expect("connect");
    stream.write_all(&get("/nowhere")).unwrap();
    stream.write_all(&vec![b'x'; 32 * 1024]).unwrap();
    let response = read_response(&mut stream);
    assert_eq!(response.status, 404);
}

#[test]
fn a_connection_that_says_nothing_and_leaves_is_no_error() {
    // Browsers open spare connections, and close them unused.
    let mut server = Server::start(&[]);
    for _ in 0..5 {
        drop(TcpStream::connect(("127.0.0.1", server.port)).expect("connect"));
    }
    let _alice = server.join("Alice");
    server.expect("Alice joined");
    server.proc.catch_up();
    let transcript = server.proc.transcript();
    for needle in ["bad input", "failed", "HTTP "] {
        assert!(!transcript.contains(needle), "{needle}: {transcript}");
    }
}

#[test]
fn max_frame_is_capped_so_that_no_frame_can_look_like_http() {
    let output = common::run_to_end(
        env!("CARGO_BIN_EXE_chat-server").as_ref(),
        &["--port", "0", "--max-frame", "16777217"],
    );
    assert_eq!(output.status.code(), Some(2));
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(
        error.contains("max-frame") && error.contains("16777216") && error.contains("HTTP"),
        "{error}"
    );
    // The cap itself is allowed.
    let mut server = Server::start(&["--max-frame", "16777216"]);
    server.expect("In a browser, open");
}
