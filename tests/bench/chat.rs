//! `make bench`: how fast and how lean the real server is, each figure next
//! to a baseline measured in the same run on the same machine.
//!
//! - **files**: a random file sent client → server → client with the real
//!   release programs, against a protocol-free relay of the same bytes
//!   (file → TCP → relay that keeps an fsync'd copy → TCP → file, fsync'd)
//!   and a raw TCP copy (file → socket → file) on loopback; throughput,
//!   the ratio to the relay, and the peak memory (VmHWM) of each process,
//!   for 4 KiB and 64 KiB chunks and two file sizes (memory must not grow
//!   with the file).
//! - **fanout**: N clients each broadcasting M messages through our server
//!   and through a naive server (written below) whose sender thread writes
//!   to every receiver's socket itself; deliveries per second, latency
//!   p50/p99, lost messages; then latency at a fixed offered load.
//! - **fanout-ws**: the same storm with WebSocket clients, alone and beside
//!   TCP clients in one room ([`websocket`]).
//! - **fanout-history**: the same fan-out with each room's history on disk
//!   (`--history DIR`) and in memory only (`--no-history`), best of three
//!   runs each, alternating: deliveries per second with the log on must
//!   keep at least 90 % of those without it. After each run with the log,
//!   the server is stopped with `/quit` and its file read back: every
//!   message of the run must be in it, numbered 1 to N; the log's write
//!   rate is those messages (and bytes) over the run's time.
//! - **idle**: server memory and threads with 1,000 idle clients.
//! - **storm**: 5,000 clients join one after another, then one broadcast
//!   (`storm.rs`), through ours, the naive server, and the tokio chat
//!   example when `SOCKET_CHAT_PEER_CHAT` names its binary.
//!
//! Run one section with `cargo bench --bench chat -- fanout`. Memory figures
//! read `/proc` and are Linux-only ("n/a" elsewhere); the storm needs Linux.
//! The Makefile raises the open-file limit first: 1,000 clients need 1,000
//! sockets at each end, and the storm's 5,000 need about 15,000 in the
//! server.

use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Barrier, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use socket_chat::frame::FrameReader;
use socket_chat::message::client::{Join, Text};
use socket_chat::message::server::{Chat, Joined, Welcome};
use socket_chat::message::{ClientMessage, ServerMessage};
use socket_chat::transport::tcp;

#[cfg(target_os = "linux")]
mod epoll;
#[cfg(target_os = "linux")]
mod storm;
mod websocket;

const MIB: u64 = 1024 * 1024;

fn main() {
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wants = |name: &str| only.is_empty() || only.iter().any(|o| o == name);
    let scratch = std::env::temp_dir().join(format!("socket-chat-bench-{}", std::process::id()));
    fs::create_dir_all(&scratch).expect("scratch folder");
    if wants("files") {
        bench_files(&scratch);
    }
    if wants("fanout") {
        bench_fanout();
    }
    if wants("fanout-ws") {
        websocket::bench();
    }
    if wants("fanout-history") {
        bench_fanout_history();
    }
    if wants("idle") {
        bench_idle();
    }
    if wants("storm") {
        #[cfg(target_os = "linux")]
        storm::bench_storm(&scratch);
        #[cfg(not(target_os = "linux"))]
        println!("== storm: needs Linux (epoll); skipped ==");
    }
    let _ = fs::remove_dir_all(&scratch);
}

// ---------------------------------------------------------------------------
// Processes
// ---------------------------------------------------------------------------

/// A release `chat-server` or `chat-client`, its output read on a thread.
pub(crate) struct Program {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
}

