//! The chat client: join under a name, then one event loop.
//!
//! ```text
//!  keyboard ──▶ keyboard thread ──┐ Event::Keys
//!                                 ├──▶ event loop ──▶ screen, downloads
//!  server ───▶ socket thread ─────┘ Event::Message   │
//!    ▲                                               │ ClientMessage bodies
//!    └────────── writer thread ◀── outbox ◀──────────┘ (and upload threads)
//! ```
//!
//! Reading the keyboard waits for the user, reading the socket waits for
//! the server, and a single thread doing one could not notice the other. So
//! each read has a thread of its own that only passes on what arrives
//! ([`events`]), and everything else happens on one thread, the **event
//! loop** in [`run`]: it takes events one at a time, in the order they came,
//! prints, answers `PING`s, saves incoming files, and sends what the user
//! typed. Because one thread decides everything, the end is decided in one
//! place too: [`run`] returns the exit status, whether the user quit or the
//! server went away.
//!
//! Sending never waits on the network: messages go into an
//! [`Outbox`](crate::server::outbox::Outbox), the same bounded queue the
//! server gives each client, and a writer thread writes them. Files go out
//! on threads of their own ([`upload`]), which wait for room in that queue
//! (half of it, so a chat line always finds room), and are joined before
//! [`run`] returns.
//!
//! - [`config`]: the command line.
//! - [`events`]: the two reading threads and what they report.
//! - [`input`]: what the user typed: bytes into lines, lines into [`input::Input`].
//! - [`display`]: what an incoming message looks like on screen.
//! - [`screen`]: printing, with a progress line that updates in place.
//! - [`upload`] and [`download`]: files out and in.

pub mod config;
pub mod display;
pub mod download;
pub mod editor;
pub mod events;
pub mod input;
pub mod screen;
pub mod terminal;
pub mod upload;

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, sync_channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub use config::Config;
use download::Downloads;
use events::{Event, QUEUED_EVENTS, ServerReader};
use input::{Input, Lines};
use screen::Screen;
use upload::Uploads;

use crate::frame::DEFAULT_MAX_FRAME;
use crate::localtime::TimeZone;
use crate::message::client::{Join, Leave, Text};
use crate::message::{ClientMessage, ErrorCode, ErrorReport, Message as _, ServerMessage};
use crate::names::{check_name, name_key};
use crate::server::outbox::{Outbox, PushError, run_writer};
use crate::text;
use crate::trace::{Direction, Trace};
use crate::transport::{Framing, Outgoing, tcp, tune_socket};

/// Exit status when the server is gone or unreachable.
pub const EXIT_CONNECTION: u8 = 1;
/// Exit status when the name given on the command line is refused.
pub const EXIT_NAME: u8 = 2;

/// How long to wait for a server that does not answer a connection attempt.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// After `/quit`, how long to wait for the server to close its side, so
/// that our goodbye is read before the connection goes.
const QUIT_GRACE: Duration = Duration::from_secs(2);
/// Bytes of messages waiting to be written, at most (half for file data).
const OUTBOX_BYTES: usize = 4 * 1024 * 1024;
/// How long an upload waits for room in the outbox before it looks around
/// (has the user quit?) and waits again.
const UPLOAD_WAIT: Duration = Duration::from_secs(1);

/// The sending half of the connection: a queue, and the writer thread that
/// drains it into the socket. Every thread that sends (the event loop, the
/// uploads) only queues, and frames never interleave: the writer writes
/// each whole.
pub struct Outbound {
    outbox: Arc<Outbox>,
}

impl Outbound {
    /// Queues a message without waiting. False if the connection is closing
    /// or has failed (the socket thread then reports it).
    pub fn send(&self, message: ClientMessage) -> bool {
        self.outbox.push(Outgoing::from_message(message)).is_ok()
    }

    /// Queues a piece of a file, waiting for room for as long as the
    /// connection is busy, unless `stop` is set meanwhile.
    fn send_bulk(&self, message: ClientMessage, stop: &AtomicBool) -> bool {
        let body = Outgoing::from_message(message);
        loop {
            match self.outbox.push_bulk(body.clone(), UPLOAD_WAIT) {
                Ok(()) => return true,
                Err(PushError::Full) if !stop.load(Ordering::SeqCst) => continue,
                Err(_) => return false,
            }
        }
    }

