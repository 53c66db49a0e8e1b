//! The join storm: N clients (5,000 unless `SOCKET_CHAT_STORM_CLIENTS`
//! says otherwise) join one chat server one after another, every one of
//! them reading everything it is sent; then the first client broadcasts
//! one line, and we time how long until every other client has it.
//!
//! Each join is a whole round: connect, send a name, and wait until the
//! server has let the newcomer in, as far as a client can tell: our server
//! answers with a welcome (with everyone's names); the peer answers nothing,
//! so there the round ends when the first client has been told of the
//! newcomer. A server also owes everyone already there a notice of each
//! join (N²/2 notices over the storm, 12.5 million at 5,000). It may let
//! the next client in before all of them are delivered; the broadcast after
//! the storm, queued behind whatever is still undelivered, shows what it
//! still owed. So the table has both: how fast clients got in, and how long
//! until everyone had heard everything.
//!
//! Three servers take the same storm in the same run:
//! - **ours**, the release `chat-server`;
//! - **the peer**, the chat example of tokio-rs/tokio (a popular async
//!   Rust server), when `SOCKET_CHAT_PEER_CHAT` names its binary; its
//!   protocol is lines (a name, then one line per message), so the load
//!   generator speaks lines to it;
//! - **naive**, the thread-per-client server in `chat.rs` whose joiner's
//!   thread writes the notice into every socket itself (our protocol; it
//!   runs inside this process, so it has no memory or CPU figures).
//!
//! The load generator must not be what is measured. Two reader threads
//! share the sockets and sleep in `epoll` until some have bytes (see
//! `epoll.rs`); the reader of a frame only looks at its first bytes. The
//! table prints the generator's own CPU time next to the server's.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use super::epoll::Poller;
use super::{kb, naive_server, proc_status_kb, start_server};

/// Joins per row of the table.
const BLOCK: usize = 500;
/// Threads reading the clients' sockets.
const READERS: usize = 2;
/// The longest one step (a join, a notice) may take before the run is
/// called stuck.
const STEP_TIMEOUT: Duration = Duration::from_secs(60);
/// How long the broadcast after the storm may take to reach everyone
/// before the clients it has not reached count as lost (the target is 2 s).
const BROADCAST_DEADLINE: Duration = Duration::from_secs(30);
/// The line the first client broadcasts after the storm.
const BROADCAST: &str = "storm-broadcast";
/// The environment variable that names the peer's binary.
const PEER_VAR: &str = "SOCKET_CHAT_PEER_CHAT";

