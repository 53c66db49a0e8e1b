//! The end-to-end test harness: real `chat-server` and `chat-client`
//! processes, talked to through their stdin and stdout.
//!
//! Rules it keeps (see `docs/07-testing-networked-programs.md`):
//! - every server binds port 0, and the test reads the real port from the
//!   server's `listening on HOST:PORT` line, so tests can run in parallel;
//! - every process runs in its own temporary directory;
//! - nothing sleeps: a test waits for a specific output line, with a deadline,
//!   and proves that something did *not* arrive with a short bounded wait;
//! - every process is killed when its handle is dropped, even when the test
//!   fails, so no orphans are left behind;
//! - every program speaks the language the test expects: `--lang en` unless
//!   the test passes a `--lang` of its own, so that a developer's locale
//!   (`LANG=zh_CN.UTF-8`) cannot change what a test reads.

#![allow(dead_code)] // each test file uses a different part of the harness

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::thread;
use std::time::{Duration, Instant};

use tempfile::TempDir;

pub mod files;
pub mod login;
#[cfg(target_os = "linux")]
pub mod procfs;
pub mod raw;
pub mod rooms;
pub mod ws;

/// The seed for a randomized test: `SOCKET_CHAT_SEED` if set (to replay a
/// failure, or explore), else `default`. Printed, because the test harness
/// shows a failing test's output.
pub fn seed(test: &str, default: u64) -> u64 {
    let seed = std::env::var("SOCKET_CHAT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default);
    eprintln!("{test}: seed {seed} (replay with SOCKET_CHAT_SEED={seed})");
    seed
}

/// How long a test waits for something that should happen.
pub const DEADLINE: Duration = Duration::from_secs(20);
/// How long a test watches for something that should *not* happen.
pub const QUIET: Duration = Duration::from_millis(300);

/// Which output stream a line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Out,
    Err,
}

/// A running program with piped stdin, stdout and stderr.
pub struct Proc {
    pub label: String,
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<(Stream, String)>,
    /// Every line seen so far, for failure messages.
    pub history: Vec<(Stream, String)>,
    /// Lines received but not yet matched by an `expect`.
    pending: Vec<(Stream, String)>,
}

impl Proc {
    pub fn spawn(label: &str, mut command: Command) -> Proc {
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {label}: {e}"));
        let (tx, lines) = channel();
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr = child.stderr.take().expect("piped stderr");
        for (stream, pipe) in [
            (Stream::Out, Box::new(stdout) as Box<dyn Read + Send>),
            (Stream::Err, Box::new(stderr)),
        ] {
            let tx = tx.clone();
            thread::spawn(move || {
                let mut reader = BufReader::new(pipe);
                let mut line = Vec::new();
                loop {
                    line.clear();
                    match reader.read_until(b'\n', &mut line) {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {
                            let text = String::from_utf8_lossy(&line);
                            let text = text.trim_end_matches(['\n', '\r']).to_string();
                            if tx.send((stream, text)).is_err() {
                                return;
                            }
                        }
                    }
                }
            });
        }
        Proc {
            label: label.to_string(),
            stdin: child.stdin.take(),
            child,
            lines,
            history: Vec::new(),
            pending: Vec::new(),
        }
    }

    /// Types one line into the program.
    pub fn send(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin already closed");
        writeln!(stdin, "{line}")
            .unwrap_or_else(|e| panic!("{}: cannot write stdin: {e}", self.label));
        stdin.flush().ok();
    }

    /// Closes the program's stdin (end of input).
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    fn receive(&mut self, timeout: Duration) -> Option<(Stream, String)> {
        match self.lines.recv_timeout(timeout) {
            Ok(line) => {
                self.history.push(line.clone());
                Some(line)
            }
            Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => None,
        }
    }

    /// Waits for a line on `stream` that satisfies `matches`, and returns
    /// it. Lines before it are kept for later `expect`s.
    pub fn expect_where(
        &mut self,
        stream: Stream,
        what: &str,
        matches: impl Fn(&str) -> bool,
    ) -> String {
        self.expect_where_within(stream, what, DEADLINE, matches)
    }

