//! Every sentence a person reads: the client's screen, the server's console
//! and log, and the `ERROR` texts the server sends.
//!
//! Keeping them in one module means the wording can be changed, or the
//! whole program translated (the original was in Chinese), in one place,
//! without touching any logic. The functions take the values to put in and
//! return the finished text; none of them decides anything.
//!
//! The `Display` impls of the error types a person sees (bad names, bad
//! command lines) live here too, for the same reason.
//!
//! Every word a peer chose (a name, a chat text, a file name, the reason in
//! an `ERROR`) goes through [`terminal`]'s rule inside the function that
//! puts it in a sentence, so no caller can forget it: a chat text through
//! [`for_terminal`], everything else through [`one_line`]. A test walks
//! every function here with hostile arguments (`text/catalogue_tests.rs`).

pub mod terminal;

#[cfg(test)]
mod catalogue_tests;

use std::fmt;

use crate::cli::ArgError;
use crate::command::PathError;
use crate::filetypes::{ExtListError, MAX_EXT_CHARS, MAX_EXTS, Refused};
use crate::message::LeaveReason;
use crate::names::{BadChar, MAX_NAME_CHARS, NameError};
use crate::server::accounts::{
    AccountError, EntryProblem, FILE_VERSION, FileProblem, KEY_LEN, LoadError, MAX_ACCOUNTS,
    MAX_FILE_BYTES as ACCOUNTS_MAX_FILE_BYTES, MAX_ITERATIONS, MAX_SALT_LEN, MIN_ITERATIONS,
    MIN_SALT_LEN, VerifierError,
};
use crate::server::history::{HistoryError, OpenReport, Problem, RoomRecovery};
use crate::server::mutes::{MAX_MUTE, MAX_MUTED, MuteError};
use crate::transfer::{OpenError, Special, TransferError};
use crate::unicode::UNICODE_VERSION;
use terminal::{for_terminal, one_line};

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

// ---------------------------------------------------------------------------
// Shared
// ---------------------------------------------------------------------------

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NameError::Empty => write!(f, "a name cannot be empty"),
            NameError::TooLong => write!(f, "a name can have at most {MAX_NAME_CHARS} characters"),
            NameError::BadCharacter(' ', BadChar::Space) => {
                write!(f, "a name cannot contain spaces")
            }
            // The character itself is never shown: it may be invisible, or
            // an instruction to the terminal. Its code point is.
            NameError::BadCharacter(c, why) => {
                let code = format!("U+{:04X}", *c as u32);
                match why {
                    BadChar::Space => write!(f, "a name cannot contain spaces ({code} is one)"),
                    BadChar::Control => write!(
                        f,
                        "a name cannot contain {code}, a control character (it can move the cursor or erase text)"
                    ),
                    BadChar::Format => write!(
                        f,
                        "a name cannot contain {code}, an invisible format character (it can hide or reorder text)"
                    ),
                    BadChar::Separator => {
                        write!(
                            f,
                            "a name cannot contain {code}, a line or paragraph separator"
                        )
                    }
                    BadChar::PrivateUse => write!(
                        f,
                        "a name cannot contain {code}, a private-use character (it looks different on every computer)"
                    ),
                    BadChar::Unassigned => write!(
                        f,
                        "a name cannot contain {code}, which Unicode {UNICODE_VERSION} does not assign"
                    ),
                }
            }
            NameError::BadStart(c) => write!(f, "a name cannot start with '{c}'"),
            NameError::Reserved(name) => write!(f, "the name \"{name}\" is reserved"),
            NameError::LooksLike(name) => {
                write!(f, "it reads as \"{name}\", which is reserved")
            }
        }
    }
}

impl std::error::Error for NameError {}

impl fmt::Display for ArgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArgError::UnknownFlag(flag) => write!(f, "unknown option --{flag}"),
            ArgError::MissingValue(flag) => write!(f, "option --{flag} needs a value"),
            ArgError::BadValue {
                flag,
                value,
                expected,
            } => write!(f, "--{flag} must be {expected}, not \"{value}\""),
            ArgError::Unexpected(arg) => write!(f, "unexpected argument \"{arg}\""),
        }
    }
}

