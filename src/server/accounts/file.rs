//! The accounts file: its layout, checked on load, and written back.
//!
//! # The file
//!
//! Default `files/accounts.json` (`--accounts FILE`), one account per line
//! so that a person can read and diff it, in order of [`name_key`]:
//!
//! ```text
//! {"version": 1, "accounts": [
//!   {"name": "Alice", "role": "admin", "salt": "B64", "iterations": 600000, "stored_key": "B64", "server_key": "B64"},
//!   {"name": "\u674e\u96f7", "role": "member", "salt": "B64", "iterations": 600000, "stored_key": "B64", "server_key": "B64"}
//! ]}
//! ```
//!
//! - `version` is 1. A file from a later version is refused rather than
//!   half-understood (and then rewritten without what it did not understand).
//! - `name` is the spelling the account was registered with; lookups go by
//!   [`name_key`], as everywhere else a name is compared (`Alice`, `ALICE`
//!   and full-width `Ａｌｉｃｅ` are one name).
//! - `role` is `"admin"` or `"member"`.
//! - `salt`, `stored_key` and `server_key` are standard base64 (RFC 4648,
//!   padded): a salt of [`MIN_SALT_LEN`](super::MIN_SALT_LEN) to [`MAX_SALT_LEN`](super::MAX_SALT_LEN) bytes, and keys
//!   of exactly [`KEY_LEN`](super::KEY_LEN) bytes. `iterations` is [`MIN_ITERATIONS`](super::MIN_ITERATIONS) to
//!   [`MAX_ITERATIONS`](super::MAX_ITERATIONS).
//! - Keys an entry has beyond these are ignored, and dropped by the next
//!   rewrite.
//!
//! # Trusting what was loaded
//!
//! [`Accounts::load`](super::Accounts::load) checks every entry as strictly as `REGISTER` checks a
//! new one. One bad entry refuses the whole file with a [`LoadError`] that
//! names it, and the server refuses to start. Skipping the entry instead
//! would be worse twice over: its name would be free for anyone to register
//! (an admin's name, perhaps), and the next rewrite would delete it for good.
//! A missing file is an empty store; a file that exists is never replaced
//! until it has loaded cleanly.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use super::{
    Account, ITERATIONS, MAX_ACCOUNTS, NAME, ROLE, Role, SALT, SERVER_KEY, STORED_KEY,
    VerifierError, verifier_from_base64,
};
use crate::base64;
use crate::json::{self, Object, ParseError, Value};
use crate::names::{NameError, check_name, name_key};
use crate::text::Expected;

/// The largest accounts file [`Accounts::load`](super::Accounts::load) reads: room for
/// [`MAX_ACCOUNTS`] entries of the largest kind, with plenty to spare. A
/// larger file is refused before it is read.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// The version of the file layout this program reads and writes.
pub const FILE_VERSION: u64 = 1;

/// Why the accounts file could not be loaded: the server refuses to start,
/// and the file is left exactly as it was.
#[derive(Debug)]
pub struct LoadError {
    pub path: PathBuf,
    pub problem: FileProblem,
}

/// What is wrong with an accounts file. The wording is in [`crate::text`].
#[derive(Debug)]
pub enum FileProblem {
    Unreadable(io::Error),
    TooLarge {
        len: u64,
    },
    /// Zero bytes: what a crash leaves when a program writes a file in
    /// place, so it is not taken to mean "no accounts".
    Empty,
    NotJson(ParseError),
    NotAnObject,
    /// `version` is missing or not a number this program reads (the text
    /// found, if any).
    Version(Option<String>),
    /// `accounts` is missing or not a list.
    NoAccountList,
    TooManyAccounts {
        count: usize,
    },
    /// The entry at `index` (counting from 0) is wrong; `name` is what it
    /// gives as its name, if anything, cut to a readable length.
    Entry {
        index: usize,
        name: Option<String>,
        problem: EntryProblem,
    },
}

/// What is wrong with one entry of the file.
#[derive(Debug)]
pub enum EntryProblem {
    NotAnObject,
    Missing(&'static str),
    /// The field has the wrong JSON type (a string where a number belongs).
    WrongType {
        field: &'static str,
        expected: Expected,
    },
    BadName(NameError),
    /// A role other than `admin` or `member` (as found, cut short).
    UnknownRole(String),
    Verifier(VerifierError),
    /// Another entry, earlier in the file, has the same name in some case.
    Duplicate {
        first: usize,
    },
}

/// The accounts in the file at `path`: none when there is no file, a
/// [`FileProblem`] when it is not a valid file.
pub(super) fn read(path: &Path) -> Result<BTreeMap<String, Account>, FileProblem> {
    match read_limited(path)? {
        Some(bytes) => parse_file(&bytes),
        None => Ok(BTreeMap::new()),
    }
}

/// The file's bytes; `None` when there is no file.
fn read_limited(path: &Path) -> Result<Option<Vec<u8>>, FileProblem> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(FileProblem::Unreadable(e)),
    };
    // Ask the size first, so that a huge file is refused without reading
    // it; then read at most one byte past the limit, in case it grows.
    let len = file.metadata().map_err(FileProblem::Unreadable)?.len();
    if len > MAX_FILE_BYTES {
        return Err(FileProblem::TooLarge { len });
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(FileProblem::Unreadable)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(FileProblem::TooLarge {
            len: bytes.len() as u64,
        });
    }
    Ok(Some(bytes))
}

