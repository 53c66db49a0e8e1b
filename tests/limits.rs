//! The server's tunable limits, each set low on the command line and pushed
//! against: the limit holds, the answer names it, and nothing else breaks.

mod common;

use common::raw::Raw;
use common::{Pair, Server};
use socket_chat::message::client::Text;
use socket_chat::message::{ClientMessage, ErrorCode};

#[test]
fn a_text_over_max_text_is_refused_and_not_relayed() {
    let mut pair = Pair::start(&["--max-text", "10"]);
    let mut mallory = Raw::join(pair.port(), "Mallory");
    mallory.send(&ClientMessage::Text(Text {
        text: "eleven char".to_string(),
        to: None,
    }));
    let why = mallory.expect_error(ErrorCode::TextTooLong);
    assert!(why.contains("11 bytes") && why.contains("10"), "{why}");
    // Exactly at the limit still goes through, on the same connection.
    mallory.send(&ClientMessage::Text(Text {
        text: "ten chars!".to_string(),
        to: None,
    }));
    pair.alice.expect("Mallory: ten chars!");
    pair.alice.expect_none("eleven char");
}

#[test]
fn a_frame_over_max_frame_is_refused_and_the_connection_closed() {
    let mut pair = Pair::start(&["--max-frame", "2048"]);
    let mut mallory = Raw::join(pair.port(), "Mallory");
    // A valid message, only too big for this server's frame limit.
    let big = ClientMessage::Text(Text {
        text: "x".repeat(3000),
        to: None,
    });
    mallory.send(&big);
    mallory.expect_error(ErrorCode::FrameTooLarge);
    mallory.expect_closed();
    pair.alice.expect("* Mallory disconnected");
    pair.still_chat();
}

#[test]
fn files_flag_moves_the_servers_copies() {
    let mut server = Server::start(&["--files", "archive"]);
    let mut alice = server.join("Alice");
    let mut bob = server.join("Bob");
    std::fs::write(alice.path("note.txt"), b"kept elsewhere").expect("write file");
    alice.send("/send note.txt");
    bob.expect("[file] received note.txt from Alice:");
    server.expect("received archive/received/note.txt (");
    assert_eq!(
        std::fs::read(server.path("archive/received/note.txt")).expect("the server's copy"),
        b"kept elsewhere"
    );
    assert!(
        !server.path("files").exists(),
        "the default folder was used"
    );
}

/// Every socket is a file descriptor, and a process has a limit on those.
/// Started with a tiny limit, the server runs out: it says so, keeps the
/// connections it has, and takes new ones again once some close.
#[cfg(target_os = "linux")]
#[test]
fn out_of_file_descriptors_the_server_says_so_and_recovers() {
    use common::{Client, Proc};
    use std::net::TcpStream;
    use std::process::Command;

    let dir = tempfile::TempDir::new().expect("temp dir");
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(r#"ulimit -n 32 && exec "$0" --lang en --port 0 --host 127.0.0.1"#)
        .arg(env!("CARGO_BIN_EXE_chat-server"))
        .current_dir(dir.path());
    let mut server = Proc::spawn("server", command);
    let line = server.expect("listening on ");
    let port: u16 = line
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("port");

    // A connection that has sent nothing costs one descriptor (its
    // transport, and with it the writer's clones, waits for the first
    // byte), so it takes more than 32 of them to run out.
    let held: Vec<TcpStream> = (0..40)
        .map(|_| TcpStream::connect(("127.0.0.1", port)).expect("connect"))
        .collect();
    server.expect("Too many open files");
    drop(held);
    // The server frees the held connections' descriptors as it notices
    // each one close, and until enough have gone, a newcomer may still find
    // none free and be dropped (its client then says the connection was
    // lost). So Alice tries until she gets in, as a person would: each try
    // joins and quits, or ends at once, and the deadline bounds them all.
    let deadline = std::time::Instant::now() + common::DEADLINE;
    loop {
        let mut alice = Client::start(port, &["--name", "Alice"]);
        alice.send("/quit");
        let status = alice.proc.wait_exit();
        if alice.proc.has_seen("as Alice.") {
            assert!(status.success(), "{}", alice.proc.transcript());
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "Alice never got in:\n{}",
            alice.proc.transcript()
        );
    }
    assert!(server.is_running());
}
