//! Runs the `json` example (`docs/examples/json.rs`) the way its doc says
//! to: `cargo run -q --example json -- FILE`.
//!
//! `assert_cmd::Command::cargo_bin` only finds binaries, not examples, so
//! these tests start the same cargo that is running them (`$CARGO`) in the
//! crate's folder. The example is already built by `cargo test`, so each run
//! costs little more than cargo's up-to-date check.

use std::path::Path;
use std::process::Command;

use assert_cmd::prelude::*;
use predicates::prelude::*;
use tempfile::TempDir;

/// `cargo run -q --example json -- <args>`.
fn json_example(args: &[&std::ffi::OsStr]) -> Command {
    let mut command = Command::new(env!("CARGO"));
    command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["run", "-q", "--example", "json", "--"])
        .args(args);
    command
}

/// Writes `contents` to a file named `name` in `dir`, returning its path.
fn write_file(dir: &TempDir, name: &str, contents: &[u8]) -> std::path::PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, contents).expect("write a file in the temporary folder");
    path
}

fn run_on(path: &Path) -> assert_cmd::assert::Assert {
    json_example(&[path.as_os_str()]).assert()
}

#[test]
fn valid_file_is_printed_as_python_would() {
    let dir = TempDir::new().expect("temporary folder");
    let path = write_file(
        &dir,
        "message.json",
        "{\n  \"type\":\"TEXT\",\n  \"data\":\"你好 😀\",\n  \"metadata\":{\"to\":\"bob\",\"n\":[1,2]}\n}\n".as_bytes(),
    );
    run_on(&path).success().stdout(
        "{\"type\": \"TEXT\", \"data\": \"\\u4f60\\u597d \\ud83d\\ude00\", \"metadata\": {\"to\": \"bob\", \"n\": [1, 2]}}\n",
    );
}

#[test]
fn invalid_file_reports_the_error_and_its_offset() {
    let dir = TempDir::new().expect("temporary folder");
    let path = write_file(&dir, "bad.json", b"{\"type\" \"TEXT\"}");
    run_on(&path)
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(
            "expected ':' after object key at byte 8",
        ));
}

#[test]
fn hostile_file_is_an_error_not_a_crash() {
    let dir = TempDir::new().expect("temporary folder");
    let path = write_file(&dir, "deep.json", "[".repeat(100_000).as_bytes());
    run_on(&path)
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(
            "nesting deeper than 128 levels at byte 128",
        ));
}

#[test]
fn missing_file_exits_with_status_2() {
    let dir = TempDir::new().expect("temporary folder");
    let path = dir.path().join("no-such-file.json");
    run_on(&path)
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("cannot read"));
}

#[test]
fn wrong_arguments_exit_with_status_2() {
    json_example(&[])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("usage: json FILE"));
    json_example(&["a".as_ref(), "b".as_ref()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("usage: json FILE"));
}
