//! The chat server: an accept loop, a thread per client, an admin console.
//!
//! ```text
//!                 ┌──────────────┐  accept   ┌─────────────────────────────┐
//!  clients ──────▶│ TcpListener  │──────────▶│ session thread (one per     │
//!                 └──────────────┘           │ client): read, decide, queue│
//!                                            └──────────────┬──────────────┘
//!                                            │ shared message bodies
//!                                            ┌──────────────▼──────────────┐
//!  clients ◀──────────────────────────────── │ writer thread (one per      │
//!                                            │ client): drain its Outbox,  │
//!                                            │ a header before each body   │
//!                                            └─────────────────────────────┘
//! ```
//!
//! - [`config`]: settings and limits, from the command line.
//! - [`permit`]: connection slots, each given back when its holder is done.
//! - `arrival`: a new connection's first byte picks its transport; HTTP
//!   requests (the browser page, the WebSocket upgrade) are answered there.
//! - [`session`]: one client's life, phase by phase: connected, joined.
//! - [`directory`]: who is online: names, private delivery, kick, and the
//!   notices that someone joined or left the server.
//! - [`rooms`]: which room each member is in, and a room's messages,
//!   numbered and kept in its history ([`history`]). The lock order between
//!   the two is written at the top of both files: directory, then rooms.
//! - [`outbox`]: each client's bounded queue and its writer thread.
//! - [`relay`]: files passing through: checked, copied, forwarded chunk by chunk.
//! - [`console`]: the admin commands typed on the server's stdin.
//! - [`accounts`], [`lockout`], [`mutes`], [`admin`]: registered names and
//!   their file, the limit on guessing passwords, who is muted, and the
//!   admin actions the console and an admin's client share.
//! - [`durable`]: the temporary name and the folder sync that the accounts
//!   file and the history's compaction replace files with.
//!
//! The entry point, [`serve`], takes a listener that is already bound, so the
//! binary (port 8888) and the tests (port 0) run exactly the same code.
//! `docs/04-one-thread-per-client.md` walks through it.

pub mod accounts;
pub mod admin;
mod arrival;
pub mod config;
pub mod console;
pub mod directory;
pub mod durable;
pub mod history;
pub mod lockout;
pub mod login;
pub mod mutes;
pub mod outbox;
pub mod permit;
pub mod relay;
pub mod rooms;
pub mod session;
pub mod web;

