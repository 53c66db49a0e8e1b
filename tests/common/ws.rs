//! A WebSocket test client: the browser's side of RFC 6455, written again
//! here with the standard library alone, so that a test can send exactly the
//! frames a browser sends (masked with a fresh random key, fragmented, with
//! pings between the pieces) and exactly the ones no browser would (unmasked,
//! reserved bits, lying lengths, raw bytes).
//!
//! Its frame codec is its own, not the server's (`src/transport/websocket.rs`),
//! so a mistake made twice the same way cannot hide: `tests/ws_client.rs`
//! checks the two against each other. Only the accept key is computed with
//! the library's function, which its unit test pins to the RFC's example.
//!
//! Message bodies are hand-written JSON ([`envelope`]), as the layout asks of
//! new end-to-end tests, and read back with the library's JSON parser.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use socket_chat::base64;
use socket_chat::json::{self, Value};
use socket_chat::transport::websocket::accept_key;

use super::DEADLINE;

/// Opcodes (RFC 6455 section 5.2).
pub mod opcode {
    pub const CONTINUATION: u8 = 0x0;
    pub const TEXT: u8 = 0x1;
    pub const BINARY: u8 = 0x2;
    pub const CLOSE: u8 = 0x8;
    pub const PING: u8 = 0x9;
    pub const PONG: u8 = 0xA;
}

/// One frame as it came off the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub fin: bool,
    /// The three reserved bits, as a number 0–7.
    pub rsv: u8,
    pub opcode: u8,
    pub payload: Vec<u8>,
}

impl Frame {
    /// The code of a close frame, if it has one.
    pub fn close_code(&self) -> Option<u16> {
        match (self.opcode, self.payload.as_slice()) {
            (opcode::CLOSE, [high, low, ..]) => Some(u16::from_be_bytes([*high, *low])),
            _ => None,
        }
    }
}

/// The bytes of one frame a client sends. `first_byte` is FIN, RSV and the
/// opcode together (so a test can set any bits it likes); with a `mask` the
/// payload is masked as a browser masks it.
pub fn client_frame(first_byte: u8, payload: &[u8], mask: Option<[u8; 4]>) -> Vec<u8> {
    let mask_bit = if mask.is_some() { 0x80 } else { 0 };
    let mut frame = vec![first_byte];
    let len = payload.len();
    if len < 126 {
        frame.push(mask_bit | len as u8);
    } else if len <= 0xFFFF {
        frame.push(mask_bit | 126);
        frame.extend_from_slice(&(len as u16).to_be_bytes());
    } else {
        frame.push(mask_bit | 127);
        frame.extend_from_slice(&(len as u64).to_be_bytes());
    }
    match mask {
        Some(key) => {
            frame.extend_from_slice(&key);
            frame.extend(payload.iter().zip(key.iter().cycle()).map(|(b, k)| b ^ k));
        }
        None => frame.extend_from_slice(payload),
    }
    frame
}

/// The first byte of a frame: FIN and the opcode.
pub fn first_byte(fin: bool, opcode: u8) -> u8 {
    if fin { 0x80 | opcode } else { opcode }
}

/// Reads one frame a server sent from the front of `bytes`: the frame and
/// how many bytes it took, `Ok(None)` if it is not all there yet, or why it
/// breaks the rules for a server (masked, a length not in its shortest form).
pub fn parse_server_frame(bytes: &[u8]) -> Result<Option<(Frame, usize)>, String> {
    let [b0, b1, rest @ ..] = bytes else {
        return Ok(None);
    };
    if b1 & 0x80 != 0 {
        return Err("the server masked a frame".into());
    }
    let (len, header) = match b1 & 0x7F {
        126 => match rest {
            [a, b, ..] => (u16::from_be_bytes([*a, *b]) as u64, 4),
            _ => return Ok(None),
        },
        127 => match rest.get(..8) {
            Some(be) => (u64::from_be_bytes(be.try_into().unwrap()), 10),
            None => return Ok(None),
        },
        short => (short as u64, 2),
    };
    let shortest = match len {
        0..=125 => 2,
        126..=0xFFFF => 4,
        _ => 10,
    };
    if header != shortest {
        return Err(format!(
            "a length of {len} written in {header} header bytes"
        ));
    }
    let end = header + len as usize;
    if bytes.len() < end {
        return Ok(None);
    }
    Ok(Some((
        Frame {
            fin: b0 & 0x80 != 0,
            rsv: (b0 >> 4) & 0x7,
            opcode: b0 & 0x0F,
            payload: bytes[header..end].to_vec(),
        },
        end,
    )))
}

