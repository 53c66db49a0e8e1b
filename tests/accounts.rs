//! Registered names and logins (contract §10), end to end: real servers,
//! real clients typing passwords on standard input, and raw connections
//! that stop a login at any step.
//!
//! What is proved here: registering and logging in, a wrong password, the
//! lockout and its end, that a name nobody registered is answered exactly
//! like a registered one, `auth_required` followed by a login on the same
//! connection, guests and `--members-only`, changing a password, accounts
//! that survive `kill -9`, and an accounts file that holds the two
//! verifiers and nothing else derived from the password.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use common::login::{
    TEST_ITERATIONS, answer, expect_any_error, expect_auth, fail_login, join, join_refused, log_in,
    register, send_final, send_first, send_register, start_login, still_open, unix_now, verifier,
    wait_until,
};
use common::raw::Raw;
use common::{Client, Server};
use socket_chat::base64;
use socket_chat::crypto::scram::{ClientFirst, DEFAULT_ITERATIONS, Verifier};
use socket_chat::crypto::{hmac, pbkdf2, random, sha256};
use socket_chat::json::{self, Value};
use socket_chat::message::{ErrorCode, Message, Role, ServerMessage};

/// The iteration count every client in these tests registers with.
const ITERATIONS: &str = "4096";

/// A client that joins `name` as a guest, then registers it with
/// `password` (typed twice, as `/register` asks).
fn register_with_client(server: &Server, name: &str, password: &str) -> Client {
    let mut client = server.join_with(name, &["--iterations", ITERATIONS]);
    client.send("/register");
    client.send(password);
    client.send(password);
    client.expect(&format!("{name} is registered."));
    client
}

#[test]
fn a_guest_registers_its_name_and_logs_in_with_the_password_later() {
    let mut server = Server::start(&[]);
    let mut alice = register_with_client(&server, "Alice", "correct horse");
    server.expect("Alice registered from 127.0.0.1:");
    alice.send("/quit");
    alice.proc.wait_exit();

    // Joining the name now needs the password: the client asks for it.
    let mut alice = server.client(&["--name", "Alice"]);
    alice.expect("The name \"Alice\" is registered: log in with its password");
    alice.send("correct horse");
    alice.expect("Logged in as Alice (member).");
    alice.expect(&format!("Connected to 127.0.0.1:{} as Alice.", server.port));
    server.expect("Alice logged in from 127.0.0.1:");
    // A member's help has no admin commands.
    alice.send("/help");
    alice.expect("/passwd");
    alice.expect_none("Admin commands");
}

#[test]
fn a_wrong_password_is_refused_and_the_right_one_then_works_on_the_same_connection() {
    let mut server = Server::start(&[]);
    register_with_client(&server, "Alice", "s3cret").send("/quit");
    let mut alice = server.client(&["--name", "Alice"]);
    alice.send("guess");
    alice.expect("Wrong password.");
    server.expect("failed login as Alice from 127.0.0.1:");
    alice.send("s3cret");
    alice.expect(&format!("Connected to 127.0.0.1:{} as Alice.", server.port));
    // One connection did it all: one login failure, then one login.
    server.expect("Alice logged in from 127.0.0.1:");
    assert_eq!(
        server
            .proc
            .history
            .iter()
            .filter(|(_, l)| l.contains("must log in to join"))
            .count(),
        1
    );
}

#[test]
fn a_registered_name_without_a_login_gets_auth_required_and_can_log_in_on_the_same_connection() {
    let server = Server::start(&[]);
    let mut setup = Raw::connect(server.port);
    register(&mut setup, "Alice", "pw");

    let mut raw = Raw::connect(server.port);
    let why = join_refused(&mut raw, "Alice", ErrorCode::AuthRequired);
    assert!(why.contains("log in"), "{why}");
    // The connection is still open, and a login on it is enough to join.
    still_open(&mut raw);
    let done = log_in(&mut raw, "alice", "pw");
    assert_eq!(done.done, Some(Role::Member));
    let welcome = join(&mut raw, "ALICE");
    // Joined under the account's own spelling, as a member.
    assert_eq!(welcome.name, "Alice");
    assert_eq!(welcome.role, Some(Role::Member));
}

