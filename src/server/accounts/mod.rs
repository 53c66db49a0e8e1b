//! Registered names: the accounts file, and the one lock in front of it.
//!
//! A registered name belongs to whoever knows its password. The server must
//! check that knowledge without ever holding the password, so what it keeps
//! for each name is what SCRAM-SHA-256 calls the *verifiers* (contract §10):
//!
//! ```text
//! SaltedPassword = PBKDF2-HMAC-SHA-256(password, salt, iterations)
//! StoredKey      = SHA-256(HMAC(SaltedPassword, "Client Key"))
//! ServerKey      = HMAC(SaltedPassword, "Server Key")
//! ```
//!
//! The client computes them and sends them in `REGISTER`; the server stores
//! them as they came. Neither can be turned back into the password: that
//! would mean inverting SHA-256 or HMAC. What a stolen file *does* allow is
//! a dictionary attack, one guess per PBKDF2 run (so `iterations` sets the
//! price of each guess), and posing as this server to its users (ServerKey
//! signs the server's answer). That is why the file is written readable by
//! its owner only on Unix, and why it lives outside git (`.gitignore`).
//!
//! The store is three files, one job each:
//!
//! - `mod.rs` (this one): the accounts in memory, what a session and the
//!   console ask of them, and the checks on verifiers;
//! - `file.rs`: the file's layout, read and checked on load, and written;
//! - `rewrite.rs`: replacing a file so that a crash leaves it whole;
//! - `secret.rs`: the server's secret, which makes logins for unknown names
//!   look like real ones, kept in a file of its own beside this one.
//!
//! # One lock, and I/O under it
//!
//! [`Accounts`] keeps every account in memory behind one mutex. Lookups
//! ([`get`](Accounts::get), [`role`](Accounts::role), [`list`](Accounts::list))
//! only read memory. Changes ([`register`](Accounts::register),
//! [`change_password`](Accounts::change_password),
//! [`set_role`](Accounts::set_role), [`delete`](Accounts::delete)) rewrite
//! the file *while holding the lock*: that keeps the file in the order the
//! changes happened, and memory never says something the file does not. It
//! costs a login that arrives during a rewrite a wait: the rewrite's two
//! `fsync`s took about 10 ms on the virtual disk this was written on, with
//! 100 accounts (a lookup takes 0.2 µs). That is acceptable because changes
//! are rare (a registration, a password change, a command on the console)
//! and the file is small: about 200 bytes per account, at most
//! [`MAX_ACCOUNTS`] of them.
//!
//! Only one server process may use a file at a time: two would each rewrite
//! it from their own memory and lose each other's changes.

mod file;
mod rewrite;
mod secret;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::base64;
use crate::names::{NameError, check_name, name_key};
use crate::sync::lock;

pub use file::{EntryProblem, FILE_VERSION, FileProblem, LoadError, MAX_FILE_BYTES};
pub use rewrite::{temp_path, write_atomically};
pub use secret::{
    SecretError, SecretProblem, keep as keep_secret, load as load_secret, secret_path,
};

/// The bounds on verifiers are those [`crate::crypto::scram`] sets for
/// both sides of a login: a salt of at least 16 bytes (so that no two
/// accounts, here or on any other server, share one, and no table of
/// precomputed guesses serves more than one), at most 64; 4096 to 10 million
/// iterations (each one is work an attacker holding a stolen file repeats
/// for every guess; more than that would make the owner's every login a
/// long wait, and a client refuses it); keys of one SHA-256 output.
pub use crate::crypto::scram::{
    MAX_ITERATIONS, MAX_SALT_LEN, MIN_ITERATIONS, SALT_LEN as MIN_SALT_LEN, Verifier,
};
pub use crate::crypto::sha256::DIGEST_LEN as KEY_LEN;

/// How many accounts one server keeps. Each change rewrites the whole file,
/// so the bound also bounds the cost of a change (about 2 MB at the limit).
pub const MAX_ACCOUNTS: usize = 10_000;

// The keys of an entry in the file, which are also the metadata keys of
// `REGISTER` (contract §10).
const NAME: &str = "name";
const ROLE: &str = "role";
const SALT: &str = "salt";
const ITERATIONS: &str = "iterations";
const STORED_KEY: &str = "stored_key";
const SERVER_KEY: &str = "server_key";

/// What a registered account may do (contract §11). A name nobody
/// registered is a guest, which is a property of a connection, not of an
/// account, so it has no variant here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Admin,
    Member,
}

impl Role {
    /// The word for the role in the file, on the wire and on the console.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Member => "member",
        }
    }

    /// The role a word names: exactly `admin` or `member`, lower case, as
    /// the file and the wire spell them.
    pub fn from_word(word: &str) -> Option<Role> {
        match word {
            "admin" => Some(Role::Admin),
            "member" => Some(Role::Member),
            _ => None,
        }
    }
}