    /// [`Proc::expect_where`] with a deadline of `wait` instead of
    /// [`DEADLINE`], for events that take long on purpose (a big file).
    pub fn expect_where_within(
        &mut self,
        stream: Stream,
        what: &str,
        wait: Duration,
        matches: impl Fn(&str) -> bool,
    ) -> String {
        if let Some(i) = self
            .pending
            .iter()
            .position(|(s, l)| *s == stream && matches(l))
        {
            return self.pending.remove(i).1;
        }
        let deadline = Instant::now() + wait;
        loop {
            let now = Instant::now();
            let line = if now < deadline {
                self.receive(deadline - now)
            } else {
                None
            };
            match line {
                Some((s, l)) if s == stream && matches(&l) => return l,
                Some(other) => self.pending.push(other),
                None => panic!(
                    "{}: no {stream:?} line {what} within {wait:?}. Output so far:\n{}",
                    self.label,
                    self.transcript()
                ),
            }
        }
    }

    /// Waits for a stdout line containing `needle`.
    pub fn expect(&mut self, needle: &str) -> String {
        self.expect_where(Stream::Out, &format!("containing {needle:?}"), |l| {
            l.contains(needle)
        })
    }

    /// Waits up to `wait` for a stdout line containing `needle`.
    pub fn expect_within(&mut self, needle: &str, wait: Duration) -> String {
        self.expect_where_within(Stream::Out, &format!("containing {needle:?}"), wait, |l| {
            l.contains(needle)
        })
    }

    /// Where the first stdout line containing `needle` came in the output
    /// so far (0 is the first line), to check the order of two events.
    pub fn position(&self, needle: &str) -> Option<usize> {
        self.history
            .iter()
            .filter(|(s, _)| *s == Stream::Out)
            .position(|(_, l)| l.contains(needle))
    }

    /// Waits for a stderr line containing `needle`.
    pub fn expect_err(&mut self, needle: &str) -> String {
        self.expect_where(Stream::Err, &format!("containing {needle:?}"), |l| {
            l.contains(needle)
        })
    }

    /// Proves that no stdout line containing `needle` arrives within a short
    /// bounded wait (or is already waiting).
    pub fn expect_none(&mut self, needle: &str) {
        self.expect_none_on(Stream::Out, needle);
    }

    /// [`Proc::expect_none`] for either stream.
    fn expect_none_on(&mut self, stream: Stream, needle: &str) {
        self.catch_up();
        if let Some((_, l)) = self
            .pending
            .iter()
            .find(|(s, l)| *s == stream && l.contains(needle))
        {
            panic!("{}: unexpected {stream:?} line {l:?}", self.label);
        }
    }

    /// Collects what the program prints within a short bounded wait, so
    /// that `history` and `transcript` are up to date.
    pub fn catch_up(&mut self) {
        let deadline = Instant::now() + QUIET;
        while let Some(line) = self.receive(deadline.saturating_duration_since(Instant::now())) {
            self.pending.push(line);
        }
    }

    /// The lines the program printed on stderr so far.
    pub fn stderr_lines(&self) -> Vec<&str> {
        self.history
            .iter()
            .filter(|(s, _)| *s == Stream::Err)
            .map(|(_, l)| l.as_str())
            .collect()
    }

    /// Proves that no stderr line containing `needle` arrives within a short
    /// bounded wait (or is already waiting).
    pub fn expect_none_err(&mut self, needle: &str) {
        self.expect_none_on(Stream::Err, needle);
    }

    /// Waits for a stdout line containing `needle`, then proves that no
    /// second one follows within a short bounded wait.
    pub fn expect_once(&mut self, needle: &str) -> String {
        let line = self.expect(needle);
        self.expect_none(needle);
        line
    }

    /// Whether any line seen so far, on either stream, contains `needle`.
    /// Looks only at what has arrived; it does not wait.
    pub fn has_seen(&self, needle: &str) -> bool {
        self.history.iter().any(|(_, l)| l.contains(needle))
    }