    /// No more messages: the writer writes what is queued, then closes our
    /// sending side of the connection.
    fn close(&self) {
        self.outbox.close();
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
    /// Set when the chat is ending (the user quit, or the connection
    /// went): uploads stop at their next chunk, without a word.
    ending: AtomicBool,
}

impl Shared {
    /// Queues a piece of a file (see [`Outbound::send_bulk`]).
    pub fn send_bulk(&self, message: ClientMessage) -> bool {
        self.outbound.send_bulk(message, &self.ending)
    }

    /// Whether the chat is ending, so that uploads stop.
    pub fn is_ending(&self) -> bool {
        self.ending.load(Ordering::SeqCst)
    }
}

/// A connection that the server accepted under a name.
struct Joined {
    stream: TcpStream,
    reader: ServerReader<TcpStream>,
    name: String,
    users: Vec<String>,
    max_file_size: Option<u64>,
}

/// Where typed lines come from: the events, cut into lines.
struct Keyboard {
    events: Receiver<Event>,
    lines: Lines,
}

impl Keyboard {
    /// The next line typed, waiting for it; `None` once input has ended.
    /// Only for before the chat starts, when the keyboard is all there is.
    fn next_line(&mut self) -> Option<String> {
        loop {
            if let Some(line) = self.lines.next_line() {
                return Some(line);
            }
            match self.events.recv() {
                Ok(Event::Keys(bytes)) => self.lines.push(&bytes),
                Ok(_) | Err(_) => {
                    self.lines.end();
                    return self.lines.next_line();
                }
            }
        }
    }
}

/// Runs the client until the user quits (0) or the connection ends (1).
/// `input` is what the user types: the keyboard, or a pipe in tests.
pub fn run<I: Read + Send + 'static>(config: Config, input: I) -> u8 {
    let screen = Screen::new();
    let (events, inbox) = sync_channel(QUEUED_EVENTS);
    if let Err(e) = events::spawn_keyboard(input, events.clone()) {
        screen.error(&text::t().error_line(&e.to_string()));
        return EXIT_CONNECTION;
    }
    let mut keyboard = Keyboard {
        events: inbox,
        lines: Lines::default(),
    };
    let joined = match join(&config, &mut keyboard, &screen) {
        Ok(joined) => joined,
        Err(status) => return status,
    };
    screen.line(&text::t().connected(&config.server_addr(), &joined.name));
    screen.line(&text::t().online_list(&joined.users));
    screen.line(&text::t().client_help());
    let mut chat = match Chat::start(config, screen, joined, keyboard, events) {
        Ok(chat) => chat,
        Err(status) => return status,
    };
    let status = chat.run();
    chat.finish();
    status
}

/// The event loop's state: everything only it touches.
struct Chat {
    shared: Arc<Shared>,
    /// A handle on the socket, to shut it down at the end.
    stream: TcpStream,
    name: String,
    events: Receiver<Event>,
    lines: Lines,
    /// Who is online, kept up to date from the welcome and the join and
    /// leave notices, so that `/send @NAME` can refuse an unknown name
    /// before streaming a file nobody will receive.
    online: Vec<String>,
    downloads: Downloads,
    zone: TimeZone,
    /// The server says why before it closes a connection on purpose; that
    /// reason is the last line the user sees, instead of "connection lost".
    farewell: Option<String>,
    /// Whether the socket thread has reported the end of the connection
    /// (after which it has ended).
    disconnected: bool,
    socket_thread: Option<JoinHandle<()>>,
    writer_thread: Option<JoinHandle<io::Result<()>>>,
    upload_threads: Vec<JoinHandle<()>>,
}

/// What the loop does after an event.
enum Next {
    Continue,
    /// The user is done (`/quit`, or the end of input).
    Quit,
    /// The connection is gone: exit with this status.
    Exit(u8),
}

