//! Every sentence a person reads, in every language the programs speak:
//! the client's screen, the server's console and log, `--help`, and the
//! `ERROR` texts the server sends.
//!
//! # One trait, one file per language
//!
//! [`Text`] has one method per sentence. Each language is a type that
//! implements it: [`en::En`] (English) and [`zh::Zh`] (Chinese, the
//! original program's language). A method has no default body, so a
//! sentence added to the trait and forgotten in one language is a compile
//! error, not an English line on a Chinese screen. The functions take the
//! values to put in and return the finished text; none of them decides
//! anything.
//!
//! Code elsewhere asks for the sentence in the language chosen at start-up:
//!
//! ```
//! use socket_chat::text;
//! let line = text::t().joined_line("14:30:25", "Bob", 2);
//! assert_eq!(line, "[14:30:25] * Bob joined the chat (2 online)");
//! ```
//!
//! `t()` reads "the text": short, because every line a person sees goes
//! through it, and the method name still says which sentence it is.
//!
//! # Choosing the language
//!
//! Once, before anything is printed: `--lang zh|en` on either program's
//! command line, else the locale (`LC_ALL`, then `LC_MESSAGES`, then `LANG`,
//! the first one set; a value starting with `zh`, such as `zh_CN.UTF-8`,
//! means Chinese). Both binaries call [`choose`]; until then, and in unit
//! tests, the language is English. A choice cannot change later: a log that
//! switches language halfway through helps nobody.
//!
//! # What else lives here
//!
//! The `Display` impls of the error types a person sees (bad names, bad
//! command lines, broken frames, refused files, …) are here too, at the
//! bottom of this file: each asks the chosen language for its words, so
//! `error.to_string()` is already in that language, and no other module
//! keeps wording of its own. What kind of value a reader wanted
//! ([`Expected`]) is named in the same way.
//!
//! Every word a peer chose (a name, a chat text, a file name, the reason in
//! an `ERROR`) goes through [`terminal`]'s rule inside the method that puts
//! it in a sentence, so no caller can forget it: a chat text through
//! [`for_terminal`], everything else through [`one_line`]. A test walks
//! every method of [`Text`], in both languages, with hostile arguments
//! (`text/catalogue_tests.rs`), and fails when a method is missing from its
//! walk.

pub mod en;
pub mod terminal;
pub mod zh;

#[cfg(test)]
mod catalogue_tests;

use std::fmt;
use std::io;
use std::path::Path;
use std::sync::OnceLock;

use crate::base64;
use crate::cli::ArgError;
use crate::command::PathError;
use crate::crypto::scram::ScramError;
use crate::filetypes::{ExtListError, Refused};
use crate::frame::FrameError;
use crate::json::{ErrorKind, ParseError};
use crate::message::{AdminAction, DecodeError, LeaveReason, Role};
use crate::names::NameError;
use crate::server::ServeError;
use crate::server::accounts::{AccountError, LoadError, SecretError, VerifierError};
use crate::server::admin::AdminError;
use crate::server::history::{HistoryError, OpenReport, Problem, Progress, RoomRecovery};
use crate::server::mutes::MuteError;
use crate::transfer::{OpenError, TransferError};
use crate::transport::http::{HttpError, Malformed, Upgrade};
use crate::transport::websocket::WsError;
#[cfg(doc)]
use terminal::for_terminal;
use terminal::one_line;

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

// ---------------------------------------------------------------------------
// The languages, and the choice of one
// ---------------------------------------------------------------------------

/// A language the programs speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Zh,
}

impl Lang {
    /// The value of `--lang`: `en` or `zh`.
    pub fn from_code(code: &str) -> Option<Lang> {
        match code {
            "en" => Some(Lang::En),
            "zh" => Some(Lang::Zh),
            _ => None,
        }
    }

    /// The language a locale asks for, reading the variables through `var`
    /// (the environment, or a test's table). As POSIX orders them: the
    /// first of `LC_ALL`, `LC_MESSAGES` and `LANG` that is set and not
    /// empty decides; `zh…` (`zh_CN.UTF-8`, `zh_TW`) is Chinese, anything
    /// else (`C`, `en_GB.UTF-8`, nothing at all) English.
    pub fn from_locale(var: impl Fn(&str) -> Option<String>) -> Lang {
        let chosen = ["LC_ALL", "LC_MESSAGES", "LANG"]
            .into_iter()
            .filter_map(var)
            .find(|value| !value.is_empty());
        match chosen {
            Some(value) if value.starts_with("zh") => Lang::Zh,
            _ => Lang::En,
        }
    }

