//! Length-prefixed frames: how one message is cut out of a TCP byte stream.
//!
//! TCP delivers a *stream* of bytes, not a sequence of messages. One `write`
//! of 100 bytes may arrive as a `read` of 60 and a `read` of 40, and two
//! writes may arrive glued together in one read. So every message on the wire
//! carries its own length in front of it:
//!
//! ```text
//! +----------------------------+--------------------------------+
//! | length: u32, big-endian    | body: `length` bytes (JSON)    |
//! +----------------------------+--------------------------------+
//! ```
//!
//! The reader first collects 4 bytes, learns how long the body is, then
//! collects exactly that many. `docs/protocol.md` shows a real frame byte by
//! byte; `docs/02-message-boundaries.md` tells the longer story.
//!
//! Two rules keep a hostile peer from hurting us:
//! - the declared length is checked against a limit *before* any memory is
//!   set aside for the body (a peer can write `0xFFFFFFFF` in four bytes);
//! - a connection whose framing is lost (a bad length) must be closed: we can
//!   no longer tell where the next frame starts.

use std::fmt;
use std::io::{self, Read};

/// Bytes in the length prefix.
pub const HEADER_LEN: usize = 4;

/// The default largest body a receiver accepts: 1 MiB, as the contract says.
/// Big enough for the largest file chunk a sender may choose (512 KiB, about
/// 683 KiB once it is base64 inside JSON), small enough that a thousand
/// connections cannot make us allocate much.
pub const DEFAULT_MAX_FRAME: usize = 1024 * 1024;

/// How a frame can fail to arrive. A clean end of stream *between* frames is
/// not an error: [`FrameReader::read_frame`] returns `Ok(None)` for it.
#[derive(Debug)]
pub enum FrameError {
    /// The peer announced a body longer than our limit. Framing is lost.
    TooLarge { len: usize, limit: usize },
    /// The peer announced an empty body, which the protocol forbids.
    ZeroLength,
    /// The stream ended inside a header or a body.
    Truncated { expected: usize, received: usize },
    /// The socket failed, or a read timeout expired (see [`FrameError::is_timeout`]).
    Io(io::Error),
}

impl FrameError {
    /// True when a socket read timeout expired. Nothing is lost: the reader
    /// keeps the bytes it already has, and the next call carries on.
    pub fn is_timeout(&self) -> bool {
        matches!(self, FrameError::Io(e) if is_timeout(e))
    }
}

/// A read timeout shows up as `WouldBlock` on Unix and `TimedOut` on Windows.
pub fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameError::TooLarge { len, limit } => {
                write!(f, "frame of {len} bytes is over the limit of {limit} bytes")
            }
            FrameError::ZeroLength => write!(f, "frame with a length of zero"),
            FrameError::Truncated { expected, received } => write!(
                f,
                "connection closed inside a frame ({received} of {expected} bytes arrived)"
            ),
            FrameError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for FrameError {}

impl From<io::Error> for FrameError {
    fn from(e: io::Error) -> Self {
        FrameError::Io(e)
    }
}

/// Appends one frame (header and body) to `out`.
///
/// Building the whole frame in one buffer lets the caller hand it to the
/// kernel in a single `write`: with `TCP_NODELAY` set, two writes (header,
/// then body) could leave as two packets.
pub fn encode_frame(body: &[u8], out: &mut Vec<u8>) {
    // The protocol's length field is 32 bits; bodies are capped far below that
    // by the senders' own limits, so this conversion only fails on a bug.
    let len = u32::try_from(body.len()).expect("frame body longer than 4 GiB");
    out.reserve(HEADER_LEN + body.len());
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(body);
}

/// Builds one frame whose body `write_body` writes as text: room for the
/// header is kept at the front, the body is written straight after it, and
/// the length is filled in at the end. Nothing is copied on the way (the
/// simpler "encode the body, then copy it behind a header" copies it once).
///
/// `body_hint` is a guess at the body's length. Allocating about the right
/// size at once matters more than it seems: a broadcast storm builds frames
/// by the hundred thousand, and growing each one step by step leaves the
/// memory allocator with a heap full of holes.
pub fn build_frame(body_hint: usize, write_body: impl FnOnce(&mut String)) -> Vec<u8> {
    let mut text = String::with_capacity(HEADER_LEN + body_hint);
    // Four placeholder characters, one byte each in UTF-8, overwritten below.
    text.push_str("\0\0\0\0");
    write_body(&mut text);
    let mut frame = text.into_bytes();
    let len = u32::try_from(frame.len() - HEADER_LEN).expect("frame body longer than 4 GiB");
    frame[..HEADER_LEN].copy_from_slice(&len.to_be_bytes());
    frame
}