impl Program {
    fn start(binary: &str, args: &[&str], dir: &Path) -> Program {
        // In English whatever the machine's locale: the lines waited for
        // are the English ones.
        let mut child = Command::new(binary)
            .args(["--lang", "en"])
            .args(args)
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start program");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, lines) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        Program {
            child,
            stdin,
            lines,
        }
    }

    fn send(&mut self, line: &str) {
        writeln!(self.stdin, "{line}").expect("write to program");
    }

    /// Waits (up to a generous bound) for a line containing `needle`.
    fn wait_for(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(600);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return line,
                Ok(_) => {}
                Err(_) => panic!("no line containing {needle:?}"),
            }
        }
    }

    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Program {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn start_server(dir: &Path, extra: &[&str]) -> (Program, u16) {
    let mut args = vec!["--port", "0", "--host", "127.0.0.1"];
    args.extend_from_slice(extra);
    let mut server = Program::start(env!("CARGO_BIN_EXE_chat-server"), &args, dir);
    let line = server.wait_for("listening on ");
    let port = line
        .rsplit(':')
        .next()
        .and_then(|p| p.trim().parse().ok())
        .expect("port");
    (server, port)
}

/// A field of `/proc/PID/status` in kB, e.g. "VmHWM" (peak resident memory).
pub(crate) fn proc_status_kb(pid: u32, field: &str) -> Option<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

pub(crate) fn kb(value: Option<u64>) -> String {
    match value {
        Some(kb) => format!("{:.1} MiB", kb as f64 / 1024.0),
        None => "n/a".to_string(),
    }
}

// ---------------------------------------------------------------------------
// files
// ---------------------------------------------------------------------------

/// Writes `size` bytes of pseudo-random data (xorshift: incompressible
/// enough, and no dependency).
fn random_file(path: &Path, size: u64) {
    let mut file = File::create(path).expect("create file");
    let mut state = 0x9E37_79B9_7F4A_7C15u64 ^ size;
    let mut block = vec![0u8; 1 << 20];
    let mut left = size;
    while left > 0 {
        for word in block.chunks_exact_mut(8) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            word.copy_from_slice(&state.to_le_bytes());
        }
        let n = left.min(block.len() as u64) as usize;
        file.write_all(&block[..n]).expect("write file");
        left -= n as u64;
    }
}

/// The baseline: the same file copied file → TCP → file on loopback, with
/// plain 64 KiB reads and writes.
fn raw_tcp_copy(source: &Path, target: &Path) -> f64 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let target = target.to_path_buf();
    let started = Instant::now();
    let receiver = thread::spawn(move || {
        let (mut socket, _) = listener.accept().expect("accept");
        let mut out = File::create(target).expect("create copy");
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = socket.read(&mut buf).expect("read");
            if n == 0 {
                break;
            }
            out.write_all(&buf[..n]).expect("write copy");
        }
        out.sync_all().expect("sync");
    });
    let mut socket = TcpStream::connect(addr).expect("connect");
    let mut file = File::open(source).expect("open source");
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf).expect("read source");
        if n == 0 {
            break;
        }
        socket.write_all(&buf[..n]).expect("send");
    }
    drop(socket);
    receiver.join().expect("receiver");
    started.elapsed().as_secs_f64()
}

/// The protocol-free relay: the file streamed over TCP to a relay that
/// keeps a copy and forwards every byte to a receiver, which writes it;
/// both copies are fsync'd, as ours are. What our relay does *beyond*
/// this (frames, JSON, base64, SHA-256 at three places, `.part` files) is
/// the protocol's cost. Seconds until the receiver's copy is on disk.
fn bare_relay(source: &Path, scratch: &Path) -> f64 {
    let receiver_listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let receiver_addr = receiver_listener.local_addr().expect("addr");
    let relay_listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let relay_addr = relay_listener.local_addr().expect("addr");
    let received = scratch.join("bare-received.bin");
    let kept = scratch.join("bare-kept.bin");
    let started = Instant::now();
    let receiver = thread::spawn(move || {
        let (socket, _) = receiver_listener.accept().expect("accept");
        copy_to_file(socket, &received, None);
    });
    let relay = thread::spawn(move || {
        let (socket, _) = relay_listener.accept().expect("accept");
        let onward = TcpStream::connect(receiver_addr).expect("connect to receiver");
        copy_to_file(socket, &kept, Some(onward));
    });
    let mut socket = TcpStream::connect(relay_addr).expect("connect to relay");
    let mut file = File::open(source).expect("open source");
    io::copy(&mut file, &mut socket).expect("send");
    drop(socket);
    receiver.join().expect("receiver");
    let seconds = started.elapsed().as_secs_f64();
    relay.join().expect("relay");
    seconds
}

