//! End-to-end chat between real client processes through a real server.

mod common;

use common::{Server, Stream};

#[test]
fn broadcast_reaches_everyone_else_but_not_the_sender() {
    let server = Server::start(&[]);
    let mut alice = server.join("Alice");
    let mut bob = server.join("Bob");
    let mut carol = server.join("Carol");
    alice.send("Hello, everyone!");
    bob.expect("Alice: Hello, everyone!");
    carol.expect("Alice: Hello, everyone!");
    alice.expect_none("Hello, everyone!");
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
    alice.send("/msg @Bob just for you");
    bob.expect("Alice: [private] just for you");
    carol.expect_none("just for you");
    alice.expect_none("just for you");
}

#[test]
fn private_message_target_ignores_ascii_case() {
    let server = Server::start(&[]);
    let mut alice = server.join("Alice");
    let mut bob = server.join("Bob");
    alice.send("/msg @bOB hello");
    bob.expect("Alice: [private] hello");
}

#[test]
fn unknown_private_target_is_an_error_to_the_sender_only() {
    let server = Server::start(&[]);
    let mut alice = server.join("Alice");
    let mut bob = server.join("Bob");
    alice.send("/msg @Nobody are you there");
    alice.expect("[error] No user named \"Nobody\" is online.");
    bob.expect_none("are you there");
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