/// Reads frames from a byte stream, keeping partial input between calls.
///
/// `read_exact` would be simpler, but it loses the bytes it already read when
/// a socket read timeout fires in the middle of a frame. Our server *relies*
/// on read timeouts to notice shutdown and dead peers, so the reader keeps its
/// own buffer: a timeout returns an error, and the next call resumes exactly
/// where the last one stopped. The buffer also lets one `read` system call
/// pick up several small frames at once.
pub struct FrameReader<R> {
    inner: R,
    limit: usize,
    /// `buf[start..end]` holds bytes received but not yet returned.
    buf: Vec<u8>,
    start: usize,
    end: usize,
}

/// The buffer a reader starts with: room for several chat messages, so one
/// `read` picks up a burst of them. It grows only when a frame needs it, so
/// a thousand idle connections cost little memory.
const INITIAL_BUFFER: usize = 1024;

/// When the buffer must grow, it grows to at least this much: a connection
/// that sends big frames (file chunks) is busy, and a bigger buffer lets one
/// `read` take in more of the stream at once.
const GROWN_BUFFER: usize = 64 * 1024;

impl<R: Read> FrameReader<R> {
    /// A reader that refuses bodies longer than `limit` bytes.
    pub fn new(inner: R, limit: usize) -> Self {
        FrameReader {
            inner,
            limit,
            buf: vec![0; INITIAL_BUFFER],
            start: 0,
            end: 0,
        }
    }

