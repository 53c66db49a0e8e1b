//! The terminal's mode: out of line mode for the line editor, echo off for
//! a password, and back to how it was on every way out.
//!
//! A terminal normally runs in *canonical* ("cooked") mode: it collects a
//! whole line, lets the user edit it, echoes every key, and turns Ctrl-C
//! into a signal that kills the program. The line editor
//! ([`super::editor`]) needs the opposite: every key as it is pressed,
//! nothing echoed (the editor draws the line), Ctrl-C as a key. Changing the
//! mode is a system call (`tcsetattr`) that std does not offer, and this
//! crate uses no libc bindings. But the `stty` program makes that call on
//! the terminal that is its standard input. So on Unix the client runs
//! `stty` as a child process with its standard input inherited, which is our
//! terminal, and the mode it sets is the terminal's, shared with us.
//!
//! Elsewhere (Windows), or when `stty` cannot run, every function here
//! reports [`TerminalError`] and the client keeps reading whole lines as
//! before: the terminal's own line editing, and an incoming message may
//! land in the middle of a half-typed line.
//!
//! # Getting the old mode back
//!
//! `stty -g` prints the current settings in a form `stty` reads back, so
//! [`RawMode`] saves that first and gives it back when dropped: at the end
//! of the client, and during a panic on the thread that holds it, since
//! unwinding runs destructors. A panic message printed while the terminal
//! is raw still starts on a fresh row, because output processing (`\n`
//! becomes `\r\n`) is left on. `std::process::exit` skips destructors;
//! code that ends the program that way calls [`restore`] first.
//!
//! Nothing runs when the process is killed by a signal (`kill`, a closed
//! window): the terminal stays raw, and the shell seems to ignore what is
//! typed (no echo). Typing `stty sane` (or `reset`) and Enter, blind, puts it
//! right.

use std::io::{self, IsTerminal};
use std::sync::Mutex;

#[cfg(unix)]
use std::process::{Command, Stdio};

use crate::sync::lock;

/// Why the terminal's mode could not be changed or read.
///
/// Never shown to a person: the client falls back to plain line reading,
/// which works everywhere.
#[derive(Debug)]
pub enum TerminalError {
    /// Standard input or standard output is not a terminal (a pipe, a
    /// file): there is no line to edit, or no screen to draw it on.
    NotATerminal,
    /// This platform has no `stty` (Windows).
    Unsupported,
    /// `stty` could not be started (not installed, no such file).
    Spawn(io::Error),
    /// `stty` ran and refused; what it wrote on its standard error.
    Refused(String),
}

/// Whether standard input and standard output are both terminals: only
/// then does the client edit lines itself.
pub fn is_interactive() -> bool {
    io::stdin().is_terminal() && io::stdout().is_terminal()
}

/// The settings to put back on every way out: the mode saved by the
/// outermost guard alive, so that [`restore`] can find it from anywhere.
static SAVED: Mutex<Option<String>> = Mutex::new(None);

/// The terminal in raw mode for the line editor, until this is dropped.
///
/// Raw here means, in `stty`'s words:
/// - `-icanon`: no line mode: each key is readable as soon as it is typed
///   (`min 1 time 0`: a read waits for at least one byte, with no timer);
/// - `-echo`: keys are not echoed; the editor draws the line;
/// - `-isig`: Ctrl-C, Ctrl-Z and Ctrl-\ are keys, not signals, so that
///   Ctrl-C ends the client politely (as `/quit`) instead of killing it
///   with the terminal still raw, and Ctrl-Z stops it only after the
///   terminal is given back ([`RawMode::suspend`]);
/// - `-iexten`: Ctrl-V and Ctrl-O are keys too;
/// - `-ixon`: Ctrl-S is a key, not "freeze the output", which looks like a
///   hung program to whoever presses it by accident.
///
/// Output processing (`opost`) stays on, so a `\n` printed by any code
/// still moves to the start of the next row. The editor writes `\r\n`
/// itself anyway, so it does not depend on that.
#[derive(Debug)]
#[must_use = "the terminal goes back to its old mode when this is dropped"]
pub struct RawMode {
    guard: Guard,
}

impl RawMode {
    /// Switches the terminal to raw mode, if standard input and output are
    /// terminals and `stty` can do it.
    pub fn enter() -> Result<RawMode, TerminalError> {
        Ok(RawMode {
            guard: Guard::set(RAW_MODE)?,
        })
    }