pub fn bench_storm(scratch: &Path) {
    let wanted = std::env::var("SOCKET_CHAT_STORM_CLIENTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(5000usize);
    let n = fit_open_files(wanted);
    println!("== storm: {n} clients join one after another, then one broadcast ==");
    println!(
        "(a join: connect, name, in: our welcome / the peer's notice to the first client; every client reads everything)"
    );
    let ours = storm(Target::Ours(scratch.to_path_buf()), n);
    let peer = match std::env::var_os(PEER_VAR) {
        Some(path) => Some(storm(Target::Peer(PathBuf::from(path)), n)),
        None => {
            println!(
                "peer: skipped ({PEER_VAR} is not set; point it at tokio's examples/chat binary)"
            );
            None
        }
    };
    let naive = storm(Target::Naive, n);
    print_storm(n, &ours, peer.as_ref(), &naive);
    println!();
}

/// The open-file limit caps the storm: our server holds three descriptors
/// per client (the socket and two clones), the naive one does too, inside
/// this process. Returns the largest N (in whole blocks) that fits.
fn fit_open_files(wanted: usize) -> usize {
    let limits = std::fs::read_to_string("/proc/self/limits").unwrap_or_default();
    let soft = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .and_then(|l| l.split_whitespace().nth(3))
        .and_then(|v| v.parse::<usize>().ok());
    match soft {
        Some(limit) if limit < 3 * wanted + 200 => {
            let fits = ((limit.saturating_sub(200) / 3) / BLOCK * BLOCK).max(BLOCK);
            println!(
                "storm: the open-file limit ({limit}) allows {fits} clients, not {wanted}; `make bench` raises it"
            );
            fits
        }
        _ => wanted,
    }
}

/// Which server takes the storm.
enum Target {
    /// Our release server, run in this folder.
    Ours(PathBuf),
    /// The peer's binary.
    Peer(PathBuf),
    /// The naive server in this process.
    Naive,
}

/// What a storm measured.
#[derive(Default)]
struct Storm {
    /// Seconds per block of [`BLOCK`] joins.
    blocks: Vec<f64>,
    /// Clients the broadcast reached, and when the last of them had it.
    reached: usize,
    last_arrival: Option<Duration>,
    /// Clients whose connection the server closed.
    closed: u64,
    /// Resident memory (kB) and threads of the server after the broadcast.
    rss: Option<u64>,
    threads: Option<u64>,
    /// CPU seconds of the server, and of this process (the load generator),
    /// over the storm.
    server_cpu: Option<f64>,
    generator_cpu: Option<f64>,
    /// Why the run stopped early, if it did.
    failure: Option<String>,
}

impl Storm {
    fn total(&self) -> f64 {
        self.blocks.iter().sum()
    }
}

/// How the load generator talks to a server.
#[derive(Clone, Copy, PartialEq)]
enum Dialect {
    /// Our protocol: 4-byte length, JSON body.
    Frames,
    /// The peer's: one line per message.
    Lines,
}

impl Dialect {
    /// Sends client `i`'s name and reads the server's answer.
    fn join(self, stream: &mut TcpStream, i: usize) -> io::Result<()> {
        match self {
            Dialect::Frames => {
                let body = format!(r#"{{"type": "USER_JOIN", "data": "c{i}", "metadata": {{}}}}"#);
                stream.write_all(&frame(&body))?;
                let mut header = [0u8; 4];
                stream.read_exact(&mut header)?;
                let mut welcome = vec![0u8; u32::from_be_bytes(header) as usize];
                stream.read_exact(&mut welcome)?;
                if !welcome.starts_with(br#"{"type": "USER_JOIN""#) {
                    let first = String::from_utf8_lossy(&welcome[..welcome.len().min(200)]);
                    return Err(io::Error::other(format!("join {i}: answered {first}")));
                }
                Ok(())
            }
            Dialect::Lines => {
                // The prompt is all the peer sends before it has our name,
                // so reading up to its newline cannot take anything else.
                let mut prompt = Vec::new();
                let mut byte = [0u8; 64];
                while !prompt.ends_with(b"\n") {
                    let n = stream.read(&mut byte)?;
                    if n == 0 {
                        return Err(io::ErrorKind::UnexpectedEof.into());
                    }
                    prompt.extend_from_slice(&byte[..n]);
                }
                stream.write_all(format!("c{i}\n").as_bytes())
            }
        }
    }

    /// The start of the message that tells the others `c{i}` joined.
    fn notice(self, i: usize) -> Vec<u8> {
        match self {
            Dialect::Frames => format!(r#"{{"type": "USER_JOIN", "data": "c{i}""#).into_bytes(),
            Dialect::Lines => format!("c{i} has joined the chat").into_bytes(),
        }
    }

    /// The first client's broadcast, on the wire.
    fn broadcast(self) -> Vec<u8> {
        match self {
            Dialect::Frames => frame(&format!(
                r#"{{"type": "TEXT", "data": "{BROADCAST}", "metadata": {{}}}}"#
            )),
            Dialect::Lines => format!("{BROADCAST}\n").into_bytes(),
        }
    }

    /// Whether a message is any join notice.
    fn is_notice(self, message: &[u8]) -> bool {
        match self {
            Dialect::Frames => message.starts_with(br#"{"type": "USER_JOIN""#),
            Dialect::Lines => message.ends_with(b" has joined the chat"),
        }
    }

    /// Whether a message is the server's `PING` (ours; the peer has none).
    fn is_ping(self, message: &[u8]) -> bool {
        self == Dialect::Frames && message.starts_with(br#"{"type": "PING""#)
    }

    /// The answer to a `PING`.
    fn pong(self) -> Vec<u8> {
        frame(r#"{"type": "PONG", "data": "", "metadata": {}}"#)
    }

    /// Whether a join is over when the server answers the newcomer (ours),
    /// or only once the first client has heard of it (the peer).
    fn answers_joins(self) -> bool {
        self == Dialect::Frames
    }

    /// Whether a message is the broadcast as the others receive it. Ours
    /// sends chat as `TEXT` and the storm has no other chat; the peer
    /// prefixes the sender's name.
    fn is_broadcast(self, message: &[u8]) -> bool {
        match self {
            Dialect::Frames => message.starts_with(br#"{"type": "TEXT""#),
            Dialect::Lines => message.ends_with(BROADCAST.as_bytes()),
        }
    }
}

/// A frame: the length, then the body.
fn frame(body: &str) -> Vec<u8> {
    let mut bytes = (body.len() as u32).to_be_bytes().to_vec();
    bytes.extend_from_slice(body.as_bytes());
    bytes
}

/// One client's socket as the load generator reads it.
struct Conn {
    stream: TcpStream,
    dialect: Dialect,
    /// Bytes of a message that has not arrived whole yet.
    pending: Vec<u8>,
}

impl Conn {
    /// Reads what has arrived and calls `seen` with every whole message
    /// (a frame's body, or a line). A blocking socket is read once, a
    /// nonblocking one until it is empty. `Ok(false)`: the server closed it.
    fn read_some(&mut self, buf: &mut [u8], seen: &mut dyn FnMut(&[u8])) -> io::Result<bool> {
        loop {
            let n = match self.stream.read(buf) {
                Ok(0) => return Ok(false),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(true),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            self.pending.extend_from_slice(&buf[..n]);
            let used = cut(self.dialect, &self.pending, seen);
            self.pending.drain(..used);
            // A short read emptied the socket: no need to ask again.
            if n < buf.len() {
                return Ok(true);
            }
        }
    }
}

/// Calls `seen` with every whole message at the front of `bytes`; returns
/// how many bytes those took.
fn cut(dialect: Dialect, bytes: &[u8], seen: &mut dyn FnMut(&[u8])) -> usize {
    let mut at = 0;
    match dialect {
        Dialect::Frames => {
            while let Some(header) = bytes.get(at..at + 4) {
                let len = u32::from_be_bytes(header.try_into().expect("4 bytes")) as usize;
                let Some(body) = bytes.get(at + 4..at + 4 + len) else {
                    break;
                };
                seen(body);
                at += 4 + len;
            }
        }
        Dialect::Lines => {
            while let Some(end) = bytes[at..].iter().position(|&b| b == b'\n') {
                seen(&bytes[at..at + end]);
                at += end + 1;
            }
        }
    }
    at
}

/// What the reader threads report to the main thread.
#[derive(Default)]
struct Tally {
    /// Clients that have the broadcast, and when the last one got it.
    arrivals: Mutex<(usize, Option<Instant>)>,
    arrived: Condvar,
    /// Connections the server closed.
    closed: AtomicU64,
}

impl Tally {
    fn arrive(&self) {
        let mut arrivals = self.arrivals.lock().expect("lock");
        arrivals.0 += 1;
        arrivals.1 = Some(Instant::now());
        self.arrived.notify_all();
    }

    /// Waits until `count` clients have the broadcast or `deadline` passes.
    fn wait(&self, count: usize, deadline: Instant) -> (usize, Option<Instant>) {
        let mut arrivals = self.arrivals.lock().expect("lock");
        while arrivals.0 < count {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            arrivals = self
                .arrived
                .wait_timeout(arrivals, deadline - now)
                .expect("lock")
                .0;
        }
        *arrivals
    }
}

/// A reader thread: sleeps until some of its sockets have bytes, reads
/// them all, and notes who got the broadcast.
fn read_sockets(
    poller: &Poller,
    incoming: &Receiver<(u64, TcpStream)>,
    dialect: Dialect,
    tally: &Tally,
    first_heard: &Sender<Vec<u8>>,
    done: &AtomicBool,
) {
    let mut conns: HashMap<u64, Conn> = HashMap::new();
    let mut ready = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    while !done.load(Ordering::Relaxed) {
        if poller.wait(&mut ready, Duration::from_millis(50)).is_err() {
            return;
        }
        for &key in &ready {
            if !conns.contains_key(&key) {
                // Handed over before it was added to the poller.
                conns.extend(incoming.try_iter().map(|(key, stream)| {
                    let conn = Conn {
                        stream,
                        dialect,
                        pending: Vec::new(),
                    };
                    (key, conn)
                }));
            }
            let Some(conn) = conns.get_mut(&key) else {
                continue;
            };
            let (mut got, mut pinged) = (false, false);
            let open = conn
                .read_some(&mut buf, &mut |m| {
                    got |= dialect.is_broadcast(m);
                    pinged |= dialect.is_ping(m);
                    // The first client's notices pace the peer's joins.
                    if key == 0 && dialect.is_notice(m) {
                        let _ = first_heard.send(m.to_vec());
                    }
                })
                .unwrap_or(false);
            // A live client answers the server's "are you there?"; one that
            // does not is dropped after two heartbeat intervals of silence.
            if pinged {
                let _ = conn.stream.write_all(&dialect.pong());
            }
            if got {
                tally.arrive();
            }
            if !open {
                tally.closed.fetch_add(1, Ordering::Relaxed);
                conns.remove(&key);
            }
        }
    }
}

/// A server process for the storm, killed when dropped.
enum Server {
    Ours(super::Program),
    Peer(Child),
    InProcess,
}

impl Server {
    fn pid(&self) -> Option<u32> {
        match self {
            Server::Ours(program) => Some(program.pid()),
            Server::Peer(child) => Some(child.id()),
            Server::InProcess => None,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Server::Peer(child) = self {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Starts the peer on a free port and waits until it accepts connections.
/// Its log goes to /dev/null.
fn start_peer(binary: &Path) -> io::Result<(Child, SocketAddr)> {
    let addr = TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    let child = Command::new(binary)
        .arg(addr.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match TcpStream::connect(addr) {
            Ok(_) => return Ok((child, addr)),
            Err(e) if Instant::now() >= deadline => return Err(e),
            // It has not bound its port yet: a connection is refused at
            // once, so try again (without sleeping) until it has.
            Err(_) => thread::yield_now(),
        }
    }
}

/// CPU seconds (user and system) of process `pid`, from `/proc/PID/stat`
/// (in clock ticks of 1/100 s, which is what Linux reports them in).
fn cpu_seconds(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name, in parentheses, may contain spaces: skip past it.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}

/// How the main thread hands a joined client to a reader thread: the
/// channel it sends the socket on, and the poller it then adds it to.
type Handoff = (Arc<Poller>, Sender<(u64, TcpStream)>);

/// One storm against one server.
fn storm(target: Target, n: usize) -> Storm {
    let clients = (n + 100).to_string();
    let (server, addr, dialect) = match &target {
        Target::Ours(dir) => {
            // A heartbeat of an hour: no client times out during the storm.
            let (program, port) =
                start_server(dir, &["--max-clients", &clients, "--heartbeat", "3600"]);
            let addr = SocketAddr::from(([127, 0, 0, 1], port));
            (Server::Ours(program), addr, Dialect::Frames)
        }
        Target::Peer(binary) => match start_peer(binary) {
            Ok((child, addr)) => (Server::Peer(child), addr, Dialect::Lines),
            Err(e) => {
                println!("peer: cannot start {}: {e}", binary.display());
                return failed(format!("cannot start: {e}"));
            }
        },
        Target::Naive => {
            let port = naive_server();
            (
                Server::InProcess,
                SocketAddr::from(([127, 0, 0, 1], port)),
                Dialect::Frames,
            )
        }
    };
    let server_pid = server.pid().map(|p| p.to_string());
    let server_cpu_before = server_pid.as_deref().and_then(cpu_seconds);
    let generator_cpu_before = cpu_seconds("self");

    let tally = Arc::new(Tally::default());
    let done = Arc::new(AtomicBool::new(false));
    let (first_heard_tx, first_heard) = mpsc::channel();
    let mut handoff: Vec<Handoff> = Vec::new();
    let mut readers = Vec::new();
    for _ in 0..READERS {
        let poller = Arc::new(Poller::new().expect("epoll"));
        let (tx, rx) = mpsc::channel();
        let (p, tally, done) = (poller.clone(), tally.clone(), done.clone());
        let heard = first_heard_tx.clone();
        readers.push(thread::spawn(move || {
            read_sockets(&p, &rx, dialect, &tally, &heard, &done)
        }));
        handoff.push((poller, tx));
    }

    let mut result = Storm::default();
    // A second handle on the first client, to send the broadcast with.
    let mut first: Option<TcpStream> = None;
    let mut block_start = Instant::now();
    let joined = (|| -> io::Result<()> {
        for i in 0..n {
            let mut stream = TcpStream::connect(addr)?;
            stream.set_nodelay(true)?;
            stream.set_read_timeout(Some(STEP_TIMEOUT))?;
            dialect.join(&mut stream, i)?;
            if i == 0 {
                first = Some(stream.try_clone()?);
            }
            // From here on a reader thread reads everything it is sent.
            stream.set_nonblocking(true)?;
            let fd = stream.as_raw_fd();
            let (poller, tx) = &handoff[i % READERS];
            tx.send((i as u64, stream)).expect("reader thread");
            poller.add(fd, i as u64)?;
            if i > 0 && !dialect.answers_joins() {
                let notice = dialect.notice(i);
                loop {
                    let heard = first_heard
                        .recv_timeout(STEP_TIMEOUT)
                        .map_err(|_| io::Error::other(format!("join {i}: nobody heard of it")))?;
                    if heard.starts_with(&notice) {
                        break;
                    }
                }
            }
            if (i + 1) % BLOCK == 0 || i + 1 == n {
                let now = Instant::now();
                result.blocks.push((now - block_start).as_secs_f64());
                block_start = now;
            }
        }
        Ok(())
    })();
    if let Err(e) = joined {
        result.failure = Some(format!(
            "stopped after {} joins: {e}",
            result.blocks.len() * BLOCK
        ));
    }

    if let (None, Some(first)) = (&result.failure, first.as_mut()) {
        let sent = Instant::now();
        if first.write_all(&dialect.broadcast()).is_ok() {
            let (reached, last) = tally.wait(n - 1, sent + BROADCAST_DEADLINE);
            result.reached = reached;
            result.last_arrival = last.filter(|_| reached > 0).map(|t| t - sent);
        }
    }
    if let Some(pid) = server.pid() {
        result.rss = proc_status_kb(pid, "VmRSS");
        result.threads = proc_status_kb(pid, "Threads");
    }
    result.server_cpu = server_pid
        .as_deref()
        .and_then(cpu_seconds)
        .zip(server_cpu_before)
        .map(|(after, before)| after - before);
    result.generator_cpu = cpu_seconds("self")
        .zip(generator_cpu_before)
        .map(|(after, before)| after - before);
    result.closed = tally.closed.load(Ordering::Relaxed);
    done.store(true, Ordering::Relaxed);
    for reader in readers {
        let _ = reader.join();
    }
    drop(first);
    drop(server);
    result
}

fn failed(why: String) -> Storm {
    Storm {
        failure: Some(why),
        ..Storm::default()
    }
}

fn print_storm(n: usize, ours: &Storm, peer: Option<&Storm>, naive: &Storm) {
    let secs = |s: Option<&Storm>, row: usize| -> Option<f64> { s?.blocks.get(row).copied() };
    let cell = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.2}"));
    let ratio = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}x", a / b),
        _ => "-".to_string(),
    };
    println!(
        "{:>7} {:>9} {:>9} {:>9} {:>10} {:>11}",
        "joins", "ours s", "peer s", "naive s", "ours/peer", "ours/naive"
    );
    let rows = ours.blocks.len().max(naive.blocks.len());
    for row in 0..rows {
        let (o, p, v) = (
            secs(Some(ours), row),
            secs(peer, row),
            secs(Some(naive), row),
        );
        println!(
            "{:>7} {:>9} {:>9} {:>9} {:>10} {:>11}",
            ((row + 1) * BLOCK).min(n),
            cell(o),
            cell(p),
            cell(v),
            ratio(o, p),
            ratio(o, v)
        );
    }
    let total = |s: Option<&Storm>| s.filter(|s| s.failure.is_none()).map(Storm::total);
    let (o, p, v) = (total(Some(ours)), total(peer), total(Some(naive)));
    println!(
        "{:>7} {:>9} {:>9} {:>9} {:>10} {:>11}",
        "total",
        cell(o),
        cell(p),
        cell(v),
        ratio(o, p),
        ratio(o, v)
    );
    println!("after the last join, one broadcast (target: every client within 2 s):");
    let named = [("ours", Some(ours)), ("peer", peer), ("naive", Some(naive))];
    for (name, storm) in named {
        let Some(storm) = storm else { continue };
        if let Some(why) = &storm.failure {
            println!("  {name:<5} {why}");
            continue;
        }
        let when = storm
            .last_arrival
            .map_or("-".to_string(), |t| format!("{:.2} s", t.as_secs_f64()));
        println!(
            "  {name:<5} reached {} of {}, the last after {when}; connections closed by the server: {}",
            storm.reached,
            n - 1,
            storm.closed
        );
    }
    println!("at {n} clients (the naive server shares this process, so it has no figures):");
    for (name, storm) in named.into_iter().take(2) {
        let Some(storm) = storm else { continue };
        let per_client = storm.rss.map_or("-".to_string(), |rss| {
            format!("{:.1} KB", rss as f64 * 1.024 / n as f64)
        });
        let threads = storm.threads.map_or("-".to_string(), |t| t.to_string());
        println!(
            "  {name:<5} RSS {} ({per_client} per client), {threads} threads; CPU during the storm: server {}, load generator {}",
            kb(storm.rss),
            storm
                .server_cpu
                .map_or("-".to_string(), |s| format!("{s:.1} s")),
            storm
                .generator_cpu
                .map_or("-".to_string(), |s| format!("{s:.1} s"))
        );
    }
}