use std::io::{self, BufRead, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use accounts::{Accounts, LoadError, SecretError};
pub use config::Config;
use directory::{Directory, Link, Member};
use history::{History, HistoryError, Options};
use lockout::Lockout;
use mutes::Mutes;
use permit::Slots;
use rooms::Rooms;

use crate::crypto::scram::ServerSecret;
use crate::localtime::{TimeZone, now_unix};
use crate::message::{ErrorCode, ErrorReport, ServerMessage};
use crate::sync::lock;
use crate::text;
use crate::transport::{Ending, tcp};

/// Stack size for the per-client threads. They parse JSON without recursion
/// and hold little on the stack, and with two threads per client, the 8 MiB
/// default would reserve 16 GiB of address space for a thousand clients.
const THREAD_STACK: usize = 256 * 1024;

/// How long shutdown waits for clients' queues to drain before it gives up.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// State shared by every thread of a running server.
pub struct Server {
    pub config: Config,
    pub directory: Directory,
    pub rooms: Rooms,
    local_addr: SocketAddr,
    time_zone: TimeZone,
    stopping: AtomicBool,
    /// Numbers the transfers the server relays, so their ids are unique.
    transfers: AtomicU64,
    /// One slot per open connection, joined or not, up to `--max-clients`.
    slots: Arc<Slots>,
    /// Registered names, their verifiers and roles (contract §10).
    pub accounts: Accounts,
    /// What makes a login for an unknown name look like a real one.
    pub secret: ServerSecret,
    /// Where the secret is kept, and whether it is there yet: it is written
    /// before the first account is ([`Server::keep_secret`]).
    secret_path: PathBuf,
    secret_kept: Mutex<bool>,
    /// Failed logins, per name and per address.
    pub lockout: Lockout,
    /// Registrations, per address (see [`Lockout::check_address`]).
    pub registrations: Lockout,
    /// Who is muted, until when (contract §11).
    pub mutes: Mutes,
}

impl Server {
    /// True once shutdown has begun; every loop checks it.
    pub fn stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// Prints one timestamped line to the server's log (stdout).
    pub fn log(&self, line: &str) {
        say(&format!(
            "[{}] {line}",
            self.time_zone.local(now_unix()).hms()
        ));
    }

    /// A Unix time as a local date and time, for the console.
    pub fn local_date_time(&self, unix: i64) -> String {
        self.time_zone.local(unix).date_time()
    }

    /// Begins shutdown: sets the flag, then unblocks the accept loop.
    ///
    /// `accept()` blocks, and std offers no way to interrupt it from another
    /// thread, so we connect to ourselves: the accept loop wakes up with that
    /// connection, sees the flag and stops.
    pub fn stop(&self) {
        if self.stopping.swap(true, Ordering::SeqCst) {
            return;
        }
        let _ = TcpStream::connect_timeout(&wake_addr(self.local_addr), Duration::from_secs(1));
    }

    /// A transfer id no other transfer through this server has had.
    pub fn next_transfer_id(&self) -> String {
        format!("t{}", self.transfers.fetch_add(1, Ordering::Relaxed) + 1)
    }

    /// How many connections are open (joined or not).
    pub fn connection_count(&self) -> usize {
        self.slots.in_use()
    }

    /// Makes sure the server's secret is on disk, before an account that
    /// it protects is: from then on, unknown names get the same salts after
    /// a restart (see [`accounts::secret_path`]'s module).
    pub fn keep_secret(&self) -> io::Result<()> {
        let mut kept = lock(&self.secret_kept);
        if !*kept {
            accounts::keep_secret(&self.secret_path, &self.secret)?;
            self.log(&text::t().log_new_secret(&self.secret_path));
            *kept = true;
        }
        Ok(())
    }

    /// The `ERROR muted` for `member`'s `TEXT` or `FILE`, if an admin has
    /// muted it; `None` when it may speak.
    pub fn muted(&self, member: &Member) -> Option<ErrorReport> {
        let now = Instant::now();
        let until = self.mutes.muted_until(&member.name, now)?;
        let until = unix_time_of(until, now);
        Some(
            ErrorReport::new(
                ErrorCode::Muted,
                text::t().error_muted(&self.local_date_time(until)),
            )
            .until(until),
        )
    }
}

/// The Unix time (whole seconds, rounded up) of a moment on the monotonic
/// clock: mutes and locks are kept on the monotonic clock, so that setting
/// the system's time cannot stretch them, and told to clients as the
/// contract's `until: T`. Rounded up, so that a client that waits until `T`
/// has waited long enough.
pub fn unix_time_of(moment: Instant, now: Instant) -> i64 {
    let left = moment.saturating_duration_since(now);
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .saturating_add(left);
    let seconds = since_epoch.as_secs() + u64::from(since_epoch.subsec_nanos() > 0);
    i64::try_from(seconds).unwrap_or(i64::MAX)
}

/// Prints a line on the console. Unlike `println!`, it does not panic when
/// stdout is closed: the server keeps serving with nobody watching.
pub fn say(line: &str) {
    let mut out = io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// The address a self-connection should use to reach `addr`: a server bound
/// to "every interface" (0.0.0.0 or ::) is reached through loopback.
fn wake_addr(addr: SocketAddr) -> SocketAddr {
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => (Ipv4Addr::LOCALHOST, addr.port()).into(),
        IpAddr::V6(ip) if ip.is_unspecified() => (Ipv6Addr::LOCALHOST, addr.port()).into(),
        _ => addr,
    }
}

/// Spawns a named thread with the small per-client stack.
fn spawn<F, T>(name: &str, f: F) -> io::Result<thread::JoinHandle<T>>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    thread::Builder::new()
        .name(name.to_string())
        .stack_size(THREAD_STACK)
        .spawn(f)
}

/// Why [`serve`] could not run.
#[derive(Debug)]
pub enum ServeError {
    /// The listener or a thread failed.
    Io(io::Error),
    /// The history folder cannot be used (see [`HistoryError`]).
    History(HistoryError),
    /// The accounts file is damaged or unreadable; it is left as it was.
    Accounts(LoadError),
    /// The server's secret could not be read or kept.
    Secret(SecretError),
}

impl From<io::Error> for ServeError {
    fn from(e: io::Error) -> Self {
        ServeError::Io(e)
    }
}

/// Opens the rooms' history as the configuration says: a folder on disk
/// (`--history DIR`, `files/history/` by default) read back, or memory
/// only (`--no-history`). Returns it with the lines that report what the
/// folder held, for the console.
fn open_history(config: &Config) -> Result<(History, Vec<String>), HistoryError> {
    if config.no_history {
        return Ok((History::in_memory(config.history_keep), Vec::new()));
    }
    let options = Options::new(config.history_keep);
    let (history, report) = History::open(&config.history_dir(), options)?;
    Ok((history, report.log_lines()))
}