    /// Ctrl-Z: stops the program as the terminal itself would, and returns
    /// once the shell has continued it (`fg`), with raw mode taken again.
    ///
    /// In raw mode Ctrl-Z is a key, not a signal, so the program stops
    /// itself: it gives the terminal back its old mode (the shell must not
    /// get it raw), then has `kill -TSTP 0` send SIGTSTP to its whole
    /// process group, which is what the terminal sends on Ctrl-Z in line
    /// mode. (The whole group, not just this process: under
    /// `make run-client` the shell's job is `make`, and only when every
    /// process of the job stops does the shell say "Stopped" and take the
    /// terminal back.) `kill` is in the group too, so it stops with us, and
    /// our wait for it to finish lasts until the job is continued. Where
    /// the group may not stop (no shell with job control started it), the
    /// signal is ignored, and this returns at once.
    pub fn suspend(&self) -> Result<(), TerminalError> {
        stty(&[&self.guard.saved])?;
        let stopped = stop_process_group();
        stty(RAW_MODE.args)?;
        stopped
    }
}

/// Sends SIGTSTP to this process's group, with the `kill` program.
#[cfg(unix)]
fn stop_process_group() -> Result<(), TerminalError> {
    run(Command::new("kill")
        .args(["-TSTP", "0"])
        .stdin(Stdio::null()))
    .map(drop)
}

#[cfg(not(unix))]
fn stop_process_group() -> Result<(), TerminalError> {
    Err(TerminalError::Unsupported)
}

/// The terminal with its echo off, for typing a password, until this is
/// dropped. Line mode stays on: the password is read as a line.
///
/// `-echo echonl`: the keys are not shown, but Enter still moves to the
/// next row. `-isig`: Ctrl-C does not kill the program, which would leave
/// the echo off in the shell after it; it arrives in the line instead, as
/// the byte 0x03, and [`password_from_line`] reads that as "cancelled".
///
/// This is for a password asked before the line editor starts. While the
/// editor runs, the terminal is raw already: use
/// [`super::editor::Editor::set_secret`] instead.
#[derive(Debug)]
#[must_use = "the echo comes back when this is dropped"]
pub struct EchoOff {
    _guard: Guard,
}

impl EchoOff {
    /// Turns the echo off, if standard input is a terminal and `stty` can
    /// do it. (Standard output may be anything: the prompt goes there.)
    pub fn enter() -> Result<EchoOff, TerminalError> {
        Ok(EchoOff {
            _guard: Guard::set(ECHO_OFF_MODE)?,
        })
    }
}

/// One mode to switch to.
struct Settings {
    /// What `stty` is told.
    args: &'static [&'static str],
    /// Whether standard output must be a terminal too (to draw on).
    needs_stdout: bool,
}

/// What [`RawMode`] asks `stty` for.
const RAW_MODE: Settings = Settings {
    args: &[
        "-icanon", "-echo", "-isig", "-iexten", "-ixon", "min", "1", "time", "0",
    ],
    needs_stdout: true,
};

/// What [`EchoOff`] asks `stty` for.
const ECHO_OFF_MODE: Settings = Settings {
    args: &["-echo", "echonl", "-isig"],
    needs_stdout: false,
};

/// What both modes share: the saved settings, put back on drop.
#[derive(Debug)]
struct Guard {
    /// `stty -g`'s output from before the change.
    saved: String,
    /// Whether this guard put `saved` into [`SAVED`] (it was the first).
    registered: bool,
}

impl Guard {
    fn set(settings: Settings) -> Result<Guard, TerminalError> {
        if !io::stdin().is_terminal() || (settings.needs_stdout && !io::stdout().is_terminal()) {
            return Err(TerminalError::NotATerminal);
        }
        let saved = stty(&["-g"])?.trim().to_string();
        let registered = {
            let mut global = lock(&SAVED);
            let first = global.is_none();
            if first {
                *global = Some(saved.clone());
            }
            first
        };
        let guard = Guard { saved, registered };
        // On failure the guard is dropped here, putting back whatever part
        // of the change `stty` had made.
        stty(settings.args)?;
        Ok(guard)
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        // Nothing to do about a failure here: this is the way out.
        let _ = stty(&[&self.saved]);
        if self.registered {
            *lock(&SAVED) = None;
        }
    }
}

