//! The server in the real world: peers that go silent or stop reading, a
//! crowd, a full house, a thousand dropped connections, and a shutdown with
//! clients still connected. Each test runs the real `chat-server`, and where
//! it matters, two well-behaved clients prove that the room still works for
//! everyone else. Hostile bytes have their own file, `hostile_input.rs`.
//!
//! Nothing here sleeps: every wait is for something observable (a line, a
//! message, a closed socket), with a deadline.

mod common;

use std::fs;
use std::thread;
use std::time::{Duration, Instant};

use common::raw::{Polled, Raw};
use common::{DEADLINE, Pair, Server};
use socket_chat::message::client::{Join, Text};
use socket_chat::message::server::{Chat, Left};
use socket_chat::message::{ClientMessage, ErrorCode, ServerMessage};
use socket_chat::transport::tcp;

/// `--heartbeat 1` pings after one silent second and drops after two. A
/// session looks at the clock every quarter interval, so the drop comes
/// at most that much later; the rest is slack for a busy test machine.
const HEARTBEAT: Duration = Duration::from_secs(1);
const HEARTBEAT_DROP_BOUND: Duration = Duration::from_millis(3500);

/// A laptop that went to sleep never says goodbye. The server pings it
/// after a silent interval and drops it after two, and the others are
/// told it timed out. A peer that answers each ping stays, however long.
#[test]
fn a_silent_peer_times_out_but_one_that_answers_ping_stays() {
    fn answer_ping(peer: &mut Raw) {
        peer.expect("PING", |m| *m == ServerMessage::Ping);
        peer.send(&ClientMessage::Pong);
    }
    let mut pair = Pair::start(&["--heartbeat", "1"]);
    let mut sleepy = Raw::join(pair.port(), "Sleepy");
    let joined = Instant::now();
    let mut awake = Raw::join(pair.port(), "Awake");

    // Awake answers its ping; Sleepy reads its own and never answers.
    answer_ping(&mut awake);
    sleepy.expect("PING", |m| *m == ServerMessage::Ping);
    sleepy.expect_closed();
    let dropped_after = joined.elapsed();
    assert!(
        dropped_after > HEARTBEAT * 3 / 2 && dropped_after < HEARTBEAT_DROP_BOUND,
        "Sleepy was dropped {dropped_after:?} after joining"
    );
    pair.alice.expect("* Sleepy timed out (3 online)");
    pair.bob.expect("* Sleepy timed out (3 online)");
    pair.still_chat();

    // Two more pings answered: Awake has now stayed well past the
    // deadline that dropped Sleepy.
    for _ in 0..2 {
        answer_ping(&mut awake);
        pair.still_chat();
    }
    assert_eq!(awake.list(), ["Alice", "Bob", "Awake"]);
    assert!(joined.elapsed() > HEARTBEAT * 3);
    pair.alice.expect_none("Awake timed out");
    pair.still_chat();
}

