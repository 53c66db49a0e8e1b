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
//! Three rules keep a hostile peer from hurting us:
//! - the declared length is checked against a limit *before* any memory is
//!   set aside for the body (a peer can write `0xFFFFFFFF` in four bytes);
//! - even a length within the limit is only a promise: memory is set aside
//!   as the body's bytes arrive, never because a header announced them
//!   (see [`FrameReader`]);
//! - a connection whose framing is lost (a bad length) must be closed: we can
//!   no longer tell where the next frame starts.

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
///
/// What a reader costs follows the bytes that have arrived, never the length
/// a header declares (`docs/06-misbehaving-peers.md`, "Memory on a peer's
/// word"): a small buffer of fixed size takes headers and small frames, and a
/// body too big for it gets a buffer of its own that grows as its bytes come
/// in. That buffer is handed to the caller with the frame, so the reader is
/// small again afterwards and the body is never copied out.
///
/// One exception pays for itself: a stream of file chunks. Each 4 KiB chunk
/// is a frame of about 5.5 KiB, and a `read` per frame is 65,536 system
/// calls for a 256 MiB file. Once [`READ_AHEAD`] bytes of large bodies have
/// arrived, the small buffer is swapped for one of that size, which takes in
/// a dozen such frames per `read` (each body is then copied out of it). The
/// peer has sent at least as many bytes as the buffer holds, so the rule
/// above still stands; and when the stream goes quiet (a read timeout with
/// nothing buffered) the small buffer comes back.
pub struct FrameReader<R> {
    inner: R,
    limit: usize,
    /// Headers and small frames land here. `buf[start..end]` holds bytes
    /// received but not yet returned.
    buf: Box<[u8]>,
    start: usize,
    end: usize,
    /// The body of a frame too big for `buf`, while it arrives.
    large: Option<LargeBody>,
    /// Bytes of large bodies received since the buffer was last small.
    streamed: usize,
}

/// The buffer of a reader that is receiving a stream of large frames.
pub const READ_AHEAD: usize = 64 * 1024;

/// The buffer every reader has, whatever arrives: room for several chat
/// messages, so one `read` picks up a burst of them, and small enough that
/// a thousand idle connections cost a mebibyte between them.
const SMALL_BUFFER: usize = 1024;

/// The first buffer of a large body holds at least this much: a file chunk
/// of the default size (4096 bytes, about 5.5 KiB once it is base64 inside
/// JSON) then arrives in one step. Later steps double what has arrived.
const FIRST_LARGE_STEP: usize = 8 * 1024;

/// A body too big for the small buffer, on its way in.
struct LargeBody {
    /// `bytes[..filled]` has arrived; `bytes[filled..]` is zeroed room for
    /// the next `read`. Past the body's end there is room for up to
    /// [`SMALL_BUFFER`] bytes of whatever follows it, so that the next
    /// frame's header comes in with the same `read`.
    bytes: Vec<u8>,
    filled: usize,
    /// The length its header declared, already checked against the limit.
    len: usize,
}

impl LargeBody {
    /// Makes sure there is room for the next `read`. Room grows in steps
    /// with what has arrived (the buffer at most doubles what is already
    /// in it), so a peer that declares a megabyte and sends a kilobyte has
    /// a few kilobytes set aside, not a megabyte. Each step's new room is
    /// zero-filled (`read` needs initialised memory in safe Rust), so the
    /// memory is really taken: all the more reason to take it only as
    /// bytes arrive.
    fn make_room(&mut self) {
        if self.filled < self.bytes.len() {
            return;
        }
        let mut room = (2 * self.filled).max(FIRST_LARGE_STEP);
        if room >= self.len {
            // The last step: the rest of the body, and room behind it.
            room = self.len + SMALL_BUFFER;
        }
        // `reserve_exact`, because `resize` alone may round the capacity up
        // to twice the old one, past what this step allows.
        self.bytes.reserve_exact(room - self.bytes.len());
        self.bytes.resize(room, 0);
    }
}

impl<R: Read> FrameReader<R> {
    /// A reader that refuses bodies longer than `limit` bytes.
    pub fn new(inner: R, limit: usize) -> Self {
        FrameReader {
            inner,
            limit,
            buf: vec![0; SMALL_BUFFER].into_boxed_slice(),
            start: 0,
            end: 0,
            large: None,
            streamed: 0,
        }
    }

