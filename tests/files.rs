//! End-to-end file transfer between real `chat-server` and `chat-client`
//! processes, plus raw-protocol peers for what a real client never sends.
//!
//! What is proved here:
//! - files arrive byte-identical in every direction (client → all, client →
//!   one user, server console → all, server console → one user) for sizes
//!   around the 4096-byte chunk boundary, a little over 1 MiB, and 50 MiB;
//! - names are made safe, collisions keep both files, odd names survive;
//! - two transfers at once do not mix, and chat keeps flowing meanwhile;
//! - a transfer that goes wrong (sender gone, bad checksum, bad chunks, too
//!   big) leaves no file and no `.part` behind, and everyone involved is told.
//!
//! Content is random from a fixed seed, printed at the start of each test
//! (`SOCKET_CHAT_SEED=<number>` replays or explores). A file has "arrived" when
//! the program says so in its own output line; the test then compares the
//! bytes on disk with the bytes it sent.

mod common;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::Duration;

use common::files::{
    assert_same_bytes, file_names, files_under, random_bytes, saved_path, seeded_rng, write_file,
    write_random_file,
};
use common::raw::Raw;
use common::{Client, DEADLINE, Server, Stream};
use rand::rngs::StdRng;
use socket_chat::message::client::FileOffer;
use socket_chat::message::server::FileOffer as RelayedOffer;
use socket_chat::message::{
    ClientMessage, ErrorCode, ErrorReport, FileChunk, FileComplete, ServerMessage,
};
use socket_chat::{base64, crypto::sha256};
use tempfile::TempDir;

const MIB: usize = 1024 * 1024;
/// The biggest size every direction is tested with.
const BIG: usize = 50 * MIB;
/// Empty, one byte, one under / exactly / one over the 4096-byte chunk, a
/// little over 1 MiB, and 50 MiB.
const SIZES: [usize; 7] = [0, 1, 4095, 4096, 4097, MIB + 7, BIG];

/// Where a client saves files unless told otherwise (relative to its
/// working directory), and where the server keeps its copies.
const DOWNLOADS: &str = "files/downloads";
const RECEIVED: &str = "files/received";

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// How long to wait for a file of `size` bytes: the usual deadline, plus
/// two seconds per megabyte (a debug build moves about 10 MB/s, so this is
/// twenty times slower than expected).
fn deadline_for(size: usize) -> Duration {
    DEADLINE + Duration::from_secs(2 * size as u64 / 1_000_000)
}

/// 50 MiB of random bytes, made once and shared by the tests that need it:
/// generating them takes about two seconds in a debug build.
fn big_content() -> &'static [u8] {
    static CONTENT: OnceLock<Vec<u8>> = OnceLock::new();
    CONTENT.get_or_init(|| random_bytes(&mut seeded_rng("50 MiB content"), BIG))
}

/// The content to send for `size`: fresh random bytes, or the shared 50 MiB.
fn content_of(rng: &mut StdRng, size: usize) -> Vec<u8> {
    if size == BIG {
        big_content().to_vec()
    } else {
        random_bytes(rng, size)
    }
}

/// A 50 MiB transfer keeps both cores of a small machine busy. The tests
/// run in parallel, so big transfers take turns: each then finishes in
/// seconds, instead of all of them crawling at once towards their deadline.
fn big_transfer_turn(size: usize) -> Option<MutexGuard<'static, ()>> {
    static TURN: Mutex<()> = Mutex::new(());
    // A test that failed while holding the turn must not fail the others.
    (size >= BIG).then(|| TURN.lock().unwrap_or_else(PoisonError::into_inner))
}

/// Waits for `receiver` to say it received `name` from `sender` into its
/// download folder, and checks the bytes it saved.
fn expect_received(receiver: &mut Client, name: &str, sender: &str, content: &[u8]) {
    let line = receiver.proc.expect_within(
        &format!("[file] received {name} from {sender}:"),
        deadline_for(content.len()),
    );
    let saved = saved_path(&line);
    assert_eq!(saved, Path::new(DOWNLOADS).join(name), "{line}");
    assert_same_bytes(&receiver.dir.path().join(saved), content);
}

/// Waits for the server to log that it kept its copy of `name` from
/// `sender`, and checks the bytes of that copy.
fn expect_server_copy(server: &mut Server, name: &str, sender: &str, content: &[u8]) {
    // "[14:30:25] received files/received/NAME (1.0 KiB) from SENDER"
    let (start, end) = (
        format!("received {RECEIVED}/{name} ("),
        format!(") from {sender}"),
    );
    server.proc.expect_where_within(
        Stream::Out,
        &format!("saying {start}…{end}"),
        deadline_for(content.len()),
        |l| l.contains(&start) && l.ends_with(&end),
    );
    assert_same_bytes(&server.path(RECEIVED).join(name), content);
}

