//! End-to-end chat between real client processes through a real server.

mod common;

use common::{Server, Stream};

/// The server does not echo a text to its sender: the line Alice sees is
/// her client's own confirmation, so she sees it once.
#[test]
fn broadcast_reaches_everyone_else_and_the_sender_sees_it_once() {
    let server = Server::start(&[]);
    let mut alice = server.join("Alice");
    let mut bob = server.join("Bob");
    let mut carol = server.join("Carol");
    alice.send("Hello, everyone!");
    bob.expect("Alice: Hello, everyone!");
    carol.expect("Alice: Hello, everyone!");
    alice.proc.expect_once("Alice: Hello, everyone!");
}

/// After Enter, your own message looks as everyone else sees it, with
/// your clock's time.
#[test]
fn your_own_message_appears_as_the_others_see_it() {
    let server = Server::start(&[]);
    let mut alice = server.join("Alice");
    let mut bob = server.join("Bob");
    alice.send("Hello Bob!");
    let own = alice.expect("Alice: Hello Bob!");
    let seen = bob.expect("Alice: Hello Bob!");
    assert_eq!(own.len(), seen.len(), "{own} / {seen}");
    assert_eq!(&own[10..], &seen[10..]);
    let bytes = own.as_bytes();
    assert_eq!(
        (bytes[0], bytes[3], bytes[6], bytes[9]),
        (b'[', b':', b':', b']'),
        "{own}"
    );
}

#[test]
fn chat_lines_carry_the_time_and_sender_like_the_original() {
    let server = Server::start(&[]);
    let mut alice = server.join("Alice");
    let mut bob = server.join("Bob");
    alice.send("Hello Bob!");
    let line = bob.expect("Alice: Hello Bob!");
    // "[14:30:25] Alice: Hello Bob!"
    let bytes = line.as_bytes();
    assert_eq!(line.len(), "[14:30:25] Alice: Hello Bob!".len(), "{line}");
    assert_eq!(
        (bytes[0], bytes[3], bytes[6], bytes[9]),
        (b'[', b':', b':', b']'),
        "{line}"
    );
}

#[test]
fn private_message_reaches_only_its_target() {
    let server = Server::start(&[]);
    let mut alice = server.join("Alice");
    let mut bob = server.join("Bob");
    let mut carol = server.join("Carol");
    // Alice's client checks the name against who it has heard is online,
    // as she does on her screen.
    alice.expect("* Carol joined");
    alice.send("/msg @Bob just for you");
    bob.expect("Alice: [private] just for you");
    carol.expect_none("just for you");
    let own = alice.proc.expect_once("just for you");
    assert!(own.ends_with("] → Bob: just for you"), "{own}");
}

/// A private message to yourself is delivered like any other: the
/// confirmation, then the message itself.
#[test]
fn a_private_message_to_yourself_is_confirmed_and_delivered() {
    let server = Server::start(&[]);
    let mut alice = server.join("Alice");
    alice.send("/msg @Alice psst");
    alice.expect("→ Alice: psst");
    alice.expect("Alice: [private] psst");
}

#[test]
fn private_message_target_ignores_ascii_case() {
    let server = Server::start(&[]);
    let mut alice = server.join("Alice");
    let mut bob = server.join("Bob");
    alice.expect("* Bob joined");
    alice.send("/msg @bOB hello");
    bob.expect("Alice: [private] hello");
    // The confirmation spells the name as the server does.
    alice.expect("→ Bob: hello");
}

#[test]
fn unknown_private_target_is_an_error_to_the_sender_only() {
    let server = Server::start(&[]);
    let mut alice = server.join("Alice");
    let mut bob = server.join("Bob");
    alice.send("/msg @Nobody are you there");
    alice.expect("[error] No user named \"Nobody\" is online.");
    bob.expect_none("are you there");
    alice.expect_none("are you there");
}