    /// The language of this process's locale.
    pub fn from_env() -> Lang {
        Lang::from_locale(|name| std::env::var(name).ok())
    }

    /// This language's sentences.
    pub fn text(self) -> &'static dyn Text {
        match self {
            Lang::En => &en::En,
            Lang::Zh => &zh::Zh,
        }
    }
}

/// The language chosen at start-up; unset until [`choose`] runs.
static CHOSEN: OnceLock<Lang> = OnceLock::new();

/// Chooses the language for the rest of the process from a program's
/// command line (`--lang zh`, `--lang=en`) or, without a valid one, from
/// the locale; returns it. Only the first call chooses: later ones return
/// the language already in force. A bad `--lang` value is not reported
/// here but by the command-line parser, in the locale's language.
pub fn choose(args: &[String]) -> Lang {
    let lang = lang_in_args(args).unwrap_or_else(Lang::from_env);
    *CHOSEN.get_or_init(|| lang)
}

/// The language `--lang` names on a command line, if it names one.
fn lang_in_args(args: &[String]) -> Option<Lang> {
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let value = match arg.strip_prefix("--lang") {
            Some("") => args.next().map(String::as_str),
            Some(inline) => match inline.strip_prefix('=') {
                Some(value) => Some(value),
                None => continue, // `--language`: some other flag
            },
            None => continue,
        };
        return value.and_then(Lang::from_code);
    }
    None
}

/// The language in force: the one chosen, or English before any choice.
pub fn lang() -> Lang {
    CHOSEN.get().copied().unwrap_or(Lang::En)
}

/// The text in the language in force: `text::t().sentence(...)`.
pub fn t() -> &'static dyn Text {
    lang().text()
}

// ---------------------------------------------------------------------------
// The sentences
// ---------------------------------------------------------------------------

/// Where a message or a file goes, for the sentences that say so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// Everyone online, in every room.
    Everyone,
    /// One user.
    User(String),
    /// The members of one room.
    Room(String),
}

/// What kind of value a reader wanted where it found something else: on a
/// command line (`--port` must be *a port number*), in a message (`size`
/// must be *a whole number*), in an accounts file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    /// A port number from 0 to 65535.
    Port,
    /// A whole number above 0.
    Positive,
    /// A smaller number (one that fits in this machine's memory sizes).
    Smaller,
    /// A file chunk size, 1 to [`crate::transfer::MAX_CHUNK_SIZE`] bytes.
    ChunkSize,
    /// `--trace` alone, or `--trace=hex`.
    TraceMode,
    /// `en` or `zh`.
    Lang,
    /// A whole number, 0 or more (a count).
    Count,
    /// Nothing: a switch such as `--no-history` takes no value.
    NoValue,
    /// A JSON string.
    String,
    /// A JSON object.
    Object,
    /// A whole number (no fraction, no sign).
    WholeNumber,
    /// A whole number of at least 0.
    NonNegative,
    /// `true` or `false`.
    Bool,
    /// A JSON list of strings.
    StringList,
    /// A JSON list of `{"name", "members"}` objects (`ROOM_LIST`).
    RoomList,
    /// A JSON object with `"allow"` and `"deny"` lists (a welcome's
    /// `file_types`).
    FileTypes,
    /// PBKDF2 iterations, from the least to the most a verifier may have.
    Iterations,
    /// A frame limit no higher than
    /// [`crate::transport::sniff::MAX_FRAME_CAP`], and why.
    FrameCap,
}

/// Every sentence, one method each. See the module documentation for how
/// to choose a language and how to add a sentence (add the method here,
/// then to `en.rs`, `zh.rs` and the walk in `catalogue_tests.rs`; the
/// compiler and that test point at whatever is missing).
///
/// Arguments that a peer chose are escaped inside each method; values of
/// our own (times, counts, our addresses) are put in as they are.
pub trait Text: Sync {
    // --- Words used inside sentences -------------------------------------