impl std::error::Error for ArgError {}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathError::Missing => write!(f, "no file given"),
            PathError::UnclosedQuote => write!(f, "the quote around the file name is not closed"),
            PathError::TextAfterQuote => write!(f, "unexpected text after the quoted file name"),
        }
    }
}

impl std::error::Error for PathError {}

impl fmt::Display for OpenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpenError::NotFound => write!(f, "no such file"),
            OpenError::IsDirectory => write!(f, "it is a folder, not a file"),
            OpenError::NotAFile(Special::Fifo) => {
                write!(f, "it is a named pipe (FIFO), not a regular file")
            }
            OpenError::NotAFile(Special::Device) => {
                write!(f, "it is a device, not a regular file")
            }
            OpenError::NotAFile(Special::Socket) => {
                write!(f, "it is a socket, not a regular file")
            }
            OpenError::NotAFile(Special::Other) => write!(f, "it is not a regular file"),
            OpenError::Unreadable(e) => write!(f, "cannot read it: {e}"),
        }
    }
}

impl std::error::Error for OpenError {}

impl fmt::Display for TransferError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransferError::OutOfOrder { expected, got } => {
                write!(f, "chunk {got} arrived where chunk {expected} was expected")
            }
            TransferError::TooMuchData { size } => {
                write!(f, "more data arrived than the announced {size} bytes")
            }
            TransferError::BadChunk(e) => write!(f, "a chunk was not valid base64 ({e})"),
            TransferError::SizeMismatch { expected, received } => {
                write!(
                    f,
                    "{received} bytes arrived but the file should have {expected}"
                )
            }
            TransferError::ChecksumMismatch => {
                write!(
                    f,
                    "the SHA-256 checksum does not match: the data was damaged"
                )
            }
            TransferError::Io(e) => write!(f, "could not write the file: {e}"),
        }
    }
}

impl std::error::Error for TransferError {}

// Accounts, mutes and file types (contract §10–§12). Text that comes from an
// accounts file or a peer (a role, a name, an extension) goes through
// `one_line`: a damaged file is as untrusted as a peer.

impl fmt::Display for VerifierError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifierError::BadBase64 { field, error } => {
                write!(f, "{} is not valid base64 ({error})", field.key())
            }
            VerifierError::KeyLength { field, len } => {
                write!(f, "{} must be {KEY_LEN} bytes, not {len}", field.key())
            }
            VerifierError::SaltTooShort { len } => write!(
                f,
                "the salt must be at least {MIN_SALT_LEN} bytes, not {len}"
            ),
            VerifierError::SaltTooLong { len } => {
                write!(f, "the salt can be at most {MAX_SALT_LEN} bytes, not {len}")
            }
            VerifierError::TooFewIterations { iterations } => write!(
                f,
                "at least {MIN_ITERATIONS} iterations are needed, not {iterations}"
            ),
            VerifierError::TooManyIterations { iterations } => write!(
                f,
                "at most {MAX_ITERATIONS} iterations are allowed, not {iterations}"
            ),
        }
    }
}

impl std::error::Error for VerifierError {}

impl fmt::Display for AccountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AccountError::Taken => write!(f, "that name is registered already"),
            AccountError::NoSuchAccount => write!(f, "that name is not registered"),
            AccountError::BadName(e) => write!(f, "{e}"),
            AccountError::Weak(e) => write!(f, "the password's verifier was refused: {e}"),
            AccountError::Full => write!(
                f,
                "the server has {MAX_ACCOUNTS} accounts, as many as it keeps"
            ),
            AccountError::Save(e) => {
                write!(
                    f,
                    "the accounts file could not be written ({e}); nothing changed"
                )
            }
        }
    }
}