    /// The next frame's body; `Ok(None)` when the stream ended cleanly
    /// between two frames.
    pub fn read_frame(&mut self) -> Result<Option<Vec<u8>>, FrameError> {
        loop {
            if let Some(large) = self.large.take_if(|l| l.filled >= l.len) {
                return Ok(Some(self.finish_large(large)));
            }
            let room = if let Some(large) = &mut self.large {
                // A large body is arriving: every byte read goes into its
                // own buffer until it is whole.
                large.make_room();
                &mut large.bytes[large.filled..]
            } else {
                let buffered = self.end - self.start;
                let needed = if buffered >= HEADER_LEN {
                    HEADER_LEN + self.body_len()?
                } else {
                    HEADER_LEN
                };
                if buffered >= needed {
                    return Ok(Some(self.take_small(needed)));
                }
                self.make_room(needed);
                if self.end == self.buf.len() {
                    // Full, and the frame is bigger than the whole buffer.
                    self.start_large(needed - HEADER_LEN);
                    continue;
                }
                &mut self.buf[self.end..]
            };
            // `room` is never empty here, so `Ok(0)` can only mean the end
            // of the stream.
            match self.inner.read(room) {
                Ok(0) => return self.end_of_stream(),
                Ok(n) => match &mut self.large {
                    Some(large) => large.filled += n,
                    None => self.end += n,
                },
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    if is_timeout(&e) {
                        self.quieten();
                    }
                    return Err(FrameError::Io(e));
                }
            }
        }
    }

    /// True when the next [`read_frame`](FrameReader::read_frame) has all it
    /// needs already and returns at once, without a `read`: the whole next
    /// frame is buffered. A caller that hands frames on to another thread can
    /// ask this to gather several into one hand-over, and still never wait
    /// for a frame that has not come (the client's socket thread does, in
    /// `src/client/events.rs`).
    ///
    /// A header with a bad length counts as waiting too: reading it returns
    /// the error at once. A large body is handed out as soon as its last byte
    /// arrives, so a whole one is never left here today; the check keeps the
    /// answer right whatever `read_frame` does.
    pub fn frame_waiting(&self) -> bool {
        if let Some(large) = &self.large {
            return large.filled >= large.len;
        }
        let buffered = self.end - self.start;
        if buffered < HEADER_LEN {
            return false;
        }
        match self.body_len() {
            Ok(len) => buffered >= HEADER_LEN + len,
            Err(_) => true,
        }
    }

    /// The stream went quiet: with nothing buffered, a read-ahead buffer is
    /// given back for a small one.
    fn quieten(&mut self) {
        self.streamed = 0;
        if self.buf.len() > SMALL_BUFFER && self.start == self.end && self.large.is_none() {
            self.buf = vec![0; SMALL_BUFFER].into_boxed_slice();
            self.start = 0;
            self.end = 0;
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

    /// Returns the whole frame of `needed` bytes at `start`: a copy of a
    /// body that fits the buffer, since the buffer may hold the next frames
    /// too.
    fn take_small(&mut self, needed: usize) -> Vec<u8> {
        let body = self.buf[self.start + HEADER_LEN..self.start + needed].to_vec();
        self.start += needed;
        if self.start == self.end {
            // Empty: the next frame starts at the front, with nothing to move.
            self.start = 0;
            self.end = 0;
        }
        body
    }

    /// Makes sure as much of the `needed` bytes as the small buffer can hold
    /// fit after `start`, by moving unread bytes to the front.
    fn make_room(&mut self, needed: usize) {
        if self.start > 0 && self.start + needed > self.buf.len() {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
    }

    /// Moves the body bytes of a frame too big for the small buffer (which
    /// is full, with the header at its front) into a buffer of their own.
    fn start_large(&mut self, len: usize) {
        let arrived = &self.buf[HEADER_LEN..self.end];
        let mut large = LargeBody {
            bytes: Vec::new(),
            filled: arrived.len(),
            len,
        };
        large.make_room();
        large.bytes[..arrived.len()].copy_from_slice(arrived);
        self.large = Some(large);
        self.start = 0;
        self.end = 0;
    }

    /// Hands over a whole large body, buffer and all. The bytes that came in
    /// after it (the start of the next frame) go back to the small buffer,
    /// which is empty while a large body arrives, and holds them all.
    fn finish_large(&mut self, large: LargeBody) -> Vec<u8> {
        let LargeBody {
            mut bytes,
            filled,
            len,
        } = large;
        // Large frames are streaming in: from now on, read many at a time.
        // (Only frames that a read-ahead buffer holds several of count.)
        if len <= READ_AHEAD / 4 {
            self.streamed += len;
        }
        if self.streamed >= READ_AHEAD && self.buf.len() < READ_AHEAD {
            self.buf = vec![0; READ_AHEAD].into_boxed_slice();
        }
        let next = &bytes[len..filled];
        self.buf[..next.len()].copy_from_slice(next);
        self.start = 0;
        self.end = next.len();
        bytes.truncate(len);
        bytes
    }

    fn end_of_stream(&self) -> Result<Option<Vec<u8>>, FrameError> {
        if let Some(large) = &self.large {
            return Err(FrameError::Truncated {
                expected: HEADER_LEN + large.len,
                received: HEADER_LEN + large.filled,
            });
        }
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

    /// The bytes this reader holds on to: its small buffer and the room of
    /// a large body in progress.
    #[cfg(test)]
    fn capacity(&self) -> usize {
        self.buf.len() + self.large.as_ref().map_or(0, |l| l.bytes.capacity())
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

    /// Every frame until the stream's clean end, reading on after each
    /// timeout.
    fn read_to_the_end<R: Read>(reader: &mut FrameReader<R>) -> Vec<Vec<u8>> {
        let mut got = Vec::new();
        loop {
            match reader.read_frame() {
                Ok(Some(body)) => got.push(body),
                Ok(None) => return got,
                Err(e) if e.is_timeout() => continue,
                Err(e) => panic!("unexpected error after {} frames: {e}", got.len()),
            }
        }
    }

    /// Wraps a reader and notes where each `read` wrote and how many bytes,
    /// to see which buffer received them and how many calls it took.
    struct Watched<R> {
        inner: R,
        /// The address and length of every `read` that delivered bytes.
        writes: Vec<(usize, usize)>,
        reads: usize,
    }

    impl<R> Watched<R> {
        fn new(inner: R) -> Self {
            Watched {
                inner,
                writes: Vec::new(),
                reads: 0,
            }
        }
    }

    impl<R: Read> Read for Watched<R> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.reads += 1;
            let n = self.inner.read(buf)?;
            if n > 0 {
                self.writes.push((buf.as_ptr() as usize, n));
            }
            Ok(n)
        }
    }

    /// A 1 MiB body whose bytes are not all alike, so that a misplaced
    /// byte shows.
    fn megabyte_body() -> Vec<u8> {
        (0..DEFAULT_MAX_FRAME).map(|i| (i % 251) as u8).collect()
    }

    fn trickle(data: Vec<u8>, step: usize) -> Trickle {
        Trickle {
            data,
            pos: 0,
            step,
            timeout_next: false,
        }
    }

    #[test]
    fn a_header_declaring_a_megabyte_costs_only_the_small_buffer() {
        // The header, and then nothing: each later read times out.
        let header = frames(&[&megabyte_body()])[..HEADER_LEN].to_vec();
        let mut reader = FrameReader::new(
            Watched::new(Cursor::new(header).chain(Quiet)),
            DEFAULT_MAX_FRAME,
        );
        for _ in 0..3 {
            assert!(reader.read_frame().unwrap_err().is_timeout());
            assert_eq!(reader.capacity(), SMALL_BUFFER);
        }
        assert_eq!(reader.inner.writes.len(), 1, "the header was read");
    }

    #[test]
    fn a_megabyte_arriving_in_pieces_grows_in_steps_and_leaves_the_reader_small() {
        let body = megabyte_body();
        let mut reader = FrameReader::new(trickle(frames(&[&body]), 16 * 1024), DEFAULT_MAX_FRAME);
        let mut sizes = Vec::new();
        let got = loop {
            match reader.read_frame() {
                Ok(Some(got)) => break got,
                Ok(None) => panic!("the stream ended early"),
                Err(e) if e.is_timeout() => {}
                Err(e) => panic!("unexpected error: {e}"),
            }
            // Never more than twice what has arrived (or the first step),
            // whatever the header said.
            let arrived = reader.inner.pos;
            let capacity = reader.capacity();
            assert!(
                capacity <= 2 * SMALL_BUFFER + (2 * arrived).max(FIRST_LARGE_STEP),
                "{capacity} bytes held after {arrived} arrived"
            );
            if sizes.last() != Some(&capacity) {
                sizes.push(capacity);
            }
        };
        assert!(got == body, "the body came back changed");
        // 8 KiB, 16, 32, ... 1 MiB: the buffer grew in steps, not at once.
        assert!(sizes.len() >= 8, "grew in {} steps: {sizes:?}", sizes.len());
        assert_eq!(reader.capacity(), SMALL_BUFFER);
        assert!(got.capacity() <= body.len() + SMALL_BUFFER);
    }

    #[test]
    fn a_stream_of_file_chunks_is_read_many_frames_at_a_time_until_it_goes_quiet() {
        // 5.5 KiB, the size of a default file chunk in its message.
        let chunk = vec![b'x'; 5_500];
        let wire = frames(&vec![chunk.as_slice(); 100]);
        let mut reader = FrameReader::new(Watched::new(Cursor::new(wire)), DEFAULT_MAX_FRAME);
        let got = read_to_the_end(&mut reader);
        assert_eq!(got.len(), 100);
        assert!(got.iter().all(|body| *body == chunk));
        // One read per frame until READ_AHEAD bytes have come, then a dozen
        // frames per read.
        let per_frame = READ_AHEAD.div_ceil(chunk.len());
        assert!(
            reader.inner.reads < per_frame + 100 / 5,
            "{} reads for 100 frames",
            reader.inner.reads
        );
        assert_eq!(reader.capacity(), READ_AHEAD);

        // A timeout with nothing buffered: small again.
        let mut quiet = FrameReader::new(
            trickle(frames(&vec![chunk.as_slice(); 20]), 1 << 20),
            DEFAULT_MAX_FRAME,
        );
        assert_eq!(read_to_the_end(&mut quiet).len(), 20);
        assert_eq!(
            quiet.capacity(),
            SMALL_BUFFER,
            "the last read timed out first"
        );
    }

    #[test]
    fn the_returned_body_is_the_buffer_that_received_it() {
        let body = megabyte_body();
        let mut reader = FrameReader::new(
            Watched::new(Cursor::new(frames(&[&body, b"next"]))),
            DEFAULT_MAX_FRAME,
        );
        let got = reader.read_frame().unwrap().unwrap();
        assert!(got == body, "the body came back changed");
        // The body's last bytes were read straight into the vector we got
        // back: it was handed over, not copied out of a reader's buffer.
        let (at, n) = *reader.inner.writes.last().unwrap();
        let received = at..at + n;
        let returned = got.as_ptr() as usize..got.as_ptr() as usize + got.capacity();
        assert!(received.start >= returned.start && received.start < returned.end);
        // The next frame's header came in with the body's last bytes.
        let reads = reader.inner.reads;
        assert_eq!(reader.read_frame().unwrap().unwrap(), b"next");
        assert_eq!(reader.inner.reads, reads, "no read for the next frame");
    }

    #[test]
    fn one_read_picks_up_several_small_frames() {
        let bodies: Vec<Vec<u8>> = (0..10)
            .map(|i| format!("message {i}").into_bytes())
            .collect();
        let refs: Vec<&[u8]> = bodies.iter().map(|b| b.as_slice()).collect();
        let mut reader = FrameReader::new(Watched::new(Cursor::new(frames(&refs))), 1024);
        for body in &bodies {
            assert_eq!(&reader.read_frame().unwrap().unwrap(), body);
        }
        assert_eq!(reader.inner.reads, 1);
    }

    #[test]
    fn a_stream_of_large_frames_costs_about_one_read_each() {
        let chunk = vec![b'c'; 5_600]; // a default file chunk, as base64 in JSON
        let count = 50;
        let mut reader = FrameReader::new(
            Watched::new(Cursor::new(frames(&vec![chunk.as_slice(); count]))),
            DEFAULT_MAX_FRAME,
        );
        for _ in 0..count {
            assert_eq!(reader.read_frame().unwrap().unwrap(), chunk);
        }
        assert!(reader.read_frame().unwrap().is_none());
        assert!(
            reader.inner.reads <= count + 2,
            "{} reads",
            reader.inner.reads
        );
    }

    #[test]
    fn frames_around_the_small_buffer_size_survive_every_piece_size() {
        // Bodies just under, at and over what the small buffer holds, and
        // large ones, cut into pieces of every size up to past the buffer.
        let sizes = [1, 1019, 1020, 1021, 1, 2047, 9000, 20_000, 3, 1024];
        let bodies: Vec<Vec<u8>> = sizes
            .iter()
            .enumerate()
            .map(|(i, &n)| (0..n).map(|j| (i * 7 + j) as u8).collect())
            .collect();
        let refs: Vec<&[u8]> = bodies.iter().map(|b| b.as_slice()).collect();
        let data = frames(&refs);
        for step in (1..=1100).chain([2000, 4096, 10_000, 100_000]) {
            let mut reader = FrameReader::new(trickle(data.clone(), step), 100_000);
            let got = read_to_the_end(&mut reader);
            assert!(got == bodies, "step {step}: the frames came back changed");
            assert_eq!(reader.capacity(), SMALL_BUFFER, "step {step}");
        }
    }

    #[test]
    fn end_inside_a_large_body_is_truncated() {
        let mut data = frames(&[&[b'x'; 5000]]);
        data.truncate(3000);
        let mut reader = FrameReader::new(Cursor::new(data), 1024 * 1024);
        match reader.read_frame() {
            Err(FrameError::Truncated { expected, received }) => {
                assert_eq!((expected, received), (5004, 3000));
            }
            other => panic!("expected Truncated, got {other:?}"),
        }
    }

    /// `data`, as fast as the reader takes it, then timeouts: a socket
    /// whose peer sent `data` and then went quiet.
    fn sent_then_quiet(data: Vec<u8>) -> FrameReader<Watched<io::Chain<Cursor<Vec<u8>>, Quiet>>> {
        FrameReader::new(Watched::new(Cursor::new(data).chain(Quiet)), 1024 * 1024)
    }

    /// A peer that sends nothing more: every read times out.
    struct Quiet;

    impl Read for Quiet {
        fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
            Err(io::ErrorKind::WouldBlock.into())
        }
    }

    #[test]
    fn a_frame_is_waiting_only_when_all_of_it_is_buffered() {
        // Nothing has arrived.
        assert!(!sent_then_quiet(Vec::new()).frame_waiting());

        // Half a header, then half a body: each read times out, and the
        // next read would have to wait for the rest.
        let whole = frames(&[b"hello"]);
        for cut in [2, HEADER_LEN + 2] {
            let mut reader = sent_then_quiet(whole[..cut].to_vec());
            assert!(reader.read_frame().unwrap_err().is_timeout(), "cut {cut}");
            assert!(!reader.frame_waiting(), "cut {cut}");
        }

        // Two whole frames came in one read: after the first, the second
        // is waiting; after the second, nothing is.
        let mut reader = sent_then_quiet(frames(&[b"one", b"two"]));
        assert!(!reader.frame_waiting(), "nothing read yet");
        assert_eq!(reader.read_frame().unwrap().unwrap(), b"one");
        assert!(reader.frame_waiting());
        let reads = reader.inner.reads;
        assert_eq!(reader.read_frame().unwrap().unwrap(), b"two");
        assert_eq!(reader.inner.reads, reads, "no read needed");
        assert!(!reader.frame_waiting());
    }

    #[test]
    fn a_large_body_is_waiting_once_its_last_byte_is_in() {
        // A body too big for the small buffer, half of it sent: it has a
        // buffer of its own, and is not waiting.
        let body = vec![b'L'; 3 * SMALL_BUFFER];
        let wire = frames(&[&body, &body, b"end"]);
        let mut half = sent_then_quiet(wire[..HEADER_LEN + body.len() / 2].to_vec());
        assert!(half.read_frame().unwrap_err().is_timeout());
        assert!(half.large.is_some());
        assert!(!half.frame_waiting());

        // All of it sent: the first body's last read brought the start of
        // the second, which is not waiting (the rest is still to be read).
        // A large body is handed out by the read that completes it, so what
        // waits behind it is the frame that came in with its last bytes.
        let mut reader = sent_then_quiet(wire);
        assert!(reader.read_frame().unwrap().unwrap() == body);
        assert!(!reader.frame_waiting());
        assert!(reader.read_frame().unwrap().unwrap() == body);
        assert!(reader.frame_waiting(), "the last frame came in behind it");
        assert_eq!(reader.read_frame().unwrap().unwrap(), b"end");

        // A stream of file chunks, once the read-ahead buffer took over:
        // chunks far bigger than the small buffer wait in it, whole.
        let chunk = vec![b'c'; 5_500];
        let mut stream = sent_then_quiet(frames(&vec![chunk.as_slice(); 40]));
        let mut waiting = 0;
        for _ in 0..40 {
            waiting += usize::from(stream.frame_waiting());
            assert!(stream.read_frame().unwrap().unwrap() == chunk);
        }
        assert_eq!(stream.buf.len(), READ_AHEAD);
        assert!(waiting >= 20, "{waiting} of 40 chunks were waiting");
    }

    #[test]
    fn a_bad_length_is_waiting_since_reading_it_fails_at_once() {
        for bad in [[0xFF; HEADER_LEN], [0; HEADER_LEN]] {
            let mut wire = frames(&[b"ok"]);
            wire.extend(bad);
            let mut reader = sent_then_quiet(wire);
            assert_eq!(reader.read_frame().unwrap().unwrap(), b"ok");
            assert!(reader.frame_waiting(), "{bad:?}");
            assert!(matches!(
                reader.read_frame(),
                Err(FrameError::TooLarge { .. } | FrameError::ZeroLength)
            ));
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
        let got = read_to_the_end(&mut reader);
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
        assert!(reader.capacity() <= SMALL_BUFFER);
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
