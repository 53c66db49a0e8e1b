//! The admin console: commands typed on the server's standard input.
//!
//! Parsing ([`parse`]) is kept apart from doing ([`execute`]), so that every
//! way a typed line can be wrong is tested without a running server.

use std::io::BufRead;
use std::sync::Arc;
use std::time::Duration;

use super::accounts::Role;
use super::admin::{self, Actor, AdminError};
use super::mutes::DEFAULT_MUTE;
use super::relay::{self, Target};
use super::{Server, say};
use crate::command::{self, PathError};
use crate::localtime::now_unix;
use crate::message::ServerMessage;
use crate::message::server::Chat;
use crate::names::SERVER_NAME;
use crate::text;

/// A console command, read from one line.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    /// `/msg TEXT`: everyone, in every room, with no room and no `seq`.
    Broadcast(String),
    /// `/msg #ROOM TEXT`: a room's message, numbered and kept in its history.
    RoomMessage { room: String, text: String },
    /// `/msg @NAME TEXT`
    Private { to: String, text: String },
    /// `/send PATH`, `/send @NAME PATH`, `/send #ROOM PATH`
    SendFile { to: Target, path: String },
    /// `/list`: who is online, and in which room.
    List,
    /// `/rooms`
    Rooms,
    /// `/user NAME`
    User(String),
    /// `/kick NAME`
    Kick(String),
    /// `/mute NAME [SECS]`
    Mute { name: String, seconds: Option<u64> },
    /// `/unmute NAME`
    Unmute(String),
    /// `/accounts`
    Accounts,
    /// `/role NAME admin|member`
    Role { name: String, role: Role },
    /// `/deluser NAME`
    DelUser(String),
    /// `/help`
    Help,
    /// `/quit`
    Quit,
}

/// Why a line is not a command to run. Each variant prints as a hint.
#[derive(Debug, PartialEq, Eq)]
pub enum Mistake {
    NotACommand,
    Unknown(String),
    MsgUsage,
    SendUsage(Option<PathError>),
    UserUsage,
    KickUsage,
    MuteUsage,
    UnmuteUsage,
    RoleUsage,
    DelUserUsage,
}

impl Mistake {
    pub fn hint(&self) -> String {
        match self {
            Mistake::NotACommand => text::t().console_not_a_command(),
            Mistake::Unknown(name) => text::t().unknown_command(name),
            Mistake::MsgUsage => text::t().usage_msg(),
            Mistake::SendUsage(Some(e)) => text::t().bad_path(e),
            Mistake::SendUsage(None) => text::t().usage_console_send(),
            Mistake::UserUsage => text::t().usage_user(),
            Mistake::KickUsage => text::t().usage_kick(),
            Mistake::MuteUsage => text::t().usage_mute(),
            Mistake::UnmuteUsage => text::t().usage_unmute(),
            Mistake::RoleUsage => text::t().usage_role(),
            Mistake::DelUserUsage => text::t().usage_deluser(),
        }
    }
}

