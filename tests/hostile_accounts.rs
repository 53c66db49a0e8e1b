//! Hostile input at every message type of contract §10–§11: `REGISTER`,
//! both steps of `AUTH`, and `ADMIN`, as hand-written bodies (wrong
//! types, missing fields, numbers out of range, base64 that is not, SCRAM
//! grammar broken every way we could think of). Each case is answered with
//! the `ERROR` code `docs/protocol.md` gives, the connection stays open
//! (framing is in step), nothing is registered or changed, and Alice and
//! Bob keep chatting throughout.
//!
//! [`CASES`] counts them: the report in `docs/09-logging-in.md` quotes it.

mod common;

use common::Pair;
use common::login::{join, log_in, register, start_login, still_open};
use common::raw::Raw;
use socket_chat::base64;
use socket_chat::message::ErrorCode;

/// One hostile body and the code it must get (`None`: not an error, but a
/// new challenge, for a login started over).
struct Case {
    what: &'static str,
    body: String,
    code: Option<ErrorCode>,
}

fn case(what: &'static str, body: String, code: ErrorCode) -> Case {
    Case {
        what,
        body,
        code: Some(code),
    }
}

/// The number of cases in this file: those in the four tables, and three
/// written out in the tests below (checked by `every_case_is_counted`).
const CASES: usize = 61;

