//! Helpers for the file-transfer tests: files of seeded random bytes, the
//! path a client reports a file was saved to, and what is in a folder.

use std::fs;
use std::path::{Path, PathBuf};

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

/// A random generator for `test`, seeded so that every run sends the same
/// bytes (see [`super::seed`]).
pub fn seeded_rng(test: &str) -> StdRng {
    StdRng::seed_from_u64(super::seed(test, 0x6669_6c65)) // "file"
}

/// `size` random bytes.
pub fn random_bytes(rng: &mut StdRng, size: usize) -> Vec<u8> {
    let mut content = vec![0u8; size];
    rng.fill(&mut content[..]);
    content
}

/// Writes `content` to `path`, creating its folder first.
pub fn write_file(path: &Path, content: &[u8]) {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).expect("create folder for a test file");
    }
    fs::write(path, content).expect("write a test file");
}

/// Writes `size` random bytes to `path` and returns them, to compare with
/// what arrives.
pub fn write_random_file(rng: &mut StdRng, path: &Path, size: usize) -> Vec<u8> {
    let content = random_bytes(rng, size);
    write_file(path, &content);
    content
}

/// Asserts that the file at `path` holds exactly `expected`. On a mismatch
/// it names the first differing byte rather than printing megabytes.
pub fn assert_same_bytes(path: &Path, expected: &[u8]) {
    let actual = fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    if actual != expected {
        let first_difference = actual
            .iter()
            .zip(expected)
            .position(|(a, b)| a != b)
            .unwrap_or(actual.len().min(expected.len()));
        panic!(
            "{}: {} bytes, expected {}; first difference at byte {first_difference}",
            path.display(),
            actual.len(),
            expected.len()
        );
    }
}

/// The path in a client's `[file] received NAME from SENDER: … saved to
/// PATH, sha256 HEX` line.
pub fn saved_path(line: &str) -> PathBuf {
    let after = line
        .split_once(", saved to ")
        .unwrap_or_else(|| panic!("no saved path in {line:?}"))
        .1;
    let path = after
        .rsplit_once(", sha256 ")
        .unwrap_or_else(|| panic!("no sha256 in {line:?}"))
        .0;
    PathBuf::from(path)
}

/// The names in `dir`, sorted; empty if the folder does not exist.
pub fn file_names(dir: &Path) -> Vec<String> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .map(|e| e.expect("read folder entry").file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Every file (not folder) anywhere under `root`, as paths relative to
/// `root`, sorted.
pub fn files_under(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    // An explicit stack of folders still to visit, rather than recursion.
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in fs::read_dir(&folder).expect("read folder") {
            let path = entry.expect("read folder entry").path();
            if path.is_dir() {
                folders.push(path);
            } else {
                found.push(path.strip_prefix(root).expect("under root").to_path_buf());
            }
        }
    }
    found.sort();
    found
}