/// The file name used for a file of `size` bytes.
fn sized_name(size: usize) -> String {
    format!("size-{size}.bin")
}

/// The names [`sized_name`] gives every size in [`SIZES`], sorted.
fn all_sized_names() -> Vec<String> {
    let mut names: Vec<String> = SIZES.iter().map(|&s| sized_name(s)).collect();
    names.sort();
    names
}

fn sha256_hex(bytes: &[u8]) -> String {
    sha256::to_hex(&sha256::digest(bytes))
}

/// The `FILE` a raw sender sends to offer `name` to everyone.
fn raw_offer(id: &str, name: &str, size: usize) -> ClientMessage {
    ClientMessage::FileOffer(FileOffer {
        name: name.to_string(),
        transfer_id: id.to_string(),
        size: size as u64,
        to: None,
    })
}

/// A `FILE_DATA` carrying `bytes` as chunk `index`.
fn raw_chunk(id: &str, index: u64, bytes: &[u8]) -> ClientMessage {
    ClientMessage::FileChunk(FileChunk {
        transfer_id: id.to_string(),
        index,
        data: base64::encode(bytes),
    })
}

/// The `FILE_COMPLETE` that ends a transfer, with the checksum given.
fn raw_complete(id: &str, name: &str, size: usize, sha256_hex: String) -> ClientMessage {
    ClientMessage::FileComplete(FileComplete {
        name: name.to_string(),
        transfer_id: id.to_string(),
        size: size as u64,
        sha256: sha256_hex,
    })
}

/// Sends `content` as `name` the way a well-behaved client does.
fn raw_send_file(raw: &mut Raw, id: &str, name: &str, content: &[u8]) {
    raw.send(&raw_offer(id, name, content.len()));
    for (index, piece) in content.chunks(4096).enumerate() {
        raw.send(&raw_chunk(id, index as u64, piece));
    }
    raw.send(&raw_complete(id, name, content.len(), sha256_hex(content)));
}

/// Waits for the `ERROR` about transfer `id`, and returns its code and text.
fn expect_transfer_error(raw: &mut Raw, id: &str) -> (ErrorCode, String) {
    let what = format!("an ERROR for transfer {id:?}");
    match raw.expect(
        &what,
        |m| matches!(m, ServerMessage::Error(ErrorReport { transfer_id: Some(t), .. }) if t == id),
    ) {
        ServerMessage::Error(ErrorReport { code, text, .. }) => (code, text),
        other => unreachable!("{other:?}"),
    }
}

/// A raw receiver's view of the next file it is sent: the size of each
/// chunk, and all the bytes put together.
fn raw_receive_file(raw: &mut Raw, name: &str) -> (Vec<usize>, Vec<u8>) {
    let offer = raw.expect(
        &format!("the offer of {name}"),
        |m| matches!(m, ServerMessage::FileOffer(RelayedOffer { name: n, .. }) if n == name),
    );
    let ServerMessage::FileOffer(RelayedOffer { transfer_id, .. }) = offer else {
        unreachable!()
    };
    let mut chunk_sizes = Vec::new();
    let mut content = Vec::new();
    loop {
        let message = raw.expect("a chunk or the end", |m| {
            matches!(m, ServerMessage::FileChunk(FileChunk { transfer_id: t, .. })
                      | ServerMessage::FileComplete(FileComplete { transfer_id: t, .. }) if *t == transfer_id)
        });
        match message {
            ServerMessage::FileChunk(FileChunk { data, .. }) => {
                let bytes = base64::decode(&data).expect("chunks are valid base64");
                chunk_sizes.push(bytes.len());
                content.extend_from_slice(&bytes);
            }
            _ => return (chunk_sizes, content),
        }
    }
}

/// After bad input from `raw`, the server still relays files and chat:
/// `raw` sends a good file that `bob` receives intact, and a client that
/// joins now can talk to `bob`.
fn assert_server_still_serves(server: &Server, raw: &mut Raw, bob: &mut Client, rng: &mut StdRng) {
    // Small enough for a server started with a small --max-file.
    let content = random_bytes(rng, 500);
    raw_send_file(raw, "good", "good.bin", &content);
    expect_received(bob, "good.bin", "Mallory", &content);
    let mut alice = server.join("Alice");
    alice.send("still there?");
    bob.expect("Alice: still there?");
}