/// A `REGISTER` body with these metadata fields (already JSON).
fn register_body(name: &str, fields: &str) -> String {
    format!(r#"{{"type": "REGISTER", "data": "{name}", "metadata": {{{fields}}}}}"#)
}

/// Valid verifier fields, but for `replace`: `-salt` leaves the salt out,
/// `salt` gives it `value` (JSON); any other word changes nothing.
fn fields_with(replace: &str, value: &str) -> String {
    let salt = base64::encode(&[1u8; 16]);
    let key = base64::encode(&[2u8; 32]);
    let mut fields = vec![
        ("salt", format!("\"{salt}\"")),
        ("iterations", "4096".to_string()),
        ("stored_key", format!("\"{key}\"")),
        ("server_key", format!("\"{key}\"")),
    ];
    fields.retain(|(name, _)| *name != replace.trim_start_matches('-'));
    if !replace.starts_with('-') && !value.is_empty() {
        fields.push((replace_name(replace), value.to_string()));
    }
    fields
        .iter()
        .map(|(k, v)| format!("\"{k}\": {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn replace_name(field: &str) -> &'static str {
    match field {
        "salt" => "salt",
        "iterations" => "iterations",
        "stored_key" => "stored_key",
        _ => "server_key",
    }
}

fn register_cases() -> Vec<Case> {
    let b64 = |n: usize| format!("\"{}\"", base64::encode(&vec![9u8; n]));
    let ok = fields_with("none", "");
    use ErrorCode::*;
    vec![
        case(
            "salt missing",
            register_body("Eve", &fields_with("-salt", "")),
            BadMessage,
        ),
        case(
            "iterations missing",
            register_body("Eve", &fields_with("-iterations", "")),
            BadMessage,
        ),
        case(
            "stored_key missing",
            register_body("Eve", &fields_with("-stored_key", "")),
            BadMessage,
        ),
        case(
            "server_key missing",
            register_body("Eve", &fields_with("-server_key", "")),
            BadMessage,
        ),
        case(
            "iterations a string",
            register_body("Eve", &fields_with("iterations", "\"4096\"")),
            BadMessage,
        ),
        case(
            "iterations negative",
            register_body("Eve", &fields_with("iterations", "-4096")),
            BadMessage,
        ),
        case(
            "iterations a fraction",
            register_body("Eve", &fields_with("iterations", "4096.5")),
            BadMessage,
        ),
        case(
            "iterations 1e999",
            register_body("Eve", &fields_with("iterations", "1e999")),
            BadMessage,
        ),
        case(
            "iterations 4095",
            register_body("Eve", &fields_with("iterations", "4095")),
            WeakVerifier,
        ),
        case(
            "iterations 0",
            register_body("Eve", &fields_with("iterations", "0")),
            WeakVerifier,
        ),
        case(
            "iterations over ten million",
            register_body("Eve", &fields_with("iterations", "10000001")),
            WeakVerifier,
        ),
        case(
            "iterations 2^64-1",
            register_body("Eve", &fields_with("iterations", "18446744073709551615")),
            WeakVerifier,
        ),
        case(
            "salt not base64",
            register_body("Eve", &fields_with("salt", "\"!!!not base64!!!\"")),
            BadMessage,
        ),
        case(
            "salt unpadded",
            register_body("Eve", &fields_with("salt", "\"AQEBAQEBAQEBAQEBAQEBAQ\"")),
            BadMessage,
        ),
        case(
            "salt a number",
            register_body("Eve", &fields_with("salt", "16")),
            BadMessage,
        ),
        case(
            "salt of 15 bytes",
            register_body("Eve", &fields_with("salt", &b64(15))),
            WeakVerifier,
        ),
        case(
            "salt of 65 bytes",
            register_body("Eve", &fields_with("salt", &b64(65))),
            WeakVerifier,
        ),
        case(
            "salt of half a megabyte",
            register_body("Eve", &fields_with("salt", &b64(500_000))),
            WeakVerifier,
        ),
        case(
            "stored_key of 31 bytes",
            register_body("Eve", &fields_with("stored_key", &b64(31))),
            BadMessage,
        ),
        case(
            "server_key of 33 bytes",
            register_body("Eve", &fields_with("server_key", &b64(33))),
            BadMessage,
        ),
        case(
            "server_key null",
            register_body("Eve", &fields_with("server_key", "null")),
            BadMessage,
        ),
        case(
            "name with an escape sequence",
            register_body("\\u001b[2J", &ok),
            NameInvalid,
        ),
        case("name server", register_body("server", &ok), NameInvalid),
        case(
            "name full-width server",
            register_body("\\uff53\\uff45\\uff52\\uff56\\uff45\\uff52", &ok),
            NameInvalid,
        ),
        case(
            "name with a bidi override",
            register_body("Eve\\u202e", &ok),
            NameInvalid,
        ),
        case(
            "name of 33 characters",
            register_body(&"e".repeat(33), &ok),
            NameInvalid,
        ),
        case("name empty", register_body("", &ok), NameInvalid),
        case(
            "name of Alice, online as a guest",
            register_body("Alice", &ok),
            NameTaken,
        ),
    ]
}

/// An `AUTH` body (`mechanism` is JSON, or `None` for no such key).
fn auth_body(message: &str, mechanism: Option<&str>) -> String {
    let meta = match mechanism {
        Some(m) => format!(r#"{{"mechanism": {m}}}"#),
        None => "{}".to_string(),
    };
    format!(r#"{{"type": "AUTH", "data": "{message}", "metadata": {meta}}}"#)
}

fn first_cases() -> Vec<Case> {
    let scram = Some("\"SCRAM-SHA-256\"");
    use ErrorCode::*;
    vec![
        case(
            "client-first without a mechanism",
            auth_body("n,,n=Eve,r=abc", None),
            BadMessage,
        ),
        case(
            "mechanism PLAIN",
            auth_body("n,,n=Eve,r=abc", Some("\"PLAIN\"")),
            BadMessage,
        ),
        case(
            "mechanism a number",
            auth_body("n,,n=Eve,r=abc", Some("256")),
            BadMessage,
        ),
        case(
            "channel binding asked for",
            auth_body("p=tls-unique,,n=Eve,r=abc", scram),
            BadMessage,
        ),
        case(
            "channel binding offered",
            auth_body("y,,n=Eve,r=abc", scram),
            BadMessage,
        ),
        case(
            "another user's authority",
            auth_body("n,a=Alice,n=Eve,r=abc", scram),
            BadMessage,
        ),
        case(
            "a mandatory extension",
            auth_body("n,,m=x,n=Eve,r=abc", scram),
            BadMessage,
        ),
        case(
            "a bad name escape",
            auth_body("n,,n=E=ZZve,r=abc", scram),
            BadMessage,
        ),
        case(
            "a NUL in the name",
            auth_body("n,,n=E\\u0000ve,r=abc", scram),
            BadMessage,
        ),
        case("no nonce", auth_body("n,,n=Eve", scram), BadMessage),
        case(
            "an empty nonce",
            auth_body("n,,n=Eve,r=", scram),
            BadMessage,
        ),
        case(
            "a control character in the nonce",
            auth_body("n,,n=Eve,r=a\\u0001b", scram),
            BadMessage,
        ),
        case(
            "attributes out of order",
            auth_body("n,,r=abc,n=Eve", scram),
            BadMessage,
        ),
        case("no header", auth_body("n=Eve,r=abc", scram), BadMessage),
        case("an empty message", auth_body("", scram), BadMessage),
        case(
            "a message over 1024 bytes",
            auth_body(&format!("n,,n=Eve,r={}", "a".repeat(1100)), scram),
            BadMessage,
        ),
    ]
}

fn final_cases() -> Vec<Case> {
    let proof = base64::encode(&[0u8; 32]);
    use ErrorCode::*;
    vec![
        case(
            "a nonce that is not this login's",
            auth_body(&format!("c=biws,r=someoneelse,p={proof}"), None),
            BadMessage,
        ),
        case(
            "a proof that is not base64",
            auth_body("c=biws,r=NONCE,p=!!!!", None),
            BadMessage,
        ),
        case(
            "a proof of 31 bytes",
            auth_body(
                &format!("c=biws,r=NONCE,p={}", base64::encode(&[0u8; 31])),
                None,
            ),
            BadMessage,
        ),
        case(
            "channel binding data that is not n,,",
            auth_body(&format!("c=eSws,r=NONCE,p={proof}"), None),
            BadMessage,
        ),
        case(
            "an attribute after the proof",
            auth_body(&format!("c=biws,r=NONCE,p={proof},x=1"), None),
            BadMessage,
        ),
        case("no proof", auth_body("c=biws,r=NONCE", None), BadMessage),
        Case {
            what: "a second client-first instead",
            body: auth_body("n,,n=Eve,r=again", Some("\"SCRAM-SHA-256\"")),
            code: None,
        },
    ]
}

/// An `ADMIN` body with this metadata (already JSON).
fn admin_body(action: &str, meta: &str) -> String {
    format!(r#"{{"type": "ADMIN", "data": "{action}", "metadata": {meta}}}"#)
}

fn admin_cases() -> Vec<Case> {
    use ErrorCode::*;
    vec![
        case(
            "an unknown action",
            admin_body("ban", r#"{"target": "Bob"}"#),
            BadMessage,
        ),
        case(
            "an action in capitals",
            admin_body("KICK", r#"{"target": "Bob"}"#),
            BadMessage,
        ),
        case("no target", admin_body("kick", "{}"), BadMessage),
        case(
            "a target that is a list",
            admin_body("kick", r#"{"target": ["Bob"]}"#),
            BadMessage,
        ),
        case(
            "seconds negative",
            admin_body("mute", r#"{"target": "Bob", "seconds": -1}"#),
            BadMessage,
        ),
        case(
            "seconds a string",
            admin_body("mute", r#"{"target": "Bob", "seconds": "60"}"#),
            BadMessage,
        ),
        case(
            "from a member",
            admin_body("kick", r#"{"target": "Bob"}"#),
            Forbidden,
        ),
    ]
}

/// Sends each case's body on `raw` and checks its answer and that the
/// connection is still open; Alice and Bob chat in between.
fn run_cases(
    pair: &mut Pair,
    raw: &mut Raw,
    cases: Vec<Case>,
    before_each: impl Fn(&mut Raw) -> Option<String>,
) {
    for case in cases {
        let nonce = before_each(raw);
        let body = match &nonce {
            Some(nonce) => case.body.replace("NONCE", nonce),
            None => case.body.clone(),
        };
        raw.send_body(body.as_bytes()).expect("send");
        match case.code {
            Some(code) => {
                let got = common::login::expect_any_error(raw);
                assert_eq!(got.code, code, "{}: {}", case.what, got.text);
            }
            // A new client-first restarts the login: a new challenge.
            None => {
                common::login::expect_auth(raw);
            }
        }
        still_open(raw);
        pair.still_chat();
    }
}

#[test]
fn every_case_is_counted() {
    let written_out = 3;
    let total = register_cases().len()
        + first_cases().len()
        + final_cases().len()
        + admin_cases().len()
        + written_out;
    assert_eq!(total, CASES, "update CASES and docs/09-logging-in.md");
    let chapter = include_str!("../docs/09-logging-in.md").replace('\n', " ");
    assert!(
        chapter.contains(&format!("sends {CASES} hostile cases")),
        "docs/09-logging-in.md must say how many cases this file sends"
    );
}

#[test]
fn hostile_registrations_are_answered_and_register_nothing() {
    let mut pair = Pair::start(&[]);
    let mut mallory = Raw::connect(pair.port());
    run_cases(&mut pair, &mut mallory, register_cases(), |_| None);
    pair.server.send("/accounts");
    pair.server.proc.expect("No registered accounts.");
    // Joined, a REGISTER of another name than one's own is refused too.
    join(&mut mallory, "Mallory");
    mallory
        .send_body(register_body("Eve", &fields_with("none", "")).as_bytes())
        .expect("send");
    mallory.expect_error(ErrorCode::BadMessage);
    assert_eq!(mallory.list(), ["Alice", "Bob", "Mallory"]);
}

#[test]
fn hostile_client_first_messages_are_answered_and_nothing_is_locked() {
    let mut pair = Pair::start(&[]);
    let mut mallory = Raw::connect(pair.port());
    run_cases(&mut pair, &mut mallory, first_cases(), |_| None);
    // Grammar mistakes are not guesses: nothing counted, nothing locked.
    let mut setup = Raw::connect(pair.port());
    register(&mut setup, "Eve", "pw");
    log_in(&mut mallory, "Eve", "pw");
}

#[test]
fn hostile_client_final_messages_end_the_login_and_a_new_one_works() {
    let mut pair = Pair::start(&[]);
    let mut setup = Raw::connect(pair.port());
    register(&mut setup, "Eve", "pw");
    let mut mallory = Raw::connect(pair.port());
    run_cases(&mut pair, &mut mallory, final_cases(), |raw| {
        let (_first, challenge) = start_login(raw, "Eve", "pw");
        let r = challenge.message.split(',').next().unwrap();
        Some(r.trim_start_matches("r=").to_string())
    });
    log_in(&mut mallory, "Eve", "pw");
    assert_eq!(join(&mut mallory, "Eve").name, "Eve");
    // An `AUTH` after joining is refused, and changes nothing.
    mallory
        .send_body(auth_body("n,,n=Eve,r=abc", Some("\"SCRAM-SHA-256\"")).as_bytes())
        .expect("send");
    mallory.expect_error(ErrorCode::BadMessage);
    assert_eq!(mallory.list(), ["Alice", "Bob", "Eve"]);
}

#[test]
fn hostile_admin_messages_are_answered_and_do_nothing() {
    let mut pair = Pair::start(&[]);
    let mut setup = Raw::connect(pair.port());
    register(&mut setup, "Eve", "pw");
    let mut mallory = Raw::connect(pair.port());
    // Before joining, ADMIN is not allowed at all.
    mallory
        .send_body(admin_body("kick", r#"{"target": "Bob"}"#).as_bytes())
        .expect("send");
    mallory.expect_error(ErrorCode::BadMessage);
    log_in(&mut mallory, "Eve", "pw");
    join(&mut mallory, "Eve");
    run_cases(&mut pair, &mut mallory, admin_cases(), |_| None);
    assert_eq!(mallory.list(), ["Alice", "Bob", "Eve"]);
}