/// The client knows who is online and how long a text may be (the server's
/// welcome says), so it refuses what the server would refuse: the reason
/// replaces the confirmation, and nothing is sent, as its trace shows.
#[test]
fn refusals_the_server_would_make_are_made_before_sending() {
    let server = Server::start(&["--max-text", "10"]);
    let mut bob = server.join("Bob");
    let mut alice = server.join_with("Alice", &["--trace"]);
    alice.send("/msg @Nobody hi");
    alice.expect("[error] No user named \"Nobody\" is online.");
    alice.send("eleven byte");
    alice.expect("[error] Your message is 11 bytes long; the limit is 10. It was not sent.");
    // Ten bytes are fine, and the confirmation comes only now.
    alice.send("ten bytes!");
    alice.expect("Alice: ten bytes!");
    bob.expect("Alice: ten bytes!");
    for needle in ["Nobody", "eleven"] {
        alice.proc.expect_none_err(needle);
        alice.expect_none(&format!(": {needle}"));
    }
    bob.expect_none("eleven");
}

/// Whoever the client thinks is online, the server decides: a refusal that
/// comes back after the confirmation is still shown. A stand-in server
/// welcomes Alice with Bob in the room, then refuses her message to Bob as
/// if he had just left.
#[test]
fn a_refusal_from_the_server_after_the_confirmation_is_shown() {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut alice = common::Client::start(port, &["--name", "Alice"]);
    let (mut socket, _) = listener.accept().unwrap();
    socket.set_read_timeout(Some(common::DEADLINE)).unwrap();
    let mut writer = socket.try_clone().unwrap();
    let mut read_body = || {
        let mut length = [0; 4];
        socket.read_exact(&mut length).unwrap();
        let mut body = vec![0; u32::from_be_bytes(length) as usize];
        socket.read_exact(&mut body).unwrap();
        String::from_utf8(body).unwrap()
    };
    let mut send_body = |body: &str| {
        let length = u32::try_from(body.len()).unwrap().to_be_bytes();
        writer
            .write_all(&[&length[..], body.as_bytes()].concat())
            .unwrap();
    };
    assert!(read_body().contains(r#""USER_JOIN""#));
    send_body(
        r#"{"type": "USER_JOIN", "data": "Alice", "metadata": {"self": true, "users": ["Bob", "Alice"], "timestamp": 0}}"#,
    );
    alice.expect("Online (2): Bob, Alice");
    alice.send("/msg @Bob are you there");
    alice.expect("→ Bob: are you there");
    let text = read_body();
    assert!(text.contains(r#""to": "Bob""#), "{text}");
    send_body(
        r#"{"type": "ERROR", "data": "No user named \"Bob\" is online.", "metadata": {"code": "unknown_user"}}"#,
    );
    alice.expect("[error] No user named \"Bob\" is online.");
}

#[test]
fn join_and_leave_notices_with_the_number_online() {
    let server = Server::start(&[]);
    let mut alice = server.join("Alice");
    let mut bob = server.join("Bob");
    alice.expect("* Bob joined the chat (2 online)");
    bob.send("/quit");
    bob.expect("You left the chat.");
    assert!(bob.proc.wait_exit().success());
    alice.expect("* Bob left (1 online)");
}

#[test]
fn a_killed_client_is_announced_as_disconnected() {
    let server = Server::start(&[]);
    let mut alice = server.join("Alice");
    let mut bob = server.join("Bob");
    alice.expect("* Bob joined");
    bob.proc.kill();
    alice.expect("* Bob disconnected (1 online)");
}

#[test]
fn end_of_input_leaves_politely() {
    let server = Server::start(&[]);
    let mut alice = server.join("Alice");
    let mut bob = server.join("Bob");
    bob.proc.close_stdin();
    assert!(bob.proc.wait_exit().success());
    alice.expect("* Bob left (1 online)");
}

#[test]
fn welcome_lists_who_is_online() {
    let server = Server::start(&[]);
    let _alice = server.join("Alice");
    let mut bob = server.join("Bob");
    bob.expect("Online (2): Alice, Bob");
}

#[test]
fn list_command_asks_the_server() {
    let server = Server::start(&[]);
    let mut alice = server.join("Alice");
    let _bob = server.join("Bob");
    alice.expect("* Bob joined");
    alice.send("/list");
    alice.expect("Online (2): Alice, Bob");
}

#[test]
fn duplicate_name_from_the_command_line_exits_with_status_2() {
    let server = Server::start(&[]);
    let _alice = server.join("Alice");
    let mut twin = server.client(&["--name", "alice"]);
    twin.proc.expect_err("is already in use");
    assert_eq!(twin.proc.wait_exit().code(), Some(2));
}

#[test]
fn invalid_names_are_refused_with_a_reason() {
    let server = Server::start(&[]);
    for (name, why) in [
        ("server", "reserved"),
        ("@bob", "cannot start with '@'"),
        ("has space", "cannot contain spaces"),
        (&"x".repeat(33), "at most 32 characters"),
    ] {
        let mut client = server.client(&["--name", name]);
        client.proc.expect_err(why);
        assert_eq!(client.proc.wait_exit().code(), Some(2), "{name}");
    }
}

#[test]
fn a_prompted_name_that_is_taken_is_asked_for_again() {
    let server = Server::start(&[]);
    let _alice = server.join("Alice");
    let mut client = server.client(&[]);
    client.send("Alice");
    client.proc.expect_err("is already in use");
    client.send("Alice2");
    client.expect("as Alice2.");
}

#[test]
fn chinese_and_emoji_arrive_intact() {
    let server = Server::start(&[]);
    let mut alice = server.join("张伟");
    let mut bob = server.join("Bob");
    alice.send("你好，世界 😀👍🏽 naïve");
    bob.expect("张伟: 你好，世界 😀👍🏽 naïve");
}

#[test]
fn unknown_commands_and_empty_lines_are_not_sent() {
    let server = Server::start(&[]);
    let mut alice = server.join("Alice");
    let mut bob = server.join("Bob");
    alice.send("/shout hi");
    alice.expect("Unknown command /shout");
    alice.send("");
    alice.send("   ");
    alice.send("after");
    let line = bob.expect("Alice:");
    assert!(line.ends_with("Alice: after"), "{line}");
}

#[test]
fn help_lists_the_commands() {
    let server = Server::start(&[]);
    let mut alice = server.join("Alice");
    alice.send("/help");
    alice.expect("/msg @NAME TEXT");
    alice.expect("/quit");
}

#[test]
fn no_server_running_is_one_clear_line_and_status_1() {
    // Bind a port and drop it, so nothing listens there.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let mut client = common::Client::start(port, &["--name", "Alice"]);
    client
        .proc
        .expect_err("Cannot connect to the chat server at 127.0.0.1:");
    assert_eq!(client.proc.wait_exit().code(), Some(1));
    assert!(
        !client
            .proc
            .history
            .iter()
            .any(|(_, l)| l.contains("panicked")),
        "{}",
        client.proc.transcript()
    );
}

#[test]
fn a_killed_server_ends_clients_with_status_1() {
    let mut server = Server::start(&[]);
    let mut alice = server.join("Alice");
    server.proc.kill();
    alice.proc.expect_err("Connection to the server lost.");
    assert_eq!(alice.proc.wait_exit().code(), Some(1));
    let errs = alice
        .proc
        .history
        .iter()
        .filter(|(s, _)| *s == Stream::Err)
        .count();
    assert_eq!(errs, 1, "{}", alice.proc.transcript());
}

#[test]
fn a_real_client_answers_pings_and_is_never_timed_out() {
    // With a one-second heartbeat, a quiet client is pinged every second
    // and would be dropped after two without an answer. Its trace shows
    // each PING arrive and its PONG leave; three rounds outlast the
    // deadline, and the client is still in the room.
    let server = Server::start(&["--heartbeat", "1"]);
    let mut quiet = server.client(&["--name", "Quiet", "--trace"]);
    quiet.expect("as Quiet.");
    for _ in 0..3 {
        quiet
            .proc
            .expect_where(Stream::Err, "a PING arriving", |l| {
                l.starts_with("[trace] <- ") && l.contains(r#""type": "PING""#)
            });
        quiet.proc.expect_where(Stream::Err, "a PONG leaving", |l| {
            l.starts_with("[trace] -> ") && l.contains(r#""type": "PONG""#)
        });
    }
    let mut other = server.join("Other");
    other.send("/list");
    other.expect("Online (2): Quiet, Other");
    other.expect_none("timed out");
}

/// Ctrl-C sends SIGINT; the server dies at once, without a goodbye, and its
/// clients say so in one clear line.
#[cfg(unix)]
#[test]
fn ctrl_c_on_the_server_leaves_clients_a_clear_line() {
    let mut server = Server::start(&[]);
    let mut alice = server.join("Alice");
    let status = std::process::Command::new("kill")
        .args(["-INT", &server.proc.pid().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success());
    assert!(!server.proc.wait_exit().success());
    alice.proc.expect_err("Connection to the server lost.");
    assert_eq!(alice.proc.wait_exit().code(), Some(1));
}