fn parse_file(bytes: &[u8]) -> Result<BTreeMap<String, Account>, FileProblem> {
    if bytes.is_empty() {
        return Err(FileProblem::Empty);
    }
    let value = json::parse(bytes).map_err(FileProblem::NotJson)?;
    let top = value.as_object().ok_or(FileProblem::NotAnObject)?;
    match top.get("version") {
        Some(v) if v.as_u64() == Some(FILE_VERSION) => {}
        Some(v) => return Err(FileProblem::Version(Some(clip(&v.to_string())))),
        None => return Err(FileProblem::Version(None)),
    }
    let entries = top
        .get("accounts")
        .and_then(Value::as_array)
        .ok_or(FileProblem::NoAccountList)?;
    if entries.len() > MAX_ACCOUNTS {
        return Err(FileProblem::TooManyAccounts {
            count: entries.len(),
        });
    }
    let mut accounts = BTreeMap::new();
    // Where each name was first seen, to report a duplicate well.
    let mut first_seen = BTreeMap::new();
    for (index, entry) in entries.iter().enumerate() {
        let bad = |problem| FileProblem::Entry {
            index,
            name: entry_name(entry),
            problem,
        };
        let account = parse_entry(entry).map_err(bad)?;
        let key = name_key(&account.name);
        if let Some(&first) = first_seen.get(&key) {
            return Err(bad(EntryProblem::Duplicate { first }));
        }
        first_seen.insert(key.clone(), index);
        accounts.insert(key, account);
    }
    Ok(accounts)
}

fn parse_entry(entry: &Value) -> Result<Account, EntryProblem> {
    let entry = entry.as_object().ok_or(EntryProblem::NotAnObject)?;
    let name = text_field(entry, NAME)?;
    check_name(name).map_err(EntryProblem::BadName)?;
    let role = text_field(entry, ROLE)?;
    let role = Role::from_word(role).ok_or_else(|| EntryProblem::UnknownRole(clip(role)))?;
    let iterations = entry
        .get(ITERATIONS)
        .ok_or(EntryProblem::Missing(ITERATIONS))?
        .as_u64()
        .ok_or(EntryProblem::WrongType {
            field: ITERATIONS,
            expected: Expected::WholeNumber,
        })?;
    let verifier = verifier_from_base64(
        text_field(entry, SALT)?,
        iterations,
        text_field(entry, STORED_KEY)?,
        text_field(entry, SERVER_KEY)?,
    )
    .map_err(EntryProblem::Verifier)?;
    Ok(Account {
        name: name.to_string(),
        role,
        verifier,
    })
}

fn text_field<'a>(entry: &'a Object, field: &'static str) -> Result<&'a str, EntryProblem> {
    entry
        .get(field)
        .ok_or(EntryProblem::Missing(field))?
        .as_str()
        .ok_or(EntryProblem::WrongType {
            field,
            expected: Expected::String,
        })
}

/// The name a bad entry gives, if any, for the error message.
fn entry_name(entry: &Value) -> Option<String> {
    let name = entry.as_object()?.get(NAME)?.as_str()?;
    Some(clip(name))
}

/// Text from a file that failed to load, cut to a length an error message
/// can carry (the file may hold a megabyte where a name belongs).
fn clip(text: &str) -> String {
    const MAX: usize = 40;
    match text.char_indices().nth(MAX) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

/// The file's text: the layout in the module documentation.
pub(super) fn encode(accounts: &BTreeMap<String, Account>) -> String {
    let mut out = format!("{{\"version\": {FILE_VERSION}, \"accounts\": [");
    for (i, account) in accounts.values().enumerate() {
        out.push_str(if i == 0 { "\n  " } else { ",\n  " });
        json::write_value(&entry_value(account), &mut out);
    }
    if !accounts.is_empty() {
        out.push('\n');
    }
    out.push_str("]}\n");
    out
}

fn entry_value(account: &Account) -> Value {
    let v = &account.verifier;
    let mut entry = Object::new();
    entry.insert(NAME, account.name.as_str());
    entry.insert(ROLE, account.role.as_str());
    entry.insert(SALT, base64::encode(&v.salt));
    entry.insert(ITERATIONS, v.iterations);
    entry.insert(STORED_KEY, base64::encode(&v.stored_key));
    entry.insert(SERVER_KEY, base64::encode(&v.server_key));
    Value::from(entry)
}