#[test]
fn a_guest_is_welcomed_as_a_guest_and_sees_the_file_rules() {
    let server = Server::start(&[]);
    let mut raw = Raw::connect(server.port);
    let welcome = join(&mut raw, "Bob");
    assert_eq!(welcome.role, Some(Role::Guest));
    let rules = welcome.file_types.expect("file_types in the welcome");
    assert!(rules.allow().is_empty() && rules.deny().is_empty());
}

#[test]
fn a_login_for_another_name_does_not_open_a_registered_one() {
    let server = Server::start(&[]);
    let mut setup = Raw::connect(server.port);
    register(&mut setup, "Alice", "alice's");
    register(&mut setup, "Bob", "bob's");

    let mut raw = Raw::connect(server.port);
    log_in(&mut raw, "Bob", "bob's");
    join_refused(&mut raw, "Alice", ErrorCode::AuthRequired);
    // Bob's login still stands for Bob.
    assert_eq!(join(&mut raw, "Bob").role, Some(Role::Member));
}

#[test]
fn five_failed_logins_lock_the_name_and_the_address_until_the_window_has_passed() {
    let mut server = Server::start(&["--lock-window", "2"]);
    let mut setup = Raw::connect(server.port);
    register(&mut setup, "Alice", "pw");

    let mut raw = Raw::connect(server.port);
    for _ in 0..5 {
        let error = fail_login(&mut raw, "Alice");
        assert_eq!(error.code, ErrorCode::AuthFailed, "{error:?}");
    }
    server.expect("too many failed logins: Alice or 127.0.0.1");
    // The sixth attempt is refused before any challenge, with the time it
    // may come again, even with the right password.
    let until = locked_until(&mut raw, "Alice");
    assert!(until > unix_now() - 1 && until <= unix_now() + 3, "{until}");
    // The address is locked too: another name from here is refused alike.
    locked_until(&mut raw, "Bob");
    server.expect("login as Alice from 127.0.0.1:");

    // Once the window has passed, the right password works again.
    wait_until(&mut raw, until);
    log_in(&mut raw, "Alice", "pw");
    assert_eq!(join(&mut raw, "Alice").role, Some(Role::Member));
}

/// Starts a login as `name` and expects `auth_locked`; returns its `until`.
fn locked_until(raw: &mut Raw, name: &str) -> i64 {
    send_first(raw, ClientFirst::new(name, "x").expect("random").message());
    let report = expect_any_error(raw);
    assert_eq!(report.code, ErrorCode::AuthLocked, "{report:?}");
    assert!(report.text.contains("Try again in"), "{}", report.text);
    report.until.expect("auth_locked says until when")
}

#[test]
fn a_name_nobody_registered_is_locked_like_a_registered_one() {
    let server = Server::start(&["--lock-window", "60"]);
    let mut raw = Raw::connect(server.port);
    for _ in 0..5 {
        assert_eq!(fail_login(&mut raw, "Nobody").code, ErrorCode::AuthFailed);
    }
    locked_until(&mut raw, "Nobody");
}

#[test]
fn the_server_waits_about_a_second_before_answering_a_wrong_proof() {
    let server = Server::start(&[]);
    let mut raw = Raw::connect(server.port);
    let (first, challenge) = start_login(&mut raw, "Alice", "wrong");
    answer(&mut raw, first, &challenge);
    let sent = Instant::now();
    assert_eq!(expect_any_error(&mut raw).code, ErrorCode::AuthFailed);
    assert!(
        sent.elapsed() >= Duration::from_millis(900),
        "{:?}",
        sent.elapsed()
    );
}

