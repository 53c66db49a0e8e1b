//! Sends bytes of your choosing to a chat server and shows every byte that
//! comes back. Chapter 1 of the course uses it to knock on the server's door,
//! chapter 2 to send frames by hand, chapter 10 to speak HTTP and WebSocket
//! by hand.
//!
//! ```text
//! cargo run -q --example poke -- HOST:PORT PIECE...
//! ```
//!
//! Each PIECE is one of:
//! - plain text, sent exactly as written (no length prefix, no newline);
//! - `--frame JSON`, sent as one frame: a 4-byte big-endian length, then the
//!   JSON text;
//! - `--line TEXT`, TEXT and then CR LF, the line end of HTTP (`--line ''`
//!   is the empty line that ends a request head);
//! - `--ws TEXT`, one WebSocket text frame as a browser sends it: masked
//!   with a fresh random key.
//!
//! All the pieces go out in a single `write`, so two frames given together
//! reach the server glued into one stream of bytes, which is exactly what
//! the server must be able to take apart.
//!
//! After writing, poke closes its sending side (the server reads "end of
//! stream" after our bytes), then reads until the server closes its side
//! too, and prints what arrived: a hex dump, then each complete frame in it;
//! or, when the answer is HTTP, its head as text, then its body (the first
//! lines of it), or after `101 Switching Protocols` each WebSocket frame.
//!
//! Exit status: 0 when the exchange happened, 1 when the connection failed,
//! 2 when the arguments are wrong.

use std::io::{self, Cursor, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::process::ExitCode;
use std::time::Duration;

use socket_chat::crypto::random;
use socket_chat::frame::{DEFAULT_MAX_FRAME, FrameReader, encode_frame};
use socket_chat::trace::hex_dump;
use socket_chat::transport::websocket;

/// How long to wait for the server to answer before giving up. A chat
/// server answers in microseconds; this only stops poke hanging forever on
/// a program that never closes its side.
const PATIENCE: Duration = Duration::from_secs(5);

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((addr, bytes)) = parse_args(&args) else {
        eprintln!("usage: poke HOST:PORT [TEXT | --frame JSON | --line TEXT | --ws TEXT]...");
        return ExitCode::from(2);
    };
    match poke(addr, &bytes) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("poke: {addr}: {e}");
            ExitCode::from(1)
        }
    }
}

/// The address, and every piece's bytes joined into one buffer.
fn parse_args(args: &[String]) -> Option<(&str, Vec<u8>)> {
    let (addr, pieces) = args.split_first()?;
    if pieces.is_empty() {
        return None;
    }
    let mut bytes = Vec::new();
    let mut pieces = pieces.iter();
    while let Some(piece) = pieces.next() {
        match piece.as_str() {
            "--frame" => encode_frame(pieces.next()?.as_bytes(), &mut bytes),
            "--line" => {
                bytes.extend_from_slice(pieces.next()?.as_bytes());
                bytes.extend_from_slice(b"\r\n");
            }
            "--ws" => bytes.extend(masked_text_frame(pieces.next()?.as_bytes())),
            _ => bytes.extend_from_slice(piece.as_bytes()),
        }
    }
    Some((addr, bytes))
}

fn poke(addr: &str, bytes: &[u8]) -> io::Result<()> {
    // connect(): the three-way handshake happens here. For "localhost" the
    // name may stand for several addresses (::1 and 127.0.0.1); connect
    // tries each until one answers.
    let mut stream = TcpStream::connect(addr)?;
    stream.write_all(bytes)?;
    // Half-close: "I have nothing more to say." The server's next read
    // returns 0 bytes once it has read everything we sent. This fails if the
    // server has already closed the whole connection (a full server does);
    // what it sent before closing may still be waiting for us, so read on.
    match stream.shutdown(Shutdown::Write) {
        Ok(()) => println!("sent {} bytes, then closed our sending side", bytes.len()),
        Err(e) => println!(
            "sent {} bytes, but the connection is already closed ({e})",
            bytes.len()
        ),
    }

    // Read until the server closes its side. Each read returns whatever
    // has arrived so far (any amount from 1 byte to the buffer's size), so
    // we keep appending; a read of 0 bytes means the other side is done.
    stream.set_read_timeout(Some(PATIENCE))?;
    let mut received = Vec::new();
    let mut buf = [0u8; 4096];
    let ending = loop {
        match stream.read(&mut buf) {
            Ok(0) => break "then the server closed its side".to_string(),
            Ok(n) => received.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => break format!("then the connection failed: {e}"),
        }
    };
    println!("received {} bytes, {ending}", received.len());
    if received.starts_with(b"HTTP/") {
        show_http(&received);
        return Ok(());
    }
    print!("{}", hex_dump(&received));

    // The same bytes, cut into frames by the library's own frame reader.
    let mut frames = FrameReader::new(Cursor::new(&received), DEFAULT_MAX_FRAME);
    let mut number = 0;
    loop {
        match frames.read_frame() {
            Ok(Some(body)) => {
                number += 1;
                let text = String::from_utf8_lossy(&body);
                println!("frame {number}, {} bytes: {text}", body.len());
            }
            Ok(None) => break,
            Err(e) => {
                println!("then bytes that are not a whole frame: {e}");
                break;
            }
        }
    }
    Ok(())
}

