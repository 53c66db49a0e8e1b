//! Rooms, end to end (contract §8): a real server, raw clients that read
//! every message, and real `chat-client`s for what a person sees.
//!
//! Each rule of the section has a test named after it: everyone starts in
//! `lobby`; `ROOM_JOIN` creates, confirms and notifies; asking for the room
//! one is in tells nobody; moving sends `ROOM_LEAVE` to the old room; rooms
//! go with their last member, except `lobby`; `ROOM_LIST` is `lobby` first,
//! then by name; names follow the user-name rules and ignore ASCII case; a
//! room's text and files stay in it and carry `room`; private ones cross
//! rooms without it; presence crosses rooms; `--max-rooms`; the console's
//! room commands; and the client's `/join`, `/rooms`, `/who`.

mod common;

use common::raw::Raw;
use common::rooms::{enter, enter_and_replay, expect_none, expect_text, join, rooms, say};
use common::{Server, files};
use socket_chat::base64;
use socket_chat::crypto::sha256;
use socket_chat::message::client::{FileOffer, RoomJoin, Text};
use socket_chat::message::server::{FileOffer as RelayedOffer, Joined, Left, RoomNotice};
use socket_chat::message::{ClientMessage, ErrorCode, FileChunk, FileComplete, ServerMessage};

fn is_room_notice(m: &ServerMessage) -> bool {
    matches!(
        m,
        ServerMessage::RoomEntered(_) | ServerMessage::RoomLeft(_) | ServerMessage::RoomWelcome(_)
    )
}