/// Runs the server on `listener` until `/quit` is typed on `console` (or
/// [`Server::stop`] is called). End of console input does not stop it: a
/// server started in the background has no console.
///
/// The accounts file, the server's secret and the history are read first:
/// a damaged one stops the server before it listens, rather than letting it
/// serve with names missing that someone registered, or numbering that
/// starts again.
pub fn serve<C>(listener: TcpListener, config: Config, console: C) -> Result<(), ServeError>
where
    C: BufRead + Send + 'static,
{
    let local_addr = listener.local_addr()?;
    let accounts_path = config.accounts_path();
    let accounts = Accounts::load(&accounts_path).map_err(ServeError::Accounts)?;
    let secret_path = accounts::secret_path(&accounts_path);
    let kept = accounts::load_secret(&secret_path).map_err(ServeError::Secret)?;
    let secret_kept = kept.is_some();
    let secret = match kept {
        Some(secret) => secret,
        None => ServerSecret::generate().map_err(ServeError::Io)?,
    };
    // Before the first client: numbering must continue where it stopped.
    let (history, opened) = open_history(&config).map_err(ServeError::History)?;
    let server = Arc::new(Server {
        slots: Slots::new(config.max_clients),
        rooms: Rooms::new(history, config.max_rooms, config.history_on_join),
        directory: Directory::new(),
        lockout: Lockout::new(config.lock_window),
        registrations: Lockout::new(config.lock_window),
        config,
        local_addr,
        time_zone: TimeZone::from_env(),
        stopping: AtomicBool::new(false),
        transfers: AtomicU64::new(0),
        accounts,
        secret,
        secret_path,
        secret_kept: Mutex::new(secret_kept),
        mutes: Mutes::new(),
    });
    say(&text::t().listening(&local_addr.to_string()));
    say(&text::t().browser_hint(
        &browser_url(&server.config.host, local_addr),
        local_addr.ip().is_unspecified(),
    ));
    for line in opened {
        say(&line);
    }
    say(&text::t().console_help());
    // Accounts without their secret (the file was moved without it): keep
    // one now, before anyone can note an unknown name's salt.
    if !server.accounts.is_empty() {
        server.keep_secret().map_err(|e| {
            ServeError::Secret(SecretError {
                path: server.secret_path.clone(),
                problem: accounts::SecretProblem::Io(e),
            })
        })?;
    }
    server.log(&text::t().log_accounts_loaded(server.accounts.len(), &accounts_path));

    {
        let server = server.clone();
        spawn("console", move || console::run(&server, console))?;
    }

    accept_loop(&server, &listener);
    turn_away_the_rest(&listener);
    drop(listener);
    shut_down(&server);
    Ok(())
}

/// Failed `accept`s in a row, with no connection open, after which the
/// listener counts as broken and the server shuts down (at the pause
/// below, about ten seconds).
const MAX_ACCEPT_FAILURES: u32 = 100;

fn accept_loop(server: &Arc<Server>, listener: &TcpListener) {
    let mut failures = 0;
    for stream in listener.incoming() {
        if server.stopping() {
            // Accepted after `/quit`: told, not dropped without a word.
            // (It is often our own wake-up connection; telling that one
            // costs nothing.)
            if let Ok(stream) = stream {
                tell_and_close(stream, &goodbye());
            }
            break;
        }
        let stream = match stream {
            Ok(stream) => {
                failures = 0;
                stream
            }
            Err(e) => {
                // Typically the process ran out of file descriptors: every
                // socket is one. That clears when a connection closes, so
                // pause briefly instead of spinning on the same error. Only
                // failures while *no* connection is open count towards
                // giving up: then nothing can free anything, and the
                // listener itself must be broken. (Counting every failure
                // would let anyone who holds enough connections open stop
                // the server.)
                server.log(&text::t().log_accept_failed(&e));
                failures = if server.connection_count() == 0 {
                    failures + 1
                } else {
                    0
                };
                if failures >= MAX_ACCEPT_FAILURES {
                    server.stopping.store(true, Ordering::SeqCst);
                    break;
                }
                thread::sleep(Duration::from_millis(100));
                continue;
            }
        };
        let addr = match stream.peer_addr() {
            Ok(addr) => addr,
            Err(_) => continue, // already gone
        };
        let Some(permit) = server.slots.try_acquire() else {
            refuse_full(server, stream, addr);
            continue;
        };
        // The permit moves into the thread; if the thread cannot start, the
        // closure is dropped, and the permit with it.
        let session_server = server.clone();
        let _ = spawn("session", move || {
            session::run(session_server, stream, addr, permit)
        });
    }
}

/// The address of the chat page, for the start-up lines: the host as the
/// admin gave it (a browser on this machine resolves `localhost` itself),
/// or `localhost` for a server on every interface.
fn browser_url(host: &str, local_addr: SocketAddr) -> String {
    let host = if local_addr.ip().is_unspecified() {
        "localhost"
    } else {
        host
    };
    format!("http://{}/", crate::cli::host_port(host, local_addr.port()))
}