/// The failure delay is the server's own doing, so it does not count
/// against the client's time to join: two wrong passwords take two seconds
/// here, on a server whose deadline to join is two seconds, and the right
/// one after them still joins.
#[test]
fn the_deadline_to_join_allows_for_the_delays_after_wrong_passwords() {
    let server = Server::start(&["--heartbeat", "2"]);
    let mut setup = Raw::connect(server.port);
    register(&mut setup, "Alice", "pw");
    let mut raw = Raw::connect(server.port);
    for _ in 0..2 {
        assert_eq!(fail_login(&mut raw, "Alice").code, ErrorCode::AuthFailed);
    }
    log_in(&mut raw, "Alice", "pw");
    assert_eq!(join(&mut raw, "Alice").name, "Alice");
}

#[test]
fn a_login_never_finished_is_closed_at_the_deadline_to_join() {
    let server = Server::start(&["--heartbeat", "1"]);
    let mut raw = Raw::connect(server.port);
    let (_first, _challenge) = start_login(&mut raw, "Alice", "pw");
    raw.expect_error(ErrorCode::JoinTimeout);
    raw.expect_closed();
}

/// What a server-first message shows of a login, with the parts that must
/// differ (the nonce) or that are the name's own (the salt) cut out, and
/// the salt itself: two names whose shapes are equal cannot be told apart.
struct Shape {
    frame: String,
    salt: Vec<u8>,
    failure: String,
}

/// Starts a login as `name` with a fixed client nonce and records what the
/// server sent; then, if `fail`, sends a proof that cannot be right and
/// records the failure too. (Each failure counts towards the lock on this
/// address, so only two logins here fail; the others only start.)
fn shape_of(port: u16, name: &str, fail: bool) -> Shape {
    const NONCE: &str = "fixedClientNonceForTheTest";
    let mut raw = Raw::connect(port);
    let first = ClientFirst::with_nonce(name, "any password", NONCE).expect("nonce");
    send_first(&mut raw, first.message());
    let challenge = expect_auth(&mut raw);
    let frame = String::from_utf8(ServerMessage::Auth(challenge.clone()).encode()).unwrap();
    let mut parts = challenge.message.split(',');
    let r = parts
        .next()
        .unwrap()
        .strip_prefix("r=")
        .unwrap()
        .to_string();
    let s = parts
        .next()
        .unwrap()
        .strip_prefix("s=")
        .unwrap()
        .to_string();
    let i = parts
        .next()
        .unwrap()
        .strip_prefix("i=")
        .unwrap()
        .to_string();
    assert!(parts.next().is_none(), "{}", challenge.message);
    assert_eq!(i, DEFAULT_ITERATIONS.to_string());
    let server_nonce = r.strip_prefix(NONCE).expect("our nonce continued");
    let masked = frame
        .replace(
            server_nonce,
            &format!("<{} nonce characters>", server_nonce.len()),
        )
        .replace(&s, &format!("<{} salt characters>", s.len()));
    let mut failure = String::new();
    if fail {
        let proof = base64::encode(&[0u8; 32]);
        send_final(&mut raw, &format!("c=biws,r={r},p={proof}"));
        let error = expect_any_error(&mut raw);
        assert_eq!(error.code, ErrorCode::AuthFailed);
        failure = String::from_utf8(ServerMessage::Error(error).encode()).expect("UTF-8");
    }
    Shape {
        frame: masked,
        salt: base64::decode(&s).expect("base64 salt"),
        failure,
    }
}