impl From<Role> for crate::message::Role {
    fn from(role: Role) -> Self {
        match role {
            Role::Admin => crate::message::Role::Admin,
            Role::Member => crate::message::Role::Member,
        }
    }
}

/// One of the three verifier fields that arrive as base64.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Salt,
    StoredKey,
    ServerKey,
}

impl Field {
    /// The field's key in the file and in `REGISTER`.
    pub fn key(self) -> &'static str {
        match self {
            Field::Salt => SALT,
            Field::StoredKey => STORED_KEY,
            Field::ServerKey => SERVER_KEY,
        }
    }
}

/// Why verifiers were refused, from `REGISTER` or from the file. The
/// wording is in [`crate::text`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifierError {
    BadBase64 {
        field: Field,
        error: base64::DecodeError,
    },
    /// A key that is not [`KEY_LEN`] bytes long.
    KeyLength {
        field: Field,
        len: usize,
    },
    SaltTooShort {
        len: usize,
    },
    SaltTooLong {
        len: usize,
    },
    TooFewIterations {
        iterations: u64,
    },
    TooManyIterations {
        iterations: u64,
    },
}

/// Checks a verifier against the bounds: what `REGISTER` must pass, and
/// every entry of the file. ([`Verifier::check`] applies the same bounds;
/// this says which one failed in the store's terms, and a test keeps the
/// two in agreement.)
pub fn check_verifier(verifier: &Verifier) -> Result<(), VerifierError> {
    check_bounds(verifier.salt.len(), u64::from(verifier.iterations))
}

fn check_bounds(salt_len: usize, iterations: u64) -> Result<(), VerifierError> {
    if salt_len < MIN_SALT_LEN {
        return Err(VerifierError::SaltTooShort { len: salt_len });
    }
    if salt_len > MAX_SALT_LEN {
        return Err(VerifierError::SaltTooLong { len: salt_len });
    }
    if iterations < u64::from(MIN_ITERATIONS) {
        return Err(VerifierError::TooFewIterations { iterations });
    }
    if iterations > u64::from(MAX_ITERATIONS) {
        return Err(VerifierError::TooManyIterations { iterations });
    }
    Ok(())
}

/// A verifier as `REGISTER` and the file carry it, three base64 texts and
/// a number, decoded and checked against the bounds.
pub fn verifier_from_base64(
    salt: &str,
    iterations: u64,
    stored_key: &str,
    server_key: &str,
) -> Result<Verifier, VerifierError> {
    let salt = decode(Field::Salt, salt)?;
    check_bounds(salt.len(), iterations)?;
    let stored_key = decode_key(Field::StoredKey, stored_key)?;
    let server_key = decode_key(Field::ServerKey, server_key)?;
    // In range: `check_bounds` has compared it with a `u32` maximum.
    let iterations = u32::try_from(iterations).unwrap_or(MAX_ITERATIONS);
    Ok(Verifier {
        salt,
        iterations,
        stored_key,
        server_key,
    })
}

fn decode(field: Field, text: &str) -> Result<Vec<u8>, VerifierError> {
    // A base64 text longer than the longest salt's cannot be a salt or a
    // key: refuse it before decoding (the frame limit already bounds it,
    // but the file is read with a larger limit).
    if text.len() > base64::encoded_len(MAX_SALT_LEN.max(KEY_LEN)) + 4 {
        return Err(match field {
            Field::Salt => VerifierError::SaltTooLong {
                len: base64::decoded_len_max(text.len()),
            },
            _ => VerifierError::KeyLength {
                field,
                len: base64::decoded_len_max(text.len()),
            },
        });
    }
    base64::decode(text).map_err(|error| VerifierError::BadBase64 { field, error })
}

fn decode_key(field: Field, text: &str) -> Result<[u8; KEY_LEN], VerifierError> {
    let bytes = decode(field, text)?;
    let len = bytes.len();
    bytes
        .try_into()
        .map_err(|_| VerifierError::KeyLength { field, len })
}

/// One registered name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The spelling it was registered with.
    pub name: String,
    pub role: Role,
    pub verifier: Verifier,
}

/// A line of the console's `/accounts`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub name: String,
    pub role: Role,
}

/// Why a change to the accounts was refused. The wording is in
/// [`crate::text`]; each maps to a protocol `ERROR` code where a client
/// asked for the change (`Taken` is `name_taken`, `BadName` is
/// `name_invalid`).
#[derive(Debug)]
pub enum AccountError {
    /// `register`: the name, or one with the same [`name_key`], is
    /// registered already.
    Taken,
    /// The name is not registered.
    NoSuchAccount,
    /// The name breaks the name rules (contract §4, §6).
    BadName(NameError),
    /// The verifier is weaker (or larger) than the bounds allow.
    Weak(VerifierError),
    /// The store holds [`MAX_ACCOUNTS`] already.
    Full,
    /// The file could not be rewritten; nothing changed, in the file or in
    /// memory.
    Save(io::Error),
}

