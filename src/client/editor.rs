//! The line editor's core: bytes from the keyboard in, bytes for the screen
//! out, and no I/O of its own.
//!
//! In its usual ("cooked") mode a terminal edits the line itself and hands
//! the program a whole line when Enter is pressed. That is why an incoming
//! chat line can land in the middle of what you are typing: the terminal's
//! copy of your half-typed line is not something the program can see or
//! redraw. So when standard input is a terminal, the client switches it to
//! raw mode ([`super::terminal`]), receives every key press as it happens,
//! and keeps the line here. Then it can do what cooked mode cannot: clear
//! the input row, print the message, and draw the half-typed line again
//! below it, the cursor where it was ([`Editor::print_above`]).
//!
//! # What arrives
//!
//! A key is one byte (`a`, Backspace = 0x7f, Ctrl-U = 0x15), several bytes of
//! UTF-8 (`你` = E4 BD A0), or an escape sequence (Left = `ESC [ D`). A read
//! from the terminal can end anywhere, even in the middle of a character or a
//! sequence, so the decoder keeps what it has seen between calls to
//! [`Editor::feed`]. An escape sequence it does not know (F5 is `ESC [ 1 5 ~`)
//! is dropped whole, never inserted as text.
//!
//! # What goes out
//!
//! The input row is redrawn whole after each batch of keys: `\r` (back to
//! column 0), `ESC [ K` (erase to the end of the row), the prompt, the
//! visible part of the line, then `\r ESC [ n C` (n columns right) to put the
//! cursor back. Drawing only what changed would write fewer bytes, but a
//! chat line is short and a whole redraw cannot get out of step with the
//! screen.
//!
//! Columns are not characters: `你` takes two columns, a combining accent
//! none. A line wider than the terminal would wrap onto a second row, and
//! `\r` could no longer find its start; so the row shows a window of the
//! line that scrolls sideways to keep the cursor in view. The last column is
//! never written: a terminal that has just filled its last column is in a
//! "pending wrap" state that terminals handle differently.

use std::collections::VecDeque;

use crate::unicode::width as char_width;

/// Columns assumed when the terminal's width is unknown.
pub const DEFAULT_WIDTH: usize = 80;
/// How many earlier lines Up can bring back. The oldest is forgotten first.
pub const HISTORY_LIMIT: usize = 100;
/// Bytes of one escape sequence kept while waiting for its end. Real keys
/// send fewer than 10; anything longer is junk and is skipped to its end
/// without being stored.
const MAX_SEQUENCE: usize = 16;

const ESC: u8 = 0x1b;
/// Erase from the cursor to the end of the row.
const ERASE_TO_END: &[u8] = b"\x1b[K";
/// Cursor up one row.
const UP: &[u8] = b"\x1b[A";
/// Cursor to the top-left corner, then erase the whole screen.
const CLEAR_SCREEN: &[u8] = b"\x1b[H\x1b[2J";

/// What a finished piece of editing means for the program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Enter: the line, without its line ending (it may be empty).
    Line(String),
    /// Ctrl-D on an empty line: the end of input, as when a pipe closes.
    EndOfInput,
    /// Ctrl-C: the user wants out (the client treats it as `/quit`). With
    /// signals turned off in raw mode, it arrives as a key, not as SIGINT.
    Interrupt,
    /// Ctrl-Z: the user wants the shell back for a while (job control).
    /// Also a key in raw mode, not SIGTSTP: the program must give the
    /// terminal its old mode before it stops, and take raw mode again when
    /// it continues. The input row has been cleared; [`Editor::redraw`]
    /// (or the next [`Editor::advance`]) draws it again, as it was.
    Suspend,
}

/// One key, decoded from the bytes a terminal sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Char(char),
    Enter,
    Backspace,
    Delete,
    Left,
    Right,
    WordLeft,
    WordRight,
    Home,
    End,
    Up,
    Down,
    /// Ctrl-U: erase from the start of the line to the cursor.
    KillToStart,
    /// Ctrl-K: erase from the cursor to the end of the line.
    KillToEnd,
    /// Ctrl-W: erase the word before the cursor.
    KillWord,
    /// Ctrl-D: delete under the cursor, or end of input on an empty line.
    CtrlD,
    CtrlC,
    CtrlZ,
    /// Ctrl-L: clear the screen and redraw.
    ClearScreen,
}

/// Where the decoder is inside a key that spans several bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Ground,
    /// Inside a UTF-8 character: `have` of `need` bytes are in `bytes`.
    Utf8 {
        bytes: [u8; 4],
        have: u8,
        need: u8,
    },
    /// Just after ESC.
    Escape,
    /// Inside `ESC [ …` (a CSI sequence: parameters, then one final byte).
    /// `len` bytes of parameters are stored; `too_long` once there were more.
    Csi {
        params: [u8; MAX_SEQUENCE],
        len: u8,
        too_long: bool,
    },
    /// Just after `ESC O` (SS3: one final byte follows).
    Ss3,
}

/// Turns bytes into keys, one byte at a time, keeping unfinished keys
/// between reads.
#[derive(Debug)]
struct Decoder {
    state: State,
    /// The last key was a CR, so an LF right after it is the same Enter
    /// (a pasted Windows line ending, `\r\n`, is one line, not two).
    after_cr: bool,
}

impl Decoder {
    fn new() -> Self {
        Decoder {
            state: State::Ground,
            after_cr: false,
        }
    }

    /// Takes one byte; pushes the keys it completes (none, one, or two when
    /// a broken UTF-8 character is followed by a key of its own).
    fn push(&mut self, byte: u8, keys: &mut VecDeque<Key>) {
        let after_cr = std::mem::take(&mut self.after_cr);
        match self.state {
            State::Ground => self.ground(byte, after_cr, keys),
            State::Utf8 {
                mut bytes,
                have,
                need,
            } => {
                if byte & 0xC0 != 0x80 {
                    // Not a continuation byte: the character was cut short.
                    // Show that something was lost, then read this byte anew.
                    keys.push_back(Key::Char(char::REPLACEMENT_CHARACTER));
                    self.state = State::Ground;
                    self.ground(byte, after_cr, keys);
                    return;
                }
                bytes[usize::from(have)] = byte;
                let have = have + 1;
                if have < need {
                    self.state = State::Utf8 { bytes, have, need };
                    return;
                }
                self.state = State::Ground;
                // from_utf8 also refuses what the lead byte alone cannot
                // tell: overlong forms, surrogates, values past U+10FFFF.
                let c = std::str::from_utf8(&bytes[..usize::from(need)])
                    .ok()
                    .and_then(|s| s.chars().next())
                    .unwrap_or(char::REPLACEMENT_CHARACTER);
                push_char(c, keys);
            }
            State::Escape => match byte {
                b'[' => {
                    self.state = State::Csi {
                        params: [0; MAX_SEQUENCE],
                        len: 0,
                        too_long: false,
                    }
                }
                b'O' => self.state = State::Ss3,
                // Alt-Backspace, as in a shell: erase a word.
                0x7f => {
                    self.state = State::Ground;
                    keys.push_back(Key::KillWord);
                }
                // ESC + a printable character is Alt + that character: no
                // binding, so both are dropped.
                0x20..=0x7e => self.state = State::Ground,
                // Anything else after ESC (Enter, another ESC, a letter
                // beyond ASCII): the ESC was a lone Escape key press, which
                // does nothing, and the byte is a key of its own that must
                // not be swallowed.
                _ => {
                    self.state = State::Ground;
                    self.ground(byte, after_cr, keys);
                }
            },
            State::Ss3 => {
                self.state = State::Ground;
                match byte {
                    b'A' => keys.push_back(Key::Up),
                    b'B' => keys.push_back(Key::Down),
                    b'C' => keys.push_back(Key::Right),
                    b'D' => keys.push_back(Key::Left),
                    b'H' => keys.push_back(Key::Home),
                    b'F' => keys.push_back(Key::End),
                    // F1–F4 (`ESC O P`…) and the rest: no binding.
                    0x20..=0x7e => {}
                    // Not part of a sequence: a key of its own.
                    _ => self.ground(byte, after_cr, keys),
                }
            }
            State::Csi {
                mut params,
                len,
                too_long,
            } => match byte {
                // Parameter and intermediate bytes: digits, `;`, `?`, space…
                0x20..=0x3f => {
                    if usize::from(len) < MAX_SEQUENCE {
                        params[usize::from(len)] = byte;
                        self.state = State::Csi {
                            params,
                            len: len + 1,
                            too_long,
                        };
                    } else {
                        self.state = State::Csi {
                            params,
                            len,
                            too_long: true,
                        };
                    }
                }
                // The final byte ends the sequence, known or not.
                0x40..=0x7e => {
                    self.state = State::Ground;
                    if !too_long && let Some(key) = csi_key(&params[..usize::from(len)], byte) {
                        keys.push_back(key);
                    }
                }
                // A control byte or a non-ASCII byte cannot be part of a
                // sequence: drop the sequence, keep the byte.
                _ => {
                    self.state = State::Ground;
                    self.ground(byte, after_cr, keys);
                }
            },
        }
    }

