//! Both languages end to end: in Chinese (`--lang zh`) every line the
//! original's README shows reads exactly as it does there, values aside;
//! in English (`--lang en`) the same walk reads as it always has; the
//! locale chooses when no `--lang` is given; and each reader gets errors in
//! its own language, whatever the server speaks.
//!
//! The original's lines are quoted from `../original/README.zh.md`
//! (sections 1, 2 and 场景 1–3).

mod common;

use std::fs;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};

use common::{Client, Proc, Server, Stream};

/// The lines `proc` has printed on stdout so far.
fn stdout(proc: &Proc) -> Vec<&str> {
    proc.history
        .iter()
        .filter(|(s, _)| *s == Stream::Out)
        .map(|(_, l)| l.as_str())
        .collect()
}

/// Where in `proc`'s stdout so far each of `lines` first stands, exactly;
/// panics unless all are there, in this order.
fn in_order(proc: &Proc, lines: &[&str]) {
    let out = stdout(proc);
    let mut from = 0;
    for want in lines {
        match out[from..].iter().position(|l| l == want) {
            Some(i) => from += i + 1,
            None => panic!(
                "{}: no line {want:?} after line {from} (in this order: {lines:?}). Output:\n{}",
                proc.label,
                proc.transcript()
            ),
        }
    }
}

/// Waits for a stdout line that is exactly `line`.
fn expect_exactly(proc: &mut Proc, line: &str) {
    proc.expect_where(Stream::Out, &format!("= {line:?}"), |l| l == line);
}

/// Waits for a chat line `[HH:MM:SS] rest`, exactly, and returns it.
fn expect_timed(proc: &mut Proc, rest: &str) -> String {
    proc.expect_where(Stream::Out, &format!("= [time] {rest:?}"), |l| {
        let b = l.as_bytes();
        b.len() > 11
            && b[0] == b'['
            && b[3] == b':'
            && b[6] == b':'
            && &l[9..11] == "] "
            && [1, 2, 4, 5, 7, 8].iter().all(|&i| b[i].is_ascii_digit())
            && &l[11..] == rest
    })
}

/// The original's server banner and command help (section 1), with the
/// line each language shows first, and the help lines of the commands the
/// original lacks, which must stand between the original's.
fn server_banner(zh: bool, port: u16) -> Vec<String> {
    let lines: Vec<String> = if zh {
        vec![
            format!("聊天服务器已启动，监听 127.0.0.1:{port}"),
            "等待客户端连接...".into(),
            "".into(),
            "服务器管理命令:".into(),
            "  /msg <消息内容> - 向所有客户端广播消息".into(),
            "  /msg @用户名 <消息内容> - 向指定用户发送私信".into(),
            "  /send <文件路径> - 向所有客户端广播文件".into(),
            "  /send @用户名 <文件路径> - 向指定用户发送文件".into(),
            "  /list - 显示在线用户列表".into(),
            "  /user <用户名> - 显示用户详细信息".into(),
            "  /help - 显示帮助信息".into(),
            "  /quit - 关闭服务器".into(),
            "按 Ctrl+C 停止服务器".into(),
        ]
    } else {
        vec![
            format!("Chat server listening on 127.0.0.1:{port}"),
            "Waiting for clients...".into(),
            "Server commands:".into(),
            "  /msg TEXT              send TEXT to everyone, in every room".into(),
            "  /msg @NAME TEXT        send TEXT to NAME only".into(),
            "  /send PATH             send a file to everyone".into(),
            "  /send @NAME PATH       send a file to NAME only".into(),
            "  /list                  list who is online, and in which room".into(),
            "  /user NAME             show details of one user".into(),
            "  /help                  show this help".into(),
            "  /quit                  shut the server down".into(),
            "Press Ctrl+C to stop the server at once.".into(),
        ]
    };
    lines
}

/// The original's client lines after connecting (section 2).
fn client_banner(zh: bool, port: u16, name: &str) -> Vec<String> {
    if zh {
        vec![
            format!("已连接到服务器 127.0.0.1:{port}"),
            format!("用户名: {name}"),
            "".into(),
            "聊天室命令:".into(),
            "  /send <文件路径> - 发送文件".into(),
            "  /help - 显示帮助信息".into(),
            "  /quit - 退出聊天室".into(),
            "  直接输入文本发送消息".into(),
        ]
    } else {
        vec![
            format!("Connected to 127.0.0.1:{port} as {name}."),
            "Chat commands:".into(),
            "  TEXT                   send TEXT to your room".into(),
            "  /send PATH             send a file to your room".into(),
            "  /help                  show this help".into(),
            "  /quit                  leave the chat".into(),
        ]
    }
}

