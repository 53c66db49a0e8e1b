//! The course in `docs/` cannot drift from the code: this test reads every
//! page (and `README.md`) and checks what the pages show.
//!
//! The pages follow a few conventions so that it can:
//!
//! - **Shell commands.** Every line of a ```` ```sh ```` or ```` ```bash ````
//!   block is one command (a trailing `# comment` is allowed). In a
//!   ```` ```console ```` block, a line starting with `$ ` is a command and
//!   the lines after it, up to the next `$ `, are exactly what it prints.
//!   Every command must be listed in `docs/commands.txt`, the one place the
//!   pages draw their commands from, with a tag that says how it is checked:
//!   - `run`: it finishes by itself. It is run from the repository root and
//!     must exit with status 0 (`run:N`: with status N); when a console
//!     block shows its output, the output must match, line for line.
//!   - `server`: it talks to a chat server on `localhost:8888`. The test
//!     starts a server on a free port, puts that port in place of `8888`,
//!     and then treats the command like `run`.
//!   - `long`: it starts a program that runs until it is stopped
//!     (`make run-server`, `make run-client NAME=Bob`). The test works out
//!     the program and arguments (through `make -n` for `make` commands),
//!     starts that binary on a free port, waits until it is ready, and
//!     stops it the polite way (`/quit`), expecting status 0.
//!   - `dry`: a `make` target that would change files or take minutes
//!     (`make fmt`, `make bench`); `make -n` must accept it.
//!   - `test`: `cargo test` itself, which is what runs this file: its test
//!     targets must exist.
//! - **Rust code.** Every ```` ```rust ```` block starts with a comment line.
//!   `// illustrative` marks code that is not meant to compile as shown
//!   (usually the tempting wrong version of something). `// PATH` names a
//!   file of this repository that the block quotes: the rest of the block,
//!   cut into pieces at `// ...` lines, must appear in that file verbatim
//!   (indentation aside, and doc-comment markers aside for doctests).
//! - **Traces.** A `[trace]` line pasted into a page, and the hex dump under
//!   it, must be exactly what `--trace` prints for that frame.
//! - **Links** to files of the repository must point at files that exist.
//! - Every numbered chapter ends with exercises, and the places left for
//!   benchmark figures (`<!-- bench:... -->`) are still there.
//! - **Glossary.** Every numbered chapter links to the Chinese glossary,
//!   `docs/zh/glossary.md`, in its first lines, and the glossary links to
//!   every chapter. The pages in `docs/zh/` are checked like the others.
//!
//! - **Both languages.** Every command runs in an English locale unless it
//!   sets its own in front (`LANG=zh_CN.UTF-8 make run-server`, as the
//!   Chinese pages do) or passes `--lang`; a `long` command that speaks
//!   Chinese is waited for by its Chinese first line.
//!
//! Commands run with `sh`, so this test is for Unix-like systems. It never
//! starts `cargo run` inside the test: the programs are the binaries cargo
//! built for this test (`CARGO_BIN_EXE_*`), and the examples are built once,
//! with `cargo build -q --examples`, which cannot wait on the outer cargo
//! because cargo has finished building before it runs any test. Python is
//! only used to show that our JSON matches Python's; without `python3`
//! those commands are skipped, with a note on stderr.
//!
//! The small programs the chapters quote to prove a point (such as
//! `read_exact` losing bytes on a timeout) are the tests in
//! `tests/docs/lessons.rs`, so they are compiled and run here too.

#![cfg(unix)]

mod common;
#[path = "docs/lessons.rs"]
mod lessons;

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc::channel;
use std::time::Duration;

use socket_chat::json::{self, Value};
use socket_chat::trace::{Direction, Trace};

use common::Proc;

/// How long a command that finishes by itself may take.
const COMMAND_DEADLINE: Duration = Duration::from_secs(120);

/// The port the pages use; `server` and `long` commands get a free one.
const DOCS_PORT: &str = "8888";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

// ---------------------------------------------------------------------------
// Reading the pages
// ---------------------------------------------------------------------------

/// A page of the course, or the README.
struct Page {
    /// Relative to the repository root, for messages.
    path: PathBuf,
    text: String,
}

/// `docs/*.md`, the Chinese pages `docs/zh/*.md`, and `README.md`.
fn pages() -> Vec<Page> {
    let mut paths: Vec<PathBuf> = ["docs", "docs/zh"]
        .into_iter()
        .flat_map(|dir| {
            fs::read_dir(root().join(dir))
                .unwrap_or_else(|e| panic!("read {dir}/: {e}"))
                .map(|entry| entry.expect("docs/ entry").path())
        })
        .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
        .map(|path| {
            path.strip_prefix(root())
                .expect("inside root")
                .to_path_buf()
        })
        .collect();
    paths.sort();
    paths.push(PathBuf::from("README.md"));
    paths
        .into_iter()
        .map(|path| Page {
            text: fs::read_to_string(root().join(&path))
                .unwrap_or_else(|e| panic!("read {}: {e}", path.display())),
            path,
        })
        .collect()
}