impl std::error::Error for AccountError {}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path.display().to_string();
        write!(f, "cannot use the accounts file {}: ", one_line(&path))?;
        match &self.problem {
            FileProblem::Unreadable(e) => write!(f, "{e}"),
            FileProblem::TooLarge { len } => write!(
                f,
                "it is {}, and an accounts file is at most {}",
                bytes(*len),
                bytes(ACCOUNTS_MAX_FILE_BYTES)
            ),
            FileProblem::Empty => write!(f, "it is empty (delete it to start with no accounts)"),
            FileProblem::NotJson(e) => write!(f, "it is not valid JSON ({e})"),
            FileProblem::NotAnObject => write!(f, "it is not a JSON object"),
            FileProblem::Version(None) => write!(f, "it has no \"version\""),
            FileProblem::Version(Some(v)) => write!(
                f,
                "its version is {}; this server reads version {FILE_VERSION}",
                one_line(v)
            ),
            FileProblem::NoAccountList => write!(f, "it has no \"accounts\" list"),
            FileProblem::TooManyAccounts { count } => write!(
                f,
                "it lists {count} accounts, more than the {MAX_ACCOUNTS} a server keeps"
            ),
            FileProblem::Entry {
                index,
                name,
                problem,
            } => {
                write!(f, "account number {} ", index + 1)?;
                if let Some(name) = name {
                    write!(f, "(\"{}\") ", one_line(name))?;
                }
                match problem {
                    EntryProblem::NotAnObject => write!(f, "is not a JSON object"),
                    EntryProblem::Missing(field) => write!(f, "has no \"{field}\""),
                    EntryProblem::WrongType { field, expected } => {
                        write!(f, "has a \"{field}\" that is not {expected}")
                    }
                    EntryProblem::BadName(e) => write!(f, "has a bad name: {e}"),
                    EntryProblem::UnknownRole(role) => write!(
                        f,
                        "has the role \"{}\"; a role is \"admin\" or \"member\"",
                        one_line(role)
                    ),
                    EntryProblem::Verifier(e) => write!(f, "is not usable: {e}"),
                    EntryProblem::Duplicate { first } => {
                        write!(f, "has the same name as account number {}", first + 1)
                    }
                }
            }
        }?;
        write!(
            f,
            ". The server does not start until the file is fixed or moved away."
        )
    }
}

impl std::error::Error for LoadError {}

impl fmt::Display for MuteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MuteError::Zero => write!(f, "a mute needs at least 1 second"),
            MuteError::TooLong => write!(
                f,
                "a mute can last at most {} seconds (a week)",
                MAX_MUTE.as_secs()
            ),
            MuteError::Full => write!(f, "{MAX_MUTED} names are muted already"),
        }
    }
}

impl std::error::Error for MuteError {}

impl fmt::Display for ExtListError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExtListError::EmptyItem { position } => {
                write!(f, "item {position} of the list of extensions is empty")
            }
            ExtListError::InnerDot { item } => write!(
                f,
                "\"{}\" has a dot inside: only a name's last extension counts, so write just that one",
                one_line(item)
            ),
            ExtListError::BadCharacter { item, c } if c.is_whitespace() => {
                write!(f, "\"{}\" contains a space", one_line(item))
            }
            ExtListError::BadCharacter { item, c } => write!(
                f,
                "\"{}\" contains U+{:04X}, which no extension can contain",
                one_line(item),
                *c as u32
            ),
            ExtListError::TooLong { item } => write!(
                f,
                "\"{}\" is longer than {MAX_EXT_CHARS} characters",
                one_line(item)
            ),
            ExtListError::TooMany { count } => write!(
                f,
                "a list can have at most {MAX_EXTS} extensions, not {count}"
            ),
        }
    }
}

impl std::error::Error for ExtListError {}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refused::Denied { ext } => write!(
                f,
                "files ending in .{} are not accepted here",
                one_line(ext)
            ),
            Refused::NotAllowed { ext: Some(ext) } => write!(
                f,
                "files ending in .{} are not among those accepted here",
                one_line(ext)
            ),
            Refused::NotAllowed { ext: None } => {
                write!(
                    f,
                    "files without an extension are not among those accepted here"
                )
            }
        }
    }
}

impl std::error::Error for Refused {}

/// A byte count the way people read it: "1.5 MiB".
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} bytes");
    }
    let mut value = n as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// "2.3 MiB/s" for `n` bytes in `seconds` (in the same units as [`bytes`]).
fn rate(n: u64, seconds: f64) -> String {
    if seconds <= 0.0 {
        return "-".to_string();
    }
    format!("{:.1} MiB/s", n as f64 / seconds / (1024.0 * 1024.0))
}

