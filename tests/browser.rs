//! The browser client in a real browser: headless Chromium, driven through
//! `chromedriver`'s WebDriver interface (W3C WebDriver: JSON over HTTP),
//! with a terminal client (the real `chat-client`) on the same server: they
//! chat, trade files both ways, and meet in another room.
//!
//! The WebDriver client is written here with `std::net` and the library's
//! own JSON, like everything else in this project: a `POST` with a JSON
//! body, a response read by its `Content-Length`. Waiting is done inside
//! the browser: a script that watches the page (`MutationObserver`) and
//! answers when a condition holds, within the session's script timeout, so
//! the test never guesses a delay.
//!
//! When `chromium` or `chromedriver` is not installed, the test says that it
//! did not run and passes; `.ci/run` installs both, so CI always runs it.
//! Set `SOCKET_CHAT_SCREENSHOT=docs/browser-client.png` to save what the
//! page looks like at the end (how the picture in the docs is made).

mod common;

use std::env;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::Duration;

use common::Server;
use common::files::{assert_same_bytes, random_bytes, saved_path, seeded_rng, write_file};
use socket_chat::base64;
use socket_chat::crypto::scram::{ServerSecret, ServerStart, Verifier};
use socket_chat::crypto::{pbkdf2, sha256};
use socket_chat::json::{self, Object, Value};
use tempfile::TempDir;

/// How long the browser may take for anything the page should do: long,
/// because a loaded two-core CI machine runs Chromium slowly.
const BROWSER_DEADLINE: Duration = Duration::from_secs(90);

/// How long starting Chromium may take (the first `POST /session`).
const START_DEADLINE: Duration = Duration::from_secs(180);

/// The key WebDriver names an element reference with (W3C WebDriver,
/// "elements").
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// The Enter key, as WebDriver writes keys: a code point in the private use
/// area.
const ENTER: &str = "\u{E007}";

/// A program on `PATH`, by any of its usual names.
fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = env::var_os("PATH")?;
    env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// One `chromedriver` and the Chromium session it drives. Dropping it ends
/// the session (Chromium quits) and kills `chromedriver` and everything it
/// started.
struct Browser {
    driver: Child,
    port: u16,
    session: String,
    /// Chromium's profile: fresh for every run, deleted after.
    _profile: TempDir,
}

impl Browser {
    /// Starts `chromedriver` and a headless Chromium; `None` (after saying
    /// so) when either is not installed.
    fn start() -> Option<Browser> {
        let chromium = find_program(&["chromium", "chromium-browser", "google-chrome"]);
        let driver = find_program(&["chromedriver"]);
        let (Some(chromium), Some(driver)) = (chromium, driver) else {
            eprintln!(
                "browser test did not run: it needs chromium and chromedriver \
                 (Debian: apt-get install chromium chromium-driver; .ci/run installs them)"
            );
            return None;
        };
        let mut command = Command::new(driver);
        command
            .arg("--port=0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        // Its own process group, so that Drop can end Chromium's helper
        // processes too, whatever state the test left them in.
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let mut child = command.spawn().expect("start chromedriver");
        let port = driver_port(&mut child);
        let profile = TempDir::new().expect("temp dir");
        let mut browser = Browser {
            driver: child,
            port,
            session: String::new(),
            _profile: profile,
        };
        browser.session = browser.new_session(&chromium);
        Some(browser)
    }

    /// `POST /session`: starts Chromium with the flags a closed, shared
    /// machine needs (no sandbox, no GPU, nothing fetched from the network,
    /// no first-run pages) and a fresh profile.
    fn new_session(&self, chromium: &Path) -> String {
        let args: Vec<Value> = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--window-size=1000,700",
            "--lang=en-US",
            &format!("--user-data-dir={}", self._profile.path().display()),
        ]
        .into_iter()
        .map(Value::from)
        .collect();
        let mut options = Object::new();
        options.insert("binary", chromium.display().to_string());
        options.insert("args", args);
        let mut always = Object::new();
        always.insert("browserName", "chrome");
        always.insert("goog:chromeOptions", options);
        let mut capabilities = Object::new();
        capabilities.insert("alwaysMatch", always);
        let mut body = Object::new();
        body.insert("capabilities", capabilities);
        let value = self.call("POST", "/session", Some(body.into()), START_DEADLINE);
        let session = field(&value, "sessionId")
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no session id in {}", json::to_string(&value)))
            .to_string();
        // Scripts may wait this long for the page (see `wait_for`).
        let mut timeouts = Object::new();
        timeouts.insert("script", BROWSER_DEADLINE.as_millis() as u64);
        timeouts.insert("pageLoad", BROWSER_DEADLINE.as_millis() as u64);
        let path = format!("/session/{session}/timeouts");
        self.call("POST", &path, Some(timeouts.into()), BROWSER_DEADLINE);
        session
    }