/// A fenced code block.
struct Block {
    /// `docs/02-message-boundaries.md:41`, the line of the opening fence.
    at: String,
    lang: String,
    lines: Vec<String>,
}

/// The fenced code blocks of a page, with the fence's indentation removed
/// (a block inside a list item is indented).
fn blocks(page: &Page) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut open: Option<(Block, usize)> = None;
    for (number, line) in page.text.lines().enumerate() {
        let trimmed = line.trim_start();
        match open.take() {
            None => {
                // As in CommonMark, a backtick fence's info string has no
                // backticks (so ```` ```sh ```` in running text is no fence).
                if let Some(info) = trimmed.strip_prefix("```").filter(|i| !i.contains('`')) {
                    let block = Block {
                        at: format!("{}:{}", page.path.display(), number + 1),
                        lang: info.trim().to_string(),
                        lines: Vec::new(),
                    };
                    open = Some((block, line.len() - trimmed.len()));
                }
            }
            Some((mut block, indent)) => {
                if trimmed.trim_end() == "```" {
                    blocks.push(block);
                } else {
                    let cut = line
                        .char_indices()
                        .take_while(|&(i, c)| i < indent && c == ' ')
                        .count();
                    block.lines.push(line[cut..].to_string());
                    open = Some((block, indent));
                }
            }
        }
    }
    if let Some((block, _)) = open {
        panic!("{}: code block never closed", block.at);
    }
    blocks
}

/// A shell command as a page shows it.
struct DocCommand {
    at: String,
    text: String,
    /// What a console block shows it printing.
    output: Option<Vec<String>>,
}

/// Removes a trailing ` # comment` that is outside quotes.
fn strip_comment(line: &str) -> &str {
    let mut quote = None;
    let mut previous = ' ';
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (None, '#') if previous.is_whitespace() => return line[..i].trim_end(),
            _ => {}
        }
        previous = c;
    }
    line.trim_end()
}

