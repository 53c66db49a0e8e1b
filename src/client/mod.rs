//! The chat client: join under a name, then two threads.
//!
//! - The **receiving thread** reads messages from the server and prints them
//!   as they come, and answers the server's `PING`s.
//! - The **main thread** reads what the user types and sends it.
//!
//! Two threads because both jobs block: reading the keyboard waits for the
//! user, reading the socket waits for the server, and a single thread doing
//! one could not notice the other. Both threads write to the same socket (a
//! chat line, a `PONG`), so writes go through one [`Outbound`] that holds a
//! lock for exactly one whole message: frames never interleave.
//!
//! - [`config`]: the command line.
//! - [`input`]: what the user typed, as a typed [`input::Input`].
//! - [`display`]: what an incoming message looks like on screen.

pub mod config;
pub mod display;
pub mod input;

use std::io::{self, BufRead, Write};
use std::net::{Shutdown, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::Duration;

pub use config::Config;
use input::Input;

use crate::connection::{MessageReader, ReadError, tune_socket, write_message};
use crate::frame::DEFAULT_MAX_FRAME;
use crate::localtime::TimeZone;
use crate::message::{ErrorCode, Message};
use crate::names::check_name;
use crate::sync::lock;
use crate::text;

/// Exit status when the server is gone or unreachable.
pub const EXIT_CONNECTION: u8 = 1;
/// Exit status when the name given on the command line is refused.
pub const EXIT_NAME: u8 = 2;

/// How long to wait for a server that does not answer a connection attempt.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// After `/quit`, how long to wait for the server to close its side, so
/// that our goodbye is read before the connection goes.
const QUIT_GRACE: Duration = Duration::from_secs(2);

/// The sending half of the connection, shared by both threads.
pub struct Outbound {
    stream: Mutex<TcpStream>,
}

impl Outbound {
    /// Sends one whole message; the lock keeps messages from interleaving.
    pub fn send(&self, message: &Message) -> io::Result<()> {
        write_message(&mut *lock(&self.stream), message)
    }
}

/// A connection that the server accepted under a name.
struct Joined {
    stream: TcpStream,
    reader: MessageReader<TcpStream>,
    name: String,
    users: Vec<String>,
}

/// Runs the client until the user quits (0) or the connection ends (1).
/// `input` is what the user types: the keyboard, or a pipe in tests.
pub fn run<I: BufRead>(config: Config, mut input: I) -> u8 {
    let zone = TimeZone::from_env();
    let joined = match join(&config, &mut input) {
        Ok(joined) => joined,
        Err(status) => return status,
    };
    println!("{}", text::connected(&config.server_addr(), &joined.name));
    println!("{}", text::online_list(&joined.users));
    println!("{}", text::client_help());

    let outbound = match joined.stream.try_clone() {
        Ok(stream) => Arc::new(Outbound {
            stream: Mutex::new(stream),
        }),
        Err(e) => {
            eprintln!("{}", text::cannot_connect(&config.server_addr(), &e));
            return EXIT_CONNECTION;
        }
    };
    let quitting = Arc::new(AtomicBool::new(false));
    let (done_tx, done_rx) = mpsc::channel::<()>();
    {
        let outbound = outbound.clone();
        let quitting = quitting.clone();
        let reader = joined.reader;
        thread::spawn(move || {
            receive(reader, &outbound, &quitting, &zone);
            let _ = done_tx.send(());
        });
    }

    let status = input_loop(&mut input, &outbound);
    if status != 0 {
        return status;
    }
    // Leaving politely: say goodbye, close our sending side, and give the
    // server a moment to close its side, which means it read the goodbye.
    quitting.store(true, Ordering::SeqCst);
    let _ = outbound.send(&Message::Leave { name: joined.name });
    let _ = joined.stream.shutdown(Shutdown::Write);
    let _ = done_rx.recv_timeout(QUIT_GRACE);
    println!("{}", text::goodbye());
    0
}

/// Reads the user's lines until `/quit` or the end of input. Returns 0 to
/// quit politely, or an exit status if the connection failed.
fn input_loop<I: BufRead>(input: &mut I, outbound: &Outbound) -> u8 {
    let mut line = Vec::new();
    loop {
        line.clear();
        match input.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => return 0,
            Ok(_) => {}
        }
        // Invalid UTF-8 from the terminal is shown as U+FFFD rather than
        // refused: the user meant *something*.
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\n', '\r']);
        let message = match input::parse(text) {
            Ok(None) => continue,
            Ok(Some(Input::Quit)) => return 0,
            Ok(Some(Input::Help)) => {
                println!("{}", text::client_help());
                continue;
            }
            Ok(Some(Input::SendFile { .. })) => {
                println!("{}", text::files_not_yet());
                continue;
            }
            Ok(Some(Input::Say(text))) => Message::Text { text, to: None },
            Ok(Some(Input::Private { to, text })) => Message::Text { text, to: Some(to) },
            Ok(Some(Input::List)) => Message::ListRequest,
            Err(mistake) => {
                println!("{}", mistake.hint());
                continue;
            }
        };
        if outbound.send(&message).is_err() {
            eprintln!("{}", text::connection_lost());
            return EXIT_CONNECTION;
        }
    }
}