/// Reads one console line. `Ok(None)` for a blank line.
pub fn parse(line: &str) -> Result<Option<Command>, Mistake> {
    if line.trim().is_empty() {
        return Ok(None);
    }
    let Some((name, rest)) = command::split_command(line) else {
        return Err(Mistake::NotACommand);
    };
    let command = match name {
        "msg" => match command::take_recipient(rest) {
            (_, "") => return Err(Mistake::MsgUsage),
            (Some(command::Recipient::User("") | command::Recipient::Room("")), _) => {
                return Err(Mistake::MsgUsage);
            }
            (Some(command::Recipient::User(to)), text) => Command::Private {
                to: to.to_string(),
                text: text.to_string(),
            },
            (Some(command::Recipient::Room(room)), text) => Command::RoomMessage {
                room: room.to_string(),
                text: text.to_string(),
            },
            (None, text) => Command::Broadcast(text.to_string()),
        },
        "send" => {
            let (to, rest) = command::take_recipient(rest);
            let to = match to {
                None => Target::Everyone,
                Some(command::Recipient::User("") | command::Recipient::Room("")) => {
                    return Err(Mistake::SendUsage(None));
                }
                Some(command::Recipient::User(name)) => Target::User(name.to_string()),
                Some(command::Recipient::Room(room)) => Target::Room(room.to_string()),
            };
            let path = command::parse_path(rest).map_err(|e| Mistake::SendUsage(Some(e)))?;
            Command::SendFile { to, path }
        }
        "list" => Command::List,
        "rooms" => Command::Rooms,
        "user" if rest.is_empty() => return Err(Mistake::UserUsage),
        "user" => Command::User(rest.trim_start_matches('@').to_string()),
        "kick" if rest.is_empty() => return Err(Mistake::KickUsage),
        "kick" => Command::Kick(rest.trim_start_matches('@').to_string()),
        "mute" => match target_and_rest(rest) {
            Some((name, "")) => Command::Mute {
                name,
                seconds: None,
            },
            Some((name, seconds)) => match seconds.parse() {
                Ok(seconds) => Command::Mute {
                    name,
                    seconds: Some(seconds),
                },
                Err(_) => return Err(Mistake::MuteUsage),
            },
            None => return Err(Mistake::MuteUsage),
        },
        "unmute" => match target_and_rest(rest) {
            Some((name, "")) => Command::Unmute(name),
            _ => return Err(Mistake::UnmuteUsage),
        },
        "accounts" => Command::Accounts,
        "role" => match target_and_rest(rest) {
            Some((name, role)) => match Role::from_word(role) {
                Some(role) => Command::Role { name, role },
                None => return Err(Mistake::RoleUsage),
            },
            None => return Err(Mistake::RoleUsage),
        },
        "deluser" => match target_and_rest(rest) {
            Some((name, "")) => Command::DelUser(name),
            _ => return Err(Mistake::DelUserUsage),
        },
        "help" => Command::Help,
        "quit" => Command::Quit,
        other => return Err(Mistake::Unknown(other.to_string())),
    };
    Ok(Some(command))
}

/// `NAME REST` (an `@` before the name is allowed, as with `/user`): the
/// name and what follows it; `None` without a name.
fn target_and_rest(rest: &str) -> Option<(String, &str)> {
    let rest = rest.trim_start_matches('@');
    let (name, rest) = match rest.split_once(char::is_whitespace) {
        Some((name, rest)) => (name, rest.trim()),
        None => (rest, ""),
    };
    (!name.is_empty()).then(|| (name.to_string(), rest))
}

/// The console thread: reads lines until `/quit` or the end of input.
/// End of input (a server started in the background) leaves the server
/// running; only `/quit` stops it.
pub(super) fn run<C: BufRead>(server: &Arc<Server>, input: C) {
    for line in input.lines() {
        let Ok(line) = line else { break };
        match parse(&line) {
            Ok(Some(Command::Quit)) => {
                server.stop();
                return;
            }
            Ok(Some(command)) => execute(server, command),
            Ok(None) => {}
            Err(mistake) => say(&mistake.hint()),
        }
    }
}

