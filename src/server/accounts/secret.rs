//! The server's secret: made once, from the operating system's random
//! source, and kept in a file of its own beside the accounts file.
//!
//! # What it is for
//!
//! A login for a name nobody registered must look like a login for a real
//! account, or logging in would tell anyone who is registered (contract
//! §10). So the server answers an unknown name with a salt it *derives*
//! from the name and this secret ([`ServerSecret`]): the same salt every
//! time that name is tried, as a real account's salt is, and unguessable
//! without the secret.
//!
//! That only works if the secret outlives the process. A new secret at every
//! start would give every unknown name a new salt after a restart, while
//! registered names keep theirs: whoever noted a few salts before a restart
//! would see exactly which names are registered after it. So the secret is
//! written once, before the first account is, and read at every start
//! after that. (Until a first account exists there is nothing to give
//! away: every name is unknown, and a server that nobody registers with
//! leaves no files behind.)
//!
//! # Why a file of its own
//!
//! `accounts.secret` sits beside `accounts.json` (the accounts file's name
//! with the extension `.secret`), not inside it:
//!
//! - The accounts file holds, for each name, its role and its two verifiers,
//!   and nothing else (contract §10): what a person reads there, or diffs,
//!   or checks before sending it along with a bug report, is the accounts.
//! - The accounts file is rewritten on every change; the secret is written
//!   once and never again. Keeping it out of the rewrites means no rewrite,
//!   however it goes wrong, can lose it.
//!
//! Both files go together when the accounts move to another server: with
//! the accounts but without the secret, the new server would make a new
//! one, and unknown names' salts would change there while the registered
//! names' did not. Like the accounts file, it is readable by its owner only
//! (on Unix) and kept out of git.
//!
//! # The file
//!
//! One line: the 32 bytes as 64 lowercase hexadecimal digits. Anything
//! else refuses the server's start, like a damaged accounts file: making a
//! new secret over a damaged one would be the restart described above.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::rewrite::write_atomically;
use crate::crypto::scram::ServerSecret;
use crate::crypto::sha256::DIGEST_LEN;

/// The secret file that goes with the accounts file at `accounts`:
/// `accounts.json` → `accounts.secret`, in the same folder.
pub fn secret_path(accounts: &Path) -> PathBuf {
    let path = accounts.with_extension("secret");
    if path == accounts {
        // An accounts file called `x.secret`: do not share its name.
        let mut name = accounts.file_name().unwrap_or_default().to_os_string();
        name.push(".secret");
        return accounts.with_file_name(name);
    }
    path
}

/// Why the secret could not be read or made: the server does not start.
#[derive(Debug)]
pub struct SecretError {
    pub path: PathBuf,
    pub problem: SecretProblem,
}

/// What is wrong. The wording is in [`crate::text`].
#[derive(Debug)]
pub enum SecretProblem {
    /// The file could not be read, or a new one could not be written.
    Io(io::Error),
    /// The file is not one line of 64 hexadecimal digits.
    Malformed,
}

/// Reads the secret kept at `path`; `None` when there is no file yet.
pub fn load(path: &Path) -> Result<Option<ServerSecret>, SecretError> {
    let fail = |problem| SecretError {
        path: path.to_path_buf(),
        problem,
    };
    match fs::read(path) {
        Ok(bytes) => parse(&bytes)
            .map(Some)
            .ok_or_else(|| fail(SecretProblem::Malformed)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(fail(SecretProblem::Io(e))),
    }
}

/// Keeps `secret` at `path` (making its folder if need be), replacing the
/// file as the accounts file is replaced, so that a crash leaves it whole.
pub fn keep(path: &Path, secret: &ServerSecret) -> io::Result<()> {
    if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(folder)?;
    }
    write_atomically(path, encode(secret).as_bytes())
}

/// The file's text.
fn encode(secret: &ServerSecret) -> String {
    let mut text: String = secret
        .as_bytes()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    text.push('\n');
    text
}

/// The secret in the file's text; `None` unless it is exactly 64 lowercase
/// hexadecimal digits and a line ending.
fn parse(bytes: &[u8]) -> Option<ServerSecret> {
    let hex = bytes.strip_suffix(b"\n")?;
    if hex.len() != DIGEST_LEN * 2 {
        return None;
    }
    let mut secret = [0u8; DIGEST_LEN];
    for (byte, pair) in secret.iter_mut().zip(hex.chunks_exact(2)) {
        *byte = (digit(pair[0])? << 4) | digit(pair[1])?;
    }
    Some(ServerSecret::from_bytes(secret))
}

fn digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_sits_beside_the_accounts_file() {
        assert_eq!(
            secret_path(Path::new("files/accounts.json")),
            Path::new("files/accounts.secret")
        );
        assert_eq!(secret_path(Path::new("accts")), Path::new("accts.secret"));
        assert_eq!(
            secret_path(Path::new("x/a.secret")),
            Path::new("x/a.secret.secret")
        );
    }

    #[test]
    fn a_secret_kept_is_read_back() {
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("sub/accounts.secret");
        assert!(load(&path).unwrap().is_none());
        let first = ServerSecret::generate().unwrap();
        keep(&path, &first).unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert_eq!(text.len(), 65, "{text:?}");
        let again = load(&path).unwrap().expect("kept");
        assert_eq!(first.as_bytes(), again.as_bytes());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_damaged_secret_is_refused_not_replaced() {
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("accounts.secret");
        for damaged in [
            &b""[..],
            b"00\n",
            &[b'0'; 64],
            &[b'A'; 65],
            format!("{}\n\n", "0".repeat(64)).as_bytes(),
        ] {
            fs::write(&path, damaged).unwrap();
            let err = load(&path).unwrap_err();
            assert!(matches!(err.problem, SecretProblem::Malformed));
            assert_eq!(fs::read(&path).unwrap(), damaged, "left as it was");
        }
        fs::write(&path, format!("{}\n", "0f".repeat(32))).unwrap();
        let secret = load(&path).unwrap().expect("a secret");
        assert_eq!(secret.as_bytes(), &[0x0f; 32]);
    }
}