/// Reads `socket` to its end into a new file at `path` (passing every
/// block on to `onward` first, if given), then fsyncs the file.
fn copy_to_file(mut socket: TcpStream, path: &Path, mut onward: Option<TcpStream>) {
    let mut out = File::create(path).expect("create copy");
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = socket.read(&mut buf).expect("read");
        if n == 0 {
            break;
        }
        if let Some(onward) = onward.as_mut() {
            onward.write_all(&buf[..n]).expect("forward");
        }
        out.write_all(&buf[..n]).expect("write copy");
    }
    drop(onward);
    out.sync_all().expect("sync");
}

struct RelayRun {
    seconds: f64,
    server_hwm: Option<u64>,
    sender_hwm: Option<u64>,
    receiver_hwm: Option<u64>,
}

/// One file through the real programs: Sender `/send`s it to Receiver.
fn relay_once(scratch: &Path, source: &Path, chunk: usize) -> RelayRun {
    let dirs: Vec<PathBuf> = ["server", "sender", "receiver"]
        .iter()
        .map(|d| {
            let dir = scratch.join(format!("run-{d}"));
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir_all(&dir).expect("run dir");
            dir
        })
        .collect();
    let max_file = (4 * 1024 * MIB).to_string();
    let (mut server, port) = start_server(&dirs[0], &["--max-file", &max_file]);
    let port = port.to_string();
    let chunk = chunk.to_string();
    let client = |name: &str, dir: &Path| {
        let args = [
            "--port",
            &port,
            "--host",
            "127.0.0.1",
            "--name",
            name,
            "--chunk-size",
            &chunk,
        ];
        Program::start(env!("CARGO_BIN_EXE_chat-client"), &args, dir)
    };
    let mut receiver = client("Receiver", &dirs[2]);
    receiver.wait_for("Connected to");
    let mut sender = client("Sender", &dirs[1]);
    sender.wait_for("Connected to");
    server.wait_for("Sender joined");

    let started = Instant::now();
    sender.send(&format!("/send @Receiver \"{}\"", source.display()));
    receiver.wait_for("[file] received");
    let seconds = started.elapsed().as_secs_f64();
    sender.wait_for("[file] sent");

    let saved = dirs[2]
        .join("files/downloads")
        .join(source.file_name().expect("name"));
    let same =
        fs::metadata(&saved).map(|m| m.len()).ok() == fs::metadata(source).map(|m| m.len()).ok();
    assert!(same, "the received file differs in size from the source");
    let run = RelayRun {
        seconds,
        server_hwm: proc_status_kb(server.pid(), "VmHWM"),
        sender_hwm: proc_status_kb(sender.pid(), "VmHWM"),
        receiver_hwm: proc_status_kb(receiver.pid(), "VmHWM"),
    };
    drop((server, sender, receiver));
    for dir in dirs {
        let _ = fs::remove_dir_all(dir);
    }
    run
}

/// Runs of each file measurement; the best one counts.
const RUNS: usize = 3;

