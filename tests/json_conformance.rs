//! Conformance: the parser against the JSONTestSuite parsing corpus.
//!
//! The corpus (nst/JSONTestSuite) names each file by what a parser must do
//! with it: `y_*` must be accepted, `n_*` rejected, and `i_*` may go either
//! way, but must still be answered: no panic, no hang.
//!
//! The folder is named by the `JSON_TEST_SUITE` environment variable
//! (`.ci/run` sets it; a relative path is taken from the crate root). When
//! the variable is unset, the test says so and passes, so a plain
//! `cargo test` works without the corpus; when it is set, a missing or empty
//! folder is a failure.

use std::path::PathBuf;
use std::{env, fs};

use socket_chat::json;

/// How many files of each kind the corpus in `shared/json-test-suite` has.
/// A different count means the folder is not the corpus we expect (a
/// partial copy, another version), which is worth knowing.
const EXPECTED_ACCEPT: usize = 95;
const EXPECTED_REJECT: usize = 188;
const EXPECTED_EITHER: usize = 35;

#[test]
fn parser_conforms_to_json_test_suite() {
    let Some(folder) = env::var_os("JSON_TEST_SUITE") else {
        eprintln!("JSON_TEST_SUITE is not set: the JSONTestSuite conformance test did not run");
        return;
    };
    let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(folder);
    let entries = fs::read_dir(&folder).unwrap_or_else(|e| {
        panic!(
            "cannot read JSON_TEST_SUITE folder {}: {e}",
            folder.display()
        )
    });

    let mut names: Vec<String> = Vec::new();
    for entry in entries {
        let entry = entry.unwrap_or_else(|e| panic!("cannot list {}: {e}", folder.display()));
        names.push(entry.file_name().to_string_lossy().into_owned());
    }
    names.sort();

    let (mut accept, mut reject, mut either) = (0, 0, 0);
    let (mut either_accepted, mut either_rejected) = (0, 0);
    let mut failures = Vec::new();
    for name in &names {
        let path = folder.join(name);
        let bytes =
            fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let result = json::parse(&bytes);
        match name.split('_').next() {
            Some("y") => {
                accept += 1;
                if let Err(e) = result {
                    failures.push(format!("{name}: must be accepted, got {e}"));
                }
            }
            Some("n") => {
                reject += 1;
                if let Ok(value) = result {
                    let shown = json::to_string(&value);
                    let shown: String = shown.chars().take(80).collect();
                    failures.push(format!("{name}: must be rejected, parsed as {shown}"));
                }
            }
            Some("i") => {
                either += 1;
                match result {
                    Ok(_) => either_accepted += 1,
                    Err(_) => either_rejected += 1,
                }
            }
            _ => {} // README, LICENSE or anything else that is not a case
        }
    }

    eprintln!(
        "JSONTestSuite in {}: {accept} y accepted, {reject} n rejected, \
         {either} i answered ({either_accepted} accepted, {either_rejected} rejected)",
        folder.display()
    );
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        accept + reject,
        failures.join("\n")
    );
    assert!(
        accept > 0 && reject > 0 && either > 0,
        "{} lacks a category of cases (y: {accept}, n: {reject}, i: {either})",
        folder.display()
    );
    assert_eq!(
        (accept, reject, either),
        (EXPECTED_ACCEPT, EXPECTED_REJECT, EXPECTED_EITHER),
        "unexpected number of (y, n, i) cases in {}",
        folder.display()
    );
}
