//! Transports: how message bodies travel over a connection.
//!
//! A message body is the JSON text of one envelope. What carries it is the
//! transport's business, and nobody else's:
//!
//! - [`tcp`]: our own framing, a 4-byte length before every body
//!   (`docs/02-message-boundaries.md`).
//! - [`websocket`] (contract section 13): a browser's frames, masked and
//!   maybe fragmented, in; a WebSocket frame header before each body out.
//!   A browser's connection starts as HTTP ([`http`]), and the first byte
//!   tells the two apart ([`sniff`]).
//!
//! The rest of the program meets a transport at two points only, so it
//! never needs to know which one it talks to:
//!
//! - **in**: a [`ReadBody`] hands out one body at a time, and a
//!   [`MessageReader`] turns each into a typed message;
//! - **out**: an [`Outgoing`] body is encoded once and shared by every
//!   recipient; the writer asks the connection's [`Framing`] for the
//!   [`Header`] to put in front of it, and hands header and body to the
//!   kernel as two slices of one vectored write ([`write_all_bodies`]). So a
//!   broadcast to a TCP client and to a browser shares one body.
//!
//! A WebSocket also has frames that carry no message: a `pong` answering a
//! browser's `ping`, the `close` frame that ends the connection. Its reader
//! answers those itself, through the connection's one writer ([`Replies`]):
//! such a frame is an [`Outgoing::framed`], written as it is, with no header
//! in front. And when a connection ends cleanly, its writer asks the
//! framing for the last words to write ([`Framing::farewell`]: a WebSocket
//! close frame, nothing for TCP).

pub mod http;
pub mod sniff;
pub mod tcp;
pub mod websocket;

#[cfg(test)]
mod trickle;

use std::fmt;
use std::io::{self, IoSlice, Write};
use std::marker::PhantomData;
use std::net::TcpStream;
use std::sync::Arc;

use crate::frame::is_timeout;
use crate::message::{DecodeError, ErrorCode, Message};
use crate::trace::{Direction, Trace};

/// Prepares a freshly connected or accepted chat socket.
///
/// Chat traffic is many small messages that should arrive *now*. By default
/// TCP delays a small write while an earlier one is unacknowledged (Nagle's
/// algorithm), and the receiver delays its acknowledgement hoping to piggy-back
/// it (delayed ACK); together they add tens of milliseconds to a chat line.
/// `TCP_NODELAY` turns Nagle's algorithm off. Our writers already gather
/// what they have into as few `write` calls as they can, so we lose nothing.
pub fn tune_socket(stream: &TcpStream) -> io::Result<()> {
    stream.set_nodelay(true)
}

// ---------------------------------------------------------------------------
// In: one body at a time
// ---------------------------------------------------------------------------

/// A source of message bodies: the reading half of a transport.
pub trait ReadBody {
    /// The next body; `Ok(None)` when the peer closed the connection cleanly
    /// between two messages.
    fn read_body(&mut self) -> Result<Option<Vec<u8>>, TransportError>;

    /// True when the next [`read_body`](ReadBody::read_body) returns at once,
    /// because everything it needs has already arrived: a reader that hands
    /// bodies to another thread uses it to pass on several at a time without
    /// ever waiting for one more (the client's socket thread,
    /// `src/client/events.rs`). `false` is always a safe answer, and the one a
    /// transport gives unless it knows better: then every body goes on alone.
    fn body_waiting(&self) -> bool {
        false
    }
}

/// A transport chosen at run time (the server picks one per connection)
/// reads through a box.
impl<T: ReadBody + ?Sized> ReadBody for Box<T> {
    fn read_body(&mut self) -> Result<Option<Vec<u8>>, TransportError> {
        (**self).read_body()
    }

    fn body_waiting(&self) -> bool {
        (**self).body_waiting()
    }
}

/// Why a transport delivered no body.
#[derive(Debug)]
pub enum TransportError {
    /// The peer broke the transport's framing (a length over the limit, a
    /// length of zero): we no longer know where the next message starts, so
    /// the connection must close. `reply` is the `ERROR` code to tell it
    /// first; `why` says what was wrong, for the log and the reply.
    Broken { reply: ErrorCode, why: String },
    /// The connection closed in the middle of a message. Nobody is left to
    /// tell; the log still says that a message was cut off.
    Truncated(String),
    /// The socket failed, or its read timeout expired (see
    /// [`TransportError::is_timeout`]).
    Io(io::Error),
}