fn bench_files(scratch: &Path) {
    println!("== files: client -> server -> client vs a protocol-free relay and a raw TCP copy ==");
    println!(
        "{:>8} {:>7} {:>10} {:>10} {:>9} {:>9} {:>11} {:>11} {:>11}",
        "file",
        "chunk",
        "ours MB/s",
        "bare MB/s",
        "ours/bare",
        "raw MB/s",
        "server HWM",
        "sender HWM",
        "recv HWM"
    );
    for size_mib in [64, 256] {
        let source = scratch.join(format!("random-{size_mib}.bin"));
        random_file(&source, size_mib * MIB);
        let bytes = (size_mib * MIB) as f64;
        for chunk in [4096, 65536] {
            // Best of three runs of each, to smooth out the machine's noise
            // (the baselines, the shorter ones, vary the most).
            let best = |run: &dyn Fn() -> f64| (0..RUNS).map(|_| run()).fold(f64::MAX, f64::min);
            let raw = best(&|| raw_tcp_copy(&source, &scratch.join("raw-copy.bin")));
            let bare = best(&|| bare_relay(&source, scratch));
            let relay = (0..RUNS)
                .map(|_| relay_once(scratch, &source, chunk))
                .min_by(|a, b| a.seconds.total_cmp(&b.seconds))
                .expect("at least one run");
            let mbs = |seconds: f64| bytes / seconds / 1e6;
            println!(
                "{:>4} MiB {:>5} K {:>10.0} {:>10.0} {:>8.1}% {:>9.0} {:>11} {:>11} {:>11}",
                size_mib,
                chunk / 1024,
                mbs(relay.seconds),
                mbs(bare),
                100.0 * bare / relay.seconds,
                mbs(raw),
                kb(relay.server_hwm),
                kb(relay.sender_hwm),
                kb(relay.receiver_hwm)
            );
        }
        for leftover in ["raw-copy.bin", "bare-received.bin", "bare-kept.bin"] {
            let _ = fs::remove_file(scratch.join(leftover));
        }
        let _ = fs::remove_file(&source);
    }
    println!();
}

// ---------------------------------------------------------------------------
// fanout
// ---------------------------------------------------------------------------

/// The naive server the fan-out and the join storm are compared with: the
/// same protocol, a thread per client, but a message to others (a
/// broadcast, a join notice) is written to every receiver's socket by the
/// *sender's* thread, one `write` per receiver per message.
pub(crate) fn naive_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let clients: Arc<NaiveRoom> = Arc::default();
    thread::spawn(move || {
        for (id, stream) in listener.incoming().enumerate() {
            let Ok(stream) = stream else { continue };
            let clients = clients.clone();
            thread::spawn(move || naive_session(id as u64, stream, &clients));
        }
    });
    port
}

/// One client of the naive server: its id, name and socket (behind a lock).
struct NaiveClient {
    id: u64,
    name: String,
    socket: Arc<Mutex<TcpStream>>,
}

/// The naive server's room.
type NaiveRoom = Mutex<Vec<NaiveClient>>;

fn naive_session(id: u64, stream: TcpStream, clients: &NaiveRoom) {
    stream.set_nodelay(true).ok();
    let writer = Arc::new(Mutex::new(stream.try_clone().expect("clone")));
    let mut reader = tcp::message_reader::<_, ClientMessage>(stream, 1 << 20);
    let mut name = String::new();
    while let Ok(Some(message)) = reader.read_message() {
        match message {
            ClientMessage::Join(Join { name: n }) => {
                name = n;
                // As ours does: the welcome lists everyone, the others are
                // told, all while the room is locked.
                let mut room = clients.lock().expect("lock");
                let mut users: Vec<String> = room.iter().map(|c| c.name.clone()).collect();
                users.push(name.clone());
                let welcome = tcp::frame(&ServerMessage::Welcome(Welcome {
                    name: name.clone(),
                    users,
                    timestamp: 0,
                    room: None,
                    max_file_size: None,
                    role: None,
                    file_types: None,
                    max_text: None,
                }));
                let _ = writer.lock().expect("lock").write_all(&welcome);
                let notice = tcp::frame(&ServerMessage::Joined(Joined {
                    name: name.clone(),
                    timestamp: 0,
                    online: room.len() as u64 + 1,
                }));
                for other in room.iter() {
                    let _ = other.socket.lock().expect("lock").write_all(&notice);
                }
                room.push(NaiveClient {
                    id,
                    name: name.clone(),
                    socket: writer.clone(),
                });
            }
            ClientMessage::Text(Text { text, .. }) => {
                let frame =
                    tcp::frame(&ServerMessage::Chat(Chat::new(text, name.clone(), 0, None)));
                let everyone: Vec<_> = clients
                    .lock()
                    .expect("lock")
                    .iter()
                    .filter(|c| c.id != id)
                    .map(|c| c.socket.clone())
                    .collect();
                for socket in everyone {
                    let _ = socket.lock().expect("lock").write_all(&frame);
                }
            }
            _ => {}
        }
    }
    clients.lock().expect("lock").retain(|c| c.id != id);
}

