//! Before the chat: the connection while it joins, logging in to a
//! registered name, and reading a password.
//!
//! # Logging in
//!
//! A registered name's `USER_JOIN` is answered `ERROR auth_required`, and
//! the connection stays open. The client then asks for the password and
//! logs in with SCRAM-SHA-256 (contract §10, [`crate::crypto::scram`]):
//!
//! ```text
//! AUTH n,,n=alice,r=CNONCE            →
//!                                     ←  AUTH r=CNONCE SNONCE,s=SALT,i=N
//! (PBKDF2(password, SALT, N): the slow step, on this side)
//! AUTH c=biws,r=CNONCE SNONCE,p=PROOF →
//!                                     ←  AUTH v=SIGNATURE {"ok": true, "role": ...}
//! (is SIGNATURE what a server that holds our verifier would send?)
//! USER_JOIN alice                     →
//! ```
//!
//! The last check matters as much as the server's: `"ok": true` is a claim
//! any program can make, the signature is proof that the server holds the
//! verifier we registered. A server that fails it is not joined, and the
//! user is told why ([`LoginError::Impostor`]).
//!
//! # Reading a password
//!
//! On a terminal the echo is turned off while the password is typed
//! ([`EchoOff`]), so that nobody reads it over the user's shoulder, or in
//! the terminal's scrollback. With no terminal (a pipe, in tests) the
//! password is simply the next line of standard input.

use std::io::{self, IsTerminal, Write};
use std::net::TcpStream;

use super::display;
use super::events::ServerReader;
use super::terminal::{EchoOff, password_from_line};
use crate::crypto::scram::{ClientFirst, MECHANISM, ScramError, Verifier};
use crate::frame::DEFAULT_MAX_FRAME;
use crate::message::client::{Auth, Register};
use crate::message::server::Auth as AuthReply;
use crate::message::{ClientMessage, ErrorCode, ErrorReport, Message as _, Role, ServerMessage};
use crate::trace::{Direction, Trace};
use crate::transport::tcp;

/// A connection that has not joined yet. Nothing else is going on, so it
/// writes and reads the socket directly, one message at a time.
pub struct Pending {
    pub stream: TcpStream,
    pub reader: ServerReader<TcpStream>,
    trace: Trace,
    peer: String,
}

impl Pending {
    pub fn new(stream: TcpStream, trace: Trace) -> io::Result<Pending> {
        let peer = stream
            .peer_addr()
            .map(|a| a.to_string())
            .unwrap_or_default();
        let reader =
            tcp::message_reader(stream.try_clone()?, DEFAULT_MAX_FRAME).traced(trace, peer.clone());
        Ok(Pending {
            stream,
            reader,
            trace,
            peer,
        })
    }

    /// Sends one message.
    pub fn send(&mut self, message: &ClientMessage) -> io::Result<()> {
        self.trace
            .frame(Direction::Sent, &self.peer, &message.encode());
        self.stream.write_all(&tcp::frame(message))
    }

    /// The next message that is not a `PING` (those are answered here);
    /// `None` when the connection has ended or the server sent something
    /// that is not a message.
    pub fn receive(&mut self) -> Option<ServerMessage> {
        loop {
            match self.reader.read_message() {
                Ok(Some(ServerMessage::Ping)) => {
                    self.send(&ClientMessage::Pong).ok()?;
                }
                Ok(Some(message)) => return Some(message),
                Ok(None) | Err(_) => return None,
            }
        }
    }
}

/// Why a login did not succeed.
#[derive(Debug)]
pub enum LoginError {
    /// `auth_failed`: the password is wrong. The connection stays open, to
    /// try again.
    Wrong,
    /// Another `ERROR` from the server (`auth_locked`, say): its text.
    Server(ErrorCode, String),
    /// The server's signature is wrong: it does not hold our verifier.
    Impostor,
    /// We refused what the server sent (too few iterations, a nonce that
    /// is not ours continued, a malformed message).
    Refused(ScramError),
    /// The connection ended. (A server closes a connection that has not
    /// joined within its heartbeat interval, and a person typing a password
    /// can take longer than that.)
    Lost,
}

impl From<io::Error> for LoginError {
    fn from(_: io::Error) -> Self {
        LoginError::Lost
    }
}