    /// One WebDriver command: an HTTP request with a JSON body, and the
    /// `value` of the JSON answer. Panics on a WebDriver error.
    fn call(&self, method: &str, path: &str, body: Option<Value>, wait: Duration) -> Value {
        let body = body.map(|b| json::to_string(&b)).unwrap_or_default();
        let (status, answer) = http_request(self.port, method, path, &body, wait)
            .unwrap_or_else(|e| panic!("WebDriver {method} {path}: {e}"));
        let value = json::parse(answer.as_bytes())
            .unwrap_or_else(|e| panic!("WebDriver {method} {path}: bad JSON ({e}): {answer}"));
        let value = field(&value, "value").cloned().unwrap_or(Value::Null);
        if status != 200 {
            panic!(
                "WebDriver {method} {path}: {status} {}",
                json::to_string(&value)
            );
        }
        value
    }

    fn command(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let path = format!("/session/{}{path}", self.session);
        self.call(method, &path, body, BROWSER_DEADLINE)
    }

    fn open(&self, url: &str) {
        let mut body = Object::new();
        body.insert("url", url);
        self.command("POST", "/url", Some(body.into()));
    }

    /// The element a CSS selector finds.
    fn find(&self, css: &str) -> String {
        let mut body = Object::new();
        body.insert("using", "css selector");
        body.insert("value", css);
        let value = self.command("POST", "/element", Some(body.into()));
        field(&value, ELEMENT_KEY)
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no element {css}"))
            .to_string()
    }

    /// Types `text` into the element `css` selects, as a person would.
    fn type_into(&self, css: &str, text: &str) {
        let element = self.find(css);
        let mut body = Object::new();
        body.insert("text", text);
        self.command(
            "POST",
            &format!("/element/{element}/value"),
            Some(body.into()),
        );
    }

    fn clear(&self, css: &str) {
        let element = self.find(css);
        self.command(
            "POST",
            &format!("/element/{element}/clear"),
            Some(Object::new().into()),
        );
    }

    /// Runs `script` (a function body) in the page and returns its value.
    fn run(&self, script: &str) -> Value {
        let mut body = Object::new();
        body.insert("script", script);
        body.insert("args", Vec::<Value>::new());
        self.command("POST", "/execute/sync", Some(body.into()))
    }

    /// Runs `body`, the body of an `async` function, in the page, with
    /// `args` as `args`, and returns what it returns (or `"error: ..."`).
    fn run_async(&self, body: &str, args: Vec<Value>) -> Value {
        let script = format!(
            "const done = arguments[arguments.length - 1];
             const args = Array.from(arguments).slice(0, -1);
             (async () => {{ {body} }})().then(done, (e) => done('error: ' + e));"
        );
        let mut request = Object::new();
        request.insert("script", script);
        request.insert("args", args);
        self.command("POST", "/execute/async", Some(request.into()))
    }