/// Carries out one command, printing its result on the console.
fn execute(server: &Arc<Server>, command: Command) {
    let directory = &server.directory;
    match command {
        Command::Broadcast(text) => {
            directory.broadcast(&server_chat(text, None), None);
            say(&text::t().sent_to_everyone(directory.everyone().len()));
        }
        Command::RoomMessage { room, text } => match server.rooms.find(&room) {
            Some(room) => match server.rooms.say(&room, SERVER_NAME, text, None) {
                Some((seq, reached)) => say(&text::t().sent_to_room(room.name(), reached, seq)),
                None => say(&text::t().stopping()),
            },
            None => say(&text::t().no_such_room(&room)),
        },
        Command::Private { to, text } => match directory.find(&to) {
            Some(member) => {
                member
                    .link
                    .send(&server_chat(text, Some(member.name.clone())));
                say(&text::t().sent_to(&member.name));
            }
            None => say(&text::t().no_such_user(&to)),
        },
        Command::SendFile { to, path } => relay::send_from_console(server, to, path),
        Command::List => {
            let everyone = directory.everyone();
            if everyone.is_empty() {
                say(&text::t().list_empty());
                return;
            }
            say(&text::t().list_header(everyone.len()));
            // Each member's room is read from the member (a leaf lock),
            // with nothing else held: see the lock order in directory.rs.
            for (i, member) in everyone.iter().enumerate() {
                say(&text::t().list_row(
                    i + 1,
                    &member.name,
                    &member.link.addr.to_string(),
                    member.room().name(),
                ));
            }
        }
        Command::Rooms => {
            let rooms = server.rooms.list();
            say(&text::t().rooms_header(rooms.len()));
            for (room, members) in rooms {
                let names: Vec<String> = members.iter().map(|m| m.name.clone()).collect();
                say(&text::t().rooms_row(room.name(), &names));
            }
        }
        Command::User(name) => match directory.find(&name) {
            Some(member) => say(&text::t().user_details(
                &member.name,
                &member.link.addr.ip().to_string(),
                member.link.addr.port(),
                &server.local_date_time(member.joined_at),
                member.messages_sent(),
            )),
            None => say(&text::t().no_such_user(&name)),
        },
        Command::Kick(name) => match admin::kick(server, Actor::Console, &name) {
            Ok(name) => say(&text::t().kicked(&name)),
            Err(AdminError::NotOnline(name)) => say(&text::t().no_such_user(&name)),
            Err(e) => say(&text::t().console_admin_failed(&e)),
        },
        Command::Mute { name, seconds } => {
            let duration = seconds.map_or(DEFAULT_MUTE, Duration::from_secs);
            match admin::mute(server, Actor::Console, &name, duration) {
                Ok((name, until)) => say(&text::t().console_muted(
                    &name,
                    duration.as_secs(),
                    &server.local_date_time(until),
                )),
                Err(e) => say(&text::t().console_admin_failed(&e)),
            }
        }
        Command::Unmute(name) => match admin::unmute(server, Actor::Console, &name) {
            Ok(name) => say(&text::t().console_unmuted(&name)),
            Err(e) => say(&text::t().console_admin_failed(&e)),
        },
        Command::Accounts => {
            let accounts = server.accounts.list();
            if accounts.is_empty() {
                return say(&text::t().accounts_empty());
            }
            say(&text::t().accounts_header(accounts.len()));
            for (i, account) in accounts.iter().enumerate() {
                let online = directory.find(&account.name).is_some();
                say(&text::t().accounts_row(i + 1, &account.name, account.role.as_str(), online));
            }
        }
        Command::Role { name, role } => {
            match admin::set_role(server, Actor::Console, &name, role) {
                Ok((name, before)) => {
                    say(&text::t().console_role(&name, before.as_str(), role.as_str()))
                }
                Err(e) => say(&text::t().console_admin_failed(&e)),
            }
        }
        Command::DelUser(name) => match admin::delete_account(server, Actor::Console, &name) {
            Ok(account) => say(&text::t().console_deleted(&account.name)),
            Err(e) => say(&text::t().console_admin_failed(&e)),
        },
        Command::Help => say(&text::t().console_help()),
        Command::Quit => server.stop(),
    }
}

