//! Logging in and registering (contract §10): the steps a session takes for
//! `AUTH` and `REGISTER`, before or after joining.
//!
//! # A login, message by message
//!
//! ```text
//! client                                   server
//!   AUTH n,,n=alice,r=CNONCE  ─────────▶   start: locked? look alice up
//!                             ◀─────────   AUTH r=CNONCE SNONCE,s=SALT,i=N
//!   AUTH c=biws,r=…,p=PROOF   ─────────▶   finish: check the proof
//!                             ◀─────────   AUTH v=SIGNATURE  {"ok": true, "role": …}
//!   USER_JOIN alice           ─────────▶   joined as alice
//! ```
//!
//! The session keeps the exchange between the two steps (its
//! `Authenticating` phase); this module does each step and says how it
//! ended. The cryptography is [`crate::crypto::scram`]; what is here is the
//! policy around it:
//!
//! - **Unknown names are answered like known ones.** A name with no
//!   account gets a server-first message with a salt derived from the name
//!   and the server's secret (the same every time, as a real salt is), and
//!   fails at the proof, after the same delay, with the same `auth_failed`.
//!   So `AUTH` cannot be used to learn who is registered.
//! - **Guessing is slow and bounded** ([`super::lockout`]): every failure is
//!   answered after about a second, and five failures within the window
//!   lock the name and the address (`auth_locked`).
//! - **A registration is a login.** The connection that registers a name
//!   has just chosen its password, so it counts as logged in as that name:
//!   it may join under it without a second exchange.
//!
//! Every name a peer sends here is shown in the log through the catalogue,
//! which makes it inert ([`crate::text::terminal::one_line`]); a name that
//! breaks the name rules says so there too ([`shown_name`]).

use std::net::IpAddr;
use std::thread;
use std::time::{Duration, Instant};

use super::accounts::{self, AccountError, Role as AccountRole, VerifierError};
use super::directory::{Link, Member};
use super::{Server, unix_time_of};
use crate::crypto::scram::{MECHANISM, ScramError, ServerFirst, ServerStart};
use crate::message::client::{Auth, Register};
use crate::message::server::{Auth as AuthReply, Registered};
use crate::message::{ErrorCode, ErrorReason, ErrorReport, Role, ServerMessage};
use crate::names::{check_name, name_key};
use crate::text;

/// A connection that proved it knows a registered name's password (or
/// registered the name itself), and may join under it.
#[derive(Debug, Clone)]
pub struct LoggedIn {
    /// As the account spells it.
    pub name: String,
    pub role: AccountRole,
}

impl LoggedIn {
    /// Whether this login is for `name` (names compare by [`name_key`]).
    pub fn is_for(&self, name: &str) -> bool {
        name_key(&self.name) == name_key(name)
    }
}

/// How the second step of a login ended.
pub enum Finished {
    /// The proof was right: the connection is logged in.
    LoggedIn(LoggedIn),
    /// The proof was wrong (or the name has no account). The answer was
    /// held back by `delayed`, which the session adds to its deadline to
    /// join: the server's own wait is not the client's slowness.
    Failed { delayed: Duration },
    /// The message was not a client-final message; answered already.
    Refused,
}

/// Step one: a client-first message. Answers with the server-first message
/// and returns the exchange to keep for step two, or answers with an
/// `ERROR` and returns `None`.
pub fn start(server: &Server, link: &Link, auth: Auth) -> Option<ServerFirst> {
    let addr = link.addr.to_string();
    if auth.mechanism.as_deref() != Some(MECHANISM) {
        let mechanism = auth.mechanism.unwrap_or_default();
        server.log(&text::t().log_bad_input(&addr, &text::t().log_auth_mechanism(&mechanism)));
        send(
            link,
            ErrorReport::new(
                ErrorCode::BadMessage,
                text::t().error_auth_mechanism(&mechanism),
            ),
        );
        return None;
    }
    let start = match ServerStart::receive_client_first(&auth.message) {
        Ok(start) => start,
        Err(e) => return refuse_scram(server, link, &e),
    };
    // Every spelling of one name gets one decoy salt, as it finds one account.
    let key = name_key(start.username());
    let start = start.compare_names_by(key);
    let name = start.username().to_string();
    let now = Instant::now();
    if let Err(locked) = server.lockout.check(&name, link.addr.ip(), now) {
        let seconds = locked.remaining(now).as_secs().max(1);
        server.log(&text::t().log_login_locked(&shown_name(&name), &addr, seconds));
        send(
            link,
            ErrorReport::new(ErrorCode::AuthLocked, text::t().error_auth_locked(seconds))
                .until(unix_time_of(locked.until, now)),
        );
        return None;
    }
    let verifier = server.accounts.get(&name).map(|account| account.verifier);
    match start.answer(verifier.as_ref(), &server.secret) {
        Ok(exchange) => {
            link.send(&ServerMessage::Auth(AuthReply {
                message: exchange.message().to_string(),
                done: None,
            }));
            Some(exchange)
        }
        Err(e) => refuse_scram(server, link, &e),
    }
}