/// Every help line between the original's first and last is either the
/// original's or a command of ours written the same way: `  /cmd … - …` in
/// Chinese, so the two styles never mix.
fn extra_help_lines_follow_the_style(proc: &Proc, first: &str, last: &str) {
    let out = stdout(proc);
    let start = out.iter().position(|l| *l == first).expect("first line");
    let end = out.iter().position(|l| *l == last).expect("last line");
    for line in &out[start + 1..end] {
        assert!(
            (line.starts_with("  /") && line.contains(" - ")) || line.starts_with("    （"),
            "{line:?} is not a help line in the original's style"
        );
    }
}

/// Writes a file of `size` bytes at `path`, making its folders.
fn file_of(path: &Path, size: usize) {
    fs::create_dir_all(path.parent().expect("a folder")).expect("mkdir");
    fs::write(path, vec![b'x'; size]).expect("write");
}

/// The original's walk-through (场景 1–3) in one language: banners, chat,
/// the server's broadcast and private message, files from the server to
/// all and to one, a file from a user, `/list` and `/user`.
fn walk(zh: bool) {
    let lang = if zh { "zh" } else { "en" };
    let mut server = Server::start(&["--lang", lang]);
    let port = server.port;
    let banner = server_banner(zh, port);
    // Once the last line is there, all are.
    expect_exactly(&mut server.proc, banner.last().expect("lines"));
    let banner: Vec<&str> = banner.iter().map(String::as_str).collect();
    in_order(&server.proc, &banner);
    if zh {
        // The blank line stands right before the commands, as in the
        // original (what the history says, which the original had not, may
        // come between the banner and it).
        let out = stdout(&server.proc);
        let at = out
            .iter()
            .position(|l| *l == banner[3])
            .expect("服务器管理命令");
        assert_eq!(out[at - 1], "");
        extra_help_lines_follow_the_style(&server.proc, banner[3], banner[12]);
    }

    let mut alice = server.join_with("Alice", &["--lang", lang]);
    let mut bob = server.join_with("Bob", &["--lang", lang]);
    for (client, name) in [(&mut alice, "Alice"), (&mut bob, "Bob")] {
        let lines = client_banner(zh, port, name);
        expect_exactly(&mut client.proc, lines.last().expect("lines"));
        in_order(
            &client.proc,
            &lines.iter().map(String::as_str).collect::<Vec<_>>(),
        );
        if zh {
            extra_help_lines_follow_the_style(&client.proc, &lines[3], &lines[7]);
        }
    }

    // 场景 1: basic chat.
    alice.send("Hello Bob!");
    expect_timed(&mut bob.proc, "Alice: Hello Bob!");
    bob.send("Hi Alice! How are you?");
    expect_timed(&mut alice.proc, "Bob: Hi Alice! How are you?");

    // 场景 3: the server's broadcast and private message.
    let (server_word, private) = if zh {
        ("服务器", "[私信]")
    } else {
        ("server", "[private]")
    };
    server.send("/msg 系统将在5分钟后进行维护，请保存工作");
    for client in [&mut alice, &mut bob] {
        expect_timed(
            &mut client.proc,
            &format!("{server_word}: 系统将在5分钟后进行维护，请保存工作"),
        );
    }
    server.send("/msg @Alice 请检查你的个人设置");
    expect_timed(
        &mut alice.proc,
        &format!("{server_word}: {private} 请检查你的个人设置"),
    );
    // A user's private message reads the same way.
    bob.send("/msg @Alice psst");
    expect_timed(&mut alice.proc, &format!("Bob: {private} psst"));
    // And the sender sees what it sent, and to whom.
    if zh {
        expect_timed(&mut bob.proc, "→ Alice: [私信] psst");
    } else {
        expect_timed(&mut bob.proc, "→ Alice: psst");
    }
    bob.expect_none("请检查你的个人设置");

    // 场景 3: files from the server, to everyone and to Bob.
    file_of(&server.path("files/server/server_announcement.txt"), 256);
    file_of(&server.path("files/personal_document.pdf"), 1024);
    server.send("/send files/server/server_announcement.txt");
    for client in [&mut alice, &mut bob] {
        expect_received(client, zh, server_word, "server_announcement.txt", 256);
    }
    server.send("/send @Bob files/personal_document.pdf");
    expect_received(&mut bob, zh, server_word, "personal_document.pdf", 1024);
    alice.expect_none("personal_document.pdf");

    // 场景 2: a file from a user.
    file_of(&alice.path("document.pdf"), 20_480);
    alice.send("/send document.pdf");
    expect_received(&mut bob, zh, "Alice", "document.pdf", 20_480);

    // `/list` and `/user` on the console.
    server.send("/list");
    if zh {
        expect_exactly(&mut server.proc, "📋 在线用户列表 (2):");
    } else {
        expect_exactly(&mut server.proc, "Online users (2):");
    }
    server.expect("  1. Alice (127.0.0.1:");
    server.expect("  2. Bob (127.0.0.1:");
    server.send("/user Alice");
    let rows: &[&str] = if zh {
        &[
            "👤 用户信息:",
            "  用户名: Alice",
            "  IP地址: 127.0.0.1",
            "  端口: ",
            "  连接状态: 在线",
        ]
    } else {
        &[
            "User Alice:",
            "  IP address:  127.0.0.1",
            "  Port:        ",
            "  Status:      online",
        ]
    };
    for row in rows {
        server.expect(row);
    }
    let whole: Vec<&str> = rows.iter().copied().filter(|r| !r.ends_with(' ')).collect();
    in_order(&server.proc, &whole);
}

