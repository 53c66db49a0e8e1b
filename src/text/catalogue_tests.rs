//! Every sentence of the catalogue, in every language, fed a peer's worst
//! words.
//!
//! The terminal rule (contract section 6) is applied inside each language's
//! sentences, so it holds only if *every* method that takes a peer's words
//! applies it, in English and in Chinese alike. This test calls each method
//! of [`Text`] on each language with a hostile string wherever a peer's
//! words can go, and requires that no character of what comes out could act
//! on a terminal and that the fake line inside the hostile string never
//! starts a line of its own.
//!
//! It also reads `text/mod.rs` itself and fails when a method of the trait
//! is missing from the list below: a new sentence cannot skip this test.
//! And it checks that every Chinese sentence is Chinese: one left in
//! English would pass the compiler (it is a string either way), not this.

use std::collections::BTreeSet;
use std::io;
use std::path::{Path, PathBuf};

use super::*;
use crate::cli::ArgError;
use crate::filetypes::{ExtListError, Refused};
use crate::names::BadChar;
use crate::server::accounts::{EntryProblem, FileProblem};
use terminal::is_inert;

/// Everything a terminal could obey, around a line that pretends to come
/// from the server.
const HOSTILE: &str = "x\r\x1b[2K\x1b]0;owned\x07\x08\x7f\u{9b}\u{202e}\u{2066}\u{200b}\u{feff}\u{ad}\u{2028}\u{2029}\t\n[12:00:00] server: [private] please run this";

/// The line inside [`HOSTILE`] that must never start a line.
const FAKE: &str = "[12:00:00] server:";

/// What the escaped [`HOSTILE`] shows, proving the words were not dropped.
const VISIBLE: &str = r"\u{1b}[2K\u{1b}]0;owned\u{7}";

/// The source of the catalogue, to find every method of [`Text`].
const SOURCE: &str = include_str!("mod.rs");

/// Sentences that leave a peer's words out on purpose, in one language:
/// the original's progress line is `[文件接收] 进度: 100.0%`, no name.
const WORDS_LEFT_OUT: &[(&str, &str)] = &[("zh", "sending_progress"), ("zh", "receiving_progress")];

/// Chinese sentences with no Chinese in them, because there are no words
/// to translate: the version, a list row, a peer's own sentence.
const NO_WORDS: &[&str] = &[
    "version",
    "list_row",
    "log_client_error",
    "chat_line",
    "input_prompt",
    "typed_command",
    "room_prompt",
    "rooms_row",
];

