//! `--trace` shows every frame on stderr, in both programs.

mod common;

use common::{Server, Stream};

#[test]
fn trace_shows_frames_both_ways_with_a_hex_dump() {
    let mut server = Server::start(&["--trace"]);
    let mut alice = server.client(&["--name", "Alice", "--trace=hex"]);
    alice.expect("as Alice.");
    let mut bob = server.join("Bob");
    alice.send("Hi");
    bob.expect("Alice: Hi");

    let port = server.port;
    let sent = format!(
        r#"[trace] -> 127.0.0.1:{port} 46 bytes {{"type": "TEXT", "data": "Hi", "metadata": {{}}}}"#
    );
    alice.proc.expect_err(&sent);
    // The hex dump of that frame starts with its length, 0x2e = 46.
    alice
        .proc
        .expect_err("0000  00 00 00 2e 7b 22 74 79 70 65 22 3a 20 22 54 45   ....{\"type\": \"TE");
    // The client also traces what it receives: the welcome, for one.
    alice
        .proc
        .expect_where(Stream::Err, "tracing the welcome", |l| {
            l.contains("<- 127.0.0.1:") && l.contains(r#""self": true"#)
        });
    // The server, started with --trace, shows the same frame arriving.
    server
        .proc
        .expect_where(Stream::Err, "tracing Alice's text", |l| {
            l.starts_with("[trace] <- 127.0.0.1:")
                && l.ends_with(r#"46 bytes {"type": "TEXT", "data": "Hi", "metadata": {}}"#)
        });
}
