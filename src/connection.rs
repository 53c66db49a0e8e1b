//! Where sockets meet messages: reading typed messages from a stream and
//! turning messages into frames ready to write.
//!
//! Server and client code use only this module to talk to a peer, so neither
//! knows how a message is laid out in bytes (that is `frame`, `json` and
//! `message`). Reading and writing are separate types because each side of a
//! chat connection reads and writes from different threads: a `TcpStream`
//! can be cloned with [`TcpStream::try_clone`], one handle for each job.

use std::fmt;
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;

use crate::frame::{self, FrameError, FrameReader};
use crate::message::{DecodeError, Message};
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

/// Why [`MessageReader::read_message`] returned no message.
#[derive(Debug)]
pub enum ReadError {
    /// Framing failed: the connection cannot go on (except after a timeout,
    /// see [`ReadError::is_timeout`]).
    Frame(FrameError),
    /// A whole frame arrived but its body is not a valid message. Framing is
    /// still in step, so the connection can go on after an `ERROR` reply.
    Decode(DecodeError),
}

impl ReadError {
    /// True when a socket read timeout expired; calling again resumes.
    pub fn is_timeout(&self) -> bool {
        matches!(self, ReadError::Frame(e) if e.is_timeout())
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Frame(e) => write!(f, "{e}"),
            ReadError::Decode(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ReadError {}

/// Reads whole messages from a byte stream: frames, then JSON, then types.
pub struct MessageReader<R> {
    frames: FrameReader<R>,
    trace: Trace,
    peer: String,
}

impl<R: Read> MessageReader<R> {
    /// A reader that refuses frames over `max_frame` bytes.
    pub fn new(inner: R, max_frame: usize) -> Self {
        MessageReader {
            frames: FrameReader::new(inner, max_frame),
            trace: Trace::Off,
            peer: String::new(),
        }
    }

    /// Prints every frame read, as `--trace` asks (see [`crate::trace`]).
    pub fn traced(mut self, trace: Trace, peer: String) -> Self {
        self.trace = trace;
        self.peer = peer;
        self
    }

    /// The next message; `Ok(None)` when the peer closed the connection
    /// cleanly between two messages.
    pub fn read_message(&mut self) -> Result<Option<Message>, ReadError> {
        match self.frames.read_frame() {
            Ok(Some(body)) => {
                self.trace.frame(Direction::Received, &self.peer, &body);
                Message::decode(&body).map(Some).map_err(ReadError::Decode)
            }
            Ok(None) => Ok(None),
            Err(e) => Err(ReadError::Frame(e)),
        }
    }
}

/// A message already encoded as a complete frame.
///
/// A broadcast sends the same bytes to many clients, so it is encoded once
/// and the bytes are shared (`Arc`) by every client's outgoing queue.
#[derive(Debug, Clone)]
pub struct Outgoing(Arc<[u8]>);

impl Outgoing {
    /// Encodes `message`: the path of the small messages (chat lines,
    /// notices), whose bytes are copied into a frame of exactly their size.
    pub fn new(message: &Message) -> Self {
        let body = message.encode();
        let mut bytes = Vec::with_capacity(frame::HEADER_LEN + body.len());
        frame::encode_frame(&body, &mut bytes);
        Outgoing(bytes.into())
    }

    /// Encodes `message`, moving its strings into the JSON writer instead
    /// of copying them: the path file chunks take, where the data is large.
    ///
    /// The bytes end up in an `Arc<[u8]>`: one allocation of exactly the
    /// frame's size (turning the `Vec` into it costs one copy). A broadcast
    /// storm can have hundreds of thousands of frames queued at once, and an
    /// `Arc<Vec<u8>>` would be two allocations each.
    pub fn from_message(message: Message) -> Self {
        let hint = message.size_hint();
        Outgoing(frame::build_frame(hint, |out| message.write_body(out)).into())
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The body, without the length prefix.
    pub fn body(&self) -> &[u8] {
        &self.0[frame::HEADER_LEN..]
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Encodes and writes one message, in a single `write` call.
pub fn write_message<W: Write>(w: &mut W, message: &Message) -> io::Result<()> {
    w.write_all(Outgoing::new(message).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    #[test]
    fn written_messages_read_back() {
        let mut wire = Vec::new();
        let hello = Message::Text {
            text: "hello".into(),
            to: None,
        };
        write_message(&mut wire, &hello).unwrap();
        write_message(&mut wire, &Message::Ping).unwrap();
        let mut reader = MessageReader::new(Cursor::new(wire), 1024);
        assert_eq!(reader.read_message().unwrap(), Some(hello));
        assert_eq!(reader.read_message().unwrap(), Some(Message::Ping));
        assert!(reader.read_message().unwrap().is_none());
    }

    #[test]
    fn a_bad_body_is_a_decode_error_and_the_next_frame_still_reads() {
        let mut wire = Vec::new();
        frame::encode_frame(b"not json", &mut wire);
        write_message(&mut wire, &Message::Pong).unwrap();
        let mut reader = MessageReader::new(Cursor::new(wire), 1024);
        assert!(matches!(reader.read_message(), Err(ReadError::Decode(_))));
        assert_eq!(reader.read_message().unwrap(), Some(Message::Pong));
    }
}