/// Tells a connection over the client limit why it is turned away.
///
/// Closing a socket that still has unread bytes (the client's `USER_JOIN`,
/// most likely) makes the kernel send a reset instead of a clean end, and
/// some systems then throw away our error before the client reads it. So
/// the refusal half-closes, reads what the client sent for a moment, and
/// only then closes; on a thread of its own, so `accept` goes on meanwhile.
fn refuse_full(server: &Server, mut stream: TcpStream, addr: SocketAddr) {
    server.log(&text::t().log_server_full(&addr.to_string(), server.config.max_clients));
    let _ = spawn("refuse", move || {
        let _ = stream.set_write_timeout(Some(REFUSAL_GRACE));
        let _ = stream.set_read_timeout(Some(REFUSAL_GRACE));
        let refusal = ServerMessage::Error(ErrorReport::new(
            ErrorCode::ServerFull,
            text::t().error_server_full(),
        ));
        if stream.write_all(&tcp::frame(&refusal)).is_ok() {
            linger(&stream);
        }
    });
}

/// How long a refused connection may take to read its refusal.
const REFUSAL_GRACE: Duration = Duration::from_secs(1);

/// Most bytes [`linger`] reads from a peer before closing anyway.
const LINGER_BYTES: usize = 256 * 1024;

/// Ends a connection whose last words have been written, so that the peer
/// gets to read them.
///
/// Closing a socket while bytes the peer sent are still unread in it makes
/// the kernel send a reset instead of a clean end, and the peer's kernel
/// may then throw away what we wrote before the peer read it: a browser
/// that sent its request and more would lose our answer. So: half-close
/// (the peer reads our answer, then the end of the stream), read and drop
/// whatever the peer still sends until it closes too, and only then close;
/// for [`REFUSAL_GRACE`] and [`LINGER_BYTES`] at most, so that a peer that
/// keeps sending cannot keep us here.
pub(crate) fn linger(stream: &TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let deadline = Instant::now() + REFUSAL_GRACE;
    let mut left = LINGER_BYTES;
    let mut buf = [0u8; 4096];
    while left > 0 {
        let wait = deadline.saturating_duration_since(Instant::now());
        if wait.is_zero() || stream.set_read_timeout(Some(wait)).is_err() {
            return;
        }
        match (&*stream).read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => left = left.saturating_sub(n),
        }
    }
}

/// The last message every connection gets when the server stops.
fn goodbye() -> ServerMessage {
    ServerMessage::Error(ErrorReport::new(
        ErrorCode::ServerShutdown,
        text::t().error_server_shutdown(),
    ))
}

/// Tells one client that the server is shutting down, and closes its
/// outbox behind that message. Both the shutdown below and a session that
/// notices the shutdown first call this; whichever comes second finds the
/// outbox closed, so the client hears it once.
fn say_goodbye(link: &Link) {
    link.send(&goodbye());
    link.close_because(Ending::GoingAway);
}

/// Connections still waiting in the listen backlog when shutdown begins:
/// the kernel completed their handshake, so their programs believe they are
/// connected. Closing the listener would reset them without a word; each
/// is accepted and told instead, right here (the backlog is short, and
/// nothing here waits on a peer).
fn turn_away_the_rest(listener: &TcpListener) {
    if listener.set_nonblocking(true).is_err() {
        return;
    }
    while let Ok((stream, _)) = listener.accept() {
        tell_and_close(stream, &goodbye());
    }
}

/// Writes one message to a connection that has no session, without waiting
/// on the peer, and closes it. Whatever the peer already sent is read first
/// (it is in our buffers: no waiting), so that the close is a clean end of
/// stream and not a reset that could wipe out the message unread.
fn tell_and_close(stream: TcpStream, message: &ServerMessage) {
    // Some systems hand out accepted sockets non-blocking when the
    // listener is; a short write timeout bounds the write either way.
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_write_timeout(Some(Duration::from_millis(100)));
    if (&stream).write_all(&tcp::frame(message)).is_ok() {
        let _ = stream.shutdown(Shutdown::Write);
        let _ = stream.set_nonblocking(true);
        let _ = io::copy(&mut (&stream).take(64 * 1024), &mut io::sink());
    }
}

/// Tells every client the server is going, lets their queues drain, and
/// waits (a bounded time) for their threads to finish.
fn shut_down(server: &Server) {
    say(&text::t().shutting_down());
    for link in server.slots.links() {
        say_goodbye(&link);
    }
    server
        .slots
        .wait_until_all_released(Instant::now() + SHUTDOWN_GRACE);
    // Every session has ended, so nothing more is said: the history writes
    // and syncs what it still holds, and lets go of its folder.
    let history = server.rooms.history();
    let progress = history.shutdown();
    if history.dir().is_some() {
        say(&text::t().history_closed(&progress));
    }
    say(&text::t().stopped());
}
