//! Roles (contract §11) end to end: every admin action from an admin's
//! client and from the server's console, the same actions refused to
//! everyone else, mutes that end by themselves, and the log line that
//! names who did what.

mod common;

use common::Server;
use common::login::{join, log_in, register, wait_until};
use common::raw::Raw;
use socket_chat::message::client::{Admin, Text};
use socket_chat::message::server::AdminNotice;
use socket_chat::message::{AdminAction, ClientMessage, ErrorCode, ServerMessage};

/// A server where Alice is a registered admin and Carol a registered
/// member (neither online yet).
fn server_with_accounts(args: &[&str]) -> Server {
    let mut server = Server::start(args);
    let mut setup = Raw::connect(server.port);
    register(&mut setup, "Alice", "alice pw");
    register(&mut setup, "Carol", "carol pw");
    server.send("/role Alice admin");
    server.expect("Alice is now admin (was member).");
    server.expect("admin: server made Alice admin (was member)");
    server
}

#[test]
fn an_admin_mutes_unmutes_ops_deops_and_kicks_from_its_client() {
    let mut server = server_with_accounts(&[]);
    let mut alice = server.log_in("Alice", "alice pw");
    let mut bob = server.join("Bob");
    let mut carol = server.log_in("Carol", "carol pw");

    // Only the admin's help lists the admin commands.
    alice.send("/help");
    alice.expect("Admin commands:");
    alice.expect("/deop NAME");
    bob.send("/help");
    bob.expect("/quit");
    bob.expect_none("Admin commands");

    // Mute: Bob is told by whom and until when; what he sends goes nowhere.
    alice.send("/mute Bob 60");
    alice.expect("Muted Bob.");
    bob.expect("* Alice muted you until ");
    server.expect("admin: Alice muted Bob for 60 s");
    bob.send("anyone there?");
    bob.expect("[error] You are muted until");
    bob.send("/msg @Alice psst");
    bob.expect("[error] You are muted until");
    std::fs::write(bob.path("notes.txt"), "hello").unwrap();
    bob.send("/send notes.txt");
    bob.expect("You are muted until");
    alice.expect_none("anyone there?");
    alice.expect_none("psst");
    alice.expect_none("notes.txt");

    // Unmute: Bob speaks again.
    alice.send("/unmute Bob");
    alice.expect("Unmuted Bob.");
    bob.expect("* Alice lifted your mute.");
    server.expect("admin: Alice unmuted Bob");
    bob.send("back again");
    alice.expect("Bob: back again");

    // Op: Carol becomes an admin at once, and her help says so.
    alice.send("/op Carol");
    alice.expect("Carol is an admin now.");
    carol.expect("* Alice made you an admin");
    server.expect("admin: Alice made Carol admin (was member)");
    carol.send("/help");
    carol.expect("Admin commands:");

    // Deop: Carol takes Alice's rights away; Alice's next action is refused.
    carol.send("/deop Alice");
    carol.expect("Alice is a member now, not an admin.");
    alice.expect("* Carol made you a member");
    server.expect("admin: Carol made Alice member (was admin)");
    alice.send("/kick Bob");
    alice.expect("[error] Only an admin may kick");

    // Kick: Bob is told by whom, and everyone sees him go.
    carol.send("/kick Bob");
    carol.expect("Removed Bob from the chat.");
    bob.expect("You were removed from the chat by Carol.");
    alice.expect("* Bob was removed");
    server.expect("admin: Carol kicked Bob");
    // Being removed is an ending, not a failure.
    assert_eq!(bob.proc.wait_exit().code(), Some(0));

    // The roles were written to the accounts file.
    server.send("/accounts");
    server.expect("1. Alice (member), online");
    server.expect("2. Carol (admin), online");
}

#[test]
fn everyone_but_a_logged_in_admin_is_forbidden() {
    let mut server = server_with_accounts(&[]);
    let mut carol = server.log_in("Carol", "carol pw");
    let mut bob = server.join("Bob");
    for command in [
        "/kick Carol",
        "/mute Carol",
        "/unmute Carol",
        "/op Bob",
        "/deop Carol",
    ] {
        bob.send(command);
        bob.expect("[error] Only an admin may");
        carol.send(&command.replace("Carol", "Bob"));
        carol.expect("[error] Only an admin may");
    }
    server.expect("Bob is not an admin and may not kick Carol");
    carol.send("still here");
    bob.expect("Carol: still here");

    // A raw connection: ADMIN before joining is not allowed at all, and a
    // guest's ADMIN gets `forbidden` and changes nothing.
    let mut mallory = Raw::connect(server.port);
    mallory.send(&admin(AdminAction::Kick, "Carol", None));
    mallory.expect_error(ErrorCode::BadMessage);
    join(&mut mallory, "Mallory");
    mallory.send(&admin(AdminAction::Op, "Mallory", None));
    mallory.expect_error(ErrorCode::Forbidden);
    mallory.send(&admin(AdminAction::Kick, "Carol", None));
    mallory.expect_error(ErrorCode::Forbidden);
    carol.send("and still here");
    bob.expect("Carol: and still here");
}

fn admin(action: AdminAction, target: &str, seconds: Option<u64>) -> ClientMessage {
    ClientMessage::Admin(Admin {
        action,
        target: target.to_string(),
        seconds,
    })
}

