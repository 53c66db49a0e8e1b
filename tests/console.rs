//! The server's admin console, driven through its stdin, and the programs'
//! command lines.

mod common;

use common::files::{assert_same_bytes, saved_path, write_file};
use common::{Server, run_to_end};
use std::path::Path;

#[test]
fn msg_broadcasts_from_server() {
    let mut server = Server::start(&[]);
    let mut alice = server.join("Alice");
    let mut bob = server.join("Bob");
    server.send("/msg Maintenance in 5 minutes, save your work");
    server.expect("Sent to everyone (2 online).");
    alice.expect("server: Maintenance in 5 minutes, save your work");
    bob.expect("server: Maintenance in 5 minutes, save your work");
}

#[test]
fn msg_to_one_user_is_private() {
    let mut server = Server::start(&[]);
    let mut alice = server.join("Alice");
    let mut bob = server.join("Bob");
    server.send("/msg @Alice please check your settings");
    server.expect("Sent to Alice.");
    alice.expect("server: [private] please check your settings");
    bob.expect_none("please check your settings");
}

#[test]
fn msg_to_nobody_says_so() {
    let mut server = Server::start(&[]);
    server.send("/msg @Ghost boo");
    server.expect("No user named \"Ghost\" is online.");
}

#[test]
fn list_is_numbered_with_addresses() {
    let mut server = Server::start(&[]);
    server.send("/list");
    server.expect("No users online.");
    let _alice = server.join("Alice");
    let _bob = server.join("Bob");
    server.expect("Bob joined from");
    server.send("/list");
    server.expect("Online users (2):");
    let first = server.expect("  1. Alice (127.0.0.1:");
    let second = server.expect("  2. Bob (127.0.0.1:");
    assert!(
        first.ends_with(") in #lobby") && second.ends_with(") in #lobby"),
        "{first}\n{second}"
    );
}

#[test]
fn user_shows_details_and_message_count() {
    let mut server = Server::start(&[]);
    let mut alice = server.join("Alice");
    let mut bob = server.join("Bob");
    alice.send("one");
    alice.send("two");
    bob.expect("Alice: two");
    server.send("/user alice");
    server.expect("User Alice:");
    server.expect("IP address:  127.0.0.1");
    let port = server.expect("Port:");
    assert!(
        port.trim_start_matches("  Port:")
            .trim()
            .parse::<u16>()
            .is_ok(),
        "{port}"
    );
    server.expect("Status:      online");
    let since = server.expect("Connected:");
    // "  Connected:   2026-11-25 14:30:25"
    assert_eq!(
        since.trim_start_matches("  Connected:").trim().len(),
        19,
        "{since}"
    );
    server.expect("Messages:    2");
    server.send("/user Nobody");
    server.expect("No user named \"Nobody\" is online.");
}

#[test]
fn mistakes_get_a_hint_and_are_never_broadcast() {
    let mut server = Server::start(&[]);
    let mut alice = server.join("Alice");
    server.send("hello there");
    server.expect("Commands start with '/'");
    server.send("/shout hi");
    server.expect("Unknown command /shout");
    server.send("/msg");
    server.expect("Usage: /msg TEXT");
    server.send("/user");
    server.expect("Usage: /user NAME");
    alice.expect_none("hello there");
    alice.expect_none("shout");
}

#[test]
fn help_lists_every_command() {
    let mut server = Server::start(&[]);
    server.send("/help");
    for command in [
        "/msg TEXT",
        "/msg @NAME TEXT",
        "/send PATH",
        "/send @NAME PATH",
        "/list",
        "/user NAME",
        "/help",
        "/quit",
    ] {
        server.expect(command);
    }
}

/// A server that shuts down is a normal ending for its clients: a line
/// saying so, no error, and status 0 (so `make run-client` reports no
/// failure).
#[test]
fn quit_ends_every_client_with_status_0_and_one_line() {
    let mut server = Server::start(&[]);
    let mut alice = server.join("Alice");
    let mut bob = server.join("Bob");
    server.send("/quit");
    for client in [&mut alice, &mut bob] {
        client.expect("The server has shut down. Goodbye.");
        assert_eq!(client.proc.wait_exit().code(), Some(0));
        assert!(
            client.proc.stderr_lines().is_empty(),
            "{}",
            client.proc.transcript()
        );
        assert!(!client.proc.has_seen("Connection to the server lost"));
    }
    server.expect("Server stopped.");
    assert!(server.proc.wait_exit().success());
}

#[test]
fn end_of_console_input_keeps_the_server_running() {
    let mut server = Server::start(&[]);
    server.proc.close_stdin();
    let mut alice = server.join("Alice");
    let mut bob = server.join("Bob");
    alice.send("still here");
    bob.expect("Alice: still here");
}

#[test]
fn client_messages_are_logged_with_a_time() {
    let mut server = Server::start(&[]);
    let mut alice = server.join("Alice");
    let _bob = server.join("Bob");
    // Alice's client checks a private message's name against who it has
    // heard is online: Bob, once his join notice has arrived.
    alice.expect("* Bob joined");
    alice.send("for the log");
    let line = server.expect("Alice to #lobby: for the log");
    assert!(
        line.starts_with('[') && line.as_bytes()[9] == b']',
        "{line}"
    );
    alice.send("/msg @Bob secret");
    server.expect("Alice to Bob (private): secret");
}