impl Chat {
    /// Starts the writer and the socket thread for a joined connection.
    /// If a thread cannot be started, says so and returns the exit status.
    fn start(
        config: Config,
        screen: Screen,
        joined: Joined,
        keyboard: Keyboard,
        events: SyncSender<Event>,
    ) -> Result<Chat, u8> {
        let Joined {
            stream,
            reader,
            name,
            users,
            max_file_size,
        } = joined;
        let outbox = Arc::new(Outbox::new(OUTBOX_BYTES));
        let threads = (|| {
            let writer_stream = stream.try_clone()?;
            let peer = peer_name(&stream);
            let (outbox, trace) = (outbox.clone(), config.trace);
            let writer = std::thread::Builder::new()
                .name("writer".to_string())
                .spawn(move || run_writer(&outbox, writer_stream, Framing::Tcp, trace, &peer))?;
            let socket = events::spawn_socket(reader, events)?;
            Ok::<_, io::Error>((writer, socket))
        })();
        let (writer, socket) = match threads {
            Ok(threads) => threads,
            Err(e) => {
                outbox.close();
                let _ = stream.shutdown(Shutdown::Both);
                screen.error(&text::t().error_line(&e.to_string()));
                return Err(EXIT_CONNECTION);
            }
        };
        let downloads = Downloads::new(config.downloads.clone());
        Ok(Chat {
            shared: Arc::new(Shared {
                config,
                outbound: Outbound { outbox },
                screen,
                uploads: Uploads::default(),
                max_file_size,
                ending: AtomicBool::new(false),
            }),
            stream,
            name,
            events: keyboard.events,
            lines: keyboard.lines,
            online: users,
            downloads,
            zone: TimeZone::from_env(),
            farewell: None,
            disconnected: false,
            socket_thread: Some(socket),
            writer_thread: Some(writer),
            upload_threads: Vec::new(),
        })
    }

    /// The event loop: handles events until the chat ends, and returns the
    /// exit status.
    fn run(&mut self) -> u8 {
        // Lines typed before the chat started (right after the name) first.
        let mut next = self.typed_lines();
        loop {
            match next {
                Next::Continue => {}
                Next::Quit => return self.quit(),
                Next::Exit(status) => return status,
            }
            next = match self.events.recv() {
                Ok(Event::Keys(bytes)) => {
                    self.lines.push(&bytes);
                    self.typed_lines()
                }
                Ok(Event::KeysEnded) => {
                    self.lines.end();
                    match self.typed_lines() {
                        Next::Continue => Next::Quit,
                        other => other,
                    }
                }
                Ok(Event::Message(message)) => {
                    self.receive(message);
                    Next::Continue
                }
                Ok(Event::BadMessage(e)) => {
                    self.shared
                        .screen
                        .line(&text::t().error_line(&e.to_string()));
                    Next::Continue
                }
                Ok(Event::Disconnected) => {
                    self.disconnected = true;
                    Next::Exit(self.lost())
                }
                // Every sender is gone: no socket thread, so no connection.
                Err(_) => Next::Exit(self.lost()),
            };
        }
    }

    /// Acts on every complete line typed so far.
    fn typed_lines(&mut self) -> Next {
        while let Some(line) = self.lines.next_line() {
            match self.typed(&line) {
                Next::Continue => {}
                other => return other,
            }
        }
        Next::Continue
    }

    /// Acts on one line the user typed.
    fn typed(&mut self, line: &str) -> Next {
        let screen = &self.shared.screen;
        let message = match input::parse(line) {
            Ok(None) => return Next::Continue,
            Ok(Some(Input::Quit)) => return Next::Quit,
            Ok(Some(Input::Help)) => {
                screen.line(&text::t().client_help());
                return Next::Continue;
            }
            Ok(Some(Input::SendFile { to, path })) => {
                self.send_file(to, path);
                return Next::Continue;
            }
            Ok(Some(Input::Say(text))) => ClientMessage::Text(Text { text, to: None }),
            Ok(Some(Input::Private { to, text })) => {
                ClientMessage::Text(Text { text, to: Some(to) })
            }
            Ok(Some(Input::List)) => ClientMessage::ListRequest,
            Err(mistake) => {
                screen.line(&mistake.hint());
                return Next::Continue;
            }
        };
        if self.shared.outbound.send(message) {
            Next::Continue
        } else {
            self.shared.screen.error(&text::t().connection_lost());
            Next::Exit(EXIT_CONNECTION)
        }
    }

