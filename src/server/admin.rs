//! What admins do to users (contract §11): kick, mute, unmute, op, deop,
//! and the console's own `/deluser`, each written once.
//!
//! Two kinds of admin can act: the person at the server's console, and a
//! user logged in with an `admin` account, from a chat client (`ADMIN`
//! messages). Both call the functions here, with an [`Actor`] saying who
//! acts, so the two can never disagree about what an action does. Each
//! function:
//!
//! 1. finds the target (online, registered, or merely named, as the action
//!    needs) and refuses with an [`AdminError`] when it cannot act;
//! 2. acts;
//! 3. writes one line to the server's log naming who did what to whom;
//! 4. tells the target: an `ADMIN` notice saying who (an [`AdminNotice`]),
//!    or, for a kick, `ERROR kicked`, since its connection ends.
//!
//! Saying what happened to whoever asked is the caller's part: the console
//! prints a sentence, the session sends `ADMIN` with `"ok": true`. Whether
//! the asker may act at all is the caller's part too: the console is the
//! server's own, and the session checks that its user is a logged-in admin
//! before calling anything here.

use std::time::{Duration, Instant};

use super::accounts::{Account, AccountError, Role as AccountRole};
use super::directory::Member;
use super::{Server, unix_time_of};
use crate::message::server::AdminNotice;
use crate::message::{
    AdminAction, ErrorCode, ErrorReason, ErrorReport, LeaveReason, Role, ServerMessage,
};
use crate::names::{NameError, SERVER_NAME, check_name};
use crate::server::mutes::MuteError;
use crate::text;

/// Who takes an admin action.
#[derive(Clone, Copy)]
pub enum Actor<'a> {
    /// The person at the server's console.
    Console,
    /// A user logged in with an `admin` account.
    Admin(&'a Member),
}

impl Actor<'_> {
    /// The name the log and the target are told: `server` for the console.
    pub fn name(&self) -> &str {
        match self {
            Actor::Console => SERVER_NAME,
            Actor::Admin(member) => &member.name,
        }
    }
}

/// Why an action could not be taken. The wording is in [`crate::text`];
/// [`AdminError::code`] is the `ERROR` code an admin's client gets.
#[derive(Debug)]
pub enum AdminError {
    /// `kick`: nobody of that name is online.
    NotOnline(String),
    /// `op`, `deop`, `/role`, `/deluser`: no account has that name.
    NotRegistered(String),
    /// `unmute`: the name is not muted.
    NotMuted(String),
    /// `mute`: a name nobody could ever use.
    BadName(NameError),
    /// `mute`: no time, too long, or too many mutes.
    Mute(MuteError),
    /// The accounts file could not be rewritten; nothing changed.
    Accounts(AccountError),
}

impl AdminError {
    /// The `ERROR` that tells an admin's client, in the server's words and
    /// with what its own words need.
    pub fn report(&self) -> ErrorReport {
        let report = ErrorReport::new(self.code(), text::t().error_admin(self));
        match self {
            AdminError::NotOnline(name) => report.about(name),
            AdminError::NotRegistered(name) => {
                report.about(name).because(ErrorReason::NotRegistered)
            }
            AdminError::NotMuted(name) => report.about(name).because(ErrorReason::NotMuted),
            AdminError::Mute(MuteError::Zero) => report.because(ErrorReason::MuteZero),
            AdminError::Mute(MuteError::TooLong) => report.because(ErrorReason::MuteTooLong),
            AdminError::Mute(MuteError::Full) => report.because(ErrorReason::MuteFull),
            AdminError::BadName(_) | AdminError::Accounts(_) => report,
        }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            AdminError::NotOnline(_) | AdminError::NotRegistered(_) => ErrorCode::UnknownUser,
            AdminError::BadName(_) => ErrorCode::NameInvalid,
            AdminError::NotMuted(_) | AdminError::Mute(_) | AdminError::Accounts(_) => {
                ErrorCode::BadMessage
            }
        }
    }
}

/// Removes `target` from the chat: it is told why and by whom, then its
/// connection ends and everyone sees it leave with reason `kicked`.
/// Returns the name as its owner spells it.
pub fn kick(server: &Server, actor: Actor, target: &str) -> Result<String, AdminError> {
    let member = server
        .directory
        .find(target)
        .ok_or_else(|| AdminError::NotOnline(target.to_string()))?;
    member.link.send(&ServerMessage::Error(
        ErrorReport::new(ErrorCode::Kicked, text::t().error_kicked(actor.name())).by(actor.name()),
    ));
    member.link.remove(LeaveReason::Kicked);
    server.log(&text::t().log_admin_kicked(actor.name(), &member.name));
    Ok(member.name.clone())
}

