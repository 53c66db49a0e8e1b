//! Tests of the accounts store: the file, its checks, its rewrites.

use std::fs::{self, File};
use std::path::{Path, PathBuf};

use super::*;
use crate::json;

fn verifiers(seed: u8) -> Verifier {
    verifier(vec![seed; 16], 4096, [seed; 32], [seed ^ 0xff; 32])
}

fn verifier(
    salt: Vec<u8>,
    iterations: u32,
    stored_key: [u8; 32],
    server_key: [u8; 32],
) -> Verifier {
    Verifier {
        salt,
        iterations,
        stored_key,
        server_key,
    }
}

fn store() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("accounts.json");
    (dir, path)
}

fn load_error(path: &Path) -> FileProblem {
    match Accounts::load(path) {
        Ok(_) => panic!("{} loaded", path.display()),
        Err(e) => {
            assert_eq!(e.path, path);
            e.problem
        }
    }
}

/// A valid entry's text with one field replaced.
fn entry_with(field: &str, value: &str) -> String {
    let salt = base64::encode(&[1; 16]);
    let key = base64::encode(&[2; 32]);
    let mut fields = [
        ("name", "\"alice\"".to_string()),
        ("role", "\"member\"".to_string()),
        ("salt", format!("\"{salt}\"")),
        ("iterations", "4096".to_string()),
        ("stored_key", format!("\"{key}\"")),
        ("server_key", format!("\"{key}\"")),
    ];
    for (k, v) in fields.iter_mut() {
        if *k == field {
            *v = value.to_string();
        }
    }
    let body: Vec<String> = fields
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("\"{k}\": {v}"))
        .collect();
    format!(
        "{{\"version\": 1, \"accounts\": [{{{}}}]}}",
        body.join(", ")
    )
}