/// A chat message from the server's console, to everyone or one user.
fn server_chat(text: String, to: Option<String>) -> ServerMessage {
    ServerMessage::Chat(Chat::new(text, SERVER_NAME.to_string(), now_unix(), to))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_of_the_original() {
        assert_eq!(
            parse("/msg Maintenance in 5 minutes"),
            Ok(Some(Command::Broadcast("Maintenance in 5 minutes".into())))
        );
        assert_eq!(
            parse("/msg @Alice check your settings"),
            Ok(Some(Command::Private {
                to: "Alice".into(),
                text: "check your settings".into()
            }))
        );
        assert_eq!(
            parse("/send @Bob \"/path/to/user guide.txt\""),
            Ok(Some(Command::SendFile {
                to: Target::User("Bob".into()),
                path: "/path/to/user guide.txt".into()
            }))
        );
        assert_eq!(
            parse("/send files/server/a.txt"),
            Ok(Some(Command::SendFile {
                to: Target::Everyone,
                path: "files/server/a.txt".into()
            }))
        );
        assert_eq!(parse("/list"), Ok(Some(Command::List)));
        assert_eq!(
            parse("/user Alice"),
            Ok(Some(Command::User("Alice".into())))
        );
        assert_eq!(
            parse("/user @Alice"),
            Ok(Some(Command::User("Alice".into())))
        );
        assert_eq!(parse("/kick @Bob"), Ok(Some(Command::Kick("Bob".into()))));
        assert_eq!(
            parse("/mute Bob"),
            Ok(Some(Command::Mute {
                name: "Bob".into(),
                seconds: None
            }))
        );
        assert_eq!(
            parse("/mute @Bob 60"),
            Ok(Some(Command::Mute {
                name: "Bob".into(),
                seconds: Some(60)
            }))
        );
        assert_eq!(
            parse("/unmute Bob"),
            Ok(Some(Command::Unmute("Bob".into())))
        );
        assert_eq!(parse("/accounts"), Ok(Some(Command::Accounts)));
        assert_eq!(
            parse("/role Alice admin"),
            Ok(Some(Command::Role {
                name: "Alice".into(),
                role: Role::Admin
            }))
        );
        assert_eq!(
            parse("/deluser @Alice"),
            Ok(Some(Command::DelUser("Alice".into())))
        );
        assert_eq!(parse("/help"), Ok(Some(Command::Help)));
        assert_eq!(parse(" /quit "), Ok(Some(Command::Quit)));
        assert_eq!(parse("   "), Ok(None));
    }

    #[test]
    fn room_commands() {
        assert_eq!(
            parse("/msg #python Meeting at noon"),
            Ok(Some(Command::RoomMessage {
                room: "python".into(),
                text: "Meeting at noon".into()
            }))
        );
        assert_eq!(
            parse("/send #python notes.txt"),
            Ok(Some(Command::SendFile {
                to: Target::Room("python".into()),
                path: "notes.txt".into()
            }))
        );
        assert_eq!(parse("/rooms"), Ok(Some(Command::Rooms)));
        // Without a room, `/msg TEXT` is still to everyone, even when the
        // text mentions a room further on.
        assert_eq!(
            parse("/msg see #python"),
            Ok(Some(Command::Broadcast("see #python".into())))
        );
        assert_eq!(parse("/msg #python"), Err(Mistake::MsgUsage));
        assert_eq!(parse("/msg # hi"), Err(Mistake::MsgUsage));
        assert_eq!(parse("/send # x"), Err(Mistake::SendUsage(None)));
    }

    #[test]
    fn mistakes_get_hints_not_broadcasts() {
        assert_eq!(parse("hello everyone"), Err(Mistake::NotACommand));
        assert_eq!(parse("/shout hi"), Err(Mistake::Unknown("shout".into())));
        assert_eq!(parse("/msg"), Err(Mistake::MsgUsage));
        assert_eq!(parse("/msg @Bob"), Err(Mistake::MsgUsage));
        assert_eq!(parse("/msg @ hi"), Err(Mistake::MsgUsage));
        assert_eq!(
            parse("/send"),
            Err(Mistake::SendUsage(Some(PathError::Missing)))
        );
        assert_eq!(
            parse("/send \"a b"),
            Err(Mistake::SendUsage(Some(PathError::UnclosedQuote)))
        );
        assert_eq!(parse("/user"), Err(Mistake::UserUsage));
        assert_eq!(parse("/kick"), Err(Mistake::KickUsage));
        assert_eq!(parse("/mute"), Err(Mistake::MuteUsage));
        assert_eq!(parse("/mute Bob soon"), Err(Mistake::MuteUsage));
        assert_eq!(parse("/mute Bob -5"), Err(Mistake::MuteUsage));
        assert_eq!(parse("/unmute"), Err(Mistake::UnmuteUsage));
        assert_eq!(parse("/unmute Bob now"), Err(Mistake::UnmuteUsage));
        assert_eq!(parse("/role Alice"), Err(Mistake::RoleUsage));
        assert_eq!(parse("/role Alice king"), Err(Mistake::RoleUsage));
        assert_eq!(parse("/role Alice Admin"), Err(Mistake::RoleUsage));
        assert_eq!(parse("/deluser"), Err(Mistake::DelUserUsage));
        for mistake in [Mistake::NotACommand, Mistake::MsgUsage, Mistake::UserUsage] {
            assert!(!mistake.hint().is_empty());
        }
    }
}