/// A message envelope written by hand: `metadata` is JSON text.
pub fn envelope(kind: &str, data: &str, metadata: &str) -> String {
    format!(
        "{{\"type\": {}, \"data\": {}, \"metadata\": {metadata}}}",
        json::to_string(&Value::from(kind)),
        json::to_string(&Value::from(data))
    )
}

/// A body's `type`, `data` and `metadata`, for checking what came back.
pub fn parse_envelope(body: &str) -> (String, String, Value) {
    let value = json::parse(body.as_bytes()).unwrap_or_else(|e| panic!("bad JSON {body:?}: {e}"));
    let object = value.as_object().expect("an object");
    let field = |name: &str| {
        object
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let metadata = object.get("metadata").cloned().unwrap_or(Value::Null);
    (field("type"), field("data"), metadata)
}

/// The opening handshake's request, with `extra` header lines.
pub fn handshake_request(host: &str, key: &str, extra: &[&str]) -> String {
    let mut request = format!(
        "GET /ws HTTP/1.1\r\n\
         Host: {host}\r\n\
         Upgrade: websocket\r\n\
         Connection: Upgrade\r\n\
         Sec-WebSocket-Key: {key}\r\n\
         Sec-WebSocket-Version: 13\r\n"
    );
    for line in extra {
        request.push_str(line);
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    request
}

/// What [`Ws::poll`] saw within its wait.
#[derive(Debug)]
pub enum Polled {
    Frame(Frame),
    /// Nothing arrived: the read timeout expired.
    Quiet,
    /// The server closed the TCP connection.
    Closed,
}

/// The answer to a handshake that was not `101`.
#[derive(Debug)]
pub struct Refusal {
    pub status: u16,
    /// The whole response, head and body.
    pub response: String,
}

/// What one read from the socket gave.
enum ReadResult {
    Some,
    Timeout,
    Ended,
}

/// Every test client gets its own masks and keys, from one seed.
static CLIENTS: AtomicU64 = AtomicU64::new(0);

/// A WebSocket connection to a chat server, from the browser's side.
pub struct Ws {
    pub stream: TcpStream,
    /// Bytes received but not yet parsed into frames.
    buf: Vec<u8>,
    rng: StdRng,
    /// Frames read while looking for another one.
    pub skipped: Vec<Frame>,
    /// Answer pings with pongs while waiting, as a browser does.
    pub auto_pong: bool,
}

impl Ws {
    /// Connects and completes the handshake (no `Origin`, like a script).
    pub fn connect(port: u16) -> Ws {
        Ws::connect_with(port, &[]).unwrap_or_else(|r| panic!("handshake refused: {r:?}"))
    }

    /// Connects and sends the handshake with `extra` header lines; the
    /// server's refusal if it did not answer `101`.
    pub fn connect_with(port: u16, extra: &[&str]) -> Result<Ws, Refusal> {
        Ws::connect_then(port, extra, &[])
    }

    /// Connects and sends the handshake with `extra` header lines, and
    /// `tail` right behind it in the same write: a browser may send its
    /// first frames without waiting for `101`.
    pub fn connect_then(port: u16, extra: &[&str], tail: &[u8]) -> Result<Ws, Refusal> {
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        stream.set_nodelay(true).ok();
        let n = CLIENTS.fetch_add(1, Ordering::Relaxed);
        let mut ws = Ws {
            stream,
            buf: Vec::new(),
            rng: StdRng::seed_from_u64(0x5eed_0000 + n),
            skipped: Vec::new(),
            auto_pong: true,
        };
        let key = base64::encode(&ws.rng.random::<[u8; 16]>());
        let mut request = handshake_request(&format!("127.0.0.1:{port}"), &key, extra).into_bytes();
        request.extend_from_slice(tail);
        ws.stream.write_all(&request).expect("send handshake");
        let head = ws.read_response_head();
        let status: u16 = head
            .split(' ')
            .nth(1)
            .and_then(|code| code.parse().ok())
            .unwrap_or_else(|| panic!("no status in {head:?}"));
        if status != 101 {
            let mut response = head;
            response.push_str(&String::from_utf8_lossy(&ws.buf));
            let mut rest = Vec::new();
            ws.stream.set_read_timeout(Some(DEADLINE)).ok();
            let _ = ws.stream.read_to_end(&mut rest);
            response.push_str(&String::from_utf8_lossy(&rest));
            return Err(Refusal { status, response });
        }
        let expected = format!("\r\nSec-WebSocket-Accept: {}\r\n", accept_key(&key));
        assert!(head.contains(&expected), "wrong accept key in {head:?}");
        Ok(ws)
    }

    /// Connects and joins as `name`, waiting for the welcome.
    pub fn join(port: u16, name: &str) -> Ws {
        let mut ws = Ws::connect(port);
        ws.send_text(&envelope("USER_JOIN", name, "{}"));
        ws.expect_message("the welcome", |kind, _, meta| {
            kind == "USER_JOIN" && meta.as_object().and_then(|m| m.get("self")).is_some()
        });
        ws
    }

    /// Reads the response head up to its empty line; bytes after it stay in
    /// `buf`, since they are the first frames.
    fn read_response_head(&mut self) -> String {
        let deadline = Instant::now() + DEADLINE;
        loop {
            if let Some(end) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head: Vec<u8> = self.buf.drain(..end + 4).collect();
                return String::from_utf8_lossy(&head).into_owned();
            }
            if !matches!(self.read_more(deadline), ReadResult::Some) {
                panic!(
                    "connection closed during the handshake; got {:?}",
                    String::from_utf8_lossy(&self.buf)
                );
            }
        }
    }

    /// Reads what has arrived, waiting until `deadline` at most.
    fn read_more(&mut self, deadline: Instant) -> ReadResult {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return ReadResult::Timeout;
        }
        self.stream.set_read_timeout(Some(left)).ok();
        let mut piece = [0u8; 64 * 1024];
        loop {
            return match self.stream.read(&mut piece) {
                Ok(0) => ReadResult::Ended,
                Ok(n) => {
                    self.buf.extend_from_slice(&piece[..n]);
                    ReadResult::Some
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    ReadResult::Timeout
                }
                // A reset after the server's close: the stream has ended.
                Err(_) => ReadResult::Ended,
            };
        }
    }

    /// A fresh mask key, as a browser picks one for every frame.
    pub fn mask(&mut self) -> [u8; 4] {
        self.rng.random()
    }

    /// Sends one masked frame.
    pub fn send_frame(&mut self, fin: bool, opcode: u8, payload: &[u8]) -> io::Result<()> {
        let mask = self.mask();
        self.send_raw(&client_frame(first_byte(fin, opcode), payload, Some(mask)))
    }

    /// Sends bytes exactly as given; errors are returned, since the server
    /// may rightly have closed the connection.
    pub fn send_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream.write_all(bytes)
    }

    /// One text message in one frame.
    pub fn send_text(&mut self, text: &str) {
        self.send_frame(true, opcode::TEXT, text.as_bytes())
            .expect("send text");
    }

    /// One text message cut into `pieces` fragments, with a ping between
    /// every two of them when `pings` is set (a browser may do either).
    pub fn send_fragmented(&mut self, text: &[u8], pieces: usize, pings: bool) {
        let pieces = pieces.max(1);
        let size = text.len().div_ceil(pieces).max(1);
        let chunks: Vec<&[u8]> = if text.is_empty() {
            vec![&[]]
        } else {
            text.chunks(size).collect()
        };
        for (i, chunk) in chunks.iter().enumerate() {
            let op = if i == 0 {
                opcode::TEXT
            } else {
                opcode::CONTINUATION
            };
            self.send_frame(i + 1 == chunks.len(), op, chunk)
                .expect("send fragment");
            if pings && i + 1 < chunks.len() {
                self.send_frame(true, opcode::PING, format!("between {i}").as_bytes())
                    .expect("send ping");
            }
        }
    }

    pub fn ping(&mut self, payload: &[u8]) {
        self.send_frame(true, opcode::PING, payload)
            .expect("send ping");
    }

    /// Sends a close frame with `code` and `reason`.
    pub fn send_close(&mut self, code: u16, reason: &str) -> io::Result<()> {
        let mut payload = code.to_be_bytes().to_vec();
        payload.extend_from_slice(reason.as_bytes());
        self.send_frame(true, opcode::CLOSE, &payload)
    }

    /// Waits at most `wait` for the next frame. Silence is an answer here,
    /// as in `Raw::poll`: a frame cut in half by the wait is kept.
    pub fn poll(&mut self, wait: Duration) -> Polled {
        let deadline = Instant::now() + wait.max(Duration::from_millis(1));
        loop {
            match parse_server_frame(&self.buf) {
                Ok(Some((frame, used))) => {
                    self.buf.drain(..used);
                    if self.auto_pong && frame.opcode == opcode::PING {
                        let _ = self.send_frame(true, opcode::PONG, &frame.payload.clone());
                    }
                    return Polled::Frame(frame);
                }
                Ok(None) => {}
                Err(why) => panic!("the server broke the framing rules: {why}"),
            }
            match self.read_more(deadline) {
                ReadResult::Some => {}
                ReadResult::Timeout => return Polled::Quiet,
                ReadResult::Ended => return Polled::Closed,
            }
        }
    }

    /// The next frame, or `None` if the server closed the connection.
    /// Panics if nothing arrives within [`DEADLINE`].
    pub fn next_frame(&mut self) -> Option<Frame> {
        match self.poll(DEADLINE) {
            Polled::Frame(frame) => Some(frame),
            Polled::Closed => None,
            Polled::Quiet => panic!("no frame within {DEADLINE:?}; skipped {:?}", self.skipped),
        }
    }

    /// Waits for a frame that satisfies `matches`, keeping others in
    /// `skipped`. Panics if the connection closes or the deadline passes.
    pub fn expect_frame(&mut self, what: &str, matches: impl Fn(&Frame) -> bool) -> Frame {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.poll(left) {
                Polled::Frame(frame) if matches(&frame) => return frame,
                Polled::Frame(frame) => self.skipped.push(frame),
                Polled::Closed => panic!(
                    "closed while waiting for {what}; skipped {:?}",
                    self.skipped
                ),
                Polled::Quiet => {
                    panic!("no {what} within {DEADLINE:?}; skipped {:?}", self.skipped)
                }
            }
        }
    }

    /// Waits for a text message (one frame, as the server sends them) whose
    /// envelope satisfies `matches`, and returns its body.
    pub fn expect_message(
        &mut self,
        what: &str,
        matches: impl Fn(&str, &str, &Value) -> bool,
    ) -> String {
        let frame = self.expect_frame(what, |frame| {
            frame.opcode == opcode::TEXT && {
                let body = String::from_utf8_lossy(&frame.payload);
                let (kind, data, meta) = parse_envelope(&body);
                matches(&kind, &data, &meta)
            }
        });
        assert!(frame.fin, "the server fragmented a message");
        String::from_utf8(frame.payload).expect("a text message is UTF-8")
    }

    /// Waits for a message of type `kind`, and returns its body.
    pub fn expect_type(&mut self, kind: &str) -> String {
        self.expect_message(kind, |k, _, _| k == kind)
    }

    /// Waits for the server's close frame and then the end of the TCP
    /// stream; returns the close code (`None` for a close without one).
    pub fn expect_close(&mut self) -> Option<u16> {
        let close = self.expect_frame("a close frame", |f| f.opcode == opcode::CLOSE);
        self.expect_closed();
        close.close_code()
    }

    /// Waits until the server closes the TCP connection, skipping frames.
    pub fn expect_closed(&mut self) {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.poll(left) {
                Polled::Closed => return,
                Polled::Frame(frame) => self.skipped.push(frame),
                Polled::Quiet => panic!("still open after {DEADLINE:?}"),
            }
        }
    }

    pub fn close(&self) {
        let _ = self.stream.shutdown(Shutdown::Both);
    }
}
