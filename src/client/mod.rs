//! The chat client: join under a name, then two threads.
//!
//! - The **receiving thread** reads messages from the server and prints them
//!   as they come, saves incoming files, and answers the server's `PING`s.
//! - The **main thread** reads what the user types and sends it.
//!
//! Two threads because both jobs block: reading the keyboard waits for the
//! user, reading the socket waits for the server, and a single thread doing
//! one could not notice the other. Several threads write to the same socket
//! (a chat line, a `PONG`, a file chunk), so writes go through one
//! [`Outbound`] that holds a lock for exactly one whole message: frames
//! never interleave.
//!
//! - [`config`]: the command line.
//! - [`input`]: what the user typed, as a typed [`input::Input`].
//! - [`display`]: what an incoming message looks like on screen.
//! - [`screen`]: printing, with a progress line that updates in place.
//! - [`upload`] and [`download`]: files out and in.

pub mod config;
pub mod display;
pub mod download;
pub mod editor;
pub mod input;
pub mod screen;
pub mod terminal;
pub mod upload;

use std::io::{self, BufRead, Write};
use std::net::{Shutdown, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::Duration;

pub use config::Config;
use download::Downloads;
use input::Input;
use screen::Screen;
use upload::Uploads;

use crate::connection::{MessageReader, Outgoing, ReadError, tune_socket};
use crate::frame::DEFAULT_MAX_FRAME;
use crate::localtime::TimeZone;
use crate::message::{ErrorCode, Message};
use crate::names::{check_name, name_key};
use crate::sync::lock;
use crate::text;
use crate::trace::{Direction, Trace};

/// Exit status when the server is gone or unreachable.
pub const EXIT_CONNECTION: u8 = 1;
/// Exit status when the name given on the command line is refused.
pub const EXIT_NAME: u8 = 2;

/// How long to wait for a server that does not answer a connection attempt.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// After `/quit`, how long to wait for the server to close its side, so
/// that our goodbye is read before the connection goes.
const QUIT_GRACE: Duration = Duration::from_secs(2);

/// The sending half of the connection, shared by every thread.
pub struct Outbound {
    stream: Mutex<TcpStream>,
    trace: Trace,
    peer: String,
}

impl Outbound {
    fn new(stream: TcpStream, trace: Trace) -> Self {
        let peer = stream
            .peer_addr()
            .map(|a| a.to_string())
            .unwrap_or_default();
        Outbound {
            stream: Mutex::new(stream),
            trace,
            peer,
        }
    }

    /// Sends one whole message; the lock keeps messages from interleaving.
    pub fn send(&self, message: Message) -> io::Result<()> {
        let frame = Outgoing::from_message(message);
        self.trace.frame(Direction::Sent, &self.peer, frame.body());
        lock(&self.stream).write_all(frame.as_bytes())
    }
}

/// What the client's threads share once it has joined.
pub struct Shared {
    pub config: Config,
    pub outbound: Outbound,
    pub screen: Screen,
    pub uploads: Uploads,
    /// The server's file size limit, from its welcome.
    pub max_file_size: Option<u64>,
    /// Who is online, kept up to date from the welcome and the join and
    /// leave notices, so that `/send @NAME` can refuse an unknown name
    /// before streaming a file nobody will receive.
    online: Mutex<Vec<String>>,
    /// Set when the user quits, so that the end of the connection is not
    /// reported as a loss.
    quitting: AtomicBool,
}

impl Shared {
    /// Whether `name` is online (ignoring ASCII case, as the server does).
    pub fn is_online(&self, name: &str) -> bool {
        let key = name_key(name);
        lock(&self.online).iter().any(|n| name_key(n) == key)
    }

    /// Follows the room's comings and goings.
    fn track(&self, message: &Message) {
        let mut online = lock(&self.online);
        match message {
            Message::Joined { name, .. } => online.push(name.clone()),
            Message::Left { name, .. } => online.retain(|n| n != name),
            Message::UserList { users } => *online = users.clone(),
            _ => {}
        }
    }
}

/// A connection that the server accepted under a name.
struct Joined {
    stream: TcpStream,
    outbound: Outbound,
    reader: MessageReader<TcpStream>,
    name: String,
    users: Vec<String>,
    max_file_size: Option<u64>,
}

/// Runs the client until the user quits (0) or the connection ends (1).
/// `input` is what the user types: the keyboard, or a pipe in tests.
pub fn run<I: BufRead>(config: Config, mut input: I) -> u8 {
    let screen = Screen::new();
    let joined = match join(&config, &mut input, &screen) {
        Ok(joined) => joined,
        Err(status) => return status,
    };
    screen.line(&text::connected(&config.server_addr(), &joined.name));
    screen.line(&text::online_list(&joined.users));
    screen.line(&text::client_help());

    let shared = Arc::new(Shared {
        outbound: joined.outbound,
        config,
        screen,
        uploads: Uploads::default(),
        max_file_size: joined.max_file_size,
        online: Mutex::new(joined.users.clone()),
        quitting: AtomicBool::new(false),
    });
    let (done_tx, done_rx) = mpsc::channel::<()>();
    {
        let shared = shared.clone();
        let reader = joined.reader;
        thread::spawn(move || {
            receive(reader, &shared);
            let _ = done_tx.send(());
        });
    }

    let status = input_loop(&mut input, &shared);
    if status != 0 {
        return status;
    }
    // Leaving politely: say goodbye, close our sending side, and give the
    // server a moment to close its side, which means it read the goodbye.
    shared.quitting.store(true, Ordering::SeqCst);
    let _ = shared.outbound.send(Message::Leave { name: joined.name });
    let _ = joined.stream.shutdown(Shutdown::Write);
    let _ = done_rx.recv_timeout(QUIT_GRACE);
    shared.screen.line(&text::goodbye());
    0
}

/// Reads the user's lines until `/quit` or the end of input. Returns 0 to
/// quit politely, or an exit status if the connection failed.
fn input_loop<I: BufRead>(input: &mut I, shared: &Arc<Shared>) -> u8 {
    let screen = &shared.screen;
    let mut line = Vec::new();
    loop {
        line.clear();
        match input.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => return 0,
            Ok(_) => {}
        }
        // Invalid UTF-8 from the terminal is shown as U+FFFD rather than
        // refused: the user meant *something*.
        let typed = String::from_utf8_lossy(&line);
        let typed = typed.trim_end_matches(['\n', '\r']);
        let message = match input::parse(typed) {
            Ok(None) => continue,
            Ok(Some(Input::Quit)) => return 0,
            Ok(Some(Input::Help)) => {
                screen.line(&text::client_help());
                continue;
            }
            Ok(Some(Input::SendFile { to, path })) => {
                upload::start(shared, to, path);
                continue;
            }
            Ok(Some(Input::Say(text))) => Message::Text { text, to: None },
            Ok(Some(Input::Private { to, text })) => Message::Text { text, to: Some(to) },
            Ok(Some(Input::List)) => Message::ListRequest,
            Err(mistake) => {
                screen.line(&mistake.hint());
                continue;
            }
        };
        if shared.outbound.send(message).is_err() {
            screen.error(&text::connection_lost());
            return EXIT_CONNECTION;
        }
    }
}