/// Who a file goes to, in a sentence.
fn audience(to: Option<&str>) -> String {
    match to {
        Some(name) => one_line(name).into_owned(),
        None => "everyone".to_string(),
    }
}

/// An error or reason that may quote a peer's words, on one line.
fn escaped(why: &dyn fmt::Display) -> String {
    one_line(&why.to_string()).into_owned()
}

/// A bad command line: the problem, and where to look.
pub fn bad_arguments(program: &str, error: &ArgError) -> String {
    format!("{program}: {}\nTry '{program} --help'.", escaped(error))
}

pub fn version(program: &str) -> String {
    format!("{program} {VERSION}")
}

/// How a leave reason reads in a sentence: "Bob {left}".
fn leave_phrase(reason: LeaveReason) -> &'static str {
    match reason {
        LeaveReason::Quit => "left",
        LeaveReason::Disconnected => "disconnected",
        LeaveReason::Timeout => "timed out",
        LeaveReason::Kicked => "was removed by the server",
    }
}

// ---------------------------------------------------------------------------
// Server: command line, console, log
// ---------------------------------------------------------------------------

pub fn server_usage() -> String {
    "\
Usage: chat-server [PORT] [HOST] [OPTIONS]

Runs the chat room. PORT defaults to 8888 (0 picks any free port),
HOST to localhost (use 0.0.0.0 to accept other machines).

Options:
  --port PORT            port to listen on
  --host HOST            address to listen on
  --max-clients N        most clients at once (default 1000)
  --max-text BYTES       longest chat message (default 65536)
  --max-frame BYTES      largest frame accepted from a client (default 1048576)
  --queue BYTES          outgoing queue per client (default 4194304)
  --heartbeat SECS       ping a client silent this long, drop it after twice this;
                         close a connection not joined this long after connecting (default 30)
  --send-timeout SECS    drop a client that cannot take data for this long (default 10)
  --max-file BYTES       largest file a client may send (default 1073741824 = 1 GiB)
  --chunk-size BYTES     file chunk size for /send (default 4096)
  --files DIR            keep copies of received files in DIR/received, and look in
                         DIR/server for a /send PATH not found here (default files)
  --trace[=hex]          print every frame sent and received on stderr
  --help                 show this help
  --version              show the version"
        .to_string()
}

/// The first line the server prints; tests and scripts wait for it.
pub fn listening(addr: &str) -> String {
    format!("Chat server listening on {addr}\nWaiting for clients...")
}

pub fn console_help() -> String {
    "\
Server commands:
  /msg TEXT              send TEXT to everyone
  /msg @NAME TEXT        send TEXT to NAME only
  /send PATH             send a file to everyone
  /send @NAME PATH       send a file to NAME only
                         (a PATH not found here is looked for in files/server/)
  /list                  list who is online
  /user NAME             show details of one user
  /kick NAME             remove a user from the chat
  /help                  show this help
  /quit                  shut the server down
Press Ctrl+C to stop the server at once."
        .to_string()
}

pub fn cannot_listen(addr: &str, error: &std::io::Error) -> String {
    format!("chat-server: cannot listen on {}: {error}", one_line(addr))
}

pub fn log_joined(name: &str, addr: &str, online: usize) -> String {
    format!("{} joined from {addr} ({online} online)", one_line(name))
}

pub fn log_left(name: &str, reason: LeaveReason) -> String {
    format!("{} {}", one_line(name), leave_phrase(reason))
}

pub fn log_public(sender: &str, text: &str) -> String {
    format!("{} to everyone: {}", one_line(sender), for_terminal(text))
}

pub fn log_private(sender: &str, to: &str, text: &str) -> String {
    format!(
        "{} to {} (private): {}",
        one_line(sender),
        one_line(to),
        for_terminal(text)
    )
}

pub fn log_refused_name(addr: &str, name: &str, why: &str) -> String {
    format!(
        "refused name \"{}\" from {addr}: {}",
        one_line(name),
        one_line(why)
    )
}

pub fn log_bad_input(who: &str, error: &dyn fmt::Display) -> String {
    format!("bad input from {}: {}", one_line(who), escaped(error))
}

/// What a `bad input` line says of a message sent before joining.
pub fn log_before_join(kind: &str) -> String {
    format!("{} before USER_JOIN", one_line(kind))
}