fn doc_commands(pages: &[Page]) -> Vec<DocCommand> {
    let mut commands = Vec::new();
    for page in pages {
        for block in blocks(page) {
            match block.lang.as_str() {
                "sh" | "bash" | "shell" => {
                    for line in &block.lines {
                        let line = line.trim();
                        if line.is_empty() || line.starts_with('#') {
                            continue;
                        }
                        assert!(
                            !line.starts_with("$ "),
                            "{}: `$ ` prompts belong in console blocks: {line}",
                            block.at
                        );
                        commands.push(DocCommand {
                            at: block.at.clone(),
                            text: strip_comment(line).to_string(),
                            output: None,
                        });
                    }
                }
                "console" => {
                    for line in &block.lines {
                        if let Some(command) = line.strip_prefix("$ ") {
                            commands.push(DocCommand {
                                at: block.at.clone(),
                                text: strip_comment(command.trim()).to_string(),
                                output: Some(Vec::new()),
                            });
                        } else {
                            let Some(last) = commands.last_mut().filter(|c| c.at == block.at)
                            else {
                                panic!("{}: console block must start with `$ `", block.at);
                            };
                            if let Some(output) = last.output.as_mut() {
                                output.push(line.clone());
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
    for command in &commands {
        assert!(
            !command.text.ends_with('\\'),
            "{}: write each command on one line: {}",
            command.at,
            command.text
        );
    }
    commands
}

/// How `docs/commands.txt` says a command is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    Run(i32),
    Server,
    Long,
    Dry,
    Test,
}

/// `docs/commands.txt`: command → tag, in file order.
fn known_commands() -> Vec<(String, Tag)> {
    let text = fs::read_to_string(root().join("docs/commands.txt")).expect("docs/commands.txt");
    let mut known = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (tag, command) = line
            .split_once(char::is_whitespace)
            .unwrap_or_else(|| panic!("docs/commands.txt:{}: no command", number + 1));
        let tag = match tag {
            "run" => Tag::Run(0),
            "server" => Tag::Server,
            "long" => Tag::Long,
            "dry" => Tag::Dry,
            "test" => Tag::Test,
            _ => match tag.strip_prefix("run:").and_then(|n| n.parse().ok()) {
                Some(status) => Tag::Run(status),
                None => panic!("docs/commands.txt:{}: unknown tag {tag:?}", number + 1),
            },
        };
        let command = command.trim().to_string();
        assert!(
            !known.iter().any(|(c, _)| *c == command),
            "docs/commands.txt:{}: listed twice: {command}",
            number + 1
        );
        known.push((command, tag));
    }
    known
}

/// Every command in the pages with its tag, in page order; panics on a
/// command `docs/commands.txt` does not list.
fn tagged_commands() -> Vec<(DocCommand, Tag)> {
    let known: HashMap<String, Tag> = known_commands().into_iter().collect();
    doc_commands(&pages())
        .into_iter()
        .map(|command| {
            let tag = *known.get(&command.text).unwrap_or_else(|| {
                panic!(
                    "{}: `{}` is not in docs/commands.txt (misspelt, or add it there)",
                    command.at, command.text
                )
            });
            (command, tag)
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Running commands
// ---------------------------------------------------------------------------

/// Quotes a word for `sh`.
fn sh_quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

/// `cargo run [-q|--quiet] (--bin|--example) NAME [-- ARGS]`, taken apart:
/// (`bin` or `example`, NAME, the ARGS text as written).
fn cargo_run(command: &str) -> Option<(&'static str, String, String)> {
    let (head, args) = match command.split_once(" -- ") {
        Some((head, args)) => (head, args.to_string()),
        None => (command, String::new()),
    };
    let mut words = head.split_whitespace();
    if (words.next(), words.next()) != (Some("cargo"), Some("run")) {
        return None;
    }
    let mut target = None;
    while let Some(word) = words.next() {
        match word {
            "-q" | "--quiet" => {}
            "--bin" => target = Some(("bin", words.next()?.to_string())),
            "--example" => target = Some(("example", words.next()?.to_string())),
            other => panic!("`{command}`: this test does not know cargo's {other}"),
        }
    }
    let (kind, name) = target?;
    Some((kind, name, args))
}

/// The binaries cargo built for this test.
fn binary(name: &str) -> PathBuf {
    PathBuf::from(match name {
        "chat-server" => env!("CARGO_BIN_EXE_chat-server"),
        "chat-client" => env!("CARGO_BIN_EXE_chat-client"),
        other => panic!("no binary named {other}"),
    })
}

/// The example programs, built once: example name → executable.
///
/// Cargo has finished building by the time tests run, so this nested
/// `cargo build` does not wait on the outer one. `--message-format=json`
/// tells us where each executable went, whatever the target directory is;
/// the library's own JSON parser reads the answer.
fn examples() -> &'static HashMap<String, PathBuf> {
    static EXAMPLES: OnceLock<HashMap<String, PathBuf>> = OnceLock::new();
    EXAMPLES.get_or_init(|| {
        let output = Command::new(env!("CARGO"))
            .current_dir(root())
            .args(["build", "-q", "--examples", "--message-format=json"])
            .stdin(Stdio::null())
            .output()
            .expect("run cargo build --examples");
        assert!(
            output.status.success(),
            "cargo build --examples failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let mut found = HashMap::new();
        for line in String::from_utf8_lossy(&output.stdout).lines() {
            // One JSON object per line; an example's artifact names its
            // executable.
            let Ok(message) = json::parse(line.as_bytes()) else {
                continue;
            };
            let get = |value: &Value, key: &str| value.as_object()?.get(key).cloned();
            let Some(target) = get(&message, "target") else {
                continue;
            };
            let is_example = get(&target, "kind")
                .and_then(|kinds| {
                    let kinds = kinds.as_array()?.to_vec();
                    Some(kinds.iter().any(|k| k.as_str() == Some("example")))
                })
                .unwrap_or(false);
            let name = get(&target, "name").and_then(|n| n.as_str().map(str::to_string));
            let executable =
                get(&message, "executable").and_then(|e| e.as_str().map(PathBuf::from));
            if let (true, Some(name), Some(executable)) = (is_example, name, executable) {
                found.insert(name, executable);
            }
        }
        found
    })
}

/// The shell text that runs `command` without cargo: a `cargo run` becomes
/// the built program itself.
fn without_cargo(command: &str) -> String {
    match cargo_run(command) {
        Some((kind, name, args)) => {
            let program = match kind {
                "bin" => binary(&name),
                _ => examples()
                    .get(&name)
                    .unwrap_or_else(|| panic!("cargo built no example named {name}"))
                    .clone(),
            };
            format!("{} {args}", sh_quote(&program.to_string_lossy()))
        }
        None => command.to_string(),
    }
}

/// The locale every command runs in unless it sets its own (as the
/// Chinese pages do, `LANG=zh_CN.UTF-8 make run-server`): English, so that
/// what a page shows does not depend on the locale of whoever runs the
/// tests. `LC_ALL` and `LC_MESSAGES` would override `LANG`, so they go.
fn pin_locale(command: &mut Command) -> &mut Command {
    command
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C.UTF-8")
}

/// A `sh` command in the repository root, with `make` unaware that it runs
/// under cargo.
fn sh(script: &str) -> Command {
    let mut command = Command::new("sh");
    pin_locale(&mut command)
        .arg("-c")
        .arg(script)
        .current_dir(root())
        .env_remove("MAKEFLAGS")
        .env_remove("MFLAGS")
        .env_remove("MAKELEVEL")
        .stdin(Stdio::null());
    command
}

/// `LANG=zh_CN.UTF-8 make run-server`, taken apart: the variables set in
/// front of a command (`NAME=VALUE` words), and the command itself.
fn with_env(command: &str) -> (Vec<(String, String)>, &str) {
    let mut env = Vec::new();
    let mut rest = command;
    while let Some((word, after)) = rest.split_once(' ') {
        match word.split_once('=') {
            Some((name, value))
                if !name.is_empty() && name.chars().all(|c| c.is_ascii_uppercase() || c == '_') =>
            {
                env.push((name.to_string(), value.to_string()));
                rest = after;
            }
            _ => break,
        }
    }
    (env, rest)
}

/// Runs `script` to its end (stdout and stderr together, as a terminal
/// shows them) within [`COMMAND_DEADLINE`]; returns its status and output.
fn run_script(script: &str) -> (i32, String) {
    let mut child = sh(&format!("exec {script} 2>&1"))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start sh for `{script}`: {e}"));
    let mut stdout = child.stdout.take().expect("piped stdout");
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        let mut output = Vec::new();
        let _ = stdout.read_to_end(&mut output);
        let _ = tx.send(output);
    });
    // The pipe closes when the program exits (or closes it), so waiting for
    // the output is waiting for the program.
    let output = match rx.recv_timeout(COMMAND_DEADLINE) {
        Ok(output) => output,
        Err(_) => {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`{script}` did not finish within {COMMAND_DEADLINE:?}");
        }
    };
    let status = child.wait().expect("wait for sh");
    let code = status.code().unwrap_or(-1);
    (code, String::from_utf8_lossy(&output).into_owned())
}

/// Compares what a command printed with what its page shows, ignoring
/// trailing whitespace on each line.
fn check_output(command: &DocCommand, expected: &[String], actual: &str) {
    let expected: Vec<&str> = expected.iter().map(|l| l.trim_end()).collect();
    let actual: Vec<&str> = actual.lines().map(str::trim_end).collect();
    if expected == actual {
        return;
    }
    let first_difference = expected
        .iter()
        .zip(&actual)
        .position(|(e, a)| e != a)
        .unwrap_or(expected.len().min(actual.len()));
    panic!(
        "{}: `{}` printed something other than what the page shows (first difference at output line {}).\n\
         --- the page shows:\n{}\n--- the command printed:\n{}",
        command.at,
        command.text,
        first_difference + 1,
        expected.join("\n"),
        actual.join("\n")
    );
}

/// Whether `program` can be started at all.
fn have(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs one `run` or `server` command (in its server-port form) and checks
/// its status and output.
fn run_and_check(command: &DocCommand, script: &str, status: i32) {
    let (code, output) = run_script(&without_cargo(script));
    assert_eq!(
        code, status,
        "{}: `{}` exited with status {code}, the docs expect {status}. It printed:\n{output}",
        command.at, command.text
    );
    if let Some(expected) = &command.output {
        check_output(command, expected, &output);
    }
}

/// Skips commands that need Python when there is none, saying so: Python is
/// only used to show that our JSON matches Python's.
fn runnable(command: &DocCommand) -> bool {
    static PYTHON: OnceLock<bool> = OnceLock::new();
    if command.text.starts_with("python3 ") && !*PYTHON.get_or_init(|| have("python3")) {
        eprintln!(
            "{}: skipped, python3 is not installed: {}",
            command.at, command.text
        );
        return false;
    }
    true
}

/// `make -n ARGS`: the commands make would run.
fn make_dry_run(make_command: &str) -> String {
    let args = make_command
        .strip_prefix("make ")
        .unwrap_or_else(|| panic!("not a make command: {make_command}"));
    let (code, output) = run_script(&format!("make -n {args}"));
    assert_eq!(code, 0, "`make -n {args}` failed:\n{output}");
    assert!(
        !output.trim().is_empty(),
        "`make -n {args}` would run nothing"
    );
    output
}

/// What a `long` command starts: (`chat-server` or `chat-client`, its
/// arguments, the variables the command sets for it).
fn long_program(command: &str) -> (String, Vec<String>, Vec<(String, String)>) {
    let (env, command) = with_env(command);
    let direct = if command.starts_with("make ") {
        let recipe = make_dry_run(command);
        let lines: Vec<&str> = recipe.lines().collect();
        assert_eq!(
            lines.len(),
            1,
            "`{command}` should run one program; make -n says:\n{recipe}"
        );
        lines[0].trim().to_string()
    } else {
        command.to_string()
    };
    let (kind, name, args) = cargo_run(&direct)
        .unwrap_or_else(|| panic!("`{command}` does not start a program with cargo run"));
    assert_eq!(kind, "bin", "`{command}` starts an example, not a program");
    assert!(
        !args.contains(['\'', '"', '\\', '$']),
        "keep the arguments of `{command}` free of quotes"
    );
    (
        name,
        args.split_whitespace().map(str::to_string).collect(),
        env,
    )
}

/// Whether a program started with `args` and the variables `env` speaks
/// Chinese: `--lang zh`, or no `--lang` and a Chinese `LANG`.
fn speaks_chinese(args: &[String], env: &[(String, String)]) -> bool {
    let lang = args
        .iter()
        .position(|a| a == "--lang")
        .and_then(|i| args.get(i + 1).cloned())
        .or_else(|| {
            args.iter()
                .find_map(|a| a.strip_prefix("--lang=").map(str::to_string))
        });
    match lang {
        Some(lang) => lang == "zh",
        None => env.iter().any(|(n, v)| n == "LANG" && v.starts_with("zh")),
    }
}

/// Starts a `long` command's program on a free port, waits until it is
/// ready, and stops it with `/quit`.
fn start_and_stop(command: &DocCommand) {
    let (name, args, env) = long_program(&command.text);
    let chinese = speaks_chinese(&args, &env);
    let dir = tempfile::TempDir::new().expect("temp dir");
    let tracing = args.iter().any(|a| a.starts_with("--trace"));
    // A flag given after the page's own arguments wins, as in any
    // program that reads its flags in order.
    match name.as_str() {
        "chat-server" => {
            let mut program = Command::new(binary(&name));
            pin_locale(&mut program)
                .envs(env.iter().map(|(n, v)| (n, v)))
                .args(&args)
                .args(["--port", "0"])
                .current_dir(dir.path());
            let mut server = Proc::spawn(&command.text, program);
            server.expect(if chinese { "监听 " } else { "listening on " });
            server.send("/quit");
            let status = server.wait_exit();
            assert!(
                status.success(),
                "{}: `{}` {status}",
                command.at,
                command.text
            );
        }
        "chat-client" => {
            let server = common::Server::start(&[]);
            let mut program = Command::new(binary(&name));
            pin_locale(&mut program)
                .envs(env.iter().map(|(n, v)| (n, v)))
                .args(&args)
                .args(["--port", &server.port.to_string(), "--host", "127.0.0.1"])
                .current_dir(dir.path());
            let mut client = Proc::spawn(&command.text, program);
            // The name to type if the client asks for one; a client that
            // was given a name sends it as a chat line instead.
            client.send("Alice");
            client.expect(if chinese {
                "已连接到服务器 127.0.0.1:"
            } else {
                "Connected to 127.0.0.1:"
            });
            if tracing {
                client.expect_err("[trace] -> 127.0.0.1:");
            }
            client.send("/quit");
            let status = client.wait_exit();
            assert!(
                status.success(),
                "{}: `{}` {status}",
                command.at,
                command.text
            );
        }
        other => panic!("{}: `{}` starts {other}", command.at, command.text),
    }
}

// ---------------------------------------------------------------------------
// The checks
// ---------------------------------------------------------------------------

#[test]
fn every_command_in_the_docs_is_a_known_command() {
    let tagged = tagged_commands();
    let used: BTreeSet<&str> = tagged.iter().map(|(c, _)| c.text.as_str()).collect();
    for (command, _) in known_commands() {
        assert!(
            used.contains(command.as_str()),
            "docs/commands.txt lists `{command}`, which no page uses any more"
        );
    }
    for (command, tag) in &tagged {
        if command.output.as_ref().is_some_and(|o| !o.is_empty()) {
            assert!(
                matches!(tag, Tag::Run(_) | Tag::Server),
                "{}: `{}` does not finish by itself, so its output cannot be checked: \
                 show it in a text block instead",
                command.at,
                command.text
            );
        }
    }
}

#[test]
fn every_make_target_and_every_example_is_in_the_docs() {
    let known = known_commands();
    let makefile = fs::read_to_string(root().join("Makefile")).expect("Makefile");
    let phony = makefile
        .lines()
        .find_map(|l| l.strip_prefix(".PHONY:"))
        .expect("Makefile lists its targets in .PHONY");
    for target in phony.split_whitespace() {
        assert!(
            known.iter().any(|(c, _)| c == &format!("make {target}")
                || c.starts_with(&format!("make {target} "))),
            "`make {target}` is in the Makefile but no page shows it"
        );
    }
    let manifest = fs::read_to_string(root().join("Cargo.toml")).expect("Cargo.toml");
    let mut in_example = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_example = line == "[[example]]";
        } else if let Some(name) = line.strip_prefix("name = ").filter(|_| in_example) {
            let name = name.trim_matches('"');
            assert!(
                known
                    .iter()
                    .any(|(c, _)| c.contains(&format!("--example {name} "))),
                "the example `{name}` is in Cargo.toml but no page runs it"
            );
        }
    }
}

#[test]
fn commands_that_finish_run_and_print_what_the_docs_show() {
    for (command, tag) in tagged_commands() {
        if let Tag::Run(status) = tag
            && runnable(&command)
        {
            run_and_check(&command, &command.text, status);
        }
    }
}

#[test]
fn commands_that_need_a_server_run_against_one() {
    for (command, tag) in tagged_commands() {
        if tag != Tag::Server || !runnable(&command) {
            continue;
        }
        assert!(
            command.text.contains(DOCS_PORT),
            "{}: `{}` is tagged server but names no port {DOCS_PORT}",
            command.at,
            command.text
        );
        let server = common::Server::start(&[]);
        let script = command.text.replace(DOCS_PORT, &server.port.to_string());
        run_and_check(&command, &script, 0);
    }
}

#[test]
fn long_running_commands_start_and_stop() {
    let mut seen = BTreeSet::new();
    for (command, tag) in tagged_commands() {
        if tag == Tag::Long && seen.insert(command.text.clone()) {
            start_and_stop(&command);
        }
    }
}

/// The `text` block right after the block that shows `command`: what the
/// page says the command prints.
fn shown_after(page: &Page, command: &str) -> Vec<String> {
    let blocks = blocks(page);
    blocks
        .windows(2)
        .find(|pair| {
            pair[1].lang == "text"
                && pair[0]
                    .lines
                    .iter()
                    .any(|l| strip_comment(l.trim()) == command)
        })
        .map(|pair| pair[1].lines.clone())
        .unwrap_or_else(|| {
            panic!(
                "{}: no text block after a block with `{command}`",
                page.path.display()
            )
        })
}

/// The README's walk-through, in English and in Chinese, opens with what
/// the server and a client print as they start: those blocks are what the
/// programs print, line for line (the port aside), started the way the
/// page starts them.
#[test]
fn the_readmes_start_the_chat_as_the_programs_do() {
    let pages = pages();
    for (path, prefix) in [
        ("README.md", ""),
        ("docs/zh/README.md", "LANG=zh_CN.UTF-8 "),
    ] {
        let page = pages
            .iter()
            .find(|p| p.path == Path::new(path))
            .expect("the page");
        // The server: its banner, up to the last line of its help.
        let command = format!("{prefix}make run-server");
        let shown = shown_after(page, &command);
        let (name, args, env) = long_program(&command);
        let chinese = speaks_chinese(&args, &env);
        let dir = tempfile::TempDir::new().expect("temp dir");
        let mut program = Command::new(binary(&name));
        pin_locale(&mut program)
            .envs(env.iter().map(|(n, v)| (n, v)))
            .args(&args)
            .args(["--port", "0", "--host", "127.0.0.1"])
            .current_dir(dir.path());
        let mut server = Proc::spawn(&command, program);
        let last = shown.last().expect("a banner").clone();
        server.expect_where(common::Stream::Out, "the banner's last line", |l| l == last);
        let port = server
            .history
            .first()
            .and_then(|(_, l)| l.rsplit(':').next())
            .expect("the first line")
            .to_string();
        // The port aside, and the host: the page's command names the
        // server `localhost`, which this test pins to 127.0.0.1.
        let printed: Vec<String> = server
            .history
            .iter()
            .map(|(_, l)| {
                l.replace(&format!(":{port}"), ":8888")
                    .replace("//127.0.0.1:8888/", "//localhost:8888/")
            })
            .collect();
        assert_eq!(
            printed, shown,
            "{path}: the server's banner is not what `{command}` prints"
        );

        // A client asked for its name: the prompt, the name typed, then its
        // opening lines up to the last line of its help.
        let command = format!("{prefix}make run-client");
        let shown = shown_after(page, &command);
        let (name, args, env) = long_program(&command);
        assert_eq!(speaks_chinese(&args, &env), chinese);
        let mut program = Command::new(binary(&name));
        pin_locale(&mut program)
            .envs(env.iter().map(|(n, v)| (n, v)))
            .args(&args)
            .args(["--port", &port])
            .current_dir(dir.path());
        let mut client = Proc::spawn(&command, program);
        let prompt = if chinese {
            socket_chat::text::Lang::Zh
        } else {
            socket_chat::text::Lang::En
        }
        .text()
        .name_prompt();
        client.send("Alice");
        let last = shown.last().expect("the client's lines").clone();
        client.expect_where(common::Stream::Out, "the help's last line", |l| l == last);
        // Through a pipe, the name typed is not echoed: the prompt and the
        // first line share a line.
        let mut printed = Vec::new();
        for (_, line) in &client.history {
            match line.strip_prefix(&prompt) {
                Some(rest) => {
                    printed.push(format!("{prompt}Alice"));
                    printed.push(rest.to_string());
                }
                None => printed.push(line.clone()),
            }
        }
        let printed: Vec<String> = printed
            .iter()
            .map(|l| l.replace(&format!(":{port}"), ":8888"))
            .collect();
        assert_eq!(
            printed, shown,
            "{path}: the client's first lines are not what `{command}` prints"
        );
        client.send("/quit");
        assert!(client.wait_exit().success());
        server.send("/quit");
        assert!(server.wait_exit().success());
    }
}

#[test]
fn slow_commands_are_accepted_by_make_and_test_targets_exist() {
    for (command, tag) in tagged_commands() {
        match tag {
            Tag::Dry => {
                make_dry_run(&command.text);
            }
            Tag::Test => {
                if command.text.starts_with("make ") {
                    let recipe = make_dry_run(&command.text);
                    assert!(
                        recipe.lines().all(|l| l.starts_with("cargo test")),
                        "{}: `{}` should run cargo test; make -n says:\n{recipe}",
                        command.at,
                        command.text
                    );
                    continue;
                }
                let words: Vec<&str> = command.text.split_whitespace().collect();
                assert_eq!(
                    &words[..2],
                    ["cargo", "test"],
                    "{}: `{}` is tagged test",
                    command.at,
                    command.text
                );
                check_test_command(&command, &words);
            }
            _ => {}
        }
    }
}

/// Checks that `cargo test [--test NAME]... [FILTER] [-- [FILTER] FLAGS]`
/// names test files that exist, and that each filter matches at least one
/// test function in them.
fn check_test_command(command: &DocCommand, words: &[&str]) {
    let mut sources = String::new();
    let mut filters = Vec::new();
    let mut rest = words[2..].iter();
    while let Some(&word) = rest.next() {
        match word {
            "--test" => {
                let name = rest.next().expect("--test NAME");
                let file = root().join("tests").join(format!("{name}.rs"));
                assert!(
                    file.is_file(),
                    "{}: `{}` names a test file that does not exist",
                    command.at,
                    command.text
                );
                sources += &fs::read_to_string(&file).expect("test file");
                // A test file's modules in tests/NAME/ (`#[path]` modules).
                if let Ok(entries) = fs::read_dir(root().join("tests").join(name)) {
                    for entry in entries {
                        sources +=
                            &fs::read_to_string(entry.expect("entry").path()).unwrap_or_default();
                    }
                }
            }
            "--" => {}
            flag if flag.starts_with('-') => {}
            filter => filters.push(filter),
        }
    }
    for filter in filters {
        let name = filter.rsplit("::").next().unwrap_or(filter);
        let found = sources.lines().any(|line| {
            line.trim_start()
                .strip_prefix("fn ")
                .is_some_and(|f| f.split('(').next().is_some_and(|f| f.contains(name)))
        });
        assert!(
            found,
            "{}: `{}`: no test function matches {filter}",
            command.at, command.text
        );
    }
}

/// Lines equal after removing the indentation they share (blank lines
/// match blank lines).
fn dedented(lines: &[&str]) -> Vec<String> {
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    lines
        .iter()
        .map(|l| {
            if l.trim().is_empty() {
                String::new()
            } else {
                l[indent..].trim_end().to_string()
            }
        })
        .collect()
}

/// A doc comment's text: `/// x` and `//! x` become `x`.
fn doc_comment_text(line: &str) -> &str {
    let trimmed = line.trim_start();
    for marker in ["/// ", "//! ", "///", "//!"] {
        if let Some(rest) = trimmed.strip_prefix(marker) {
            return rest;
        }
    }
    line
}

/// Whether `piece` appears in `file` as consecutive lines.
fn contains_excerpt(file: &str, piece: &[&str]) -> bool {
    let want = dedented(piece);
    let raw: Vec<&str> = file.lines().collect();
    let doc: Vec<&str> = raw.iter().map(|l| doc_comment_text(l)).collect();
    [raw, doc].iter().any(|lines| {
        lines
            .windows(want.len())
            .any(|window| dedented(window) == want)
    })
}

#[test]
fn quoted_code_is_still_in_its_file() {
    for page in pages() {
        for block in blocks(&page) {
            if block.lang != "rust" {
                continue;
            }
            let first = block.lines.first().map(|l| l.trim()).unwrap_or("");
            if first.starts_with("// illustrative") {
                continue;
            }
            let path = first.strip_prefix("// ").unwrap_or_else(|| {
                panic!(
                    "{}: a rust block starts with `// illustrative` or `// PATH` of the file it quotes",
                    block.at
                )
            });
            let file = fs::read_to_string(root().join(path))
                .unwrap_or_else(|e| panic!("{}: cannot read {path}: {e}", block.at));
            let mut piece: Vec<&str> = Vec::new();
            let mut pieces = Vec::new();
            for line in &block.lines[1..] {
                if line.trim() == "// ..." {
                    pieces.push(std::mem::take(&mut piece));
                } else {
                    piece.push(line);
                }
            }
            pieces.push(piece);
            for piece in pieces {
                let start = piece.iter().position(|l| !l.trim().is_empty());
                let end = piece.iter().rposition(|l| !l.trim().is_empty());
                let (Some(start), Some(end)) = (start, end) else {
                    continue;
                };
                let piece = &piece[start..=end];
                assert!(
                    contains_excerpt(&file, piece),
                    "{}: this excerpt is no longer in {path}:\n{}",
                    block.at,
                    piece.join("\n")
                );
            }
        }
    }
}

/// `0010  58 54 …`: an offset, two spaces, bytes.
fn is_hex_dump_line(line: &str) -> bool {
    let bytes = line.as_bytes();
    bytes.len() > 6 && bytes[..4].iter().all(u8::is_ascii_hexdigit) && &bytes[4..6] == b"  "
}

#[test]
fn traces_in_the_docs_are_what_trace_prints() {
    let mut checked = 0;
    for page in pages() {
        for block in blocks(&page) {
            if block.lang != "text" {
                continue;
            }
            for (i, line) in block.lines.iter().enumerate() {
                let Some(rest) = line.strip_prefix("[trace] ") else {
                    continue;
                };
                let (arrow, rest) = rest.split_once(' ').expect("trace direction");
                let direction = match arrow {
                    "->" => Direction::Sent,
                    "<-" => Direction::Received,
                    other => panic!("{}: unknown trace direction {other}", block.at),
                };
                let (peer, rest) = rest.split_once(' ').expect("trace peer");
                let (_, body) = rest.split_once(" bytes ").expect("trace length");
                let hex_lines = block.lines[i + 1..]
                    .iter()
                    .take_while(|l| is_hex_dump_line(l))
                    .count();
                let trace = if hex_lines > 0 {
                    Trace::Hex
                } else {
                    Trace::Lines
                };
                let expected = trace.render(direction, peer, body.as_bytes());
                let shown: Vec<&str> = block.lines[i..=i + hex_lines]
                    .iter()
                    .map(|l| l.trim_end())
                    .collect();
                let rendered: Vec<&str> = expected.lines().map(str::trim_end).collect();
                assert_eq!(
                    shown, rendered,
                    "{}: this trace is not what --trace prints for that frame",
                    block.at
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 0, "chapter 2 shows a real trace");
}

/// The anchor GitHub gives a heading: lower case, punctuation dropped,
/// spaces turned into hyphens.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// The anchors of a Markdown file's headings (outside code blocks).
fn anchors(text: &str) -> BTreeSet<String> {
    let mut in_code = false;
    let mut found = BTreeSet::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
        } else if !in_code && line.starts_with('#') {
            found.insert(slug(line.trim_start_matches('#')));
        }
    }
    found
}

#[test]
fn links_point_at_files_that_exist() {
    for page in pages() {
        let dir = root().join(&page.path).parent().expect("dir").to_path_buf();
        for (number, line) in page.text.lines().enumerate() {
            let mut rest = line;
            while let Some(start) = rest.find("](") {
                let after = &rest[start + 2..];
                let Some(end) = after.find(')') else {
                    break;
                };
                let target = &after[..end];
                rest = &after[end..];
                if target.contains("://")
                    || target.starts_with('#')
                    || target.starts_with("mailto:")
                {
                    continue;
                }
                let (file, anchor) = target.split_once('#').unwrap_or((target, ""));
                assert!(
                    dir.join(file).exists(),
                    "{}:{}: link to {target}, which does not exist",
                    page.path.display(),
                    number + 1
                );
                if !anchor.is_empty() && file.ends_with(".md") {
                    let text = fs::read_to_string(dir.join(file)).expect("linked page");
                    assert!(
                        anchors(&text).contains(anchor),
                        "{}:{}: link to {target}, but {file} has no such heading",
                        page.path.display(),
                        number + 1
                    );
                }
            }
        }
    }
}

#[test]
fn chapters_end_with_exercises_and_keep_their_bench_markers() {
    // Where the maintainer pastes the figures `make bench` prints.
    let markers = [
        ("04-", "<!-- bench:fanout -->"),
        ("04-", "<!-- bench:storm -->"),
        ("05-", "<!-- bench:chunks -->"),
        ("08-", "<!-- bench:history -->"),
        ("09-", "<!-- bench:pbkdf2 -->"),
        ("10-", "<!-- bench:fanout-ws -->"),
    ];
    let mut chapters = 0;
    for page in pages() {
        let name = page.path.file_name().expect("name").to_string_lossy();
        if !name.starts_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        chapters += 1;
        assert!(
            page.text.lines().any(|l| l.trim() == "## Exercises"),
            "{} has no `## Exercises` section",
            page.path.display()
        );
        for (chapter, marker) in markers {
            if name.starts_with(chapter) {
                assert!(
                    page.text.lines().any(|l| l.trim() == marker),
                    "{} lost its {marker} line",
                    page.path.display()
                );
            }
        }
    }
    assert_eq!(chapters, 11, "the course has eleven chapters");
}

/// The glossary, for a reader whose first language is Chinese.
const GLOSSARY: &str = "docs/zh/glossary.md";

/// Every numbered chapter links to the glossary near its top, and the
/// glossary links to every numbered chapter (the chapter that teaches a term).
#[test]
fn chapters_and_the_glossary_link_to_each_other() {
    let pages = pages();
    let glossary = pages
        .iter()
        .find(|page| page.path == Path::new(GLOSSARY))
        .unwrap_or_else(|| panic!("{GLOSSARY} is missing"));
    for page in &pages {
        let name = page.path.file_name().expect("name").to_string_lossy();
        if page.path.parent() != Some(Path::new("docs"))
            || !name.starts_with(|c: char| c.is_ascii_digit())
        {
            continue;
        }
        assert!(
            page.text
                .lines()
                .take(5)
                .any(|l| l.contains("](zh/glossary.md)")),
            "{} does not link to the glossary in its first lines",
            page.path.display()
        );
        assert!(
            glossary.text.contains(&format!("](../{name}")),
            "{GLOSSARY} has no term taught in {name}"
        );
    }
}