    /// A byte count the way people read it: "1.5 MiB".
    fn bytes(&self, n: u64) -> String;
    /// An operating-system error (a refused connection, a missing file).
    fn io_error(&self, error: &io::Error) -> String;
    /// What kind of value was wanted, as in "must be {a whole number}".
    fn expected(&self, what: Expected) -> String;

    // --- Errors a person sees (their `Display`) ----------------------------

    fn name_error(&self, error: &NameError) -> String;
    fn arg_error(&self, error: &ArgError) -> String;
    fn path_error(&self, error: &PathError) -> String;
    fn open_error(&self, error: &OpenError) -> String;
    fn transfer_error(&self, error: &TransferError) -> String;
    fn frame_error(&self, error: &FrameError) -> String;
    fn decode_error(&self, error: &DecodeError) -> String;
    fn json_error(&self, error: &ParseError) -> String;
    fn json_error_kind(&self, kind: &ErrorKind) -> String;
    fn base64_error(&self, error: &base64::DecodeError) -> String;
    fn ws_error(&self, error: &WsError) -> String;
    fn http_error(&self, error: &HttpError) -> String;
    fn http_malformed(&self, problem: Malformed) -> String;
    fn http_upgrade(&self, problem: Upgrade) -> String;
    fn scram_error(&self, error: &ScramError) -> String;
    fn verifier_error(&self, error: &VerifierError) -> String;
    fn account_error(&self, error: &AccountError) -> String;
    fn accounts_load_error(&self, error: &LoadError) -> String;
    fn mute_error(&self, error: &MuteError) -> String;
    fn ext_list_error(&self, error: &ExtListError) -> String;
    fn file_refused(&self, refused: &Refused) -> String;
    fn history_error(&self, error: &HistoryError) -> String;
    fn history_problem(&self, problem: &Problem) -> String;
    fn history_recovery(&self, room: &RoomRecovery) -> String;
    fn secret_error(&self, error: &SecretError) -> String;
    fn serve_error(&self, error: &ServeError) -> String;
    fn admin_error(&self, error: &AdminError) -> String;

    // --- Both programs' command lines --------------------------------------

    /// A bad command line: the problem, and where to look.
    fn bad_arguments(&self, program: &str, error: &ArgError) -> String;
    fn version(&self, program: &str) -> String;

    // --- Server: command line, console, log --------------------------------

