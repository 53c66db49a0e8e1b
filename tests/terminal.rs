//! Tests under a real terminal: std cannot make a pseudo-terminal, but tmux
//! can. Each test starts its own tmux server (its socket in the test's
//! temporary directory, so parallel tests never meet, killed on drop), runs
//! a program in a detached 80×24 window, types into it with `send-keys`,
//! and reads the screen back with `capture-pane`.
//!
//! Waiting without sleeping: tmux copies everything the program prints to a
//! FIFO (`pipe-pane`), and a test looks at the screen again each time more
//! output arrives, until what it expects is there or a deadline passes.
//!
//! Where tmux is not installed, each test says that it did not run, and
//! passes.

#![cfg(unix)]

mod common;

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::thread;
use std::time::Instant;

use common::DEADLINE;
use tempfile::TempDir;

/// The pane's size: the classic 80 columns, and rows enough for `/help`
/// (the chat's commands and the editing keys, 25 rows) with the command
/// typed above it.
const COLUMNS: usize = 80;
const ROWS: usize = 30;

/// Whether tmux can run here; if not, says which test did not run.
fn have_tmux(test: &str) -> bool {
    let found = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        eprintln!("{test}: tmux is not installed, so this test did not run");
    }
    found
}

/// A program running in a window of its own tmux server.
struct Pane {
    dir: TempDir,
    socket: PathBuf,
    /// What the program prints, as tmux passes it on.
    output: Receiver<Vec<u8>>,
    /// Output has ended: the program is gone.
    ended: bool,
}