fn entry_problem(path: &Path, text: &str) -> EntryProblem {
    fs::write(path, text).unwrap();
    match load_error(path) {
        FileProblem::Entry { index, problem, .. } => {
            assert_eq!(index, 0);
            problem
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_missing_file_is_an_empty_store_and_creates_nothing() {
    let (_dir, path) = store();
    let accounts = Accounts::load(&path).unwrap();
    assert!(accounts.is_empty());
    assert_eq!(accounts.get("alice"), None);
    assert!(!path.exists(), "loading must not create the file");
}

#[test]
fn registered_accounts_survive_a_reload() {
    let (_dir, path) = store();
    let accounts = Accounts::load(&path).unwrap();
    accounts.register("Alice", verifiers(1)).unwrap();
    accounts.register("李雷", verifiers(2)).unwrap();
    accounts.set_role("alice", Role::Admin).unwrap();

    let again = Accounts::load(&path).unwrap();
    let alice = again.get("ALICE").unwrap();
    assert_eq!(alice.name, "Alice", "the registered spelling is kept");
    assert_eq!(alice.role, Role::Admin);
    assert_eq!(alice.verifier, verifiers(1));
    assert_eq!(again.get("李雷").unwrap().verifier, verifiers(2));
    assert_eq!(again.role("李雷"), Some(Role::Member));
    assert_eq!(again.role("bob"), None);
}

#[test]
fn the_file_has_the_documented_layout_and_nothing_else() {
    let (_dir, path) = store();
    let accounts = Accounts::load(&path).unwrap();
    accounts.register("bob", verifiers(7)).unwrap();
    accounts.register("Alice", verifiers(1)).unwrap();
    let text = fs::read_to_string(&path).unwrap();
    let salt1 = base64::encode(&[1; 16]);
    let stored1 = base64::encode(&[1; 32]);
    let server1 = base64::encode(&[0xfe; 32]);
    let salt7 = base64::encode(&[7; 16]);
    let stored7 = base64::encode(&[7; 32]);
    let server7 = base64::encode(&[0xf8; 32]);
    assert_eq!(
        text,
        format!(
            "{{\"version\": 1, \"accounts\": [\n  \
             {{\"name\": \"Alice\", \"role\": \"member\", \"salt\": \"{salt1}\", \"iterations\": 4096, \"stored_key\": \"{stored1}\", \"server_key\": \"{server1}\"}},\n  \
             {{\"name\": \"bob\", \"role\": \"member\", \"salt\": \"{salt7}\", \"iterations\": 4096, \"stored_key\": \"{stored7}\", \"server_key\": \"{server7}\"}}\n\
             ]}}\n"
        )
    );
    // And it is JSON our own parser reads back.
    assert!(json::parse(text.as_bytes()).is_ok());
}

#[test]
fn an_empty_store_writes_an_empty_list() {
    let (_dir, path) = store();
    let accounts = Accounts::load(&path).unwrap();
    accounts.register("bob", verifiers(7)).unwrap();
    accounts.delete("BOB").unwrap();
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        "{\"version\": 1, \"accounts\": []}\n"
    );
    assert!(Accounts::load(&path).unwrap().is_empty());
}

#[test]
fn a_taken_name_is_refused_in_any_case_or_width() {
    let (_dir, path) = store();
    let accounts = Accounts::load(&path).unwrap();
    accounts.register("Alice", verifiers(1)).unwrap();
    for name in ["Alice", "alice", "ALICE", "aLiCe", "Ａｌｉｃｅ"] {
        assert!(matches!(
            accounts.register(name, verifiers(2)),
            Err(AccountError::Taken)
        ));
    }
    assert_eq!(accounts.get("alice").unwrap().verifier, verifiers(1));
    // Beyond ASCII, case does not fold: `Zoë` and `ZOË` are two names.
    accounts.register("Zoë", verifiers(3)).unwrap();
    accounts.register("ZOË", verifiers(4)).unwrap();
    assert_eq!(accounts.len(), 3);
}

#[test]
fn a_password_change_keeps_spelling_and_role() {
    let (_dir, path) = store();
    let accounts = Accounts::load(&path).unwrap();
    accounts.register("Alice", verifiers(1)).unwrap();
    accounts.set_role("Alice", Role::Admin).unwrap();
    accounts.change_password("alice", verifiers(9)).unwrap();
    let alice = Accounts::load(&path).unwrap().get("alice").unwrap();
    assert_eq!(alice.name, "Alice");
    assert_eq!(alice.role, Role::Admin);
    assert_eq!(alice.verifier, verifiers(9));
    assert!(matches!(
        accounts.change_password("nobody", verifiers(1)),
        Err(AccountError::NoSuchAccount)
    ));
}

#[test]
fn roles_change_and_report_what_they_were() {
    let (_dir, path) = store();
    let accounts = Accounts::load(&path).unwrap();
    accounts.register("bob", verifiers(1)).unwrap();
    assert_eq!(accounts.set_role("BOB", Role::Admin).unwrap(), Role::Member);
    assert_eq!(accounts.set_role("bob", Role::Admin).unwrap(), Role::Admin);
    assert_eq!(accounts.set_role("bob", Role::Member).unwrap(), Role::Admin);
    assert_eq!(
        Accounts::load(&path).unwrap().role("bob"),
        Some(Role::Member)
    );
    assert!(matches!(
        accounts.set_role("carol", Role::Admin),
        Err(AccountError::NoSuchAccount)
    ));
}

#[test]
fn delete_frees_the_name() {
    let (_dir, path) = store();
    let accounts = Accounts::load(&path).unwrap();
    accounts.register("bob", verifiers(1)).unwrap();
    assert_eq!(accounts.delete("Bob").unwrap().name, "bob");
    assert!(matches!(
        accounts.delete("bob"),
        Err(AccountError::NoSuchAccount)
    ));
    assert_eq!(Accounts::load(&path).unwrap().get("bob"), None);
    accounts.register("BOB", verifiers(2)).unwrap();
}

#[test]
fn list_is_sorted_by_name_key() {
    let (_dir, path) = store();
    let accounts = Accounts::load(&path).unwrap();
    for name in ["carol", "Bob", "alice"] {
        accounts.register(name, verifiers(1)).unwrap();
    }
    accounts.set_role("bob", Role::Admin).unwrap();
    let names: Vec<(String, Role)> = accounts
        .list()
        .into_iter()
        .map(|l| (l.name, l.role))
        .collect();
    assert_eq!(
        names,
        [
            ("alice".to_string(), Role::Member),
            ("Bob".to_string(), Role::Admin),
            ("carol".to_string(), Role::Member)
        ]
    );
}

#[test]
fn names_with_scram_specials_and_json_escapes_round_trip() {
    let (_dir, path) = store();
    let accounts = Accounts::load(&path).unwrap();
    let names = ["a=b", "x,y", "=2C,=3D", "quote\"back\\", "张伟", "😀emoji"];
    for (i, name) in names.iter().enumerate() {
        accounts.register(name, verifiers(i as u8)).unwrap();
    }
    let again = Accounts::load(&path).unwrap();
    for (i, name) in names.iter().enumerate() {
        let account = again.get(name).unwrap();
        assert_eq!(account.name, *name);
        assert_eq!(account.verifier, verifiers(i as u8));
    }
}

#[test]
fn names_the_rules_refuse_are_not_registered() {
    let (_dir, path) = store();
    let accounts = Accounts::load(&path).unwrap();
    for name in ["", "server", "with space", "@bob", &"x".repeat(33)] {
        assert!(matches!(
            accounts.register(name, verifiers(1)),
            Err(AccountError::BadName(_))
        ));
    }
    assert!(!path.exists());
}

#[test]
fn weak_verifiers_are_refused() {
    let key = [0; 32];
    let check =
        |salt_len, iterations| check_verifier(&verifier(vec![0; salt_len], iterations, key, key));
    assert_eq!(
        check(15, 4096),
        Err(VerifierError::SaltTooShort { len: 15 })
    );
    assert_eq!(check(65, 4096), Err(VerifierError::SaltTooLong { len: 65 }));
    assert_eq!(
        check(16, 4095),
        Err(VerifierError::TooFewIterations { iterations: 4095 })
    );
    assert_eq!(
        check(16, 10_000_001),
        Err(VerifierError::TooManyIterations {
            iterations: 10_000_001
        })
    );
    assert_eq!(check(16, 4096), Ok(()));
    assert_eq!(check(64, 10_000_000), Ok(()));
}

#[test]
fn the_store_and_scram_agree_on_what_is_weak() {
    let key = [0; 32];
    for salt_len in [0, 15, 16, 17, 63, 64, 65, 300] {
        for iterations in [0, 1, 4095, 4096, 600_000, 10_000_000, 10_000_001, u32::MAX] {
            let v = verifier(vec![0; salt_len], iterations, key, key);
            assert_eq!(
                check_verifier(&v).is_ok(),
                v.check().is_ok(),
                "salt {salt_len}, {iterations} iterations"
            );
        }
    }
}

#[test]
fn register_and_change_password_refuse_weak_verifiers() {
    let (_dir, path) = store();
    let accounts = Accounts::load(&path).unwrap();
    let weak = verifier(vec![0; 8], 4096, [0; 32], [0; 32]);
    assert!(matches!(
        accounts.register("alice", weak.clone()),
        Err(AccountError::Weak(VerifierError::SaltTooShort { len: 8 }))
    ));
    accounts.register("alice", verifiers(1)).unwrap();
    assert!(matches!(
        accounts.change_password("alice", weak),
        Err(AccountError::Weak(_))
    ));
    assert_eq!(accounts.get("alice").unwrap().verifier, verifiers(1));
}

#[test]
fn verifiers_from_base64_check_every_field() {
    let salt = base64::encode(&[1; 16]);
    let key = base64::encode(&[2; 32]);
    let short = base64::encode(&[2; 31]);
    let v = verifier_from_base64(&salt, 600_000, &key, &key).unwrap();
    assert_eq!(v, verifier(vec![1; 16], 600_000, [2; 32], [2; 32]));
    // Counts beyond a `u32` are refused, not wrapped.
    assert_eq!(
        verifier_from_base64(&salt, (1 << 32) + 4096, &key, &key),
        Err(VerifierError::TooManyIterations {
            iterations: (1 << 32) + 4096
        })
    );
    assert!(matches!(
        verifier_from_base64("not base64!", 4096, &key, &key),
        Err(VerifierError::BadBase64 {
            field: Field::Salt,
            ..
        })
    ));
    assert_eq!(
        verifier_from_base64(&salt, 4096, &short, &key),
        Err(VerifierError::KeyLength {
            field: Field::StoredKey,
            len: 31
        })
    );
    assert_eq!(
        verifier_from_base64(&salt, 4096, &key, &base64::encode(&[0; 33])),
        Err(VerifierError::KeyLength {
            field: Field::ServerKey,
            len: 33
        })
    );
    // A megabyte of base64 is refused before it is decoded.
    let huge = "A".repeat(1 << 20);
    assert!(matches!(
        verifier_from_base64(&huge, 4096, &key, &key),
        Err(VerifierError::SaltTooLong { .. })
    ));
    assert!(matches!(
        verifier_from_base64(&salt, 4096, &huge, &key),
        Err(VerifierError::KeyLength { .. })
    ));
}

#[test]
fn debug_output_never_shows_the_keys() {
    let v = verifier(vec![0xab; 16], 4096, [0xcd; 32], [0xef; 32]);
    let shown = format!("{v:?}");
    assert_eq!(shown, "Verifier { salt_len: 16, iterations: 4096, .. }");
}

#[test]
fn corrupt_files_are_refused_and_left_as_they_were() {
    let (_dir, path) = store();
    type Expected = fn(&FileProblem) -> bool;
    let cases: [(&[u8], Expected); 9] = [
        (b"", |p| matches!(p, FileProblem::Empty)),
        (b"{\"version\": 1, \"accounts\": [", |p| {
            matches!(p, FileProblem::NotJson(_))
        }),
        (b"\xff\xfe{}", |p| matches!(p, FileProblem::NotJson(_))),
        (b"[]", |p| matches!(p, FileProblem::NotAnObject)),
        (b"{\"accounts\": []}", |p| {
            matches!(p, FileProblem::Version(None))
        }),
        (
            b"{\"version\": 2, \"accounts\": []}",
            |p| matches!(p, FileProblem::Version(Some(v)) if v == "2"),
        ),
        (b"{\"version\": \"1\", \"accounts\": []}", |p| {
            matches!(p, FileProblem::Version(Some(_)))
        }),
        (b"{\"version\": 1}", |p| {
            matches!(p, FileProblem::NoAccountList)
        }),
        (b"{\"version\": 1, \"accounts\": {}}", |p| {
            matches!(p, FileProblem::NoAccountList)
        }),
    ];
    for (bytes, expected) in cases {
        fs::write(&path, bytes).unwrap();
        let problem = load_error(&path);
        assert!(expected(&problem), "{bytes:?}: {problem:?}");
        assert_eq!(fs::read(&path).unwrap(), bytes, "the file was changed");
    }
}

#[test]
fn bad_entries_are_reported_with_what_is_wrong() {
    let (_dir, path) = store();
    let short_salt = format!("\"{}\"", base64::encode(&[1; 15]));
    let short_key = format!("\"{}\"", base64::encode(&[1; 16]));
    let p = |field, value| entry_problem(&path, &entry_with(field, value));
    assert!(matches!(
        p("salt", &short_salt),
        EntryProblem::Verifier(VerifierError::SaltTooShort { len: 15 })
    ));
    assert!(matches!(
        p("stored_key", &short_key),
        EntryProblem::Verifier(VerifierError::KeyLength {
            field: Field::StoredKey,
            len: 16
        })
    ));
    assert!(matches!(
        p("server_key", "\"%%%%\""),
        EntryProblem::Verifier(VerifierError::BadBase64 {
            field: Field::ServerKey,
            ..
        })
    ));
    assert!(matches!(
        p("iterations", "4095"),
        EntryProblem::Verifier(VerifierError::TooFewIterations { iterations: 4095 })
    ));
    for bad in ["-5000", "4096.5", "\"4096\"", "1e400"] {
        assert!(matches!(
            p("iterations", bad),
            EntryProblem::WrongType {
                field: "iterations",
                ..
            }
        ));
    }
    assert!(matches!(
        p("role", "\"root\""),
        EntryProblem::UnknownRole(r) if r == "root"
    ));
    assert!(matches!(
        p("role", "\"Admin\""),
        EntryProblem::UnknownRole(_)
    ));
    assert!(matches!(p("role", ""), EntryProblem::Missing("role")));
    assert!(matches!(
        p("name", "\"server\""),
        EntryProblem::BadName(NameError::Reserved(_))
    ));
    assert!(matches!(
        p("name", "\"bell\\u0007\""),
        EntryProblem::BadName(_)
    ));
    assert!(matches!(
        p("name", "42"),
        EntryProblem::WrongType { field: "name", .. }
    ));
    assert!(matches!(
        entry_problem(&path, "{\"version\": 1, \"accounts\": [7]}"),
        EntryProblem::NotAnObject
    ));
}

#[test]
fn a_bad_entry_names_itself_cut_short() {
    let (_dir, path) = store();
    let long = "名".repeat(1000);
    fs::write(&path, entry_with("name", &format!("\"{long}\""))).unwrap();
    match load_error(&path) {
        FileProblem::Entry {
            name: Some(name),
            problem: EntryProblem::BadName(NameError::TooLong),
            ..
        } => assert_eq!(name, format!("{}…", "名".repeat(40))),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_name_twice_in_any_case_is_refused() {
    let (_dir, path) = store();
    let accounts = Accounts::load(&path).unwrap();
    accounts.register("alice", verifiers(1)).unwrap();
    let text = fs::read_to_string(&path).unwrap();
    let line = text.lines().nth(1).unwrap();
    let twice = text.replace(
        line,
        &format!("{line},\n  {}", line.replace("alice", "ALICE")),
    );
    fs::write(&path, &twice).unwrap();
    match load_error(&path) {
        FileProblem::Entry {
            index: 1,
            name: Some(name),
            problem: EntryProblem::Duplicate { first: 0 },
        } => assert_eq!(name, "ALICE"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_huge_file_is_refused_without_being_read() {
    let (_dir, path) = store();
    // A sparse file: 4 GiB long, taking no disk space. Reading it would
    // take seconds and all that memory; the size check takes neither.
    let file = File::create(&path).unwrap();
    file.set_len(4 << 30).unwrap();
    drop(file);
    assert!(matches!(
        load_error(&path),
        FileProblem::TooLarge { len } if len == 4 << 30
    ));
}

#[test]
fn a_folder_in_the_files_place_is_unreadable() {
    let (dir, _path) = store();
    assert!(matches!(load_error(dir.path()), FileProblem::Unreadable(_)));
}

#[test]
fn too_many_entries_are_refused() {
    let (_dir, path) = store();
    let entries = vec!["{}"; MAX_ACCOUNTS + 1].join(",");
    fs::write(
        &path,
        format!("{{\"version\": 1, \"accounts\": [{entries}]}}"),
    )
    .unwrap();
    assert!(matches!(
        load_error(&path),
        FileProblem::TooManyAccounts { count } if count == MAX_ACCOUNTS + 1
    ));
}

#[test]
fn a_crash_before_the_rename_leaves_the_old_file_and_a_temp_that_is_ignored() {
    let (_dir, path) = store();
    let accounts = Accounts::load(&path).unwrap();
    accounts.register("alice", verifiers(1)).unwrap();
    let before = fs::read(&path).unwrap();
    let temp = temp_path(&path);
    assert_eq!(temp.file_name().unwrap(), "accounts.json.tmp");
    assert!(!temp.exists(), "a finished rewrite leaves no temp file");

    // A crash during step 1: half a file under the temporary name.
    fs::write(&temp, &before[..before.len() / 2]).unwrap();
    let reloaded = Accounts::load(&path).unwrap();
    assert_eq!(reloaded.list().len(), 1);
    assert_eq!(fs::read(&path).unwrap(), before);

    // A crash after step 1's sync, before the rename: a whole, valid
    // temporary file with a change in it. Still the old file counts.
    let other = Accounts::load(dir_file(&path, "other.json")).unwrap();
    other.register("mallory", verifiers(6)).unwrap();
    fs::copy(other.path(), &temp).unwrap();
    let reloaded = Accounts::load(&path).unwrap();
    assert_eq!(reloaded.get("mallory"), None);
    assert!(reloaded.get("alice").is_some());

    // The next change replaces the leftover temporary file and carries on.
    reloaded.register("bob", verifiers(2)).unwrap();
    assert!(!temp.exists());
    let names: Vec<String> = Accounts::load(&path)
        .unwrap()
        .list()
        .into_iter()
        .map(|l| l.name)
        .collect();
    assert_eq!(names, ["alice", "bob"]);
}

fn dir_file(path: &Path, name: &str) -> PathBuf {
    path.with_file_name(name)
}

#[test]
fn a_failed_write_changes_nothing_in_memory() {
    let (dir, _path) = store();
    // The file's folder does not exist, so every rewrite fails.
    let path = dir.path().join("missing").join("accounts.json");
    let accounts = Accounts::load(&path).unwrap();
    assert!(matches!(
        accounts.register("alice", verifiers(1)),
        Err(AccountError::Save(_))
    ));
    assert_eq!(accounts.get("alice"), None);
    assert!(accounts.is_empty());
}

#[test]
fn a_failed_rewrite_keeps_the_old_state_everywhere() {
    let (_dir, path) = store();
    let accounts = Accounts::load(&path).unwrap();
    accounts.register("alice", verifiers(1)).unwrap();
    let before = fs::read(&path).unwrap();
    // A folder where the temporary file should go makes step 1 fail.
    let temp = temp_path(&path);
    fs::create_dir(&temp).unwrap();
    fs::write(temp.join("x"), "keeps the folder non-empty").unwrap();
    assert!(matches!(
        accounts.set_role("alice", Role::Admin),
        Err(AccountError::Save(_))
    ));
    assert_eq!(accounts.role("alice"), Some(Role::Member));
    assert_eq!(fs::read(&path).unwrap(), before);
}

#[cfg(unix)]
#[test]
fn the_file_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let (_dir, path) = store();
    let accounts = Accounts::load(&path).unwrap();
    accounts.register("alice", verifiers(1)).unwrap();
    let mode = fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn the_store_is_full_at_its_limit() {
    let (_dir, path) = store();
    // Write a file at the limit directly: registering 10,000 names one
    // rewrite at a time would take a while.
    let salt = base64::encode(&[1; 16]);
    let key = base64::encode(&[2; 32]);
    let entries: Vec<String> = (0..MAX_ACCOUNTS)
        .map(|i| {
            format!(
                "{{\"name\": \"user{i}\", \"role\": \"member\", \"salt\": \"{salt}\", \
                 \"iterations\": 4096, \"stored_key\": \"{key}\", \"server_key\": \"{key}\"}}"
            )
        })
        .collect();
    fs::write(
        &path,
        format!("{{\"version\": 1, \"accounts\": [{}]}}", entries.join(",")),
    )
    .unwrap();
    let accounts = Accounts::load(&path).unwrap();
    assert_eq!(accounts.len(), MAX_ACCOUNTS);
    assert!(matches!(
        accounts.register("one_more", verifiers(1)),
        Err(AccountError::Full)
    ));
    // A password change is not a new account.
    accounts.change_password("user7", verifiers(3)).unwrap();
    assert!(fs::metadata(&path).unwrap().len() < MAX_FILE_BYTES / 4);
}

#[test]
fn concurrent_registrations_all_land_in_the_file() {
    let (_dir, path) = store();
    let accounts = std::sync::Arc::new(Accounts::load(&path).unwrap());
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let accounts = accounts.clone();
            std::thread::spawn(move || {
                for i in 0..5 {
                    accounts
                        .register(&format!("t{t}_{i}"), verifiers(t as u8))
                        .unwrap();
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    assert_eq!(Accounts::load(&path).unwrap().len(), 40);
}

#[test]
fn load_errors_say_which_file_which_entry_and_what_without_raw_controls() {
    let (_dir, path) = store();
    fs::write(&path, entry_with("role", "\"\\u001b[2Jroot\"")).unwrap();
    let error = Accounts::load(&path).err().unwrap();
    let shown = error.to_string();
    assert!(shown.contains(&path.display().to_string()), "{shown}");
    assert!(shown.contains("account number 1 (\"alice\")"), "{shown}");
    assert!(shown.contains("\\u{1b}[2Jroot"), "{shown}");
    assert!(!shown.contains('\u{1b}'), "a raw escape reached the text");
    assert!(shown.ends_with("fixed or moved away."), "{shown}");
}
