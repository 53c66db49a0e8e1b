//! One client's session, on its own thread: join, then messages, then leave.
//!
//! A session goes through phases ([`Phase`]): *connected* (it may ask for a
//! name, register one, or start a login, and has one heartbeat interval to
//! join), *authenticating* (half-way through a login: the server has sent
//! its challenge and waits for the proof; see [`super::login`]), then
//! *joined* (a member, in one room at a time). Each phase has its own
//! handler, so what a message means always depends on where the session
//! is, never on a flag checked here and there.
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

use super::admin::{self, Actor};
use super::arrival::{self, Transport};
use super::directory::{JoinError, Joining, Link, Member};
use super::login::{self, Finished, LoggedIn, Registrant};
use super::mutes::DEFAULT_MUTE;
use super::outbox::{Outbox, run_writer};
use super::permit::Permit;
use super::relay::Uploads;
use super::rooms::{Entered, RoomError};
use super::{Server, linger, say_goodbye, spawn};
use crate::crypto::scram::ServerFirst;
use crate::frame::is_timeout;
use crate::message::client::{Admin, Auth, HistoryRequest, RoomJoin, Text};
use crate::message::server::{AdminDone, Chat, UserList};
use crate::message::{
    AdminAction, ClientMessage, ErrorCode, ErrorReason, ErrorReport, LeaveReason, Message as _,
    Role, ServerMessage,
};
use crate::names::{SERVER_NAME, check_name, check_room_name};
use crate::server::accounts::Role as AccountRole;
use crate::text;
use crate::transport::websocket::{self, WebSocketReader};
use crate::transport::{Framing, MessageReader, ReadBody, ReadError, TransportError, tcp};

/// The longest a session waits in `read` before looking around.
const MAX_TICK: Duration = Duration::from_secs(1);

/// Runs a client's session to its end. Called on the session's own thread
/// with the connection's slot, which it gives back when done.
pub(super) fn run(server: Arc<Server>, stream: TcpStream, addr: SocketAddr, permit: Permit) {
    // Counted from `accept`, when the slot was taken.
    let join_by = permit.since() + server.config.heartbeat;
    // The first bytes decide the transport; an HTTP request for the page
    // is answered there and never becomes a session.
    let mut closing_handshake = None;
    let started = match arrival::arrive(&server, stream, addr, join_by) {
        Ok(Some(transport)) => {
            closing_handshake = transport.closing_handshake();
            start(&server, transport, addr)
        }
        Ok(None) => return,
        Err(e) => Err(e),
    };
    let (link, reader, writer) = match started {
        Ok(started) => started,
        Err(e) => {
            server.log(&text::t().log_setup_failed(&addr.to_string(), &e));
            return; // the permit goes with this frame
        }
    };
    permit.register(link.clone());
    let mut session = Session {
        server: &server,
        link,
        reader,
        phase: Phase::Connected {
            join_by,
            login: None,
        },
        last_heard: Instant::now(),
        pinged: false,
        uploads: Uploads::default(),
    };
    // A bug that panics while handling one client's message must not leave
    // a ghost in the room: catch it here, log it, and clean up as for any
    // disconnect. (Every lock the session uses tolerates a panic elsewhere;
    // see `crate::sync::lock`.)
    let reason = match panic::catch_unwind(AssertUnwindSafe(|| session.run())) {
        Ok(reason) => reason,
        Err(_) => {
            server.log(&text::t().log_session_panicked(&addr.to_string()));
            LeaveReason::Disconnected
        }
    };
    // The slot is given back *before* the others hear that this client
    // left, so a newcomer who reacts to "X left" finds it free. At shutdown
    // it is given back last instead: shutdown waits for every slot, and the
    // goodbye must be written first.
    let permit = server.stopping().then_some(permit); // else dropped right here
    session.finish(reason);
    let _ = writer.join();
    if let Some(socket) = closing_handshake {
        // The browser answers our close frame with its own: let it arrive
        // rather than reset the connection under it.
        linger(&socket);
    }
    drop(permit);
}

/// What reads one connection's messages: whichever transport it speaks
/// (chosen in [`start`]), over the ticking socket.
type Reader = MessageReader<Box<dyn ReadBody + Send>, ClientMessage>;

