//! Sends bytes of your choosing to a chat server and shows every byte that
//! comes back. Chapter 1 of the course uses it to knock on the server's door,
//! chapter 2 to send frames by hand.
//!
//! ```text
//! cargo run -q --example poke -- HOST:PORT PIECE...
//! ```
//!
//! Each PIECE is either plain text, sent exactly as written (no length
//! prefix, no newline), or `--frame JSON`, sent as one frame: a 4-byte
//! big-endian length, then the JSON text. All the pieces go out in a single
//! `write`, so two frames given together reach the server glued into one
//! stream of bytes, which is exactly what the server must be able to take
//! apart.
//!
//! After writing, poke closes its sending side (the server reads "end of
//! stream" after our bytes), then reads until the server closes its side
//! too, and prints what arrived: a hex dump, then each complete frame in it.
//!
//! Exit status: 0 when the exchange happened, 1 when the connection failed,
//! 2 when the arguments are wrong.

use std::io::{self, Cursor, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::process::ExitCode;
use std::time::Duration;

use socket_chat::frame::{DEFAULT_MAX_FRAME, FrameReader, encode_frame};
use socket_chat::trace::hex_dump;

/// How long to wait for the server to answer before giving up. A chat
/// server answers in microseconds; this only stops poke hanging forever on
/// a program that never closes its side.
const PATIENCE: Duration = Duration::from_secs(5);

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((addr, bytes)) = parse_args(&args) else {
        eprintln!("usage: poke HOST:PORT [TEXT | --frame JSON]...");
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
        if piece == "--frame" {
            encode_frame(pieces.next()?.as_bytes(), &mut bytes);
        } else {
            bytes.extend_from_slice(piece.as_bytes());
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