    fn server_usage(&self) -> String;
    /// The first line the server prints; tests and scripts wait for it,
    /// and read the port after the last colon.
    fn listening(&self, addr: &str) -> String;
    /// The start-up line for people with a browser: where the chat page is.
    /// `url` is the server's own address; `other_machines` says the server
    /// listens on every interface, so other machines reach it by this
    /// one's address.
    fn browser_hint(&self, url: &str, other_machines: bool) -> String;
    fn console_help(&self) -> String;
    fn cannot_listen(&self, addr: &str, error: &io::Error) -> String;
    fn cannot_start(&self, error: &HistoryError) -> String;
    /// The server could not start serving (after it bound its port).
    fn cannot_serve(&self, addr: &str, error: &ServeError) -> String;
    fn log_joined(&self, name: &str, addr: &str, online: usize) -> String;
    fn log_left(&self, name: &str, reason: LeaveReason) -> String;
    fn log_public(&self, sender: &str, room: &str, text: &str) -> String;
    fn log_entered_room(&self, name: &str, room: &str) -> String;
    fn log_bad_room(&self, who: &str, room: &str, why: &str) -> String;
    fn log_room_limit(&self, who: &str, room: &str, max: usize) -> String;
    fn log_private(&self, sender: &str, to: &str, text: &str) -> String;
    /// A refused name: `why` is the refusal's own sentence.
    fn log_refused_name(&self, addr: &str, name: &str, why: &str) -> String;
    /// A refused name that someone online has already.
    fn log_name_taken(&self, addr: &str, name: &str) -> String;
    fn log_bad_input(&self, who: &str, error: &dyn fmt::Display) -> String;
    /// What a `bad input` line says of a message sent before joining.
    fn log_before_join(&self, kind: &str) -> String;
    /// What a `bad input` line says of a `USER_JOIN` from a member.
    fn log_second_join(&self) -> String;
    /// What a `bad input` line says of an `ERROR` a client sent us.
    fn log_client_error(&self, text: &str, code: &str) -> String;
    fn log_server_full(&self, addr: &str, max: usize) -> String;
    /// One HTTP request answered: who, what it asked (when it could be
    /// read), the status, and why when it was refused.
    fn log_http(
        &self,
        addr: &str,
        request: Option<(&str, &str)>,
        status: u16,
        why: Option<&dyn fmt::Display>,
    ) -> String;
    fn log_join_timeout(&self, addr: &str, seconds: u64) -> String;
    fn log_session_panicked(&self, addr: &str) -> String;
    fn log_setup_failed(&self, addr: &str, error: &io::Error) -> String;
    fn log_accept_failed(&self, error: &io::Error) -> String;
    fn log_file_offer(&self, sender: &str, name: &str, size: u64, to: &Audience) -> String;
    fn log_file_saved(&self, sender: &str, path: &Path, size: u64) -> String;
    fn log_file_aborted(&self, sender: &str, name: &str, why: &str) -> String;
    fn console_file_sent(&self, name: &str, size: u64, to: &Audience, seconds: f64) -> String;
    fn console_file_failed(&self, path: &str, why: &dyn fmt::Display) -> String;
    fn console_file_started(&self, name: &str, size: u64, to: &Audience) -> String;
    fn shutting_down(&self) -> String;
    fn stopped(&self) -> String;
    fn console_not_a_command(&self) -> String;
    fn unknown_command(&self, name: &str) -> String;
    fn usage_msg(&self) -> String;
    fn usage_send(&self) -> String;
    fn usage_console_send(&self) -> String;
    fn usage_user(&self) -> String;
    fn usage_kick(&self) -> String;
    fn kicked(&self, name: &str) -> String;
    fn no_such_user(&self, name: &str) -> String;
    fn sent_to_everyone(&self, count: usize) -> String;
    fn sent_to(&self, name: &str) -> String;
    fn sent_to_room(&self, room: &str, members: usize, seq: u64) -> String;
    fn no_such_room(&self, room: &str) -> String;
    fn stopping(&self) -> String;
    fn rooms_header(&self, rooms: usize) -> String;
    fn rooms_row(&self, room: &str, members: &[String]) -> String;
    fn list_empty(&self) -> String;
    fn list_header(&self, count: usize) -> String;
    fn list_row(&self, number: usize, name: &str, addr: &str, room: &str) -> String;
    fn user_details(&self, name: &str, ip: &str, port: u16, since: &str, messages: u64) -> String;

    // --- Server: history ----------------------------------------------------

    fn history_opened(&self, report: &OpenReport) -> String;
    fn history_closed(&self, progress: &Progress) -> String;
    fn history_removed_temp(&self, names: &[String]) -> String;
    fn history_ignored(&self, names: &[String]) -> String;

    // --- Server → client ERROR texts ----------------------------------------
    //
    // The server writes these in its own language; a client that knows the
    // code says it again in its language, from the code and the metadata
    // (`client::display::error_report`), calling the same methods.

