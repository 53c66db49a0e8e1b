//! Registering and logging in over a [`Raw`] connection, message by
//! message, so that a test can stop at any step, or send a wrong proof on
//! purpose. The SCRAM arithmetic is the library's own
//! (`socket_chat::crypto::scram`), which its unit tests check against the
//! RFC's vectors.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use socket_chat::crypto::scram::{ClientFinal, ClientFirst, MECHANISM, Verifier};
use socket_chat::message::client::{Auth, Join, Register};
use socket_chat::message::server::{Auth as AuthReply, Welcome};
use socket_chat::message::{ClientMessage, ErrorCode, ErrorReport, ServerMessage};

use super::raw::{Polled, Raw};

/// The iteration count tests register with: the smallest the server takes,
/// so that each login costs milliseconds.
pub const TEST_ITERATIONS: u32 = 4096;

/// A verifier for `password` at [`TEST_ITERATIONS`].
pub fn verifier(password: &str) -> Verifier {
    Verifier::generate(password, TEST_ITERATIONS).expect("random bytes")
}

/// Sends `REGISTER name` with `verifier`, without waiting.
pub fn send_register(raw: &mut Raw, name: &str, verifier: &Verifier) {
    raw.send(&ClientMessage::Register(Register::new(name, verifier)));
}

/// Registers `name` with `password` and waits for `REGISTER ok`.
pub fn register(raw: &mut Raw, name: &str, password: &str) {
    send_register(raw, name, &verifier(password));
    raw.expect("REGISTER ok", |m| matches!(m, ServerMessage::Registered(_)));
}

/// Sends a client-first message for `name` and returns the server's
/// challenge (the server-first message) with the state to answer it.
pub fn start_login(raw: &mut Raw, name: &str, password: &str) -> (ClientFirst, AuthReply) {
    let first = ClientFirst::new(name, password).expect("random bytes");
    send_first(raw, first.message());
    (first, expect_auth(raw))
}

/// Sends `message` as the first `AUTH` of a login.
pub fn send_first(raw: &mut Raw, message: &str) {
    raw.send(&ClientMessage::Auth(Auth {
        message: message.to_string(),
        mechanism: Some(MECHANISM.to_string()),
    }));
}

/// Sends `message` as the second `AUTH` of a login (the proof).
pub fn send_final(raw: &mut Raw, message: &str) {
    raw.send(&ClientMessage::Auth(Auth {
        message: message.to_string(),
        mechanism: None,
    }));
}

/// The next `AUTH` from the server; panics on an `ERROR` instead.
pub fn expect_auth(raw: &mut Raw) -> AuthReply {
    match raw.expect("AUTH or ERROR", |m| {
        matches!(m, ServerMessage::Auth(_) | ServerMessage::Error(_))
    }) {
        ServerMessage::Auth(reply) => reply,
        other => panic!("expected AUTH, got {other:?}"),
    }
}

/// Answers a challenge with the proof; returns what the client would
/// check next.
pub fn answer(raw: &mut Raw, first: ClientFirst, challenge: &AuthReply) -> ClientFinal {
    let last = first
        .receive_server_first(&challenge.message)
        .expect("a well-formed challenge");
    send_final(raw, last.message());
    last
}

/// A whole login as `name` with `password`, checking the server's
/// signature; returns the server's final `AUTH`.
pub fn log_in(raw: &mut Raw, name: &str, password: &str) -> AuthReply {
    let (first, challenge) = start_login(raw, name, password);
    let last = answer(raw, first, &challenge);
    let done = expect_auth(raw);
    last.receive_server_final(&done.message)
        .expect("the server proves it holds the verifier");
    done
}

/// A login with the wrong password: returns the `ERROR` (`auth_failed`,
/// unless something else refused it first).
pub fn fail_login(raw: &mut Raw, name: &str) -> ErrorReport {
    let (first, challenge) = start_login(raw, name, "not the password");
    answer(raw, first, &challenge);
    expect_any_error(raw)
}

/// The next `ERROR`, whatever its code.
pub fn expect_any_error(raw: &mut Raw) -> ErrorReport {
    match raw.expect("ERROR", |m| matches!(m, ServerMessage::Error(_))) {
        ServerMessage::Error(report) => report,
        _ => unreachable!(),
    }
}

/// Sends `USER_JOIN name`.
pub fn send_join(raw: &mut Raw, name: &str) {
    raw.send(&ClientMessage::Join(Join {
        name: name.to_string(),
    }));
}

/// Joins as `name` and returns the welcome; panics on an `ERROR`.
pub fn join(raw: &mut Raw, name: &str) -> Welcome {
    send_join(raw, name);
    match raw.expect("welcome or ERROR", |m| {
        matches!(m, ServerMessage::Welcome(_) | ServerMessage::Error(_))
    }) {
        ServerMessage::Welcome(welcome) => welcome,
        other => panic!("expected a welcome, got {other:?}"),
    }
}

/// Joins as `name`, expecting `ERROR code` instead of a welcome.
pub fn join_refused(raw: &mut Raw, name: &str, code: ErrorCode) -> String {
    send_join(raw, name);
    raw.expect_error(code)
}

/// Proves the connection is open and served: `PING` is answered `PONG`.
/// (Before joining, `USER_LIST` is not allowed; `PING` is.)
pub fn still_open(raw: &mut Raw) {
    raw.send(&ClientMessage::Ping);
    raw.expect("PONG", |m| matches!(m, ServerMessage::Pong));
}

/// Unix time now, in whole seconds: what the server's `until` is counted in.
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs() as i64
}

/// Waits, on `raw`'s own read timeout, until the Unix time `until` has
/// passed (a lock or a mute has ended). Whatever arrives meanwhile is kept
/// in `raw.skipped`.
pub fn wait_until(raw: &mut Raw, until: i64) {
    while unix_now() < until {
        if let Polled::Message(m) = raw.poll(Duration::from_millis(200)) {
            raw.skipped.push(m);
        }
    }
}