// ---------------------------------------------------------------------------
// Byte-identical delivery in every direction
// ---------------------------------------------------------------------------

#[test]
fn client_to_all_arrives_byte_identical_at_every_receiver_and_the_server() {
    let mut rng = seeded_rng("client_to_all");
    let mut server = Server::start(&[]);
    let mut alice = server.join("Alice");
    let mut bob = server.join("Bob");
    let mut carol = server.join("Carol");
    // The client names a recipient only once it has seen them join (it
    // refuses names it does not know to be online); Carol came after Bob.
    alice.expect("* Carol joined");
    for size in SIZES {
        let name = sized_name(size);
        let path = alice.path("outbox").join(&name);
        let content = content_of(&mut rng, size);
        write_file(&path, &content);
        let _turn = big_transfer_turn(size);
        alice.send(&format!("/send {}", path.display()));
        expect_received(&mut bob, &name, "Alice", &content);
        expect_received(&mut carol, &name, "Alice", &content);
        expect_server_copy(&mut server, &name, "Alice", &content);
        alice.expect(&format!("[file] sent {name}:"));
    }
    assert_eq!(file_names(&bob.path(DOWNLOADS)), all_sized_names());
    assert_eq!(file_names(&carol.path(DOWNLOADS)), all_sized_names());
    assert_eq!(file_names(&server.path(RECEIVED)), all_sized_names());
}

#[test]
fn client_to_one_user_arrives_byte_identical_and_nobody_else_gets_it() {
    let mut rng = seeded_rng("client_to_one");
    let mut server = Server::start(&[]);
    let mut alice = server.join("Alice");
    let mut bob = server.join("Bob");
    let mut carol = server.join("Carol");
    // The client names a recipient only once it has seen them join (it
    // refuses names it does not know to be online); Carol came after Bob.
    alice.expect("* Carol joined");
    for size in SIZES {
        let name = sized_name(size);
        let path = alice.path("outbox").join(&name);
        let content = content_of(&mut rng, size);
        write_file(&path, &content);
        let _turn = big_transfer_turn(size);
        alice.send(&format!("/send @Bob {}", path.display()));
        expect_received(&mut bob, &name, "Alice", &content);
        expect_server_copy(&mut server, &name, "Alice", &content);
        alice.expect(&format!("[file] sent {name}:"));
    }
    carol.expect_none("[file]");
    assert_eq!(file_names(&carol.path(DOWNLOADS)), Vec::<String>::new());
    assert_eq!(file_names(&bob.path(DOWNLOADS)), all_sized_names());
}

#[test]
fn server_console_to_all_arrives_byte_identical_at_every_client() {
    let mut rng = seeded_rng("server_to_all");
    let mut server = Server::start(&[]);
    let mut bob = server.join("Bob");
    let mut carol = server.join("Carol");
    for size in SIZES {
        let name = sized_name(size);
        let content = content_of(&mut rng, size);
        write_file(&server.path("files/server").join(&name), &content);
        let _turn = big_transfer_turn(size);
        server.send(&format!("/send files/server/{name}"));
        expect_received(&mut bob, &name, "server", &content);
        expect_received(&mut carol, &name, "server", &content);
        server.expect(&format!("Sent {name} ("));
    }
    assert_eq!(file_names(&bob.path(DOWNLOADS)), all_sized_names());
    assert_eq!(file_names(&carol.path(DOWNLOADS)), all_sized_names());
}

#[test]
fn server_console_to_one_user_arrives_byte_identical_and_nobody_else_gets_it() {
    let mut rng = seeded_rng("server_to_one");
    let mut server = Server::start(&[]);
    let mut bob = server.join("Bob");
    let mut carol = server.join("Carol");
    for size in SIZES {
        let name = sized_name(size);
        let content = content_of(&mut rng, size);
        write_file(&server.path("files/server").join(&name), &content);
        let _turn = big_transfer_turn(size);
        server.send(&format!("/send @Bob files/server/{name}"));
        expect_received(&mut bob, &name, "server", &content);
        server.expect(&format!("Sent {name} ("));
    }
    carol.expect_none("[file]");
    assert_eq!(file_names(&carol.path(DOWNLOADS)), Vec::<String>::new());
    assert_eq!(file_names(&bob.path(DOWNLOADS)), all_sized_names());
}