    fn error_name_invalid(&self, name: &str, why: &NameError) -> String;
    /// `name_invalid` for a name the client's own rules accept (a server
    /// with other rules): the client cannot say why.
    fn error_name_refused(&self, name: &str) -> String;
    fn error_name_taken(&self, name: &str) -> String;
    fn error_unknown_user(&self, name: &str) -> String;
    fn error_room_invalid(&self, room: &str, why: &NameError) -> String;
    fn error_room_limit(&self, room: &str, max: usize) -> String;
    fn error_text_too_long(&self, len: u64, max: u64) -> String;
    /// `text_too_long` from a server that did not say the sizes.
    fn error_text_too_long_unsized(&self) -> String;
    fn error_join_first(&self) -> String;
    fn error_already_joined(&self) -> String;
    fn error_bad_frame(&self, detail: &dyn fmt::Display) -> String;
    fn error_bad_message(&self, detail: &dyn fmt::Display) -> String;
    /// `bad_utf8`, `bad_json`, `bad_message` as a client reads them: the
    /// server could not use something this client sent.
    fn error_not_understood(&self) -> String;
    fn error_frame_too_large(&self, limit: Option<u64>) -> String;
    fn error_server_full(&self) -> String;
    /// To a user an admin removed; `by` is `server` for the console.
    fn error_kicked(&self, by: &str) -> String;
    fn error_join_timeout(&self, seconds: u64) -> String;
    fn error_server_shutdown(&self) -> String;
    fn error_file_too_large(&self, size: u64, max: u64) -> String;
    /// `file_too_large` from a server that did not say the sizes.
    fn error_file_too_large_unsized(&self) -> String;
    fn error_unknown_transfer(&self, id: &str) -> String;
    fn error_duplicate_transfer(&self, id: &str) -> String;
    fn error_too_many_transfers(&self, max: usize) -> String;
    fn error_transfer_failed(&self, name: &str, why: &dyn fmt::Display) -> String;
    fn error_sender_left(&self, name: &str, sender: &str) -> String;
    fn error_server_storage(&self, name: &str, error: &io::Error) -> String;
    /// `transfer_aborted` with no reason a client knows.
    fn error_transfer_aborted(&self) -> String;
    /// `weak_verifier`, as a client says it: the server would not keep the
    /// verifier its password made (the server's sentence says which bound).
    fn error_weak_verifier(&self) -> String;
    /// `transfer_aborted` because the data did not check out, as a client
    /// says it (the server's sentence has the details).
    fn error_transfer_damaged(&self) -> String;
    /// `transfer_aborted` because the server could not keep its copy, as a
    /// client says it.
    fn error_server_cannot_store(&self) -> String;

    // --- Client: command line, screen ----------------------------------------

    fn client_usage(&self) -> String;
    fn client_help(&self) -> String;
    /// The commands `/help` adds for an admin.
    fn client_admin_help(&self) -> String;
    /// What `/help` adds while the client edits the line itself (on a
    /// terminal, [`crate::client::editor`]).
    fn editor_help(&self) -> String;
    /// The prompt in front of the line being typed.
    fn input_prompt(&self) -> String;
    /// The prompt while editing: the room the user is in, then
    /// [`input_prompt`] (`#python> `).
    fn room_prompt(&self, room: &str) -> String;
    /// A command the user typed, left on screen above what it printed, as a
    /// shell leaves it, after the prompt it was typed at (`room`'s). A chat
    /// line is replaced by its confirmation instead.
    fn typed_command(&self, room: &str, line: &str) -> String;
    fn name_prompt(&self) -> String;
    fn cannot_connect(&self, addr: &str, error: &io::Error) -> String;
    fn name_refused(&self, reason: &str) -> String;
    fn connected(&self, addr: &str, name: &str) -> String;
    fn online_list(&self, names: &[String]) -> String;
    fn chat_line(&self, time: &str, sender: &str, text: &str) -> String;
    /// A message replayed from the room's history: said before, marked so.
    fn earlier_line(&self, time: &str, sender: &str, text: &str) -> String;
    /// The end of a replay of `count` messages of `room`.
    fn history_end(&self, room: &str, count: u64) -> String;
    /// Where the user is now, with who is there: after joining the server,
    /// entering a room, or `/who`.
    fn in_room(&self, room: &str, members: &[String]) -> String;
    /// Where the user is when the members are not known yet (the welcome
    /// names everyone online, not the lobby's members).
    fn in_room_alone(&self, room: &str) -> String;
    fn room_entered_line(&self, time: &str, user: &str, room: &str, members: u64) -> String;
    fn room_left_line(&self, time: &str, user: &str, room: &str, members: u64) -> String;
    fn rooms_list(&self, rooms: &[(String, u64)]) -> String;
    fn usage_join(&self) -> String;
    fn usage_history(&self) -> String;
    fn room_refused(&self, room: &str, why: &NameError) -> String;
    fn private_line(&self, time: &str, sender: &str, text: &str) -> String;
    /// The confirmation of a private message the user sent: what they
    /// said, and to whom.
    fn own_private_line(&self, time: &str, to: &str, text: &str) -> String;
    fn joined_line(&self, time: &str, name: &str, online: u64) -> String;
    fn left_line(&self, time: &str, name: &str, reason: LeaveReason, online: u64) -> String;
    /// An error shown while chatting; `text` is already a sentence (ours,
    /// or the server's for a code we do not know), escaped here.
    fn error_line(&self, text: &str) -> String;
    fn server_closed(&self) -> String;
    fn connection_lost(&self) -> String;
    fn goodbye(&self) -> String;
    fn client_unknown_command(&self, name: &str) -> String;
    fn usage_client_msg(&self) -> String;
    fn bad_path(&self, error: &PathError) -> String;
    fn cannot_send_file(&self, path: &str, why: &dyn fmt::Display) -> String;
    fn file_too_large_locally(&self, path: &str, size: u64, max: u64) -> String;
    fn sending_file(&self, name: &str, size: u64, to: Option<&str>) -> String;
    fn sending_progress(&self, name: &str, percent: f64) -> String;
    fn file_sent(&self, name: &str, size: u64, seconds: f64, sha256: &str) -> String;
    fn file_send_stopped(&self, name: &str, why: &str) -> String;
    fn incoming_file(&self, sender: &str, name: &str, size: u64) -> String;
    fn receiving_progress(&self, name: &str, sender: &str, percent: f64) -> String;
    fn file_received(
        &self,
        name: &str,
        sender: &str,
        size: u64,
        seconds: f64,
        path: &Path,
        sha256: &str,
    ) -> String;
    fn file_not_received(&self, name: &str, sender: &str, why: &dyn fmt::Display) -> String;
    fn cannot_save_file(&self, name: &str, error: &io::Error) -> String;