impl TransportError {
    /// True when a socket read timeout expired: nothing is lost, and calling
    /// again resumes where the last call stopped.
    pub fn is_timeout(&self) -> bool {
        matches!(self, TransportError::Io(e) if is_timeout(e))
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransportError::Broken { why, .. } | TransportError::Truncated(why) => {
                write!(f, "{why}")
            }
            TransportError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for TransportError {}

/// Why [`MessageReader::read_message`] returned no message.
#[derive(Debug)]
pub enum ReadError {
    /// The transport failed: the connection cannot go on (except after a
    /// timeout, see [`ReadError::is_timeout`]).
    Transport(TransportError),
    /// A whole body arrived but it is not a valid message. Framing is still
    /// in step, so the connection can go on after an `ERROR` reply.
    Decode(DecodeError),
}

impl ReadError {
    /// True when a socket read timeout expired; calling again resumes.
    pub fn is_timeout(&self) -> bool {
        matches!(self, ReadError::Transport(e) if e.is_timeout())
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Transport(e) => write!(f, "{e}"),
            ReadError::Decode(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ReadError {}

/// Reads whole messages of one direction `M` from a transport: bodies,
/// then JSON, then types. The server reads
/// [`ClientMessage`](crate::message::ClientMessage)s, the client
/// [`ServerMessage`](crate::message::ServerMessage)s.
pub struct MessageReader<R, M> {
    bodies: R,
    trace: Trace,
    peer: String,
    direction: PhantomData<fn() -> M>,
}

impl<R: ReadBody, M: Message> MessageReader<R, M> {
    pub fn new(bodies: R) -> Self {
        MessageReader {
            bodies,
            trace: Trace::Off,
            peer: String::new(),
            direction: PhantomData,
        }
    }

    /// Prints every body read, as `--trace` asks (see [`crate::trace`]).
    pub fn traced(mut self, trace: Trace, peer: String) -> Self {
        self.trace = trace;
        self.peer = peer;
        self
    }

    /// The next message; `Ok(None)` when the peer closed the connection
    /// cleanly between two messages.
    pub fn read_message(&mut self) -> Result<Option<M>, ReadError> {
        match self.bodies.read_body() {
            Ok(Some(body)) => {
                self.trace.frame(Direction::Received, &self.peer, &body);
                M::decode(&body).map(Some).map_err(ReadError::Decode)
            }
            Ok(None) => Ok(None),
            Err(e) => Err(ReadError::Transport(e)),
        }
    }

    /// True when the next [`read_message`](MessageReader::read_message)
    /// returns at once: its body (or the error it ends with) has already
    /// arrived ([`ReadBody::body_waiting`]).
    pub fn message_waiting(&self) -> bool {
        self.bodies.body_waiting()
    }
}

// ---------------------------------------------------------------------------
// Out: a shared body, and a header per transport
// ---------------------------------------------------------------------------

/// A message already encoded: the JSON bytes of its body, nothing else.
///
/// A broadcast sends the same body to many clients, so it is encoded once
/// and the bytes are shared (`Arc`) by every client's outgoing queue. The
/// transport's header is not in here: each writer adds its own when it
/// writes (a TCP client and a browser want different ones).
#[derive(Debug, Clone)]
pub struct Outgoing {
    bytes: Bytes,
    /// True for bytes that are already a whole frame of the connection's
    /// transport (a WebSocket pong or close): written with no header.
    framed: bool,
}

/// How a body's bytes are kept, by size.
///
/// A small body (a chat line, a join notice) is copied into an `Arc<[u8]>`:
/// one allocation of exactly its size. A broadcast storm can have hundreds
/// of thousands of them queued at once, and the copy of a few dozen bytes
/// costs nothing. A large body (a file chunk, 5.5 KiB at the default size)
/// keeps the buffer it was encoded into, behind an `Arc<Vec<u8>>`: a second
/// allocation of a few dozen bytes instead of a copy of kilobytes, on every
/// chunk of every file.
#[derive(Debug, Clone)]
enum Bytes {
    Small(Arc<[u8]>),
    Large(Arc<Vec<u8>>),
}

/// The largest body that is copied into an exact allocation.
const SMALL_BODY: usize = 1024;

impl Bytes {
    fn new(mut bytes: Vec<u8>) -> Bytes {
        if bytes.len() <= SMALL_BODY {
            return Bytes::Small(bytes.into());
        }
        // A file chunk was encoded into a buffer sized for it; a body that
        // grew as it was written may have up to twice its length, which no
        // queue's count of bytes would see.
        if bytes.capacity() - bytes.len() > bytes.len() / 4 {
            bytes.shrink_to_fit();
        }
        Bytes::Large(Arc::new(bytes))
    }

    fn as_slice(&self) -> &[u8] {
        match self {
            Bytes::Small(bytes) => bytes,
            Bytes::Large(bytes) => bytes,
        }
    }
}

impl Outgoing {
    /// Encodes `message`, leaving it as it is: the path of the small
    /// messages (chat lines, notices).
    pub fn new<M: Message>(message: &M) -> Self {
        Outgoing::body_of(message.encode())
    }

    /// Encodes `message`, moving its strings into the JSON writer instead
    /// of copying them: the path file chunks take, where the data is large.
    pub fn from_message<M: Message>(message: M) -> Self {
        let mut body = String::with_capacity(message.size_hint());
        message.write_body(&mut body);
        Outgoing::body_of(body.into_bytes())
    }

    fn body_of(bytes: Vec<u8>) -> Self {
        Outgoing {
            bytes: Bytes::new(bytes),
            framed: false,
        }
    }

    /// A frame its transport built whole, to be written exactly as it is:
    /// the writer puts no header in front. Only a transport's own reader
    /// makes these (see [`Replies`]); they are for one connection only.
    pub fn framed(frame: Vec<u8>) -> Self {
        Outgoing {
            bytes: Bytes::new(frame),
            framed: true,
        }
    }

    /// The body: the JSON text of one envelope (or, for a
    /// [`framed`](Outgoing::framed) one, the whole frame).
    pub fn body(&self) -> &[u8] {
        self.bytes.as_slice()
    }

    /// True for a whole frame made by [`Outgoing::framed`].
    pub fn is_framed(&self) -> bool {
        self.framed
    }

    /// Bytes in the body (the header is not counted).
    pub fn len(&self) -> usize {
        self.body().len()
    }

    pub fn is_empty(&self) -> bool {
        self.body().is_empty()
    }

    /// The header `framing` puts in front of this body: none for a whole
    /// frame.
    fn header(&self, framing: Framing) -> Header {
        if self.framed {
            Header::new(&[])
        } else {
            framing.header(self.len())
        }
    }
}

/// Where a transport's reader sends the frames it answers with itself,
/// through the connection's one writer (so they never cut into a message
/// being written). A WebSocket reader answers a `ping` with a `pong`, and a
/// `close`, or a broken rule, with the close frame that ends the connection.
pub trait Replies: Send + Sync {
    /// Queues a whole frame; false if it could not be queued (the
    /// connection is closing, or the peer is not reading).
    fn reply(&self, frame: Outgoing) -> bool;

    /// Queues the last frame the connection sends: nothing is queued after
    /// it, and the writer ends once it is written. False if the connection
    /// was already closing (its last frame is decided, so this one is not
    /// sent: a WebSocket sends exactly one close frame).
    fn reply_last(&self, frame: Outgoing) -> bool;
}

/// Why a connection the server ends cleanly is ending, for transports whose
/// goodbye says so (a WebSocket close code, [`Framing::farewell`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Ending {
    /// The connection did what it was for: the client left, or was told
    /// why it must go.
    #[default]
    Normal,
    /// The server is shutting down.
    GoingAway,
}

/// The bytes a transport writes in front of one body: TCP's 4-byte length,
/// or a WebSocket frame header (2 to 10 bytes) for a browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Header {
    bytes: [u8; Header::MAX],
    len: u8,
}

impl Header {
    /// The longest header any transport writes (a WebSocket frame with a
    /// 64-bit length and a mask key is 14 bytes).
    pub const MAX: usize = 14;

    /// A header of these bytes. More than [`Header::MAX`] is a bug in a
    /// transport, not something a peer can cause.
    pub fn new(bytes: &[u8]) -> Header {
        assert!(bytes.len() <= Header::MAX, "header longer than Header::MAX");
        let mut header = Header {
            bytes: [0; Header::MAX],
            len: bytes.len() as u8,
        };
        header.bytes[..bytes.len()].copy_from_slice(bytes);
        header
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

/// How a connection frames the bodies it sends: which [`Header`] goes in
/// front of each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Framing {
    /// A 4-byte big-endian length ([`tcp`]).
    #[default]
    Tcp,
    /// A WebSocket text frame's header ([`websocket`]): one frame per body,
    /// never masked, never fragmented.
    WebSocket,
}

impl Framing {
    /// The header to write in front of a body of `body_len` bytes.
    pub fn header(self, body_len: usize) -> Header {
        match self {
            Framing::Tcp => tcp::header(body_len),
            Framing::WebSocket => Header::new(websocket::text_header(body_len).as_bytes()),
        }
    }

    /// What to write last when the server ends a connection cleanly and
    /// nothing final has been written yet. Our framing has no goodbye (the
    /// end of the stream says it); a WebSocket ends with a close frame, so
    /// that the browser can tell a deliberate end from a lost connection.
    pub fn farewell(self, ending: Ending) -> Option<Vec<u8>> {
        match self {
            Framing::Tcp => None,
            Framing::WebSocket => {
                let code = match ending {
                    Ending::Normal => websocket::close_code::NORMAL,
                    Ending::GoingAway => websocket::close_code::GOING_AWAY,
                };
                Some(websocket::close_frame(code, ""))
            }
        }
    }
}

/// Most bodies handed to one `write_vectored` call: each is two slices
/// (header, body), and systems accept at least 1024 slices per call
/// (`IOV_MAX` on Linux, macOS and the BSDs; Windows has no lower limit).
/// 64 keeps the call's lists small enough for the writer's stack (3 KiB)
/// and is already enough to make a system call's own cost small next to
/// the bytes it carries.
pub const BODIES_PER_WRITE: usize = 64;

/// Writes every body with its header in front, in order, handing them all to
/// the kernel at once.
///
/// `write_vectored` (the `writev` system call) takes a list of separate
/// buffers and sends them as if they were one: a batch of messages goes out
/// in one call without first being copied together, each header from this
/// call's own little array and each body from the bytes every recipient
/// shares. Like `write`, it may take only part of what it is given;
/// `IoSlice::advance_slices` skips what was written, and we call again for
/// the rest. At most [`BODIES_PER_WRITE`] bodies at a time.
pub fn write_all_bodies<W: Write>(
    out: &mut W,
    framing: Framing,
    bodies: &[Outgoing],
) -> io::Result<()> {
    for bodies in bodies.chunks(BODIES_PER_WRITE) {
        // The headers and the list of slices live on the stack: a writer
        // writes thousands of times, and asking the memory allocator for
        // two lists of a different length each time leaves every one of
        // thousands of writer threads holding blocks of every length.
        let mut headers = [Header::default(); BODIES_PER_WRITE];
        for (header, body) in headers.iter_mut().zip(bodies) {
            *header = body.header(framing);
        }
        // A whole frame (a WebSocket pong or close) has an empty header,
        // which gets no slice of its own.
        let mut slices = [IoSlice::new(&[]); 2 * BODIES_PER_WRITE];
        let mut used = 0;
        for (header, body) in headers.iter().zip(bodies) {
            if !header.as_bytes().is_empty() {
                slices[used] = IoSlice::new(header.as_bytes());
                used += 1;
            }
            slices[used] = IoSlice::new(body.body());
            used += 1;
        }
        let mut rest = &mut slices[..used];
        while !rest.is_empty() {
            match out.write_vectored(rest) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => IoSlice::advance_slices(&mut rest, n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::ServerMessage;

    /// A writer that takes at most `step` bytes per call, and only from the
    /// first slice it is given: the worst a kernel may do.
    struct Stingy {
        written: Vec<u8>,
        step: usize,
        calls: usize,
    }

    impl Write for Stingy {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.calls += 1;
            let n = buf.len().min(self.step);
            self.written.extend_from_slice(&buf[..n]);
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn bodies_go_out_with_their_headers_in_order_however_the_writes_split() {
        let bodies: Vec<Outgoing> = (0..BODIES_PER_WRITE + 3)
            .map(|i| {
                Outgoing::new(&ServerMessage::Error(crate::message::ErrorReport::new(
                    ErrorCode::BadJson,
                    format!("message {i}"),
                )))
            })
            .collect();
        let mut expected = Vec::new();
        for body in &bodies {
            crate::frame::encode_frame(body.body(), &mut expected);
        }
        for step in [1, 3, 7, 1 << 20] {
            let mut out = Stingy {
                written: Vec::new(),
                step,
                calls: 0,
            };
            write_all_bodies(&mut out, Framing::Tcp, &bodies).unwrap();
            assert!(out.written == expected, "step {step}");
        }
    }

    #[test]
    fn websocket_bodies_get_a_text_header_and_whole_frames_none() {
        let chat = Outgoing::new(&ServerMessage::Pong);
        let pong = Outgoing::framed(websocket::pong_frame(b"hi"));
        let mut out = Stingy {
            written: Vec::new(),
            step: 5,
            calls: 0,
        };
        write_all_bodies(&mut out, Framing::WebSocket, &[chat.clone(), pong]).unwrap();
        let mut expected = Vec::new();
        websocket::encode_text(chat.body(), &mut expected);
        expected.extend(websocket::pong_frame(b"hi"));
        assert_eq!(out.written, expected);
    }

    #[test]
    fn whole_frames_among_bodies_across_several_writes() {
        // Every third one a whole frame, past one write's worth of bodies:
        // the slices skip the empty headers and no body is lost or doubled.
        let bodies: Vec<Outgoing> = (0..2 * BODIES_PER_WRITE + 5)
            .map(|i| match i % 3 {
                0 => Outgoing::framed(websocket::pong_frame(&[i as u8])),
                _ => Outgoing::new(&ServerMessage::Pong),
            })
            .collect();
        let mut expected = Vec::new();
        for body in &bodies {
            if body.is_framed() {
                expected.extend_from_slice(body.body());
            } else {
                websocket::encode_text(body.body(), &mut expected);
            }
        }
        for step in [1, 7, usize::MAX] {
            let mut out = Stingy {
                written: Vec::new(),
                step,
                calls: 0,
            };
            write_all_bodies(&mut out, Framing::WebSocket, &bodies).unwrap();
            assert!(out.written == expected, "step {step}");
        }
    }

    #[test]
    fn only_a_websocket_says_goodbye() {
        assert_eq!(Framing::Tcp.farewell(Ending::Normal), None);
        assert_eq!(
            Framing::WebSocket.farewell(Ending::Normal),
            Some(websocket::close_frame(1000, ""))
        );
        assert_eq!(
            Framing::WebSocket.farewell(Ending::GoingAway),
            Some(websocket::close_frame(1001, ""))
        );
    }

    #[test]
    fn a_large_body_keeps_its_buffer_and_a_small_one_is_copied_exactly() {
        let large = vec![b'x'; SMALL_BODY + 1];
        let (at, len) = (large.as_ptr(), large.len());
        let body = Outgoing::body_of(large);
        assert_eq!(body.body().as_ptr(), at, "a large body is not copied");
        assert_eq!(body.len(), len);
        assert!(matches!(body.bytes, Bytes::Large(_)));
        // One that grew as it was written gives its spare room back.
        let mut grown = Vec::with_capacity(4 * SMALL_BODY);
        grown.resize(SMALL_BODY + 1, b'y');
        match Outgoing::body_of(grown).bytes {
            Bytes::Large(kept) => assert!(kept.capacity() < 2 * SMALL_BODY),
            Bytes::Small(_) => panic!("a large body is kept as large"),
        }
        let mut small = Vec::with_capacity(4096);
        small.extend_from_slice(b"{\"type\": \"PING\"}");
        let body = Outgoing::body_of(small.clone());
        assert_eq!(body.body(), &small[..]);
        assert!(matches!(body.bytes, Bytes::Small(_)));
        // Clones share the bytes either way.
        assert_eq!(body.clone().body().as_ptr(), body.body().as_ptr());
    }

    #[test]
    fn a_header_holds_exactly_its_bytes() {
        assert_eq!(Header::new(&[1, 2, 3]).as_bytes(), &[1, 2, 3]);
        assert_eq!(Header::new(&[7; Header::MAX]).as_bytes().len(), Header::MAX);
    }
}
