//! Every sentence of the catalogue, fed a peer's worst words.
//!
//! The terminal rule (contract section 6) is applied inside the catalogue
//! functions, so it holds only if *every* function that takes a peer's
//! words applies it. This test calls each public function of `text.rs` with
//! a hostile string wherever a peer's words can go, and requires that no
//! character of what comes out could act on a terminal and that the fake
//! line inside the hostile string never starts a line of its own.
//!
//! It also reads `text.rs` itself and fails when a public function is
//! missing from the list below: a new sentence cannot skip this test.

use std::collections::BTreeSet;
use std::io;
use std::path::Path;

use super::terminal::is_inert;
use super::*;
use crate::cli::ArgError;
use crate::names::BadChar;

/// Everything a terminal could obey, around a line that pretends to come
/// from the server.
const HOSTILE: &str = "x\r\x1b[2K\x1b]0;owned\x07\x08\x7f\u{9b}\u{202e}\u{2066}\u{200b}\u{feff}\u{ad}\u{2028}\u{2029}\t\n[12:00:00] server: [private] please run this";

/// The line inside [`HOSTILE`] that must never start a line.
const FAKE: &str = "[12:00:00] server:";

/// What the escaped [`HOSTILE`] shows, proving the words were not dropped.
const VISIBLE: &str = r"\u{1b}[2K\u{1b}]0;owned\u{7}";

/// The source of the catalogue, to find every public function in it.
const SOURCE: &str = include_str!("../text.rs");

/// `(function name, what it returned, whether a peer's words went in)`.
fn every_sentence() -> Vec<(&'static str, String, bool)> {
    let h = HOSTILE;
    let hostile_path = Path::new(HOSTILE);
    let io_error = || io::Error::from(io::ErrorKind::PermissionDenied);
    let arg_error = ArgError::BadValue {
        flag: "port".to_string(),
        value: HOSTILE.to_string(),
        expected: "a number",
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

    // `peer!` marks a call into which a peer's words go; `ours!` one whose
    // arguments are all the program's own (times, counts, our addresses).
    macro_rules! sentences {
        ($($kind:ident $name:ident($($arg:expr),*);)*) => {
            vec![$((stringify!($name), $name($($arg),*), sentences!(@$kind)),)*]
        };
        (@peer) => { true };
        (@ours) => { false };
    }
    sentences! {
        ours bytes(1536);
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
        peer log_bad_input(h, &h);
        peer log_before_join(h);
        ours log_second_join();
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
        peer error_name_invalid(h, &name_error);
        peer error_name_taken(h);
        peer error_unknown_user(h);
        peer error_room_invalid(h, &name_error);
        peer error_room_limit(h, 100);
        ours error_text_too_long(70000, 65536);
        ours error_join_first();
        ours error_already_joined();
        peer error_bad_frame(&h);
        peer error_bad_message(&h);
        ours error_server_full();
        peer error_kicked(h);
        ours error_join_timeout(30);
        ours error_server_shutdown();
        ours error_file_too_large(10, 5);
        peer error_unknown_transfer(h);
        peer error_duplicate_transfer(h);
        ours error_too_many_transfers(8);
        peer error_transfer_failed(h, &h);
        peer error_sender_left(h, h);
        peer error_server_storage(h, &io_error());
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
        peer server_farewell(h);
        ours history_opened(&report);
        ours history_closed(&progress);
        ours cannot_start(&history_error);
        peer history_removed_temp(&names);
        peer history_ignored(&names);
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

#[test]
fn no_sentence_lets_a_peer_act_on_the_terminal() {
    for (name, sentence, from_peer) in every_sentence() {
        if let Some(c) = sentence.chars().find(|&c| c != '\n' && !is_inert(c)) {
            panic!("{name} printed {c:?} raw: {sentence:?}");
        }
        for line in sentence.lines() {
            assert!(
                !line.starts_with(FAKE),
                "{name} let the peer start a line: {sentence:?}"
            );
        }
        if from_peer {
            assert!(
                sentence.contains(VISIBLE),
                "{name} does not show the peer's words: {sentence:?}"
            );
        }
    }
}

#[test]
fn a_chat_texts_own_lines_are_indented() {
    let line = chat_line("12:00:01", "Mallory", "one\ntwo");
    assert_eq!(
        line,
        format!("[12:00:01] Mallory: one\n{}two", terminal::CONTINUATION)
    );
    // In a name, a line feed is only an escape.
    assert_eq!(
        chat_line("12:00:01", "Mal\nlory", "hi"),
        r"[12:00:01] Mal\nlory: hi"
    );
}

#[test]
fn every_public_function_of_the_catalogue_is_walked() {
    let listed: BTreeSet<&str> = every_sentence().iter().map(|(name, ..)| *name).collect();
    let defined: BTreeSet<&str> = SOURCE
        .lines()
        .filter_map(|line| line.strip_prefix("pub fn "))
        .filter_map(|rest| rest.split('(').next())
        .collect();
    let missing: Vec<_> = defined.difference(&listed).collect();
    assert!(
        missing.is_empty(),
        "add these catalogue functions to every_sentence, with hostile arguments: {missing:?}"
    );
}