fn text(words: &str) -> ClientMessage {
    ClientMessage::Text(Text {
        text: words.to_string(),
        to: None,
    })
}

#[test]
fn a_mute_ends_by_itself_when_its_time_is_up() {
    let mut server = Server::start(&[]);
    let mut alice = Raw::connect(server.port);
    join(&mut alice, "Alice");
    let mut bob = Raw::connect(server.port);
    join(&mut bob, "Bob");
    server.send("/mute Bob 1");
    server.expect("Muted Bob for 1 s, until");
    let notice = bob.expect("the notice", |m| matches!(m, ServerMessage::AdminNotice(_)));
    let ServerMessage::AdminNotice(AdminNotice { by, until, .. }) = notice else {
        unreachable!()
    };
    assert_eq!(by, "server");
    let until = until.expect("a mute says until when");
    bob.send(&text("muted words"));
    match bob.expect("ERROR muted", |m| matches!(m, ServerMessage::Error(_))) {
        ServerMessage::Error(report) => {
            assert_eq!(report.code, ErrorCode::Muted);
            assert_eq!(report.until, Some(until));
        }
        _ => unreachable!(),
    }
    // Wait, on the socket's own read timeout, until the mute has ended.
    wait_until(&mut bob, until);
    bob.send(&text("free words"));
    match alice.expect("Bob's text", |m| matches!(m, ServerMessage::Chat(_))) {
        ServerMessage::Chat(chat) => assert_eq!(chat.text, "free words"),
        _ => unreachable!(),
    }
}

#[test]
fn a_mute_belongs_to_the_name_not_the_connection() {
    let mut server = Server::start(&[]);
    server.send("/mute Bob 600");
    server.expect("Muted Bob for 600 s");
    let mut bob = Raw::connect(server.port);
    join(&mut bob, "bob");
    bob.send(&text("hello?"));
    bob.expect_error(ErrorCode::Muted);
    // Named as its owner spells it now.
    server.send("/unmute BOB");
    server.expect("Unmuted bob.");
    server.send("/unmute Bob");
    server.expect("Not done: bob is not muted.");
}

#[test]
fn the_console_lists_accounts_changes_roles_and_deletes_accounts() {
    let mut server = server_with_accounts(&[]);
    server.send("/accounts");
    server.expect("2 registered accounts:");
    server.expect("1. Alice (admin)");
    server.expect("2. Carol (member)");
    server.send("/role Carol admin");
    server.expect("Carol is now admin (was member).");
    server.send("/role Carol admin");
    server.expect("Carol is admin already.");
    server.send("/role Nobody admin");
    server.expect("Not done: no account is registered as \"Nobody\".");
    server.send("/role Carol king");
    server.expect("Usage: /role NAME admin|member");

    // Deleting an account whose owner is online removes the owner too.
    let mut carol = server.log_in("Carol", "carol pw");
    let mut bob = server.join("Bob");
    server.send("/deluser Carol");
    server.expect("Deleted the account Carol; the name is free again.");
    server.expect("admin: server deleted the account Carol");
    carol.expect("Your account was deleted by server, so you were removed");
    bob.expect("* Carol was removed");
    server.send("/deluser Carol");
    server.expect("Not done: no account is registered as \"Carol\".");
    // The name is free: a guest may take it.
    let _guest = server.join("Carol");

    // The console's kick is the same action as an admin's.
    server.send("/kick Bob");
    server.expect("Removed Bob from the chat.");
    server.expect("admin: server kicked Bob");
    bob.expect("You were removed from the chat by the server.");
}

#[test]
fn admin_actions_that_cannot_be_done_say_why() {
    let server = server_with_accounts(&[]);
    let mut alice = Raw::connect(server.port);
    log_in(&mut alice, "Alice", "alice pw");
    join(&mut alice, "Alice");
    let cases = [
        (
            admin(AdminAction::Kick, "Nobody", None),
            ErrorCode::UnknownUser,
        ),
        (
            admin(AdminAction::Op, "Nobody", None),
            ErrorCode::UnknownUser,
        ),
        (
            admin(AdminAction::Deop, "Nobody", None),
            ErrorCode::UnknownUser,
        ),
        (
            admin(AdminAction::Unmute, "Carol", None),
            ErrorCode::BadMessage,
        ),
        (
            admin(AdminAction::Mute, "Carol", Some(0)),
            ErrorCode::BadMessage,
        ),
        (
            admin(AdminAction::Mute, "Carol", Some(u64::MAX)),
            ErrorCode::BadMessage,
        ),
        (
            admin(AdminAction::Mute, "server", None),
            ErrorCode::NameInvalid,
        ),
        (
            admin(AdminAction::Mute, "a b", None),
            ErrorCode::NameInvalid,
        ),
    ];
    for (request, code) in cases {
        alice.send(&request);
        alice.expect_error(code);
    }
    // A done action is confirmed with the target's own spelling.
    alice.send(&admin(AdminAction::Mute, "carol", Some(5)));
    match alice.expect("ADMIN ok", |m| matches!(m, ServerMessage::AdminDone(_))) {
        ServerMessage::AdminDone(done) => {
            assert_eq!(done.action, AdminAction::Mute);
            assert_eq!(done.target, "Carol");
        }
        _ => unreachable!(),
    }
}