/// Every registered account, and the file they are kept in.
pub struct Accounts {
    path: PathBuf,
    /// By [`name_key`]: a `BTreeMap`, so that the file lists accounts in a
    /// stable order and `/accounts` comes out sorted.
    accounts: Mutex<BTreeMap<String, Account>>,
}

impl Accounts {
    /// Reads the accounts file at `path`. A missing file is an empty store
    /// (the first change creates it); anything else that is not a valid file
    /// is a [`LoadError`], and the file is not touched.
    pub fn load(path: impl Into<PathBuf>) -> Result<Accounts, LoadError> {
        let path = path.into();
        match file::read(&path) {
            Ok(accounts) => Ok(Accounts {
                path,
                accounts: Mutex::new(accounts),
            }),
            Err(problem) => Err(LoadError { path, problem }),
        }
    }

    /// The file this store rewrites.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The account registered as `name`, or as a name with the same
    /// [`name_key`] (`alice` finds `Alice`).
    pub fn get(&self, name: &str) -> Option<Account> {
        lock(&self.accounts).get(&name_key(name)).cloned()
    }

    /// The role of the account registered as `name`; `None` for a guest.
    pub fn role(&self, name: &str) -> Option<Role> {
        lock(&self.accounts).get(&name_key(name)).map(|a| a.role)
    }

    /// How many accounts there are.
    pub fn len(&self) -> usize {
        lock(&self.accounts).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every account's name and role, in order of [`name_key`].
    pub fn list(&self) -> Vec<Listed> {
        lock(&self.accounts)
            .values()
            .map(|a| Listed {
                name: a.name.clone(),
                role: a.role,
            })
            .collect()
    }

    /// Registers a new name as a `member`. Refused when the name is
    /// registered already (by [`name_key`]): changing one's own password is
    /// [`change_password`](Accounts::change_password), which the session
    /// calls only for a connection logged in as that name.
    pub fn register(&self, name: &str, verifier: Verifier) -> Result<(), AccountError> {
        check_name(name).map_err(AccountError::BadName)?;
        check_verifier(&verifier).map_err(AccountError::Weak)?;
        self.change(|accounts| {
            let key = name_key(name);
            if accounts.contains_key(&key) {
                return Err(AccountError::Taken);
            }
            if accounts.len() >= MAX_ACCOUNTS {
                return Err(AccountError::Full);
            }
            let account = Account {
                name: name.to_string(),
                role: Role::Member,
                verifier,
            };
            accounts.insert(key, account);
            Ok(())
        })
    }

    /// Replaces the verifier of a registered name (a password change). The
    /// name's spelling and role stay as they were.
    pub fn change_password(&self, name: &str, verifier: Verifier) -> Result<(), AccountError> {
        check_verifier(&verifier).map_err(AccountError::Weak)?;
        self.change(|accounts| {
            let account = accounts
                .get_mut(&name_key(name))
                .ok_or(AccountError::NoSuchAccount)?;
            account.verifier = verifier;
            Ok(())
        })
    }

    /// Gives a registered name a role; returns the role it had. Setting the
    /// role it already has changes nothing and writes nothing.
    pub fn set_role(&self, name: &str, role: Role) -> Result<Role, AccountError> {
        let key = name_key(name);
        let before = lock(&self.accounts).get(&key).map(|a| a.role);
        match before {
            None => Err(AccountError::NoSuchAccount),
            Some(before) if before == role => Ok(before),
            Some(_) => self.change(|accounts| {
                let account = accounts.get_mut(&key).ok_or(AccountError::NoSuchAccount)?;
                Ok(std::mem::replace(&mut account.role, role))
            }),
        }
    }

    /// Deletes a registered name; returns what it was. The name is then
    /// free, for anyone, as a guest or to register.
    pub fn delete(&self, name: &str) -> Result<Account, AccountError> {
        self.change(|accounts| {
            accounts
                .remove(&name_key(name))
                .ok_or(AccountError::NoSuchAccount)
        })
    }

    /// Applies `apply` to a copy of the accounts, writes the copy to the
    /// file, and only then makes it the accounts in memory. A refused change
    /// or a failed write leaves both file and memory as they were. The copy
    /// costs no more than writing the file does.
    fn change<T>(
        &self,
        apply: impl FnOnce(&mut BTreeMap<String, Account>) -> Result<T, AccountError>,
    ) -> Result<T, AccountError> {
        let mut accounts = lock(&self.accounts);
        let mut next = accounts.clone();
        let result = apply(&mut next)?;
        write_atomically(&self.path, file::encode(&next).as_bytes()).map_err(AccountError::Save)?;
        *accounts = next;
        Ok(result)
    }
}