    /// A byte outside any sequence.
    fn ground(&mut self, byte: u8, after_cr: bool, keys: &mut VecDeque<Key>) {
        let key = match byte {
            ESC => {
                self.state = State::Escape;
                return;
            }
            b'\r' => {
                self.after_cr = true;
                Key::Enter
            }
            b'\n' if after_cr => return,
            b'\n' => Key::Enter,
            0x01 => Key::Home,        // Ctrl-A
            0x02 => Key::Left,        // Ctrl-B
            0x03 => Key::CtrlC,       // Ctrl-C
            0x04 => Key::CtrlD,       // Ctrl-D
            0x05 => Key::End,         // Ctrl-E
            0x06 => Key::Right,       // Ctrl-F
            0x08 => Key::Backspace,   // Ctrl-H, what some terminals send
            0x0b => Key::KillToEnd,   // Ctrl-K
            0x0c => Key::ClearScreen, // Ctrl-L
            0x0e => Key::Down,        // Ctrl-N
            0x10 => Key::Up,          // Ctrl-P
            0x15 => Key::KillToStart, // Ctrl-U
            0x17 => Key::KillWord,    // Ctrl-W
            0x1a => Key::CtrlZ,       // Ctrl-Z
            0x7f => Key::Backspace,   // what most terminals send for Backspace
            // Other control keys (Tab, Ctrl-\, …) have no binding. Tab in
            // particular is not inserted: its width depends on the column.
            0x00..=0x1f => return,
            0x20..=0x7e => Key::Char(char::from(byte)),
            // The lead byte of a UTF-8 character says how long it is.
            0xc2..=0xdf => return self.start_utf8(byte, 2),
            0xe0..=0xef => return self.start_utf8(byte, 3),
            0xf0..=0xf4 => return self.start_utf8(byte, 4),
            // A continuation byte with no lead, or a byte UTF-8 never uses.
            0x80..=0xc1 | 0xf5..=0xff => Key::Char(char::REPLACEMENT_CHARACTER),
        };
        keys.push_back(key);
    }

    fn start_utf8(&mut self, lead: u8, need: u8) {
        let mut bytes = [0; 4];
        bytes[0] = lead;
        self.state = State::Utf8 {
            bytes,
            have: 1,
            need,
        };
    }
}

/// A decoded character becomes a key, unless it is a control character: the
/// C1 controls (U+0080 to U+009F) arrive as two bytes of UTF-8, and some
/// terminals obey them (U+009B means what `ESC [` means), so they are never
/// put into the line, where they would be echoed.
fn push_char(c: char, keys: &mut VecDeque<Key>) {
    if !c.is_control() {
        keys.push_back(Key::Char(c));
    }
}

/// The key a complete `ESC [ params final` sequence stands for, if any.
///
/// Terminals disagree about Home and End, so all the usual spellings are
/// accepted: `ESC [ H` / `ESC [ F` (xterm), `ESC [ 1 ~` / `ESC [ 4 ~` (the
/// Linux console, tmux), `ESC [ 7 ~` / `ESC [ 8 ~` (rxvt).
fn csi_key(params: &[u8], last: u8) -> Option<Key> {
    Some(match (params, last) {
        (b"", b'A') => Key::Up,
        (b"", b'B') => Key::Down,
        (b"", b'C') => Key::Right,
        (b"", b'D') => Key::Left,
        (b"", b'H') | (b"1" | b"7", b'~') => Key::Home,
        (b"", b'F') | (b"4" | b"8", b'~') => Key::End,
        (b"3", b'~') => Key::Delete,
        // Ctrl-Right and Ctrl-Left (modifier 5), Alt-Right and Alt-Left (3).
        (b"1;5" | b"1;3", b'C') => Key::WordRight,
        (b"1;5" | b"1;3", b'D') => Key::WordLeft,
        _ => return None,
    })
}

/// The line editor: the line being typed, the cursor, earlier lines, and
/// what the screen shows of them.
///
/// The program feeds it the bytes the keyboard sends ([`Editor::feed`]),
/// then calls [`Editor::advance`] until it returns `None`, writing out the
/// bytes each call produces and acting on each [`Outcome`]. Everything else
/// that goes to the screen while the editor is in charge goes through
/// [`Editor::print_above`] or [`Editor::show_status`], so that the input row
/// stays the bottom row and stays intact.
#[derive(Debug)]
pub struct Editor {
    /// The prompt, with control characters removed.
    prompt: String,
    prompt_width: usize,
    width: usize,
    /// The line being typed, one `char` per element, so that the cursor is
    /// an index and moving it never lands inside a character's bytes.
    line: Vec<char>,
    /// Index in `line` of the character the cursor is on (`line.len()` at
    /// the end).
    cursor: usize,
    /// Index in `line` of the first character shown: the sideways scroll.
    scroll: usize,
    decoder: Decoder,
    /// Keys decoded but not yet applied: a paste of several lines is
    /// applied one line per [`Editor::advance`].
    keys: VecDeque<Key>,
    /// Earlier lines, oldest first.
    history: VecDeque<String>,
    /// While browsing with Up and Down: the index in `history` shown now.
    browsing: Option<usize>,
    /// The line that was being typed when browsing started, given back by
    /// Down after the newest entry.
    draft: Vec<char>,
    /// Whether a finished line stays on screen, as in a shell.
    keep_submitted: bool,
    /// Whether the line is hidden (a password): not drawn, not kept.
    secret: bool,
    /// Whether the status row sits just above the input row.
    status_shown: bool,
    /// Whether the input row has been drawn and is the row the cursor is on.
    drawn: bool,
    /// False after [`Editor::finish`]: nothing is drawn any more.
    active: bool,
}

impl Editor {
    /// An editor showing `prompt` on a terminal `width` columns wide
    /// ([`DEFAULT_WIDTH`] when the width is not known).
    ///
    /// Nothing is drawn yet: the first [`Editor::print_above`],
    /// [`Editor::redraw`] or key draws the prompt.
    pub fn new(prompt: &str, width: Option<usize>) -> Self {
        let mut editor = Editor {
            prompt: String::new(),
            prompt_width: 0,
            width: DEFAULT_WIDTH,
            line: Vec::new(),
            cursor: 0,
            scroll: 0,
            decoder: Decoder::new(),
            keys: VecDeque::new(),
            history: VecDeque::new(),
            browsing: None,
            draft: Vec::new(),
            keep_submitted: true,
            secret: false,
            status_shown: false,
            drawn: false,
            active: true,
        };
        editor.set_prompt_quietly(prompt);
        editor.set_width_quietly(width);
        editor
    }