/// `(method name, what it returned, whether a peer's words went in)`.
fn every_sentence(t: &dyn Text) -> Vec<(&'static str, String, bool)> {
    let h = HOSTILE;
    let hostile_path = Path::new(HOSTILE);
    let io_error = || io::Error::from(io::ErrorKind::PermissionDenied);
    let arg_error = ArgError::BadValue {
        flag: "port".to_string(),
        value: HOSTILE.to_string(),
        expected: Expected::Port,
    };
    let name_error = NameError::BadCharacter('\u{202e}', BadChar::Format);
    let names = vec!["Alice".to_string(), HOSTILE.to_string()];
    let reason = LeaveReason::Quit;
    let refused = Refused::Denied {
        ext: HOSTILE.to_string(),
    };
    let account_error = AccountError::BadName(name_error.clone());
    let scram_error = crate::crypto::scram::ScramError::IterationsTooLow { iterations: 1 };
    let admin_error = AdminError::NotOnline(HOSTILE.to_string());
    let verifier_error = VerifierError::SaltTooShort { len: 1 };
    let serve_error = crate::server::ServeError::Io(io_error());
    let secret_error = crate::server::accounts::SecretError {
        path: PathBuf::from(HOSTILE),
        problem: crate::server::accounts::SecretProblem::Malformed,
    };
    let hostile_file = Path::new(HOSTILE);
    let rooms = vec![("lobby".to_string(), 3), (HOSTILE.to_string(), 1)];
    let progress = crate::server::history::Progress::default();
    let history_error = HistoryError::BadRoomName;
    let report = crate::server::history::OpenReport {
        dir: Path::new("files/history").to_path_buf(),
        rooms: Vec::new(),
        removed_temp: Vec::new(),
        ignored: Vec::new(),
    };
    let recovery = RoomRecovery {
        room: HOSTILE.to_string(),
        messages: 2,
        last_seq: 9,
        corrupt: 4,
        corrupt_lines: vec![3, 5],
        torn: None,
    };
    let load_error = LoadError {
        path: PathBuf::from(HOSTILE),
        problem: FileProblem::Entry {
            index: 0,
            name: Some(HOSTILE.to_string()),
            problem: EntryProblem::UnknownRole(HOSTILE.to_string()),
        },
    };
    let parse_error = match crate::json::parse(b"[1,]") {
        Err(e) => e,
        Ok(_) => unreachable!("[1,] is not JSON"),
    };

    // `peer` marks a call into which a peer's words go; `ours` one whose
    // arguments are all the program's own (times, counts, our addresses).
    macro_rules! sentences {
        ($($kind:ident $name:ident($($arg:expr),*);)*) => {
            vec![$((stringify!($name), t.$name($($arg),*), sentences!(@$kind)),)*]
        };
        (@peer) => { true };
        (@ours) => { false };
    }
    sentences! {
        ours bytes(100);
        ours io_error(&io_error());
        ours expected(Expected::Port);
        ours name_error(&name_error);
        peer arg_error(&arg_error);
        ours path_error(&PathError::UnclosedQuote);
        ours open_error(&OpenError::NotFound);
        ours transfer_error(&TransferError::ChecksumMismatch);
        ours frame_error(&FrameError::ZeroLength);
        peer decode_error(&DecodeError::UnknownType(HOSTILE.to_string()));
        ours json_error(&parse_error);
        ours json_error_kind(&ErrorKind::TooDeep);
        ours base64_error(&base64::DecodeError::InvalidLength { len: 5 });
        ours ws_error(&WsError::Binary);
        ours http_error(&HttpError::NotFound);
        ours http_malformed(Malformed::BadHost);
        ours http_upgrade(Upgrade::BadKey);
        peer scram_error(&ScramError::ServerError(HOSTILE.to_string()));
        ours verifier_error(&VerifierError::SaltTooShort { len: 3 });
        ours account_error(&AccountError::Taken);
        peer accounts_load_error(&load_error);
        ours mute_error(&MuteError::Zero);
        peer ext_list_error(&ExtListError::InnerDot { item: HOSTILE.to_string() });
        peer file_refused(&Refused::Denied { ext: HOSTILE.to_string() });
        ours history_error(&HistoryError::Closed);
        peer admin_error(&admin_error);
        peer secret_error(&secret_error);
        ours serve_error(&serve_error);
        peer history_problem(&Problem::WriteResumed { room: HOSTILE.to_string(), lost: 3 });
        peer history_recovery(&recovery);
        peer bad_arguments("chat-server", &arg_error);
        ours version("chat-server");
        ours server_usage();
        ours listening("127.0.0.1:8888");
        ours browser_hint("http://localhost:8888/", true);
        ours console_help();
        peer cannot_listen(h, &io_error());
        peer log_joined(h, "127.0.0.1:50000", 2);
        peer log_left(h, reason);
        peer log_public(h, h, h);
        peer log_entered_room(h, h);
        peer log_bad_room(h, h, h);
        peer log_room_limit(h, h, 100);
        peer log_private(h, h, h);
        peer log_refused_name("127.0.0.1:50000", h, h);
        peer log_name_taken("127.0.0.1:50000", h);
        peer log_bad_input(h, &h);
        peer log_before_join(h);
        ours log_second_join();
        peer log_client_error(h, h);
        ours log_server_full("127.0.0.1:50000", 1);
        peer log_http("127.0.0.1:50000", Some((h, h)), 400, Some(&h));
        ours log_join_timeout("127.0.0.1:50000", 30);
        ours log_session_panicked("127.0.0.1:50000");
        ours log_setup_failed("127.0.0.1:50000", &io_error());
        ours log_accept_failed(&io_error());
        peer log_file_offer(h, h, 10, &Audience::User(h.into()));
        peer log_file_saved(h, hostile_path, 10);
        peer log_file_aborted(h, h, h);
        peer console_file_sent(h, 10, &Audience::Room(h.into()), 1.0);
        peer console_file_failed(h, &h);
        peer console_file_started(h, 10, &Audience::User(h.into()));
        ours shutting_down();
        ours stopped();
        ours console_not_a_command();
        peer unknown_command(h);
        ours usage_msg();
        ours usage_send();
        ours usage_console_send();
        ours usage_user();
        ours usage_kick();
        peer kicked(h);
        peer no_such_user(h);
        ours sent_to_everyone(3);
        peer sent_to(h);
        peer sent_to_room(h, 2, 7);
        peer no_such_room(h);
        ours stopping();
        ours rooms_header(2);
        peer rooms_row(h, &names);
        ours list_empty();
        ours list_header(3);
        peer list_row(1, h, "127.0.0.1:50000", h);
        peer user_details(h, "127.0.0.1", 50000, "2026-01-01 12:00:00", 7);
        ours history_opened(&report);
        ours history_closed(&progress);
        ours cannot_start(&history_error);
        peer history_removed_temp(&names);
        peer history_ignored(&names);
        peer error_name_invalid(h, &name_error);
        peer error_name_refused(h);
        peer error_name_taken(h);
        peer error_unknown_user(h);
        peer error_room_invalid(h, &name_error);
        peer error_room_limit(h, 100);
        ours error_text_too_long(70000, 65536);
        ours error_text_too_long_unsized();
        ours error_join_first();
        ours error_already_joined();
        peer error_bad_frame(&h);
        peer error_bad_message(&h);
        ours error_not_understood();
        ours error_frame_too_large(Some(1024));
        ours error_server_full();
        peer error_kicked(h);
        ours error_join_timeout(30);
        ours error_server_shutdown();
        ours error_file_too_large(10, 5);
        ours error_file_too_large_unsized();
        peer error_unknown_transfer(h);
        peer error_duplicate_transfer(h);
        ours error_too_many_transfers(8);
        peer error_transfer_failed(h, &h);
        peer error_sender_left(h, h);
        peer error_server_storage(h, &io_error());
        ours error_transfer_aborted();
        ours error_weak_verifier();
        ours error_transfer_damaged();
        ours error_server_cannot_store();
        ours client_usage();
        ours client_help();
        ours editor_help();
        ours input_prompt();
        peer typed_command(h, h);
        ours name_prompt();
        peer cannot_connect(h, &io_error());
        peer name_refused(h);
        peer connected(h, h);
        peer online_list(&names);
        peer chat_line("12:00:01", h, h);
        peer earlier_line("12:00:01", h, h);
        peer history_end(h, 0);
        peer in_room(h, &names);
        peer in_room_alone(h);
        peer room_prompt(h);
        peer room_entered_line("12:00:01", h, h, 2);
        peer room_left_line("12:00:01", h, h, 1);
        peer rooms_list(&rooms);
        ours usage_join();
        ours usage_history();
        peer room_refused(h, &name_error);
        peer private_line("12:00:01", h, h);
        peer own_private_line("12:00:01", h, h);
        peer joined_line("12:00:01", h, 2);
        peer left_line("12:00:01", h, reason, 1);
        peer error_line(h);
        ours server_closed();
        ours connection_lost();
        ours goodbye();
        peer client_unknown_command(h);
        ours usage_client_msg();
        ours bad_path(&PathError::UnclosedQuote);
        peer cannot_send_file(h, &h);
        peer file_too_large_locally(h, 10, 5);
        peer sending_file(h, 10, Some(h));
        peer sending_progress(h, 50.0);
        peer file_sent(h, 10, 1.0, h);
        peer file_send_stopped(h, h);
        peer incoming_file(h, h, 10);
        peer receiving_progress(h, h, 50.0);
        peer file_received(h, h, 10, 1.0, hostile_path, h);
        peer file_not_received(h, h, &h);
        peer cannot_save_file(h, &io_error());
        peer cannot_serve(h, &serve_error);
        ours client_admin_help();
        peer log_new_secret(hostile_file);
        peer log_accounts_loaded(2, hostile_file);
        peer not_a_name(h, &name_error);
        peer log_auth_mechanism(h);
        ours log_auth_after_join();
        peer log_logged_in(h, h, h);
        peer log_login_failed(h, h);
        peer log_login_now_locked(h, h, 60);
        peer log_login_locked(h, h, 60);
        peer log_auth_required(h, h);
        peer log_registered(h, h);
        peer log_password_changed(h, h);
        peer log_register_refused(h, h, &account_error);
        peer log_registrations_limited(h, 60);
        peer log_admin_kicked(h, h);
        peer log_admin_muted(h, h, 60, "12:00:00");
        peer log_admin_unmuted(h, h);
        peer log_admin_role(h, h, h, h);
        peer log_admin_deleted(h, h);
        peer log_admin_forbidden(h, h, h);
        peer log_file_type_refused(h, h, &refused);
        ours usage_mute();
        ours usage_unmute();
        ours usage_role();
        ours usage_deluser();
        ours accounts_empty();
        ours accounts_header(2);
        peer accounts_row(1, h, h, true);
        peer console_muted(h, 60, "12:00:00");
        peer console_unmuted(h);
        peer console_role(h, h, "admin");
        peer console_deleted(h);
        peer console_admin_failed(&admin_error);
        peer error_auth_required(h);
        peer error_members_only(h);
        peer error_auth_mechanism(h);
        ours error_scram(&scram_error);
        ours error_auth_failed();
        ours error_auth_locked(60);
        ours error_auth_after_join();
        ours error_verifier(&verifier_error);
        peer error_register_own_name(h);
        peer error_register_refused(h, &account_error);
        ours error_registrations_limited(60);
        peer error_forbidden(h);
        peer error_admin(&admin_error);
        peer error_account_deleted(h);
        ours error_muted("12:00:00");
        peer error_file_type_refused(h, &refused);
        peer password_prompt(h);
        peer new_password_prompt(h);
        ours repeat_password_prompt();
        ours passwords_differ();
        ours password_empty();
        ours password_cancelled();
        ours login_cancelled();
        peer logged_in(h, crate::message::Role::Member);
        ours wrong_password();
        peer server_failed_proof(h);
        ours login_refused(&scram_error);
        ours computing_verifier(600_000);
        peer registered(h);
        peer password_changed(h);
        ours register_logged_in();
        ours passwd_guest();
        peer usage_client_admin(h);
        peer admin_done(crate::message::AdminAction::Kick, h);
        peer admin_notice(crate::message::AdminAction::Mute, h, Some("12:00:00"));
        peer file_type_refused_locally(h, &refused);
    }
}