    /// `/send`: checks what can be checked here, then starts the upload.
    fn send_file(&mut self, to: Option<String>, path: String) {
        if let Some(name) = to.as_deref().filter(|name| !self.is_online(name)) {
            let line = text::t().cannot_send_file(&path, &text::t().no_such_user(name));
            return self.shared.screen.line(&line);
        }
        // Uploads that are done are joined as new ones start, so that a long
        // chat does not collect finished threads.
        self.upload_threads.retain(|t| !t.is_finished());
        if let Some(thread) = upload::start(&self.shared, to, path) {
            self.upload_threads.push(thread);
        }
    }

    /// Whether `name` is online (ignoring ASCII case, as the server does).
    fn is_online(&self, name: &str) -> bool {
        let key = name_key(name);
        self.online.iter().any(|n| name_key(n) == key)
    }

    /// Handles one message from the server.
    fn receive(&mut self, message: ServerMessage) {
        let screen = &self.shared.screen;
        match message {
            ServerMessage::Ping => {
                self.shared.outbound.send(ClientMessage::Pong);
            }
            ServerMessage::FileOffer(offer) => self.downloads.offer(screen, offer),
            ServerMessage::FileChunk(chunk) => self.downloads.chunk(screen, chunk),
            ServerMessage::FileComplete(complete) => self.downloads.complete(screen, complete),
            // An error about a transfer ends that transfer, whichever way
            // it was going.
            ServerMessage::Error(error)
                if error.transfer_id.as_deref().is_some_and(|id| {
                    self.downloads.abort(screen, id, &error)
                        || self.shared.uploads.stop(id, &display::error_text(&error))
                }) => {}
            ServerMessage::Error(ErrorReport {
                code: ErrorCode::ServerShutdown,
                ..
            }) => self.farewell = Some(text::t().server_closed()),
            ServerMessage::Error(
                error @ ErrorReport {
                    code: ErrorCode::Kicked,
                    ..
                },
            ) => self.farewell = Some(display::error_text(&error)),
            other => {
                track(&mut self.online, &other);
                if let Some(line) = display::render(&other, &self.zone) {
                    screen.line(&line);
                }
            }
        }
    }

    /// The connection ended while the user was still chatting.
    fn lost(&mut self) -> u8 {
        self.downloads.abandon();
        let line = self
            .farewell
            .take()
            .unwrap_or_else(|| text::t().connection_lost());
        self.shared.screen.error(&line);
        EXIT_CONNECTION
    }