    /// Changes the prompt (the client may show the room's name) and
    /// redraws the input row.
    ///
    /// The prompt is plain text: control characters are dropped, since an
    /// escape sequence in it would throw off the column count. The caller
    /// passes anything a peer chose (a room name) through the
    /// terminal-safety rule first, as for every other line.
    pub fn set_prompt(&mut self, prompt: &str, out: &mut Vec<u8>) {
        self.set_prompt_quietly(prompt);
        self.redraw(out);
    }

    fn set_prompt_quietly(&mut self, prompt: &str) {
        self.prompt = prompt.chars().filter(|c| !c.is_control()).collect();
        self.prompt_width = self.prompt.chars().map(char_width).sum();
    }

    /// Follows a change of the terminal's width (`None`: unknown).
    pub fn set_width(&mut self, width: Option<usize>, out: &mut Vec<u8>) {
        self.set_width_quietly(width);
        self.redraw(out);
    }

    fn set_width_quietly(&mut self, width: Option<usize>) {
        // Two columns at least: one for a character, one left empty.
        self.width = width.filter(|&w| w > 0).unwrap_or(DEFAULT_WIDTH).max(2);
    }

    /// Whether a finished line stays on screen above the new prompt (the
    /// default, as in a shell), or is cleared away, for a client that
    /// prints the sent message itself as everyone else sees it.
    pub fn keep_submitted(&mut self, keep: bool) {
        self.keep_submitted = keep;
    }

    /// Hides the line being typed, for a password: only the prompt is
    /// drawn, with the cursor after it; the finished line is not kept in the
    /// history, and Up and Down do nothing (they would bring a chat line
    /// into the hidden field). Redraws the input row.
    pub fn set_secret(&mut self, secret: bool, out: &mut Vec<u8>) {
        self.secret = secret;
        self.redraw(out);
    }

    /// The line as typed so far.
    pub fn line(&self) -> String {
        self.line.iter().collect()
    }

