//! The client's screen: whole lines, plus one progress line that updates in
//! place while a file moves.
//!
//! Two threads print (the event loop and a file-sending thread), so
//! printing goes through one lock: a chat line never lands in the middle of
//! a progress line. On a terminal, progress is redrawn in place with `\r`
//! (carriage return: back to the start of the line); when the output is a
//! file or a pipe, progress is not shown at all, only the final line.

use std::io::{self, IsTerminal, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::sync::lock;

/// Select Graphic Rendition: faint, and back to normal.
const DIM: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

/// How often a progress line may be redrawn.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

pub struct Screen {
    terminal: bool,
    /// True while a progress line is on screen, unfinished.
    progress_shown: Mutex<bool>,
}

impl Screen {
    pub fn new() -> Self {
        Screen {
            terminal: io::stdout().is_terminal(),
            progress_shown: Mutex::new(false),
        }
    }

    /// Prints a line on stdout (after clearing any progress line).
    pub fn line(&self, text: &str) {
        let mut shown = lock(&self.progress_shown);
        let mut out = io::stdout().lock();
        // Writing to a closed stdout must not panic (`println!` would): the
        // chat goes on even if nobody is watching.
        if *shown {
            let _ = write!(out, "\r\x1b[K");
            *shown = false;
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

    /// Prints a line on stderr: for the line that ends the program.
    pub fn error(&self, text: &str) {
        let _shown = lock(&self.progress_shown);
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
        let mut shown = lock(&self.progress_shown);
        let mut out = io::stdout().lock();
        let _ = write!(out, "\r\x1b[K{text}");
        let _ = out.flush();
        *shown = true;
    }
}

impl Default for Screen {
    fn default() -> Self {
        Screen::new()
    }
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