/// A connection that never joins must not keep its slot, however busy it
/// keeps itself: it has one heartbeat interval to join. Here it answers
/// and sends `PING`s the whole time, which used to keep it forever; with
/// `--max-clients 3` it held the last slot. At the deadline it is told why
/// (`ERROR join_timeout`) and closed, the log says so, and its slot takes
/// the next client.
#[test]
fn a_connection_that_never_joins_is_closed_at_the_join_deadline_whatever_it_sends() {
    let mut pair = Pair::start(&["--heartbeat", "1", "--max-clients", "3"]);
    let mut idler = Raw::connect(pair.port());
    let connected = Instant::now();
    let who = idler.stream.local_addr().expect("address").to_string();
    // While it waits, every slot is taken.
    let mut turned_away = Raw::connect(pair.port());
    turned_away.expect_error(ErrorCode::ServerFull);

    // A PING about every PACE: each is answered, then the socket's own read
    // timeout paces the next.
    const PACE: Duration = Duration::from_millis(100);
    let mut pongs = 0;
    let why = 'waiting: loop {
        assert!(
            connected.elapsed() < DEADLINE,
            "never closed; got {:?}",
            idler.skipped
        );
        idler.send(&ClientMessage::Ping);
        loop {
            match idler.poll(PACE) {
                Polled::Quiet => break,
                Polled::Message(ServerMessage::Pong) => pongs += 1,
                Polled::Message(ServerMessage::Error(error))
                    if error.code == ErrorCode::JoinTimeout =>
                {
                    break 'waiting error.text;
                }
                Polled::Message(other) => idler.skipped.push(other),
                Polled::Closed => panic!("closed without a word after {pongs} PONGs"),
            }
        }
    };
    let took = connected.elapsed();
    idler.expect_closed();
    assert!(pongs > 0, "it was served while it waited");
    assert!(
        took >= HEARTBEAT && took < HEARTBEAT_DROP_BOUND,
        "closed {took:?} after connecting"
    );
    assert!(why.contains("did not join within 1 seconds"), "{why}");
    pair.server
        .proc
        .expect_once(&format!("closed {who}: it did not join within 1 s"));

    // Its slot is free again.
    let mut dave = Raw::join(pair.port(), "Dave");
    assert_eq!(dave.list(), ["Alice", "Bob", "Dave"]);
    pair.alice.expect_none("timed out");
    pair.still_chat();
}