/// What a `bad input` line says of a `USER_JOIN` from a member.
pub fn log_second_join() -> String {
    "a second USER_JOIN".to_string()
}

pub fn log_server_full(addr: &str, max: usize) -> String {
    let clients = if max == 1 { "client" } else { "clients" };
    format!("refused {addr}: the server is full ({max} {clients})")
}

pub fn log_join_timeout(addr: &str, seconds: u64) -> String {
    format!("closed {addr}: it did not join within {seconds} s")
}

pub fn log_session_panicked(addr: &str) -> String {
    format!("internal error while serving {addr}; that connection was closed")
}

pub fn log_setup_failed(addr: &str, error: &std::io::Error) -> String {
    format!("setting up the connection from {addr} failed: {error}")
}

pub fn log_accept_failed(error: &std::io::Error) -> String {
    format!("accepting a connection failed: {error}")
}

pub fn log_file_offer(sender: &str, name: &str, size: u64, to: Option<&str>) -> String {
    format!(
        "{} is sending {} ({}) to {}",
        one_line(sender),
        one_line(name),
        bytes(size),
        audience(to)
    )
}

pub fn log_file_saved(sender: &str, path: &std::path::Path, size: u64) -> String {
    format!(
        "received {} ({}) from {}",
        escaped(&path.display()),
        bytes(size),
        one_line(sender)
    )
}

pub fn log_file_aborted(sender: &str, name: &str, why: &str) -> String {
    format!(
        "transfer of {} from {} aborted: {}",
        one_line(name),
        one_line(sender),
        one_line(why)
    )
}

pub fn console_file_sent(name: &str, size: u64, to: Option<&str>, seconds: f64) -> String {
    format!(
        "Sent {} ({}) to {} in {seconds:.2} s ({}).",
        one_line(name),
        bytes(size),
        audience(to),
        rate(size, seconds)
    )
}

pub fn console_file_failed(path: &str, why: &dyn fmt::Display) -> String {
    format!("Cannot send {}: {}.", one_line(path), escaped(why))
}

pub fn console_file_started(name: &str, size: u64, to: Option<&str>) -> String {
    format!(
        "Sending {} ({}) to {}...",
        one_line(name),
        bytes(size),
        audience(to)
    )
}

pub fn shutting_down() -> String {
    "Shutting down: telling clients and closing connections...".to_string()
}

pub fn stopped() -> String {
    "Server stopped.".to_string()
}

pub fn console_not_a_command() -> String {
    "Commands start with '/'. To talk to everyone, type /msg TEXT (/help lists all commands)."
        .to_string()
}

pub fn unknown_command(name: &str) -> String {
    format!(
        "Unknown command /{}. Type /help for the list.",
        one_line(name)
    )
}

pub fn usage_msg() -> String {
    "Usage: /msg TEXT  or  /msg @NAME TEXT".to_string()
}

pub fn usage_send() -> String {
    "Usage: /send PATH  or  /send @NAME PATH (quote a path that has spaces)".to_string()
}

pub fn usage_user() -> String {
    "Usage: /user NAME".to_string()
}

pub fn usage_kick() -> String {
    "Usage: /kick NAME".to_string()
}

pub fn kicked(name: &str) -> String {
    format!("Removed {} from the chat.", one_line(name))
}

pub fn no_such_user(name: &str) -> String {
    format!("No user named \"{}\" is online.", one_line(name))
}

pub fn sent_to_everyone(count: usize) -> String {
    format!("Sent to everyone ({count} online).")
}

pub fn sent_to(name: &str) -> String {
    format!("Sent to {}.", one_line(name))
}

pub fn list_empty() -> String {
    "No users online.".to_string()
}

pub fn list_header(count: usize) -> String {
    format!("Online users ({count}):")
}

pub fn list_row(number: usize, name: &str, addr: &str) -> String {
    format!("  {number}. {} ({addr})", one_line(name))
}

pub fn user_details(name: &str, ip: &str, port: u16, since: &str, messages: u64) -> String {
    let name = one_line(name);
    format!(
        "User {name}:\n  IP address:  {ip}\n  Port:        {port}\n  Status:      online\n  Connected:   {since}\n  Messages:    {messages}"
    )
}

