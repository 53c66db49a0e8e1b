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
//! typed. (The socket thread hands over every message that has already
//! arrived in one go, so that a file's thousands of chunks do not cost a
//! wake-up of the loop each; the loop's [`Inbox`](events::Inbox) still
//! gives them out one at a time.) Because one thread decides everything,
//! the end is decided in one place too: [`run`] returns the exit status,
//! whether the user quit or the server went away.
//!
//! On a terminal, the keys go to a line editor ([`editor`]) instead of the
//! terminal's own line mode ([`terminal`] switches it to raw mode), so that
//! a message arriving while the user types is printed *above* the input
//! row, and the half-typed line is drawn again below it. With a pipe, or
//! where the terminal cannot be switched, lines are read whole as before.
//!
//! The server does not echo our own `TEXT` back, so after Enter the client
//! prints the line as everyone else sees it, but only once it knows the
//! server will take it: the welcome says how long a text may be, and the
//! join and leave notices say who is online, so the refusals the server
//! would make (too long, nobody of that name) are made here instead, and
//! replace the confirmation. A refusal that still comes from the server
//! (someone left a moment ago) is printed when it arrives.
//!
//! Sending never waits on the network: messages go into an
//! [`Outbox`](crate::server::outbox::Outbox), the same bounded queue the
//! server gives each client, and a writer thread writes them. Files go out
//! on threads of their own ([`upload`]), which wait for room in that queue
//! (half of it, so a chat line always finds room), and are joined before
//! [`run`] returns.
//!
//! - [`config`]: the command line.
//! - [`events`]: the two reading threads, what they report, and the inbox
//!   the loop reads them from.
//! - [`input`]: what the user typed: bytes into lines, lines into [`input::Input`].
//! - [`editor`] and [`terminal`]: the line editor, and the raw mode it needs.
//! - [`display`]: what an incoming message looks like on screen.
//! - [`screen`]: printing, with a progress line that updates in place, and
//!   the input line kept below everything printed.
//! - [`upload`] and [`download`]: files out and in.
//! - [`login`]: before the chat: logging in to a registered name, and
//!   reading a password without showing it.

pub mod config;
pub mod display;
pub mod download;
pub mod editor;
pub mod events;
pub mod input;
pub mod login;
pub mod screen;
pub mod terminal;
pub mod upload;

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::RecvTimeoutError;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub use config::Config;
use download::Downloads;
use events::{Event, EventSender, Inbox, ServerReader};
use input::{Input, Lines};
use login::{LoginError, Pending};
use screen::Screen;
use upload::Uploads;

use editor::{Editor, Outcome};
use terminal::{RawMode, password_from_line};

use crate::crypto::scram::Verifier;
use crate::filetypes::FileTypes;
use crate::localtime::{TimeZone, now_unix};
use crate::message::client::{Admin, HistoryRequest, Join, Leave, Register, RoomJoin, Text};
use crate::message::server::{AdminNotice, HistoryEnd, RoomWelcome, Welcome};
use crate::message::{AdminAction, ClientMessage, ErrorCode, ErrorReport, Role, ServerMessage};
use crate::names::{LOBBY, SERVER_NAME, check_name, name_key};
use crate::server::outbox::{Outbox, PushError, run_writer};
use crate::text;
use crate::transport::{Framing, Outgoing, tune_socket};

/// Exit status when the chat ended as it should: the user quit, the server
/// shut down, or the server removed us. Each is a line saying why, not an
/// error, so that `make run-client` does not report a failure.
pub const EXIT_OK: u8 = 0;
/// Exit status when the server is gone or unreachable.
pub const EXIT_CONNECTION: u8 = 1;
/// Exit status when the name given on the command line is refused.
pub const EXIT_NAME: u8 = 2;
/// Exit status when logging in or registering did not succeed (a locked
/// name, a server that failed to prove itself, a cancelled password).
pub const EXIT_LOGIN: u8 = 3;

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
    /// The server's file-type rules, from its welcome: a file they refuse
    /// is not sent at all.
    pub file_types: FileTypes,
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
    /// The room the welcome put us in (`lobby`).
    room: String,
    max_file_size: Option<u64>,
    max_text: Option<u64>,
    role: Role,
    file_types: FileTypes,
}