/// Puts the terminal back as it was before the first [`RawMode`] or
/// [`EchoOff`] still alive, for code about to call `std::process::exit`,
/// which runs no destructors. Does nothing when no mode was changed.
pub fn restore() {
    let saved = lock(&SAVED).clone();
    if let Some(saved) = saved {
        let _ = stty(&[&saved]);
    }
}

/// The terminal's width in columns, if it can be found: from `stty size`
/// on Unix, else from the `COLUMNS` variable that some shells export.
pub fn width() -> Option<usize> {
    if io::stdin().is_terminal()
        && let Ok(size) = stty(&["size"])
        && let Some((_, columns)) = parse_size(&size)
    {
        return Some(columns);
    }
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse().ok())
        .filter(|&c| c > 0)
}

/// Reads `stty size`'s answer, "ROWS COLUMNS". A terminal that does not
/// know its size answers "0 0", which is no answer.
fn parse_size(text: &str) -> Option<(usize, usize)> {
    let mut numbers = text.split_whitespace().map(str::parse::<usize>);
    let rows = numbers.next()?.ok()?;
    let columns = numbers.next()?.ok()?;
    if numbers.next().is_some() || rows == 0 || columns == 0 {
        return None;
    }
    Some((rows, columns))
}

/// Reads a password from a line read with the echo off: the line without
/// its ending, or `None` when the user cancelled (Ctrl-C arrives in the
/// line as 0x03, Ctrl-D as 0x04 when the line was not empty).
pub fn password_from_line(line: &str) -> Option<String> {
    let line = line.trim_end_matches(['\n', '\r']);
    if line.contains(['\u{3}', '\u{4}']) {
        return None;
    }
    Some(line.to_string())
}

/// Runs `stty` with `args` on our terminal and returns what it printed.
#[cfg(unix)]
fn stty(args: &[&str]) -> Result<String, TerminalError> {
    // The one thing that matters: stty works on its standard input, and it
    // must be our terminal. (`output()` would otherwise give the child an
    // empty stdin.)
    run(Command::new("stty").args(args).stdin(Stdio::inherit()))
}

/// Runs a program to its end and returns what it printed, or, if it
/// failed, what it wrote on its standard error.
#[cfg(unix)]
fn run(command: &mut Command) -> Result<String, TerminalError> {
    let output = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .map_err(TerminalError::Spawn)?;
    if !output.status.success() {
        return Err(TerminalError::Refused(
            String::from_utf8_lossy(&output.stderr).trim().to_string(),
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

#[cfg(not(unix))]
fn stty(_: &[&str]) -> Result<String, TerminalError> {
    Err(TerminalError::Unsupported)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_is_rows_then_columns() {
        assert_eq!(parse_size("24 80\n"), Some((24, 80)));
        assert_eq!(parse_size("50 213"), Some((50, 213)));
    }

    #[test]
    fn a_size_that_is_not_known_is_no_size() {
        for answer in ["0 0\n", "", "24", "24 80 1", "a b", "-1 80"] {
            assert_eq!(parse_size(answer), None, "{answer:?}");
        }
    }

    #[test]
    fn a_password_line_loses_its_ending_only() {
        assert_eq!(
            password_from_line(" p@ss wörd \r\n").as_deref(),
            Some(" p@ss wörd ")
        );
        assert_eq!(password_from_line("").as_deref(), Some(""));
    }

    #[test]
    fn ctrl_c_or_ctrl_d_in_a_password_line_cancels() {
        assert_eq!(password_from_line("abc\u{3}\n"), None);
        assert_eq!(password_from_line("ab\u{4}c\n"), None);
    }

    // Under `cargo test` standard input is not a terminal (or, when it is,
    // changing its mode would upset the developer's shell): the modes are
    // checked for real under a pseudo-terminal by tests/terminal.rs.
    #[test]
    fn modes_need_a_terminal() {
        if io::stdin().is_terminal() {
            eprintln!("modes_need_a_terminal: stdin is a terminal here; not run");
            return;
        }
        assert!(matches!(RawMode::enter(), Err(TerminalError::NotATerminal)));
        assert!(matches!(EchoOff::enter(), Err(TerminalError::NotATerminal)));
        // And nothing was registered to restore.
        assert!(lock(&SAVED).is_none());
    }
}