// ---------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------

#[test]
fn a_name_with_spaces_and_chinese_characters_arrives_under_that_name() {
    let mut rng = seeded_rng("spaces_and_chinese");
    let mut server = Server::start(&[]);
    let mut alice = server.join("Alice");
    let mut bob = server.join("Bob");
    let name = "my 文件 2.txt";
    // A path relative to Alice's working directory, quoted for its spaces.
    let content = write_random_file(&mut rng, &alice.path(name), 3000);
    alice.send(&format!("/send \"{name}\""));
    expect_received(&mut bob, name, "Alice", &content);
    expect_server_copy(&mut server, name, "Alice", &content);
}

#[test]
fn hostile_names_land_inside_the_download_folder() {
    let mut rng = seeded_rng("hostile_names");
    // No history folder, so that the server's directory holds nothing but
    // what the transfers wrote.
    let mut server = Server::start(&["--no-history"]);
    let mut bob = server.join("Bob");
    let mut mallory = Raw::join(server.port, "Mallory");
    // The name a sender claims, and the only name it may be saved under.
    let cases = [
        ("../x", "x"),
        ("../../etc/passwd", "passwd"),
        ("/abs/path/y", "y"),
        ("C:\\win\\z.txt", "z.txt"),
        ("..", "file"),
    ];
    let mut expected_client = Vec::new();
    let mut expected_server = Vec::new();
    for (i, (claimed, safe)) in cases.into_iter().enumerate() {
        let content = random_bytes(&mut rng, 100 + i);
        raw_send_file(&mut mallory, &i.to_string(), claimed, &content);
        expect_received(&mut bob, safe, "Mallory", &content);
        expect_server_copy(&mut server, safe, "Mallory", &content);
        expected_client.push(Path::new(DOWNLOADS).join(safe));
        expected_server.push(Path::new(RECEIVED).join(safe));
    }
    expected_client.sort();
    expected_server.sort();
    // Nothing anywhere else in either program's directory...
    assert_eq!(files_under(bob.dir.path()), expected_client);
    assert_eq!(files_under(server.dir.path()), expected_server);
    // ...and nothing at the absolute path.
    assert!(!Path::new("/abs/path/y").exists());
}

#[test]
fn a_name_collision_keeps_both_files() {
    let mut rng = seeded_rng("name_collision");
    let mut server = Server::start(&[]);
    let mut alice = server.join("Alice");
    let mut bob = server.join("Bob");
    let first = write_random_file(&mut rng, &alice.path("one/report.pdf"), 5000);
    let second = write_random_file(&mut rng, &alice.path("two/report.pdf"), 6000);

    alice.send(&format!("/send {}", alice.path("one/report.pdf").display()));
    expect_received(&mut bob, "report.pdf", "Alice", &first);
    expect_server_copy(&mut server, "report.pdf", "Alice", &first);

    alice.send(&format!("/send {}", alice.path("two/report.pdf").display()));
    let line = bob.expect("[file] received report.pdf from Alice:");
    assert_eq!(
        saved_path(&line),
        Path::new(DOWNLOADS).join("report (1).pdf")
    );
    server.expect(&format!("received {RECEIVED}/report (1).pdf ("));

    for dir in [bob.path(DOWNLOADS), server.path(RECEIVED)] {
        assert_eq!(file_names(&dir), ["report (1).pdf", "report.pdf"]);
        assert_same_bytes(&dir.join("report.pdf"), &first);
        assert_same_bytes(&dir.join("report (1).pdf"), &second);
    }
}

// ---------------------------------------------------------------------------
// Several things at once
// ---------------------------------------------------------------------------

#[test]
fn two_senders_at_once_to_one_receiver_both_arrive_intact() {
    let mut rng = seeded_rng("two_senders");
    let mut server = Server::start(&[]);
    let mut alice = server.join("Alice");
    let mut bob = server.join("Bob");
    let mut carol = server.join("Carol");
    // Big enough (about a second each in a debug build) to overlap.
    let from_alice = write_random_file(&mut rng, &alice.path("alice.bin"), 8 * MIB + 1);
    let from_carol = write_random_file(&mut rng, &carol.path("carol.bin"), 8 * MIB + 2);
    // Alice names Bob only once she has seen him join (Carol came later).
    alice.expect("* Carol joined");
    // Both start before the test waits for either.
    alice.send("/send @Bob alice.bin");
    carol.send("/send @Bob carol.bin");
    expect_received(&mut bob, "alice.bin", "Alice", &from_alice);
    expect_received(&mut bob, "carol.bin", "Carol", &from_carol);
    assert_eq!(file_names(&bob.path(DOWNLOADS)), ["alice.bin", "carol.bin"]);
    // The server kept a copy of each upload too, unmixed.
    expect_server_copy(&mut server, "alice.bin", "Alice", &from_alice);
    expect_server_copy(&mut server, "carol.bin", "Carol", &from_carol);
}