// ---------------------------------------------------------------------------
// Server: history (room names come from peers, so they pass `one_line`)
// ---------------------------------------------------------------------------

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl fmt::Display for HistoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HistoryError::BadRoomName => write!(f, "this room name cannot be kept in a history"),
            HistoryError::Closed => write!(f, "the history is closed: the server is stopping"),
            HistoryError::Folder { dir, error } => {
                write!(
                    f,
                    "cannot use the history folder {}: {error}",
                    dir.display()
                )
            }
            HistoryError::InUse { dir } => write!(
                f,
                "the history folder {} is in use by another server \
                 (give this one its own with --history DIR, or run it with --no-history)",
                dir.display()
            ),
            HistoryError::Read { path, error } => write!(
                f,
                "cannot read the history file {}: {error} \
                 (the server does not start without it, so that no room is numbered from 1 again)",
                path.display()
            ),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::WriteFailed { room, error } => write!(
                f,
                "history: cannot write the file of room \"{}\": {error}; \
                 its new messages are kept in memory only until writing works again",
                one_line(room)
            ),
            Problem::WriteResumed { room, lost } => write!(
                f,
                "history: writing the file of room \"{}\" works again; \
                 {lost} messages were not written to disk meanwhile",
                one_line(room)
            ),
            Problem::SyncFailed { room, error } => {
                match room {
                    Some(room) => write!(
                        f,
                        "history: fsync failed for room \"{}\": {error}",
                        one_line(room)
                    )?,
                    None => write!(f, "history: fsync of the history folder failed: {error}")?,
                }
                write!(
                    f,
                    "; the last second of messages may not survive a power cut"
                )
            }
            Problem::CompactFailed { room, error } => write!(
                f,
                "history: cannot compact the file of room \"{}\": {error}; \
                 the old file is kept whole and grows until this works",
                one_line(room)
            ),
            Problem::QueueFull { dropped } => write!(
                f,
                "history: the disk is not keeping up; {} kept in memory only",
                count(*dropped as usize, "message was", "messages were")
            ),
        }
    }
}

impl fmt::Display for RoomRecovery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "history: room \"{}\": ", one_line(&self.room))?;
        let mut parts = Vec::new();
        if self.corrupt > 0 {
            let mut listed: Vec<String> = self.corrupt_lines.iter().map(u64::to_string).collect();
            if self.corrupt > listed.len() {
                listed.push(format!("and {} more", self.corrupt - listed.len()));
            }
            parts.push(format!(
                "{} skipped ({} {})",
                count(self.corrupt, "corrupt line", "corrupt lines"),
                if self.corrupt == 1 { "line" } else { "lines" },
                listed.join(", ")
            ));
        }
        if let Some(torn) = self.torn {
            parts.push(format!(
                "a torn last line cut off (line {}, {})",
                torn.line,
                count(torn.bytes as usize, "byte", "bytes")
            ));
        }
        write!(
            f,
            "{}; {} read, up to seq {}",
            parts.join(", "),
            count(self.messages, "message", "messages"),
            self.last_seq
        )
    }
}

pub fn history_opened(report: &OpenReport) -> String {
    let dir = report.dir.display();
    if report.rooms.is_empty() {
        return format!("history: kept in {dir} (no rooms yet)");
    }
    let lost = report.lines_lost();
    format!(
        "history: kept in {dir}: {} in {}{}",
        count(report.messages(), "message", "messages"),
        count(report.rooms.len(), "room", "rooms"),
        if lost == 0 {
            String::new()
        } else {
            format!(", {} lost to damage (below)", count(lost, "line", "lines"))
        }
    )
}

pub fn history_removed_temp(names: &[String]) -> String {
    format!(
        "history: removed what an interrupted compaction left ({}); the files it was rewriting are whole",
        one_line(&names.join(", "))
    )
}

pub fn history_ignored(names: &[String]) -> String {
    format!(
        "history: ignored {} that no room keeps: {}",
        count(names.len(), "file", "files"),
        one_line(&names.join(", "))
    )
}

// ---------------------------------------------------------------------------
// Server → client ERROR texts
// ---------------------------------------------------------------------------