    /// Waits until the JavaScript expression `condition` is true in the
    /// page. The wait happens in the browser: a `MutationObserver` checks
    /// the condition each time the page changes, and the script answers as
    /// soon as it holds (or WebDriver's script timeout ends it).
    fn wait_for(&self, what: &str, condition: &str) {
        let script = format!(
            "const done = arguments[arguments.length - 1];
             const ready = () => {{ try {{ return Boolean({condition}); }} catch (e) {{ return false; }} }};
             if (ready()) {{ done(true); return; }}
             const watch = new MutationObserver(() => {{
               if (ready()) {{ watch.disconnect(); done(true); }}
             }});
             watch.observe(document.documentElement,
               {{ subtree: true, childList: true, attributes: true, characterData: true }});"
        );
        let mut body = Object::new();
        body.insert("script", script);
        body.insert("args", Vec::<Value>::new());
        let path = format!("/session/{}/execute/async", self.session);
        let body = json::to_string(&body.into());
        let answer = http_request(self.port, "POST", &path, &body, BROWSER_DEADLINE * 2);
        match answer {
            Ok((200, _)) => {}
            other => {
                let page = self.run("return document.body.innerText;");
                panic!(
                    "the page never showed {what} ({condition}): {other:?}\n--- the page:\n{}",
                    page.as_str().unwrap_or("")
                );
            }
        }
    }

    /// Saves a PNG of the window.
    fn screenshot(&self, path: &Path) {
        let value = self.command("GET", "/screenshot", None);
        let png = base64::decode(value.as_str().expect("base64 PNG")).expect("valid base64");
        std::fs::write(path, png).expect("write screenshot");
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let path = format!("/session/{}", self.session);
            let _ = http_request(self.port, "DELETE", &path, "", Duration::from_secs(20));
        }
        #[cfg(unix)]
        {
            // The whole group: chromedriver and any Chromium process left.
            let group = format!("-{}", self.driver.id());
            let _ = Command::new("kill")
                .args(["-KILL", "--", &group])
                .stderr(Stdio::null())
                .status();
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Reads chromedriver's port from its start-up line ("... started
/// successfully on port 41235."), then keeps its output drained.
fn driver_port(child: &mut Child) -> u16 {
    let stdout = child.stdout.take().expect("piped stdout");
    let mut lines = BufReader::new(stdout);
    let mut line = String::new();
    let port = loop {
        line.clear();
        match lines.read_line(&mut line) {
            Ok(0) | Err(_) => panic!("chromedriver ended before it said its port"),
            Ok(_) => {}
        }
        if let Some(rest) = line.split("successfully on port ").nth(1) {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            if let Ok(port) = digits.parse() {
                break port;
            }
        }
    };
    thread::spawn(move || {
        let _ = std::io::copy(&mut lines, &mut std::io::sink());
    });
    port
}

/// A field of a JSON object.
fn field<'a>(value: &'a Value, key: &str) -> Option<&'a Value> {
    value.as_object()?.get(key)
}

/// One HTTP/1.1 request to `127.0.0.1:port`: the status and the body, read
/// by its `Content-Length` (chromedriver keeps the connection open).
fn http_request(
    port: u16,
    method: &str,
    path: &str,
    body: &str,
    wait: Duration,
) -> Result<(u16, String), String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(wait))
        .map_err(|e| e.to_string())?;
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\
         Content-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream
        .write_all(request.as_bytes())
        .map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    let mut piece = [0u8; 64 * 1024];
    loop {
        if let Some(end) = bytes.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&bytes[..end]).into_owned();
            let status = head
                .split(' ')
                .nth(1)
                .and_then(|s| s.parse().ok())
                .ok_or(format!("no status in {head:?}"))?;
            let length = head
                .split("\r\n")
                .find_map(|line| {
                    let (name, value) = line.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())?
                })
                .ok_or(format!("no Content-Length in {head:?}"))?;
            if bytes.len() >= end + 4 + length {
                let body = &bytes[end + 4..end + 4 + length];
                return Ok((status, String::from_utf8_lossy(body).into_owned()));
            }
        }
        match stream.read(&mut piece) {
            Ok(0) => return Err("the connection closed inside the answer".into()),
            Ok(n) => bytes.extend_from_slice(&piece[..n]),
            Err(e) => return Err(format!("no answer within {wait:?}: {e}")),
        }
    }
}

/// JavaScript text for a Rust string: a JSON string is a JavaScript one.
fn js(text: &str) -> String {
    json::to_string(&Value::from(text))
}

/// One Chromium at a time: the tests run in parallel, and two browsers
/// starting at once on a small CI machine make both slow.
fn browser_turn() -> MutexGuard<'static, ()> {
    static TURN: Mutex<()> = Mutex::new(());
    // A test that failed while holding the turn must not fail the others.
    TURN.lock().unwrap_or_else(PoisonError::into_inner)
}