#[test]
fn chat_keeps_flowing_both_ways_during_a_big_transfer() {
    let server = Server::start(&[]);
    let mut alice = server.join("Alice");
    let mut bob = server.join("Bob");
    let content = big_content();
    write_file(&alice.path("big.bin"), content);
    let _turn = big_transfer_turn(BIG);
    alice.send("/send big.bin");
    // The offer has reached Bob: the transfer is under way.
    bob.expect("[file] Alice is sending big.bin");
    alice.send("still chatting while sending");
    bob.send("and I while receiving");
    bob.expect("Alice: still chatting while sending");
    alice.expect("Bob: and I while receiving");
    expect_received(&mut bob, "big.bin", "Alice", content);
    alice.expect("[file] sent big.bin:");
    // Each chat line came in before that side's transfer had finished.
    let before = |client: &Client, chat: &str, end: &str| {
        let (chat_at, end_at) = (client.proc.position(chat), client.proc.position(end));
        assert!(
            chat_at.is_some() && chat_at < end_at,
            "{}: {chat:?} should come before {end:?}:\n{}",
            client.proc.label,
            client.proc.transcript()
        );
    };
    before(&bob, "Alice: still chatting", "[file] received big.bin");
    before(&alice, "Bob: and I while", "[file] sent big.bin");
}

// ---------------------------------------------------------------------------
// Transfers that go wrong leave nothing behind
// ---------------------------------------------------------------------------

#[test]
fn a_sender_killed_mid_transfer_leaves_nothing_at_any_receiver() {
    let mut server = Server::start(&[]);
    let mut alice = server.join("Alice");
    let mut bob = server.join("Bob");
    let mut carol = server.join("Carol");
    // 50 MiB takes Alice seconds to send; she is killed within milliseconds
    // of the offer reaching Bob.
    write_file(&alice.path("big.bin"), big_content());
    alice.send("/send big.bin");
    bob.expect("[file] Alice is sending big.bin");
    alice.proc.kill();
    let told = "[file] big.bin from Alice was not kept: Alice left before big.bin was complete";
    bob.expect(told);
    carol.expect(told);
    server.expect("transfer of big.bin from Alice aborted");
    for receiver in [&mut bob, &mut carol] {
        receiver.expect_none("[file] received");
        assert_eq!(file_names(&receiver.path(DOWNLOADS)), Vec::<String>::new());
    }
    assert_eq!(file_names(&server.path(RECEIVED)), Vec::<String>::new());
}

#[test]
fn a_raw_sender_that_disconnects_after_a_few_chunks_leaves_nothing_behind() {
    let mut rng = seeded_rng("raw_sender_disconnects");
    let mut server = Server::start(&[]);
    let mut bob = server.join("Bob");
    let mut carol = server.join("Carol");
    let mallory = {
        let mut mallory = Raw::join(server.port, "Mallory");
        let content = random_bytes(&mut rng, 10 * 4096);
        mallory.send(&raw_offer("1", "half.bin", content.len()));
        for (index, piece) in content.chunks(4096).take(3).enumerate() {
            mallory.send(&raw_chunk("1", index as u64, piece));
        }
        mallory
    };
    mallory.close();
    let told =
        "[file] half.bin from Mallory was not kept: Mallory left before half.bin was complete";
    bob.expect(told);
    carol.expect(told);
    server.expect("transfer of half.bin from Mallory aborted");
    for receiver in [&bob, &carol] {
        assert_eq!(file_names(&receiver.path(DOWNLOADS)), Vec::<String>::new());
    }
    assert_eq!(file_names(&server.path(RECEIVED)), Vec::<String>::new());
}