    /// The next frame's body; `Ok(None)` when the stream ended cleanly
    /// between two frames.
    pub fn read_frame(&mut self) -> Result<Option<Vec<u8>>, FrameError> {
        loop {
            let buffered = self.end - self.start;
            if buffered >= HEADER_LEN {
                let len = self.body_len()?;
                let needed = HEADER_LEN + len;
                if buffered >= needed {
                    let body_start = self.start + HEADER_LEN;
                    let body = self.buf[body_start..body_start + len].to_vec();
                    self.start += needed;
                    return Ok(Some(body));
                }
                self.make_room(needed);
            } else {
                self.make_room(HEADER_LEN);
            }
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(0) => return self.end_of_stream(),
                Ok(n) => self.end += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(FrameError::Io(e)),
            }
        }
    }

    /// Decodes and checks the length prefix at the front of the buffer.
    /// This is the check that happens *before* anything is allocated.
    fn body_len(&self) -> Result<usize, FrameError> {
        let mut header = [0u8; HEADER_LEN];
        header.copy_from_slice(&self.buf[self.start..self.start + HEADER_LEN]);
        let len = u32::from_be_bytes(header) as usize;
        if len == 0 {
            return Err(FrameError::ZeroLength);
        }
        if len > self.limit {
            return Err(FrameError::TooLarge {
                len,
                limit: self.limit,
            });
        }
        Ok(len)
    }

    /// Makes sure `needed` bytes (counted from `start`) fit in the buffer:
    /// first by moving unread bytes to the front, then by growing. `needed`
    /// is at most the header plus a checked body length.
    fn make_room(&mut self, needed: usize) {
        if self.start > 0 && self.start + needed > self.buf.len() {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if needed > self.buf.len() {
            let limit = HEADER_LEN + self.limit;
            self.buf.resize(needed.max(GROWN_BUFFER.min(limit)), 0);
        }
    }

    fn end_of_stream(&self) -> Result<Option<Vec<u8>>, FrameError> {
        let received = self.end - self.start;
        if received == 0 {
            return Ok(None);
        }
        let expected = if received >= HEADER_LEN {
            HEADER_LEN + self.body_len()?
        } else {
            HEADER_LEN
        };
        Err(FrameError::Truncated { expected, received })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn frames(bodies: &[&[u8]]) -> Vec<u8> {
        let mut out = Vec::new();
        for body in bodies {
            encode_frame(body, &mut out);
        }
        out
    }

    /// A reader that hands out its bytes a few at a time, the way a real
    /// socket may, and reports a timeout between every piece.
    struct Trickle {
        data: Vec<u8>,
        pos: usize,
        step: usize,
        timeout_next: bool,
    }

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.timeout_next = !self.timeout_next;
            if self.timeout_next {
                return Err(io::Error::new(io::ErrorKind::WouldBlock, "timeout"));
            }
            let n = self.step.min(buf.len()).min(self.data.len() - self.pos);
            buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
            self.pos += n;
            Ok(n)
        }
    }

    #[test]
    fn a_built_frame_equals_an_encoded_one() {
        let mut encoded = Vec::new();
        encode_frame("{\"a\": \"é\"}".as_bytes(), &mut encoded);
        assert_eq!(
            build_frame(0, |out| out.push_str("{\"a\": \"é\"}")),
            encoded
        );
        assert_eq!(build_frame(100, |_| {}), [0, 0, 0, 0]);
    }

    #[test]
    fn header_is_big_endian_length() {
        let mut out = Vec::new();
        encode_frame(b"{}", &mut out);
        assert_eq!(out, [0, 0, 0, 2, b'{', b'}']);
    }

    #[test]
    fn reads_back_to_back_frames_then_clean_end() {
        let data = frames(&[b"one", b"two two", b"3"]);
        let mut reader = FrameReader::new(Cursor::new(data), 100);
        assert_eq!(reader.read_frame().unwrap().unwrap(), b"one");
        assert_eq!(reader.read_frame().unwrap().unwrap(), b"two two");
        assert_eq!(reader.read_frame().unwrap().unwrap(), b"3");
        assert!(reader.read_frame().unwrap().is_none());
    }

    #[test]
    fn timeouts_mid_frame_lose_nothing() {
        let big = vec![7u8; 20_000];
        let data = frames(&[b"hello", &big, b"bye"]);
        let mut reader = FrameReader::new(
            Trickle {
                data,
                pos: 0,
                step: 3,
                timeout_next: false,
            },
            100_000,
        );
        let mut got = Vec::new();
        loop {
            match reader.read_frame() {
                Ok(Some(body)) => got.push(body),
                Ok(None) => break,
                Err(e) if e.is_timeout() => continue,
                Err(e) => panic!("unexpected error: {e}"),
            }
        }
        assert_eq!(got, vec![b"hello".to_vec(), big, b"bye".to_vec()]);
    }

    #[test]
    fn length_over_limit_is_refused_before_reading_the_body() {
        // Only the header is present: the reader must answer from it alone,
        // without waiting for (or allocating) four gigabytes.
        let mut reader = FrameReader::new(Cursor::new(vec![0xFF; 4]), 1024);
        match reader.read_frame() {
            Err(FrameError::TooLarge { len, limit }) => {
                assert_eq!((len, limit), (0xFFFF_FFFF, 1024));
            }
            other => panic!("expected TooLarge, got {other:?}"),
        }
        assert!(reader.buf.len() <= INITIAL_BUFFER);
    }

    #[test]
    fn zero_length_is_an_error() {
        let mut reader = FrameReader::new(Cursor::new(vec![0, 0, 0, 0]), 1024);
        assert!(matches!(reader.read_frame(), Err(FrameError::ZeroLength)));
    }

    #[test]
    fn end_inside_header_is_truncated() {
        let mut reader = FrameReader::new(Cursor::new(vec![0, 0]), 1024);
        match reader.read_frame() {
            Err(FrameError::Truncated { expected, received }) => {
                assert_eq!((expected, received), (4, 2));
            }
            other => panic!("expected Truncated, got {other:?}"),
        }
    }

    #[test]
    fn end_inside_body_is_truncated() {
        let mut data = frames(&[b"complete", b"cut short"]);
        data.truncate(data.len() - 4);
        let mut reader = FrameReader::new(Cursor::new(data), 1024);
        assert_eq!(reader.read_frame().unwrap().unwrap(), b"complete");
        match reader.read_frame() {
            Err(FrameError::Truncated { expected, received }) => {
                assert_eq!((expected, received), (4 + 9, 4 + 5));
            }
            other => panic!("expected Truncated, got {other:?}"),
        }
    }

    #[test]
    fn io_errors_pass_through() {
        struct Broken;
        impl Read for Broken {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::new(io::ErrorKind::ConnectionReset, "reset"))
            }
        }
        let mut reader = FrameReader::new(Broken, 1024);
        let err = reader.read_frame().unwrap_err();
        assert!(matches!(&err, FrameError::Io(e) if e.kind() == io::ErrorKind::ConnectionReset));
        assert!(!err.is_timeout());
    }

    #[test]
    fn frame_exactly_at_limit_is_accepted() {
        let body = vec![b'x'; 64];
        let mut reader = FrameReader::new(Cursor::new(frames(&[&body])), 64);
        assert_eq!(reader.read_frame().unwrap().unwrap(), body);
        let mut reader = FrameReader::new(Cursor::new(frames(&[&[b'x'; 65]])), 64);
        assert!(matches!(
            reader.read_frame(),
            Err(FrameError::TooLarge { len: 65, .. })
        ));
    }
}