/// Logs in as `name` with `password` over `pending`; returns the role the
/// server gives the account.
pub fn log_in(pending: &mut Pending, name: &str, password: &str) -> Result<Role, LoginError> {
    let first = ClientFirst::new(name, password).map_err(LoginError::Refused)?;
    pending.send(&ClientMessage::Auth(Auth {
        message: first.message().to_string(),
        mechanism: Some(MECHANISM.to_string()),
    }))?;
    let challenge = expect_auth(pending)?;
    // PBKDF2 with the server's iteration count runs here.
    let last = first
        .receive_server_first(&challenge.message)
        .map_err(LoginError::Refused)?;
    pending.send(&ClientMessage::Auth(Auth {
        message: last.message().to_string(),
        mechanism: None,
    }))?;
    let answer = expect_auth(pending)?;
    match last.receive_server_final(&answer.message) {
        Ok(()) => Ok(answer.done.unwrap_or(Role::Guest)),
        Err(ScramError::ServerSignatureMismatch) => Err(LoginError::Impostor),
        Err(e) => Err(LoginError::Refused(e)),
    }
}

/// The server's next `AUTH`, or the `ERROR` it sent instead.
fn expect_auth(pending: &mut Pending) -> Result<AuthReply, LoginError> {
    loop {
        match pending.receive() {
            Some(ServerMessage::Auth(reply)) => return Ok(reply),
            Some(ServerMessage::Error(ErrorReport {
                code: ErrorCode::AuthFailed,
                ..
            })) => return Err(LoginError::Wrong),
            Some(ServerMessage::Error(ErrorReport {
                code: ErrorCode::JoinTimeout,
                ..
            })) => return Err(LoginError::Lost),
            Some(ServerMessage::Error(report)) => {
                let why = display::error_text(&report);
                return Err(LoginError::Server(report.code, why));
            }
            Some(_) => continue,
            None => return Err(LoginError::Lost),
        }
    }
}

/// Registers `name` before joining (`--register`); the server then counts
/// this connection as logged in as it. `Err` carries the server's `ERROR`,
/// or `None` when the connection ended.
pub fn register(
    pending: &mut Pending,
    name: &str,
    verifier: &Verifier,
) -> Result<(), Option<ErrorReport>> {
    let message = ClientMessage::Register(Register::new(name, verifier));
    pending.send(&message).map_err(|_| None)?;
    loop {
        match pending.receive() {
            Some(ServerMessage::Registered(_)) => return Ok(()),
            Some(ServerMessage::Error(report)) => return Err(Some(report)),
            Some(_) => continue,
            None => return Err(None),
        }
    }
}

/// Asks for a secret: turns the terminal's echo off (when standard input is
/// a terminal), prints `prompt`, and reads one line with `next_line`.
/// `None` when input ended or the user cancelled (Ctrl-C, Ctrl-D).
pub fn ask_secret(prompt: &str, next_line: impl FnOnce() -> Option<String>) -> Option<String> {
    // The echo goes off *before* the prompt appears: a person starts typing
    // when they see the prompt, and keys typed before `stty` has run would
    // be echoed. (A test under a real terminal caught exactly that.)
    let echo = EchoOff::enter().ok();
    print!("{prompt}");
    let _ = io::stdout().flush();
    let line = next_line();
    drop(echo);
    if !io::stdin().is_terminal() {
        // Nobody pressed Enter on our screen: end the prompt's line.
        println!();
    }
    password_from_line(&line?)
}

/// Asks for a new password twice, as `/register`, `/passwd` and
/// `--register` do; `ask` shows a prompt and reads one secret line (see
/// [`ask_secret`]). `Err` is the sentence to show when the two differ, one
/// is empty, or the user cancelled.
pub fn new_password(
    name: &str,
    mut ask: impl FnMut(&str) -> Option<String>,
) -> Result<String, String> {
    let cancelled = || crate::text::t().password_cancelled();
    let first = ask(&crate::text::t().new_password_prompt(name)).ok_or_else(cancelled)?;
    if first.is_empty() {
        return Err(crate::text::t().password_empty());
    }
    let again = ask(&crate::text::t().repeat_password_prompt()).ok_or_else(cancelled)?;
    check_new_password(first, &again)
}

/// The new password, if typed the same twice and not empty.
pub fn check_new_password(first: String, again: &str) -> Result<String, String> {
    if first.is_empty() {
        Err(crate::text::t().password_empty())
    } else if first != again {
        Err(crate::text::t().passwords_differ())
    } else {
        Ok(first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_password_is_typed_the_same_twice_and_not_empty() {
        assert_eq!(check_new_password("pw".into(), "pw"), Ok("pw".to_string()));
        assert!(check_new_password("pw".into(), "pW").is_err());
        assert!(check_new_password(String::new(), "").is_err());
    }
}