    /// Takes bytes read from the terminal, any number, cut anywhere. They
    /// are decoded now and acted on by [`Editor::advance`].
    pub fn feed(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.decoder.push(byte, &mut self.keys);
        }
    }

    /// Applies the keys fed so far, up to and including the first that
    /// finishes something, and appends to `out` what the screen needs.
    /// Returns that outcome, or `None` once every key has been applied.
    ///
    /// Stopping at each outcome lets the program act on a pasted line (send
    /// it, print its confirmation above) before the next one is drawn.
    pub fn advance(&mut self, out: &mut Vec<u8>) -> Option<Outcome> {
        if !self.active {
            self.keys.clear();
            return None;
        }
        let mut changed = false;
        while let Some(key) = self.keys.pop_front() {
            if let Some(outcome) = self.apply(key, out) {
                return Some(outcome);
            }
            changed = true;
        }
        if changed || !self.drawn {
            self.draw_input(out);
        }
        None
    }

    /// Prints `text` above the input row, then draws the input row again,
    /// the half-typed line and the cursor exactly as they were. `text` is
    /// one line or several separated by `\n`, already made safe for a
    /// terminal; it ends up on rows of its own, as `println!` would print
    /// it. A status row, if shown, is removed, as a printed line removes
    /// the progress line in [`super::screen::Screen`].
    pub fn print_above(&mut self, text: &str, out: &mut Vec<u8>) {
        self.clear_rows(out);
        for row in text.split('\n') {
            out.extend_from_slice(row.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        if self.active {
            self.draw_input(out);
        }
    }

    /// Shows `text` on a row of its own just above the input row, or
    /// replaces what that row showed: for a transfer's progress, which
    /// updates in place. It is cut to the terminal's width, so that it
    /// stays one row and the cursor can always step up to it.
    pub fn show_status(&mut self, text: &str, out: &mut Vec<u8>) {
        if !self.active {
            return;
        }
        self.clear_rows(out);
        let mut used = 0;
        for c in text.chars().filter(|c| !c.is_control()) {
            used += char_width(c);
            if used >= self.width {
                break;
            }
            push_utf8(c, out);
        }
        out.extend_from_slice(b"\r\n");
        self.status_shown = true;
        self.draw_input(out);
    }

    /// Removes the status row: the input row moves up into its place.
    pub fn clear_status(&mut self, out: &mut Vec<u8>) {
        if self.status_shown && self.active {
            self.clear_rows(out);
            self.draw_input(out);
        }
    }

    /// Draws the input row again: after the prompt or the width changed,
    /// or when something else may have written over it.
    pub fn redraw(&mut self, out: &mut Vec<u8>) {
        if self.active {
            self.draw_input(out);
        }
    }

    /// Ends editing: clears the input row (and the status row), so that
    /// what is printed next, through this editor or not, starts on a clean
    /// row. Keys fed after this are ignored; [`Editor::print_above`] still
    /// prints, without drawing a prompt.
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        self.clear_rows(out);
        self.active = false;
    }

    /// Erases the input row and the status row above it, leaving the
    /// cursor at the start of the topmost of them.
    fn clear_rows(&mut self, out: &mut Vec<u8>) {
        if self.drawn {
            out.push(b'\r');
            out.extend_from_slice(ERASE_TO_END);
            self.drawn = false;
        }
        if self.status_shown {
            out.extend_from_slice(UP);
            out.push(b'\r');
            out.extend_from_slice(ERASE_TO_END);
            self.status_shown = false;
        }
    }

    /// Acts on one key; returns an outcome when the key finishes something.
    fn apply(&mut self, key: Key, out: &mut Vec<u8>) -> Option<Outcome> {
        match key {
            Key::Char(c) => {
                self.line.insert(self.cursor, c);
                self.cursor += 1;
            }
            Key::Enter => return Some(self.submit(out)),
            Key::Backspace => {
                let start = self.cluster_before(self.cursor);
                self.line.drain(start..self.cursor);
                self.cursor = start;
            }
            Key::Delete => self.delete_forward(),
            Key::CtrlD if self.line.is_empty() => return Some(Outcome::EndOfInput),
            Key::CtrlD => self.delete_forward(),
            Key::CtrlC => return Some(Outcome::Interrupt),
            Key::CtrlZ => {
                // The shell prints on this row next; the line is kept.
                self.clear_rows(out);
                return Some(Outcome::Suspend);
            }
            Key::Left => self.cursor = self.cluster_before(self.cursor),
            Key::Right => self.cursor = self.cluster_after(self.cursor),
            Key::WordLeft => self.cursor = self.word_start(self.cursor),
            Key::WordRight => self.cursor = self.word_end(self.cursor),
            Key::Home => self.cursor = 0,
            Key::End => self.cursor = self.line.len(),
            Key::KillToStart => {
                self.line.drain(..self.cursor);
                self.cursor = 0;
            }
            Key::KillToEnd => self.line.truncate(self.cursor),
            Key::KillWord => {
                let start = self.word_start(self.cursor);
                self.line.drain(start..self.cursor);
                self.cursor = start;
            }
            Key::Up | Key::Down if self.secret => {}
            Key::Up => self.recall_older(),
            Key::Down => self.recall_newer(),
            Key::ClearScreen => {
                out.extend_from_slice(CLEAR_SCREEN);
                self.drawn = false;
                self.status_shown = false;
            }
        }
        None
    }

    /// Enter: hands the line over, keeps it in the history, and starts a
    /// new, empty one.
    fn submit(&mut self, out: &mut Vec<u8>) -> Outcome {
        let line: String = self.line.iter().collect();
        if self.keep_submitted {
            // The whole line, not the scrolled window: this row is left
            // behind, so it may wrap over several rows.
            let mut shown = self.prompt.clone();
            if !self.secret {
                shown.push_str(&line);
            }
            self.print_rows_only(&shown, out);
        } else {
            self.clear_rows(out);
        }
        if !self.secret {
            self.remember(&line);
        }
        self.line.clear();
        self.cursor = 0;
        self.scroll = 0;
        self.browsing = None;
        self.draft.clear();
        self.draw_input(out);
        Outcome::Line(line)
    }

    /// [`Editor::print_above`] without drawing the input row afterwards.
    fn print_rows_only(&mut self, text: &str, out: &mut Vec<u8>) {
        self.clear_rows(out);
        out.extend_from_slice(text.as_bytes());
        out.extend_from_slice(b"\r\n");
    }

    /// Adds a finished line to the history: not an empty one, not the same
    /// line twice in a row, and no more than [`HISTORY_LIMIT`].
    fn remember(&mut self, line: &str) {
        if line.trim().is_empty() || self.history.back().is_some_and(|last| last == line) {
            return;
        }
        if self.history.len() == HISTORY_LIMIT {
            self.history.pop_front();
        }
        self.history.push_back(line.to_string());
    }

    /// Up: the line before the one shown (the newest, when not browsing).
    fn recall_older(&mut self) {
        let index = match self.browsing {
            None if self.history.is_empty() => return,
            None => {
                self.draft = std::mem::take(&mut self.line);
                self.history.len() - 1
            }
            Some(0) => return,
            Some(i) => i - 1,
        };
        self.show_entry(index);
    }

    /// Down: the line after the one shown, then the draft again.
    fn recall_newer(&mut self) {
        match self.browsing {
            None => {}
            Some(i) if i + 1 < self.history.len() => self.show_entry(i + 1),
            Some(_) => {
                self.browsing = None;
                self.line = std::mem::take(&mut self.draft);
                self.cursor = self.line.len();
            }
        }
    }

    fn show_entry(&mut self, index: usize) {
        self.browsing = Some(index);
        self.line = self.history[index].chars().collect();
        self.cursor = self.line.len();
    }

    fn delete_forward(&mut self) {
        let end = self.cluster_after(self.cursor);
        self.line.drain(self.cursor..end);
    }

    /// Where the character before `at` starts, together with the
    /// zero-width marks that follow it (`e` + combining acute is one thing
    /// on screen, so Left and Backspace treat it as one).
    fn cluster_before(&self, at: usize) -> usize {
        let mut i = at.saturating_sub(1);
        while i > 0 && char_width(self.line[i]) == 0 {
            i -= 1;
        }
        i
    }

    /// Where the character at `at`, with its zero-width marks, ends.
    fn cluster_after(&self, at: usize) -> usize {
        let mut i = (at + 1).min(self.line.len());
        while i < self.line.len() && char_width(self.line[i]) == 0 {
            i += 1;
        }
        i
    }

    /// The start of the word before `at`: back over spaces, then back over
    /// everything that is not a space (as Ctrl-W does in a shell).
    fn word_start(&self, at: usize) -> usize {
        let mut i = at;
        while i > 0 && self.line[i - 1].is_whitespace() {
            i -= 1;
        }
        while i > 0 && !self.line[i - 1].is_whitespace() {
            i -= 1;
        }
        i
    }

    /// The end of the word at or after `at`.
    fn word_end(&self, at: usize) -> usize {
        let mut i = at;
        while i < self.line.len() && self.line[i].is_whitespace() {
            i += 1;
        }
        while i < self.line.len() && !self.line[i].is_whitespace() {
            i += 1;
        }
        i
    }

    /// Whether the prompt is shown, and how many columns the line gets.
    ///
    /// The last column is left empty (see the module's comment). A prompt
    /// that leaves no room for a wide character is not shown at all: the
    /// line matters more.
    fn layout(&self) -> (bool, usize) {
        let usable = self.width - 1;
        if self.prompt_width + 2 <= usable {
            (true, usable - self.prompt_width)
        } else {
            (false, usable)
        }
    }

    /// Moves the sideways scroll so that the cursor is in view, and so that
    /// no columns are wasted on the right while text is hidden on the left.
    fn scroll_to_cursor(&mut self, columns: usize) {
        let width_of = |chars: &[char]| chars.iter().copied().map(char_width).sum::<usize>();
        // The cell the cursor sits on: the character under it, or one
        // empty column at the end of the line.
        let cursor_cell = self
            .line
            .get(self.cursor)
            .map_or(1, |&c| char_width(c).max(1));
        if self.cursor < self.scroll {
            self.scroll = self.cursor;
        }
        // Cursor past the right edge: drop characters on the left.
        let mut needed = width_of(&self.line[self.scroll..self.cursor]) + cursor_cell;
        while needed > columns && self.scroll < self.cursor {
            needed -= char_width(self.line[self.scroll]);
            self.scroll += 1;
        }
        // Never start the window on a combining mark, cut from its letter.
        while self.scroll < self.cursor && char_width(self.line[self.scroll]) == 0 {
            self.scroll += 1;
        }
        // Room on the right: bring back characters on the left.
        let end_cell = usize::from(self.cursor == self.line.len());
        let mut tail = width_of(&self.line[self.scroll..]) + end_cell;
        while self.scroll > 0 {
            let before = char_width(self.line[self.scroll - 1]);
            if tail + before > columns {
                break;
            }
            tail += before;
            self.scroll -= 1;
        }
    }

    /// Draws the input row: the prompt, the part of the line in view, and
    /// the cursor in its column.
    fn draw_input(&mut self, out: &mut Vec<u8>) {
        let (show_prompt, columns) = self.layout();
        self.scroll_to_cursor(columns);
        out.push(b'\r');
        out.extend_from_slice(ERASE_TO_END);
        let mut column = 0;
        if show_prompt {
            out.extend_from_slice(self.prompt.as_bytes());
            column = self.prompt_width;
        }
        let mut used = 0;
        let mut cursor_column = column;
        let shown = if self.secret { &[][..] } else { &self.line[..] };
        for (i, &c) in shown.iter().enumerate().skip(self.scroll) {
            if i == self.cursor {
                cursor_column = column + used;
            }
            let w = char_width(c);
            // A wide character that would straddle the edge is left out
            // whole; half of it cannot be drawn.
            if used + w > columns {
                break;
            }
            push_utf8(c, out);
            used += w;
        }
        if self.cursor == self.line.len() || self.secret {
            cursor_column = column + used;
        }
        out.push(b'\r');
        if cursor_column > 0 {
            out.extend_from_slice(format!("\x1b[{cursor_column}C").as_bytes());
        }
        self.drawn = true;
    }
}