impl Pane {
    /// Starts `program` with `args` in `cwd`, with the environment
    /// variables `env` set.
    ///
    /// A small shell script around the program records the terminal's
    /// settings before and after it runs (`stty -g`), and its exit status,
    /// then signals the tmux channel `done`. It starts the program only
    /// once the channel `go` is signalled, after the FIFO is in place, so
    /// that no output is missed.
    fn start(program: &Path, args: &[&str], env: &[(&str, &str)], cwd: &Path) -> Pane {
        let dir = TempDir::new().expect("temp dir");
        let socket = dir.path().join("tmux.sock");
        let script = format!(
            "tmux wait-for go; stty -g > '{d}/before'; \"$@\"; echo $? > '{d}/status'; \
             stty -g > '{d}/after'; tmux wait-for -S done; exec cat",
            d = dir.path().display()
        );
        let mut command = Command::new("tmux");
        command
            .arg("-S")
            .arg(&socket)
            .args(["-f", "/dev/null", "new-session", "-d", "-s", "main"])
            .args(["-x", &COLUMNS.to_string(), "-y", &ROWS.to_string()])
            .arg("-c")
            .arg(cwd);
        for (name, value) in env {
            command.args(["-e", &format!("{name}={value}")]);
        }
        command.args(["--", "sh", "-c", &script, "sh"]);
        command.arg(program).args(args);
        // From here on, dropping the pane kills the tmux server.
        let (tx, output) = channel();
        let pane = Pane {
            output,
            dir,
            socket,
            ended: false,
        };
        check(command.output().expect("start tmux"), "new-session");
        let fifo = pane.dir.path().join("output");
        let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
        assert!(made.success(), "mkfifo failed");
        {
            let fifo = fifo.clone();
            // Opening a FIFO for reading waits for its writer, tmux's `cat`.
            thread::spawn(move || {
                let Ok(mut file) = File::open(&fifo) else {
                    return;
                };
                let mut buf = [0; 4096];
                while let Ok(n) = file.read(&mut buf) {
                    if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                        return;
                    }
                }
            });
        }
        let pipe = format!("cat > '{}'", fifo.display());
        pane.run(&["pipe-pane", "-t", "main", &pipe]);
        pane.run(&["wait-for", "-S", "go"]);
        pane
    }

    /// Runs a tmux command against this pane's server.
    fn run(&self, args: &[&str]) -> String {
        let output = Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("run tmux");
        check(output, &args.join(" "))
    }

    /// Types `text` as it is.
    fn type_text(&self, text: &str) {
        self.run(&["send-keys", "-t", "main", "-l", text]);
    }

    /// Presses keys by tmux's names: `Enter`, `Left`, `C-c`.
    fn press(&self, keys: &[&str]) {
        self.run(&[&["send-keys", "-t", "main"][..], keys].concat());
    }

    /// The screen's rows, trailing blanks trimmed.
    fn screen(&self) -> Vec<String> {
        self.run(&["capture-pane", "-p", "-t", "main"])
            .lines()
            .map(|l| l.trim_end().to_string())
            .collect()
    }

    /// The cursor's column and row.
    fn cursor(&self) -> (usize, usize) {
        let answer = self.run(&[
            "display-message",
            "-p",
            "-t",
            "main",
            "#{cursor_x} #{cursor_y}",
        ]);
        let mut numbers = answer
            .split_whitespace()
            .map(|n| n.parse().expect("a number"));
        (numbers.next().expect("x"), numbers.next().expect("y"))
    }

    /// Waits until the screen satisfies `ready`, looking again each time
    /// the program prints something; returns the screen.
    fn wait_for(&mut self, what: &str, ready: impl Fn(&[String]) -> bool) -> Vec<String> {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let screen = self.screen();
            if ready(&screen) {
                return screen;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            let more = if self.ended {
                Err(RecvTimeoutError::Disconnected)
            } else {
                self.output.recv_timeout(left)
            };
            match more {
                Ok(_) => {}
                Err(RecvTimeoutError::Disconnected) if !self.ended => self.ended = true,
                Err(_) => panic!(
                    "no {what} within {DEADLINE:?}. The screen:\n{}",
                    screen.join("\n")
                ),
            }
        }
    }

    /// Waits for the script around the program to finish, and returns the
    /// program's exit status.
    fn wait_done(&self) -> i32 {
        let (tx, rx) = channel();
        let socket = self.socket.clone();
        thread::spawn(move || {
            let status = Command::new("tmux")
                .arg("-S")
                .arg(&socket)
                .args(["wait-for", "done"])
                .status();
            let _ = tx.send(status);
        });
        match rx.recv_timeout(DEADLINE) {
            Ok(Ok(status)) if status.success() => {}
            other => panic!(
                "the program did not finish within {DEADLINE:?} ({other:?}). The screen:\n{}",
                self.screen().join("\n")
            ),
        }
        self.read("status").trim().parse().expect("an exit status")
    }

    /// A file the script wrote.
    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(name))
            .unwrap_or_else(|e| panic!("no {name}: {e}"))
    }

    /// The terminal's settings before and after the program ran.
    fn settings_before_and_after(&self) -> (String, String) {
        (self.read("before"), self.read("after"))
    }
}