#[test]
fn a_corrupted_checksum_is_detected_and_nothing_is_kept() {
    let mut rng = seeded_rng("corrupted_checksum");
    let mut server = Server::start(&[]);
    let mut bob = server.join("Bob");
    let mut carol = server.join("Carol");
    let mut mallory = Raw::join(server.port, "Mallory");
    let content = random_bytes(&mut rng, 3 * 4096 + 5);
    // The right checksum with its first digit changed.
    let right = sha256_hex(&content);
    let wrong = format!(
        "{}{}",
        if right.starts_with('0') { "1" } else { "0" },
        &right[1..]
    );
    mallory.send(&raw_offer("7", "damaged.bin", content.len()));
    for (index, piece) in content.chunks(4096).enumerate() {
        mallory.send(&raw_chunk("7", index as u64, piece));
    }
    mallory.send(&raw_complete("7", "damaged.bin", content.len(), wrong));

    let (code, text) = expect_transfer_error(&mut mallory, "7");
    assert_eq!(code, ErrorCode::TransferAborted, "{text}");
    assert!(text.contains("SHA-256 checksum does not match"), "{text}");
    let told = "[file] damaged.bin from Mallory was not kept: The transfer of damaged.bin failed: the SHA-256 checksum does not match";
    bob.expect(told);
    carol.expect(told);
    server.expect("transfer of damaged.bin from Mallory aborted");
    for receiver in [&mut bob, &mut carol] {
        receiver.expect_none("[file] received");
        assert_eq!(file_names(&receiver.path(DOWNLOADS)), Vec::<String>::new());
    }
    assert_eq!(file_names(&server.path(RECEIVED)), Vec::<String>::new());
}

// ---------------------------------------------------------------------------
// Bad input from a raw sender: an ERROR, and the server keeps serving
// ---------------------------------------------------------------------------

#[test]
fn data_for_an_unknown_transfer_is_answered_with_an_error() {
    let mut rng = seeded_rng("unknown_transfer");
    let server = Server::start(&[]);
    let mut bob = server.join("Bob");
    let mut mallory = Raw::join(server.port, "Mallory");
    mallory.send(&raw_chunk("ghost", 0, b"boo"));
    let (code, text) = expect_transfer_error(&mut mallory, "ghost");
    assert_eq!(code, ErrorCode::TransferAborted, "{text}");
    assert!(text.contains("no transfer \"ghost\""), "{text}");
    mallory.send(&raw_complete("phantom", "x", 3, sha256_hex(b"boo")));
    let (code, text) = expect_transfer_error(&mut mallory, "phantom");
    assert_eq!(code, ErrorCode::TransferAborted, "{text}");
    bob.expect_none("[file]");
    assert_server_still_serves(&server, &mut mallory, &mut bob, &mut rng);
}

#[test]
fn an_out_of_order_chunk_aborts_the_transfer() {
    let mut rng = seeded_rng("out_of_order");
    let mut server = Server::start(&[]);
    let mut bob = server.join("Bob");
    let mut mallory = Raw::join(server.port, "Mallory");
    let content = random_bytes(&mut rng, 2 * 4096);
    mallory.send(&raw_offer("2", "shuffled.bin", content.len()));
    mallory.send(&raw_chunk("2", 1, &content[4096..]));
    let (code, text) = expect_transfer_error(&mut mallory, "2");
    assert_eq!(code, ErrorCode::TransferAborted, "{text}");
    assert!(
        text.contains("chunk 1 arrived where chunk 0 was expected"),
        "{text}"
    );
    bob.expect("[file] shuffled.bin from Mallory was not kept");
    server.expect("transfer of shuffled.bin from Mallory aborted");
    assert_eq!(file_names(&bob.path(DOWNLOADS)), Vec::<String>::new());
    assert_eq!(file_names(&server.path(RECEIVED)), Vec::<String>::new());
    assert_server_still_serves(&server, &mut mallory, &mut bob, &mut rng);
}

#[test]
fn bytes_beyond_the_announced_size_abort_the_transfer() {
    let mut rng = seeded_rng("beyond_size");
    let mut server = Server::start(&[]);
    let mut bob = server.join("Bob");
    let mut mallory = Raw::join(server.port, "Mallory");
    mallory.send(&raw_offer("3", "short.txt", 3));
    mallory.send(&raw_chunk("3", 0, b"abcd"));
    let (code, text) = expect_transfer_error(&mut mallory, "3");
    assert_eq!(code, ErrorCode::TransferAborted, "{text}");
    assert!(
        text.contains("more data arrived than the announced 3 bytes"),
        "{text}"
    );
    bob.expect("[file] short.txt from Mallory was not kept");
    server.expect("transfer of short.txt from Mallory aborted");
    assert_eq!(file_names(&bob.path(DOWNLOADS)), Vec::<String>::new());
    assert_eq!(file_names(&server.path(RECEIVED)), Vec::<String>::new());
    assert_server_still_serves(&server, &mut mallory, &mut bob, &mut rng);
}

