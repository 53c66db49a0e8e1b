//! One client's session, on its own thread: join, then messages, then leave.
//!
//! The thread spends its life in a blocking `read`. The socket has a read
//! timeout (a *tick*), so the read returns every so often even when the
//! client says nothing. Each tick, the session checks whether the server is
//! shutting down and whether the client has been silent too long: a laptop
//! that went to sleep never sends a goodbye, and without a timeout its
//! thread would wait forever (`docs/06-misbehaving-peers.md`). A tick
//! comes even while bytes keep trickling in (see [`TickingStream`]).

use std::io::{self, Read};
use std::net::{SocketAddr, TcpStream};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::outbox::{Outbox, run_writer};
use super::relay::Uploads;
use super::room::{JoinError, Link, Member};
use super::{Server, say_goodbye, spawn};
use crate::connection::{MessageReader, ReadError, tune_socket};
use crate::frame::{FrameError, is_timeout};
use crate::message::{ErrorCode, LeaveReason, Message};
use crate::names::{SERVER_NAME, check_name};
use crate::text;

/// The longest a session waits in `read` before looking around.
const MAX_TICK: Duration = Duration::from_secs(1);

/// Runs a client's session to its end. Called on the session's own thread
/// with a slot already reserved; releases the slot when done.
pub(super) fn run(server: Arc<Server>, stream: TcpStream, addr: SocketAddr) {
    match start(&server, stream, addr) {
        Ok((link, id, reader, writer)) => {
            let mut session = Session {
                server: &server,
                link,
                reader,
                member: None,
                last_heard: Instant::now(),
                pinged: false,
                uploads: Uploads::default(),
            };
            // A bug that panics while handling one client's message must
            // not leave a ghost in the room: catch it here, log it, and
            // clean up as for any disconnect. (Every lock the session uses
            // tolerates a panic elsewhere; see `crate::sync::lock`.)
            let reason = match panic::catch_unwind(AssertUnwindSafe(|| session.run())) {
                Ok(reason) => reason,
                Err(_) => {
                    server.log(&text::log_session_panicked(&addr.to_string()));
                    LeaveReason::Disconnected
                }
            };
            // The slot is given back *before* the others hear that this
            // client left, so a newcomer who reacts to "X left" finds it
            // free. At shutdown it is given back last instead: shutdown
            // waits for every slot, and the goodbye must be written first.
            let release_early = !server.stopping();
            if release_early {
                server.release(Some(id));
            }
            session.finish(reason);
            let _ = writer.join();
            if !release_early {
                server.release(Some(id));
            }
        }
        Err(e) => {
            server.log(&text::log_setup_failed(&addr.to_string(), &e));
            server.release(None);
        }
    }
}

type Started = (
    Arc<Link>,
    u64,
    MessageReader<TickingStream>,
    std::thread::JoinHandle<std::io::Result<()>>,
);

/// Sets the socket up, starts the writer thread and registers the link.
fn start(server: &Server, stream: TcpStream, addr: SocketAddr) -> std::io::Result<Started> {
    let config = &server.config;
    tune_socket(&stream)?;
    let tick = tick(config.heartbeat);
    stream.set_read_timeout(Some(tick))?;
    stream.set_write_timeout(Some(config.send_timeout))?;
    let outbox = Arc::new(Outbox::new(config.queue_bytes));
    let writer_stream = stream.try_clone()?;
    let link = Arc::new(Link::new(
        addr,
        outbox.clone(),
        stream.try_clone()?,
        config.send_timeout,
    ));
    let trace = config.trace;
    let writer = spawn("writer", move || {
        run_writer(&outbox, writer_stream, trace, &addr.to_string())
    })?;
    let id = server.register(link.clone());
    let reader = MessageReader::new(TickingStream::new(stream, tick), config.max_frame)
        .traced(trace, addr.to_string());
    Ok((link, id, reader, writer))
}

/// The client's socket as the session reads it: a read reports a timeout
/// once a whole tick has gone by without one, even while bytes arrive.
///
/// The socket's own read timeout fires only when *nothing* arrives for a
/// tick, and the frame reader keeps reading until its frame is whole. So a
/// peer that sends one byte every half tick, and never a whole frame, would
/// otherwise keep the session inside `read_message` for good: never checked
/// against the heartbeat deadline, deaf to shutdown. (Web servers know this
/// attack as "slowloris".) The frame reader keeps what it has read across a
/// timeout, so nothing is lost.
struct TickingStream {
    stream: TcpStream,
    tick: Duration,
    /// When the next timeout is due, unless the socket reports one first.
    next_tick: Instant,
}

impl TickingStream {
    fn new(stream: TcpStream, tick: Duration) -> Self {
        TickingStream {
            stream,
            tick,
            next_tick: Instant::now() + tick,
        }
    }
}