/// How the user's keys become lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Typing {
    /// Whole lines, as a pipe delivers them, or a terminal in its own line
    /// mode (which echoes and edits them itself).
    Lines,
    /// The keyboard is a terminal: after joining, switch it to raw mode and
    /// edit the line here, falling back to [`Typing::Lines`] if the switch
    /// fails. The name prompt before it stays in line mode.
    Editor,
}

/// Where typed lines come from: the events, cut into lines.
struct Keyboard {
    events: Inbox,
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

/// Runs the client until the chat ends, and returns the exit status: 0 when
/// it ended as it should (`/quit`, the server shut down or removed us), 1
/// when the connection was lost or never made, 2 for a refused name given
/// on the command line, 3 when logging in or registering failed.
///
/// `input` is what the user types: the keyboard, or a pipe in tests. With
/// [`Typing::Editor`], `input` must read the terminal that standard input
/// is (the same reader, never a second handle on it), since that is the
/// terminal whose mode changes.
pub fn run<I: Read + Send + 'static>(config: Config, input: I, typing: Typing) -> u8 {
    let screen = Screen::new();
    let (events, inbox) = events::channel();
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
    screen.line(&text::t().in_room_alone(&joined.room));
    screen.line(&help(joined.role));
    // Raw mode lasts as long as this guard, which the chat keeps: it is
    // dropped on the way out of this function, however it is left, a panic
    // included (unwinding runs destructors). Nothing in the client calls
    // `process::exit`.
    let raw = match typing {
        Typing::Editor => RawMode::enter().ok(),
        Typing::Lines => None,
    };
    if raw.is_some() {
        // The prompt names the room the user is in (`#lobby> `).
        let mut editor = Editor::new(&text::t().room_prompt(&joined.room), terminal::width());
        // The confirmation printed after Enter takes the typed line's place.
        editor.keep_submitted(false);
        editor.feed(&keyboard.lines.take_partial());
        screen.start_editing(editor);
    }
    let mut chat = match Chat::start(config, screen, joined, keyboard, events, raw) {
        Ok(chat) => chat,
        Err(status) => return status,
    };
    let status = chat.run();
    chat.finish();
    chat.shared.screen.stop_editing();
    drop(chat.raw.take());
    status
}

/// The event loop's state: everything only it touches.
struct Chat {
    shared: Arc<Shared>,
    /// A handle on the socket, to shut it down at the end.
    stream: TcpStream,
    name: String,
    events: Inbox,
    lines: Lines,
    /// Who is online, kept up to date from the welcome and the join and
    /// leave notices, so that `/msg @NAME` and `/send @NAME` can refuse an
    /// unknown name before sending what nobody will receive.
    online: Vec<String>,
    /// The room we are in, as the server spells it.
    room: String,
    /// `/history` requests whose answer has not come yet: their end is
    /// shown even when nothing was replayed, while an automatic replay on
    /// entering a room that had nothing to replay shows nothing.
    histories_asked: usize,
    /// The longest text the server takes, from its welcome (an older server
    /// does not say; then only the server checks).
    max_text: Option<u64>,
    downloads: Downloads,
    zone: TimeZone,
    /// What this connection may do: `/help` shows admin commands only to
    /// an admin. From the welcome, then from what the server says.
    role: Role,
    /// What the last `/register` or `/passwd` asked for, to say which one
    /// the server's `REGISTER ok` confirms.
    registering: Option<Registering>,
    /// Whether the keyboard's input has ended (it may end while a password
    /// is being asked for): the chat ends once the lines typed are done.
    input_ended: bool,
    /// Until when (Unix time) an admin muted us, as its notice said: a text
    /// typed before then is refused here, as the server would refuse it.
    muted_until: Option<i64>,
    /// The server says why before it closes a connection on purpose; that
    /// reason is the last line the user sees, instead of "connection lost",
    /// and the chat ended as it should.
    farewell: Option<String>,
    /// Whether the socket thread has reported the end of the connection
    /// (after which it has ended).
    disconnected: bool,
    socket_thread: Option<JoinHandle<()>>,
    writer_thread: Option<JoinHandle<io::Result<()>>>,
    upload_threads: Vec<JoinHandle<()>>,
    /// The terminal in raw mode, while the line editor runs.
    raw: Option<RawMode>,
}

/// Which of the two commands that send `REGISTER` is waiting for the
/// server's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Registering {
    Register,
    Passwd,
}

/// The chat's `/help`: the admin commands too for an admin.
fn help(role: Role) -> String {
    match role {
        Role::Admin => format!(
            "{}\n{}",
            text::t().client_help(),
            text::t().client_admin_help()
        ),
        _ => text::t().client_help(),
    }
}