#[test]
fn a_file_over_the_server_limit_is_refused_up_front() {
    let mut rng = seeded_rng("over_the_limit");
    let server = Server::start(&["--max-file", "1000"]);
    let mut bob = server.join("Bob");
    let mut mallory = Raw::join(server.port, "Mallory");
    mallory.send(&raw_offer("4", "huge.bin", 1001));
    let (code, text) = expect_transfer_error(&mut mallory, "4");
    assert_eq!(code, ErrorCode::FileTooLarge, "{text}");
    // The chunks a sender streams before it hears of the refusal are
    // dropped quietly: the next error is about another transfer.
    mallory.send(&raw_chunk("4", 0, &[0; 1001]));
    mallory.send(&raw_chunk("ghost", 0, b"boo"));
    let next_error = mallory.expect("the next ERROR", |m| matches!(m, ServerMessage::Error(_)));
    assert!(
        matches!(&next_error, ServerMessage::Error(ErrorReport { transfer_id: Some(t), .. }) if t == "ghost"),
        "{next_error:?}"
    );
    bob.expect_none("[file]");
    assert_eq!(file_names(&server.path(RECEIVED)), Vec::<String>::new());
    assert_server_still_serves(&server, &mut mallory, &mut bob, &mut rng);
}

// ---------------------------------------------------------------------------
// What the client refuses before sending anything
// ---------------------------------------------------------------------------

#[test]
fn send_refuses_a_missing_file_a_folder_and_a_file_over_the_limit() {
    let mut rng = seeded_rng("client_refusals");
    let mut server = Server::start(&["--max-file", "1000"]);
    let mut alice = server.join("Alice");
    let mut bob = server.join("Bob");
    let missing = alice.path("no such file.txt");
    let folder = alice.path("a folder");
    std::fs::create_dir(&folder).expect("create a folder");
    let too_big = alice.path("too big.bin");
    write_random_file(&mut rng, &too_big, 1001);

    alice.send(&format!("/send \"{}\"", missing.display()));
    alice.expect(&format!(
        "[file] cannot send {}: no such file",
        missing.display()
    ));
    alice.send(&format!("/send \"{}\"", folder.display()));
    alice.expect(&format!(
        "[file] cannot send {}: it is a folder, not a file",
        folder.display()
    ));
    alice.send(&format!("/send \"{}\"", too_big.display()));
    alice.expect(&format!(
        "[file] cannot send {}: it is 1001 bytes, and the server accepts at most 1000 bytes",
        too_big.display()
    ));
    alice.expect_none("[file] sending");
    bob.expect_none("[file]");
    server.proc.expect_none("is sending");

    // One byte less is within the limit.
    let just_fits = write_random_file(&mut rng, &alice.path("fits.bin"), 1000);
    alice.send("/send fits.bin");
    expect_received(&mut bob, "fits.bin", "Alice", &just_fits);
    assert_eq!(file_names(&bob.path(DOWNLOADS)), ["fits.bin"]);
}

#[test]
fn send_to_an_unknown_user_is_refused_and_nothing_arrives() {
    let mut rng = seeded_rng("unknown_user");
    let server = Server::start(&[]);
    let mut alice = server.join("Alice");
    let mut bob = server.join("Bob");
    write_random_file(&mut rng, &alice.path("note.txt"), 500);
    alice.send("/send @Nobody note.txt");
    alice.expect("No user named \"Nobody\" is online.");
    bob.expect_none("[file]");
    assert_eq!(file_names(&bob.path(DOWNLOADS)), Vec::<String>::new());
    assert_eq!(file_names(&server.path(RECEIVED)), Vec::<String>::new());
}

/// The client follows who is online, so it refuses `/send @Nobody` itself
/// rather than streaming a file out and reporting it "sent" before the
/// server's refusal comes back.
#[test]
fn send_to_an_unknown_user_is_not_reported_as_sent() {
    let mut rng = seeded_rng("unknown_user_not_sent");
    let server = Server::start(&[]);
    let mut alice = server.join("Alice");
    write_random_file(&mut rng, &alice.path("note.txt"), 500);
    alice.send("/send @Nobody note.txt");
    alice.expect("No user named \"Nobody\" is online.");
    alice.expect_none("[file] sent note.txt");
}

// ---------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------