/// Mutes `target` for `duration` (contract §11): its `TEXT` and `FILE` get
/// `ERROR muted` until then. The mute belongs to the name, so the target
/// need not be online, and leaving does not lift it. Returns the name and
/// the Unix time the mute ends.
pub fn mute(
    server: &Server,
    actor: Actor,
    target: &str,
    duration: Duration,
) -> Result<(String, i64), AdminError> {
    let name = spelling(server, target);
    check_name(&name).map_err(AdminError::BadName)?;
    let now = Instant::now();
    let until = server
        .mutes
        .mute(&name, duration, now)
        .map_err(AdminError::Mute)?;
    let until = unix_time_of(until, now);
    let ends = server.local_date_time(until);
    server.log(&text::t().log_admin_muted(actor.name(), &name, duration.as_secs(), &ends));
    tell(server, &name, AdminAction::Mute, actor, Some(until));
    Ok((name, until))
}

/// Lifts the mute on `target` before its time.
pub fn unmute(server: &Server, actor: Actor, target: &str) -> Result<String, AdminError> {
    let name = spelling(server, target);
    if !server.mutes.unmute(&name, Instant::now()) {
        return Err(AdminError::NotMuted(name));
    }
    server.log(&text::t().log_admin_unmuted(actor.name(), &name));
    tell(server, &name, AdminAction::Unmute, actor, None);
    Ok(name)
}

/// Gives a registered account a role (`op` is `admin`, `deop` is
/// `member`, the console's `/role` either). The change is written to the
/// accounts file, and takes effect at once if the account's owner is
/// online: a deopped admin's next `ADMIN` is forbidden. Returns the name
/// and the role it had.
pub fn set_role(
    server: &Server,
    actor: Actor,
    target: &str,
    role: AccountRole,
) -> Result<(String, AccountRole), AdminError> {
    let account = server
        .accounts
        .get(target)
        .ok_or_else(|| AdminError::NotRegistered(target.to_string()))?;
    let before = server
        .accounts
        .set_role(&account.name, role)
        .map_err(|e| match e {
            AccountError::NoSuchAccount => AdminError::NotRegistered(target.to_string()),
            e => AdminError::Accounts(e),
        })?;
    server.log(&text::t().log_admin_role(
        actor.name(),
        &account.name,
        before.as_str(),
        role.as_str(),
    ));
    // The owner is online as this account only if it logged in: a guest
    // cannot hold a registered name (registering refuses a name in use).
    if let Some(member) = server.directory.find(&account.name)
        && member.role() != Role::Guest
    {
        member.set_role(role.into());
    }
    let action = match role {
        AccountRole::Admin => AdminAction::Op,
        AccountRole::Member => AdminAction::Deop,
    };
    if before != role {
        tell(server, &account.name, action, actor, None);
    }
    Ok((account.name, before))
}

/// Deletes a registered account (the console's `/deluser`): the name is
/// free again, for anyone. If its owner is online, it is removed from the
/// chat as by a kick: the account its session logged in with is gone.
pub fn delete_account(server: &Server, actor: Actor, target: &str) -> Result<Account, AdminError> {
    let account = server.accounts.delete(target).map_err(|e| match e {
        AccountError::NoSuchAccount => AdminError::NotRegistered(target.to_string()),
        e => AdminError::Accounts(e),
    })?;
    server.log(&text::t().log_admin_deleted(actor.name(), &account.name));
    if let Some(member) = server.directory.find(&account.name)
        && member.role() != Role::Guest
    {
        member.link.send(&ServerMessage::Error(
            ErrorReport::new(
                ErrorCode::Kicked,
                text::t().error_account_deleted(actor.name()),
            )
            .by(actor.name())
            .because(ErrorReason::AccountDeleted),
        ));
        member.link.remove(LeaveReason::Kicked);
    }
    Ok(account)
}

/// The name as the target spells it: online, or registered, or as typed.
fn spelling(server: &Server, target: &str) -> String {
    if let Some(member) = server.directory.find(target) {
        return member.name.clone();
    }
    match server.accounts.get(target) {
        Some(account) => account.name,
        None => target.to_string(),
    }
}

/// Tells `name`, if online, what `actor` did to it.
fn tell(server: &Server, name: &str, action: AdminAction, actor: Actor, until: Option<i64>) {
    if let Some(member) = server.directory.find(name) {
        member.link.send(&ServerMessage::AdminNotice(AdminNotice {
            action,
            by: actor.name().to_string(),
            until,
        }));
    }
}