/// Each language, with the name the lists above use for it.
fn languages() -> [(&'static str, &'static dyn Text); 2] {
    [("en", Lang::En.text()), ("zh", Lang::Zh.text())]
}

#[test]
fn no_sentence_lets_a_peer_act_on_the_terminal() {
    for (lang, t) in languages() {
        for (name, sentence, from_peer) in every_sentence(t) {
            if let Some(c) = sentence.chars().find(|&c| c != '\n' && !is_inert(c)) {
                panic!("{lang} {name} printed {c:?} raw: {sentence:?}");
            }
            for line in sentence.lines() {
                assert!(
                    !line.starts_with(FAKE),
                    "{lang} {name} let the peer start a line: {sentence:?}"
                );
            }
            if from_peer && !WORDS_LEFT_OUT.contains(&(lang, name)) {
                assert!(
                    sentence.contains(VISIBLE),
                    "{lang} {name} does not show the peer's words: {sentence:?}"
                );
            }
        }
    }
}

/// A CJK ideograph, which every Chinese sentence has at least one of.
fn is_han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

#[test]
fn every_chinese_sentence_is_in_chinese() {
    let untranslated: Vec<_> = every_sentence(&zh::Zh)
        .into_iter()
        .filter(|(name, sentence, _)| !NO_WORDS.contains(name) && !sentence.chars().any(is_han))
        .collect();
    assert!(untranslated.is_empty(), "not in Chinese: {untranslated:?}");
}

