//! The two small pieces every crash-safe file replacement here is built
//! from: the temporary name a new version is written under, beside the
//! file it will replace, and the `fsync` of a folder that makes a rename
//! in it durable.
//!
//! Two parts of the server replace a file whole: the accounts file on
//! every change (`accounts/rewrite.rs`) and a room's history when it is
//! compacted (`history/compact.rs`). Each tells the steps and what a crash
//! at each leaves behind; `docs/08-rooms-and-history.md` explains why a
//! rename is the commit point and why the folder needs its own sync.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

/// What a new version's name adds to the name it will take:
/// `accounts.json.tmp`, `room-x.jsonl.tmp`. Beside the file, because a
/// rename is only atomic within one file system, and another folder (such
/// as `/tmp`) may be on another one.
pub const TEMP_SUFFIX: &str = ".tmp";

/// The temporary name a new version of `path` is written under.
pub fn temp_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(TEMP_SUFFIX);
    PathBuf::from(name)
}

/// Makes a folder's entries (names created, renamed or removed) durable.
///
/// A file's name lives in its folder, which has dirty pages of its own:
/// after a rename, a power cut could still find the old name until the
/// folder is synced. On Unix a folder can be opened and `fsync`ed like a
/// file. On Windows, std cannot open a folder as a file (that needs a flag
/// it does not set), so there this does nothing and relies on NTFS, which
/// journals changes to names itself; a power cut right after a rename
/// might still undo it, which leaves the old file, whole.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_temp_name_is_beside_the_file() {
        let path = Path::new("files").join("accounts.json");
        assert_eq!(
            temp_path(&path),
            Path::new("files").join("accounts.json.tmp")
        );
    }

    #[test]
    fn a_folder_can_be_synced() {
        let dir = tempfile::tempdir().unwrap();
        sync_dir(dir.path()).unwrap();
    }
}