/// The lines of a file arriving (场景 2 and 3): announced, at 100%, done,
/// and where it is; in English, the two lines this client has always shown.
fn expect_received(client: &mut Client, zh: bool, sender: &str, name: &str, size: usize) {
    if zh {
        let lines = [
            format!("[文件传输] 用户 '{sender}' 正在发送文件: {name} ({size} 字节)"),
            "[文件接收] 进度: 100.0%".to_string(),
            format!("[文件传输] 文件接收完成: {name}"),
            format!("保存位置: ./files/downloads/{name}"),
        ];
        for line in &lines {
            expect_exactly(&mut client.proc, line);
        }
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        in_order(&client.proc, &lines);
    } else {
        client.expect(&format!("[file] {sender} is sending {name} ("));
        client.expect(&format!("[file] received {name} from {sender}: "));
    }
    let saved = fs::read(client.path(&format!("files/downloads/{name}"))).expect("saved file");
    assert_eq!(saved.len(), size);
}

#[test]
fn in_chinese_every_line_reads_as_in_the_original() {
    walk(true);
}

#[test]
fn in_english_the_same_walk_reads_as_it_always_has() {
    walk(false);
}

/// `chat-server --help` with these locale variables and no `--lang`: the
/// rest of the environment is cleared of them first.
fn help_with(env: &[(&str, &str)], args: &[&str]) -> String {
    let mut command = Command::new(env!("CARGO_BIN_EXE_chat-server"));
    command
        .args(args)
        .arg("--help")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG")
        .envs(env.iter().copied())
        .stdin(Stdio::null());
    let output = command.output().expect("run chat-server --help");
    assert!(output.status.success());
    String::from_utf8(output.stdout).expect("UTF-8")
}

#[test]
fn the_locale_chooses_the_language_and_lang_overrides_it() {
    let zh = "用法: chat-server";
    let en = "Usage: chat-server";
    assert!(help_with(&[], &[]).starts_with(en));
    assert!(help_with(&[("LANG", "zh_CN.UTF-8")], &[]).starts_with(zh));
    assert!(help_with(&[("LANG", "en_US.UTF-8")], &[]).starts_with(en));
    assert!(help_with(&[("LC_MESSAGES", "zh_CN.UTF-8"), ("LANG", "C")], &[]).starts_with(zh));
    assert!(help_with(&[("LC_ALL", "C"), ("LANG", "zh_CN.UTF-8")], &[]).starts_with(en));
    assert!(help_with(&[("LC_ALL", "zh_TW.UTF-8"), ("LANG", "en_US.UTF-8")], &[]).starts_with(zh));
    assert!(help_with(&[("LANG", "zh_CN.UTF-8")], &["--lang", "en"]).starts_with(en));
    assert!(help_with(&[("LANG", "C")], &["--lang=zh"]).starts_with(zh));
}