/// Step two: the client-final message, with the proof.
pub fn finish(server: &Server, link: &Link, exchange: ServerFirst, auth: Auth) -> Finished {
    let name = exchange.username().to_string();
    let addr = link.addr.to_string();
    match exchange.receive_client_final(&auth.message) {
        Ok(server_final) => {
            server.lockout.record_success(&name, Instant::now());
            // The account is read again: it may have been deleted, or its
            // role changed, between the two steps.
            let Some(account) = server.accounts.get(&name) else {
                return failed(server, link, &name);
            };
            server.log(&text::t().log_logged_in(&account.name, &addr, account.role.as_str()));
            link.send(&ServerMessage::Auth(AuthReply {
                message: server_final,
                done: Some(account.role.into()),
            }));
            Finished::LoggedIn(LoggedIn {
                name: account.name,
                role: account.role,
            })
        }
        Err(ScramError::AuthFailed) => failed(server, link, &name),
        Err(e) => {
            refuse_scram::<()>(server, link, &e);
            Finished::Refused
        }
    }
}

/// A wrong proof: counted, logged, answered a moment later.
fn failed(server: &Server, link: &Link, name: &str) -> Finished {
    let addr = link.addr.to_string();
    let failure = server
        .lockout
        .record_failure(name, link.addr.ip(), Instant::now());
    server.log(&text::t().log_login_failed(&shown_name(name), &addr));
    if let Some(locked) = failure.locked {
        let seconds = locked.remaining(Instant::now()).as_secs().max(1);
        server.log(&text::t().log_login_now_locked(&shown_name(name), &addr, seconds));
    }
    // Holding the answer back holds this connection's next guess back:
    // the client waits for the answer before it can try again.
    thread::sleep(failure.delay);
    send(
        link,
        ErrorReport::new(ErrorCode::AuthFailed, text::t().error_auth_failed()),
    );
    Finished::Failed {
        delayed: failure.delay,
    }
}

/// Answers a SCRAM message that breaks the grammar or the rules.
fn refuse_scram<T>(server: &Server, link: &Link, error: &ScramError) -> Option<T> {
    server.log(&text::t().log_bad_input(&link.addr.to_string(), &error));
    send(
        link,
        ErrorReport::new(ErrorCode::BadMessage, text::t().error_scram(error)),
    );
    None
}