/// Tells the senders of a paced run to give up (a receiver lost the
/// server). Senders wait for their next send time *or* this, whichever
/// comes first.
#[derive(Default)]
struct Abort {
    raised: Mutex<bool>,
    changed: Condvar,
}

impl Abort {
    fn raise(&self) {
        *self.raised.lock().expect("lock") = true;
        self.changed.notify_all();
    }

    /// Waits until `due`; false if the run was abandoned meanwhile.
    fn wait_until(&self, due: Instant) -> bool {
        let mut raised = self.raised.lock().expect("lock");
        loop {
            if *raised {
                return false;
            }
            let now = Instant::now();
            if now >= due {
                return true;
            }
            raised = self
                .changed
                .wait_timeout(raised, due - now)
                .expect("lock")
                .0;
        }
    }
}

/// What all the receiving threads of one fan-out run collect.
struct Tally {
    latencies_us: Mutex<Vec<u64>>,
    delivered: AtomicU64,
    last_delivery_ns: AtomicU64,
}

/// One fan-out run: `n` clients join, then each sends `m` messages, either
/// as fast as it can (`interval` = None) or one every `interval`.
/// Returns (deliveries per second, p50 µs, p99 µs, lost).
fn fanout_run(port: u16, n: usize, m: usize, interval: Option<Duration>) -> (f64, u64, u64, u64) {
    let base = Instant::now();
    let tally = Arc::new(Tally {
        latencies_us: Mutex::new(Vec::with_capacity(n * n * m)),
        delivered: AtomicU64::new(0),
        last_delivery_ns: AtomicU64::new(0),
    });
    let expected_each = ((n - 1) * m) as u64;
    let mut writers = Vec::new();
    let mut readers = Vec::new();
    let joined = Arc::new(Barrier::new(n + 1));
    let abort = Arc::new(Abort::default());
    for i in 0..n {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        stream.set_nodelay(true).ok();
        stream
            .write_all(&tcp::frame(&ClientMessage::Join(Join {
                name: format!("c{i}"),
            })))
            .expect("join");
        // The receivers only cut frames and pick the send time out of the
        // text, so that the load generator spends little of the machine's
        // two cores and the server is what is measured.
        // A big read buffer: one system call takes in many small frames.
        let socket = stream.try_clone().expect("clone");
        socket.set_read_timeout(Some(Duration::from_secs(60))).ok();
        let mut reader = FrameReader::new(BufReader::with_capacity(64 * 1024, socket), 1 << 20);
        let tally = tally.clone();
        let joined = joined.clone();
        let abort = abort.clone();
        readers.push(thread::spawn(move || {
            let mut got = 0u64;
            let mut latencies = Vec::with_capacity(expected_each as usize);
            let mut welcomed = false;
            while got < expected_each {
                let Ok(Some(body)) = reader.read_frame() else {
                    // The server is gone or stuck: no point offering load.
                    abort.raise();
                    break;
                };
                if !welcomed {
                    // The first frame a joiner gets is its welcome.
                    welcomed = true;
                    joined.wait();
                    continue;
                }
                if let Some(sent_ns) = sent_time(&body) {
                    let now_ns = base.elapsed().as_nanos() as u64;
                    latencies.push(now_ns.saturating_sub(sent_ns) / 1000);
                    got += 1;
                }
            }
            let now_ns = base.elapsed().as_nanos() as u64;
            tally.last_delivery_ns.fetch_max(now_ns, Ordering::Relaxed);
            tally.delivered.fetch_add(got, Ordering::Relaxed);
            tally.latencies_us.lock().expect("lock").extend(latencies);
        }));
        writers.push(stream);
    }
    // Everyone has been welcomed, so everyone is in the room: start all
    // senders together.
    joined.wait();
    let start_ns = base.elapsed().as_nanos() as u64;
    let go = Arc::new(Barrier::new(n));
    let senders: Vec<_> = writers
        .into_iter()
        .enumerate()
        .map(|(i, mut stream)| {
            let go = go.clone();
            let abort = abort.clone();
            thread::spawn(move || {
                go.wait();
                // At a fixed offered load each sender keeps to a timetable,
                // staggered evenly across one interval; a run whose server
                // has failed is abandoned instead of played out.
                let first =
                    Instant::now() + interval.map_or(Duration::ZERO, |t| t * i as u32 / n as u32);
                for k in 0..m {
                    let due = interval.map(|interval| first + interval * k as u32);
                    if due.is_some_and(|due| !abort.wait_until(due)) {
                        break;
                    }
                    let text = format!("c{i}:{k}:{}", base.elapsed().as_nanos());
                    let frame = tcp::frame(&ClientMessage::Text(Text { text, to: None }));
                    if stream.write_all(&frame).is_err() {
                        break;
                    }
                }
                stream
            })
        })
        .collect();
    let streams: Vec<TcpStream> = senders
        .into_iter()
        .map(|s| s.join().expect("sender"))
        .collect();
    for reader in readers {
        let _ = reader.join();
    }
    drop(streams);
    let delivered = tally.delivered.load(Ordering::Relaxed);
    let elapsed = (tally.last_delivery_ns.load(Ordering::Relaxed) - start_ns) as f64 / 1e9;
    let mut latencies = std::mem::take(&mut *tally.latencies_us.lock().expect("lock"));
    latencies.sort_unstable();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0)
    };
    let lost = expected_each * n as u64 - delivered;
    (delivered as f64 / elapsed, pct(0.50), pct(0.99), lost)
}

