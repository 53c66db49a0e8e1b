//! File-type rules (contract §12), both ways: the client refuses a file
//! the server announced it would refuse, before sending any of it, and
//! the server refuses it anyway for a client that does not check, relaying
//! and keeping nothing.

mod common;

use std::fs;

use common::login::join;
use common::raw::{Polled, Raw};
use common::{Pair, QUIET};
use socket_chat::crypto::sha256;
use socket_chat::message::client::FileOffer;
use socket_chat::message::{
    ClientMessage, ErrorCode, ErrorReport, FileChunk, FileComplete, ServerMessage,
};

#[test]
fn the_welcome_announces_the_rules() {
    let pair = Pair::start(&["--allow-ext", "txt, .PDF", "--deny-ext", "exe"]);
    let mut raw = Raw::connect(pair.port());
    let welcome = join(&mut raw, "Mallory");
    let rules = welcome.file_types.expect("file_types");
    assert_eq!(rules.allow(), ["txt", "pdf"]);
    assert_eq!(rules.deny(), ["exe"]);
}

#[test]
fn the_client_refuses_a_denied_file_before_sending_any_of_it() {
    let mut pair = Pair::start(&["--deny-ext", "exe,bat"]);
    fs::write(pair.alice.path("setup.EXE"), b"MZ not really").unwrap();
    pair.alice.send("/send setup.EXE");
    pair.alice
        .expect("Cannot send setup.EXE: files ending in .exe are not accepted here.");
    // Nothing went out: the server never heard of it, Bob never saw it.
    pair.server.proc.expect_none("setup");
    pair.bob.expect_none("setup");
    pair.still_chat();
    // Other files still go.
    fs::write(pair.alice.path("notes.txt"), b"hello").unwrap();
    pair.alice.send("/send notes.txt");
    pair.bob.expect("[file] received notes.txt from Alice");
}

#[test]
fn with_an_allow_list_only_its_types_go() {
    let mut pair = Pair::start(&["--allow-ext", "txt,pdf"]);
    for name in ["photo.png", "README"] {
        fs::write(pair.alice.path(name), b"data").unwrap();
        pair.alice.send(&format!("/send {name}"));
        pair.alice.expect(&format!("Cannot send {name}: files"));
    }
    fs::write(pair.alice.path("report.PDF"), b"%PDF").unwrap();
    pair.alice.send("/send report.PDF");
    pair.bob.expect("[file] received report.PDF from Alice");
}

/// A raw client that does not check sends a refused file anyway: the offer
/// is refused with its id, the chunks that follow are dropped without a
/// word each, and nothing reaches Bob or the server's disk.
#[test]
fn the_server_refuses_a_denied_file_from_a_client_that_does_not_check() {
    let mut pair = Pair::start(&["--deny-ext", "exe"]);
    let mut mallory = Raw::connect(pair.port());
    join(&mut mallory, "Mallory");
    send_file(&mut mallory, "evil.exe.", b"MZ");
    match mallory.expect("ERROR", |m| matches!(m, ServerMessage::Error(_))) {
        ServerMessage::Error(ErrorReport {
            code,
            transfer_id,
            text,
            ..
        }) => {
            assert_eq!(code, ErrorCode::FileTypeRefused);
            assert_eq!(transfer_id.as_deref(), Some("1"));
            assert!(text.contains("not accepted here"), "{text}");
        }
        _ => unreachable!(),
    }
    // No second error for the chunks and the end that followed.
    assert_eq!(mallory.list(), ["Alice", "Bob", "Mallory"]);
    mallory.assert_no_error_skipped();
    pair.server
        .proc
        .expect("file evil.exe. from Mallory refused: files ending in .exe");
    pair.bob.expect_none("evil");
    pair.still_chat();
    let received = pair.server.path("files/received");
    let kept: Vec<_> = fs::read_dir(&received)
        .map(|entries| entries.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(kept.is_empty(), "{kept:?}");
    // Bob's connection carried nothing of it either.
    let mut bob = Raw::connect(pair.port());
    join(&mut bob, "Bob2");
    // A round trip first: what joining brings (the lobby's replay) is in.
    bob.list();
    send_file(&mut mallory, "again.exe", b"MZ");
    mallory.expect_error(ErrorCode::FileTypeRefused);
    assert!(matches!(bob.poll(QUIET), Polled::Quiet));
}

/// Sends a whole file (offer, one chunk, the end) as transfer `1`.
fn send_file(raw: &mut Raw, name: &str, content: &[u8]) {
    raw.send(&ClientMessage::FileOffer(FileOffer {
        name: name.to_string(),
        transfer_id: "1".to_string(),
        size: content.len() as u64,
        to: None,
    }));
    raw.send(&ClientMessage::FileChunk(FileChunk {
        transfer_id: "1".to_string(),
        index: 0,
        data: socket_chat::base64::encode(content),
    }));
    raw.send(&ClientMessage::FileComplete(FileComplete {
        name: name.to_string(),
        transfer_id: "1".to_string(),
        size: content.len() as u64,
        sha256: sha256::to_hex(&sha256::digest(content)),
    }));
}