#[test]
fn a_server_started_under_a_chinese_locale_speaks_chinese() {
    let dir = tempfile::TempDir::new().expect("temp dir");
    let mut command = Command::new(env!("CARGO_BIN_EXE_chat-server"));
    command
        .args(["--port", "0", "--host", "127.0.0.1"])
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "zh_CN.UTF-8")
        .current_dir(dir.path());
    let mut server = Proc::spawn("server", command);
    let line = server.expect("聊天服务器已启动，监听 127.0.0.1:");
    let port: u16 = line
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("port");
    expect_exactly(&mut server, "按 Ctrl+C 停止服务器");
    // A client under the same locale speaks Chinese too.
    let mut command = Command::new(env!("CARGO_BIN_EXE_chat-client"));
    command
        .args([
            "--port",
            &port.to_string(),
            "--host",
            "127.0.0.1",
            "--name",
            "Alice",
        ])
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "zh_CN.UTF-8")
        .current_dir(dir.path());
    let mut alice = Proc::spawn("Alice", command);
    expect_exactly(&mut alice, &format!("已连接到服务器 127.0.0.1:{port}"));
    expect_exactly(&mut alice, "用户名: Alice");
    server.expect("用户 'Alice' 加入了聊天室");
    server.send("/quit");
    assert!(server.wait_exit().success());
}

#[test]
fn a_bad_lang_is_refused_in_the_locales_language() {
    let output = Command::new(env!("CARGO_BIN_EXE_chat-client"))
        .args(["--lang", "fr"])
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "zh_CN.UTF-8")
        .stdin(Stdio::null())
        .output()
        .expect("run chat-client");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--lang 必须是\"en\"（英文）或 \"zh\"（中文），而不是 \"fr\""),
        "{stderr}"
    );
}

/// Each reader gets an error in its own language: the server's sentence
/// is in the server's, the client says a code it knows in its own.
#[test]
fn errors_are_in_the_readers_language_whatever_the_server_speaks() {
    let server = Server::start(&["--lang", "zh", "--max-text", "10"]);
    let mut alice = server.join_with("Alice", &["--lang", "en"]);
    alice.send("/msg @Nobody hi");
    alice.expect("[error] No user named \"Nobody\" is online.");
    alice.send("this line is far too long");
    alice.expect("[error] Your message is 25 bytes long; the limit is 10. It was not sent.");
    // A name refused by the Chinese server, read in English.
    let mut taken = server.client(&["--lang", "en", "--name", "alice"]);
    taken
        .proc
        .expect_err("Name refused: The name \"alice\" is already in use. Choose another one.");
    assert_eq!(taken.proc.wait_exit().code(), Some(2));

    // Codes of logins and admins too: a guest asking to kick.
    alice.send("/kick Bob");
    alice.expect("[error] Only an admin may kick, and you are not logged in as one.");

    let server = Server::start(&["--lang", "en"]);
    let mut bob = server.join_with("Bob", &["--lang", "zh"]);
    bob.send("/msg @Nobody hi");
    bob.expect("[错误] 没有名为 \"Nobody\" 的在线用户。");
    bob.send("/kick Alice");
    bob.expect("[错误] 只有管理员才能执行“移出用户”，而你没有以管理员的身份登录。");
    let mut bad = server.client(&["--lang", "zh", "--name", "bob"]);
    bad.proc
        .expect_err("名字被拒绝: 名字 \"bob\" 已被占用，请换一个。");
}

/// A server that knows a code this client does not: the client shows that
/// server's own sentence, since it has nothing better.
#[test]
fn an_unknown_error_code_shows_the_servers_sentence() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let mut alice = Client::start(port, &["--lang", "en", "--name", "Alice"]);
    let (mut stream, _) = listener.accept().expect("accept");
    // The client's USER_JOIN: a 4-byte length, then the body.
    let mut header = [0u8; 4];
    stream.read_exact(&mut header).expect("header");
    let mut body = vec![0u8; u32::from_be_bytes(header) as usize];
    stream.read_exact(&mut body).expect("body");
    assert!(String::from_utf8_lossy(&body).contains("USER_JOIN"));
    let frame = |json: &str| {
        let mut bytes = (json.len() as u32).to_be_bytes().to_vec();
        bytes.extend_from_slice(json.as_bytes());
        bytes
    };
    stream
        .write_all(&frame(
            r#"{"type": "USER_JOIN", "data": "Alice", "metadata": {"self": true, "users": ["Alice"], "timestamp": 0}}"#,
        ))
        .expect("welcome");
    alice.expect("Connected to 127.0.0.1:");
    stream
        .write_all(&frame(
            r#"{"type": "ERROR", "data": "Solar flare: try again tomorrow.", "metadata": {"code": "solar_flare"}}"#,
        ))
        .expect("error");
    alice.expect("[error] Solar flare: try again tomorrow.");
    // A known code is said in the client's words, not the server's.
    stream
        .write_all(&frame(
            r#"{"type": "ERROR", "data": "服务器的句子", "metadata": {"code": "unknown_user", "name": "Carol"}}"#,
        ))
        .expect("error");
    alice.expect("[error] No user named \"Carol\" is online.");
    alice.expect_none("服务器的句子");
}