#[test]
fn a_name_nobody_registered_is_answered_exactly_like_a_registered_one() {
    let server = Server::start(&[]);
    // Alice registers as a real client would by default: 600,000
    // iterations. (The server cannot tell whether keys came from a
    // password, so random ones serve, and cost nothing to make.)
    let mut salt = vec![0u8; 16];
    random::fill(&mut salt).unwrap();
    let mut keys = [[0u8; 32]; 2];
    for key in &mut keys {
        random::fill(key).unwrap();
    }
    let alice = Verifier {
        salt: salt.clone(),
        iterations: DEFAULT_ITERATIONS,
        stored_key: keys[0],
        server_key: keys[1],
    };
    let mut setup = Raw::connect(server.port);
    send_register(&mut setup, "Alice", &alice);
    setup.expect("REGISTER ok", |m| matches!(m, ServerMessage::Registered(_)));

    let known = shape_of(server.port, "Alice", true);
    let unknown = shape_of(server.port, "Alicia", true);
    // Byte for byte, once the nonce and the salt are masked; the salts the
    // same length, the failures identical.
    assert_eq!(known.frame, unknown.frame.replace("Alicia", "Alice"));
    assert_eq!(known.failure, unknown.failure);
    assert_eq!(known.salt, salt);
    assert_eq!(unknown.salt.len(), salt.len());
    assert_ne!(unknown.salt, salt);
    // And like a real account's, an unknown name's salt stays the same from
    // one login to the next, while another name's differs.
    assert_eq!(shape_of(server.port, "Alicia", false).salt, unknown.salt);
    assert_ne!(shape_of(server.port, "Bob", false).salt, unknown.salt);
    // Every spelling the server takes for one name finds one account, with
    // one salt; an unknown name's spellings share one salt too.
    for spelling in ["ALICE", "ａｌｉｃｅ"] {
        assert_eq!(
            shape_of(server.port, spelling, false).salt,
            salt,
            "{spelling}"
        );
    }
    for spelling in ["ALICIA", "ａｌｉｃｉａ"] {
        assert_eq!(
            shape_of(server.port, spelling, false).salt,
            unknown.salt,
            "{spelling}"
        );
    }

    // Across a restart too: the server's secret is kept, so an unknown
    // name's salt does not change while a registered one's stays put.
    let server = server.kill_and_restart(&[]);
    assert_eq!(shape_of(server.port, "Alicia", false).salt, unknown.salt);
    assert_eq!(shape_of(server.port, "Alice", false).salt, salt);
}

#[test]
fn a_members_only_server_refuses_guests_and_says_the_same_for_registered_names() {
    let mut server = Server::start(&["--members-only"]);
    let mut setup = Raw::connect(server.port);
    register(&mut setup, "Alice", "pw");

    let mut guest = Raw::connect(server.port);
    let for_guest = join_refused(&mut guest, "Bob", ErrorCode::AuthRequired);
    still_open(&mut guest);
    let mut other = Raw::connect(server.port);
    let for_member = join_refused(&mut other, "Alice", ErrorCode::AuthRequired);
    assert_eq!(
        for_guest.replace("Bob", "X"),
        for_member.replace("Alice", "X")
    );

    // A registered member logs in and joins; a new name registers first.
    log_in(&mut other, "Alice", "pw");
    assert_eq!(join(&mut other, "Alice").role, Some(Role::Member));
    let mut carol = server.client(&["--name", "Carol", "--register", "--iterations", ITERATIONS]);
    carol.send("carol's password");
    carol.send("carol's password");
    carol.expect("Carol is registered.");
    carol.expect(&format!("Connected to 127.0.0.1:{} as Carol.", server.port));
    server.expect("Carol registered from 127.0.0.1:");
    server.expect("Carol joined from 127.0.0.1:");
}

#[test]
fn a_client_with_no_password_to_give_gives_up_cleanly() {
    let server = Server::start(&["--members-only"]);
    let mut dave = server.client(&["--name", "Dave"]);
    dave.expect("This server admits registered names only");
    dave.proc.close_stdin();
    let status = dave.proc.wait_exit();
    assert_eq!(status.code(), Some(3), "{}", dave.proc.transcript());
    assert!(dave.proc.has_seen("No password given: not joining."));
}

#[test]
fn a_member_changes_its_password_and_only_the_new_one_works_after() {
    let server = Server::start(&[]);
    let mut alice = register_with_client(&server, "Alice", "old one");
    alice.send("/passwd");
    alice.send("new one");
    alice.send("new one");
    alice.expect("The password of Alice is changed.");
    alice.send("/quit");
    alice.proc.wait_exit();

    let mut alice = server.client(&["--name", "Alice"]);
    alice.send("old one");
    alice.expect("Wrong password.");
    alice.send("new one");
    alice.expect(&format!("Connected to 127.0.0.1:{} as Alice.", server.port));
}