    // --- Accounts, logins, admins and file types (contract §10–§12) -----
    //
    // Names here come from peers (a SCRAM user name, a REGISTER, an admin's
    // target), so each goes through `one_line`, like every other name.

    fn log_new_secret(&self, path: &Path) -> String;
    fn log_accounts_loaded(&self, count: usize, path: &Path) -> String;
    /// A name that breaks the name rules, as the log shows it.
    fn not_a_name(&self, name: &str, why: &NameError) -> String;
    fn log_auth_mechanism(&self, mechanism: &str) -> String;
    fn log_auth_after_join(&self) -> String;
    fn log_logged_in(&self, name: &str, addr: &str, role: &str) -> String;
    fn log_login_failed(&self, name: &str, addr: &str) -> String;
    fn log_login_now_locked(&self, name: &str, addr: &str, seconds: u64) -> String;
    fn log_login_locked(&self, name: &str, addr: &str, seconds: u64) -> String;
    fn log_auth_required(&self, name: &str, addr: &str) -> String;
    fn log_registered(&self, name: &str, addr: &str) -> String;
    fn log_password_changed(&self, name: &str, addr: &str) -> String;
    fn log_register_refused(&self, name: &str, addr: &str, why: &AccountError) -> String;
    fn log_registrations_limited(&self, addr: &str, seconds: u64) -> String;
    fn log_admin_kicked(&self, by: &str, name: &str) -> String;
    fn log_admin_muted(&self, by: &str, name: &str, seconds: u64, ends: &str) -> String;
    fn log_admin_unmuted(&self, by: &str, name: &str) -> String;
    fn log_admin_role(&self, by: &str, name: &str, before: &str, after: &str) -> String;
    fn log_admin_deleted(&self, by: &str, name: &str) -> String;
    fn log_admin_forbidden(&self, name: &str, action: &str, target: &str) -> String;
    fn log_file_type_refused(&self, sender: &str, name: &str, why: &Refused) -> String;
    fn usage_mute(&self) -> String;
    fn usage_unmute(&self) -> String;
    fn usage_role(&self) -> String;
    fn usage_deluser(&self) -> String;
    fn accounts_empty(&self) -> String;
    fn accounts_header(&self, count: usize) -> String;
    fn accounts_row(&self, number: usize, name: &str, role: &str, online: bool) -> String;
    fn console_muted(&self, name: &str, seconds: u64, ends: &str) -> String;
    fn console_unmuted(&self, name: &str) -> String;
    fn console_role(&self, name: &str, before: &str, after: &str) -> String;
    fn console_deleted(&self, name: &str) -> String;
    fn console_admin_failed(&self, why: &AdminError) -> String;
    fn error_auth_required(&self, name: &str) -> String;
    /// For `--members-only`, whether the name is registered or not: the answer
    /// must not say which.
    fn error_members_only(&self, name: &str) -> String;
    fn error_auth_mechanism(&self, mechanism: &str) -> String;
    fn error_scram(&self, error: &ScramError) -> String;
    fn error_auth_failed(&self) -> String;
    fn error_auth_locked(&self, seconds: u64) -> String;
    fn error_auth_after_join(&self) -> String;
    fn error_verifier(&self, why: &VerifierError) -> String;
    fn error_register_own_name(&self, name: &str) -> String;
    fn error_register_refused(&self, name: &str, why: &AccountError) -> String;
    fn error_registrations_limited(&self, seconds: u64) -> String;
    fn error_forbidden(&self, action: &str) -> String;
    fn error_admin(&self, why: &AdminError) -> String;
    fn error_account_deleted(&self, by: &str) -> String;
    /// `until` is the local time the mute ends.
    fn error_muted(&self, until: &str) -> String;
    fn error_file_type_refused(&self, name: &str, why: &Refused) -> String;
    fn password_prompt(&self, name: &str) -> String;
    fn new_password_prompt(&self, name: &str) -> String;
    fn repeat_password_prompt(&self) -> String;
    fn passwords_differ(&self) -> String;
    fn password_empty(&self) -> String;
    fn password_cancelled(&self) -> String;
    fn login_cancelled(&self) -> String;
    fn logged_in(&self, name: &str, role: Role) -> String;
    fn wrong_password(&self) -> String;
    /// The server's signature was wrong: it is not the server the account was
    /// registered with, or someone in between answered for it.
    fn server_failed_proof(&self, addr: &str) -> String;
    /// A server whose login messages this client refuses (too few iterations,
    /// a malformed challenge).
    fn login_refused(&self, why: &ScramError) -> String;
    fn computing_verifier(&self, iterations: u32) -> String;
    fn registered(&self, name: &str) -> String;
    fn password_changed(&self, name: &str) -> String;
    fn register_logged_in(&self) -> String;
    fn passwd_guest(&self) -> String;
    fn usage_client_admin(&self, command: &str) -> String;
    /// What an admin sees when the server confirms an action.
    fn admin_done(&self, action: AdminAction, target: &str) -> String;
    /// What a user sees when an admin acted on it; `until` is the local time a
    /// mute ends.
    fn admin_notice(&self, action: AdminAction, by: &str, until: Option<&str>) -> String;
    fn file_type_refused_locally(&self, path: &str, why: &Refused) -> String;
}