/// A WebSocket text frame as a browser sends it (RFC 6455 section 5.2):
/// FIN and the text opcode, the mask bit and the length, a 4-byte mask key,
/// and the payload XOR-ed with the key.
fn masked_text_frame(payload: &[u8]) -> Vec<u8> {
    let mut key = [0u8; 4];
    // A browser's key is unpredictable, so a page cannot choose the bytes
    // on the wire; poke does the same, though nothing here is at stake.
    if random::fill(&mut key).is_err() {
        key = [0x37, 0xfa, 0x21, 0x3d];
    }
    websocket::masked_frame(0x81, payload, key)
}

/// Most lines of an HTTP body shown; a whole page would fill the screen.
const BODY_LINES: usize = 5;

/// An HTTP answer: the head line by line, then the body's first lines, or
/// after `101` the WebSocket frames that followed.
fn show_http(received: &[u8]) {
    let Some(end) = received.windows(4).position(|w| w == b"\r\n\r\n") else {
        println!("{}", String::from_utf8_lossy(received));
        return;
    };
    let head = String::from_utf8_lossy(&received[..end]);
    for line in head.split("\r\n") {
        println!("{line}");
    }
    println!();
    let body = &received[end + 4..];
    if head.starts_with("HTTP/1.1 101 ") {
        show_websocket_frames(body);
        return;
    }
    let text = String::from_utf8_lossy(body);
    let mut lines = text.lines();
    for line in lines.by_ref().take(BODY_LINES) {
        println!("{line}");
    }
    let rest = lines.count();
    if rest > 0 {
        println!("... and {rest} more lines ({} bytes in all)", body.len());
    }
}

/// The frames a server sent after the upgrade: never masked, each with
/// its opcode, length and payload.
fn show_websocket_frames(mut bytes: &[u8]) {
    while let [first, second, rest @ ..] = bytes {
        let (len, rest) = match second & 0x7F {
            126 if rest.len() >= 2 => (u16::from_be_bytes([rest[0], rest[1]]) as usize, &rest[2..]),
            127 if rest.len() >= 8 => {
                let mut be = [0u8; 8];
                be.copy_from_slice(&rest[..8]);
                (u64::from_be_bytes(be) as usize, &rest[8..])
            }
            short @ 0..=125 => (short as usize, rest),
            _ => break,
        };
        if rest.len() < len {
            break;
        }
        let (payload, after) = rest.split_at(len);
        let kind = match first & 0x0F {
            0x1 => "text",
            0x2 => "binary",
            0x8 => "close",
            0x9 => "ping",
            0xA => "pong",
            _ => "other",
        };
        print!("websocket frame: {kind}, {len} bytes");
        match (kind, payload) {
            ("close", [high, low, reason @ ..]) => {
                let code = u16::from_be_bytes([*high, *low]);
                match String::from_utf8_lossy(reason) {
                    reason if reason.is_empty() => println!(", close code {code}"),
                    reason => println!(", close code {code}: {reason}"),
                }
            }
            ("text", _) => println!(": {}", String::from_utf8_lossy(payload)),
            _ => println!(),
        }
        bytes = after;
    }
    if !bytes.is_empty() {
        println!("then {} bytes that are not a whole frame", bytes.len());
    }
}