fn push_utf8(c: char, out: &mut Vec<u8>) {
    let mut buf = [0; 4];
    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny terminal: just enough of one to show what the editor's output
    /// looks like on a screen. It understands the bytes the editor writes
    /// and panics on any other control byte, so stray output fails a test.
    struct Terminal {
        width: usize,
        /// Every row so far, top first; a cell is one column, holding a
        /// character and its combining marks, or "" for the right half of
        /// a wide character.
        rows: Vec<Vec<String>>,
        row: usize,
        col: usize,
    }

    impl Terminal {
        fn new(width: usize) -> Self {
            Terminal {
                width,
                rows: vec![Vec::new()],
                row: 0,
                col: 0,
            }
        }

        fn write(&mut self, bytes: &[u8]) {
            let text = std::str::from_utf8(bytes).expect("the editor writes UTF-8");
            let mut chars = text.chars().peekable();
            while let Some(c) = chars.next() {
                match c {
                    '\r' => self.col = 0,
                    '\n' => self.new_row(),
                    '\x1b' => {
                        assert_eq!(chars.next(), Some('['), "only CSI sequences");
                        let mut n = String::new();
                        while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                            n.push(d);
                            chars.next();
                        }
                        let n: usize = n.parse().unwrap_or(0);
                        match chars.next() {
                            Some('K') => {
                                let col = self.col;
                                self.cells().truncate(col);
                            }
                            Some('C') => self.col = (self.col + n.max(1)).min(self.width - 1),
                            Some('A') => self.row = self.row.saturating_sub(1),
                            Some('H') => (self.row, self.col) = (0, 0),
                            Some('J') if n == 2 => {
                                self.rows = vec![Vec::new(); self.row + 1];
                            }
                            other => panic!("unexpected sequence ending in {other:?}"),
                        }
                    }
                    c if c.is_control() => panic!("unexpected control {c:?}"),
                    c => self.put(c),
                }
            }
        }

        fn new_row(&mut self) {
            self.row += 1;
            if self.row == self.rows.len() {
                self.rows.push(Vec::new());
            }
        }

        fn cells(&mut self) -> &mut Vec<String> {
            &mut self.rows[self.row]
        }

        fn put(&mut self, c: char) {
            let w = char_width(c);
            if w == 0 {
                let col = self.col.saturating_sub(1);
                if let Some(cell) = self.cells().get_mut(col) {
                    cell.push(c);
                }
                return;
            }
            if self.col + w > self.width {
                self.new_row();
                self.col = 0;
            }
            let col = self.col;
            let cells = self.cells();
            if cells.len() < col + w {
                cells.resize(col + w, " ".to_string());
            }
            cells[col] = c.to_string();
            if w == 2 {
                cells[col + 1] = String::new();
            }
            self.col += w;
        }

        /// The rows as text, trailing blanks trimmed, trailing empty rows
        /// dropped.
        fn screen(&self) -> Vec<String> {
            let mut rows: Vec<String> = self
                .rows
                .iter()
                .map(|cells| cells.concat().trim_end().to_string())
                .collect();
            while rows.len() > 1 && rows.last().is_some_and(|r| r.is_empty()) {
                rows.pop();
            }
            rows
        }

        /// The row the cursor is on.
        fn current(&self) -> String {
            self.rows[self.row].concat().trim_end().to_string()
        }

        /// How many columns the cursor's row fills.
        fn used_columns(&self) -> usize {
            let cells = &self.rows[self.row];
            cells.len() - cells.iter().rev().take_while(|c| c.as_str() == " ").count()
        }
    }

    /// An editor with the prompt `> `, and the terminal it draws on.
    struct Setup {
        editor: Editor,
        term: Terminal,
    }

    impl Setup {
        fn new(width: usize) -> Self {
            let mut setup = Setup {
                editor: Editor::new("> ", Some(width)),
                term: Terminal::new(width),
            };
            setup.keys(b"");
            setup
        }

        /// Feeds `bytes` and applies every key, as the client's event loop
        /// does; returns the outcomes in order.
        fn keys(&mut self, bytes: &[u8]) -> Vec<Outcome> {
            self.editor.feed(bytes);
            let mut outcomes = Vec::new();
            loop {
                let mut out = Vec::new();
                let outcome = self.editor.advance(&mut out);
                self.term.write(&out);
                match outcome {
                    Some(outcome) => outcomes.push(outcome),
                    None => return outcomes,
                }
            }
        }

        fn print(&mut self, text: &str) {
            let mut out = Vec::new();
            self.editor.print_above(text, &mut out);
            self.term.write(&out);
        }

        fn status(&mut self, text: &str) {
            let mut out = Vec::new();
            self.editor.show_status(text, &mut out);
            self.term.write(&out);
        }

        /// The cursor's column.
        fn col(&self) -> usize {
            self.term.col
        }

        fn line(&self) -> String {
            self.editor.line()
        }
    }

    fn lines(outcomes: &[&str]) -> Vec<Outcome> {
        outcomes
            .iter()
            .map(|l| Outcome::Line(l.to_string()))
            .collect()
    }

    const LEFT: &[u8] = b"\x1b[D";
    const RIGHT: &[u8] = b"\x1b[C";
    const UP_KEY: &[u8] = b"\x1b[A";
    const DOWN_KEY: &[u8] = b"\x1b[B";

    #[test]
    fn the_prompt_is_drawn_before_anything_is_typed() {
        let s = Setup::new(40);
        assert_eq!(s.term.screen(), [">"]);
        assert_eq!(s.col(), 2);
    }

    #[test]
    fn typed_characters_appear_after_the_prompt() {
        let mut s = Setup::new(40);
        assert_eq!(s.keys(b"hello"), []);
        assert_eq!(s.term.screen(), ["> hello"]);
        assert_eq!(s.col(), 7);
    }

    #[test]
    fn chinese_characters_take_two_columns() {
        let mut s = Setup::new(40);
        s.keys("你好".as_bytes());
        assert_eq!(s.term.current(), "> 你好");
        assert_eq!(s.col(), 6);
        s.keys(LEFT);
        assert_eq!(s.col(), 4);
        s.keys(b"a");
        assert_eq!(s.line(), "你a好");
        assert_eq!(s.term.current(), "> 你a好");
        assert_eq!(s.col(), 5);
    }

    #[test]
    fn utf8_split_across_reads_makes_whole_characters() {
        let mut s = Setup::new(40);
        let text = "你a😀é";
        for byte in text.as_bytes() {
            s.keys(&[*byte]);
        }
        assert_eq!(s.line(), text);
        assert_eq!(s.term.current(), "> 你a😀é");
        // Half a character shows nothing until the rest arrives.
        s.keys(&[0xe5, 0xa5]);
        assert_eq!(s.line(), text);
        s.keys(&[0xbd]);
        assert_eq!(s.line(), "你a😀é好");
    }

    #[test]
    fn broken_utf8_shows_as_replacement_characters() {
        let mut s = Setup::new(40);
        // A byte UTF-8 never uses; a lead byte cut short by an ASCII
        // letter; an overlong form; an encoded surrogate.
        s.keys(&[0xff, 0xe4, b'a', 0xc0, 0x80, 0xed, 0xa0, 0x80]);
        assert_eq!(s.line(), "\u{fffd}\u{fffd}a\u{fffd}\u{fffd}\u{fffd}");
    }

    #[test]
    fn c1_control_characters_are_never_inserted() {
        let mut s = Setup::new(40);
        // U+009B is CSI for terminals that obey 8-bit controls.
        s.keys(&[b'a', 0xc2, 0x9b, b'b']);
        assert_eq!(s.line(), "ab");
    }

    #[test]
    fn backspace_is_either_byte() {
        let mut s = Setup::new(40);
        s.keys(b"abc\x7f");
        assert_eq!(s.line(), "ab");
        s.keys(b"\x08");
        assert_eq!(s.line(), "a");
        assert_eq!(s.term.current(), "> a");
        assert_eq!(s.col(), 3);
        s.keys(b"\x7f\x7f\x7f");
        assert_eq!(s.line(), "");
        assert_eq!(s.term.current(), ">");
    }

    #[test]
    fn backspace_in_the_middle_and_over_wide_and_combined_characters() {
        let mut s = Setup::new(40);
        s.keys("abc你".as_bytes());
        s.keys(LEFT);
        s.keys(b"\x7f");
        assert_eq!(s.line(), "ab你");
        assert_eq!(s.col(), 4);
        s.keys(b"\x1b[F\x7f");
        assert_eq!(s.line(), "ab");
        // e + combining acute is one thing on screen: one Backspace.
        s.keys("e\u{301}".as_bytes());
        assert_eq!(s.term.current(), "> abe\u{301}");
        s.keys(LEFT);
        assert_eq!(s.col(), 4, "Left steps over the letter and its mark");
        s.keys(b"\x1b[F\x7f");
        assert_eq!(s.line(), "ab");
    }

    #[test]
    fn delete_removes_the_character_under_the_cursor() {
        let mut s = Setup::new(40);
        s.keys(b"abc\x1b[H\x1b[3~");
        assert_eq!(s.line(), "bc");
        assert_eq!(s.col(), 2);
        // The same key, cut between two reads.
        s.keys(b"\x1b[");
        assert_eq!(s.line(), "bc");
        s.keys(b"3~");
        assert_eq!(s.line(), "c");
        s.keys(b"\x1b[F\x1b[3~");
        assert_eq!(s.line(), "c", "nothing under the cursor at the end");
    }

    #[test]
    fn ctrl_u_erases_to_the_start_of_the_line() {
        let mut s = Setup::new(40);
        s.keys(b"hello world");
        for _ in 0..5 {
            s.keys(LEFT);
        }
        s.keys(b"\x15");
        assert_eq!(s.line(), "world");
        assert_eq!(s.term.current(), "> world");
        assert_eq!(s.col(), 2);
    }

    #[test]
    fn ctrl_k_erases_to_the_end_of_the_line() {
        let mut s = Setup::new(40);
        s.keys(b"hello world\x01\x1b[C\x0b");
        assert_eq!(s.line(), "h");
        assert_eq!(s.term.current(), "> h");
    }

    #[test]
    fn ctrl_w_erases_a_word_and_the_spaces_after_it() {
        let mut s = Setup::new(40);
        s.keys("/msg @Bob  你好 ".as_bytes());
        s.keys(b"\x17");
        assert_eq!(s.line(), "/msg @Bob  ");
        s.keys(b"\x17");
        assert_eq!(s.line(), "/msg ");
        // Alt-Backspace does the same.
        s.keys(b"\x1b\x7f");
        assert_eq!(s.line(), "");
        s.keys(b"\x17");
        assert_eq!(s.line(), "");
        // In the middle of a line, only what is before the cursor goes.
        s.keys(b"one two three");
        for _ in 0..6 {
            s.keys(LEFT);
        }
        s.keys(b"\x17");
        assert_eq!(s.line(), "one  three");
        assert_eq!(s.col(), 2 + 4);
    }

    #[test]
    fn left_and_right_stop_at_the_ends() {
        let mut s = Setup::new(40);
        s.keys(b"ab");
        s.keys(LEFT);
        s.keys(LEFT);
        s.keys(LEFT);
        assert_eq!(s.col(), 2);
        s.keys(b"x");
        assert_eq!(s.line(), "xab");
        s.keys(RIGHT);
        s.keys(RIGHT);
        s.keys(RIGHT);
        assert_eq!(s.col(), 5);
        // Ctrl-B and Ctrl-F, and the application-mode arrows.
        s.keys(b"\x02\x02\x1bOD");
        assert_eq!(s.col(), 2);
        s.keys(b"\x06\x1bOC");
        assert_eq!(s.col(), 4);
    }

    #[test]
    fn home_and_end_in_every_spelling() {
        let mut s = Setup::new(40);
        s.keys(b"hello");
        let homes: [&[u8]; 5] = [b"\x1b[H", b"\x1bOH", b"\x1b[1~", b"\x1b[7~", b"\x01"];
        let ends: [&[u8]; 5] = [b"\x1b[F", b"\x1bOF", b"\x1b[4~", b"\x1b[8~", b"\x05"];
        for (home, end) in homes.iter().zip(ends) {
            s.keys(home);
            assert_eq!(s.col(), 2, "{home:?}");
            s.keys(end);
            assert_eq!(s.col(), 7, "{end:?}");
        }
        assert_eq!(s.line(), "hello");
    }

    #[test]
    fn ctrl_left_and_ctrl_right_move_by_words() {
        let mut s = Setup::new(40);
        s.keys(b"one two  three");
        s.keys(b"\x1b[1;5D");
        assert_eq!(s.col(), 2 + 9);
        s.keys(b"\x1b[1;5D");
        assert_eq!(s.col(), 2 + 4);
        s.keys(b"\x1b[1;5C");
        assert_eq!(s.col(), 2 + 7);
        s.keys(b"\x1b[1;3C");
        assert_eq!(s.col(), 2 + 14);
    }

    #[test]
    fn up_and_down_walk_through_earlier_lines_and_back_to_the_draft() {
        let mut s = Setup::new(40);
        assert_eq!(s.keys(b"one\rtwo\r"), lines(&["one", "two"]));
        s.keys(b"dra");
        s.keys(UP_KEY);
        assert_eq!(s.line(), "two");
        assert_eq!(s.term.current(), "> two");
        assert_eq!(s.col(), 5);
        s.keys(UP_KEY);
        assert_eq!(s.line(), "one");
        s.keys(UP_KEY);
        assert_eq!(s.line(), "one", "the oldest line stays");
        s.keys(DOWN_KEY);
        assert_eq!(s.line(), "two");
        s.keys(DOWN_KEY);
        assert_eq!(s.line(), "dra", "the half-typed line comes back");
        s.keys(DOWN_KEY);
        assert_eq!(s.line(), "dra");
        // Ctrl-P and Ctrl-N are Up and Down; a recalled line can be sent.
        s.keys(b"\x15\x10\x10\x0e");
        assert_eq!(s.keys(b"!\r"), lines(&["two!"]));
        s.keys(UP_KEY);
        assert_eq!(s.line(), "two!");
    }

    #[test]
    fn history_skips_empty_and_repeated_lines() {
        let mut s = Setup::new(40);
        s.keys(b"a\r\r   \ra\rb\r");
        s.keys(UP_KEY);
        assert_eq!(s.line(), "b");
        s.keys(UP_KEY);
        assert_eq!(s.line(), "a");
        s.keys(UP_KEY);
        assert_eq!(s.line(), "a", "only two lines were kept");
    }

    #[test]
    fn history_is_bounded() {
        let mut s = Setup::new(40);
        let total = HISTORY_LIMIT + 5;
        for i in 0..total {
            s.keys(format!("line {i}\r").as_bytes());
        }
        for _ in 0..total + 10 {
            s.keys(UP_KEY);
        }
        assert_eq!(s.line(), format!("line {}", total - HISTORY_LIMIT));
    }

    #[test]
    fn up_with_no_history_changes_nothing() {
        let mut s = Setup::new(40);
        s.keys(b"abc");
        s.keys(UP_KEY);
        s.keys(DOWN_KEY);
        assert_eq!(s.line(), "abc");
    }

    #[test]
    fn enter_is_cr_or_lf_and_crlf_is_one_enter() {
        let mut s = Setup::new(40);
        assert_eq!(s.keys(b"a\r\nb\nc\r"), lines(&["a", "b", "c"]));
        // CR at the end of one read, LF at the start of the next.
        assert_eq!(s.keys(b"d\r"), lines(&["d"]));
        assert_eq!(s.keys(b"\ne\n"), lines(&["e"]));
        // Two Enters are two lines, the second one empty.
        assert_eq!(s.keys(b"f\r\r"), lines(&["f", ""]));
        assert_eq!(s.keys(b"g\n\n"), lines(&["g", ""]));
    }

    #[test]
    fn a_finished_line_stays_on_screen_and_a_new_prompt_follows() {
        let mut s = Setup::new(40);
        assert_eq!(s.keys(b"hello\r"), lines(&["hello"]));
        assert_eq!(s.term.screen(), ["> hello", ">"]);
        assert_eq!(s.col(), 2);
        assert_eq!(s.line(), "");
    }

    #[test]
    fn a_finished_line_can_be_cleared_away_instead() {
        let mut s = Setup::new(40);
        s.editor.keep_submitted(false);
        assert_eq!(s.keys(b"hello\r"), lines(&["hello"]));
        assert_eq!(s.term.screen(), [">"]);
        s.print("[07:49:39] Alice: hello");
        assert_eq!(s.term.screen(), ["[07:49:39] Alice: hello", ">"]);
    }

    #[test]
    fn ctrl_d_ends_input_on_an_empty_line_and_deletes_otherwise() {
        let mut s = Setup::new(40);
        s.keys(b"ab\x01");
        assert_eq!(s.keys(b"\x04"), []);
        assert_eq!(s.line(), "b");
        assert_eq!(s.keys(b"\x04"), []);
        assert_eq!(s.line(), "");
        assert_eq!(s.keys(b"\x04"), [Outcome::EndOfInput]);
    }

    #[test]
    fn ctrl_c_is_a_key_that_asks_to_quit() {
        let mut s = Setup::new(40);
        assert_eq!(s.keys(b"half a li\x03"), [Outcome::Interrupt]);
        assert_eq!(s.keys(b"\x03"), [Outcome::Interrupt]);
    }

    #[test]
    fn ctrl_z_clears_the_row_and_redraw_brings_the_line_back() {
        let mut s = Setup::new(40);
        s.print("[07:49:39] Bob: hi");
        // One step, as the client takes it: the program stops right after.
        s.editor.feed(b"half\x02\x1a");
        let mut out = Vec::new();
        assert_eq!(s.editor.advance(&mut out), Some(Outcome::Suspend));
        s.term.write(&out);
        assert_eq!(s.term.screen(), ["[07:49:39] Bob: hi"]);
        assert_eq!(s.col(), 0);
        let mut out = Vec::new();
        s.editor.redraw(&mut out);
        s.term.write(&out);
        assert_eq!(s.term.screen(), ["[07:49:39] Bob: hi", "> half"]);
        assert_eq!(s.col(), 5, "the cursor is where it was");
        assert_eq!(s.line(), "half");
    }

    #[test]
    fn unknown_escape_sequences_are_dropped_whole() {
        let mut s = Setup::new(40);
        let junk: [&[u8]; 7] = [
            b"\x1b[15~",                                              // F5
            b"\x1bOP",                                                // F1
            b"\x1b[200~",                                             // start of a bracketed paste
            b"\x1bx",                                                 // Alt-x
            b"\x1b[1;2A",                                             // Shift-Up
            b"\x1b[?1;2c", // a terminal's answer to "who are you"
            b"\x1b[1;2;3;4;5;6;7;8;9;10;11;12;13;14;15;16;17;18;19Z", // too long
        ];
        for (i, sequence) in junk.iter().enumerate() {
            s.keys(b"k");
            // Cut each sequence after its first byte, too.
            s.keys(&sequence[..1]);
            s.keys(&sequence[1..]);
            assert_eq!(s.line(), "k".repeat(i + 1), "{sequence:?}");
        }
        assert_eq!(s.term.current(), format!("> {}", "k".repeat(junk.len())));
    }

    #[test]
    fn a_lone_escape_does_not_swallow_the_next_key() {
        let mut s = Setup::new(40);
        assert_eq!(s.keys(b"hi\x1b\r"), lines(&["hi"]));
        s.keys("\x1b你".as_bytes());
        assert_eq!(s.line(), "你");
        // A sequence cut short by a control byte: the byte still counts.
        s.keys(b"\x1b[1\x7f");
        assert_eq!(s.line(), "");
    }

    #[test]
    fn tab_and_other_unbound_control_keys_do_nothing() {
        let mut s = Setup::new(40);
        s.keys(b"a\tb\x1a\x00\x1c");
        assert_eq!(s.line(), "ab");
    }

    #[test]
    fn a_paste_of_many_lines_yields_them_one_at_a_time() {
        let mut s = Setup::new(40);
        let mut paste = Vec::new();
        for i in 0..50 {
            paste.extend_from_slice(format!("pasted line {i} 你好\r\n").as_bytes());
        }
        paste.extend_from_slice(b"and half of one");
        s.editor.feed(&paste);
        for i in 0..50 {
            let mut out = Vec::new();
            let outcome = s.editor.advance(&mut out);
            assert_eq!(
                outcome,
                Some(Outcome::Line(format!("pasted line {i} 你好")))
            );
            s.term.write(&out);
            // Between two lines, the program may print above.
            s.print(&format!("sent {i}"));
        }
        let mut out = Vec::new();
        assert_eq!(s.editor.advance(&mut out), None);
        // One redraw for the whole rest of the paste, not one per key.
        assert_eq!(out.windows(3).filter(|w| w == b"\x1b[K").count(), 1);
        s.term.write(&out);
        let screen = s.term.screen();
        assert_eq!(
            screen[screen.len() - 3..],
            ["> pasted line 49 你好", "sent 49", "> and half of one"]
        );
    }

    #[test]
    fn a_long_paste_on_one_line_is_drawn_once() {
        let mut s = Setup::new(80);
        let paste = "长".repeat(5000);
        s.editor.feed(paste.as_bytes());
        let mut out = Vec::new();
        assert_eq!(s.editor.advance(&mut out), None);
        assert!(out.len() < 400, "{} bytes for one redraw", out.len());
        s.term.write(&out);
        assert_eq!(s.line(), paste);
    }

    #[test]
    fn a_message_arriving_mid_line_is_printed_above_and_the_line_survives() {
        let mut s = Setup::new(60);
        s.keys(b"I am typing");
        for _ in 0..3 {
            s.keys(LEFT);
        }
        s.print("[07:49:39] Bob: Hi Alice!");
        assert_eq!(
            s.term.screen(),
            ["[07:49:39] Bob: Hi Alice!", "> I am typing"]
        );
        assert_eq!(s.col(), 2 + 8, "the cursor is where it was");
        // Typing goes on at the cursor.
        s.keys(b"X");
        assert_eq!(s.line(), "I am typXing");
        s.print("[07:49:40] Bob: two\n  lines");
        assert_eq!(
            s.term.screen(),
            [
                "[07:49:39] Bob: Hi Alice!",
                "[07:49:40] Bob: two",
                "  lines",
                "> I am typXing"
            ]
        );
        assert_eq!(s.col(), 2 + 9);
        assert_eq!(s.keys(b"\r"), lines(&["I am typXing"]));
    }

    #[test]
    fn the_bytes_of_a_redraw() {
        let mut s = Setup::new(40);
        s.keys("a你b".as_bytes());
        s.keys(LEFT);
        let mut out = Vec::new();
        s.editor.print_above("msg", &mut out);
        // Clear the input row, print the message and a line break, draw
        // the prompt and the line, back to column 0, 5 columns right.
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\r\x1b[Kmsg\r\n\r\x1b[K> a你b\r\x1b[5C"
        );
    }

    #[test]
    fn a_long_line_scrolls_sideways_around_the_cursor() {
        let mut s = Setup::new(20);
        let text: String = ('a'..='z').chain('A'..='Z').collect();
        s.keys(text.as_bytes());
        // 19 usable columns (the last stays empty): the prompt, the last
        // 16 characters, and the cursor's cell.
        assert_eq!(s.term.current(), "> KLMNOPQRSTUVWXYZ");
        assert_eq!(s.col(), 18);
        s.keys(b"\x01");
        assert_eq!(s.term.current(), "> abcdefghijklmnopq");
        assert_eq!(s.col(), 2);
        // Moving right past the edge scrolls one character at a time.
        for _ in 0..17 {
            s.keys(RIGHT);
        }
        assert_eq!(s.term.current(), "> bcdefghijklmnopqr");
        assert_eq!(s.col(), 18);
        // A message does not undo the scroll or move the cursor.
        s.print("news");
        assert_eq!(s.term.screen(), ["news", "> bcdefghijklmnopqr"]);
        assert_eq!(s.col(), 18);
        // Erasing the end leaves the cursor at the edge, then brings hidden
        // text back on the left as soon as there is room for it.
        s.keys(b"\x0b");
        assert_eq!(s.term.current(), "> bcdefghijklmnopq");
        assert_eq!(s.col(), 18);
        s.keys(b"\x7f\x7f\x7f");
        assert_eq!(s.term.current(), "> abcdefghijklmn");
        assert_eq!(s.col(), 16);
    }

    #[test]
    fn the_last_column_is_never_written() {
        for width in [10, 11, 12, 13] {
            let mut s = Setup::new(width);
            for c in "你a好bc世界d和平".chars() {
                s.keys(c.to_string().as_bytes());
                assert!(
                    s.term.used_columns() < width,
                    "width {width}: {:?}",
                    s.term.current()
                );
                assert!(s.col() < width);
                s.keys(b"\x01");
                assert!(
                    s.term.used_columns() < width,
                    "width {width}: {:?}",
                    s.term.current()
                );
                s.keys(b"\x05");
            }
        }
    }

    #[test]
    fn wide_characters_at_the_edge_are_shown_whole_or_not_at_all() {
        // 11 usable columns: the prompt's 2 and 9 for the line.
        let mut s = Setup::new(12);
        s.keys("ab你好你好".as_bytes());
        s.keys(b"\x01");
        // a b 你 好 你 fill 8 columns; the last 好 would need 10.
        assert_eq!(s.term.current(), "> ab你好你");
        assert_eq!(s.term.used_columns(), 10);
        s.keys(b"\x05");
        // At the end the cursor needs a cell: 好你好 + cursor = 7, 你 more
        // would be 9, b more 10.
        assert_eq!(s.term.current(), "> 你好你好");
        assert_eq!(s.col(), 10);
        // The cursor on a wide character at the right edge: the whole
        // character is brought into view.
        let mut s = Setup::new(12);
        s.keys("abcdefgh你".as_bytes());
        s.keys(LEFT);
        assert_eq!(s.term.current(), "> bcdefgh你");
        assert_eq!(s.col(), 9);
    }

    #[test]
    fn the_prompt_can_change() {
        let mut s = Setup::new(40);
        s.keys(b"hey");
        s.keys(LEFT);
        let mut out = Vec::new();
        s.editor.set_prompt("#python> ", &mut out);
        s.term.write(&out);
        assert_eq!(s.term.current(), "#python> hey");
        assert_eq!(s.col(), 11);
        // Control characters in a prompt are dropped.
        let mut out = Vec::new();
        s.editor.set_prompt("\x1b[31m大厅> ", &mut out);
        s.term.write(&out);
        assert_eq!(s.term.current(), "[31m大厅> hey");
    }

    #[test]
    fn a_prompt_too_wide_for_the_terminal_is_left_out() {
        let mut s = Setup::new(8);
        let mut out = Vec::new();
        s.editor.set_prompt("a long prompt> ", &mut out);
        s.term.write(&out);
        s.keys(b"hi");
        assert_eq!(s.term.current(), "hi");
        assert_eq!(s.col(), 2);
    }

    #[test]
    fn the_width_can_change() {
        let mut s = Setup::new(80);
        s.keys(b"0123456789abcdef");
        let mut out = Vec::new();
        s.editor.set_width(Some(10), &mut out);
        s.term = Terminal::new(10);
        s.term.write(&out);
        assert_eq!(s.term.current(), "> abcdef");
        // Unknown or zero: the default.
        s.editor.set_width(None, &mut Vec::new());
        assert_eq!(s.editor.width, DEFAULT_WIDTH);
        s.editor.set_width(Some(0), &mut Vec::new());
        assert_eq!(s.editor.width, DEFAULT_WIDTH);
    }

    #[test]
    fn a_status_row_updates_in_place_above_the_input_row() {
        let mut s = Setup::new(40);
        s.print("before");
        s.keys(b"typing");
        s.status("sending a.txt 10%");
        assert_eq!(s.term.screen(), ["before", "sending a.txt 10%", "> typing"]);
        s.status("sending a.txt 55%");
        assert_eq!(s.term.screen(), ["before", "sending a.txt 55%", "> typing"]);
        assert_eq!(s.col(), 8);
        // A printed line takes the status row's place, as on the plain
        // screen a line replaces the progress line.
        s.print("[07:49:39] Bob: hi");
        assert_eq!(
            s.term.screen(),
            ["before", "[07:49:39] Bob: hi", "> typing"]
        );
        s.status("sending a.txt 90%");
        let mut out = Vec::new();
        s.editor.clear_status(&mut out);
        s.term.write(&out);
        assert_eq!(
            s.term.screen(),
            ["before", "[07:49:39] Bob: hi", "> typing"]
        );
        // A status row too long for the terminal is cut to one row.
        s.status(&"#".repeat(100));
        assert_eq!(s.term.screen()[2], "#".repeat(39));
        // Enter leaves the finished line where the status row was.
        s.keys(b"\r");
        assert_eq!(
            s.term.screen(),
            ["before", "[07:49:39] Bob: hi", "> typing", ">"]
        );
    }

    #[test]
    fn a_secret_line_is_edited_but_never_shown_or_kept() {
        let mut s = Setup::new(40);
        s.keys(b"chat line\r");
        let mut out = Vec::new();
        s.editor.set_prompt("Password: ", &mut out);
        s.editor.set_secret(true, &mut out);
        s.term.write(&out);
        s.keys("pä55你x\x7f".as_bytes());
        assert_eq!(s.term.current(), "Password:");
        assert_eq!(s.col(), 10);
        // Up would bring the chat line into the hidden field.
        s.keys(UP_KEY);
        s.print("a message meanwhile");
        assert_eq!(s.term.current(), "Password:");
        assert_eq!(s.keys(b"\r"), lines(&["pä55你"]));
        let screen = s.term.screen();
        assert_eq!(screen[screen.len() - 2..], ["Password:", "Password:"]);
        let mut out = Vec::new();
        s.editor.set_secret(false, &mut out);
        s.keys(UP_KEY);
        assert_eq!(s.line(), "chat line", "the password was not kept");
    }

    #[test]
    fn finish_clears_the_input_row_and_stops_drawing() {
        let mut s = Setup::new(40);
        s.keys(b"half");
        s.status("50%");
        let mut out = Vec::new();
        s.editor.finish(&mut out);
        s.term.write(&out);
        assert_eq!(s.term.screen(), [""]);
        assert_eq!(s.col(), 0);
        s.print("Goodbye.");
        assert_eq!(s.term.screen(), ["Goodbye."]);
        assert_eq!(s.keys(b"more\r"), []);
        s.status("60%");
        assert_eq!(s.term.screen(), ["Goodbye."]);
    }

    #[test]
    fn ctrl_l_clears_the_screen_and_redraws_the_line() {
        let mut s = Setup::new(40);
        s.print("old");
        s.keys(b"abc\x0c");
        assert_eq!(s.term.screen(), ["> abc"]);
        assert_eq!(s.col(), 5);
    }

    #[test]
    fn character_widths() {
        for (c, width) in [
            ('a', 1),
            ('é', 1),
            ('\u{301}', 0),
            ('\u{200d}', 0),
            ('\u{fe0f}', 0),
            ('你', 2),
            ('。', 2),
            ('の', 2),
            ('한', 2),
            ('Ａ', 2),
            ('😀', 2),
            ('𠀀', 2),
            ('\u{1161}', 0),
            ('α', 1),
        ] {
            assert_eq!(char_width(c), width, "{c:?}");
        }
    }
}