#[test]
fn a_client_chunk_size_of_64_kib_is_used_and_the_file_arrives_intact() {
    let mut rng = seeded_rng("client_chunk_size");
    let server = Server::start(&[]);
    let mut alice = server.join_with("Alice", &["--chunk-size", "65536"]);
    let mut bob = server.join("Bob");
    let mut rita = Raw::join(server.port, "Rita");
    let content = write_random_file(&mut rng, &alice.path("wide.bin"), 3 * 65536 + 3392);
    alice.send("/send wide.bin");
    let (chunk_sizes, received) = raw_receive_file(&mut rita, "wide.bin");
    assert_eq!(chunk_sizes, [65536, 65536, 65536, 3392]);
    assert!(received == content, "Rita's bytes differ from the file");
    expect_received(&mut bob, "wide.bin", "Alice", &content);
}

#[test]
fn a_server_chunk_size_of_64_kib_is_used_and_the_file_arrives_intact() {
    let mut rng = seeded_rng("server_chunk_size");
    let mut server = Server::start(&["--chunk-size", "65536"]);
    let mut bob = server.join("Bob");
    let mut rita = Raw::join(server.port, "Rita");
    let path = server.path("files/server/wide.bin");
    let content = write_random_file(&mut rng, &path, 3 * 65536 + 3392);
    server.send("/send files/server/wide.bin");
    let (chunk_sizes, received) = raw_receive_file(&mut rita, "wide.bin");
    assert_eq!(chunk_sizes, [65536, 65536, 65536, 3392]);
    assert!(received == content, "Rita's bytes differ from the file");
    expect_received(&mut bob, "wide.bin", "server", &content);
}

#[test]
fn downloads_flag_saves_files_in_that_folder() {
    let mut rng = seeded_rng("downloads_flag");
    let server = Server::start(&[]);
    let mut alice = server.join("Alice");
    let elsewhere = TempDir::new().expect("temp dir");
    let folder: PathBuf = elsewhere.path().join("my downloads");
    let folder_arg = folder.to_str().expect("a UTF-8 temp path");
    let mut bob = server.join_with("Bob", &["--downloads", folder_arg]);
    let content = write_random_file(&mut rng, &alice.path("here.txt"), 777);
    alice.send("/send here.txt");
    let line = bob.expect("[file] received here.txt from Alice:");
    assert_eq!(saved_path(&line), folder.join("here.txt"));
    assert_same_bytes(&folder.join("here.txt"), &content);
    assert!(!bob.path(DOWNLOADS).exists(), "the default folder was used");
}

/// Progress updates in place only on a terminal (`\r` redraws a line). A
/// test's pipe is no terminal, so there the client prints no progress at
/// all, only the lines that stay: a log, not a flicker.
#[test]
fn output_that_is_not_a_terminal_gets_no_progress_lines() {
    let mut rng = seeded_rng("no_progress_in_pipes");
    let server = Server::start(&[]);
    let mut alice = server.join("Alice");
    let mut bob = server.join("Bob");
    let content = write_random_file(&mut rng, &alice.path("steps.bin"), 3 * 1024 * 1024);
    alice.send("/send steps.bin");
    expect_received(&mut bob, "steps.bin", "Alice", &content);
    alice.expect("[file] sent steps.bin:");
    for client in [&alice, &bob] {
        let progress = client.proc.history.iter().find(|(_, line)| {
            line.contains("[file] receiving")
                || line.contains("[file] sending steps.bin:")
                || line.contains('\r')
        });
        assert!(
            progress.is_none(),
            "{}: progress in a pipe: {progress:?}",
            client.proc.label
        );
    }
}

/// The client's `/send` refuses what is not a regular file too, without
/// waiting on a named pipe: its event loop must stay free to show chat.
#[cfg(unix)]
#[test]
fn send_refuses_a_pipe_and_a_device_and_chat_goes_on() {
    let server = Server::start(&[]);
    let mut alice = server.join("Alice");
    let mut bob = server.join("Bob");
    alice.send("/send /dev/zero");
    alice.expect("[file] cannot send /dev/zero: it is a device, not a regular file");
    let pipe = alice.path("pipe");
    let made = std::process::Command::new("mkfifo").arg(&pipe).status();
    if made.is_ok_and(|s| s.success()) {
        alice.send("/send pipe");
        alice.expect("[file] cannot send pipe: it is a named pipe (FIFO), not a regular file");
    } else {
        eprintln!("mkfifo is not available: the FIFO case did not run");
    }
    bob.send("still chatting");
    alice.expect("Bob: still chatting");
    bob.expect_none("[file]");
}