#[test]
fn a_person_in_a_browser_chats_and_trades_files_with_a_terminal() {
    let _turn = browser_turn();
    let Some(browser) = Browser::start() else {
        return;
    };
    let server = Server::start(&[]);
    let mut bob = server.join("Bob");
    // Said before Alice comes: the lobby replays it to her as an earlier
    // message. Once Carol, in the lobby too, has it, it is in the lobby's
    // history (a room numbers, keeps and queues a message in one step).
    let mut carol = server.join("Carol");
    bob.send("words from before you came");
    carol.expect("Bob: words from before you came");
    browser.open(&format!("http://127.0.0.1:{}/?lang=en", server.port));
    assert_eq!(
        browser.run("return document.title;").as_str(),
        Some("socket-chat")
    );

    // The page's own SHA-256 and JSON writer agree with the library's.
    let hashed = browser.run("return socketChat.sha256Hex(new TextEncoder().encode('abc 你好'));");
    assert_eq!(
        hashed.as_str(),
        Some(sha256::to_hex(&sha256::digest("abc 你好".as_bytes())).as_str())
    );
    let written = browser.run(
        "return socketChat.dumps({type: 'TEXT', data: 'Hi \"Bob\" 😀\\n', metadata: {to: 'Bob'}});",
    );
    assert_eq!(
        written.as_str(),
        Some(r#"{"type": "TEXT", "data": "Hi \"Bob\" \ud83d\ude00\n", "metadata": {"to": "Bob"}}"#)
    );

    page_crypto_agrees_with_the_library(&browser);

    // A name in use is refused on the form; another one joins, and the
    // cursor moves to the message box.
    browser.type_into("#name", &format!("bob{ENTER}"));
    browser.wait_for(
        "the refusal",
        "document.getElementById('join-error').textContent.includes('Name refused')",
    );
    browser.clear("#name");
    browser.type_into("#name", &format!("Alice{ENTER}"));
    browser.wait_for("the chat", "!document.getElementById('chat').hidden");
    assert_eq!(
        browser.run("return document.activeElement.id;").as_str(),
        Some("message")
    );
    bob.expect("* Alice joined the chat (3 online)");
    browser.wait_for(
        "the lobby's earlier message",
        "document.getElementById('log').textContent.includes('(earlier) words from before you came')
         && document.getElementById('log').textContent.includes('↑ 1 earlier message of #lobby')",
    );
    browser.wait_for(
        "the lobby's members",
        "document.getElementById('members').textContent === 'BobCarolAlice'",
    );

    // Browser to terminal, and back; markup stays text.
    browser.type_into(
        "#message",
        &format!("Hello from Chromium 你好 <b>x</b>{ENTER}"),
    );
    bob.expect("Alice: Hello from Chromium 你好 <b>x</b>");
    bob.send("Hi Alice <img src=x onerror=alert(1)>");
    browser.wait_for(
        "Bob's message",
        "document.getElementById('log').textContent.includes('Hi Alice <img src=x')",
    );
    assert_eq!(
        browser
            .run("return document.querySelectorAll('#log img, #log b').length;")
            .as_u64(),
        Some(0)
    );

    // A file from the terminal: the page checks its SHA-256 before it
    // offers it for saving.
    let mut rng = seeded_rng("browser files");
    let gift = random_bytes(&mut rng, 50_001);
    write_file(&bob.path("gift.bin"), &gift);
    bob.send("/send @Alice gift.bin");
    browser.wait_for(
        "the received file",
        "[...document.querySelectorAll('#log a[download]')].some((a) => a.download === 'gift.bin')",
    );
    let line = browser.run(
        "return [...document.querySelectorAll('#log .transfer')].map((l) => l.textContent).join('\\n');",
    );
    assert!(
        line.as_str().is_some_and(
            |l| l.contains("received gift.bin from Bob") && l.contains("SHA-256 checked")
        ),
        "{line:?}"
    );

    // A file from the browser, through its file picker.
    let dir = TempDir::new().expect("temp dir");
    let upload = random_bytes(&mut rng, 100_000);
    let upload_path = dir.path().join("notes from the browser.bin");
    write_file(&upload_path, &upload);
    browser.run("document.getElementById('file').hidden = false;");
    browser.type_into("#file", &upload_path.display().to_string());
    let line = bob.expect("[file] received notes from the browser.bin from Alice:");
    assert_same_bytes(&bob.dir.path().join(saved_path(&line)), &upload);
    browser.wait_for(
        "the upload's end",
        &format!(
            "document.getElementById('log').textContent.includes({})",
            js("[file] sent notes from the browser.bin")
        ),
    );
    browser.run("document.getElementById('file').hidden = true;");

    // Rooms: Alice goes to #python from the page, Bob follows with his
    // terminal client, and they talk there.
    browser.type_into("#message", &format!("/join #python{ENTER}"));
    browser.wait_for(
        "#python",
        "document.getElementById('room-title').textContent === '#python (1)'",
    );
    bob.expect("* Alice left #lobby");
    bob.send("/join #python");
    browser.wait_for(
        "Bob in #python",
        "document.getElementById('log').textContent.includes('* Bob came into #python (2 here)')",
    );
    browser.type_into("#message", &format!("snakes are welcome{ENTER}"));
    bob.expect("Alice: snakes are welcome");
    browser.type_into("#message", &format!("/rooms{ENTER}"));
    browser.wait_for(
        "the list of rooms",
        "document.getElementById('log').textContent.includes('Rooms (2): #lobby (1), #python (2)')",
    );

    if let Some(path) = env::var_os("SOCKET_CHAT_SCREENSHOT") {
        browser.screenshot(Path::new(&path));
    }
    bob.send("/quit");
}

/// The page logs in with its own SCRAM, PBKDF2 and HMAC (over its own
/// SHA-256 where `crypto.subtle` is missing): here they talk to the
/// library's SCRAM server, and PBKDF2 is compared with the library's.
fn page_crypto_agrees_with_the_library(browser: &Browser) {
    let bytes = |value: &Value| -> Vec<u8> {
        value
            .as_array()
            .expect("an array of bytes")
            .iter()
            .map(|b| b.as_u64().expect("a byte") as u8)
            .collect()
    };
    // The page's own PBKDF2 (the one for plain http:// addresses) and the
    // browser's, against the library's.
    let salt: Vec<u8> = (0..16u8).map(|b| b * 7).collect();
    let salt_json: Vec<Value> = salt.iter().map(|&b| Value::from(u64::from(b))).collect();
    let own = browser.run_async(
        "const pw = new TextEncoder().encode('pässword 密码');
         return Array.from(await socketChat.pbkdf2Own(pw, new Uint8Array(args[0]), 5000, () => {}));",
        vec![Value::from(salt_json)],
    );
    let rounds = std::num::NonZeroU32::new(5000).expect("not zero");
    let expected = pbkdf2::derive("pässword 密码".as_bytes(), &salt, rounds);
    assert_eq!(bytes(&own), expected, "the page's own PBKDF2");

    // Registration: the verifier the page would send.
    let verifier = browser.run_async(
        "const v = await socketChat.makeVerifier('pässword 密码', 4096, () => {});
         window.testScram = new socketChat.ScramClient('Al=i,ce', 'pässword 密码');
         return [v.salt, v.iterations, v.stored_key, v.server_key, testScram.first()];",
        Vec::new(),
    );
    let parts: Vec<String> = verifier
        .as_array()
        .unwrap_or_else(|| panic!("{}", json::to_string(&verifier)))
        .iter()
        .map(|v| match v {
            Value::String(s) => s.clone(),
            other => json::to_string(other),
        })
        .collect();
    let key = |text: &str| -> [u8; 32] {
        base64::decode(text)
            .expect("base64")
            .try_into()
            .expect("32 bytes")
    };
    let verifier = Verifier {
        salt: base64::decode(&parts[0]).expect("base64 salt"),
        iterations: parts[1].parse().expect("a count"),
        stored_key: key(&parts[2]),
        server_key: key(&parts[3]),
    };
    verifier.check().expect("a verifier the server accepts");
    // A login: the page's client against the library's server.
    let start = ServerStart::receive_client_first(&parts[4]).expect("client-first");
    assert_eq!(start.username(), "Al=i,ce");
    let secret = ServerSecret::from_bytes([9; 32]);
    let server_first = start
        .answer(Some(&verifier), &secret)
        .expect("server-first");
    let client_final = browser.run_async(
        "return await testScram.final(args[0], () => {});",
        vec![Value::from(server_first.message())],
    );
    let client_final = client_final.as_str().expect("client-final").to_string();
    let server_final = server_first
        .receive_client_final(&client_final)
        .expect("the page's proof is right");
    let checks = browser.run_async(
        "return [testScram.verify(args[0]), testScram.verify('v=' + btoa('x'.repeat(32)))];",
        vec![Value::from(server_final)],
    );
    assert_eq!(
        json::to_string(&checks),
        "[true, false]",
        "the page checks the server's signature"
    );
}

#[test]
fn a_person_in_a_browser_registers_logs_in_and_is_made_an_admin() {
    let _turn = browser_turn();
    let Some(browser) = Browser::start() else {
        return;
    };
    let mut server = Server::start(&[]);
    let mut bob = server.join("Bob");
    browser.open(&format!("http://127.0.0.1:{}/?lang=en", server.port));

    // A new name, registered from the join form: the page works out the
    // verifier, sends REGISTER, and joins.
    browser.type_into("#name", "Alice");
    browser.type_into("#password", "correct horse");
    browser.run("document.getElementById('register').click();");
    browser.type_into("#password", ENTER);
    browser.wait_for("the chat", "!document.getElementById('chat').hidden");
    browser.wait_for(
        "the registration",
        "document.getElementById('log').textContent.includes('Registered \"Alice\"')",
    );
    assert_eq!(
        browser
            .run("return document.getElementById('password').value;")
            .as_str(),
        Some(""),
        "the password stays in the page"
    );
    bob.expect("* Alice joined the chat");

    // A new password, from the box below the message box.
    browser.type_into("#message", &format!("/passwd{ENTER}"));
    browser.type_into("#secret", &format!("battery staple{ENTER}"));
    browser.wait_for(
        "the new password",
        "document.getElementById('log').textContent.includes('Password changed.')",
    );
    let accounts = std::fs::read_to_string(server.path("files/accounts.json")).expect("accounts");
    assert!(accounts.contains("\"Alice\""), "{accounts}");
    for secret in ["correct horse", "battery staple"] {
        assert!(!accounts.contains(secret), "a password is in the file");
    }

    // Leaving and coming back: the name is registered, so the form asks for
    // its password; the old one is refused, the new one logs in.
    browser.type_into("#message", &format!("/quit{ENTER}"));
    browser.wait_for(
        "the rejoin button",
        "!document.getElementById('rejoin').hidden",
    );
    bob.expect("* Alice left");
    browser.run("document.getElementById('rejoin').click();");
    browser.wait_for(
        "the request for a password",
        "document.getElementById('join-error').textContent.includes('is registered')",
    );
    assert_eq!(
        browser.run("return document.activeElement.id;").as_str(),
        Some("password")
    );
    browser.type_into("#password", &format!("correct horse{ENTER}"));
    browser.wait_for(
        "the refusal",
        "document.getElementById('join-error').textContent === 'Wrong password.'",
    );
    browser.clear("#password");
    browser.type_into("#password", &format!("battery staple{ENTER}"));
    browser.wait_for("the chat again", "!document.getElementById('chat').hidden");
    browser.wait_for(
        "the member's status",
        "document.getElementById('status').textContent.startsWith('Alice (member)')",
    );
    browser.type_into(
        "#message",
        &format!("logged in without sending my password{ENTER}"),
    );
    bob.expect("Alice: logged in without sending my password");

    // The console makes her an admin; from the page she mutes Bob.
    server.send("/role Alice admin");
    browser.wait_for(
        "the promotion",
        "document.getElementById('status').textContent.startsWith('Alice (admin)')",
    );
    browser.type_into("#message", &format!("/mute Bob 60{ENTER}"));
    browser.wait_for(
        "the mute done",
        "document.getElementById('log').textContent.includes('[admin] mute Bob: done')",
    );
    bob.expect("muted you");
}