// ---------------------------------------------------------------------------
// Helpers both languages use
// ---------------------------------------------------------------------------

/// `n` bytes in binary units, "1.5 MiB", or `None` below 1 KiB, where each
/// language says "bytes" in its own word.
fn scaled_bytes(n: u64) -> Option<String> {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return None;
    }
    let mut value = n as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    Some(format!("{value:.1} {}", UNITS[unit]))
}

/// "2.3 MiB/s" for `n` bytes in `seconds` (the units of [`Text::bytes`]).
fn rate(n: u64, seconds: f64) -> String {
    if seconds <= 0.0 {
        return "-".to_string();
    }
    format!("{:.1} MiB/s", n as f64 / seconds / (1024.0 * 1024.0))
}

/// A room's name as people type it, in both languages: `#python`.
fn room_tag(room: &str) -> String {
    format!("#{}", one_line(room))
}

/// Peers' names, each escaped, joined with commas: `Alice, Bob`.
fn names_joined(names: &[String]) -> String {
    let names: Vec<_> = names.iter().map(|n| one_line(n)).collect();
    names.join(", ")
}

/// Rooms with how many are in each: `#lobby (2), #python (1)`.
fn rooms_joined(rooms: &[(String, u64)]) -> String {
    let rooms: Vec<String> = rooms
        .iter()
        .map(|(room, members)| format!("{} ({members})", room_tag(room)))
        .collect();
    rooms.join(", ")
}

/// What an HTTP request asked, for the log: ` "GET /ws"`, or nothing when
/// its head could not be read.
fn http_asked(request: Option<(&str, &str)>) -> String {
    match request {
        Some((method, target)) => format!(" \"{} {}\"", one_line(method), one_line(target)),
        None => String::new(),
    }
}

