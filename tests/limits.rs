//! The server's tunable limits, each set low on the command line and pushed
//! against: the limit holds, the answer names it, and nothing else breaks.

mod common;

use common::raw::Raw;
use common::{Pair, Server};
use socket_chat::message::{ErrorCode, Message};

#[test]
fn a_text_over_max_text_is_refused_and_not_relayed() {
    let mut pair = Pair::start(&["--max-text", "10"]);
    let mut mallory = Raw::join(pair.port(), "Mallory");
    mallory.send(&Message::Text {
        text: "eleven char".to_string(),
        to: None,
    });
    let why = mallory.expect_error(ErrorCode::TextTooLong);
    assert!(why.contains("11 bytes") && why.contains("10"), "{why}");
    // Exactly at the limit still goes through, on the same connection.
    mallory.send(&Message::Text {
        text: "ten chars!".to_string(),
        to: None,
    });
    pair.alice.expect("Mallory: ten chars!");
    pair.alice.expect_none("eleven char");
}

#[test]
fn a_frame_over_max_frame_is_refused_and_the_connection_closed() {
    let mut pair = Pair::start(&["--max-frame", "2048"]);
    let mut mallory = Raw::join(pair.port(), "Mallory");
    // A valid message, only too big for this server's frame limit.
    let big = Message::Text {
        text: "x".repeat(3000),
        to: None,
    };
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
