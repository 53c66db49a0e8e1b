//! The client's screen: whole lines, plus one progress line that updates in
//! place while a file moves, and, on a terminal, the line being typed.
//!
//! Several threads print (the event loop and the file-sending threads), so
//! printing goes through one lock: a chat line never lands in the middle of
//! a progress line, or of the line the user is typing.
//!
//! There are two ways to show it all:
//!
//! - **Plain**, when the keyboard is a pipe, or the terminal stays in its
//!   own line mode: each line is written as it comes. On a terminal,
//!   progress is redrawn in place with `\r` (carriage return: back to the
//!   start of the line); when the output is a file or a pipe, progress is
//!   not shown at all, only the final line.
//! - **Editing**, when the terminal is in raw mode and the client draws the
//!   input line itself ([`super::editor`]): every line goes *above* the
//!   input row, which is then drawn again, half-typed line and cursor as
//!   they were; progress is the editor's status row, just above it.

use std::io::{self, IsTerminal, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::editor::{Editor, Outcome};
use crate::sync::lock;

/// Select Graphic Rendition: faint, and back to normal.
const DIM: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

/// How often a progress line may be redrawn.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

pub struct Screen {
    terminal: bool,
    state: Mutex<State>,
}

/// What the lock guards: what is on screen besides finished lines.
#[derive(Default)]
struct State {
    /// True while a plain progress line is on screen, unfinished.
    progress_shown: bool,
    /// The line editor, while the user types into it.
    editor: Option<Editor>,
}

impl Screen {
    pub fn new() -> Self {
        Screen {
            terminal: io::stdout().is_terminal(),
            state: Mutex::new(State::default()),
        }
    }

    /// Prints a line on stdout: above the input row while editing, else
    /// after clearing any progress line. `text` may hold several lines.
    pub fn line(&self, text: &str) {
        let mut state = lock(&self.state);
        if let Some(editor) = state.editor.as_mut() {
            let mut out = Vec::new();
            editor.print_above(text, &mut out);
            return write_out(&out);
        }
        let mut out = io::stdout().lock();
        // Writing to a closed stdout must not panic (`println!` would): the
        // chat goes on even if nobody is watching.
        if state.progress_shown {
            let _ = write!(out, "\r\x1b[K");
            state.progress_shown = false;
        }
        let _ = writeln!(out, "{text}");
        let _ = out.flush();
    }

    /// Prints a message replayed from history: as [`Screen::line`], dimmed
    /// on a terminal so that earlier messages stand back from live ones.
    /// `text` has passed the catalogue's terminal rule, so it holds no
    /// escape sequence of its own, and the dimming cannot leak past it:
    /// SGR 2 (faint) before, SGR 0 (reset) after, on every line.
    pub fn earlier(&self, text: &str) {
        if !self.terminal {
            return self.line(text);
        }
        let dimmed: Vec<String> = text.lines().map(|l| format!("{DIM}{l}{RESET}")).collect();
        self.line(&dimmed.join("\n"));
    }

    /// Prints a line on stderr: for the line that ends the program. While
    /// editing, editing ends first, so that the line starts on a clean row
    /// and no prompt is drawn after it.
    pub fn error(&self, text: &str) {
        let mut state = lock(&self.state);
        if let Some(editor) = state.editor.as_mut() {
            let mut out = Vec::new();
            editor.finish(&mut out);
            write_out(&out);
        }
        let _ = writeln!(io::stderr(), "{text}");
    }

    /// Whether progress lines are shown at all (only on a terminal), so
    /// that a transfer's per-chunk loop can skip the bookkeeping otherwise.
    pub fn shows_progress(&self) -> bool {
        self.terminal
    }

    /// Redraws the progress line, on a terminal only.
    pub fn progress(&self, text: &str) {
        if !self.terminal {
            return;
        }
        let mut state = lock(&self.state);
        if let Some(editor) = state.editor.as_mut() {
            let mut out = Vec::new();
            editor.show_status(text, &mut out);
            return write_out(&out);
        }
        let mut out = io::stdout().lock();
        let _ = write!(out, "\r\x1b[K{text}");
        let _ = out.flush();
        state.progress_shown = true;
    }

    /// Hands the screen's bottom row to `editor` (the terminal is in raw
    /// mode by now) and draws its prompt.
    pub fn start_editing(&self, mut editor: Editor) {
        let mut state = lock(&self.state);
        let mut out = Vec::new();
        if state.progress_shown {
            out.extend_from_slice(b"\r\x1b[K");
            state.progress_shown = false;
        }
        editor.redraw(&mut out);
        state.editor = Some(editor);
        write_out(&out);
    }

    /// Changes the editor's prompt (to show the room the user is in) and
    /// draws the input row again; nothing without the editor. `prompt` has
    /// passed the catalogue's terminal rule.
    pub fn set_prompt(&self, prompt: &str) {
        if let Some(editor) = lock(&self.state).editor.as_mut() {
            let mut out = Vec::new();
            editor.set_prompt(prompt, &mut out);
            write_out(&out);
        }
    }

    /// Whether the line editor is drawing the input line.
    pub fn is_editing(&self) -> bool {
        lock(&self.state).editor.is_some()
    }

    /// Gives the editor bytes from the keyboard; [`Screen::next_typed`]
    /// applies them.
    pub fn feed(&self, keys: &[u8]) {
        if let Some(editor) = lock(&self.state).editor.as_mut() {
            editor.feed(keys);
        }
    }

    /// Applies the keys fed so far, drawing as it goes, up to the next one
    /// that finishes something (Enter, Ctrl-D, Ctrl-C); `None` once all are
    /// applied. The lock is let go in between, so that the caller can act
    /// on a line (and print its confirmation) before the next is drawn.
    pub fn next_typed(&self) -> Option<Outcome> {
        let mut state = lock(&self.state);
        let editor = state.editor.as_mut()?;
        let mut out = Vec::new();
        let outcome = editor.advance(&mut out);
        write_out(&out);
        outcome
    }

    /// Draws the input row again, as it was (after Ctrl-Z cleared it).
    pub fn redraw(&self) {
        if let Some(editor) = lock(&self.state).editor.as_mut() {
            let mut out = Vec::new();
            editor.redraw(&mut out);
            write_out(&out);
        }
    }

    /// Follows a change of the terminal's width (`None`: unknown).
    pub fn set_width(&self, width: Option<usize>) {
        if let Some(editor) = lock(&self.state).editor.as_mut() {
            let mut out = Vec::new();
            editor.set_width(width, &mut out);
            write_out(&out);
        }
    }

    /// Asks for a password in the editor: `prompt` in front of a line that
    /// is edited as usual but never drawn, nor kept in the history.
    pub fn begin_secret(&self, prompt: &str) {
        if let Some(editor) = lock(&self.state).editor.as_mut() {
            let mut out = Vec::new();
            editor.set_secret(true, &mut out);
            editor.set_prompt(prompt, &mut out);
            write_out(&out);
        }
    }

    /// Back to showing what is typed, after [`Screen::begin_secret`].
    pub fn end_secret(&self, prompt: &str) {
        if let Some(editor) = lock(&self.state).editor.as_mut() {
            let mut out = Vec::new();
            editor.set_secret(false, &mut out);
            editor.set_prompt(prompt, &mut out);
            write_out(&out);
        }
    }

    /// Ends editing: the input row is cleared, and what is printed from
    /// here on is plain again (the terminal is about to leave raw mode).
    pub fn stop_editing(&self) {
        if let Some(mut editor) = lock(&self.state).editor.take() {
            let mut out = Vec::new();
            editor.finish(&mut out);
            write_out(&out);
        }
    }
}

impl Default for Screen {
    fn default() -> Self {
        Screen::new()
    }
}

/// Writes what the editor drew, in one go.
fn write_out(bytes: &[u8]) {
    let mut out = io::stdout().lock();
    let _ = out.write_all(bytes);
    let _ = out.flush();
}

/// Decides when a transfer's progress is worth redrawing: at most every
/// [`PROGRESS_EVERY`], so a fast transfer does not spend its time printing.
pub struct Progress {
    last: Option<Instant>,
}

impl Progress {
    pub fn new() -> Self {
        Progress { last: None }
    }

    /// The percentage to show now, if it is time to show one.
    pub fn due(&mut self, done: u64, total: u64) -> Option<f64> {
        self.due_at(Instant::now(), done, total)
    }

    /// [`Progress::due`] at a given moment (so that tests need no clock).
    fn due_at(&mut self, now: Instant, done: u64, total: u64) -> Option<f64> {
        if self.last.is_some_and(|last| now - last < PROGRESS_EVERY) {
            return None;
        }
        self.last = Some(now);
        Some(if total == 0 {
            100.0
        } else {
            done as f64 * 100.0 / total as f64
        })
    }
}

impl Default for Progress {
    fn default() -> Self {
        Progress::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_is_shown_at_most_every_tenth_of_a_second() {
        let start = Instant::now();
        let mut progress = Progress::new();
        assert_eq!(progress.due_at(start, 1, 4), Some(25.0));
        assert_eq!(
            progress.due_at(start + Duration::from_millis(50), 2, 4),
            None
        );
        assert_eq!(progress.due_at(start + PROGRESS_EVERY, 3, 4), Some(75.0));
    }

    #[test]
    fn an_empty_file_is_done_at_once() {
        assert_eq!(Progress::new().due(0, 0), Some(100.0));
    }
}