/// What a tmux command printed, after checking that it worked.
fn check(output: Output, what: &str) -> String {
    assert!(
        output.status.success(),
        "tmux {what} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

impl Drop for Pane {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .arg("kill-server")
            .stderr(Stdio::null())
            .status();
    }
}

/// The variable that makes this test binary the program in the pane (see
/// [`pty_child`]), and which part it plays.
const CHILD: &str = "SOCKET_CHAT_PTY_CHILD";

/// Runs this test binary's [`pty_child`] in a pane, as `role`.
fn run_child(role: &str) -> (Pane, i32) {
    let exe = std::env::current_exe().expect("the test binary");
    let dir = TempDir::new().expect("temp dir");
    let report = dir.path().join("report");
    let report = report.to_str().expect("a UTF-8 path");
    let pane = Pane::start(
        &exe,
        &["--ignored", "--exact", "pty_child", "--test-threads", "1"],
        &[(CHILD, role), ("SOCKET_CHAT_PTY_REPORT", report)],
        dir.path(),
    );
    let status = pane.wait_done();
    // The report moves into the pane's folder, which outlives `dir`.
    std::fs::rename(report, pane.dir.path().join("report")).expect("a report");
    (pane, status)
}

/// The child half of the tests below: run by them inside a pane, with
/// [`CHILD`] saying what to do. It writes what it saw into the report file
/// for the test to check. Run on its own, it is skipped (ignored).
#[test]
#[ignore = "the child half of the pseudo-terminal tests, which run it"]
fn pty_child() {
    use socket_chat::client::terminal::{self, EchoOff, RawMode};
    let Ok(role) = std::env::var(CHILD) else {
        eprintln!("pty_child: only the tests in this file run this, in a terminal");
        return;
    };
    let report = std::env::var("SOCKET_CHAT_PTY_REPORT").expect("a report path");
    let stty = |arg: &str| {
        let out = Command::new("stty")
            .arg(arg)
            .stdin(Stdio::inherit())
            .output()
            .expect("stty");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let mut lines = Vec::new();
    match role.as_str() {
        "modes" => {
            let before = stty("-g");
            {
                let _raw = RawMode::enter().expect("raw mode");
                lines.push(format!("raw {}", stty("-a").replace('\n', " ")));
                lines.push(format!("width {:?}", terminal::width()));
                // restore() puts the old mode back without the guard.
                terminal::restore();
                lines.push(format!("restored {}", stty("-g") == before));
            }
            lines.push(format!("after-raw {}", stty("-g") == before));
            {
                let _quiet = EchoOff::enter().expect("echo off");
                lines.push(format!("echo-off {}", stty("-a").replace('\n', " ")));
            }
            lines.push(format!("after-echo-off {}", stty("-g") == before));
            std::fs::write(&report, lines.join("\n")).expect("write the report");
        }
        "panic" => {
            std::fs::write(&report, "entering raw mode, then panicking").expect("report");
            let _raw = RawMode::enter().expect("raw mode");
            panic!("a panic while the terminal is raw");
        }
        other => panic!("unknown role {other}"),
    }
}

/// The `stty -a` settings in a report line, one word each.
fn settings<'a>(report: &'a str, line: &str) -> Vec<&'a str> {
    report
        .lines()
        .find_map(|l| l.strip_prefix(line).and_then(|l| l.strip_prefix(' ')))
        .unwrap_or_else(|| panic!("no {line} in the report:\n{report}"))
        .split_whitespace()
        .collect()
}

#[test]
fn raw_mode_and_echo_off_change_the_terminal_and_give_it_back() {
    if !have_tmux("raw_mode_and_echo_off_change_the_terminal_and_give_it_back") {
        return;
    }
    let (pane, status) = run_child("modes");
    assert_eq!(
        status,
        0,
        "the child failed. The screen:\n{}",
        pane.screen().join("\n")
    );
    let report = pane.read("report");
    let raw = settings(&report, "raw");
    for setting in ["-icanon", "-echo", "-isig", "-iexten", "-ixon", "opost"] {
        assert!(raw.contains(&setting), "raw mode lacks {setting}: {raw:?}");
    }
    assert!(raw.join(" ").contains("min = 1;"), "{raw:?}");
    let quiet = settings(&report, "echo-off");
    for setting in ["icanon", "-echo", "echonl", "-isig", "opost"] {
        assert!(
            quiet.contains(&setting),
            "echo-off mode lacks {setting}: {quiet:?}"
        );
    }
    assert!(
        report.contains(&format!("width Some({COLUMNS})")),
        "{report}"
    );
    for line in ["restored true", "after-raw true", "after-echo-off true"] {
        assert!(report.contains(line), "{line} missing from\n{report}");
    }
    let (before, after) = pane.settings_before_and_after();
    assert_eq!(before, after);
}

#[test]
fn a_panic_gives_the_terminal_back() {
    if !have_tmux("a_panic_gives_the_terminal_back") {
        return;
    }
    let (pane, status) = run_child("panic");
    assert_ne!(status, 0, "the child was meant to panic");
    assert!(pane.read("report").contains("panicking"));
    let (before, after) = pane.settings_before_and_after();
    assert_eq!(before, after, "the terminal was left changed");
}

