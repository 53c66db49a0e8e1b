//! Replacing a file so that, whenever the process or the machine stops, it
//! is whole: the old text or the new one, never a mix and never nothing.
//!
//! [`write_atomically`] never writes over the old file. It writes the new
//! text to `accounts.json.tmp` beside it, forces it to disk, and renames it
//! over the old name; a crash at any moment leaves one whole file, old or
//! new. Its comments go through what a crash at each step leaves behind.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

use crate::server::durable::sync_dir;
pub use crate::server::durable::temp_path;

/// Replaces the file at `path` with `bytes` so that, whenever the process or
/// the machine stops, the file is whole: either the old text or the new one.
///
/// Writing over the file in place could leave half of each (the process
/// killed between two writes) or nothing at all (a power cut before the
/// data reached the disk). So the text goes to a new file first, and only a
/// rename, which the file system performs as one step, puts it in place.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let temp = temp_path(path);
    // Step 1: write the new text to the temporary file, in the same folder:
    // a rename is only atomic within one file system, and another folder
    // (`/tmp`) may be on another one. A crash during this step leaves the
    // old file untouched and a partial temporary file, which `load` never
    // reads and the next rewrite replaces.
    let written = write_temp(&temp, bytes);
    // Step 2: the rename. Before it, a crash leaves the old file; after it,
    // the new one. No reader ever sees a mix. (On Windows, std's `rename`
    // replaces an existing file too.)
    let renamed = written.and_then(|()| fs::rename(&temp, path));
    if let Err(e) = renamed {
        // Best effort: do not leave a temporary file behind a failure.
        let _ = fs::remove_file(&temp);
        return Err(e);
    }
    // Step 3: make the rename itself durable. The rename changed the
    // folder, not the file, and the folder's new entry can sit in memory
    // like any other write; after a power cut the folder could still name
    // the old file (whole, since it was never written to). Syncing the
    // folder closes that window. The rename is the commit point: the file
    // holds the new text now, so a failure here is not reported as a failed
    // change (some file systems cannot sync a folder at all).
    let _ = sync_folder(path);
    Ok(())
}

fn write_temp(temp: &Path, bytes: &[u8]) -> io::Result<()> {
    // A temporary file left by a crash may have another owner's mode; start
    // from a new file so that the mode below applies.
    match fs::remove_file(temp) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let mut file = private_options().write(true).create_new(true).open(temp)?;
    file.write_all(bytes)?;
    // `sync_all` waits until the bytes are on the disk. Without it, the
    // rename could reach the disk before the data does, and a power cut
    // would leave a file under the real name that is empty or short: the
    // one outcome the whole procedure exists to prevent.
    file.sync_all()
    // The file is closed here, before the rename: Windows will not rename
    // a file that is open.
}

/// Options for a file only its owner can read: the verifiers are worth
/// stealing (see the module documentation).
#[cfg(unix)]
fn private_options() -> OpenOptions {
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = OpenOptions::new();
    options.mode(0o600);
    options
}

/// Elsewhere a new file gets the folder's permissions; on Windows a user's
/// files are private to that user by default.
#[cfg(not(unix))]
fn private_options() -> OpenOptions {
    OpenOptions::new()
}

/// Flushes the folder holding `path`, so that a rename in it is durable.
fn sync_folder(path: &Path) -> io::Result<()> {
    match path.parent() {
        Some(folder) if !folder.as_os_str().is_empty() => sync_dir(folder),
        _ => sync_dir(Path::new(".")),
    }
}