    /// Leaving politely: say goodbye, close our sending side, and give the
    /// server a moment to close its side, which means it read the goodbye.
    /// What arrives meanwhile is still shown.
    fn quit(&mut self) -> u8 {
        self.shared.ending.store(true, Ordering::SeqCst);
        self.shared.outbound.send(ClientMessage::Leave(Leave {
            name: self.name.clone(),
        }));
        self.shared.outbound.close();
        let deadline = Instant::now() + QUIT_GRACE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.events.recv_timeout(left) {
                Ok(Event::Message(message)) => self.receive(message),
                Ok(Event::Disconnected) => {
                    self.disconnected = true;
                    break;
                }
                Ok(_) => {}
                Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        self.downloads.abandon();
        self.shared.screen.line(&text::t().goodbye());
        0
    }

    /// Ends every thread but the keyboard's, and joins them: uploads stop
    /// at their next chunk, and shutting the socket down ends the socket
    /// thread's read and the writer's write.
    fn finish(&mut self) {
        self.shared.ending.store(true, Ordering::SeqCst);
        self.shared.outbound.close();
        let _ = self.stream.shutdown(Shutdown::Both);
        // The socket thread's last act is to report the end; it may be
        // waiting for room in the channel to do so.
        let deadline = Instant::now() + QUIT_GRACE;
        while !self.disconnected {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.events.recv_timeout(left) {
                Ok(Event::Disconnected) => self.disconnected = true,
                Ok(_) => {}
                Err(_) => break,
            }
        }
        if let Some(socket) = self.socket_thread.take()
            && (self.disconnected || socket.is_finished())
        {
            let _ = socket.join();
        }
        if let Some(writer) = self.writer_thread.take() {
            let _ = writer.join();
        }
        for upload in self.upload_threads.drain(..) {
            let _ = upload.join();
        }
    }
}

/// Follows the room's comings and goings in `online`.
fn track(online: &mut Vec<String>, message: &ServerMessage) {
    match message {
        ServerMessage::Joined(joined) => online.push(joined.name.clone()),
        ServerMessage::Left(left) => online.retain(|n| *n != left.name),
        ServerMessage::UserList(list) => *online = list.users.clone(),
        _ => {}
    }
}

/// Asks for names (or takes the one given) until the server accepts one.
///
/// A refused name closes the connection (the contract says so), so each
/// attempt is a new connection.
fn join(config: &Config, keyboard: &mut Keyboard, screen: &Screen) -> Result<Joined, u8> {
    let from_command_line = config.name.is_some();
    let mut given = config.name.clone();
    loop {
        let name = match given.take() {
            Some(name) => name,
            None => prompt_name(keyboard).ok_or(EXIT_CONNECTION)?,
        };
        if let Err(why) = check_name(&name) {
            screen.error(&text::t().name_refused(&why.to_string()));
            if from_command_line {
                return Err(EXIT_NAME);
            }
            continue;
        }
        let stream = connect(&config.server_addr()).map_err(|e| {
            screen.error(&text::t().cannot_connect(&config.server_addr(), &e));
            EXIT_CONNECTION
        })?;
        match ask_to_join(stream, name, config.trace) {
            Ok(joined) => return Ok(joined),
            Err(JoinRefused::Name(reason)) => {
                screen.error(&text::t().name_refused(&reason));
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

/// Sends `USER_JOIN` and waits for the answer. Nothing else is going on
/// yet, so this writes and reads the socket directly.
fn ask_to_join(mut stream: TcpStream, name: String, trace: Trace) -> Result<Joined, JoinRefused> {
    let lost = |_| JoinRefused::Other(text::t().connection_lost());
    let peer = peer_name(&stream);
    let join = ClientMessage::Join(Join { name });
    trace.frame(Direction::Sent, &peer, &join.encode());
    stream.write_all(&tcp::frame(&join)).map_err(lost)?;
    let mut reader = tcp::message_reader(stream.try_clone().map_err(lost)?, DEFAULT_MAX_FRAME)
        .traced(trace, peer);
    loop {
        match reader.read_message() {
            Ok(Some(ServerMessage::Welcome(welcome))) => {
                return Ok(Joined {
                    stream,
                    reader,
                    name: welcome.name,
                    users: welcome.users,
                    max_file_size: welcome.max_file_size,
                });
            }
            Ok(Some(ServerMessage::Error(
                error @ ErrorReport {
                    code: ErrorCode::NameTaken | ErrorCode::NameInvalid,
                    ..
                },
            ))) => return Err(JoinRefused::Name(display::error_text(&error))),
            Ok(Some(ServerMessage::Error(error))) => {
                let why = display::error_text(&error);
                return Err(JoinRefused::Other(text::t().error_line(&why)));
            }
            Ok(Some(_)) => continue,
            Ok(None) | Err(_) => return Err(JoinRefused::Other(text::t().connection_lost())),
        }
    }
}

/// The server's address as `--trace` shows it.
fn peer_name(stream: &TcpStream) -> String {
    stream
        .peer_addr()
        .map(|a| a.to_string())
        .unwrap_or_default()
}

/// Prints the prompt and waits for a name; `None` at the end of input.
fn prompt_name(keyboard: &mut Keyboard) -> Option<String> {
    print!("{}", text::t().name_prompt());
    let _ = io::stdout().flush();
    keyboard.next_line().map(|line| line.trim().to_string())
}

/// Connects to `addr`, trying each address the name resolves to (for
/// `localhost`, often both `::1` and `127.0.0.1`).
fn connect(addr: &str) -> io::Result<TcpStream> {
    let mut last_error = io::Error::new(io::ErrorKind::AddrNotAvailable, "no address found");
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