/// Where the connection that sends `REGISTER` stands.
#[derive(Clone, Copy)]
pub enum Registrant<'a> {
    /// Not joined yet; maybe logged in already.
    Connected(Option<&'a LoggedIn>),
    /// Joined: as a guest, or logged in (its role says which).
    Joined(&'a Member),
}

/// `REGISTER`: registers the name, or changes the password of the name the
/// connection is logged in as. Answers `REGISTER ok` or an `ERROR`. Returns
/// the login the connection now holds for the name, on success.
pub fn register(
    server: &Server,
    link: &Link,
    request: Register,
    who: Registrant,
) -> Option<LoggedIn> {
    let addr = link.addr.to_string();
    let name = request.name;
    let refuse = |report: ErrorReport| {
        send(link, report);
        None
    };
    if let Err(why) = check_name(&name) {
        server.log(&text::t().log_refused_name(&addr, &name, &why.to_string()));
        return refuse(
            ErrorReport::new(
                ErrorCode::NameInvalid,
                text::t().error_name_invalid(&name, &why),
            )
            .about(&name),
        );
    }
    let verifier = match accounts::verifier_from_base64(
        &request.salt,
        request.iterations,
        &request.stored_key,
        &request.server_key,
    ) {
        Ok(verifier) => verifier,
        Err(e) => {
            server.log(&text::t().log_bad_input(&addr, &e));
            return refuse(ErrorReport::new(
                verifier_code(&e),
                text::t().error_verifier(&e),
            ));
        }
    };
    let logged_in = match who {
        Registrant::Connected(login) => login.is_some_and(|login| login.is_for(&name)),
        Registrant::Joined(member) => {
            if name_key(&member.name) != name_key(&name) {
                return refuse(
                    ErrorReport::new(
                        ErrorCode::BadMessage,
                        text::t().error_register_own_name(&member.name),
                    )
                    .about(&member.name)
                    .because(ErrorReason::RegisterOwnName),
                );
            }
            member.role() != Role::Guest
        }
    };
    let ip: IpAddr = link.addr.ip();
    let now = Instant::now();
    if let Err(locked) = server.registrations.check_address(ip, now) {
        let seconds = locked.remaining(now).as_secs().max(1);
        server.log(&text::t().log_registrations_limited(&addr, seconds));
        return refuse(
            ErrorReport::new(
                ErrorCode::RateLimited,
                text::t().error_registrations_limited(seconds),
            )
            .until(unix_time_of(locked.until, now)),
        );
    }
    let changed = if logged_in {
        server.accounts.change_password(&name, verifier)
    } else if matches!(who, Registrant::Connected(_)) && server.directory.find(&name).is_some() {
        // Someone is online under this name, as a guest: registering it
        // now would take it from them the next time they join.
        Err(AccountError::Taken)
    } else {
        // The secret goes to disk before the first account does.
        match server.keep_secret() {
            Ok(()) => server.accounts.register(&name, verifier),
            Err(e) => Err(AccountError::Save(e)),
        }
    };
    if let Err(e) = changed {
        server.log(&text::t().log_register_refused(&name, &addr, &e));
        let code = match &e {
            AccountError::Taken => ErrorCode::NameTaken,
            AccountError::BadName(_) => ErrorCode::NameInvalid,
            AccountError::Weak(e) => verifier_code(e),
            _ => ErrorCode::BadMessage,
        };
        return refuse(
            ErrorReport::new(code, text::t().error_register_refused(&name, &e))
                .about(&name)
                .because(ErrorReason::Register),
        );
    }
    server.registrations.count_for_address(ip, now);
    let account = server.accounts.get(&name)?;
    if logged_in {
        server.log(&text::t().log_password_changed(&account.name, &addr));
    } else {
        server.log(&text::t().log_registered(&account.name, &addr));
    }
    if let Registrant::Joined(member) = who
        && member.role() == Role::Guest
    {
        member.set_role(account.role.into());
    }
    link.send(&ServerMessage::Registered(Registered {
        name: account.name.clone(),
    }));
    Some(LoggedIn {
        name: account.name,
        role: account.role,
    })
}

/// The code for verifiers the server will not keep: `weak_verifier` for
/// ones outside the bounds, `bad_message` for ones that do not even decode.
fn verifier_code(error: &VerifierError) -> ErrorCode {
    match error {
        VerifierError::BadBase64 { .. } | VerifierError::KeyLength { .. } => ErrorCode::BadMessage,
        _ => ErrorCode::WeakVerifier,
    }
}

/// A name from a SCRAM message as the log shows it: the catalogue makes any
/// name inert, and one that breaks the name rules (so that no account can
/// have it) is marked as such, so that a reader of the log is not fooled
/// by a name that only looks like a user's.
pub fn shown_name(name: &str) -> String {
    match check_name(name) {
        Ok(()) => name.to_string(),
        Err(why) => text::t().not_a_name(name, &why),
    }
}

fn send(link: &Link, report: ErrorReport) {
    link.send(&ServerMessage::Error(report));
}