pub fn error_name_invalid(name: &str, why: &NameError) -> String {
    format!("The name \"{}\" cannot be used: {why}.", one_line(name))
}

pub fn error_name_taken(name: &str) -> String {
    format!(
        "The name \"{}\" is already in use. Choose another one.",
        one_line(name)
    )
}

pub fn error_unknown_user(name: &str) -> String {
    no_such_user(name)
}

pub fn error_text_too_long(len: usize, max: usize) -> String {
    format!("Your message is {len} bytes long; the limit is {max}. It was not sent.")
}

pub fn error_join_first() -> String {
    "Join first: the first message must be USER_JOIN with your name.".to_string()
}

pub fn error_already_joined() -> String {
    "You have already joined.".to_string()
}

pub fn error_bad_frame(detail: &dyn fmt::Display) -> String {
    format!("Bad frame: {}. Closing the connection.", escaped(detail))
}

pub fn error_bad_message(detail: &dyn fmt::Display) -> String {
    format!("Bad message: {}.", escaped(detail))
}

pub fn error_server_full() -> String {
    "The server is full. Try again later.".to_string()
}

pub fn error_kicked() -> String {
    "You were removed from the chat by the server.".to_string()
}

pub fn error_join_timeout(seconds: u64) -> String {
    format!("You did not join within {seconds} seconds. Closing the connection.")
}

pub fn error_server_shutdown() -> String {
    "The server is shutting down.".to_string()
}

pub fn error_file_too_large(size: u64, max: u64) -> String {
    format!(
        "The file is {}; the limit is {}. It was not sent.",
        bytes(size),
        bytes(max)
    )
}

pub fn error_unknown_transfer(id: &str) -> String {
    format!("There is no transfer \"{}\" in progress.", one_line(id))
}

pub fn error_duplicate_transfer(id: &str) -> String {
    format!("A transfer \"{}\" is already in progress.", one_line(id))
}

pub fn error_too_many_transfers(max: usize) -> String {
    format!("At most {max} transfers at once per user.")
}

pub fn error_transfer_failed(name: &str, why: &dyn fmt::Display) -> String {
    format!(
        "The transfer of {} failed: {}.",
        one_line(name),
        escaped(why)
    )
}

pub fn error_sender_left(name: &str, sender: &str) -> String {
    format!(
        "{} left before {} was complete.",
        one_line(sender),
        one_line(name)
    )
}

pub fn error_server_storage(name: &str, error: &std::io::Error) -> String {
    format!("The server could not store {}: {error}.", one_line(name))
}

// ---------------------------------------------------------------------------
// Client: command line, screen
// ---------------------------------------------------------------------------

pub fn client_usage() -> String {
    "\
Usage: chat-client [PORT] [HOST] [NAME] [OPTIONS]

Joins a chat room. PORT defaults to 8888, HOST to localhost; without a NAME
the client asks for one.

Options:
  --port PORT        server port
  --host HOST        server address
  --name NAME        your name in the chat
  --downloads DIR    where received files are saved (default files/downloads)
  --chunk-size BYTES file chunk size when sending (default 4096)
  --trace[=hex]      print every frame sent and received on stderr
  --help             show this help
  --version          show the version"
        .to_string()
}

pub fn client_help() -> String {
    "\
Chat commands:
  TEXT                   send TEXT to everyone
  /msg @NAME TEXT        send TEXT to NAME only
  /send PATH             send a file to everyone
  /send @NAME PATH       send a file to NAME only
  /list                  list who is online
  /help                  show this help
  /quit                  leave the chat"
        .to_string()
}

pub fn name_prompt() -> String {
    "Your name: ".to_string()
}

pub fn cannot_connect(addr: &str, error: &std::io::Error) -> String {
    format!(
        "Cannot connect to the chat server at {}: {error}.",
        one_line(addr)
    )
}

pub fn name_refused(reason: &str) -> String {
    format!("Name refused: {}", one_line(reason))
}

pub fn connected(addr: &str, name: &str) -> String {
    format!("Connected to {} as {}.", one_line(addr), one_line(name))
}

pub fn online_list(names: &[String]) -> String {
    let names: Vec<_> = names.iter().map(|n| one_line(n)).collect();
    format!("Online ({}): {}", names.len(), names.join(", "))
}