/// The receiving thread: prints and saves what arrives until the
/// connection ends.
///
/// When the server goes away, this thread ends the whole process: the main
/// thread is blocked reading the keyboard, and std has no way to interrupt
/// that read from another thread.
fn receive(mut reader: MessageReader<TcpStream>, shared: &Shared) {
    let zone = TimeZone::from_env();
    let screen = &shared.screen;
    let mut downloads = Downloads::new(shared.config.downloads.clone());
    // The server says why before it closes a connection on purpose; that
    // reason is the last line the user sees, instead of "connection lost".
    let mut farewell = None;
    loop {
        let message = match reader.read_message() {
            Ok(Some(message)) => message,
            Err(ReadError::Decode(e)) => {
                screen.line(&text::error_line(&e.to_string()));
                continue;
            }
            Ok(None) | Err(ReadError::Frame(_)) => {
                downloads.abandon();
                if shared.quitting.load(Ordering::SeqCst) {
                    return;
                }
                screen.error(&farewell.unwrap_or_else(text::connection_lost));
                std::process::exit(EXIT_CONNECTION.into());
            }
        };
        match message {
            Message::Ping => {
                let _ = shared.outbound.send(Message::Pong);
            }
            Message::FileOffer {
                name,
                transfer_id,
                size,
                sender,
                ..
            } => downloads.offer(screen, transfer_id, &name, size, sender),
            Message::FileChunk {
                transfer_id,
                index,
                data,
            } => downloads.chunk(screen, &transfer_id, index, &data),
            Message::FileComplete {
                transfer_id,
                size,
                sha256,
                ..
            } => downloads.complete(screen, &transfer_id, size, &sha256),
            // An error about a transfer ends that transfer, whichever way
            // it was going.
            Message::Error {
                text,
                transfer_id: Some(id),
                ..
            } if downloads.abort(screen, &id, &text) || shared.uploads.stop(&id, &text) => {}
            Message::Error {
                code: ErrorCode::ServerShutdown,
                ..
            } => farewell = Some(text::server_closed()),
            Message::Error {
                code: ErrorCode::Kicked,
                text,
                ..
            } => farewell = Some(text::server_farewell(&text)),
            other => {
                shared.track(&other);
                if let Some(line) = display::render(&other, &zone) {
                    screen.line(&line);
                }
            }
        }
    }
}