/// The lowest row with anything on it: the input row, in a client that
/// edits its line.
fn last_row(screen: &[String]) -> &str {
    screen
        .iter()
        .rev()
        .find(|r| !r.is_empty())
        .map_or("", String::as_str)
}

/// Where on the screen the first row containing `needle` is.
fn row_of(screen: &[String], needle: &str) -> Option<usize> {
    screen.iter().position(|r| r.contains(needle))
}

/// Starts Alice's client in a pane, in a folder of her own (returned with
/// the pane, to live as long), joined to `server`, and waits for her
/// prompt.
fn alice_in_a_pane(server: &common::Server) -> (Pane, TempDir) {
    let home = TempDir::new().expect("temp dir");
    let port = server.port.to_string();
    let mut alice = Pane::start(
        Path::new(env!("CARGO_BIN_EXE_chat-client")),
        &[
            "--lang",
            "en",
            "--host",
            "127.0.0.1",
            "--port",
            &port,
            "--name",
            "Alice",
        ],
        &[("TZ", "UTC")],
        home.path(),
    );
    alice.wait_for("Alice's prompt after joining", |s| {
        row_of(s, "Connected to").is_some() && last_row(s) == "#lobby>"
    });
    (alice, home)
}

#[test]
fn a_message_arriving_while_typing_leaves_the_half_typed_line_intact() {
    if !have_tmux("a_message_arriving_while_typing_leaves_the_half_typed_line_intact") {
        return;
    }
    let server = common::Server::start(&[]);
    let mut bob = server.join("Bob");
    let (mut alice, _home) = alice_in_a_pane(&server);
    bob.expect("Alice joined");

    // Half a line, with Chinese in it, and the cursor moved back into it.
    alice.type_text("你好, I am tyin");
    alice.press(&["Left", "Left"]);
    alice.wait_for("the half-typed line", |s| {
        last_row(s) == "#lobby> 你好, I am tyin"
    });
    bob.send("Hi Alice!");
    let screen = alice.wait_for("Bob's message above the half-typed line", |s| {
        row_of(s, "Bob: Hi Alice!").is_some() && last_row(s) == "#lobby> 你好, I am tyin"
    });
    let message = row_of(&screen, "Bob: Hi Alice!").expect("the message");
    let input = row_of(&screen, "#lobby> 你好, I am tyin").expect("the input row");
    assert_eq!(
        input,
        message + 1,
        "the message goes just above the line:\n{}",
        screen.join("\n")
    );
    assert_eq!(
        alice.cursor(),
        (8 + 4 + 9, input),
        "the cursor stays between \"ty\" and \"in\" (the prompt \"#lobby> \" is 8 columns, 你好 4)"
    );

    // Typing goes on where the cursor was; then the line is sent.
    alice.type_text("p");
    alice.press(&["End"]);
    alice.type_text("g");
    alice.press(&["Enter"]);
    bob.expect("Alice: 你好, I am typing");
    alice.wait_for("a fresh prompt", |s| last_row(s) == "#lobby>");

    // A line wider than the window scrolls instead of wrapping.
    let long: String = (0..120)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect();
    alice.type_text(&long);
    let tail = &long[long.len() - 10..];
    let screen = alice.wait_for("the end of the long line", |s| last_row(s).ends_with(tail));
    let row = last_row(&screen);
    assert!(
        row.chars().count() < COLUMNS,
        "the input row wrapped: {row:?}"
    );
    assert!(
        !screen.iter().any(|r| r.starts_with("#lobby> abcdef")),
        "{}",
        screen.join("\n")
    );
    alice.press(&["C-u"]);
    alice.wait_for("the line erased", |s| last_row(s) == "#lobby>");

    // Ctrl-C quits as /quit does, and the terminal is as it was.
    alice.press(&["C-c"]);
    assert_eq!(alice.wait_done(), 0);
    bob.expect("Alice left");
    let (before, after) = alice.settings_before_and_after();
    assert_eq!(before, after, "the terminal was left changed");
}