#[test]
fn command_lines_help_version_and_mistakes() {
    for program in [
        env!("CARGO_BIN_EXE_chat-server"),
        env!("CARGO_BIN_EXE_chat-client"),
    ] {
        let program = Path::new(program);
        let help = run_to_end(program, &["--help"]);
        assert!(help.status.success());
        assert!(String::from_utf8_lossy(&help.stdout).contains("Usage:"));
        let version = run_to_end(program, &["--version"]);
        assert!(String::from_utf8_lossy(&version.stdout).contains(env!("CARGO_PKG_VERSION")));
        let bad = run_to_end(program, &["--bogus"]);
        assert_eq!(bad.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown option --bogus"));
        let bad_port = run_to_end(program, &["--port", "99999"]);
        assert_eq!(bad_port.status.code(), Some(2));
    }
}

#[test]
fn a_port_in_use_is_reported() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let out = run_to_end(
        Path::new(env!("CARGO_BIN_EXE_chat-server")),
        &["--port", &port, "--host", "127.0.0.1"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot listen on 127.0.0.1:"));
}

#[test]
fn kick_removes_a_user_and_tells_everyone() {
    let mut server = Server::start(&[]);
    let mut alice = server.join("Alice");
    let mut bob = server.join("Bob");
    alice.expect("* Bob joined");
    server.send("/kick bob");
    server.expect("Removed Bob from the chat.");
    // Being removed is an ending, not an error: a line saying why, status 0.
    bob.expect("You were removed from the chat by the server.");
    assert_eq!(bob.proc.wait_exit().code(), Some(0));
    assert!(
        bob.proc.stderr_lines().is_empty(),
        "{}",
        bob.proc.transcript()
    );
    alice.expect("* Bob was removed by the server (1 online)");
    server.send("/kick Bob");
    server.expect("No user named \"Bob\" is online.");
}

/// `files/server/` is the folder kept for the files the admin sends, so a
/// `/send notes.txt` that finds no `notes.txt` in the working directory
/// looks there, as the help says. A file in the working directory still
/// comes first, and a name found nowhere is reported as typed.
#[test]
fn send_finds_a_file_kept_in_files_server() {
    let mut server = Server::start(&[]);
    let mut bob = server.join("Bob");
    let kept = b"kept in files/server for the clients\n";
    write_file(&server.path("files/server/notes.txt"), kept);

    server.send("/send notes.txt");
    let line = bob.expect("[file] received notes.txt from server:");
    assert_same_bytes(&bob.path("").join(saved_path(&line)), kept);
    server.expect("Sent notes.txt (");

    let here = b"in the working directory\n";
    write_file(&server.path("notes.txt"), here);
    server.send("/send @Bob notes.txt");
    let line = bob.expect("[file] received notes.txt from server:");
    assert_eq!(
        saved_path(&line),
        Path::new("files/downloads/notes (1).txt")
    );
    assert_same_bytes(&bob.path("files/downloads/notes (1).txt"), here);

    server.send("/send missing.txt");
    server.expect("Cannot send missing.txt: no such file.");
    bob.expect_none("missing.txt");
}

/// With `--files DIR`, the kept folder is `DIR/server`.
#[test]
fn send_looks_in_the_server_folder_of_the_files_option() {
    let mut server = Server::start(&["--files", "store"]);
    let mut bob = server.join("Bob");
    let kept = b"kept in store/server\n";
    write_file(&server.path("store/server/report.txt"), kept);
    write_file(
        &server.path("files/server/other.txt"),
        b"not the kept folder",
    );

    server.send("/send report.txt");
    let line = bob.expect("[file] received report.txt from server:");
    assert_same_bytes(&bob.path("").join(saved_path(&line)), kept);
    server.send("/send other.txt");
    server.expect("Cannot send other.txt: no such file.");
}

/// Makes a named pipe at `path` with the system's `mkfifo`; false if this
/// system has none (the test then says it did not run that part).
#[cfg(unix)]
fn make_fifo(path: &Path) -> bool {
    let made = std::process::Command::new("mkfifo").arg(path).status();
    let ok = made.is_ok_and(|s| s.success());
    if !ok {
        eprintln!("mkfifo is not available: the FIFO case did not run");
    }
    ok
}

/// `/send` takes regular files only. A named pipe used to block the console
/// until someone opened it for writing (even `/list` went unanswered), and
/// `/dev/zero` was "sent" as an empty file. Each is refused with the
/// reason, nothing reaches the clients, and the console answers the next
/// command at once.
#[cfg(unix)]
#[test]
fn send_refuses_pipes_devices_and_folders_and_the_console_stays_responsive() {
    let mut server = Server::start(&[]);
    let mut alice = server.join("Alice");
    server.expect("Alice joined from");
    std::fs::create_dir(server.path("a folder")).expect("create a folder");
    let mut refusals = vec![
        ("/dev/zero", "it is a device, not a regular file"),
        ("\"a folder\"", "it is a folder, not a file"),
    ];
    if make_fifo(&server.path("pipe")) {
        refusals.push(("pipe", "it is a named pipe (FIFO), not a regular file"));
    }
    for (path, why) in refusals {
        server.send(&format!("/send {path}"));
        server.expect(&format!("Cannot send {}: {why}.", path.trim_matches('"')));
        server.send("/list");
        server.expect("Online users (1):");
        server.expect("  1. Alice (127.0.0.1:");
    }
    server.proc.expect_none("Sending ");
    alice.expect_none("[file]");
}