/// Asks for names (or takes the one given) until the server accepts one.
///
/// A refused name closes the connection (the contract says so), so each
/// attempt is a new connection.
fn join<I: BufRead>(config: &Config, input: &mut I, screen: &Screen) -> Result<Joined, u8> {
    let from_command_line = config.name.is_some();
    let mut given = config.name.clone();
    loop {
        let name = match given.take() {
            Some(name) => name,
            None => prompt_name(input).ok_or(EXIT_CONNECTION)?,
        };
        if let Err(why) = check_name(&name) {
            screen.error(&text::name_refused(&why.to_string()));
            if from_command_line {
                return Err(EXIT_NAME);
            }
            continue;
        }
        let stream = connect(&config.server_addr()).map_err(|e| {
            screen.error(&text::cannot_connect(&config.server_addr(), &e));
            EXIT_CONNECTION
        })?;
        match ask_to_join(stream, name, config.trace) {
            Ok(joined) => return Ok(joined),
            Err(JoinRefused::Name(reason)) => {
                screen.error(&text::name_refused(&reason));
                if from_command_line {
                    return Err(EXIT_NAME);
                }
            }
            Err(JoinRefused::Other(line)) => {
                screen.error(&line);
                return Err(EXIT_CONNECTION);
            }
        }
    }
}

/// Why the server did not let us in.
enum JoinRefused {
    /// The name was refused; another may work.
    Name(String),
    /// Anything else (server full, connection lost): the line to print.
    Other(String),
}

/// Sends `USER_JOIN` and waits for the answer.
fn ask_to_join(stream: TcpStream, name: String, trace: Trace) -> Result<Joined, JoinRefused> {
    let lost = |_| JoinRefused::Other(text::connection_lost());
    let outbound = Outbound::new(stream.try_clone().map_err(lost)?, trace);
    outbound.send(Message::Join { name }).map_err(lost)?;
    let peer = outbound.peer.clone();
    let mut reader = MessageReader::new(stream.try_clone().map_err(lost)?, DEFAULT_MAX_FRAME)
        .traced(trace, peer);
    loop {
        match reader.read_message() {
            Ok(Some(Message::Welcome {
                name,
                users,
                max_file_size,
                ..
            })) => {
                return Ok(Joined {
                    stream,
                    outbound,
                    reader,
                    name,
                    users,
                    max_file_size,
                });
            }
            Ok(Some(Message::Error {
                text,
                code: ErrorCode::NameTaken | ErrorCode::NameInvalid,
                ..
            })) => return Err(JoinRefused::Name(text)),
            Ok(Some(Message::Error { text, .. })) => {
                return Err(JoinRefused::Other(text::error_line(&text)));
            }
            Ok(Some(_)) => continue,
            Ok(None) | Err(_) => return Err(JoinRefused::Other(text::connection_lost())),
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