/// The receiving thread: prints what arrives until the connection ends.
///
/// When the server goes away, this thread ends the whole process: the main
/// thread is blocked reading the keyboard, and std has no way to interrupt
/// that read from another thread.
fn receive(
    mut reader: MessageReader<TcpStream>,
    outbound: &Outbound,
    quitting: &AtomicBool,
    zone: &TimeZone,
) {
    let mut shutting_down = false;
    loop {
        match reader.read_message() {
            Ok(Some(Message::Ping)) => {
                let _ = outbound.send(&Message::Pong);
            }
            Ok(Some(message)) => {
                if let Message::Error {
                    code: ErrorCode::ServerShutdown,
                    ..
                } = message
                {
                    shutting_down = true;
                }
                if let Some(line) = display::render(&message, zone) {
                    println!("{line}");
                }
            }
            Err(ReadError::Decode(e)) => println!("{}", text::error_line(&e.to_string())),
            Ok(None) | Err(ReadError::Frame(_)) => {
                if quitting.load(Ordering::SeqCst) {
                    return;
                }
                let line = if shutting_down {
                    text::server_closed()
                } else {
                    text::connection_lost()
                };
                eprintln!("{line}");
                std::process::exit(EXIT_CONNECTION.into());
            }
        }
    }
}

/// Asks for names (or takes the one given) until the server accepts one.
///
/// A refused name closes the connection (the contract says so), so each
/// attempt is a new connection.
fn join<I: BufRead>(config: &Config, input: &mut I) -> Result<Joined, u8> {
    let from_command_line = config.name.is_some();
    let mut given = config.name.clone();
    loop {
        let name = match given.take() {
            Some(name) => name,
            None => prompt_name(input).ok_or(EXIT_CONNECTION)?,
        };
        if let Err(why) = check_name(&name) {
            eprintln!("{}", text::name_refused(&why.to_string()));
            if from_command_line {
                return Err(EXIT_NAME);
            }
            continue;
        }
        let stream = connect(&config.server_addr()).map_err(|e| {
            eprintln!("{}", text::cannot_connect(&config.server_addr(), &e));
            EXIT_CONNECTION
        })?;
        match ask_to_join(stream, name) {
            Ok(joined) => return Ok(joined),
            Err(Some(reason)) => {
                eprintln!("{}", text::name_refused(&reason));
                if from_command_line {
                    return Err(EXIT_NAME);
                }
            }
            Err(None) => return Err(EXIT_CONNECTION),
        }
    }
}

/// Sends `USER_JOIN` and waits for the answer. `Err(Some(reason))` means
/// the name was refused; `Err(None)` that the connection failed (already
/// reported).
fn ask_to_join(stream: TcpStream, name: String) -> Result<Joined, Option<String>> {
    let lost = |_| {
        eprintln!("{}", text::connection_lost());
        None
    };
    let mut writer = stream.try_clone().map_err(lost)?;
    write_message(&mut writer, &Message::Join { name }).map_err(lost)?;
    let mut reader = MessageReader::new(stream.try_clone().map_err(lost)?, DEFAULT_MAX_FRAME);
    loop {
        match reader.read_message() {
            Ok(Some(Message::Welcome { name, users, .. })) => {
                return Ok(Joined {
                    stream,
                    reader,
                    name,
                    users,
                });
            }
            Ok(Some(Message::Error {
                text,
                code: ErrorCode::NameTaken | ErrorCode::NameInvalid,
                ..
            })) => return Err(Some(text)),
            Ok(Some(Message::Error { text, .. })) => {
                eprintln!("{}", text::error_line(&text));
                return Err(None);
            }
            Ok(Some(_)) => continue,
            Ok(None) | Err(_) => {
                eprintln!("{}", text::connection_lost());
                return Err(None);
            }
        }
    }
}

/// Prints the prompt and reads a name; `None` at the end of input.
fn prompt_name<I: BufRead>(input: &mut I) -> Option<String> {
    print!("{}", text::name_prompt());
    let _ = io::stdout().flush();
    let mut line = String::new();
    match input.read_line(&mut line) {
        Ok(0) | Err(_) => None,
        Ok(_) => Some(line.trim().to_string()),
    }
}

/// Connects to `addr`, trying each address the name resolves to (for
/// `localhost`, often both `::1` and `127.0.0.1`).
fn connect(addr: &str) -> io::Result<TcpStream> {
    let mut last_error = io::Error::new(io::ErrorKind::NotFound, "no address found");
    for candidate in addr.to_socket_addrs()? {
        match try_connect(candidate) {
            Ok(stream) => return Ok(stream),
            Err(e) => last_error = e,
        }
    }
    Err(last_error)
}

fn try_connect(addr: SocketAddr) -> io::Result<TcpStream> {
    let stream = TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT)?;
    tune_socket(&stream)?;
    Ok(stream)
}