/// Sets the connection up for its transport and starts the writer thread.
fn start(
    server: &Server,
    transport: Transport,
    addr: SocketAddr,
) -> io::Result<(Arc<Link>, Reader, std::thread::JoinHandle<io::Result<()>>)> {
    let config = &server.config;
    let outbox = Arc::new(Outbox::new(config.queue_bytes));
    let writer_stream = transport.socket().try_clone()?;
    let link = Arc::new(Link::new(
        addr,
        outbox.clone(),
        transport.socket().try_clone()?,
        config.send_timeout,
    ));
    // The transport: how bodies are cut out of what arrives, and which
    // header goes before each body sent. This is the one place that knows
    // which: the rest of the session does not.
    let (framing, bodies): (Framing, Box<dyn ReadBody + Send>) = match transport {
        Transport::Tcp(stream) => (
            Framing::Tcp,
            Box::new(tcp::Reader::new(stream, config.max_frame)),
        ),
        Transport::WebSocket { stream, buffered } => (
            Framing::WebSocket,
            Box::new(websocket::Reader::new(
                WebSocketReader::with_buffered(stream, config.max_frame, &buffered),
                // Pongs and close frames go out through the same queue as
                // everything else, so they never cut into a message.
                outbox.clone(),
            )),
        ),
    };
    let trace = config.trace;
    let writer = spawn("writer", move || {
        run_writer(&outbox, writer_stream, framing, trace, &addr.to_string())
    })?;
    let reader = MessageReader::new(bodies).traced(trace, addr.to_string());
    Ok((link, reader, writer))
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
pub(super) struct TickingStream {
    stream: TcpStream,
    tick: Duration,
    /// When the next timeout is due, unless the socket reports one first.
    next_tick: Instant,
}

impl TickingStream {
    pub(super) fn new(stream: TcpStream, tick: Duration) -> Self {
        TickingStream {
            stream,
            tick,
            next_tick: Instant::now() + tick,
        }
    }

    /// The socket itself, for writing and for its settings.
    pub(super) fn socket(&self) -> &TcpStream {
        &self.stream
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
pub(super) fn tick(heartbeat: Duration) -> Duration {
    (heartbeat / 4).clamp(Duration::from_millis(50), MAX_TICK)
}

/// What the session does after a message.
enum Flow {
    Continue,
    Leave(LeaveReason),
}

/// Where a session is in its life. What a message means depends on it.
enum Phase {
    /// Connected, not yet joined. Only `USER_JOIN` (and `PING`, `PONG`,
    /// `USER_LEAVE`) is allowed, and only until `join_by`: a connection
    /// that has not joined by then is closed, whatever it sends meanwhile,
    /// so that idle sockets cannot hold every slot (contract section 7).
    ///
    /// `login` is set once the connection has logged in (or registered a
    /// name): `USER_JOIN` with a registered name needs it (contract §10).
    Connected {
        join_by: Instant,
        login: Option<LoggedIn>,
    },
    /// Half-way through a login: the server sent its challenge (the
    /// server-first message) and waits for the proof. Same deadline: a login
    /// is part of joining, not a way to stay longer.
    Authenticating {
        join_by: Instant,
        exchange: ServerFirst,
    },
    /// Joined under a name: a member, in one room (`lobby` at first).
    Joined(Arc<Member>),
}

struct Session<'a> {
    server: &'a Server,
    link: Arc<Link>,
    reader: Reader,
    phase: Phase,
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
                    self.server.log(&text::t().log_bad_input(&self.who(), &e));
                    self.send_error(e.code(), text::t().error_bad_message(&e));
                    Flow::Continue
                }
                Err(ReadError::Transport(e)) => self.on_transport_error(e),
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
        if let Phase::Joined(member) = &self.phase {
            self.uploads.sender_left(self.server, member);
            self.server
                .directory
                .leave(member, reason, &self.server.rooms);
            // At shutdown everyone goes at once; the log says so already.
            if !self.server.stopping() {
                self.server.log(&text::t().log_left(&member.name, reason));
            }
        }
        self.link.close();
    }

    /// Silence for a whole heartbeat interval earns a `PING`; silence for
    /// two means the peer is gone. A connection that has not joined in time
    /// goes, however lively.
    fn on_tick(&mut self) -> Flow {
        if let Some(flow) = self.check_join_deadline() {
            return flow;
        }
        let heartbeat = self.server.config.heartbeat;
        let silent = self.last_heard.elapsed();
        if silent >= heartbeat * 2 {
            return Flow::Leave(LeaveReason::Timeout);
        }
        if silent >= heartbeat && !self.pinged {
            self.pinged = true;
            self.link.send(&ServerMessage::Ping);
        }
        Flow::Continue
    }

    /// Closes a connection that is still not joined at its deadline, saying
    /// why first. `None` while there is time, or once joined.
    fn check_join_deadline(&mut self) -> Option<Flow> {
        let join_by = match &self.phase {
            Phase::Connected { join_by, .. } | Phase::Authenticating { join_by, .. } => *join_by,
            Phase::Joined(_) => return None,
        };
        if Instant::now() < join_by {
            return None;
        }
        let seconds = self.server.config.heartbeat.as_secs();
        let addr = self.link.addr.to_string();
        self.server.log(&text::t().log_join_timeout(&addr, seconds));
        let text = text::t().error_join_timeout(seconds);
        self.send(ErrorReport::new(ErrorCode::JoinTimeout, text).after(seconds));
        Some(Flow::Leave(LeaveReason::Timeout))
    }

    /// Broken framing means we no longer know where the next message
    /// starts, so the connection has to close; we say why first when we can.
    fn on_transport_error(&mut self, error: TransportError) -> Flow {
        match &error {
            TransportError::Broken { reply, .. } => {
                self.server
                    .log(&text::t().log_bad_input(&self.who(), &error));
                let mut report = ErrorReport::new(reply.clone(), text::t().error_bad_frame(&error));
                if *reply == ErrorCode::FrameTooLarge {
                    report = report.limited(self.server.config.max_frame as u64);
                }
                self.send(report);
            }
            // The peer is gone, so there is nobody to answer; the log still
            // says that a message was cut off.
            TransportError::Truncated(_) => {
                self.server
                    .log(&text::t().log_bad_input(&self.who(), &error));
            }
            TransportError::Io(_) => {}
        }
        Flow::Leave(LeaveReason::Disconnected)
    }

    fn handle(&mut self, message: ClientMessage) -> Flow {
        match &self.phase {
            Phase::Connected { .. } => self.handle_connected(message),
            Phase::Authenticating { .. } => self.handle_authenticating(message),
            Phase::Joined(member) => {
                let member = member.clone();
                self.handle_joined(&member, message)
            }
        }
    }

    /// Before joining, a client may only ask for a name, register one, or
    /// log in (or answer a ping), and only until its deadline: it cannot
    /// stay by keeping busy.
    fn handle_connected(&mut self, message: ClientMessage) -> Flow {
        if let Some(flow) = self.check_join_deadline() {
            return flow;
        }
        match message {
            ClientMessage::Join(join) => self.join(join.name),
            ClientMessage::Auth(auth) => self.start_login(auth),
            ClientMessage::Register(request) => {
                let Phase::Connected { login, .. } = &mut self.phase else {
                    return Flow::Continue;
                };
                let who = Registrant::Connected(login.as_ref());
                if let Some(registered) = login::register(self.server, &self.link, request, who) {
                    *login = Some(registered);
                }
                Flow::Continue
            }
            ClientMessage::Ping => {
                self.link.send(&ServerMessage::Pong);
                Flow::Continue
            }
            ClientMessage::Pong => Flow::Continue,
            ClientMessage::Leave(_) => Flow::Leave(LeaveReason::Quit),
            other => {
                self.refuse(
                    text::t().log_before_join(other.type_name()),
                    text::t().error_join_first(),
                    ErrorReason::JoinFirst,
                );
                Flow::Continue
            }
        }
    }

    /// Half-way through a login, the next `AUTH` is the proof. Anything
    /// else abandons the login and is taken as it would be before it.
    fn handle_authenticating(&mut self, message: ClientMessage) -> Flow {
        if let Some(flow) = self.check_join_deadline() {
            return flow;
        }
        match message {
            ClientMessage::Ping => {
                self.link.send(&ServerMessage::Pong);
                Flow::Continue
            }
            ClientMessage::Pong => Flow::Continue,
            ClientMessage::Auth(auth) if auth.mechanism.is_none() => self.finish_login(auth),
            other => {
                self.abandon_login();
                self.handle_connected(other)
            }
        }
    }

    /// `AUTH` with a client-first message: a login begins.
    fn start_login(&mut self, auth: Auth) -> Flow {
        let join_by = self.abandon_login();
        if let Some(exchange) = login::start(self.server, &self.link, auth) {
            self.phase = Phase::Authenticating { join_by, exchange };
        }
        Flow::Continue
    }

    /// `AUTH` with the client-final message: the login succeeds or fails.
    fn finish_login(&mut self, auth: Auth) -> Flow {
        let join_by = self.join_by();
        let placeholder = Phase::Connected {
            join_by,
            login: None,
        };
        let Phase::Authenticating { exchange, .. } =
            std::mem::replace(&mut self.phase, placeholder)
        else {
            return Flow::Continue;
        };
        let (join_by, login) = match login::finish(self.server, &self.link, exchange, auth) {
            Finished::LoggedIn(login) => (join_by, Some(login)),
            Finished::Failed { delayed } => (join_by + delayed, None),
            Finished::Refused => (join_by, None),
        };
        self.phase = Phase::Connected { join_by, login };
        Flow::Continue
    }

    /// Goes back to plain *connected*, forgetting any login in progress or
    /// done; returns the deadline to join, which stays.
    fn abandon_login(&mut self) -> Instant {
        let join_by = self.join_by();
        self.phase = Phase::Connected {
            join_by,
            login: None,
        };
        join_by
    }

    /// The deadline to join (the past, once joined: it no longer matters).
    fn join_by(&self) -> Instant {
        match &self.phase {
            Phase::Connected { join_by, .. } | Phase::Authenticating { join_by, .. } => *join_by,
            Phase::Joined(_) => Instant::now(),
        }
    }

    /// A member's messages: chat, files, rooms, history, questions about
    /// who is online, and for admins, actions on other users.
    fn handle_joined(&mut self, member: &Arc<Member>, message: ClientMessage) -> Flow {
        match message {
            ClientMessage::Text(Text { text, to }) => self.relay_text(member, text, to),
            ClientMessage::Leave(_) => return Flow::Leave(LeaveReason::Quit),
            ClientMessage::RoomJoin(RoomJoin { name }) => self.enter_room(member, &name),
            ClientMessage::RoomListRequest => {
                self.link.send(&self.server.rooms.list_message());
            }
            ClientMessage::History(request) => self.replay_history(member, request),
            ClientMessage::ListRequest => {
                let users = self
                    .server
                    .directory
                    .everyone()
                    .iter()
                    .map(|m| m.name.clone())
                    .collect();
                self.link.send(&ServerMessage::UserList(UserList { users }));
            }
            ClientMessage::Ping => {
                self.link.send(&ServerMessage::Pong);
            }
            ClientMessage::Pong => {}
            ClientMessage::Join(_) => self.refuse(
                text::t().log_second_join(),
                text::t().error_already_joined(),
                ErrorReason::AlreadyJoined,
            ),
            ClientMessage::FileOffer(offer) => self.uploads.offer(self.server, member, offer),
            ClientMessage::FileChunk(chunk) => self.uploads.chunk(self.server, member, chunk),
            ClientMessage::FileComplete(complete) => {
                self.uploads.complete(self.server, member, complete)
            }
            ClientMessage::Error(ErrorReport { text, code, .. }) => {
                let report = text::t().log_client_error(&text, code.as_str());
                self.server
                    .log(&text::t().log_bad_input(&member.name, &report));
            }
            ClientMessage::Register(request) => {
                let who = Registrant::Joined(member);
                login::register(self.server, &self.link, request, who);
            }
            ClientMessage::Auth(_) => self.refuse(
                text::t().log_auth_after_join(),
                text::t().error_auth_after_join(),
                ErrorReason::AuthAfterJoin,
            ),
            ClientMessage::Admin(request) => self.admin(member, request),
        }
        Flow::Continue
    }

    /// `ADMIN`: only a logged-in admin may act; the action itself is the
    /// one the console takes too ([`admin`]).
    fn admin(&self, member: &Arc<Member>, request: Admin) {
        let Admin {
            action,
            target,
            seconds,
        } = request;
        if member.role() != Role::Admin {
            self.server
                .log(&text::t().log_admin_forbidden(&member.name, action.as_str(), &target));
            let text = text::t().error_forbidden(action.as_str());
            return self.send(
                ErrorReport::new(ErrorCode::Forbidden, text).because(ErrorReason::Action(action)),
            );
        }
        let actor = Actor::Admin(member);
        let done = match action {
            AdminAction::Kick => admin::kick(self.server, actor, &target),
            AdminAction::Mute => {
                let duration = seconds.map_or(DEFAULT_MUTE, Duration::from_secs);
                admin::mute(self.server, actor, &target, duration).map(|(name, _)| name)
            }
            AdminAction::Unmute => admin::unmute(self.server, actor, &target),
            AdminAction::Op => {
                admin::set_role(self.server, actor, &target, AccountRole::Admin).map(|(n, _)| n)
            }
            AdminAction::Deop => {
                admin::set_role(self.server, actor, &target, AccountRole::Member).map(|(n, _)| n)
            }
        };
        match done {
            Ok(target) => {
                self.link
                    .send(&ServerMessage::AdminDone(AdminDone { action, target }));
            }
            Err(e) => self.send(e.report()),
        }
    }

    /// Checks the requested name and joins the room. A refused name closes
    /// the connection, as the contract says: the client reconnects to retry.
    /// A registered name without a login for it is `auth_required`, and the
    /// connection stays open to log in (contract §10).
    fn join(&mut self, name: String) -> Flow {
        let addr = self.link.addr.to_string();
        if let Err(why) = check_name(&name) {
            self.server
                .log(&text::t().log_refused_name(&addr, &name, &why.to_string()));
            let text = text::t().error_name_invalid(&name, &why);
            self.send(ErrorReport::new(ErrorCode::NameInvalid, text).about(&name));
            return Flow::Leave(LeaveReason::Disconnected);
        }
        let Phase::Connected { login, .. } = &self.phase else {
            return Flow::Continue;
        };
        let (name, role) = match (self.server.accounts.get(&name), login) {
            // Logged in as this name: the account's role, as it is now, and
            // the name as the account spells it.
            (Some(account), Some(login)) if login.is_for(&name) => {
                (account.name, account.role.into())
            }
            (Some(_), _) | (None, _) if self.server.config.members_only => {
                // One sentence for both, so that a members-only server's
                // answer does not say whether the name is registered.
                self.server.log(&text::t().log_auth_required(&name, &addr));
                let text = text::t().error_members_only(&name);
                self.send(
                    ErrorReport::new(ErrorCode::AuthRequired, text)
                        .about(&name)
                        .because(ErrorReason::MembersOnly),
                );
                return Flow::Continue;
            }
            (Some(account), _) => {
                self.server.log(&text::t().log_auth_required(&name, &addr));
                let text = text::t().error_auth_required(&account.name);
                self.send(ErrorReport::new(ErrorCode::AuthRequired, text).about(&account.name));
                return Flow::Continue;
            }
            (None, _) => (name, Role::Guest),
        };
        let server = self.server;
        let config = &server.config;
        match server
            .directory
            .join(name.clone(), self.link.clone(), &server.rooms, role, config)
        {
            Ok(Joining { member, replay }) => {
                let online = server.directory.everyone().len();
                server.log(&text::t().log_joined(&member.name, &addr, online));
                // The lobby's last messages, as on entering any room.
                if server.rooms.replays_on_join() {
                    member.room().replay(&self.link, &replay);
                }
                self.phase = Phase::Joined(member);
                Flow::Continue
            }
            Err(JoinError::NameTaken) => {
                self.server.log(&text::t().log_name_taken(&addr, &name));
                let text = text::t().error_name_taken(&name);
                self.send(ErrorReport::new(ErrorCode::NameTaken, text).about(&name));
                Flow::Leave(LeaveReason::Disconnected)
            }
        }
    }

    /// `ROOM_JOIN`: checks the name, moves the member, and replays the new
    /// room's last messages. A bad name or a full server is answered with
    /// an `ERROR`, and the member stays where it was, connected.
    fn enter_room(&mut self, member: &Arc<Member>, name: &str) {
        if let Err(why) = check_room_name(name) {
            self.server
                .log(&text::t().log_bad_room(&member.name, name, &why.to_string()));
            let text = text::t().error_room_invalid(name, &why);
            return self.send(
                ErrorReport::new(ErrorCode::NameInvalid, text)
                    .about(name)
                    .because(ErrorReason::RoomName),
            );
        }
        let rooms = &self.server.rooms;
        match rooms.enter(member, name) {
            Ok(Entered::Already(_)) => {}
            Ok(Entered::Moved { room, replay }) => {
                self.server
                    .log(&text::t().log_entered_room(&member.name, room.name()));
                if rooms.replays_on_join() {
                    room.replay(&self.link, &replay);
                }
            }
            Err(RoomError::Limit(max)) => {
                self.server
                    .log(&text::t().log_room_limit(&member.name, name, max));
                let text = text::t().error_room_limit(name, max);
                self.send(
                    ErrorReport::new(ErrorCode::RoomLimit, text)
                        .about(name)
                        .limited(max as u64),
                );
            }
        }
    }

    /// `HISTORY`: the last `limit` messages of the member's room (or those
    /// before `before`), replayed to it alone.
    fn replay_history(&mut self, member: &Arc<Member>, request: HistoryRequest) {
        let HistoryRequest { limit, before } = request;
        let room = member.room();
        let history = self.server.rooms.history();
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let entries = match before {
            Some(seq) => history.before(room.name(), seq, limit),
            None => history.last(room.name(), limit),
        };
        room.replay(&self.link, &entries);
    }

    /// Relays a chat message to the other members of the sender's room, or
    /// to one user in any room.
    fn relay_text(&mut self, member: &Arc<Member>, text: String, to: Option<String>) {
        if let Some(report) = self.server.muted(member) {
            self.link.send(&ServerMessage::Error(report));
            return;
        }
        let max = self.server.config.max_text;
        if text.len() > max {
            let (len, max) = (text.len() as u64, max as u64);
            let text = text::t().error_text_too_long(len, max);
            self.send(ErrorReport::new(ErrorCode::TextTooLong, text).sized(len, max));
            return;
        }
        member.count_message();
        match to {
            None => {
                let room = member.room();
                self.server
                    .log(&text::t().log_public(&member.name, room.name(), &text));
                self.server
                    .rooms
                    .say(&room, &member.name, text, Some(member));
            }
            // Private messages cross rooms, and carry no room.
            Some(to) => match self.server.directory.find(&to) {
                Some(target) => {
                    self.server
                        .log(&text::t().log_private(&member.name, &target.name, &text));
                    target.link.send(&ServerMessage::Chat(Chat::new(
                        text,
                        member.name.clone(),
                        crate::localtime::now_unix(),
                        Some(target.name.clone()),
                    )));
                }
                // A private message to the server is for the admin at the
                // console, who reads the log.
                None if to.eq_ignore_ascii_case(SERVER_NAME) => {
                    self.server
                        .log(&text::t().log_private(&member.name, SERVER_NAME, &text));
                }
                None => {
                    let text = text::t().error_unknown_user(&to);
                    self.send(ErrorReport::new(ErrorCode::UnknownUser, text).about(&to));
                }
            },
        }
    }

    /// Answers a well-formed message that is not allowed here: one line in
    /// the log saying what came, and `ERROR bad_message` to the client.
    fn refuse(&self, what: String, answer: String, reason: ErrorReason) {
        self.server
            .log(&text::t().log_bad_input(&self.who(), &what));
        self.send(ErrorReport::new(ErrorCode::BadMessage, answer).because(reason));
    }

    fn send_error(&self, code: ErrorCode, text: String) {
        self.send(ErrorReport::new(code, text));
    }

    /// Sends an `ERROR` with the details a client needs to say it in its
    /// own language.
    fn send(&self, report: ErrorReport) {
        self.link.send(&ServerMessage::Error(report));
    }

    /// The client's name if it has one, else its address.
    fn who(&self) -> String {
        match &self.phase {
            Phase::Joined(member) => member.name.clone(),
            Phase::Connected { .. } | Phase::Authenticating { .. } => self.link.addr.to_string(),
        }
    }
}
