//! A raw protocol client for tests: speaks frames directly, so a test can
//! send exactly the bytes it wants (hostile ones included) and see exactly
//! the messages the server answers with. It sends what a client sends
//! ([`ClientMessage`]) and reads what a server sends ([`ServerMessage`]).

use std::io::Write;
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

use socket_chat::frame::{DEFAULT_MAX_FRAME, encode_frame};
use socket_chat::message::client::Join;
use socket_chat::message::server::UserList;
use socket_chat::message::{ClientMessage, ErrorCode, ErrorReport, ServerMessage};
use socket_chat::transport::{MessageReader, ReadError, tcp};

use super::DEADLINE;

/// What [`Raw::poll`] saw within its wait.
#[derive(Debug)]
pub enum Polled {
    Message(ServerMessage),
    /// Nothing arrived: the socket's read timeout expired.
    Quiet,
    /// The server closed the connection.
    Closed,
}

pub struct Raw {
    pub stream: TcpStream,
    reader: MessageReader<tcp::Reader<TcpStream>, ServerMessage>,
    /// Messages read while looking for another one.
    pub skipped: Vec<ServerMessage>,
}

impl Raw {
    /// Connects to a server on this machine, without joining.
    pub fn connect(port: u16) -> Raw {
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        stream.set_nodelay(true).ok();
        let reader = tcp::message_reader(stream.try_clone().expect("clone"), DEFAULT_MAX_FRAME * 2);
        Raw {
            stream,
            reader,
            skipped: Vec::new(),
        }
    }

    /// Connects and joins as `name`, waiting for the welcome.
    pub fn join(port: u16, name: &str) -> Raw {
        let mut raw = Raw::connect(port);
        raw.send(&ClientMessage::Join(Join {
            name: name.to_string(),
        }));
        raw.expect("welcome", |m| matches!(m, ServerMessage::Welcome(_)));
        raw
    }

    pub fn send(&mut self, message: &ClientMessage) {
        self.stream.write_all(&tcp::frame(message)).expect("send");
    }

    /// Sends bytes exactly as given; errors are returned, since a server
    /// may rightly have closed the connection.
    pub fn send_bytes(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.stream.write_all(bytes)
    }

    /// Sends one frame around `body`, whatever the body holds: the length
    /// prefix is right, so framing stays in step.
    pub fn send_body(&mut self, body: &[u8]) -> std::io::Result<()> {
        let mut frame = Vec::new();
        encode_frame(body, &mut frame);
        self.stream.write_all(&frame)
    }

    /// Waits at most `wait` for the next message. Silence is an answer here,
    /// not a failure: a test that must pace itself waits on the socket's own
    /// read timeout this way instead of sleeping. A frame cut in half by the
    /// timeout is kept and finished by the next call.
    pub fn poll(&mut self, wait: Duration) -> Polled {
        self.stream
            .set_read_timeout(Some(wait.max(Duration::from_millis(1))))
            .ok();
        match self.reader.read_message() {
            Ok(Some(m)) => Polled::Message(m),
            Ok(None) => Polled::Closed,
            Err(e) if e.is_timeout() => Polled::Quiet,
            Err(ReadError::Decode(e)) => panic!("server sent a bad message: {e}"),
            Err(ReadError::Transport(_)) => Polled::Closed,
        }
    }

    /// Waits for an `ERROR` with `code`, and returns its text.
    pub fn expect_error(&mut self, code: ErrorCode) -> String {
        let what = format!("ERROR {}", code.as_str());
        match self.expect(
            &what,
            |m| matches!(m, ServerMessage::Error(ErrorReport { code: c, .. }) if *c == code),
        ) {
            ServerMessage::Error(error) => error.text,
            _ => unreachable!(),
        }
    }

    /// Asks the server who is online and waits for the answer: a full round
    /// trip, which proves the connection is open and the server is serving it.
    pub fn list(&mut self) -> Vec<String> {
        self.send(&ClientMessage::ListRequest);
        match self.expect("USER_LIST", |m| matches!(m, ServerMessage::UserList(_))) {
            ServerMessage::UserList(UserList { users }) => users,
            _ => unreachable!(),
        }
    }

    /// The next message, or `None` if the server closed the connection.
    /// Panics if nothing arrives before `timeout`.
    pub fn next_within(&mut self, timeout: Duration) -> Option<ServerMessage> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                panic!(
                    "no message within {timeout:?}; skipped so far: {:?}",
                    self.skipped
                );
            }
            self.stream.set_read_timeout(Some(left)).ok();
            match self.reader.read_message() {
                Ok(Some(m)) => return Some(m),
                Ok(None) => return None,
                Err(e) if e.is_timeout() => continue,
                Err(ReadError::Decode(e)) => panic!("server sent a bad message: {e}"),
                Err(ReadError::Transport(_)) => return None,
            }
        }
    }

    /// Waits for a message that satisfies `matches`, keeping the others in
    /// `skipped`. Panics if the connection closes or the deadline passes.
    pub fn expect(
        &mut self,
        what: &str,
        matches: impl Fn(&ServerMessage) -> bool,
    ) -> ServerMessage {
        match self.expect_or_closed(what, matches) {
            Some(m) => m,
            None => panic!(
                "connection closed while waiting for {what}; got {:?}",
                self.skipped
            ),
        }
    }

    /// Waits for a message that satisfies `matches`, keeping the others in
    /// `skipped`; `None` if the connection closes first. Panics if the
    /// deadline passes, even while other messages keep arriving.
    pub fn expect_or_closed(
        &mut self,
        what: &str,
        matches: impl Fn(&ServerMessage) -> bool,
    ) -> Option<ServerMessage> {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let left = self.time_left(deadline, what);
            match self.next_within(left) {
                Some(m) if matches(&m) => return Some(m),
                Some(m) => self.skipped.push(m),
                None => return None,
            }
        }
    }

    /// Panics if any message skipped so far was an `ERROR`: for checking
    /// that something was *not* refused.
    pub fn assert_no_error_skipped(&self) {
        assert!(
            !self
                .skipped
                .iter()
                .any(|m| matches!(m, ServerMessage::Error(_))),
            "{:?}",
            self.skipped
        );
    }

    /// Waits until the server closes the connection, skipping messages.
    pub fn expect_closed(&mut self) {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let left = self.time_left(deadline, "the connection to close");
            match self.next_within(left) {
                Some(m) => self.skipped.push(m),
                None => return,
            }
        }
    }

    /// The time until `deadline`; panics once it has passed. Checked on
    /// every turn of a waiting loop, so that a steady stream of other
    /// messages cannot keep a test waiting for ever.
    fn time_left(&self, deadline: Instant, what: &str) -> Duration {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            let last = &self.skipped[self.skipped.len().saturating_sub(10)..];
            panic!(
                "waited {DEADLINE:?} for {what}; {} other messages came, the last: {last:?}",
                self.skipped.len()
            );
        }
        left
    }

    pub fn close(&self) {
        let _ = self.stream.shutdown(Shutdown::Both);
    }
}