#[test]
fn register_and_passwd_are_each_for_their_own_case() {
    let server = Server::start(&[]);
    let mut bob = server.join_with("Bob", &["--iterations", ITERATIONS]);
    bob.send("/passwd");
    bob.expect("You are a guest: /register");
    // Two different passwords change nothing.
    bob.send("/register");
    bob.send("one");
    bob.send("two");
    bob.expect("The two passwords differ; nothing changed.");
    // A name registered already: the client says so itself, nothing sent.
    let mut carol = register_with_client(&server, "Carol", "pw");
    carol.send("/register");
    carol.expect("Your name is registered already; /passwd");
    carol.send("/quit");
    carol.proc.wait_exit();
    let mut carol = server.log_in("Carol", "pw");
    carol.send("/register");
    carol.expect("Your name is registered already; /passwd");
}

#[test]
fn accounts_survive_kill_9_and_a_restart() {
    let server = Server::start(&[]);
    register_with_client(&server, "Alice", "pw");
    // `REGISTER ok` came after the file was on disk; a kill right after
    // loses nothing.
    let mut server = server.kill_and_restart(&[]);
    server.expect("1 registered account in files/accounts.json");
    let _alice = server.log_in("Alice", "pw");
    server.send("/accounts");
    server.expect("1 registered account:");
    server.expect("1. Alice (member), online");
}