/// Checks that the terminal's settings after the program are those from
/// before it.
fn assert_given_back(pane: &Pane) {
    let (before, after) = pane.settings_before_and_after();
    assert_eq!(before, after, "the terminal was left changed");
}

/// Whether a row is a chat line: "[hh:mm:ss] " and then `rest`.
fn is_line(row: &str, rest: &str) -> bool {
    let b = row.as_bytes();
    b.len() > 11 && b[0] == b'[' && b[3] == b':' && b[9] == b']' && &row[11..] == rest
}

/// The prompt names the room the user is in, and follows it: `/join`
/// changes it, and a replay's lines are marked as earlier ones.
#[test]
fn the_prompt_shows_the_room_and_follows_a_join() {
    if !have_tmux("the_prompt_shows_the_room_and_follows_a_join") {
        return;
    }
    let server = common::Server::start(&[]);
    let mut bob = server.join("Bob");
    bob.send("/join #python");
    bob.expect("You are in #python (1): Bob");
    bob.send("said before Alice came");
    let (mut alice, _home) = alice_in_a_pane(&server);
    bob.expect("Alice joined");

    alice.type_text("/join #Python");
    alice.press(&["Enter"]);
    let screen = alice.wait_for("the room's prompt", |s| {
        row_of(s, "You are in #python (2): Bob, Alice").is_some() && last_row(s) == "#python>"
    });
    // The command stays after the prompt it was typed at.
    assert!(
        row_of(&screen, "#lobby> /join #Python").is_some(),
        "{}",
        screen.join("\n")
    );
    alice.wait_for("the replayed line, marked", |s| {
        s.iter()
            .any(|r| is_line(r, "(earlier) Bob: said before Alice came"))
    });
    alice.type_text("/join lobby");
    alice.press(&["Enter"]);
    alice.wait_for("the lobby's prompt again", |s| last_row(s) == "#lobby>");
    alice.press(&["C-c"]);
    assert_eq!(alice.wait_done(), 0);
}

#[test]
fn your_own_words_replace_the_typed_line_and_a_shutdown_gives_the_terminal_back() {
    if !have_tmux("your_own_words_replace_the_typed_line_and_a_shutdown_gives_the_terminal_back") {
        return;
    }
    let mut server = common::Server::start(&[]);
    let mut bob = server.join("Bob");
    let (mut alice, _home) = alice_in_a_pane(&server);

    alice.type_text("Hello Bob!");
    alice.press(&["Enter"]);
    bob.expect("Alice: Hello Bob!");
    let screen = alice.wait_for("Alice's own line", |s| {
        s.iter().any(|r| is_line(r, "Alice: Hello Bob!")) && last_row(s) == "#lobby>"
    });
    assert!(
        row_of(&screen, "#lobby> Hello").is_none(),
        "the typed line stays as well as its confirmation:\n{}",
        screen.join("\n")
    );

    alice.type_text("/msg @bob psst");
    alice.press(&["Enter"]);
    bob.expect("Alice: [private] psst");
    alice.wait_for("the private message's confirmation", |s| {
        s.iter().any(|r| is_line(r, "→ Bob: psst")) && last_row(s) == "#lobby>"
    });

    // A command stays on screen, as in a shell, above what it prints; in
    // the editor, /help lists the editing keys too.
    alice.type_text("/help");
    alice.press(&["Enter"]);
    let screen = alice.wait_for("the help with the editing keys", |s| {
        row_of(s, "Ctrl-D").is_some() && last_row(s) == "#lobby>"
    });
    assert!(
        row_of(&screen, "#lobby> /help").is_some(),
        "{}",
        screen.join("\n")
    );

    // The server shuts down while Alice is half-way through a line: the
    // reason is the last line, status 0, and the terminal is as it was.
    alice.type_text("half a li");
    alice.wait_for("the half-typed line", |s| {
        last_row(s) == "#lobby> half a li"
    });
    server.send("/quit");
    assert_eq!(alice.wait_done(), 0);
    let screen = alice.screen();
    assert_eq!(
        last_row(&screen),
        "The server has shut down. Goodbye.",
        "{}",
        screen.join("\n")
    );
    assert_given_back(&alice);
}

