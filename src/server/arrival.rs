//! A new connection's first bytes: which transport it speaks, and the HTTP
//! requests that never become a chat session.
//!
//! One port serves terminal clients and browsers (contract section 13), so
//! before a session can begin, the server must know what it is talking to.
//! The first byte says it (`src/transport/sniff.rs` proves that it can):
//!
//! - **not a capital letter**: our own framing, a 4-byte length before every
//!   body. The session begins, and reads that byte as the start of a frame.
//! - **a capital letter**: an HTTP request. Its head is read and answered
//!   here ([`crate::transport::http`] parses it and picks the answer):
//!   `GET /` gets the chat page, and the connection ends; `GET /ws` from our
//!   own page gets `101 Switching Protocols`, and a session begins over
//!   WebSocket frames; everything else gets its error status and ends.
//! - **nothing before the join deadline**: counted as our framing, so that
//!   the session closes it with `ERROR join_timeout` as it closes any client
//!   that never joins. A request head that is still arriving at the
//!   deadline gets `408`: the deadline that stops a silent client stops a
//!   head sent one byte at a time.
//! - **the end of the stream before any byte**: nothing to answer, and
//!   nothing wrong. Browsers open spare connections ahead of need and close
//!   them unused.
//!
//! `docs/10-talking-to-a-browser.md` walks through a request and the
//! upgrade by hand.

use std::io::{self, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Instant;

use super::session::{TickingStream, tick};
use super::{Server, linger};
use crate::frame::is_timeout;
use crate::text;
use crate::transport::http::{self, HeadReader, HttpError, Route};
use crate::transport::sniff::{Protocol, classify};
use crate::transport::tune_socket;

use super::web;

/// The transport a chat session talks over, and the socket as it reads it.
pub(super) enum Transport {
    /// Our framing. Nothing has been read yet (the first byte was only
    /// peeked at), so the frame reader starts at the very first byte.
    Tcp(TickingStream),
    /// A WebSocket, after the upgrade. `buffered` holds the bytes that came
    /// in behind the upgrade request in the same read: a browser may send
    /// its first frame without waiting for our answer.
    WebSocket {
        stream: TickingStream,
        buffered: Vec<u8>,
    },
}

impl Transport {
    /// The socket underneath, to set timeouts on and to clone.
    pub(super) fn socket(&self) -> &TcpStream {
        match self {
            Transport::Tcp(stream) | Transport::WebSocket { stream, .. } => stream.socket(),
        }
    }

    /// For a WebSocket, a handle on the socket with which to see the
    /// closing handshake through after the session ([`linger`]): both sides
    /// send a close frame, and the peer's may still be on its way when
    /// ours has gone out.
    pub(super) fn closing_handshake(&self) -> Option<TcpStream> {
        match self {
            Transport::Tcp(_) => None,
            Transport::WebSocket { stream, .. } => stream.socket().try_clone().ok(),
        }
    }
}

/// Sets the socket up, waits for the first byte, and answers HTTP.
/// `Ok(None)` when there is no session to run: an HTTP answer was sent, or
/// the connection ended before it said anything.
pub(super) fn arrive(
    server: &Server,
    stream: TcpStream,
    addr: SocketAddr,
    join_by: Instant,
) -> io::Result<Option<Transport>> {
    let config = &server.config;
    tune_socket(&stream)?;
    stream.set_read_timeout(Some(tick(config.heartbeat)))?;
    stream.set_write_timeout(Some(config.send_timeout))?;
    let protocol = match first_byte(server, &stream, join_by) {
        FirstByte::Byte(byte) => classify(byte),
        FirstByte::NotYet => Protocol::Framed,
        FirstByte::Gone => return Ok(None),
    };
    let stream = TickingStream::new(stream, tick(config.heartbeat));
    match protocol {
        Protocol::Framed => Ok(Some(Transport::Tcp(stream))),
        Protocol::Http => Ok(answer_http(server, stream, addr, join_by)),
    }
}

/// What came first on a new connection.
enum FirstByte {
    Byte(u8),
    /// Nothing yet, and the join deadline has passed or the server is
    /// stopping: the session will say so.
    NotYet,
    /// The connection ended (or failed) before its first byte.
    Gone,
}

/// Waits for the first byte without taking it out of the socket (`peek`),
/// so that whichever reader comes next reads it as the start of its own
/// input. Each wait lasts one tick at most, so the deadline and a shutdown
/// are noticed in time.
fn first_byte(server: &Server, stream: &TcpStream, join_by: Instant) -> FirstByte {
    let mut byte = [0u8; 1];
    loop {
        if server.stopping() || Instant::now() >= join_by {
            return FirstByte::NotYet;
        }
        match stream.peek(&mut byte) {
            Ok(0) => return FirstByte::Gone,
            Ok(_) => return FirstByte::Byte(byte[0]),
            Err(e) if is_timeout(&e) || e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return FirstByte::Gone,
        }
    }
}

/// Reads one request head and answers it. Returns the WebSocket transport
/// after a successful upgrade, `None` after any other answer (each of which
/// ends the connection).
fn answer_http(
    server: &Server,
    stream: TickingStream,
    addr: SocketAddr,
    join_by: Instant,
) -> Option<Transport> {
    let who = addr.to_string();
    let mut head = HeadReader::new(stream);
    let request = loop {
        match head.read_head() {
            Ok(request) => break request,
            // The reader keeps what it has across a timeout: look at the
            // clock, then read on.
            Err(e) if e.is_timeout() => {
                if server.stopping() {
                    return None;
                }
                if Instant::now() >= join_by {
                    return refuse(server, head, &who, None, HttpError::TimedOut);
                }
            }
            Err(error) => return refuse(server, head, &who, None, error),
        }
    };
    let asked = Some((request.method.as_str(), request.target.as_str()));
    match http::route(&request, &server.config.allow_origin) {
        Ok(Route::Page) => {
            server.log(&text::t().log_http(&who, asked, 200, None));
            let page = web::page();
            let (stream, _) = head.into_parts();
            let _ = stream
                .socket()
                .write_all(&http::page_response(&page.html, &page.csp));
            // One request per connection: the page, then the end, once the
            // browser has had the time to read it.
            linger(stream.socket());
            None
        }
        Ok(Route::Upgrade { accept }) => {
            server.log(&text::t().log_http(&who, asked, 101, None));
            let (stream, buffered) = head.into_parts();
            stream
                .socket()
                .write_all(&http::switching_protocols(&accept))
                .ok()?;
            Some(Transport::WebSocket { stream, buffered })
        }
        Err(error) => refuse(server, head, &who, asked, error),
    }
}

/// Answers a request we will not serve with its status, and ends the
/// connection. A socket error has nobody to answer.
fn refuse(
    server: &Server,
    head: HeadReader<TickingStream>,
    who: &str,
    asked: Option<(&str, &str)>,
    error: HttpError,
) -> Option<Transport> {
    let response = http::error_response(&error)?;
    let status = error.status().map_or(0, |s| s.code);
    server.log(&text::t().log_http(who, asked, status, Some(&error)));
    let (stream, _) = head.into_parts();
    if stream.socket().write_all(&response).is_ok() {
        linger(stream.socket());
    }
    None
}