#[test]
fn everyone_enters_the_lobby_and_the_welcome_says_so() {
    let server = Server::start(&[]);
    let mut alice = Raw::connect(server.port);
    alice
        .send_body(br#"{"type": "USER_JOIN", "data": "Alice", "metadata": {}}"#)
        .expect("send");
    let welcome = alice.expect("welcome", |m| matches!(m, ServerMessage::Welcome(_)));
    let ServerMessage::Welcome(welcome) = welcome else {
        unreachable!()
    };
    assert_eq!(welcome.room.as_deref(), Some("lobby"));
    // The welcome into the lobby is a room entered: its replay follows,
    // empty on a new server.
    let (replayed, end) = common::rooms::replay(&mut alice);
    assert!(replayed.is_empty());
    assert_eq!((end.room.as_str(), end.count), ("lobby", 0));
    let (mut bob, _) = join(server.port, "Bob");
    assert_eq!(rooms(&mut bob), [("lobby".to_string(), 2)]);
    // Joining the server is USER_JOIN alone, in every room: no ROOM_JOIN.
    alice.expect(
        "Bob's USER_JOIN",
        |m| matches!(m, ServerMessage::Joined(Joined { name, .. }) if name == "Bob"),
    );
    expect_none(&mut alice, "room notice", is_room_notice);
}

#[test]
fn room_join_creates_confirms_with_members_and_tells_both_rooms() {
    let server = Server::start(&[]);
    let (mut alice, _) = join(server.port, "Alice");
    let (mut bob, _) = join(server.port, "Bob");
    let (mut carol, _) = join(server.port, "Carol");

    let welcome = enter(&mut alice, "Python");
    assert_eq!(welcome.room, "Python");
    assert_eq!(welcome.members, ["Alice"]);
    for lobby in [&mut bob, &mut carol] {
        let left = lobby.expect("ROOM_LEAVE", |m| matches!(m, ServerMessage::RoomLeft(_)));
        let ServerMessage::RoomLeft(RoomNotice {
            room,
            user,
            members,
            ..
        }) = left
        else {
            unreachable!()
        };
        assert_eq!(
            (room.as_str(), user.as_str(), members),
            ("lobby", "Alice", 2)
        );
    }

    // Another spelling is the same room, shown as its creator spelt it.
    let welcome = enter(&mut bob, "pYTHON");
    assert_eq!(welcome.room, "Python");
    assert_eq!(welcome.members, ["Alice", "Bob"]);
    let entered = alice.expect("ROOM_JOIN", |m| matches!(m, ServerMessage::RoomEntered(_)));
    assert_eq!(
        entered,
        ServerMessage::RoomEntered(RoomNotice {
            room: "Python".into(),
            user: "Bob".into(),
            members: 2,
            timestamp: match &entered {
                ServerMessage::RoomEntered(e) => e.timestamp,
                _ => unreachable!(),
            },
        })
    );
    let left = carol.expect(
        "Bob's ROOM_LEAVE",
        |m| matches!(m, ServerMessage::RoomLeft(l) if l.user == "Bob"),
    );
    assert!(matches!(
        left,
        ServerMessage::RoomLeft(RoomNotice { members: 1, .. })
    ));
    // Carol is in another room: she hears nothing of Python's comings.
    expect_none(&mut carol, "a ROOM_JOIN of Python", |m| {
        matches!(m, ServerMessage::RoomEntered(_))
    });
}

#[test]
fn asking_for_the_room_one_is_in_repeats_the_confirmation_and_tells_nobody() {
    let server = Server::start(&[]);
    let (mut alice, _) = join(server.port, "Alice");
    let (mut bob, _) = join(server.port, "Bob");
    enter_and_replay(&mut alice, "python");
    enter_and_replay(&mut bob, "python");
    alice.expect("Bob's ROOM_JOIN", |m| {
        matches!(m, ServerMessage::RoomEntered(_))
    });

    let again = enter(&mut bob, "PYTHON");
    assert_eq!(again.members, ["Alice", "Bob"]);
    // No notice, and no replay either: nothing was entered.
    expect_none(&mut alice, "a room notice", is_room_notice);
    expect_none(&mut bob, "a replay", |m| {
        matches!(m, ServerMessage::HistoryEnd(_))
    });
    let lobby = enter(&mut alice, "lobby");
    assert_eq!(lobby.members, ["Alice"]);
    let lobby_again = enter(&mut alice, "Lobby");
    assert_eq!(lobby_again.room, "lobby");
}

#[test]
fn a_rooms_text_stays_in_the_room_and_carries_its_name_and_seq() {
    let server = Server::start(&[]);
    let (mut alice, _) = join(server.port, "Alice");
    let (mut bob, _) = join(server.port, "Bob");
    let (mut carol, _) = join(server.port, "Carol");
    enter_and_replay(&mut alice, "python");
    enter_and_replay(&mut bob, "python");

    say(&mut alice, "in python");
    let got = expect_text(&mut bob, "in python");
    assert_eq!(got.sender, "Alice");
    assert_eq!(got.room.as_deref(), Some("python"));
    assert_eq!(got.seq, Some(1));
    assert!(!got.history && got.to.is_none());
    say(&mut carol, "in the lobby");
    expect_none(&mut carol, "an echo", |m| {
        matches!(m, ServerMessage::Chat(_))
    });
    expect_none(&mut alice, "the lobby's text", |m| {
        matches!(m, ServerMessage::Chat(_))
    });
    expect_none(&mut bob, "the lobby's text", |m| {
        matches!(m, ServerMessage::Chat(_))
    });
    expect_none(
        &mut carol,
        "python's text",
        |m| matches!(m, ServerMessage::Chat(c) if c.text == "in python"),
    );
}

#[test]
fn private_text_crosses_rooms_and_carries_no_room() {
    let server = Server::start(&[]);
    let (mut alice, _) = join(server.port, "Alice");
    let (mut carol, _) = join(server.port, "Carol");
    enter_and_replay(&mut alice, "python");
    alice.send(&ClientMessage::Text(Text {
        text: "psst".into(),
        to: Some("carol".into()),
    }));
    let got = expect_text(&mut carol, "psst");
    assert_eq!(got.to.as_deref(), Some("Carol"));
    assert_eq!((got.room, got.seq, got.history), (None, None, false));
}

/// A small file, sent the way a well-behaved client sends one.
fn send_file(raw: &mut Raw, id: &str, name: &str, content: &[u8], to: Option<&str>) {
    raw.send(&ClientMessage::FileOffer(FileOffer {
        name: name.into(),
        transfer_id: id.into(),
        size: content.len() as u64,
        to: to.map(str::to_string),
    }));
    raw.send(&ClientMessage::FileChunk(FileChunk {
        transfer_id: id.into(),
        index: 0,
        data: base64::encode(content),
    }));
    raw.send(&ClientMessage::FileComplete(FileComplete {
        name: name.into(),
        transfer_id: id.into(),
        size: content.len() as u64,
        sha256: sha256::to_hex(&sha256::digest(content)),
    }));
}

fn expect_offer(raw: &mut Raw, name: &str) -> RelayedOffer {
    match raw.expect(
        &format!("the FILE {name}"),
        |m| matches!(m, ServerMessage::FileOffer(o) if o.name == name),
    ) {
        ServerMessage::FileOffer(offer) => offer,
        _ => unreachable!(),
    }
}

#[test]
fn a_rooms_files_stay_in_the_room_and_private_files_cross_rooms() {
    let server = Server::start(&[]);
    let (mut alice, _) = join(server.port, "Alice");
    let (mut bob, _) = join(server.port, "Bob");
    let (mut carol, _) = join(server.port, "Carol");
    enter_and_replay(&mut alice, "python");
    enter_and_replay(&mut bob, "python");

    send_file(&mut alice, "1", "notes.txt", b"for the room", None);
    let offer = expect_offer(&mut bob, "notes.txt");
    assert_eq!(offer.room.as_deref(), Some("python"));
    assert_eq!((offer.sender.as_str(), offer.to), ("Alice", None));
    bob.expect("the end of notes.txt", |m| {
        matches!(m, ServerMessage::FileComplete(_))
    });
    expect_none(&mut carol, "python's file", |m| {
        matches!(m, ServerMessage::FileOffer(_) | ServerMessage::FileChunk(_))
    });

    send_file(&mut alice, "2", "secret.txt", b"for Carol", Some("Carol"));
    let offer = expect_offer(&mut carol, "secret.txt");
    assert_eq!((offer.to.as_deref(), offer.room), (Some("Carol"), None));
    carol.expect("the end of secret.txt", |m| {
        matches!(m, ServerMessage::FileComplete(_))
    });
    expect_none(
        &mut bob,
        "Carol's file",
        |m| matches!(m, ServerMessage::FileOffer(o) if o.name == "secret.txt"),
    );
}

#[test]
fn arrivals_and_departures_reach_every_room_and_leaving_is_user_leave_alone() {
    let server = Server::start(&[]);
    let (mut alice, _) = join(server.port, "Alice");
    let (mut bob, _) = join(server.port, "Bob");
    enter_and_replay(&mut alice, "python");
    enter_and_replay(&mut bob, "python");
    alice.expect("Bob's ROOM_JOIN", |m| {
        matches!(m, ServerMessage::RoomEntered(_))
    });

    let (mut carol, _) = join(server.port, "Carol");
    for raw in [&mut alice, &mut bob] {
        raw.expect(
            "Carol's USER_JOIN",
            |m| matches!(m, ServerMessage::Joined(j) if j.name == "Carol" && j.online == 3),
        );
    }
    bob.send(&ClientMessage::Leave(socket_chat::message::client::Leave {
        name: "Bob".into(),
    }));
    for raw in [&mut alice, &mut carol] {
        raw.expect(
            "Bob's USER_LEAVE",
            |m| matches!(m, ServerMessage::Left(Left { name, online: 2, .. }) if name == "Bob"),
        );
    }
    expect_none(&mut alice, "a ROOM_LEAVE for a departure", |m| {
        matches!(m, ServerMessage::RoomLeft(_))
    });
    assert_eq!(
        rooms(&mut carol),
        [("lobby".to_string(), 1), ("python".to_string(), 1)]
    );
}

#[test]
fn a_room_goes_with_its_last_member_but_the_lobby_stays() {
    let server = Server::start(&[]);
    let (mut alice, _) = join(server.port, "Alice");
    let (mut bob, _) = join(server.port, "Bob");
    enter_and_replay(&mut alice, "x");
    enter_and_replay(&mut bob, "y");
    assert_eq!(
        rooms(&mut alice),
        [
            ("lobby".to_string(), 0),
            ("x".to_string(), 1),
            ("y".to_string(), 1)
        ]
    );
    // Alice moves on: x is gone. Bob leaves the server: y is gone.
    enter_and_replay(&mut alice, "lobby");
    bob.close();
    alice.expect("Bob's USER_LEAVE", |m| matches!(m, ServerMessage::Left(_)));
    assert_eq!(rooms(&mut alice), [("lobby".to_string(), 1)]);
    // With Alice gone too, the lobby is still there, for Dave alone.
    let (mut dave, _) = join(server.port, "Dave");
    alice.close();
    dave.expect("Alice's USER_LEAVE", |m| {
        matches!(m, ServerMessage::Left(_))
    });
    assert_eq!(rooms(&mut dave), [("lobby".to_string(), 1)]);
}

#[test]
fn the_room_list_is_lobby_first_then_by_name_ignoring_case() {
    let server = Server::start(&[]);
    let mut clients = Vec::new();
    for (name, room) in [("A", "zeta"), ("B", "Alpha"), ("C", "beta"), ("D", "alpha")] {
        let (mut raw, _) = join(server.port, name);
        enter_and_replay(&mut raw, room);
        clients.push(raw);
    }
    assert_eq!(
        rooms(&mut clients[0]),
        [
            ("lobby".to_string(), 0),
            ("Alpha".to_string(), 2),
            ("beta".to_string(), 1),
            ("zeta".to_string(), 1)
        ]
    );
}

#[test]
fn room_names_that_differ_in_case_or_by_full_width_letters_are_one_room() {
    let server = Server::start(&[]);
    let (mut alice, _) = join(server.port, "Alice");
    let (mut bob, _) = join(server.port, "Bob");
    let (mut carol, _) = join(server.port, "Carol");
    enter_and_replay(&mut alice, "Rust");
    assert_eq!(enter_and_replay(&mut bob, "RUST").0.room, "Rust");
    assert_eq!(enter_and_replay(&mut carol, "ｒｕｓｔ").0.room, "Rust");
    say(&mut carol, "one room");
    for raw in [&mut alice, &mut bob] {
        assert_eq!(expect_text(raw, "one room").room.as_deref(), Some("Rust"));
    }
}

#[test]
fn bad_room_names_get_name_invalid_and_the_connection_stays_open() {
    let server = Server::start(&[]);
    let (mut alice, _) = join(server.port, "Alice");
    let (mut bob, _) = join(server.port, "Bob");
    let long = "x".repeat(33);
    for name in [
        "",
        "#python",
        "two words",
        long.as_str(),
        "evil\u{202e}gpj",
        "bell\u{7}",
        "server",
        "ｓｅｒｖｅｒ",
        "/etc",
        "@bob",
        "zero\u{200b}width",
    ] {
        alice.send(&ClientMessage::RoomJoin(RoomJoin { name: name.into() }));
        alice.expect_error(ErrorCode::NameInvalid);
    }
    // Still connected, still in the lobby: Bob hears her there.
    assert_eq!(alice.list(), ["Alice", "Bob"]);
    say(&mut alice, "still here");
    assert_eq!(
        expect_text(&mut bob, "still here").room.as_deref(),
        Some("lobby")
    );
    expect_none(&mut bob, "a room notice", is_room_notice);
}

#[test]
fn more_rooms_than_the_limit_get_room_limit_and_nobody_moves() {
    let server = Server::start(&["--max-rooms", "2"]);
    let (mut alice, _) = join(server.port, "Alice");
    let (mut bob, _) = join(server.port, "Bob");
    let (mut carol, _) = join(server.port, "Carol");
    enter_and_replay(&mut alice, "a");
    bob.send(&ClientMessage::RoomJoin(RoomJoin { name: "b".into() }));
    let text = bob.expect_error(ErrorCode::RoomLimit);
    assert!(text.contains("2 rooms"), "{text}");
    // Bob is where he was: in the lobby with Carol.
    say(&mut bob, "still in the lobby");
    assert_eq!(
        expect_text(&mut carol, "still in the lobby")
            .room
            .as_deref(),
        Some("lobby")
    );
    // An existing room is no new room: Bob may go to Alice's.
    assert_eq!(enter_and_replay(&mut bob, "A").0.members, ["Alice", "Bob"]);
    // Alice leaves for a new room, but a is not empty: refused...
    alice.send(&ClientMessage::RoomJoin(RoomJoin { name: "c".into() }));
    alice.expect_error(ErrorCode::RoomLimit);
    // ...while Bob, a's last member once Alice is back in the lobby, may
    // trade a for c: the count stays at two.
    enter_and_replay(&mut alice, "lobby");
    assert_eq!(enter_and_replay(&mut bob, "c").0.members, ["Bob"]);
    assert_eq!(
        rooms(&mut carol),
        [("lobby".to_string(), 2), ("c".to_string(), 1)]
    );
}

#[test]
fn the_console_speaks_to_a_room_or_to_everyone_and_lists_rooms() {
    let mut server = Server::start(&[]);
    let (mut alice, _) = join(server.port, "Alice");
    let (mut bob, _) = join(server.port, "Bob");
    enter_and_replay(&mut alice, "python");
    say(&mut alice, "first");
    server.expect("Alice to #python: first");

    server.send("/msg #PYTHON Meeting at noon");
    server.expect("Sent to #python (1 member), seq 2.");
    let got = expect_text(&mut alice, "Meeting at noon");
    assert_eq!(got.sender, "server");
    assert_eq!((got.room.as_deref(), got.seq), (Some("python"), Some(2)));
    expect_none(&mut bob, "python's text", |m| {
        matches!(m, ServerMessage::Chat(_))
    });

    server.send("/msg Maintenance in 5 minutes");
    for raw in [&mut alice, &mut bob] {
        let got = expect_text(raw, "Maintenance in 5 minutes");
        assert_eq!((got.room, got.seq), (None, None));
    }

    server.send("/msg #nowhere hello");
    server.expect("There is no room #nowhere");
    server.send("/rooms");
    server.expect("Rooms (2):");
    server.expect("  #lobby (1): Bob");
    server.expect("  #python (1): Alice");
    server.send("/list");
    server.expect("  1. Alice (127.0.0.1:");
    let line = server.expect("  2. Bob (127.0.0.1:");
    assert!(line.ends_with(" in #lobby"), "{line}");

    // The console's room text is in the room's history: a newcomer to
    // python is replayed both.
    let (_, replayed) = enter_and_replay(&mut bob, "python");
    let texts: Vec<_> = replayed.iter().map(|c| (c.seq, c.text.as_str())).collect();
    assert_eq!(texts, [(Some(1), "first"), (Some(2), "Meeting at noon")]);
}

#[test]
fn the_console_sends_a_file_to_a_room() {
    let mut server = Server::start(&[]);
    let (mut alice, _) = join(server.port, "Alice");
    let (mut bob, _) = join(server.port, "Bob");
    enter_and_replay(&mut alice, "python");
    files::write_file(&server.path("files/server/agenda.txt"), b"1. rooms\n");
    server.send("/send #python agenda.txt");
    server.expect("Sending agenda.txt (9 bytes) to #python...");
    let offer = expect_offer(&mut alice, "agenda.txt");
    assert_eq!(offer.room.as_deref(), Some("python"));
    assert_eq!(offer.sender, "server");
    server.expect("Sent agenda.txt (9 bytes) to #python");
    expect_none(&mut bob, "python's file", |m| {
        matches!(m, ServerMessage::FileOffer(_))
    });
    server.send("/send #nowhere agenda.txt");
    server.expect("There is no room #nowhere");
}

#[test]
fn the_client_joins_lists_and_shows_its_room() {
    let server = Server::start(&[]);
    let mut alice = server.join("Alice");
    alice.expect("You are in #lobby.");
    let mut bob = server.join("Bob");
    alice.expect("* Bob joined the chat (2 online)");

    alice.send("/join #python");
    alice.expect("You are in #python (1): Alice");
    bob.expect("* Alice left #lobby for another room (1 here)");
    bob.send("/join python");
    bob.expect("You are in #python (2): Alice, Bob");
    alice.expect("* Bob came into #python (2 here)");
    alice.send("/who");
    alice.expect("You are in #python (2): Alice, Bob");
    bob.expect_none("came into");

    let mut carol = server.join("Carol");
    alice.send("only for python");
    bob.expect("Alice: only for python");
    carol.send("/rooms");
    carol.expect("Rooms (2): #lobby (1), #python (2)");
    carol.expect_none("only for python");

    alice.send("/join #");
    alice.expect("Usage: /join #ROOM");
    alice.send("/join ##x");
    alice.expect("The room name \"#x\" cannot be used: a name cannot start with '#'.");
}

#[test]
fn the_client_shows_the_servers_room_errors() {
    let server = Server::start(&["--max-rooms", "1"]);
    let mut alice = server.join("Alice");
    alice.send("/join #elsewhere");
    alice.expect("[error] This server allows 1 room at once");
    alice.send("/who");
    alice.expect("You are in #lobby (1): Alice");
}