#[test]
fn a_lost_connection_says_so_on_a_row_of_its_own_and_gives_the_terminal_back() {
    if !have_tmux("a_lost_connection_says_so_on_a_row_of_its_own_and_gives_the_terminal_back") {
        return;
    }
    let mut server = common::Server::start(&[]);
    let (mut alice, _home) = alice_in_a_pane(&server);
    alice.type_text("unsent");
    alice.wait_for("the half-typed line", |s| last_row(s) == "#lobby> unsent");
    server.proc.kill();
    assert_eq!(alice.wait_done(), 1);
    let screen = alice.screen();
    assert_eq!(
        last_row(&screen),
        "Connection to the server lost.",
        "{}",
        screen.join("\n")
    );
    assert!(
        row_of(&screen, "#lobby> unsent").is_none(),
        "{}",
        screen.join("\n")
    );
    assert_given_back(&alice);
}

#[test]
fn ctrl_d_on_an_empty_line_leaves_and_elsewhere_deletes() {
    if !have_tmux("ctrl_d_on_an_empty_line_leaves_and_elsewhere_deletes") {
        return;
    }
    let server = common::Server::start(&[]);
    let mut bob = server.join("Bob");
    let (mut alice, _home) = alice_in_a_pane(&server);
    bob.expect("Alice joined");
    alice.type_text("abc");
    alice.press(&["Home", "C-d"]);
    alice.wait_for("the first character deleted", |s| {
        last_row(s) == "#lobby> bc"
    });
    alice.press(&["End", "C-u"]);
    alice.wait_for("the line erased", |s| last_row(s) == "#lobby>");
    alice.press(&["C-d"]);
    assert_eq!(alice.wait_done(), 0);
    bob.expect("* Alice left (1 online)");
    assert!(row_of(&alice.screen(), "You left the chat.").is_some());
    assert_given_back(&alice);
}

/// Ctrl-Z is a key in raw mode, so the client stops itself: the shell gets
/// the terminal back in its old mode, and `fg` brings the chat back with
/// the half-typed line redrawn. The pane runs an interactive shell (job
/// control is the shell's), and the client is started from it.
#[test]
fn ctrl_z_gives_the_shell_a_sane_terminal_and_fg_brings_the_line_back() {
    let test = "ctrl_z_gives_the_shell_a_sane_terminal_and_fg_brings_the_line_back";
    if !have_tmux(test) {
        return;
    }
    // The client stops itself with the `kill` program (not a shell's
    // builtin: it runs no shell).
    if Command::new("kill").arg("-l").output().is_err() {
        eprintln!("{test}: the kill program is not installed, so this test did not run");
        return;
    }
    let server = common::Server::start(&[]);
    let mut bob = server.join("Bob");
    let home = TempDir::new().expect("temp dir");
    let mut shell = Pane::start(
        Path::new("sh"),
        &["-i"],
        &[("TZ", "UTC"), ("PS1", "$ "), ("ENV", "/dev/null")],
        home.path(),
    );
    shell.wait_for("the shell's prompt", |s| last_row(s) == "$");
    let client = format!(
        "'{}' --lang en --host 127.0.0.1 --port {} --name Alice",
        env!("CARGO_BIN_EXE_chat-client"),
        server.port
    );
    shell.type_text(&client);
    shell.press(&["Enter"]);
    shell.wait_for("Alice's prompt", |s| last_row(s) == "#lobby>");
    bob.expect("Alice joined");
    shell.type_text("half a li");
    shell.wait_for("the half-typed line", |s| {
        last_row(s) == "#lobby> half a li"
    });

    shell.press(&["C-z"]);
    shell.wait_for("the shell's prompt after Ctrl-Z", |s| {
        row_of(s, "Stopped").is_some() && last_row(s) == "$"
    });
    let during = shell.dir.path().join("during");
    shell.type_text(&format!("stty -g > '{}'; echo SAVED", during.display()));
    shell.press(&["Enter"]);
    shell.wait_for("the settings saved", |s| {
        s.iter().any(|r| r == "SAVED") && last_row(s) == "$"
    });
    let before = shell.read("before");
    let during = std::fs::read_to_string(&during).expect("the settings while stopped");
    assert_eq!(before, during, "the shell got the terminal in raw mode");

    shell.type_text("fg");
    shell.press(&["Enter"]);
    shell.wait_for("the line redrawn", |s| last_row(s) == "#lobby> half a li");
    shell.type_text("ne");
    shell.press(&["Enter"]);
    bob.expect("Alice: half a line");
    shell.press(&["C-c"]);
    shell.wait_for("the shell's prompt after the client", |s| {
        row_of(s, "You left the chat.").is_some() && last_row(s) == "$"
    });
    shell.type_text("exit");
    shell.press(&["Enter"]);
    assert_eq!(shell.wait_done(), 0);
    assert_given_back(&shell);
}