#[test]
fn the_accounts_file_holds_the_two_verifiers_and_nothing_else_from_the_password() {
    const PASSWORD: &str = "tr0ub4dor&3";
    let server = Server::start(&[]);
    register_with_client(&server, "Alice", PASSWORD);
    let text = fs::read_to_string(server.path("files/accounts.json")).expect("accounts file");
    let file = json::parse(text.as_bytes()).expect("JSON");
    let top = file.as_object().expect("an object");
    let keys: BTreeSet<&str> = top.iter().map(|(k, _)| k).collect();
    assert_eq!(keys, BTreeSet::from(["accounts", "version"]));
    let accounts = top.get("accounts").and_then(Value::as_array).unwrap();
    assert_eq!(accounts.len(), 1);
    let entry = accounts[0].as_object().unwrap();
    let keys: BTreeSet<&str> = entry.iter().map(|(k, _)| k).collect();
    assert_eq!(
        keys,
        BTreeSet::from([
            "iterations",
            "name",
            "role",
            "salt",
            "server_key",
            "stored_key"
        ])
    );
    let field = |key: &str| entry.get(key).and_then(Value::as_str).unwrap().to_string();
    assert_eq!(field("name"), "Alice");
    assert_eq!(field("role"), "member");
    assert_eq!(
        entry.get("iterations").and_then(Value::as_u64),
        Some(u64::from(TEST_ITERATIONS))
    );

    // The keys are exactly those SCRAM derives from the password and salt.
    let salt = base64::decode(&field("salt")).unwrap();
    let expected = Verifier::from_password(PASSWORD, salt.clone(), TEST_ITERATIONS).unwrap();
    assert_eq!(
        base64::decode(&field("stored_key")).unwrap(),
        expected.stored_key
    );
    assert_eq!(
        base64::decode(&field("server_key")).unwrap(),
        expected.server_key
    );

    // And nothing else from which a login could be made: not the password
    // in any common spelling, not SaltedPassword, not ClientKey, in this
    // file or the secret beside it.
    let rounds = NonZeroU32::new(TEST_ITERATIONS).unwrap();
    let salted = pbkdf2::derive(PASSWORD.as_bytes(), &salt, rounds);
    let client_key = hmac::hmac(&salted, b"Client Key");
    let secret = fs::read_to_string(server.path("files/accounts.secret")).expect("secret");
    assert_eq!(secret.trim_end().len(), 64);
    for forbidden in [
        PASSWORD.to_string(),
        base64::encode(PASSWORD.as_bytes()),
        hex(PASSWORD.as_bytes()),
        base64::encode(&salted),
        hex(&salted),
        base64::encode(&client_key),
        hex(&client_key),
        sha256::to_hex(&sha256::digest(PASSWORD.as_bytes())),
    ] {
        assert!(!text.contains(&forbidden), "{forbidden} is in the file");
        assert!(!secret.contains(&forbidden), "{forbidden} is in the secret");
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn a_weak_verifier_is_refused_and_the_name_stays_free() {
    let server = Server::start(&[]);
    let mut raw = Raw::connect(server.port);
    let mut weak = verifier("pw");
    weak.iterations = 4095;
    send_register(&mut raw, "Alice", &weak);
    let why = raw.expect_error(ErrorCode::WeakVerifier);
    assert!(why.contains("at least 4096 iterations"), "{why}");
    let mut short = verifier("pw");
    short.salt.truncate(15);
    send_register(&mut raw, "Alice", &short);
    raw.expect_error(ErrorCode::WeakVerifier);
    // Nothing was registered: the name still joins as a guest.
    assert_eq!(join(&mut raw, "Alice").role, Some(Role::Guest));
}

#[test]
fn a_name_already_registered_cannot_be_registered_again_by_someone_else() {
    let server = Server::start(&[]);
    let mut first = Raw::connect(server.port);
    register(&mut first, "Alice", "mine");
    let mut second = Raw::connect(server.port);
    send_register(&mut second, "ALICE", &verifier("theirs"));
    second.expect_error(ErrorCode::NameTaken);
    // The first password still works, the second does not.
    assert_eq!(fail_login(&mut second, "Alice").code, ErrorCode::AuthFailed);
    log_in(&mut second, "Alice", "mine");
}

#[test]
fn a_name_online_as_a_guest_cannot_be_registered_from_elsewhere() {
    let server = Server::start(&[]);
    let mut bob = Raw::connect(server.port);
    join(&mut bob, "Bob");
    let mut mallory = Raw::connect(server.port);
    send_register(&mut mallory, "Bob", &verifier("stolen"));
    mallory.expect_error(ErrorCode::NameTaken);
}

#[test]
fn registrations_from_one_address_are_limited() {
    let server = Server::start(&["--lock-window", "60"]);
    let mut raw = Raw::connect(server.port);
    for i in 0..5 {
        register(&mut raw, &format!("user{i}"), "pw");
    }
    send_register(&mut raw, "user5", &verifier("pw"));
    let why = raw.expect_error(ErrorCode::RateLimited);
    assert!(why.contains("Too many registrations"), "{why}");
}

#[test]
fn the_secret_is_written_with_the_first_account_and_made_for_accounts_without_one() {
    let server = Server::start(&[]);
    // Nobody has registered: nothing on disk.
    assert!(!server.path("files/accounts.secret").exists());
    let mut raw = Raw::connect(server.port);
    register(&mut raw, "Alice", "pw");
    let secret = fs::read_to_string(server.path("files/accounts.secret")).expect("secret");
    // An accounts file that arrives without its secret (copied alone to
    // another server) gets one at the start, before anyone can log in.
    fs::remove_file(server.path("files/accounts.secret")).unwrap();
    let mut server = server.kill_and_restart(&[]);
    server.expect("made a new server secret in files/accounts.secret");
    let again = fs::read_to_string(server.path("files/accounts.secret")).expect("secret");
    assert_ne!(secret, again);
    let mut raw = Raw::connect(server.port);
    log_in(&mut raw, "Alice", "pw");
}

#[test]
fn a_damaged_secret_stops_the_server_before_it_listens() {
    let dir = tempfile::TempDir::new().unwrap();
    fs::create_dir_all(dir.path().join("files")).unwrap();
    fs::write(dir.path().join("files/accounts.secret"), "not hex\n").unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_chat-server"))
        .args(["--lang", "en", "--port", "0", "--host", "127.0.0.1"])
        .current_dir(dir.path())
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run the server");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cannot use the server's secret files/accounts.secret"),
        "{stderr}"
    );
    assert!(!String::from_utf8_lossy(&output.stdout).contains("listening on"));
}