impl Read for TickingStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let now = Instant::now();
        if now >= self.next_tick {
            self.next_tick = now + self.tick;
            return Err(io::ErrorKind::WouldBlock.into());
        }
        let result = self.stream.read(buf);
        if matches!(&result, Err(e) if is_timeout(e)) {
            self.next_tick = Instant::now() + self.tick;
        }
        result
    }
}

/// Ticks often enough to notice a missed heartbeat within a quarter of the
/// interval, and at least once a second to notice shutdown.
fn tick(heartbeat: Duration) -> Duration {
    (heartbeat / 4).clamp(Duration::from_millis(50), MAX_TICK)
}

/// What the session does after a message.
enum Flow {
    Continue,
    Leave(LeaveReason),
}

struct Session<'a> {
    server: &'a Server,
    link: Arc<Link>,
    reader: MessageReader<TickingStream>,
    /// Set once the client has joined under a name.
    member: Option<Arc<Member>>,
    /// When the last complete message arrived.
    last_heard: Instant,
    /// Whether a `PING` has gone out since then.
    pinged: bool,
    /// Files this client is sending through the server.
    uploads: Uploads,
}

impl Session<'_> {
    /// Reads and handles messages until the client leaves or must go.
    fn run(&mut self) -> LeaveReason {
        loop {
            if let Some(reason) = self.link.dropped() {
                return reason;
            }
            if self.server.stopping() {
                say_goodbye(&self.link);
                return LeaveReason::Disconnected;
            }
            let flow = match self.reader.read_message() {
                Ok(Some(message)) => {
                    self.last_heard = Instant::now();
                    self.pinged = false;
                    self.handle(message)
                }
                Ok(None) => Flow::Leave(LeaveReason::Disconnected),
                Err(e) if e.is_timeout() => self.on_tick(),
                Err(ReadError::Decode(e)) => {
                    self.server.log(&text::log_bad_input(&self.who(), &e));
                    self.send_error(e.code(), text::error_bad_message(&e));
                    Flow::Continue
                }
                Err(ReadError::Frame(e)) => self.on_frame_error(e),
            };
            if let Flow::Leave(reason) = flow {
                // A reason set by another thread (say, "queue full") explains
                // the failure better than the read error it caused.
                return self.link.dropped().unwrap_or(reason);
            }
        }
    }

    /// The client is gone or going: tell the room, flush, close.
    fn finish(&mut self, reason: LeaveReason) {
        if let Some(member) = self.member.take() {
            self.uploads.sender_left(self.server, &member);
            self.server.room.leave(&member, reason);
            // At shutdown everyone goes at once; the log says so already.
            if !self.server.stopping() {
                self.server.log(&text::log_left(&member.name, reason));
            }
        }
        self.link.close();
    }

    /// Silence for a whole heartbeat interval earns a `PING`; silence for
    /// two means the peer is gone.
    fn on_tick(&mut self) -> Flow {
        let heartbeat = self.server.config.heartbeat;
        let silent = self.last_heard.elapsed();
        if silent >= heartbeat * 2 {
            return Flow::Leave(LeaveReason::Timeout);
        }
        if silent >= heartbeat && !self.pinged {
            self.pinged = true;
            self.link.send(&Message::Ping);
        }
        Flow::Continue
    }

    /// A broken frame means we no longer know where the next one starts, so
    /// the connection has to close; we say why first when we can.
    fn on_frame_error(&mut self, error: FrameError) -> Flow {
        match &error {
            FrameError::TooLarge { .. } => {
                self.server.log(&text::log_bad_input(&self.who(), &error));
                self.send_error(ErrorCode::FrameTooLarge, text::error_bad_frame(&error));
            }
            FrameError::ZeroLength => {
                self.server.log(&text::log_bad_input(&self.who(), &error));
                self.send_error(ErrorCode::BadMessage, text::error_bad_frame(&error));
            }
            // The peer is gone, so there is nobody to answer; the log still
            // says that a message was cut off.
            FrameError::Truncated { .. } => {
                self.server.log(&text::log_bad_input(&self.who(), &error));
            }
            FrameError::Io(_) => {}
        }
        Flow::Leave(LeaveReason::Disconnected)
    }

    fn handle(&mut self, message: Message) -> Flow {
        let Some(member) = self.member.clone() else {
            return self.handle_before_join(message);
        };
        match message {
            Message::Text { text, to } => self.relay_text(&member, text, to),
            Message::Leave { .. } => return Flow::Leave(LeaveReason::Quit),
            Message::ListRequest => {
                let users = self
                    .server
                    .room
                    .everyone()
                    .iter()
                    .map(|m| m.name.clone())
                    .collect();
                self.link.send(&Message::UserList { users });
            }
            Message::Ping => {
                self.link.send(&Message::Pong);
            }
            Message::Pong => {}
            Message::Join { .. } => {
                self.refuse(text::log_second_join(), text::error_already_joined())
            }
            Message::FileOffer {
                name,
                transfer_id,
                size,
                to,
                ..
            } => self
                .uploads
                .offer(self.server, &member, name, transfer_id, size, to),
            Message::FileChunk {
                transfer_id,
                index,
                data,
            } => self
                .uploads
                .chunk(self.server, &member, transfer_id, index, data),
            Message::FileComplete {
                transfer_id,
                size,
                sha256,
                ..
            } => self
                .uploads
                .complete(self.server, &member, transfer_id, size, sha256),
            Message::Error { text, code, .. } => {
                let report = format!("{} ({})", text, code.as_str());
                self.server.log(&text::log_bad_input(&member.name, &report));
            }
            other => self.refuse(
                text::log_server_only(other.type_name()),
                text::error_server_only(other.type_name()),
            ),
        }
        Flow::Continue
    }

    /// Before joining, a client may only ask for a name (or answer a ping).
    fn handle_before_join(&mut self, message: Message) -> Flow {
        match message {
            Message::Join { name } => self.join(name),
            Message::Ping => {
                self.link.send(&Message::Pong);
                Flow::Continue
            }
            Message::Pong => Flow::Continue,
            Message::Leave { .. } => Flow::Leave(LeaveReason::Quit),
            other => {
                self.refuse(
                    text::log_before_join(other.type_name()),
                    text::error_join_first(),
                );
                Flow::Continue
            }
        }
    }

    /// Checks the requested name and joins the room. A refused name closes
    /// the connection, as the contract says: the client reconnects to retry.
    fn join(&mut self, name: String) -> Flow {
        let addr = self.link.addr.to_string();
        if let Err(why) = check_name(&name) {
            self.server
                .log(&text::log_refused_name(&addr, &name, &why.to_string()));
            self.send_error(
                ErrorCode::NameInvalid,
                text::error_name_invalid(&name, &why),
            );
            return Flow::Leave(LeaveReason::Disconnected);
        }
        match self
            .server
            .room
            .join(name.clone(), self.link.clone(), self.server.config.max_file)
        {
            Ok(member) => {
                let online = self.server.room.everyone().len();
                self.server
                    .log(&text::log_joined(&member.name, &addr, online));
                self.member = Some(member);
                Flow::Continue
            }
            Err(JoinError::NameTaken) => {
                self.server
                    .log(&text::log_refused_name(&addr, &name, "taken"));
                self.send_error(ErrorCode::NameTaken, text::error_name_taken(&name));
                Flow::Leave(LeaveReason::Disconnected)
            }
        }
    }

    /// Relays a chat message to everyone else, or to one user.
    fn relay_text(&mut self, member: &Arc<Member>, text: String, to: Option<String>) {
        let max = self.server.config.max_text;
        if text.len() > max {
            self.send_error(
                ErrorCode::TextTooLong,
                text::error_text_too_long(text.len(), max),
            );
            return;
        }
        member.count_message();
        let timestamp = crate::localtime::now_unix();
        match to {
            None => {
                self.server.log(&text::log_public(&member.name, &text));
                let chat = Message::Chat {
                    text,
                    sender: member.name.clone(),
                    timestamp,
                    to: None,
                };
                self.server.room.broadcast(&chat, Some(member));
            }
            Some(to) => match self.server.room.find(&to) {
                Some(target) => {
                    self.server
                        .log(&text::log_private(&member.name, &target.name, &text));
                    target.link.send(&Message::Chat {
                        text,
                        sender: member.name.clone(),
                        timestamp,
                        to: Some(target.name.clone()),
                    });
                }
                // A private message to the server is for the admin at the
                // console, who reads the log.
                None if to.eq_ignore_ascii_case(SERVER_NAME) => {
                    self.server
                        .log(&text::log_private(&member.name, SERVER_NAME, &text));
                }
                None => self.send_error(ErrorCode::UnknownUser, text::error_unknown_user(&to)),
            },
        }
    }

    /// Answers a well-formed message that is not allowed here: one line in
    /// the log saying what came, and `ERROR bad_message` to the client.
    fn refuse(&self, what: String, answer: String) {
        self.server.log(&text::log_bad_input(&self.who(), &what));
        self.send_error(ErrorCode::BadMessage, answer);
    }

    fn send_error(&self, code: ErrorCode, text: String) {
        self.link.send(&Message::Error {
            text,
            code,
            transfer_id: None,
        });
    }

    /// The client's name if it has one, else its address.
    fn who(&self) -> String {
        match &self.member {
            Some(member) => member.name.clone(),
            None => self.link.addr.to_string(),
        }
    }
}
