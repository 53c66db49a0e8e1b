//! The client's half of a login: it checks the server, too.
//!
//! Each test runs a fake server on a thread: a listener that speaks just
//! enough of the protocol to ask a real `chat-client` for a login, then
//! misbehaves in one way. The client must refuse it, say why, exit with
//! status 3, and never send `USER_JOIN`.

mod common;

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread;

use common::{Client, DEADLINE};
use socket_chat::base64;
use socket_chat::crypto::scram::{ServerSecret, ServerStart, Verifier};
use socket_chat::frame::DEFAULT_MAX_FRAME;
use socket_chat::message::Message as _;
use socket_chat::message::server::Auth;
use socket_chat::message::{ClientMessage, ErrorCode, ErrorReport, Role, ServerMessage};
use socket_chat::transport::tcp;

/// How the fake server makes its server-final message from the client's
/// final one.
type Last = Box<dyn FnOnce(&str) -> String + Send>;

/// How the fake server answers: given the client-first message, the
/// server-first message to send, and how to make the server-final one.
type Script = Box<dyn FnOnce(&str) -> (String, Last) + Send>;

/// Starts a fake server that refuses `USER_JOIN` with `auth_required`,
/// answers the login as `script` says, and reports the type of every
/// message the client sends.
fn fake_server(script: Script) -> (u16, Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().unwrap().port();
    let (seen, types) = channel();
    thread::spawn(move || {
        let (stream, _) = listener.accept().expect("accept");
        serve_one(stream, script, seen);
    });
    (port, types)
}

fn serve_one(mut stream: TcpStream, script: Script, seen: Sender<String>) {
    let mut reader = tcp::message_reader::<_, ClientMessage>(
        stream.try_clone().expect("clone"),
        DEFAULT_MAX_FRAME,
    );
    let mut send = |message: ServerMessage| {
        let _ = stream.write_all(&tcp::frame(&message));
    };
    let mut script = Some(script);
    let mut last: Option<Last> = None;
    while let Ok(Some(message)) = reader.read_message() {
        let _ = seen.send(message.type_name().to_string());
        match message {
            ClientMessage::Join(_) => send(ServerMessage::Error(ErrorReport::new(
                ErrorCode::AuthRequired,
                "log in".to_string(),
            ))),
            ClientMessage::Auth(auth) if auth.mechanism.is_some() => {
                let (server_first, then) = (script.take().expect("one login"))(&auth.message);
                last = Some(then);
                send(ServerMessage::Auth(Auth {
                    message: server_first,
                    done: None,
                }));
            }
            ClientMessage::Auth(auth) => {
                let final_message = (last.take().expect("a challenge first"))(&auth.message);
                send(ServerMessage::Auth(Auth {
                    message: final_message,
                    done: Some(Role::Member),
                }));
            }
            _ => {}
        }
    }
}

/// A client that joins the fake server as Alice and types a password.
fn client_for(port: u16) -> Client {
    let mut client = Client::start(port, &["--name", "Alice"]);
    client.send("pw");
    client
}

/// The message types the client sent, once the fake server has seen the
/// connection end.
fn sent(types: Receiver<String>) -> Vec<String> {
    let mut all = Vec::new();
    while let Ok(kind) = types.recv_timeout(DEADLINE) {
        all.push(kind);
    }
    all
}

#[test]
fn a_server_that_cannot_prove_it_holds_the_verifier_is_not_joined() {
    // An impostor: it answers the challenge properly (it has a verifier
    // for Alice, made from another password), accepts any proof, and signs
    // with what it has. Only the server holding Alice's verifier can sign
    // right.
    let (port, types) = fake_server(Box::new(|client_first| {
        let start = ServerStart::receive_client_first(client_first).expect("client-first");
        let wrong = Verifier::generate("not Alice's password", 4096).expect("random");
        let secret = ServerSecret::generate().expect("random");
        let first = start.answer(Some(&wrong), &secret).expect("answer");
        let message = first.message().to_string();
        let signature = base64::encode(&[7u8; 32]);
        (message, Box::new(move |_: &str| format!("v={signature}")))
    }));
    let mut alice = client_for(port);
    alice
        .proc
        .expect_err("failed to prove that it knows your password");
    assert_eq!(alice.proc.wait_exit().code(), Some(3));
    assert_eq!(
        sent(types),
        ["USER_JOIN", "AUTH", "AUTH"],
        "no USER_JOIN after the login"
    );
}

#[test]
fn a_server_asking_for_too_few_iterations_is_refused() {
    // Fewer iterations would make the proof the client sends cheap to
    // attack offline; the client refuses before computing it.
    let (port, types) = fake_server(Box::new(|client_first| {
        let (_, client_nonce) = client_first.rsplit_once(",r=").expect("a nonce");
        let salt = base64::encode(&[1u8; 16]);
        let message = format!("r={client_nonce}abcdef,s={salt},i=1000");
        (message, Box::new(|_: &str| String::new()))
    }));
    let mut alice = client_for(port);
    alice.proc.expect_err("iteration count 1000 is too low");
    assert_eq!(alice.proc.wait_exit().code(), Some(3));
    assert_eq!(sent(types), ["USER_JOIN", "AUTH"]);
}

#[test]
fn a_server_that_drops_the_clients_nonce_is_refused() {
    // A server-first message that does not continue our nonce could be a
    // recording of an old login, replayed to us.
    let (port, types) = fake_server(Box::new(|_| {
        let salt = base64::encode(&[1u8; 16]);
        let message = format!("r=someoneElsesNonce,s={salt},i=4096");
        (message, Box::new(|_: &str| String::new()))
    }));
    let mut alice = client_for(port);
    alice.proc.expect_err("nonce does not continue");
    assert_eq!(alice.proc.wait_exit().code(), Some(3));
    assert_eq!(sent(types), ["USER_JOIN", "AUTH"]);
}