/// What the loop does after an event.
enum Next {
    Continue,
    /// The user is done (`/quit`, Ctrl-C, Ctrl-D, or the end of input).
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
        events: EventSender,
        raw: Option<RawMode>,
    ) -> Result<Chat, u8> {
        let Joined {
            stream,
            reader,
            name,
            users,
            room,
            max_file_size,
            max_text,
            role,
            file_types,
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
                file_types,
                ending: AtomicBool::new(false),
            }),
            stream,
            name,
            events: keyboard.events,
            lines: keyboard.lines,
            online: users,
            room,
            histories_asked: 0,
            max_text,
            downloads,
            zone: TimeZone::from_env(),
            role,
            registering: None,
            input_ended: false,
            muted_until: None,
            farewell: None,
            disconnected: false,
            socket_thread: Some(socket),
            writer_thread: Some(writer),
            upload_threads: Vec::new(),
            raw,
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
                Ok(Event::Keys(bytes)) if self.shared.screen.is_editing() => {
                    self.shared.screen.feed(&bytes);
                    self.edited_lines()
                }
                Ok(Event::Keys(bytes)) => {
                    self.lines.push(&bytes);
                    self.typed_lines()
                }
                // A terminal that hangs up ends the input as Ctrl-D does.
                Ok(Event::KeysEnded) => {
                    self.lines.end();
                    self.input_ended = true;
                    self.typed_lines()
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
                    Next::Exit(self.ended())
                }
                // Every sender is gone: no socket thread, so no connection.
                Err(_) => Next::Exit(self.ended()),
            };
        }
    }

    /// Acts on every line finished in the editor so far. Ctrl-C and Ctrl-D
    /// (on an empty line) are keys in raw mode, not a signal and the end of
    /// input: both leave as `/quit` does.
    fn edited_lines(&mut self) -> Next {
        let mut entered = false;
        let next = loop {
            match self.shared.screen.next_typed() {
                None => break Next::Continue,
                Some(Outcome::Line(line)) => {
                    entered = true;
                    match self.typed(&line) {
                        Next::Continue => {}
                        other => break other,
                    }
                }
                Some(Outcome::EndOfInput | Outcome::Interrupt) => break Next::Quit,
                Some(Outcome::Suspend) => {
                    self.suspend();
                    entered = true; // the window may have changed meanwhile
                }
            }
        };
        // No signal tells us that the window was resized (std has no
        // SIGWINCH), so the width is read again after each Enter: a line
        // typed after a resize is drawn for the new width.
        if entered && matches!(next, Next::Continue) {
            self.shared.screen.set_width(terminal::width());
        }
        next
    }

    /// Acts on every complete line typed so far; once input has ended and
    /// they are done, the chat is.
    fn typed_lines(&mut self) -> Next {
        while let Some(line) = self.lines.next_line() {
            match self.typed(&line) {
                Next::Continue => {}
                other => return other,
            }
        }
        self.after_typing()
    }

    /// What follows lines acted on: while asking for a password, the input
    /// or the connection may have ended.
    fn after_typing(&mut self) -> Next {
        if self.disconnected {
            Next::Exit(self.ended())
        } else if self.input_ended {
            Next::Quit
        } else {
            Next::Continue
        }
    }

    /// A password asked for during the chat (`/register`, `/passwd`): in
    /// the editor's secret mode, which draws nothing of what is typed and
    /// keeps it out of the history, or, with plain lines, with the
    /// terminal's echo off. The server's messages are handled meanwhile.
    /// `None` when the user cancelled (Ctrl-C, Ctrl-D) or input ended.
    fn ask_secret(&mut self, prompt: &str) -> Option<String> {
        if !self.shared.screen.is_editing() {
            return login::ask_secret(prompt, || self.next_typed_line());
        }
        self.shared.screen.begin_secret(prompt);
        let line = self.next_edited_line();
        self.shared
            .screen
            .end_secret(&text::t().room_prompt(&self.room));
        password_from_line(&line?)
    }

    /// The next line typed, as whole lines come (no editor), waiting for it
    /// while the server's messages are handled as they come. `None` when
    /// input ends or the connection does (the flags say which).
    fn next_typed_line(&mut self) -> Option<String> {
        loop {
            if let Some(line) = self.lines.next_line() {
                return Some(line);
            }
            if self.input_ended || self.disconnected {
                return None;
            }
            let keys = self.wait_for_keys()?;
            self.lines.push(&keys);
        }
    }

    /// The next line finished in the editor, the same way; `None` also for
    /// Ctrl-C and Ctrl-D, which cancel a password rather than end the chat.
    fn next_edited_line(&mut self) -> Option<String> {
        loop {
            match self.shared.screen.next_typed() {
                Some(Outcome::Line(line)) => return Some(line),
                Some(Outcome::EndOfInput | Outcome::Interrupt) => return None,
                Some(Outcome::Suspend) => self.suspend(),
                None => {
                    let keys = self.wait_for_keys()?;
                    self.shared.screen.feed(&keys);
                }
            }
        }
    }

    /// Waits for the next keys, handling the server's messages meanwhile;
    /// `None` (and a flag set) when input or the connection ends.
    fn wait_for_keys(&mut self) -> Option<Vec<u8>> {
        loop {
            match self.events.recv() {
                Ok(Event::Keys(bytes)) => return Some(bytes),
                Ok(Event::KeysEnded) => {
                    self.lines.end();
                    self.input_ended = true;
                    return None;
                }
                Ok(Event::Message(message)) => self.receive(message),
                Ok(Event::BadMessage(e)) => {
                    self.shared
                        .screen
                        .line(&text::t().error_line(&e.to_string()));
                }
                Ok(Event::Disconnected) | Err(_) => {
                    self.disconnected = true;
                    return None;
                }
            }
        }
    }

    /// `/register` and `/passwd`: a new password, typed twice, becomes a
    /// verifier here, and only the verifier is sent.
    fn send_new_password(&mut self, purpose: Registering) -> Next {
        let name = self.name.clone();
        let password = match login::new_password(&name, |prompt| self.ask_secret(prompt)) {
            Ok(password) => password,
            Err(line) => {
                if !self.disconnected {
                    self.shared.screen.line(&line);
                }
                return self.after_typing();
            }
        };
        let iterations = self.shared.config.iterations;
        self.shared
            .screen
            .line(&text::t().computing_verifier(iterations));
        let verifier = match Verifier::generate(&password, iterations) {
            Ok(verifier) => verifier,
            Err(e) => {
                self.shared.screen.line(&text::t().login_refused(&e));
                return Next::Continue;
            }
        };
        self.registering = Some(purpose);
        self.send(ClientMessage::Register(Register::new(&name, &verifier)))
    }

    /// Ctrl-Z: stops the client until the shell continues it, then draws
    /// the input row again. The connection stays open meanwhile, and what
    /// the server sends waits in the socket; a server with a heartbeat
    /// drops a client stopped for longer than twice its interval
    /// (chapter 6).
    fn suspend(&mut self) {
        if let Some(raw) = &self.raw {
            // Without job control (or without `kill`) nothing stops: the
            // chat just goes on.
            let _ = raw.suspend();
        }
        self.shared.screen.redraw();
    }

    /// Acts on one line the user typed.
    fn typed(&mut self, line: &str) -> Next {
        let input = input::parse(line);
        let screen = &self.shared.screen;
        // In the editor, a command stays on screen above what it prints, as
        // in a shell; a chat line is replaced by its confirmation.
        if screen.is_editing()
            && !matches!(
                input,
                Ok(None | Some(Input::Say(_) | Input::Private { .. }))
            )
        {
            screen.line(&text::t().typed_command(&self.room, line));
        }
        match input {
            Ok(None) => Next::Continue,
            Ok(Some(Input::Quit)) => Next::Quit,
            Ok(Some(Input::Help)) => {
                screen.line(&help(self.role));
                if screen.is_editing() {
                    screen.line(&text::t().editor_help());
                }
                Next::Continue
            }
            Ok(Some(Input::Register)) if self.role != Role::Guest => {
                screen.line(&text::t().register_logged_in());
                Next::Continue
            }
            Ok(Some(Input::Register)) => self.send_new_password(Registering::Register),
            Ok(Some(Input::Passwd)) if self.role == Role::Guest => {
                screen.line(&text::t().passwd_guest());
                Next::Continue
            }
            Ok(Some(Input::Passwd)) => self.send_new_password(Registering::Passwd),
            Ok(Some(Input::Admin {
                action,
                target,
                seconds,
            })) => self.send(ClientMessage::Admin(Admin {
                action,
                target,
                seconds,
            })),
            Ok(Some(Input::SendFile { to, path })) => {
                self.send_file(to, path);
                Next::Continue
            }
            Ok(Some(Input::Say(text))) => self.say(text, None),
            Ok(Some(Input::Private { to, text })) => self.say(text, Some(to)),
            Ok(Some(Input::List)) => self.send(ClientMessage::ListRequest),
            Ok(Some(Input::Join(name))) => self.send(ClientMessage::RoomJoin(RoomJoin { name })),
            Ok(Some(Input::Rooms)) => self.send(ClientMessage::RoomListRequest),
            // Asking for the room we are in repeats the server's
            // confirmation, with the members, and tells nobody.
            Ok(Some(Input::Who)) => self.send(ClientMessage::RoomJoin(RoomJoin {
                name: self.room.clone(),
            })),
            Ok(Some(Input::History(limit))) => {
                self.histories_asked += 1;
                self.send(ClientMessage::History(HistoryRequest {
                    limit,
                    before: None,
                }))
            }
            Err(mistake) => {
                screen.line(&mistake.hint());
                Next::Continue
            }
        }
    }

    /// Sends a chat text, to everyone or to one user, and shows it as the
    /// others will see it; or, if the server would refuse it, says why and
    /// sends nothing.
    fn say(&mut self, text: String, to: Option<String>) -> Next {
        let screen = &self.shared.screen;
        if let Some(until) = self.muted_until.filter(|&until| now_unix() < until) {
            let until = self.zone.local(until).hms();
            screen.line(&text::t().error_line(&text::t().error_muted(&until)));
            return Next::Continue;
        }
        if let Some(max) = self.max_text.filter(|&max| text.len() as u64 > max) {
            let line = text::t().error_text_too_long(text.len() as u64, max);
            screen.line(&text::t().error_line(&line));
            return Next::Continue;
        }
        // The name as the server knows it (`/msg @bob` is to Bob).
        let to = match to.map(|name| self.online_name(&name).ok_or(name)) {
            None => None,
            Some(Ok(name)) => Some(name),
            Some(Err(name)) => {
                screen.line(&text::t().error_line(&text::t().no_such_user(&name)));
                return Next::Continue;
            }
        };
        let time = self.zone.local(now_unix()).hms();
        let confirmation = match &to {
            None => text::t().chat_line(&time, &self.name, &text),
            Some(to) => text::t().own_private_line(&time, to, &text),
        };
        match self.send(ClientMessage::Text(Text { text, to })) {
            Next::Continue => {
                self.shared.screen.line(&confirmation);
                Next::Continue
            }
            other => other,
        }
    }

    /// Queues a message for the server. A queue that takes nothing more
    /// means the connection is closing or gone: the chat ends.
    fn send(&mut self, message: ClientMessage) -> Next {
        if self.shared.outbound.send(message) {
            Next::Continue
        } else {
            Next::Exit(self.ended())
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
        self.find_online(name).is_some()
    }

    /// The name of whoever online `name` means, spelt as they chose it.
    fn find_online(&self, name: &str) -> Option<&String> {
        let key = name_key(name);
        self.online.iter().find(|n| name_key(n) == key)
    }

    /// Who a private message to `name` reaches, spelt as the server spells
    /// it: someone online, or the server's console. `None`: nobody.
    fn online_name(&self, name: &str) -> Option<String> {
        if name.eq_ignore_ascii_case(SERVER_NAME) {
            return Some(SERVER_NAME.to_string());
        }
        self.find_online(name).cloned()
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
            ServerMessage::Registered(registered) => {
                let line = match self.registering.take() {
                    Some(Registering::Passwd) => text::t().password_changed(&registered.name),
                    _ => text::t().registered(&registered.name),
                };
                if self.role == Role::Guest {
                    self.role = Role::Member;
                }
                screen.line(&line);
            }
            ServerMessage::AdminDone(done) => {
                screen.line(&text::t().admin_done(done.action, &done.target));
            }
            ServerMessage::AdminNotice(notice) => {
                self.role = role_after(self.role, &notice);
                match notice.action {
                    AdminAction::Mute => self.muted_until = notice.until,
                    AdminAction::Unmute => self.muted_until = None,
                    _ => {}
                }
                let until = notice.until.map(|t| self.zone.local(t).hms());
                screen.line(&text::t().admin_notice(notice.action, &notice.by, until.as_deref()));
            }
            ServerMessage::RoomWelcome(RoomWelcome { room, members, .. }) => {
                // In a new room, or the answer to `/who`: either way, where
                // we are and who is there.
                screen.line(&text::t().in_room(&room, &members));
                screen.set_prompt(&text::t().room_prompt(&room));
                self.room = room;
            }
            ServerMessage::HistoryEnd(HistoryEnd { room, count }) => {
                let asked = self.histories_asked > 0;
                self.histories_asked = self.histories_asked.saturating_sub(1);
                if count > 0 || asked {
                    screen.line(&text::t().history_end(&room, count));
                }
            }
            other => {
                track(&mut self.online, &other);
                let earlier = matches!(&other, ServerMessage::Chat(chat) if chat.history);
                match display::render(&other, &self.zone) {
                    Some(line) if earlier => screen.earlier(&line),
                    Some(line) => screen.line(&line),
                    None => {}
                }
            }
        }
    }

    /// The connection ended while the user was still chatting: on purpose,
    /// if the server said why first (it shut down, or removed us), and that
    /// is a normal ending; else it was lost.
    fn ended(&mut self) -> u8 {
        self.downloads.abandon();
        match self.farewell.take() {
            Some(farewell) => {
                self.shared.screen.line(&farewell);
                EXIT_OK
            }
            None => {
                self.shared.screen.error(&text::t().connection_lost());
                EXIT_CONNECTION
            }
        }
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
        EXIT_OK
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

/// This connection's role after an admin's action on it.
fn role_after(role: Role, notice: &AdminNotice) -> Role {
    match notice.action {
        AdminAction::Op => Role::Admin,
        AdminAction::Deop => Role::Member,
        _ => role,
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

/// Asks for names (or takes the one given) until the server accepts one,
/// logging in when the name is registered (see [`login`]).
///
/// A refused name closes the connection (the contract says so), so each
/// attempt is a new connection. A registered name's `auth_required` keeps
/// it open, and the login happens on it.
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
        let mut pending = open(config, screen)?;
        if config.register {
            register_first(config, keyboard, screen, &mut pending, &name)?;
        }
        match ask_to_join(&mut pending, &name) {
            Ok(welcome) => return Ok(Joined::new(pending, welcome)),
            Err(JoinRefused::Name(reason)) => {
                screen.error(&text::t().name_refused(&reason));
                if from_command_line {
                    return Err(EXIT_NAME);
                }
            }
            Err(JoinRefused::AuthRequired(reason)) => {
                screen.line(&text::t().error_line(&reason));
                return log_in_and_join(config, keyboard, screen, pending, &name);
            }
            Err(JoinRefused::Other(line)) => {
                screen.error(&line);
                return Err(EXIT_CONNECTION);
            }
        }
    }
}

/// Connects to the server, ready to join.
fn open(config: &Config, screen: &Screen) -> Result<Pending, u8> {
    let failed = |e: io::Error| {
        screen.error(&text::t().cannot_connect(&config.server_addr(), &e));
        EXIT_CONNECTION
    };
    let stream = connect(&config.server_addr()).map_err(failed)?;
    Pending::new(stream, config.trace).map_err(failed)
}

/// `--register`: a new password, typed twice, and `REGISTER` before
/// `USER_JOIN`. The server then counts this connection as logged in.
fn register_first(
    config: &Config,
    keyboard: &mut Keyboard,
    screen: &Screen,
    pending: &mut Pending,
    name: &str,
) -> Result<(), u8> {
    let ask = |prompt: &str| login::ask_secret(prompt, || keyboard.next_line());
    let password = login::new_password(name, ask).map_err(|line| {
        screen.error(&line);
        EXIT_LOGIN
    })?;
    screen.line(&text::t().computing_verifier(config.iterations));
    let verifier = Verifier::generate(&password, config.iterations).map_err(|e| {
        screen.error(&text::t().login_refused(&e));
        EXIT_LOGIN
    })?;
    match login::register(pending, name, &verifier) {
        Ok(()) => {
            screen.line(&text::t().registered(name));
            Ok(())
        }
        Err(Some(report)) => {
            screen.error(&text::t().error_line(&display::error_text(&report)));
            Err(match report.code {
                ErrorCode::NameTaken | ErrorCode::NameInvalid => EXIT_NAME,
                _ => EXIT_LOGIN,
            })
        }
        Err(None) => {
            screen.error(&text::t().connection_lost());
            Err(EXIT_CONNECTION)
        }
    }
}

/// A registered name: asks for its password and logs in, again after a
/// wrong one, then joins.
fn log_in_and_join(
    config: &Config,
    keyboard: &mut Keyboard,
    screen: &Screen,
    mut pending: Pending,
    name: &str,
) -> Result<Joined, u8> {
    loop {
        let prompt = text::t().password_prompt(name);
        let Some(password) = login::ask_secret(&prompt, || keyboard.next_line()) else {
            screen.error(&text::t().login_cancelled());
            return Err(EXIT_LOGIN);
        };
        let mut result = login::log_in(&mut pending, name, &password);
        if matches!(result, Err(LoginError::Lost)) {
            // The server closes a connection that has not joined within its
            // heartbeat interval, and typing a password can take longer:
            // once more on a new connection, with the password we have.
            pending = open(config, screen)?;
            result = login::log_in(&mut pending, name, &password);
        }
        let failed = |line: String, status| {
            screen.error(&line);
            Err(status)
        };
        match result {
            Ok(role) => {
                screen.line(&text::t().logged_in(name, role));
                return match ask_to_join(&mut pending, name) {
                    Ok(welcome) => Ok(Joined::new(pending, welcome)),
                    Err(JoinRefused::Name(line)) => {
                        failed(text::t().name_refused(&line), EXIT_NAME)
                    }
                    Err(JoinRefused::AuthRequired(line)) => {
                        failed(text::t().error_line(&line), EXIT_LOGIN)
                    }
                    Err(JoinRefused::Other(line)) => failed(line, EXIT_CONNECTION),
                };
            }
            Err(LoginError::Wrong) => screen.line(&text::t().wrong_password()),
            Err(LoginError::Server(_, reason)) => {
                return failed(text::t().error_line(&reason), EXIT_LOGIN);
            }
            Err(LoginError::Impostor) => {
                return failed(
                    text::t().server_failed_proof(&config.server_addr()),
                    EXIT_LOGIN,
                );
            }
            Err(LoginError::Refused(e)) => return failed(text::t().login_refused(&e), EXIT_LOGIN),
            Err(LoginError::Lost) => return failed(text::t().connection_lost(), EXIT_CONNECTION),
        }
    }
}

/// Why the server did not let us in.
enum JoinRefused {
    /// The name was refused; another may work.
    Name(String),
    /// The name is registered (or the server admits members only): log in
    /// first, on the same connection. The server's sentence.
    AuthRequired(String),
    /// Anything else (server full, connection lost): the line to print.
    Other(String),
}

/// Sends `USER_JOIN` and waits for the answer. After `auth_required` the
/// connection is still open, to log in on.
fn ask_to_join(pending: &mut Pending, name: &str) -> Result<Welcome, JoinRefused> {
    let lost = || JoinRefused::Other(text::t().connection_lost());
    let join = ClientMessage::Join(Join {
        name: name.to_string(),
    });
    pending.send(&join).map_err(|_| lost())?;
    loop {
        match pending.receive() {
            Some(ServerMessage::Welcome(welcome)) => return Ok(welcome),
            Some(ServerMessage::Error(
                error @ ErrorReport {
                    code: ErrorCode::NameTaken | ErrorCode::NameInvalid,
                    ..
                },
            )) => return Err(JoinRefused::Name(display::error_text(&error))),
            Some(ServerMessage::Error(
                error @ ErrorReport {
                    code: ErrorCode::AuthRequired,
                    ..
                },
            )) => return Err(JoinRefused::AuthRequired(display::error_text(&error))),
            Some(ServerMessage::Error(error)) => {
                let why = display::error_text(&error);
                return Err(JoinRefused::Other(text::t().error_line(&why)));
            }
            Some(_) => continue,
            None => return Err(lost()),
        }
    }
}

impl Joined {
    /// The connection the server welcomed, and what its welcome said.
    fn new(pending: Pending, welcome: Welcome) -> Joined {
        Joined {
            stream: pending.stream,
            reader: pending.reader,
            name: welcome.name,
            users: welcome.users,
            // A server older than rooms has one room, which the protocol
            // calls the lobby.
            room: welcome.room.unwrap_or_else(|| LOBBY.to_string()),
            max_file_size: welcome.max_file_size,
            max_text: welcome.max_text,
            role: welcome.role.unwrap_or(Role::Guest),
            file_types: welcome.file_types.unwrap_or_default(),
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