    /// True while the program has not exited. Does not wait.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Waits for the program to exit and returns its status.
    ///
    /// The event waited for is the end of its output: both pipe readers
    /// stop when the process has exited and closed them, and the channel
    /// then reports `Disconnected`. After that, `wait` returns at once.
    pub fn wait_exit(&mut self) -> ExitStatus {
        self.close_stdin();
        let deadline = Instant::now() + DEADLINE;
        loop {
            let now = Instant::now();
            if now >= deadline {
                panic!(
                    "{}: did not exit within {DEADLINE:?}. Output:\n{}",
                    self.label,
                    self.transcript()
                );
            }
            match self.lines.recv_timeout(deadline - now) {
                Ok(line) => {
                    self.history.push(line.clone());
                    self.pending.push(line);
                }
                Err(RecvTimeoutError::Disconnected) => break,
                Err(RecvTimeoutError::Timeout) => {}
            }
        }
        self.child.wait().expect("wait for child")
    }

    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Everything the program printed so far, one line each.
    pub fn transcript(&self) -> String {
        self.history
            .iter()
            .map(|(s, l)| format!("  {}| {l}", if *s == Stream::Out { "out" } else { "err" }))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A language the programs speak, as a test chooses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Zh,
}

impl Lang {
    /// The language `args` choose (`--lang zh`, `--lang=zh`): English
    /// unless they say Chinese.
    pub fn of(args: &[&str]) -> Lang {
        let zh = args.windows(2).any(|w| w == ["--lang", "zh"]) || args.contains(&"--lang=zh");
        if zh { Lang::Zh } else { Lang::En }
    }
}

/// `args`, with `--lang en` in front unless they choose a language.
pub fn with_lang<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let chosen = args
        .iter()
        .any(|a| *a == "--lang" || a.starts_with("--lang="));
    let mut all = if chosen { vec![] } else { vec!["--lang", "en"] };
    all.extend_from_slice(args);
    all
}

/// A running `chat-server` in its own temporary directory.
pub struct Server {
    pub proc: Proc,
    pub port: u16,
    pub dir: TempDir,
    /// The language it speaks.
    pub lang: Lang,
}

impl Server {
    /// Starts a server on port 0 with extra `args` (in English unless they
    /// say `--lang zh`), and waits until it listens.
    pub fn start(args: &[&str]) -> Server {
        Server::start_in(TempDir::new().expect("temp dir"), args)
    }

    /// Kills the server the way `kill -9` does (no chance to clean up or
    /// flush anything), then starts a new one in the same folder, on a new
    /// port, with `args`.
    pub fn kill_and_restart(mut self, args: &[&str]) -> Server {
        self.proc.kill();
        Server::start_in(self.dir, args)
    }

    /// Starts a server in `dir` (its working directory) with `args`.
    /// [`Server::start`] in a directory a test already has: the one an
    /// earlier server ran in, to restart on what it left behind.
    pub fn start_in(dir: TempDir, args: &[&str]) -> Server {
        let lang = Lang::of(args);
        let mut command = Command::new(env!("CARGO_BIN_EXE_chat-server"));
        command
            .args(["--port", "0", "--host", "127.0.0.1"])
            .args(with_lang(args))
            .current_dir(dir.path())
            .env("TZ", "UTC");
        let mut proc = Proc::spawn("server", command);
        // The banner's first line: `Chat server listening on HOST:PORT`,
        // `聊天服务器已启动，监听 HOST:PORT`.
        let line = proc.expect(match lang {
            Lang::En => "listening on ",
            Lang::Zh => "监听 ",
        });
        let port = line
            .rsplit(':')
            .next()
            .and_then(|p| p.trim().parse().ok())
            .unwrap_or_else(|| panic!("no port in {line:?}"));
        Server {
            proc,
            port,
            dir,
            lang,
        }
    }