#[test]
fn a_chat_texts_own_lines_are_indented() {
    for (_, t) in languages() {
        let line = t.chat_line("12:00:01", "Mallory", "one\ntwo");
        assert_eq!(
            line,
            format!("[12:00:01] Mallory: one\n{}two", terminal::CONTINUATION)
        );
        // In a name, a line feed is only an escape.
        assert_eq!(
            t.chat_line("12:00:01", "Mal\nlory", "hi"),
            r"[12:00:01] Mal\nlory: hi"
        );
    }
}

#[test]
fn every_method_of_the_catalogue_is_walked() {
    let listed: BTreeSet<&str> = every_sentence(&en::En)
        .iter()
        .map(|(name, ..)| *name)
        .collect();
    let start = SOURCE
        .find("pub trait Text: Sync {")
        .expect("the trait in text/mod.rs");
    let body = &SOURCE[start..];
    let body = &body[..body.find("\n}\n").expect("the end of the trait")];
    let defined: BTreeSet<&str> = body
        .lines()
        .filter_map(|line| line.trim_start().strip_prefix("fn "))
        .filter_map(|rest| rest.split('(').next())
        .collect();
    assert!(defined.len() > 100, "found only {defined:?}");
    let missing: Vec<_> = defined.difference(&listed).collect();
    assert!(
        missing.is_empty(),
        "add these sentences to every_sentence, with hostile arguments: {missing:?}"
    );
}