pub fn chat_line(time: &str, sender: &str, text: &str) -> String {
    format!("[{time}] {}: {}", one_line(sender), for_terminal(text))
}

pub fn private_line(time: &str, sender: &str, text: &str) -> String {
    format!(
        "[{time}] {}: [private] {}",
        one_line(sender),
        for_terminal(text)
    )
}

pub fn joined_line(time: &str, name: &str, online: u64) -> String {
    format!(
        "[{time}] * {} joined the chat ({online} online)",
        one_line(name)
    )
}

pub fn left_line(time: &str, name: &str, reason: LeaveReason, online: u64) -> String {
    format!(
        "[{time}] * {} {} ({online} online)",
        one_line(name),
        leave_phrase(reason)
    )
}

pub fn error_line(text: &str) -> String {
    format!("[error] {}", for_terminal(text))
}

/// The server's own last word, such as why it removed us: its sentence,
/// escaped like every text that arrives.
pub fn server_farewell(text: &str) -> String {
    for_terminal(text).into_owned()
}

pub fn server_closed() -> String {
    "The server has shut down. Goodbye.".to_string()
}

pub fn connection_lost() -> String {
    "Connection to the server lost.".to_string()
}

pub fn goodbye() -> String {
    "You left the chat.".to_string()
}

pub fn client_unknown_command(name: &str) -> String {
    format!(
        "Unknown command /{}; it was not sent. Type /help for the list.",
        one_line(name)
    )
}

pub fn usage_client_msg() -> String {
    "Usage: /msg @NAME TEXT".to_string()
}

pub fn bad_path(error: &PathError) -> String {
    format!("{error}. {}", usage_send())
}

pub fn cannot_send_file(path: &str, why: &dyn fmt::Display) -> String {
    format!("[file] cannot send {}: {}", one_line(path), escaped(why))
}

pub fn file_too_large_locally(path: &str, size: u64, max: u64) -> String {
    format!(
        "[file] cannot send {}: it is {}, and the server accepts at most {}",
        one_line(path),
        bytes(size),
        bytes(max)
    )
}

pub fn sending_file(name: &str, size: u64, to: Option<&str>) -> String {
    format!(
        "[file] sending {} ({}) to {}",
        one_line(name),
        bytes(size),
        audience(to)
    )
}

pub fn sending_progress(name: &str, percent: f64) -> String {
    format!("[file] sending {}: {percent:.1}%", one_line(name))
}

pub fn file_sent(name: &str, size: u64, seconds: f64, sha256: &str) -> String {
    format!(
        "[file] sent {}: {} in {seconds:.2} s ({}), sha256 {}",
        one_line(name),
        bytes(size),
        rate(size, seconds),
        one_line(sha256)
    )
}

pub fn file_send_stopped(name: &str, why: &str) -> String {
    format!(
        "[file] sending {} stopped: {}",
        one_line(name),
        one_line(why)
    )
}

pub fn incoming_file(sender: &str, name: &str, size: u64) -> String {
    format!(
        "[file] {} is sending {} ({})",
        one_line(sender),
        one_line(name),
        bytes(size)
    )
}

pub fn receiving_progress(name: &str, sender: &str, percent: f64) -> String {
    format!(
        "[file] receiving {} from {}: {percent:.1}%",
        one_line(name),
        one_line(sender)
    )
}

pub fn file_received(
    name: &str,
    sender: &str,
    size: u64,
    seconds: f64,
    path: &std::path::Path,
    sha256: &str,
) -> String {
    format!(
        "[file] received {} from {}: {} in {seconds:.2} s ({}), saved to {}, sha256 {}",
        one_line(name),
        one_line(sender),
        bytes(size),
        rate(size, seconds),
        escaped(&path.display()),
        one_line(sha256)
    )
}

pub fn file_not_received(name: &str, sender: &str, why: &dyn fmt::Display) -> String {
    format!(
        "[file] {} from {} was not kept: {}; the partial file was deleted",
        one_line(name),
        one_line(sender),
        escaped(why)
    )
}

pub fn cannot_save_file(name: &str, error: &std::io::Error) -> String {
    format!("[file] cannot save {}: {error}", one_line(name))
}