    /// Starts a client named `name` and waits until it has joined.
    pub fn join(&self, name: &str) -> Client {
        self.join_with(name, &[])
    }

    /// Starts a client named `name` with extra `args` (`--downloads DIR`,
    /// `--lang zh`) and waits until it has joined.
    pub fn join_with(&self, name: &str, args: &[&str]) -> Client {
        let mut client = self.client(&[&["--name", name], args].concat());
        match Lang::of(args) {
            Lang::En => {
                client
                    .proc
                    .expect(&format!("Connected to 127.0.0.1:{} as {name}.", self.port));
            }
            Lang::Zh => {
                client
                    .proc
                    .expect(&format!("已连接到服务器 127.0.0.1:{}", self.port));
                client.proc.expect(&format!("用户名: {name}"));
            }
        }
        client
    }

    /// Starts a client for the registered `name`, types `password` when
    /// it asks (it is the next line of standard input), and waits until it
    /// has joined.
    pub fn log_in(&self, name: &str, password: &str) -> Client {
        let mut client = self.client(&["--name", name]);
        client.send(password);
        client.expect(&format!("Password for {name}"));
        client.expect(&format!("Connected to 127.0.0.1:{} as {name}.", self.port));
        client
    }

    /// Starts a client with `args` (after host and port), not waiting.
    pub fn client(&self, args: &[&str]) -> Client {
        Client::start(self.port, args)
    }

    /// Types a console command.
    pub fn send(&mut self, line: &str) {
        self.proc.send(line);
    }

    pub fn expect(&mut self, needle: &str) -> String {
        self.proc.expect(needle)
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }
}

/// A running `chat-client` in its own temporary directory.
pub struct Client {
    pub proc: Proc,
    pub dir: TempDir,
}

impl Client {
    pub fn start(port: u16, args: &[&str]) -> Client {
        let dir = TempDir::new().expect("temp dir");
        let mut command = Command::new(env!("CARGO_BIN_EXE_chat-client"));
        command
            .args(["--port", &port.to_string(), "--host", "127.0.0.1"])
            .args(with_lang(args))
            .current_dir(dir.path())
            .env("TZ", "UTC");
        let label = args
            .windows(2)
            .find(|w| w[0] == "--name")
            .map(|w| w[1].to_string())
            .unwrap_or_else(|| "client".to_string());
        Client {
            proc: Proc::spawn(&label, command),
            dir,
        }
    }

    pub fn send(&mut self, line: &str) {
        self.proc.send(line);
    }

    pub fn expect(&mut self, needle: &str) -> String {
        self.proc.expect(needle)
    }

    pub fn expect_none(&mut self, needle: &str) {
        self.proc.expect_none(needle);
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }
}

/// Runs `chat-client` or `chat-server` to completion with `args` (in
/// English unless they say otherwise), no stdin.
pub fn run_to_end(program: &Path, args: &[&str]) -> std::process::Output {
    Command::new(program)
        .args(with_lang(args))
        .stdin(Stdio::null())
        .output()
        .expect("run program")
}

/// A server with two well-behaved real clients, Alice and Bob, who can
/// prove at any moment that the room still works for them.
pub struct Pair {
    pub server: Server,
    pub alice: Client,
    pub bob: Client,
    said: usize,
}

impl Pair {
    /// Starts a server with `args`, and Alice and Bob on it.
    pub fn start(args: &[&str]) -> Pair {
        let server = Server::start(args);
        let alice = server.join("Alice");
        let bob = server.join("Bob");
        Pair {
            server,
            alice,
            bob,
            said: 0,
        }
    }

    pub fn port(&self) -> u16 {
        self.server.port
    }

    /// Alice and Bob each say something new, and each hears the other.
    pub fn still_chat(&mut self) {
        self.said += 1;
        let n = self.said;
        self.alice.send(&format!("alice line {n}"));
        self.bob.expect(&format!("Alice: alice line {n}"));
        self.bob.send(&format!("bob line {n}"));
        self.alice.expect(&format!("Bob: bob line {n}"));
    }
}