/// Every variant of every error a person sees, as each language words it.
fn every_error(t: &dyn Text) -> Vec<String> {
    use crate::crypto::scram::ScramError as S;
    use crate::server::accounts::Field;
    use crate::server::history::Torn;
    use crate::transfer::Special;
    let io = || io::Error::from(io::ErrorKind::NotFound);
    let b64 = base64::DecodeError::InvalidPadding { offset: 3 };
    let h = || HOSTILE.to_string();
    let parse_error = match crate::json::parse(b"") {
        Err(e) => e,
        Ok(_) => unreachable!("nothing is not JSON"),
    };
    let mut all = Vec::new();
    for e in [
        NameError::Empty,
        NameError::TooLong,
        NameError::BadCharacter(' ', BadChar::Space),
        NameError::BadCharacter('\u{3000}', BadChar::Space),
        NameError::BadCharacter('\u{1b}', BadChar::Control),
        NameError::BadCharacter('\u{202e}', BadChar::Format),
        NameError::BadCharacter('\u{2028}', BadChar::Separator),
        NameError::BadCharacter('\u{e000}', BadChar::PrivateUse),
        NameError::BadCharacter('\u{378}', BadChar::Unassigned),
        NameError::BadStart('@'),
        NameError::Reserved("server"),
        NameError::LooksLike("server"),
    ] {
        all.push(t.name_error(&e));
    }
    for e in [
        ArgError::UnknownFlag(h()),
        ArgError::MissingValue(h()),
        ArgError::Unexpected(h()),
    ] {
        all.push(t.arg_error(&e));
    }
    for what in [
        Expected::Port,
        Expected::Positive,
        Expected::Smaller,
        Expected::ChunkSize,
        Expected::TraceMode,
        Expected::Lang,
        Expected::Count,
        Expected::NoValue,
        Expected::RoomList,
        Expected::FileTypes,
        Expected::Iterations,
        Expected::FrameCap,
        Expected::String,
        Expected::Object,
        Expected::WholeNumber,
        Expected::NonNegative,
        Expected::Bool,
        Expected::StringList,
    ] {
        let e = ArgError::BadValue {
            flag: "x".into(),
            value: h(),
            expected: what,
        };
        all.push(t.arg_error(&e));
    }
    for e in [PathError::Missing, PathError::TextAfterQuote] {
        all.push(t.path_error(&e));
    }
    for e in [
        OpenError::IsDirectory,
        OpenError::NotAFile(Special::Fifo),
        OpenError::NotAFile(Special::Device),
        OpenError::NotAFile(Special::Socket),
        OpenError::NotAFile(Special::Other),
        OpenError::Unreadable(io()),
    ] {
        all.push(t.open_error(&e));
    }
    for e in [
        TransferError::OutOfOrder {
            expected: 1,
            got: 2,
        },
        TransferError::TooMuchData { size: 3 },
        TransferError::BadChunk(b64),
        TransferError::SizeMismatch {
            expected: 1,
            received: 2,
        },
        TransferError::Io(io()),
    ] {
        all.push(t.transfer_error(&e));
    }
    for e in [
        FrameError::TooLarge { len: 9, limit: 8 },
        FrameError::Truncated {
            expected: 9,
            received: 1,
        },
        FrameError::Io(io()),
    ] {
        all.push(t.frame_error(&e));
    }
    for e in [
        DecodeError::Json(parse_error.clone()),
        DecodeError::NotAnObject,
        DecodeError::MissingField("type"),
        DecodeError::WrongType {
            field: "data",
            expected: Expected::String,
        },
        DecodeError::BadValue {
            field: "reason",
            value: h(),
        },
    ] {
        all.push(t.decode_error(&e));
    }
    for kind in [
        ErrorKind::InvalidUtf8,
        ErrorKind::UnexpectedEnd,
        ErrorKind::ExpectedValue,
        ErrorKind::ExpectedKey,
        ErrorKind::ExpectedColon,
        ErrorKind::ExpectedCommaOrCloseBracket,
        ErrorKind::ExpectedCommaOrCloseBrace,
        ErrorKind::TrailingComma,
        ErrorKind::InvalidLiteral,
        ErrorKind::LeadingZero,
        ErrorKind::InvalidNumber,
        ErrorKind::ControlCharacter,
        ErrorKind::InvalidEscape,
        ErrorKind::LoneSurrogate,
        ErrorKind::TrailingCharacters,
    ] {
        all.push(t.json_error_kind(&kind));
    }
    for e in [base64::DecodeError::InvalidByte { offset: 1, byte: 0 }, b64] {
        all.push(t.base64_error(&e));
    }
    for e in [
        WsError::Unmasked,
        WsError::ReservedBits(4),
        WsError::ReservedOpcode(3),
        WsError::BadLength,
        WsError::FragmentedControl,
        WsError::ControlTooLong,
        WsError::UnexpectedContinuation,
        WsError::UnfinishedMessage,
        WsError::BadClose,
        WsError::NotUtf8,
        WsError::TooLarge { len: 9, limit: 8 },
        WsError::Truncated,
        WsError::Io(io()),
    ] {
        all.push(t.ws_error(&e));
    }
    for e in [
        HttpError::Malformed(Malformed::NoHost),
        HttpError::HeadTooLarge,
        HttpError::VersionNotSupported,
        HttpError::MethodNotAllowed,
        HttpError::BadUpgrade(Upgrade::NoKey),
        HttpError::WebSocketVersion,
        HttpError::ForbiddenOrigin,
        HttpError::Truncated,
        HttpError::TimedOut,
        HttpError::Io(io()),
    ] {
        all.push(t.http_error(&e));
    }
    {
        use Malformed as M;
        for problem in [
            M::LfWithoutCr,
            M::CrWithoutLf,
            M::ControlInHead,
            M::NoEmptyLine,
            M::LineWithoutCrLf,
            M::EmptyLineInside,
            M::RequestLine,
            M::MethodNotToken,
            M::BadVersion,
            M::TargetWithoutSlash,
            M::BadPercent,
            M::BadTargetCharacter,
            M::FoldedHeader,
            M::HeaderWithoutColon,
            M::HeaderNameNotToken,
            M::ControlInHeader,
            M::TwoHosts,
            M::NoHost,
        ] {
            all.push(t.http_malformed(problem));
        }
    }
    for problem in [
        Upgrade::RepeatedHeader,
        Upgrade::NotHttp11,
        Upgrade::NoConnectionUpgrade,
        Upgrade::NoUpgradeWebsocket,
        Upgrade::NoVersion,
        Upgrade::NoKey,
        Upgrade::Body,
    ] {
        all.push(t.http_upgrade(problem));
    }
    for e in [
        S::TooLong { len: 2000 },
        S::MissingAttribute { expected: 'r' },
        S::UnexpectedAttribute {
            expected: 'r',
            found: 's',
        },
        S::MisplacedAttribute { found: 'r' },
        S::BadAttribute,
        S::EmptyValue { attribute: 'r' },
        S::BadGs2Header,
        S::ChannelBindingUnsupported,
        S::AuthzidUnsupported,
        S::MandatoryExtension,
        S::BadNameEscape,
        S::NulInName,
        S::BadNonce,
        S::NonceMismatch,
        S::BadBase64 {
            attribute: 's',
            error: b64,
        },
        S::BadIterationCount,
        S::IterationsTooLow { iterations: 1 },
        S::IterationsTooHigh,
        S::BadSaltLength { len: 1 },
        S::ChannelBindingMismatch,
        S::BadKeyLength {
            attribute: 'p',
            len: 1,
        },
        S::AuthFailed,
        S::ServerSignatureMismatch,
        S::BadServerError,
        S::Random(io()),
    ] {
        all.push(t.scram_error(&e));
    }
    for e in [
        VerifierError::BadBase64 {
            field: Field::Salt,
            error: b64,
        },
        VerifierError::KeyLength {
            field: Field::StoredKey,
            len: 1,
        },
        VerifierError::SaltTooLong { len: 99 },
        VerifierError::TooFewIterations { iterations: 1 },
        VerifierError::TooManyIterations {
            iterations: 1 << 40,
        },
    ] {
        all.push(t.verifier_error(&e));
    }
    for e in [
        AccountError::NoSuchAccount,
        AccountError::BadName(NameError::Empty),
        AccountError::Weak(VerifierError::SaltTooShort { len: 1 }),
        AccountError::Full,
        AccountError::Save(io()),
    ] {
        all.push(t.account_error(&e));
    }
    let entry = |problem| FileProblem::Entry {
        index: 2,
        name: None,
        problem,
    };
    for problem in [
        FileProblem::Unreadable(io()),
        FileProblem::TooLarge { len: 1 << 30 },
        FileProblem::Empty,
        FileProblem::NotJson(parse_error.clone()),
        FileProblem::NotAnObject,
        FileProblem::Version(None),
        FileProblem::Version(Some(h())),
        FileProblem::NoAccountList,
        FileProblem::TooManyAccounts { count: 1 << 20 },
        entry(EntryProblem::NotAnObject),
        entry(EntryProblem::Missing("name")),
        entry(EntryProblem::WrongType {
            field: "iterations",
            expected: Expected::WholeNumber,
        }),
        entry(EntryProblem::BadName(NameError::Empty)),
        entry(EntryProblem::Verifier(VerifierError::SaltTooShort {
            len: 1,
        })),
        entry(EntryProblem::Duplicate { first: 0 }),
    ] {
        let e = LoadError {
            path: PathBuf::from("files/accounts.json"),
            problem,
        };
        all.push(t.accounts_load_error(&e));
    }
    for e in [MuteError::TooLong, MuteError::Full] {
        all.push(t.mute_error(&e));
    }
    for e in [
        AdminError::NotOnline(h()),
        AdminError::NotRegistered(h()),
        AdminError::NotMuted(h()),
        AdminError::BadName(NameError::Empty),
        AdminError::Mute(MuteError::Zero),
        AdminError::Accounts(AccountError::Full),
    ] {
        all.push(t.admin_error(&e));
    }
    for problem in [
        crate::server::accounts::SecretProblem::Io(io()),
        crate::server::accounts::SecretProblem::Malformed,
    ] {
        let e = crate::server::accounts::SecretError {
            path: PathBuf::from("files/accounts.secret"),
            problem,
        };
        all.push(t.secret_error(&e));
        all.push(t.serve_error(&crate::server::ServeError::Secret(e)));
    }
    all.push(t.serve_error(&crate::server::ServeError::History(HistoryError::Closed)));
    for e in [
        ExtListError::EmptyItem { position: 2 },
        ExtListError::BadCharacter { item: h(), c: ' ' },
        ExtListError::BadCharacter { item: h(), c: '/' },
        ExtListError::TooLong { item: h() },
        ExtListError::TooMany { count: 999 },
    ] {
        all.push(t.ext_list_error(&e));
    }
    for e in [
        Refused::NotAllowed { ext: Some(h()) },
        Refused::NotAllowed { ext: None },
    ] {
        all.push(t.file_refused(&e));
    }
    let dir = || PathBuf::from("files/history");
    for e in [
        HistoryError::BadRoomName,
        HistoryError::Folder {
            dir: dir(),
            error: io(),
        },
        HistoryError::InUse { dir: dir() },
        HistoryError::Read {
            path: dir(),
            error: io(),
        },
    ] {
        all.push(t.history_error(&e));
    }
    for problem in [
        Problem::WriteFailed {
            room: h(),
            error: io(),
        },
        Problem::SyncFailed {
            room: Some(h()),
            error: io(),
        },
        Problem::SyncFailed {
            room: None,
            error: io(),
        },
        Problem::CompactFailed {
            room: h(),
            error: io(),
        },
        Problem::QueueFull { dropped: 1 },
    ] {
        all.push(t.history_problem(&problem));
    }
    let torn = RoomRecovery {
        room: h(),
        messages: 1,
        last_seq: 1,
        corrupt: 0,
        corrupt_lines: Vec::new(),
        torn: Some(Torn {
            line: 4,
            offset: 10,
            bytes: 7,
        }),
    };
    all.push(t.history_recovery(&torn));
    for (written, lost) in [(5, 0), (5, 2)] {
        let progress = crate::server::history::Progress {
            written,
            synced: written,
            lost,
            syncs: 1,
        };
        all.push(t.history_closed(&progress));
    }
    all
}

#[test]
fn every_error_variant_is_worded_safely_in_both_languages() {
    for (lang, t) in languages() {
        for sentence in every_error(t) {
            assert!(!sentence.is_empty(), "{lang}: an empty error");
            if let Some(c) = sentence.chars().find(|&c| !is_inert(c)) {
                panic!("{lang} printed {c:?} raw: {sentence:?}");
            }
            if lang == "zh" {
                assert!(sentence.chars().any(is_han), "not in Chinese: {sentence:?}");
            }
        }
    }
}

#[test]
fn an_errors_display_is_in_the_language_in_force() {
    // Unit tests never choose, so `Display` speaks English; each language
    // speaks for itself when asked directly.
    let error = FrameError::ZeroLength;
    assert_eq!(error.to_string(), en::En.frame_error(&error));
    assert_ne!(en::En.frame_error(&error), zh::Zh.frame_error(&error));
}