/// A peer that stops reading (its process stopped, say) must not hold up
/// anyone else. While Alice sends a 20 MiB file to everyone, Stuck reads
/// nothing: its queue fills, the relay waits for it at most the send
/// timeout, then drops it. Meanwhile chat between Bob and Carol arrives
/// within a second, and the file still reaches both of them intact.
#[test]
fn a_stopped_reader_does_not_delay_chat_and_is_dropped() {
    const LATENCY_BOUND: Duration = Duration::from_secs(1);
    let server = Server::start(&["--queue", "65536", "--send-timeout", "1"]);
    let mut alice = server.join("Alice");
    let mut bob = server.join("Bob");
    let mut carol = server.join("Carol");
    // Joins, then never reads again.
    let _stuck = Raw::join(server.port, "Stuck");
    carol.expect("* Stuck joined");

    let file: Vec<u8> = (0..20 * 1024 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    fs::write(alice.path("big.bin"), &file).expect("write the test file");
    alice.send("/send big.bin");
    carol.expect("[file] Alice is sending big.bin");

    // Chat between Bob and Carol, timed, for as long as Stuck holds the
    // relay up, and a little after.
    let deadline = Instant::now() + DEADLINE;
    let mut n = 0;
    let mut worst = Duration::ZERO;
    while n < 3 || !carol.proc.has_seen("* Stuck disconnected") {
        n += 1;
        assert!(
            Instant::now() < deadline,
            "Stuck was never dropped. Carol saw:\n{}",
            carol.proc.transcript()
        );
        let sent = Instant::now();
        bob.send(&format!("during the transfer {n}"));
        carol.expect(&format!("Bob: during the transfer {n}"));
        let latency = sent.elapsed();
        worst = worst.max(latency);
        assert!(
            latency < LATENCY_BOUND,
            "chat message {n} took {latency:?} during the transfer"
        );
    }
    eprintln!("{n} chat messages during the stall, slowest {worst:?}");
    bob.expect("* Stuck disconnected");
    alice.expect("* Stuck disconnected");

    // The stall is over for the others: the file arrives whole.
    carol.expect("[file] received big.bin from Alice");
    bob.expect("[file] received big.bin from Alice");
    assert!(fs::read(carol.path("files/downloads/big.bin")).expect("Carol's copy") == file);
    assert!(fs::read(bob.path("files/downloads/big.bin")).expect("Bob's copy") == file);
}

/// Thirty people join at once in a classroom; here, a hundred raw clients
/// each send twenty messages at the same time. Every client receives every
/// other client's messages, all of them, each sender's in the order sent.
#[test]
fn a_hundred_clients_twenty_messages_each_all_arrive_in_order() {
    const CLIENTS: usize = 100;
    const MESSAGES: usize = 20;
    let server = Server::start(&[]);
    // Each join waits for its welcome, so once the loop ends everyone is
    // in the room and will receive everything sent from now on.
    let mut clients: Vec<Raw> = (0..CLIENTS)
        .map(|i| Raw::join(server.port, &format!("u{i:03}")))
        .collect();

    thread::scope(|scope| {
        for (i, client) in clients.iter_mut().enumerate() {
            scope.spawn(move || {
                for n in 0..MESSAGES {
                    client.send(&ClientMessage::Text(Text {
                        text: format!("{n} from u{i:03}"),
                        to: None,
                    }));
                }
                // next[s]: the number of the next message expected from s.
                let mut next = [0usize; CLIENTS];
                let mut received = 0;
                while received < (CLIENTS - 1) * MESSAGES {
                    let message = client
                        .next_within(DEADLINE)
                        .unwrap_or_else(|| panic!("u{i:03}: connection closed"));
                    let ServerMessage::Chat(Chat { text, sender, .. }) = message else {
                        continue; // join notices of later clients
                    };
                    let (number, from) = text.split_once(" from ").expect("our text");
                    assert_eq!(from, sender, "u{i:03}: sender does not match text");
                    let s: usize = sender[1..].parse().expect("sender number");
                    assert_ne!(s, i, "u{i:03} received its own message");
                    assert_eq!(
                        number.parse::<usize>().expect("message number"),
                        next[s],
                        "u{i:03}: out of order from {sender}"
                    );
                    next[s] += 1;
                    received += 1;
                }
                for (s, count) in next.iter().enumerate() {
                    let expected = if s == i { 0 } else { MESSAGES };
                    assert_eq!(*count, expected, "u{i:03} from u{s:03}");
                }
            });
        }
    });
}

/// Beyond `--max-clients`, a new connection is told why and closed, and
/// the clients already in are not disturbed. When one leaves, its slot is
/// free for the next.
#[test]
fn a_full_server_refuses_politely_and_takes_the_next_after_one_leaves() {
    let mut pair = Pair::start(&["--max-clients", "3"]);
    let carol = Raw::join(pair.port(), "Carol");

    let mut fourth = Raw::connect(pair.port());
    fourth.expect_error(ErrorCode::ServerFull);
    fourth.expect_closed();
    pair.server.expect("the server is full (3 clients)");
    pair.still_chat();

    carol.close();
    pair.alice.expect("* Carol disconnected (2 online)");
    // Carol's slot is given back before anyone hears that she left, so a
    // newcomer who reacts to the notice at once gets in on the first try.
    let mut dave = Raw::connect(pair.port());
    dave.send(&ClientMessage::Join(Join {
        name: "Dave".to_string(),
    }));
    match dave.next_within(DEADLINE) {
        Some(ServerMessage::Welcome(_)) => {}
        other => panic!("Dave should have got in at once, got {other:?}"),
    }
    pair.bob.expect("* Dave joined the chat (3 online)");
    assert_eq!(dave.list(), ["Alice", "Bob", "Dave"]);
    pair.still_chat();
}

/// `/quit` on the console tells every connection, joined or not, that the
/// server is stopping, closes them, and exits with status 0 well within its
/// grace period (5 s), even with a peer that never closes its end.
#[test]
fn quit_on_the_console_tells_every_client_and_exits_promptly() {
    const EXIT_BOUND: Duration = Duration::from_secs(5);
    let mut pair = Pair::start(&[]);
    let mut carol = Raw::join(pair.port(), "Carol");
    // Connected, never joined. Connecting returns once the kernel has the
    // connection, before the server has accepted it; a PING answered
    // proves that the server is serving it, so `/quit` must reach it.
    let mut lurker = Raw::connect(pair.port());
    lurker.send(&ClientMessage::Ping);
    lurker.expect("PONG", |m| *m == ServerMessage::Pong);
    pair.server.expect("Carol joined from");
    pair.still_chat();

    let quit = Instant::now();
    pair.server.send("/quit");
    for raw in [&mut carol, &mut lurker] {
        raw.expect_error(ErrorCode::ServerShutdown);
        raw.expect_closed();
    }
    for client in [&mut pair.alice, &mut pair.bob] {
        client.expect("The server has shut down.");
        assert_eq!(client.proc.wait_exit().code(), Some(0));
    }
    // Carol and the lurker keep their sockets open: the server must not
    // wait for them to hang up.
    let status = pair.server.proc.wait_exit();
    let took = quit.elapsed();
    assert!(status.success(), "{status}");
    assert!(took < EXIT_BOUND, "the server took {took:?} to stop");
    pair.server.expect("Server stopped.");
}

/// Connections that arrive just as `/quit` is typed: some have a session,
/// some were accepted by the kernel but not yet by the server (its listen
/// backlog). Every one of them hears `ERROR server_shutdown` and then a
/// clean end of stream, never a silent close or a reset.
#[test]
fn quit_reaches_connections_the_server_had_not_accepted_yet() {
    const ARRIVALS: usize = 64;
    let mut server = Server::start(&[]);
    let mut arrivals: Vec<Raw> = (0..ARRIVALS).map(|_| Raw::connect(server.port)).collect();
    server.send("/quit");
    for (i, raw) in arrivals.iter_mut().enumerate() {
        let what = format!("ERROR server_shutdown for arrival {i}");
        let told = raw.expect_or_closed(
            &what,
            |m| matches!(m, ServerMessage::Error(e) if e.code == ErrorCode::ServerShutdown),
        );
        assert!(told.is_some(), "arrival {i} was closed without a word");
        raw.expect_closed();
    }
    assert!(server.proc.wait_exit().success());
}

/// Students' laptops connect and vanish all day. A thousand connections
/// that close as soon as they open, some in the middle of a frame, some
/// just after joining, must leave no thread and no file descriptor behind.
#[cfg(target_os = "linux")]
#[test]
fn a_thousand_dropped_connections_leave_no_threads_or_descriptors() {
    use common::procfs::{open_fds, threads};
    use std::io::Write;
    use std::net::TcpStream;

    const CYCLES: usize = 1000; // a multiple of 4: the last one joins
    let server = Server::start(&[]);
    let pid = server.proc.pid();
    // The probe is connected throughout; its round trips pace the waiting.
    let mut probe = Raw::join(server.port, "Probe");
    probe.list();
    let before = (threads(pid), open_fds(pid));

    for i in 0..CYCLES {
        let mut stream = TcpStream::connect(("127.0.0.1", server.port)).expect("connect");
        let join = tcp::frame(&ClientMessage::Join(Join {
            name: format!("Passer{i}"),
        }));
        let bytes: &[u8] = match i % 4 {
            0 => &[],         // connect and close
            1 => &[0, 0],     // half a header
            2 => &join[..10], // a header and part of a body
            _ => &join,       // a whole join, then gone
        };
        // The server may already have closed; that is fine.
        let _ = stream.write_all(bytes);
    }
    // The server takes connections in order, so once the last one has
    // come and gone, it has seen every one of them.
    let last = format!("Passer{}", CYCLES - 1);
    probe.expect(
        "the last passer to leave",
        |m| matches!(m, ServerMessage::Left(Left { name, .. }) if *name == last),
    );

    // Wait until the server has noticed every close: the counts come back
    // down, one probe round trip per look.
    let deadline = Instant::now() + DEADLINE;
    loop {
        let now = (threads(pid), open_fds(pid));
        if now == before {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "(threads, fds) stayed at {now:?}, started at {before:?}"
        );
        probe.list();
    }
    assert_eq!(probe.list(), ["Probe"]);
}