/// The send time in a chat frame's text `"c{i}:{k}:{nanoseconds}"`; `None`
/// for other frames (join notices).
fn sent_time(body: &[u8]) -> Option<u64> {
    let text = std::str::from_utf8(body).ok()?;
    if !text.starts_with(r#"{"type": "TEXT""#) {
        return None;
    }
    let data = text.split(r#""data": ""#).nth(1)?.split('"').next()?;
    data.rsplit(':').next()?.parse().ok()
}

fn bench_fanout() {
    println!(
        "== fanout: every client broadcasts M messages; ours vs naive (sender writes to every socket) =="
    );
    println!(
        "{:>4} {:>4} {:>13} {:>9} {:>9} {:>5} {:>13} {:>9} {:>9} {:>5} {:>9} {:>11}",
        "N",
        "M",
        "ours deliv/s",
        "p50 us",
        "p99 us",
        "lost",
        "naive deliv/s",
        "p50 us",
        "p99 us",
        "lost",
        "ours/naive",
        "server HWM"
    );
    let dir = std::env::temp_dir();
    for (n, m) in [(10, 200), (100, 20), (300, 5)] {
        let (server, port) = start_server(&dir, &["--max-clients", "2000", "--no-history"]);
        let ours = fanout_run(port, n, m, None);
        let hwm = proc_status_kb(server.pid(), "VmHWM");
        drop(server);
        let naive = fanout_run(naive_server(), n, m, None);
        println!(
            "{:>4} {:>4} {:>13.0} {:>9} {:>9} {:>5} {:>13.0} {:>9} {:>9} {:>5} {:>9.2}x {:>11}",
            n,
            m,
            ours.0,
            ours.1,
            ours.2,
            ours.3,
            naive.0,
            naive.1,
            naive.2,
            naive.3,
            ours.0 / naive.0,
            kb(hwm)
        );
    }
    // A fixed offered load: 100 clients, 50,000 deliveries per second in
    // all (each client sends 50000 / (100 * 99) ≈ 5 messages a second).
    let n = 100;
    let per_client = 50_000.0 / (n * (n - 1)) as f64;
    let interval = Duration::from_secs_f64(1.0 / per_client);
    let m = 15;
    let (server, port) = start_server(&dir, &["--max-clients", "2000", "--no-history"]);
    let ours = fanout_run(port, n, m, Some(interval));
    drop(server);
    let naive = fanout_run(naive_server(), n, m, Some(interval));
    println!(
        "fixed load 50,000 deliveries/s, N = {n}: ours p50 {} us, p99 {} us, lost {}; naive p50 {} us, p99 {} us, lost {}",
        ours.1, ours.2, ours.3, naive.1, naive.2, naive.3
    );
    println!();
}

// ---------------------------------------------------------------------------
// fanout-history
// ---------------------------------------------------------------------------

/// Runs of each fan-out with and without the log; the best one counts.
const HISTORY_RUNS: usize = 3;

/// What [`fanout_run`] measures: deliveries per second, p50 and p99 in
/// microseconds, messages lost.
type Figures = (f64, u64, u64, u64);

/// What the log held after a run: messages numbered 1 to N in order, its
/// bytes, and the server's closing line about it.
struct Logged {
    messages: usize,
    bytes: u64,
    closing: String,
}

/// One fan-out run against a server keeping its history in `folder`
/// (`None`: memory only). With a folder, the server is stopped politely
/// afterwards and the log read back. Returns the run's figures and, with a
/// folder, what the log holds.
fn fanout_history_run(n: usize, m: usize, folder: Option<&Path>) -> (Figures, Option<Logged>) {
    let scratch = std::env::temp_dir();
    let folder_arg = folder.map(|f| f.display().to_string());
    let mut args = vec!["--max-clients", "2000"];
    match &folder_arg {
        // Room enough that compaction never drops a message of the run,
        // so that the file can be checked against it.
        Some(folder) => args.extend(["--history", folder, "--history-keep", "1000000"]),
        None => args.push("--no-history"),
    }
    let (mut server, port) = start_server(&scratch, &args);
    let figures = fanout_run(port, n, m, None);
    let Some(folder) = folder else {
        return (figures, None);
    };
    // `/quit` writes and syncs what the log still holds, then says so.
    server.send("/quit");
    let closing = server.wait_for("written this run");
    server.wait_for("Server stopped.");
    let path = folder.join("room-lobby.jsonl");
    let text = fs::read_to_string(&path).unwrap_or_default();
    let in_order = text
        .lines()
        .enumerate()
        .take_while(|(i, line)| line.starts_with(&format!("{{\"seq\": {}, ", i + 1)))
        .count();
    assert_eq!(
        (in_order, text.lines().count()),
        (n * m, n * m),
        "the log must hold every message of the run, numbered 1 to {}",
        n * m
    );
    let logged = Logged {
        messages: in_order,
        bytes: text.len() as u64,
        closing,
    };
    (figures, Some(logged))
}

fn bench_fanout_history() {
    println!(
        "== fanout-history: the fan-out above with the history log on disk vs in memory only (best of {HISTORY_RUNS}) =="
    );
    println!(
        "{:>4} {:>4} {:>13} {:>13} {:>7} {:>8} {:>8} {:>11} {:>11} {:>8} {:>7}",
        "N",
        "M",
        "off deliv/s",
        "on deliv/s",
        "on/off",
        "p99 off",
        "p99 on",
        "logged",
        "log msgs/s",
        "log MB/s",
        "fsyncs"
    );
    // Cargo's temporary folder is on the project's disk; /tmp is often a
    // RAM disk, where fsync costs nothing and proves nothing.
    let base = Path::new(env!("CARGO_TARGET_TMPDIR"));
    fs::create_dir_all(base).expect("target tmp dir");
    let mut worst = f64::MAX;
    // The sizes of the fan-out table, with ten times the messages: a run
    // of a few milliseconds says more about the machine's noise than
    // about the log.
    for (n, m) in [(10, 2000), (100, 200), (300, 50)] {
        let mut off: Option<Figures> = None;
        let mut on: Option<(Figures, Logged)> = None;
        for _ in 0..HISTORY_RUNS {
            let (run, _) = fanout_history_run(n, m, None);
            if off.is_none_or(|best| run.0 > best.0) {
                off = Some(run);
            }
            let folder = tempfile::tempdir_in(base).expect("history folder");
            let (run, log) = fanout_history_run(n, m, Some(folder.path()));
            let log = log.expect("a log");
            if on.as_ref().is_none_or(|(best, _)| run.0 > best.0) {
                on = Some((run, log));
            }
        }
        let (off, (on, logged)) = (off.expect("runs"), on.expect("runs"));
        let Logged {
            messages: logged,
            bytes,
            closing,
        } = logged;
        // The run's time: its deliveries over their rate.
        let delivered = (n * (n - 1) * m) as f64 - on.3 as f64;
        let seconds = delivered / on.0;
        let ratio = on.0 / off.0;
        worst = worst.min(ratio);
        let fsyncs = closing
            .split('(')
            .nth(1)
            .and_then(|s| s.split_whitespace().next())
            .unwrap_or("?")
            .to_string();
        println!(
            "{:>4} {:>4} {:>13.0} {:>13.0} {:>6.1}% {:>8} {:>8} {:>11} {:>11.0} {:>8.2} {:>7}",
            n,
            m,
            off.0,
            on.0,
            100.0 * ratio,
            off.2,
            on.2,
            format!("{logged}/{}", n * m),
            logged as f64 / seconds,
            bytes as f64 / seconds / 1e6,
            fsyncs
        );
    }
    println!(
        "history on keeps {:.1}% of the deliveries per second at worst (target: at least 90%); every message was in the log",
        100.0 * worst
    );
    println!();
}

// ---------------------------------------------------------------------------
// idle
// ---------------------------------------------------------------------------

fn bench_idle() {
    println!("== idle: 1,000 connected clients doing nothing ==");
    let dir = std::env::temp_dir();
    let (mut server, port) = start_server(&dir, &["--max-clients", "2000", "--no-history"]);
    let pid = server.pid();
    let before_rss = proc_status_kb(pid, "VmRSS");
    let before_threads = proc_status_kb(pid, "Threads");
    let mut clients = Vec::new();
    let mut failed = None;
    for i in 0..1000 {
        match TcpStream::connect(("127.0.0.1", port)) {
            Ok(mut stream) => {
                let join = tcp::frame(&ClientMessage::Join(Join {
                    name: format!("idle{i}"),
                }));
                stream.write_all(&join).expect("join");
                clients.push(stream);
            }
            Err(e) => {
                failed = Some(format!(
                    "connection {i} failed: {e} (raise the open-file limit: ulimit -n 8192)"
                ));
                break;
            }
        }
    }
    server.wait_for(&format!("idle{} joined", clients.len().saturating_sub(1)));
    let after_rss = proc_status_kb(pid, "VmRSS");
    let threads = proc_status_kb(pid, "Threads");
    if let Some(reason) = failed {
        println!("{reason}");
    }
    match (before_rss, after_rss, before_threads, threads) {
        (Some(b), Some(a), Some(bt), Some(t)) => {
            let per_client = (a.saturating_sub(b)) as f64 * 1024.0 / clients.len().max(1) as f64;
            println!(
                "clients {}: server RSS {:.1} MiB -> {:.1} MiB, {:.1} KB per idle client; threads {bt} -> {t}",
                clients.len(),
                b as f64 / 1024.0,
                a as f64 / 1024.0,
                per_client / 1000.0
            );
        }
        _ => println!(
            "clients {}: memory figures need Linux /proc (n/a here)",
            clients.len()
        ),
    }
    println!();
}