/// A password typed at a terminal is never on the screen: not at the
/// prompt before joining (the echo is off), not in the line editor during
/// the chat (its secret mode draws nothing of the line), and not in the
/// editor's history afterwards.
#[test]
fn a_password_is_never_shown_before_joining_or_in_the_editor() {
    if !have_tmux("a_password_is_never_shown_before_joining_or_in_the_editor") {
        return;
    }
    let server = common::Server::start(&[]);
    let mut setup = common::raw::Raw::connect(server.port);
    common::login::register(&mut setup, "Alice", "hunter2");
    let home = TempDir::new().expect("temp dir");
    let port = server.port.to_string();
    let mut alice = Pane::start(
        Path::new(env!("CARGO_BIN_EXE_chat-client")),
        &[
            "--lang",
            "en",
            "--host",
            "127.0.0.1",
            "--port",
            &port,
            "--name",
            "Alice",
            "--iterations",
            "4096",
        ],
        &[("TZ", "UTC")],
        home.path(),
    );
    alice.wait_for("the password prompt", |s| {
        last_row(s) == "Password for Alice:"
    });
    alice.type_text("hunter2");
    alice.press(&["Enter"]);
    alice.wait_for("Alice's prompt after logging in", |s| {
        row_of(s, "Connected to").is_some() && last_row(s) == "#lobby>"
    });

    alice.type_text("/passwd");
    alice.press(&["Enter"]);
    alice.wait_for("the new password's prompt", |s| {
        last_row(s) == "New password for Alice:"
    });
    alice.type_text("s3cr3t-one");
    // Still nothing after the prompt, though the editor has the keys.
    alice.press(&["Left"]);
    alice.wait_for("a prompt that shows nothing typed", |s| {
        last_row(s) == "New password for Alice:"
    });
    alice.press(&["Enter"]);
    alice.wait_for("the second prompt", |s| {
        last_row(s) == "The same password again:"
    });
    alice.type_text("s3cr3t-one");
    alice.press(&["Enter"]);
    let screen = alice.wait_for("the change confirmed, and the chat's prompt back", |s| {
        row_of(s, "The password of Alice is changed.").is_some() && last_row(s) == "#lobby>"
    });
    // Up brings back the last line typed in the chat, not a password.
    alice.press(&["Up"]);
    let after = alice.wait_for("the last chat line", |s| last_row(s) == "#lobby> /passwd");
    for screen in [&screen, &after] {
        for secret in ["hunter2", "s3cr3t-one"] {
            assert!(
                !screen.iter().any(|row| row.contains(secret)),
                "{secret} is on the screen:\n{}",
                screen.join("\n")
            );
        }
    }
    alice.press(&["C-u"]);
    alice.press(&["C-c"]);
    assert_eq!(alice.wait_done(), 0);
    assert_given_back(&alice);
}