/// An error or reason that may quote a peer's words, on one line.
fn escaped(why: &dyn fmt::Display) -> String {
    one_line(&why.to_string()).into_owned()
}

/// `U+202E`: how a character is named when showing it could do harm.
fn code_point(c: char) -> String {
    format!("U+{:04X}", c as u32)
}

// ---------------------------------------------------------------------------
// The errors a person sees speak the chosen language
// ---------------------------------------------------------------------------

/// `Display` for each error type through its [`Text`] method, so that
/// `error.to_string()` and `{error}` are in the language in force.
macro_rules! worded {
    ($($error:ty => $method:ident,)*) => {$(
        impl fmt::Display for $error {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&t().$method(self))
            }
        }
    )*};
}

worded! {
    NameError => name_error,
    ArgError => arg_error,
    PathError => path_error,
    OpenError => open_error,
    TransferError => transfer_error,
    FrameError => frame_error,
    DecodeError => decode_error,
    ParseError => json_error,
    ErrorKind => json_error_kind,
    base64::DecodeError => base64_error,
    WsError => ws_error,
    HttpError => http_error,
    ScramError => scram_error,
    VerifierError => verifier_error,
    AccountError => account_error,
    LoadError => accounts_load_error,
    MuteError => mute_error,
    ExtListError => ext_list_error,
    Refused => file_refused,
    HistoryError => history_error,
    Problem => history_problem,
    RoomRecovery => history_recovery,
    SecretError => secret_error,
    ServeError => serve_error,
    AdminError => admin_error,
}

// The error types whose words were always here; the others say they are
// errors beside their definitions.
impl std::error::Error for NameError {}
impl std::error::Error for ArgError {}
impl std::error::Error for PathError {}
impl std::error::Error for OpenError {}
impl std::error::Error for TransferError {}
impl std::error::Error for VerifierError {}
impl std::error::Error for AccountError {}
impl std::error::Error for LoadError {}
impl std::error::Error for MuteError {}
impl std::error::Error for ExtListError {}
impl std::error::Error for Refused {}
impl std::error::Error for SecretError {}
impl std::error::Error for ServeError {}
impl std::error::Error for AdminError {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn locale(vars: &[(&str, &str)]) -> Lang {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Lang::from_locale(|name| vars.get(name).cloned())
    }

    #[test]
    fn the_locale_chooses_lc_all_then_lc_messages_then_lang() {
        assert_eq!(locale(&[]), Lang::En);
        assert_eq!(locale(&[("LANG", "zh_CN.UTF-8")]), Lang::Zh);
        assert_eq!(locale(&[("LANG", "zh_TW")]), Lang::Zh);
        assert_eq!(locale(&[("LANG", "en_US.UTF-8")]), Lang::En);
        assert_eq!(locale(&[("LANG", "C")]), Lang::En);
        assert_eq!(
            locale(&[("LC_MESSAGES", "zh_CN.UTF-8"), ("LANG", "en_US.UTF-8")]),
            Lang::Zh
        );
        assert_eq!(
            locale(&[("LC_ALL", "C"), ("LC_MESSAGES", "zh_CN.UTF-8")]),
            Lang::En
        );
        assert_eq!(
            locale(&[("LC_ALL", "zh_CN.UTF-8"), ("LANG", "en_US.UTF-8")]),
            Lang::Zh
        );
        // Set but empty counts as not set, as POSIX says.
        assert_eq!(locale(&[("LC_ALL", ""), ("LANG", "zh_CN.UTF-8")]), Lang::Zh);
    }

    #[test]
    fn lang_on_the_command_line_wins_in_both_spellings() {
        let args = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(lang_in_args(&args(&["--lang", "zh"])), Some(Lang::Zh));
        assert_eq!(
            lang_in_args(&args(&["9999", "--lang=en", "x"])),
            Some(Lang::En)
        );
        assert_eq!(lang_in_args(&args(&["--lang", "fr"])), None);
        assert_eq!(lang_in_args(&args(&["--lang"])), None);
        assert_eq!(lang_in_args(&args(&["--language", "zh"])), None);
        assert_eq!(lang_in_args(&args(&["--port", "1"])), None);
    }
}
