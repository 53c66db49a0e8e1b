//! The generated Unicode tables are what their generator writes today.
//!
//! `src/unicode/tables.rs` and `tests/data/unicode_tables.txt` are both
//! written by `tests/data/gen_unicode.py`, and a unit test in
//! `src/unicode/mod.rs` checks the Rust lookups against the listing. This
//! test closes the loop: it runs the generator again, into a temporary
//! folder, and requires both files to come out byte for byte as committed,
//! so a hand edit of either file, or a change to the script that was not
//! followed by a run, fails here.
//!
//! It needs `python3` whose `unicodedata` has the Unicode version in the
//! tables' header (another version would rightly write other tables).
//! Without one it says so on stderr and checks nothing.

use std::path::Path;
use std::process::Command;

use socket_chat::unicode::UNICODE_VERSION;

const OUTPUTS: [&str; 2] = ["src/unicode/tables.rs", "tests/data/unicode_tables.txt"];

/// The Unicode version of the machine's `python3`, if it has one.
fn python_unicode_version() -> Option<String> {
    let output = Command::new("python3")
        .args([
            "-c",
            "import unicodedata; print(unicodedata.unidata_version)",
        ])
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

#[test]
fn the_generator_still_writes_the_committed_tables() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    match python_unicode_version() {
        None => {
            eprintln!("skipped: python3 is not installed, so the generator cannot be run");
            return;
        }
        Some(version) if version != UNICODE_VERSION => {
            eprintln!(
                "skipped: python3 has Unicode {version}, the tables were written from {UNICODE_VERSION}"
            );
            return;
        }
        Some(_) => {}
    }
    let out = tempfile::TempDir::new().expect("temp dir");
    let status = Command::new("python3")
        .arg(root.join("tests/data/gen_unicode.py"))
        .arg("--out")
        .arg(out.path())
        .status()
        .expect("run the generator");
    assert!(status.success(), "gen_unicode.py failed: {status}");
    for relative in OUTPUTS {
        let committed = std::fs::read(root.join(relative)).expect("committed file");
        let fresh = std::fs::read(out.path().join(relative)).expect("generated file");
        assert!(
            committed == fresh,
            "{relative} differs from what tests/data/gen_unicode.py writes now: \
             run `python3 tests/data/gen_unicode.py` and commit the result"
        );
    }
}
