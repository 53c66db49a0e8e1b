//! WebSocket (RFC 6455): how a browser's messages are cut out of a TCP
//! stream, and what the server puts in front of its own.
//!
//! After the HTTP upgrade (`http.rs`) the connection carries *frames* both
//! ways. Each frame is a small header and a payload:
//!
//! ```text
//!  byte 0          byte 1          then
//! +-+-+-+-+-------+-+-------------+-------------------------+-----------+---------+
//! |F|R|R|R|opcode |M| length (7)  | extended length:        | mask key: | payload |
//! |I|S|S|S|  (4)  |A|             | 2 bytes if length = 126 | 4 bytes   |         |
//! |N|V|V|V|       |S|             | 8 bytes if length = 127 | if MASK   |         |
//! +-+-+-+-+-------+-+-------------+-------------------------+-----------+---------+
//! ```
//!
//! - **opcode** says what the frame is: text (1), binary (2), a continuation
//!   of the message before (0), or a *control* frame: close (8), ping (9),
//!   pong (10).
//! - **FIN** marks a message's last frame. A message may be cut into several
//!   frames ("fragments"): a text frame with FIN clear, continuations, and a
//!   last continuation with FIN set. Control frames are never fragmented, but
//!   may arrive *between* the fragments of a message, so a ping is not stuck
//!   behind a long upload.
//! - **length** uses the fewest bytes that hold it: up to 125 in the 7 bits
//!   themselves, 126 means "the next 2 bytes hold it", 127 "the next 8".
//! - **MASK** is set on every frame a browser sends, and the payload is XOR-ed
//!   with the 4-byte key. The key is fresh and unpredictable for each frame,
//!   so a script in a web page cannot choose the bytes that travel on the
//!   wire; without that, a malicious page could make its bytes look like an
//!   HTTP request to a caching proxy in between and poison its cache (RFC 6455
//!   section 10.3). Servers never mask, because the attack goes the other way.
//!
//! In this chat, each text *message* (all its fragments joined) carries exactly
//! one JSON envelope, the same body a TCP frame carries (`src/frame.rs`), and
//! the same limit applies to it. `docs/protocol.md` lists the rules and the
//! close code each broken rule earns.
//!
//! # What the reader guarantees
//!
//! [`WebSocketReader`] works like [`FrameReader`](crate::frame::FrameReader):
//! it keeps partial input across read timeouts, and a declared length is
//! checked against the limit before anything is set aside for it. It goes
//! one step further: payload bytes are copied into the message as they
//! arrive, so a frame that announces a megabyte and sends ten bytes costs ten
//! bytes, whatever it declared (contract section 7).
//!
//! # What the session sees
//!
//! [`Reader`] turns the events into what every transport hands the session
//! ([`ReadBody`]): one body per text message, and nothing else. It answers
//! the control frames itself, through the connection's writer: a pong for
//! each ping, a close for a close (and then the end of the stream), and for
//! a broken rule, the close frame with that rule's code before the error.
//!
//! # What the writer needs
//!
//! Everything the server sends is a single unmasked frame whose header
//! depends only on the payload's length ([`text_header`]). A broadcast
//! encodes its JSON body once and shares it among all recipients; each
//! WebSocket recipient's writer puts the same few header bytes in front of it.

use std::io::{self, Read};
use std::sync::Arc;

use super::{Outgoing, ReadBody, Replies, TransportError};
use crate::base64;
use crate::crypto::sha1::sha1;
use crate::frame::is_timeout;
use crate::message::ErrorCode;

/// The fixed string RFC 6455 (section 1.3) appends to the browser's key
/// before hashing it. Any server that computes the answer must know the
/// WebSocket protocol; that is all the handshake proves.
pub const ACCEPT_GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// The `Sec-WebSocket-Accept` value answering a `Sec-WebSocket-Key`:
/// `base64(SHA-1(key + GUID))`.
///
/// ```
/// use socket_chat::transport::websocket::accept_key;
///
/// // The example of RFC 6455 section 1.3.
/// assert_eq!(accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
/// ```
pub fn accept_key(key: &str) -> String {
    let mut input = String::with_capacity(key.len() + ACCEPT_GUID.len());
    input.push_str(key);
    input.push_str(ACCEPT_GUID);
    base64::encode(&sha1(input.as_bytes()))
}

/// What a frame is (RFC 6455 section 5.2). Opcodes 3–7 and 11–15 are
/// reserved for future use; a frame that carries one is a protocol error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opcode {
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA,
}

impl Opcode {
    fn from_bits(bits: u8) -> Option<Opcode> {
        Some(match bits {
            0x0 => Opcode::Continuation,
            0x1 => Opcode::Text,
            0x2 => Opcode::Binary,
            0x8 => Opcode::Close,
            0x9 => Opcode::Ping,
            0xA => Opcode::Pong,
            _ => return None,
        })
    }

    /// Control frames have the high bit of the opcode set.
    pub fn is_control(self) -> bool {
        self as u8 & 0x8 != 0
    }
}

/// Close status codes (RFC 6455 section 7.4.1) the server sends.
pub mod close_code {
    /// The connection did what it was for (a polite goodbye).
    pub const NORMAL: u16 = 1000;
    /// The server is shutting down.
    pub const GOING_AWAY: u16 = 1001;
    /// A frame broke the framing rules.
    pub const PROTOCOL_ERROR: u16 = 1002;
    /// A kind of message we do not accept: here, binary.
    pub const UNSUPPORTED_DATA: u16 = 1003;
    /// A text message that is not UTF-8.
    pub const INVALID_PAYLOAD: u16 = 1007;
    /// Anything else the server will not put up with.
    pub const POLICY_VIOLATION: u16 = 1008;
    /// A message over the size limit.
    pub const MESSAGE_TOO_BIG: u16 = 1009;
    /// The server failed.
    pub const INTERNAL_ERROR: u16 = 1011;
}

/// Whether a peer may send `code` in a close frame. 1005 (no code), 1006
/// (closed without a close frame) and 1015 (TLS failure) only describe a
/// closing to an application and must never be sent; 1004 and everything
/// below 1000 or in 1016–2999 are unassigned; 3000–4999 belong to libraries
/// and applications.
pub fn is_sendable_close_code(code: u16) -> bool {
    matches!(code, 1000..=1003 | 1007..=1014 | 3000..=4999)
}

/// The largest payload of a control frame (RFC 6455 section 5.5): it must
/// fit the 7-bit length, so a control frame never needs an extended length.
pub const MAX_CONTROL_PAYLOAD: usize = 125;

/// The longest header a client frame can have: 2 bytes, an 8-byte length,
/// a 4-byte mask key.
const MAX_CLIENT_HEADER: usize = 2 + 8 + 4;

/// What [`WebSocketReader::read_event`] hands to the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// One complete text message (its fragments joined), checked to be
    /// UTF-8: in this chat, the bytes of one JSON envelope.
    Text(Vec<u8>),
    /// The peer asks whether we are there: answer with
    /// [`pong_frame`] carrying the same payload.
    Ping(Vec<u8>),
    /// An answer to a ping, or an unsolicited "I am here": nothing to do.
    Pong(Vec<u8>),
    /// The peer is closing: answer with [`close_frame`] (echoing `code`,
    /// or [`close_code::NORMAL`] when it gave none), then close the socket.
    Close { code: Option<u16>, reason: String },
}

/// Why no event could be read. Every variant but [`WsError::Io`] and
/// [`WsError::Truncated`] has a close code ([`WsError::close_code`]) to send
/// before closing: after any of them the connection must close, because
/// either framing is lost (we no longer know where the next frame starts) or
/// the peer broke a rule the protocol says ends the connection.
#[derive(Debug)]
pub enum WsError {
    /// A client frame without the mask bit (1002).
    Unmasked,
    /// RSV1–3 set, though no extension was agreed that gives them a meaning
    /// (1002). The value is the three bits.
    ReservedBits(u8),
    /// An opcode RFC 6455 reserves (1002).
    ReservedOpcode(u8),
    /// A length written with more bytes than it needs, or a 64-bit length
    /// with its top bit set (1002).
    BadLength,
    /// A control frame with FIN clear (1002).
    FragmentedControl,
    /// A control frame whose payload is over 125 bytes (1002).
    ControlTooLong,
    /// A continuation frame with no message to continue (1002).
    UnexpectedContinuation,
    /// A new text or binary frame before the last message's final fragment
    /// (1002).
    UnfinishedMessage,
    /// A close frame with a one-byte payload or a code that may not be sent
    /// (1002).
    BadClose,
    /// A binary message: this chat only speaks JSON text (1003).
    Binary,
    /// A text message, or a close reason, that is not UTF-8 (1007).
    NotUtf8,
    /// A message whose length (with the fragments before it) is over the
    /// limit (1009).
    TooLarge { len: u64, limit: usize },
    /// The stream ended inside a frame or a fragmented message: the peer is
    /// gone, there is nobody to send a close frame to.
    Truncated,
    /// The socket failed, or a read timeout expired (see
    /// [`WsError::is_timeout`]).
    Io(io::Error),
}

impl WsError {
    /// The close code to send the peer, if there is a peer left to tell.
    pub fn close_code(&self) -> Option<u16> {
        use close_code::*;
        Some(match self {
            WsError::Unmasked
            | WsError::ReservedBits(_)
            | WsError::ReservedOpcode(_)
            | WsError::BadLength
            | WsError::FragmentedControl
            | WsError::ControlTooLong
            | WsError::UnexpectedContinuation
            | WsError::UnfinishedMessage
            | WsError::BadClose => PROTOCOL_ERROR,
            WsError::Binary => UNSUPPORTED_DATA,
            WsError::NotUtf8 => INVALID_PAYLOAD,
            WsError::TooLarge { .. } => MESSAGE_TOO_BIG,
            WsError::Truncated | WsError::Io(_) => return None,
        })
    }

    /// True when a socket read timeout expired. Nothing is lost: the reader
    /// keeps what it has, and the next call carries on.
    pub fn is_timeout(&self) -> bool {
        matches!(self, WsError::Io(e) if is_timeout(e))
    }
}

impl std::error::Error for WsError {}

impl From<io::Error> for WsError {
    fn from(e: io::Error) -> Self {
        WsError::Io(e)
    }
}

/// A frame header, decoded and checked.
#[derive(Debug, Clone, Copy)]
struct FrameHeader {
    fin: bool,
    opcode: Opcode,
    mask: [u8; 4],
    payload_len: u64,
    /// Bytes the header itself took.
    header_len: usize,
}

/// Where [`WebSocketReader::take_payload`] left a data frame.
enum Taken {
    /// Part of the payload is still to come.
    NeedMore,
    /// A fragment ended; the message goes on in later frames.
    Fragment,
    /// The message's final frame ended.
    Message,
}

/// The data frame whose payload is arriving.
#[derive(Debug, Clone, Copy)]
struct Payload {
    fin: bool,
    mask: [u8; 4],
    /// Payload bytes still to come.
    remaining: u64,
    /// Payload bytes already unmasked: the mask key goes round every 4.
    done: u64,
}

/// The buffer a reader starts with: a few chat messages' worth.
const INITIAL_BUFFER: usize = 1024;

// What the reader keeps unused between reads is at most one header and one
// control frame's payload; the first buffer always has room for them.
const _: () = assert!(INITIAL_BUFFER >= MAX_CLIENT_HEADER + MAX_CONTROL_PAYLOAD);

/// The most it grows to, one doubling at a time, and only after the peer
/// has actually filled it: a connection that uploads a file gets big reads,
/// an idle one costs a kilobyte.
const GROWN_BUFFER: usize = 64 * 1024;

/// Reads the frames a browser sends and turns them into [`Event`]s.
pub struct WebSocketReader<R> {
    inner: R,
    limit: usize,
    /// `buf[start..end]` holds bytes received but not yet used.
    buf: Vec<u8>,
    start: usize,
    end: usize,
    /// The data frame in progress, between its header and its last byte.
    payload: Option<Payload>,
    /// True between the first fragment of a message and its final one.
    in_message: bool,
    /// The message being assembled, unmasked.
    message: Vec<u8>,
}

impl<R: Read> WebSocketReader<R> {
    /// A reader that refuses messages longer than `limit` bytes.
    pub fn new(inner: R, limit: usize) -> Self {
        Self::with_buffered(inner, limit, &[])
    }

    /// A reader that first reads `already_read`: the bytes that arrived
    /// behind the HTTP upgrade request in the same read, which belong to the
    /// first frames (see `http::HeadReader::into_parts`).
    pub fn with_buffered(inner: R, limit: usize, already_read: &[u8]) -> Self {
        let mut buf = vec![0; INITIAL_BUFFER.max(already_read.len())];
        buf[..already_read.len()].copy_from_slice(already_read);
        WebSocketReader {
            inner,
            limit,
            buf,
            start: 0,
            end: already_read.len(),
            payload: None,
            in_message: false,
            message: Vec::new(),
        }
    }

    /// The reader's stream, to set timeouts on, say.
    pub fn get_ref(&self) -> &R {
        &self.inner
    }

    /// The next event; `Ok(None)` when the stream ended between messages.
    /// (A browser always sends a close frame first; a TCP end without one
    /// is a dropped connection, which the session treats as such.)
    pub fn read_event(&mut self) -> Result<Option<Event>, WsError> {
        loop {
            if let Some(payload) = self.payload {
                match self.take_payload(payload) {
                    Taken::NeedMore => {}
                    Taken::Fragment => continue,
                    Taken::Message => return self.finish_message().map(Some),
                }
            } else if let Some(header) = self.parse_header()? {
                if header.opcode.is_control() {
                    let frame_len = header.header_len + header.payload_len as usize;
                    if self.end - self.start >= frame_len {
                        return self.control_event(header).map(Some);
                    }
                } else {
                    self.start_data_frame(header)?;
                    continue;
                }
            }
            if !self.fill()? {
                return self.end_of_stream();
            }
        }
    }

    /// Moves the buffered part of the current data frame's payload into the
    /// message, unmasking it on the way.
    fn take_payload(&mut self, mut payload: Payload) -> Taken {
        let buffered = (self.end - self.start) as u64;
        let take = payload.remaining.min(buffered) as usize;
        let bytes = &mut self.buf[self.start..self.start + take];
        unmask(bytes, payload.mask, payload.done);
        self.message.extend_from_slice(bytes);
        self.start += take;
        payload.remaining -= take as u64;
        payload.done += take as u64;
        if payload.remaining > 0 {
            self.payload = Some(payload);
            return Taken::NeedMore;
        }
        self.payload = None;
        if payload.fin {
            Taken::Message
        } else {
            Taken::Fragment
        }
    }

    /// Decodes the frame header at the front of the buffer, checking every
    /// rule a header alone can break; `None` if it has not all arrived.
    fn parse_header(&self) -> Result<Option<FrameHeader>, WsError> {
        let bytes = &self.buf[self.start..self.end];
        if bytes.len() < 2 {
            return Ok(None);
        }
        let fin = bytes[0] & 0x80 != 0;
        let rsv = (bytes[0] >> 4) & 0x7;
        if rsv != 0 {
            // RSV bits mean something only with an extension (compression,
            // say), and the handshake agreed none.
            return Err(WsError::ReservedBits(rsv));
        }
        let opcode =
            Opcode::from_bits(bytes[0] & 0x0F).ok_or(WsError::ReservedOpcode(bytes[0] & 0x0F))?;
        if bytes[1] & 0x80 == 0 {
            return Err(WsError::Unmasked);
        }
        if opcode.is_control() && !fin {
            return Err(WsError::FragmentedControl);
        }
        let short_len = bytes[1] & 0x7F;
        // A control frame's payload must fit the 7 bits (125 at most): this
        // is known from the first two bytes, so say so without waiting for
        // an extended length that may never come.
        if opcode.is_control() && short_len > MAX_CONTROL_PAYLOAD as u8 {
            return Err(WsError::ControlTooLong);
        }
        let len_bytes = match short_len {
            126 => 2,
            127 => 8,
            _ => 0,
        };
        let header_len = 2 + len_bytes + 4;
        if bytes.len() < header_len {
            return Ok(None);
        }
        let payload_len = match len_bytes {
            2 => {
                let len = u16::from_be_bytes([bytes[2], bytes[3]]) as u64;
                if len < 126 {
                    return Err(WsError::BadLength);
                }
                len
            }
            8 => {
                let mut be = [0u8; 8];
                be.copy_from_slice(&bytes[2..10]);
                let len = u64::from_be_bytes(be);
                if len <= u16::MAX as u64 || len >> 63 != 0 {
                    return Err(WsError::BadLength);
                }
                len
            }
            _ => short_len as u64,
        };
        let mut mask = [0u8; 4];
        mask.copy_from_slice(&bytes[header_len - 4..header_len]);
        Ok(Some(FrameHeader {
            fin,
            opcode,
            mask,
            payload_len,
            header_len,
        }))
    }

    /// Checks a data frame against the message in progress and the limit,
    /// and starts taking its payload. This is where the declared length is
    /// checked, before a single byte of it is stored.
    fn start_data_frame(&mut self, header: FrameHeader) -> Result<(), WsError> {
        match (header.opcode, self.in_message) {
            (Opcode::Continuation, false) => return Err(WsError::UnexpectedContinuation),
            (Opcode::Text | Opcode::Binary, true) => return Err(WsError::UnfinishedMessage),
            (Opcode::Binary, false) => return Err(WsError::Binary),
            _ => {}
        }
        let len = self.message.len() as u64 + header.payload_len;
        if len > self.limit as u64 {
            return Err(WsError::TooLarge {
                len,
                limit: self.limit,
            });
        }
        self.start += header.header_len;
        self.in_message = true;
        self.payload = Some(Payload {
            fin: header.fin,
            mask: header.mask,
            remaining: header.payload_len,
            done: 0,
        });
        Ok(())
    }

    /// The message is complete: check it is UTF-8 and hand it over.
    fn finish_message(&mut self) -> Result<Event, WsError> {
        self.in_message = false;
        let message = std::mem::take(&mut self.message);
        // The check is on the whole message: a character may be split
        // between two fragments, so a fragment alone need not be UTF-8.
        if std::str::from_utf8(&message).is_err() {
            return Err(WsError::NotUtf8);
        }
        Ok(Event::Text(message))
    }

    /// Takes a whole buffered control frame and turns it into an event.
    fn control_event(&mut self, header: FrameHeader) -> Result<Event, WsError> {
        let from = self.start + header.header_len;
        let to = from + header.payload_len as usize;
        let payload = &mut self.buf[from..to];
        unmask(payload, header.mask, 0);
        let payload = payload.to_vec();
        self.start = to;
        Ok(match header.opcode {
            Opcode::Ping => Event::Ping(payload),
            Opcode::Pong => Event::Pong(payload),
            _ => close_event(&payload)?,
        })
    }

    /// Reads more bytes; false at the end of the stream.
    fn fill(&mut self) -> Result<bool, WsError> {
        // Whatever is left unused is the start of a header or of a control
        // frame (payload bytes are always taken at once), so at most
        // 14 + 125 bytes: moving them to the front is cheap.
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        // Never the case by the argument above; but a read into no room
        // would return 0 and look like the end of the stream.
        if self.end == self.buf.len() {
            self.buf.resize(self.buf.len() * 2, 0);
        }
        loop {
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(0) => return Ok(false),
                Ok(n) => {
                    self.end += n;
                    // The peer filled the whole buffer with a frame's
                    // payload: it is sending a lot, so read bigger pieces.
                    if self.end == self.buf.len()
                        && self.payload.is_some()
                        && self.buf.len() < GROWN_BUFFER
                    {
                        self.buf.resize(self.buf.len() * 2, 0);
                    }
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(WsError::Io(e)),
            }
        }
    }

    fn end_of_stream(&self) -> Result<Option<Event>, WsError> {
        if self.start == self.end && !self.in_message {
            Ok(None)
        } else {
            Err(WsError::Truncated)
        }
    }
}

/// Reads a close frame's payload: nothing, or a 2-byte code and a UTF-8
/// reason (RFC 6455 section 5.5.1).
fn close_event(payload: &[u8]) -> Result<Event, WsError> {
    match payload {
        [] => Ok(Event::Close {
            code: None,
            reason: String::new(),
        }),
        [_] => Err(WsError::BadClose),
        [high, low, reason @ ..] => {
            let code = u16::from_be_bytes([*high, *low]);
            if !is_sendable_close_code(code) {
                return Err(WsError::BadClose);
            }
            let reason = std::str::from_utf8(reason).map_err(|_| WsError::NotUtf8)?;
            Ok(Event::Close {
                code: Some(code),
                reason: reason.to_string(),
            })
        }
    }
}

/// XORs `data` with the mask key, `done` being how many bytes of the same
/// payload came before (the key's position carries on across reads).
///
/// Eight bytes at a time: the key repeated twice is one 64-bit word, and
/// XOR works on each byte alone, so byte order does not matter.
fn unmask(data: &mut [u8], mask: [u8; 4], done: u64) {
    let turn = (done % 4) as usize;
    let key = [
        mask[turn],
        mask[(turn + 1) % 4],
        mask[(turn + 2) % 4],
        mask[(turn + 3) % 4],
    ];
    let mut wide = [0u8; 8];
    wide[..4].copy_from_slice(&key);
    wide[4..].copy_from_slice(&key);
    let wide = u64::from_ne_bytes(wide);
    let mut words = data.chunks_exact_mut(8);
    for word in &mut words {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(word);
        word.copy_from_slice(&(u64::from_ne_bytes(bytes) ^ wide).to_ne_bytes());
    }
    // The rest starts at a multiple of 8 bytes, so the key is back at `key[0]`.
    for (i, byte) in words.into_remainder().iter_mut().enumerate() {
        *byte ^= key[i % 4];
    }
}

/// The header of an unmasked frame the server sends: at most 10 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    bytes: [u8; 10],
    len: u8,
}

impl Header {
    /// A final (FIN) frame of `opcode` carrying `payload_len` bytes, the
    /// length written in its shortest form.
    pub fn new(opcode: Opcode, payload_len: usize) -> Header {
        let mut bytes = [0u8; 10];
        bytes[0] = 0x80 | opcode as u8;
        let len = if payload_len <= 125 {
            bytes[1] = payload_len as u8;
            2
        } else if payload_len <= u16::MAX as usize {
            bytes[1] = 126;
            bytes[2..4].copy_from_slice(&(payload_len as u16).to_be_bytes());
            4
        } else {
            bytes[1] = 127;
            bytes[2..10].copy_from_slice(&(payload_len as u64).to_be_bytes());
            10
        };
        Header { bytes, len }
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len as usize]
    }
}

/// The header the server writes before a text message of `body_len` bytes
/// (one JSON envelope). It depends on nothing but the length, so one encoded
/// body serves every recipient, WebSocket or TCP.
pub fn text_header(body_len: usize) -> Header {
    Header::new(Opcode::Text, body_len)
}

/// A frame as a *client* sends it, masked with `key`: `first_byte` is FIN,
/// the RSV bits and the opcode, as they go on the wire. The server never
/// sends one; programs that play a browser do (`poke`, the benchmark, the
/// tests), and a real client picks a fresh, unpredictable key per frame.
pub fn masked_frame(first_byte: u8, payload: &[u8], key: [u8; 4]) -> Vec<u8> {
    let header = Header::new(Opcode::Text, payload.len());
    let mut frame = Vec::with_capacity(header.as_bytes().len() + 4 + payload.len());
    frame.extend_from_slice(header.as_bytes());
    frame[0] = first_byte;
    frame[1] |= 0x80;
    frame.extend_from_slice(&key);
    frame.extend(payload.iter().zip(key.iter().cycle()).map(|(b, k)| b ^ k));
    frame
}

/// Appends a whole text frame (header and body) to `out`.
pub fn encode_text(body: &[u8], out: &mut Vec<u8>) {
    out.reserve(10 + body.len());
    out.extend_from_slice(text_header(body.len()).as_bytes());
    out.extend_from_slice(body);
}

/// A control frame; `payload` is cut to 125 bytes if it is longer (the
/// reader never yields a longer ping, so this only guards against a bug).
fn control_frame(opcode: Opcode, payload: &[u8]) -> Vec<u8> {
    let payload = &payload[..payload.len().min(MAX_CONTROL_PAYLOAD)];
    let mut frame = Header::new(opcode, payload.len()).as_bytes().to_vec();
    frame.extend_from_slice(payload);
    frame
}

/// The answer to a ping: a pong with the same payload (RFC 6455 section 5.5.3).
pub fn pong_frame(payload: &[u8]) -> Vec<u8> {
    control_frame(Opcode::Pong, payload)
}

/// A close frame with `code` and a short `reason` for a person (cut at a
/// character boundary to fit the 123 bytes a control frame leaves for it).
pub fn close_frame(code: u16, reason: &str) -> Vec<u8> {
    let mut end = reason.len().min(MAX_CONTROL_PAYLOAD - 2);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    let mut payload = Vec::with_capacity(2 + end);
    payload.extend_from_slice(&code.to_be_bytes());
    payload.extend_from_slice(&reason.as_bytes()[..end]);
    control_frame(Opcode::Close, &payload)
}

/// The reading half of a WebSocket connection, as the session sees every
/// transport: one body per text message. Control frames never reach the
/// session; the reader answers them through `replies`, the connection's
/// writer.
pub struct Reader<R> {
    events: WebSocketReader<R>,
    replies: Arc<dyn Replies>,
}

impl<R: Read> Reader<R> {
    /// A reader over `events` that answers pings and closes through
    /// `replies`.
    pub fn new(events: WebSocketReader<R>, replies: Arc<dyn Replies>) -> Self {
        Reader { events, replies }
    }
}

impl<R: Read> ReadBody for Reader<R> {
    fn read_body(&mut self) -> Result<Option<Vec<u8>>, TransportError> {
        loop {
            match self.events.read_event() {
                Ok(Some(Event::Text(body))) => return Ok(Some(body)),
                Ok(Some(Event::Ping(payload))) => {
                    // A peer that pings and never reads fills its own queue
                    // and stops getting answers; it costs nobody else.
                    self.replies.reply(Outgoing::framed(pong_frame(&payload)));
                }
                Ok(Some(Event::Pong(_))) => {}
                Ok(Some(Event::Close { code, .. })) => {
                    // The closing handshake: the answer echoes the peer's
                    // code, and the connection ends behind it.
                    let code = code.unwrap_or(close_code::NORMAL);
                    self.replies
                        .reply_last(Outgoing::framed(close_frame(code, "")));
                    return Ok(None);
                }
                Ok(None) => return Ok(None),
                Err(error) => return Err(self.broken(error)),
            }
        }
    }
}

impl<R> Reader<R> {
    /// What a failed read means to the session. A broken rule is answered
    /// here, with its close code (and the rule, for a person, as the
    /// reason): it is the last frame the connection sends, so the session's
    /// own `ERROR` reply finds the connection closed and is not sent.
    fn broken(&self, error: WsError) -> TransportError {
        let why = error.to_string();
        let Some(code) = error.close_code() else {
            return match error {
                WsError::Io(e) => TransportError::Io(e),
                _ => TransportError::Truncated(why),
            };
        };
        self.replies
            .reply_last(Outgoing::framed(close_frame(code, &why)));
        let reply = match error {
            WsError::TooLarge { .. } => ErrorCode::FrameTooLarge,
            WsError::NotUtf8 => ErrorCode::BadUtf8,
            _ => ErrorCode::BadMessage,
        };
        TransportError::Broken { reply, why }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::trickle::Trickle;
    use std::io::Cursor;
    use std::sync::Mutex;

    const LIMIT: usize = 1024 * 1024;

    /// A client frame: the bytes a browser would send.
    fn masked(fin: bool, opcode: u8, payload: &[u8], mask: [u8; 4]) -> Vec<u8> {
        masked_frame(if fin { 0x80 } else { 0 } | opcode, payload, mask)
    }

    fn text(payload: &[u8]) -> Vec<u8> {
        masked(true, 0x1, payload, [0x37, 0xfa, 0x21, 0x3d])
    }

    fn reader(bytes: Vec<u8>) -> WebSocketReader<Cursor<Vec<u8>>> {
        WebSocketReader::new(Cursor::new(bytes), LIMIT)
    }

    /// Every event until the end, or the first error.
    fn events(bytes: Vec<u8>) -> (Vec<Event>, Option<WsError>) {
        let mut reader = reader(bytes);
        let mut events = Vec::new();
        loop {
            match reader.read_event() {
                Ok(Some(event)) => events.push(event),
                Ok(None) => return (events, None),
                Err(e) => return (events, Some(e)),
            }
        }
    }

    /// Every event of `bytes`, which must hold no error.
    fn clean_events(bytes: Vec<u8>) -> Vec<Event> {
        match events(bytes) {
            (events, None) => events,
            (events, Some(e)) => panic!("error {e} after {events:?}"),
        }
    }

    /// The close code the first error of `bytes` earns.
    fn close_code_of(bytes: Vec<u8>) -> Option<u16> {
        match events(bytes) {
            (_, Some(e)) => e.close_code(),
            (events, None) => panic!("no error; events {events:?}"),
        }
    }

    #[test]
    fn accept_key_of_the_rfc_example() {
        assert_eq!(
            accept_key("dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }

    #[test]
    fn the_rfc_masked_hello() {
        // RFC 6455 section 5.7: "A single-frame masked text message".
        let frame = vec![
            0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
        ];
        assert_eq!(frame, text(b"Hello"));
        assert_eq!(clean_events(frame), vec![Event::Text(b"Hello".to_vec())]);
    }

    #[test]
    fn the_rfc_masked_pong() {
        let frame = vec![
            0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
        ];
        assert_eq!(clean_events(frame), vec![Event::Pong(b"Hello".to_vec())]);
    }

    #[test]
    fn server_headers_match_the_rfc_examples() {
        // Section 5.7: an unmasked "Hello", a 256-byte and a 64 KiB frame.
        let mut out = Vec::new();
        encode_text(b"Hello", &mut out);
        assert_eq!(out, [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]);
        assert_eq!(text_header(256).as_bytes(), [0x81, 0x7E, 0x01, 0x00]);
        assert_eq!(
            text_header(65536).as_bytes(),
            [0x81, 0x7F, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00]
        );
    }

    #[test]
    fn server_headers_use_the_shortest_length_at_each_boundary() {
        for (len, header_len) in [
            (0, 2),
            (125, 2),
            (126, 4),
            (0xFFFF, 4),
            (0x1_0000, 10),
            (LIMIT, 10),
        ] {
            let header = text_header(len);
            assert_eq!(header.as_bytes().len(), header_len, "length {len}");
            // What the server writes, the server's own rules accept once
            // masked: read the header back through a client-style frame.
            let frame = text(&vec![b'x'; len]);
            assert_eq!(frame.len(), header_len + 4 + len);
            assert_eq!(frame[2..header_len], header.as_bytes()[2..], "length {len}");
            assert_eq!(
                events(frame).0,
                vec![Event::Text(vec![b'x'; len])],
                "length {len}"
            );
        }
    }

    #[test]
    fn fragments_are_joined_with_control_frames_between_them() {
        let mask = [1, 2, 3, 4];
        let mut bytes = masked(false, 0x1, b"{\"type\": ", mask);
        bytes.extend(masked(true, 0x9, b"are you there", mask));
        bytes.extend(masked(false, 0x0, b"\"TEXT\", ", [9, 8, 7, 6]));
        bytes.extend(masked(true, 0xA, b"", mask));
        bytes.extend(masked(true, 0x0, b"\"data\": \"hi\"}", [0xFF; 4]));
        bytes.extend(text(b"next"));
        let (got, error) = events(bytes);
        assert!(error.is_none(), "{error:?}");
        assert_eq!(
            got,
            vec![
                Event::Ping(b"are you there".to_vec()),
                Event::Pong(Vec::new()),
                Event::Text(b"{\"type\": \"TEXT\", \"data\": \"hi\"}".to_vec()),
                Event::Text(b"next".to_vec()),
            ]
        );
    }

    #[test]
    fn a_character_split_between_fragments_is_utf8() {
        let word = "好".as_bytes();
        let mut bytes = masked(false, 0x1, &word[..1], [5; 4]);
        bytes.extend(masked(true, 0x0, &word[1..], [6; 4]));
        assert_eq!(events(bytes).0, vec![Event::Text(word.to_vec())]);
    }

    #[test]
    fn empty_fragments_and_messages_are_fine() {
        let mut bytes = masked(false, 0x1, b"", [1; 4]);
        bytes.extend(masked(false, 0x0, b"a", [2; 4]));
        bytes.extend(masked(true, 0x0, b"", [3; 4]));
        bytes.extend(text(b""));
        assert_eq!(
            events(bytes).0,
            vec![Event::Text(b"a".to_vec()), Event::Text(Vec::new())]
        );
    }

    #[test]
    fn timeouts_lose_nothing_at_any_point() {
        let big = vec![b'z'; 70_000];
        let mut data = text(b"first");
        data.extend(masked(false, 0x1, &big[..40_000], [7, 7, 1, 2]));
        data.extend(masked(true, 0x9, b"ping!", [3, 1, 4, 1]));
        data.extend(masked(true, 0x0, &big[40_000..], [2, 7, 1, 8]));
        data.extend(masked(true, 0x8, &[0x03, 0xE8, b'b', b'y', b'e'], [0; 4]));
        for step in [1, 3, 7, 1000] {
            let mut reader = WebSocketReader::new(Trickle::new(data.clone(), step), LIMIT);
            let mut got = Vec::new();
            loop {
                match reader.read_event() {
                    Ok(Some(event)) => got.push(event),
                    Ok(None) => break,
                    Err(e) if e.is_timeout() => continue,
                    Err(e) => panic!("step {step}: {e}"),
                }
            }
            assert_eq!(
                got,
                vec![
                    Event::Text(b"first".to_vec()),
                    Event::Ping(b"ping!".to_vec()),
                    Event::Text(big.clone()),
                    Event::Close {
                        code: Some(1000),
                        reason: "bye".to_string()
                    },
                ],
                "step {step}"
            );
        }
    }

    #[test]
    fn bytes_read_after_the_handshake_come_first() {
        let frame = text(b"early");
        let (head, tail) = frame.split_at(4);
        let mut reader = WebSocketReader::with_buffered(Cursor::new(tail.to_vec()), LIMIT, head);
        assert_eq!(
            reader.read_event().unwrap(),
            Some(Event::Text(b"early".to_vec()))
        );
        assert_eq!(reader.read_event().unwrap(), None);
    }

    #[test]
    fn unmasked_frames_are_a_protocol_error() {
        assert_eq!(
            close_code_of(vec![0x81, 0x05, b'H', b'e', b'l', b'l', b'o']),
            Some(1002)
        );
        // A control frame too: every client frame is masked.
        assert_eq!(close_code_of(vec![0x89, 0x00]), Some(1002));
    }

    #[test]
    fn reserved_bits_and_opcodes_are_protocol_errors() {
        for first in [0xC1, 0xA1, 0x91] {
            let mut frame = text(b"x");
            frame[0] = first;
            assert!(
                matches!(events(frame).1, Some(WsError::ReservedBits(_))),
                "{first:#x}"
            );
        }
        for opcode in [0x3, 0x4, 0x5, 0x6, 0x7, 0xB, 0xC, 0xD, 0xE, 0xF] {
            let frame = masked(true, opcode, b"", [0; 4]);
            assert!(
                matches!(events(frame).1, Some(WsError::ReservedOpcode(op)) if op == opcode),
                "{opcode:#x}"
            );
            assert_eq!(close_code_of(masked(true, opcode, b"", [0; 4])), Some(1002));
        }
    }

    #[test]
    fn binary_is_unsupported_data() {
        assert_eq!(
            close_code_of(masked(true, 0x2, b"\x00\x01", [1; 4])),
            Some(1003)
        );
        // Refused from its header, before its payload arrives.
        let header = masked(true, 0x2, &[0; 1000], [1; 4])[..8].to_vec();
        assert!(matches!(events(header).1, Some(WsError::Binary)));
    }

    #[test]
    fn text_that_is_not_utf8_is_invalid_payload() {
        for bad in [&b"\xff"[..], b"caf\xc3", b"\xed\xa0\x80", b"\xc0\xaf"] {
            assert_eq!(close_code_of(text(bad)), Some(1007), "{bad:?}");
        }
        // Checked on the whole message: good fragments, bad join.
        let mut bytes = masked(false, 0x1, b"ok", [1; 4]);
        bytes.extend(masked(true, 0x0, b"\xe4\xbd", [2; 4]));
        assert_eq!(close_code_of(bytes), Some(1007));
    }

    #[test]
    fn a_long_control_frame_is_refused_from_its_first_two_bytes() {
        // A ping announcing a 16-bit length: over 125 whatever follows.
        assert!(matches!(
            events(vec![0x89, 0x80 | 126]).1,
            Some(WsError::ControlTooLong)
        ));
        let ping = masked(true, 0x9, &[0; 126], [1; 4]);
        assert!(matches!(
            events(ping.clone()).1,
            Some(WsError::ControlTooLong)
        ));
        assert_eq!(close_code_of(ping), Some(1002));
        // 125 bytes is the most, and fine.
        let ping = masked(true, 0x9, &[b'p'; 125], [1; 4]);
        assert_eq!(events(ping).0, vec![Event::Ping(vec![b'p'; 125])]);
    }

    #[test]
    fn fragmented_control_frames_are_protocol_errors() {
        for opcode in [0x8, 0x9, 0xA] {
            let frame = masked(false, opcode, b"", [0; 4]);
            assert!(matches!(events(frame).1, Some(WsError::FragmentedControl)));
        }
    }

    #[test]
    fn continuation_rules() {
        // A continuation with nothing to continue.
        let frame = masked(true, 0x0, b"x", [0; 4]);
        assert!(matches!(
            events(frame).1,
            Some(WsError::UnexpectedContinuation)
        ));
        // A new text message in the middle of a fragmented one.
        let mut bytes = masked(false, 0x1, b"a", [0; 4]);
        bytes.extend(text(b"b"));
        assert!(matches!(events(bytes).1, Some(WsError::UnfinishedMessage)));
        // A binary frame in the middle of a text message.
        let mut bytes = masked(false, 0x1, b"a", [0; 4]);
        bytes.extend(masked(true, 0x2, b"b", [0; 4]));
        assert_eq!(close_code_of(bytes), Some(1002));
    }

    #[test]
    fn lengths_not_in_their_shortest_form_are_protocol_errors() {
        // 5 bytes written as a 16-bit length, then as a 64-bit one.
        let mut frame = vec![0x81, 0x80 | 126, 0, 5, 0, 0, 0, 0];
        frame.extend_from_slice(b"Hello");
        assert!(matches!(events(frame).1, Some(WsError::BadLength)));
        let mut frame = vec![0x81, 0x80 | 127, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0, 0, 0, 0];
        frame.extend(vec![b'x'; 0xFFFF]);
        assert!(matches!(events(frame).1, Some(WsError::BadLength)));
        // The top bit of a 64-bit length must be 0.
        let frame = vec![0x81, 0x80 | 127, 0x80, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0];
        assert!(matches!(events(frame).1, Some(WsError::BadLength)));
    }

    #[test]
    fn a_huge_length_is_refused_before_anything_is_allocated() {
        // 2^62 bytes announced; only the header is sent.
        let frame = vec![0x81, 0x80 | 127, 0x40, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4];
        let mut reader = reader(frame);
        match reader.read_event() {
            Err(e @ WsError::TooLarge { .. }) => assert_eq!(e.close_code(), Some(1009)),
            other => panic!("expected TooLarge, got {other:?}"),
        }
        assert!(reader.buf.len() <= INITIAL_BUFFER);
        assert_eq!(reader.message.capacity(), 0);
    }

    #[test]
    fn the_limit_counts_every_fragment_of_a_message() {
        let reader_at = |bytes: Vec<u8>| WebSocketReader::new(Cursor::new(bytes), 10);
        // Exactly at the limit in three fragments: fine.
        let mut bytes = masked(false, 0x1, b"1234", [1; 4]);
        bytes.extend(masked(false, 0x0, b"5678", [1; 4]));
        bytes.extend(masked(true, 0x0, b"90", [1; 4]));
        assert_eq!(
            reader_at(bytes).read_event().unwrap(),
            Some(Event::Text(b"1234567890".to_vec()))
        );
        // One byte more, in the last fragment: refused at its header.
        let mut bytes = masked(false, 0x1, b"1234", [1; 4]);
        bytes.extend(masked(false, 0x0, b"5678", [1; 4]));
        bytes.extend(masked(true, 0x0, b"901", [1; 4]));
        match reader_at(bytes).read_event() {
            Err(WsError::TooLarge { len, limit }) => assert_eq!((len, limit), (11, 10)),
            other => panic!("expected TooLarge, got {other:?}"),
        }
    }

    #[test]
    fn memory_grows_with_bytes_received_not_with_the_declared_length() {
        // A frame announcing the whole limit, of which 10 bytes arrive.
        let mut frame = text(&vec![b'a'; LIMIT]);
        frame.truncate(14 + 10);
        let mut reader = reader(frame);
        assert!(matches!(reader.read_event(), Err(WsError::Truncated)));
        assert!(reader.buf.len() <= INITIAL_BUFFER);
        assert!(
            reader.message.capacity() < 1024,
            "{}",
            reader.message.capacity()
        );
    }

    #[test]
    fn close_frames() {
        let close = |payload: &[u8]| events(masked(true, 0x8, payload, [9, 9, 9, 9]));
        assert_eq!(
            close(b"").0,
            vec![Event::Close {
                code: None,
                reason: String::new()
            }]
        );
        assert_eq!(
            close(&[0x0F, 0xA0, 0xE5, 0xA5, 0xBD]).0,
            vec![Event::Close {
                code: Some(4000),
                reason: "好".to_string()
            }]
        );
        // One byte cannot hold a code.
        assert_eq!(close_code_of(masked(true, 0x8, &[3], [0; 4])), Some(1002));
        // Codes that may not be sent.
        for code in [
            0u16,
            999,
            1004,
            1005,
            1006,
            1015,
            1016,
            2999,
            5000,
            u16::MAX,
        ] {
            let frame = masked(true, 0x8, &code.to_be_bytes(), [0; 4]);
            assert_eq!(close_code_of(frame), Some(1002), "code {code}");
        }
        for code in [1000u16, 1001, 1002, 1003, 1007, 1011, 3000, 4999] {
            let frame = masked(true, 0x8, &code.to_be_bytes(), [0; 4]);
            assert!(events(frame).1.is_none(), "code {code}");
        }
        // A reason that is not UTF-8.
        let frame = masked(true, 0x8, &[0x03, 0xE8, 0xFF], [0; 4]);
        assert_eq!(close_code_of(frame), Some(1007));
    }

    #[test]
    fn the_stream_ending_inside_a_frame_or_a_message_is_truncated() {
        let frame = text(b"Hello");
        for cut in 1..frame.len() {
            let (_, error) = events(frame[..cut].to_vec());
            assert!(matches!(error, Some(WsError::Truncated)), "cut at {cut}");
        }
        let unfinished = masked(false, 0x1, b"Hel", [0; 4]);
        assert!(matches!(events(unfinished).1, Some(WsError::Truncated)));
        assert_eq!(WsError::Truncated.close_code(), None);
    }

    #[test]
    fn unmasking_carries_the_key_position_across_pieces() {
        let mask = [0x11, 0x22, 0x33, 0x44];
        let plain: Vec<u8> = (0..50u8).collect();
        let masked_bytes: Vec<u8> = plain
            .iter()
            .enumerate()
            .map(|(i, b)| b ^ mask[i % 4])
            .collect();
        for split in 0..plain.len() {
            let mut data = masked_bytes.clone();
            let (a, b) = data.split_at_mut(split);
            unmask(a, mask, 0);
            unmask(b, mask, split as u64);
            assert_eq!(data, plain, "split at {split}");
        }
    }

    #[test]
    fn control_frames_the_server_sends() {
        assert_eq!(
            pong_frame(b"Hello"),
            [0x8A, 0x05, b'H', b'e', b'l', b'l', b'o']
        );
        assert_eq!(close_frame(1000, ""), [0x88, 0x02, 0x03, 0xE8]);
        assert_eq!(
            close_frame(close_code::MESSAGE_TOO_BIG, "too big"),
            [
                0x88, 0x09, 0x03, 0xF1, b't', b'o', b'o', b' ', b'b', b'i', b'g'
            ]
        );
        // A long reason is cut to fit, at a character boundary.
        let frame = close_frame(1002, &"好".repeat(100));
        assert_eq!(frame[1] as usize, frame.len() - 2);
        assert!(frame.len() - 2 <= MAX_CONTROL_PAYLOAD);
        assert!(std::str::from_utf8(&frame[4..]).is_ok());
        assert_eq!(frame.len() - 4, 123 / 3 * 3);
    }

    #[test]
    fn every_error_has_its_close_code() {
        let cases: Vec<(WsError, Option<u16>)> = vec![
            (WsError::Unmasked, Some(1002)),
            (WsError::ReservedBits(4), Some(1002)),
            (WsError::ReservedOpcode(3), Some(1002)),
            (WsError::BadLength, Some(1002)),
            (WsError::FragmentedControl, Some(1002)),
            (WsError::ControlTooLong, Some(1002)),
            (WsError::UnexpectedContinuation, Some(1002)),
            (WsError::UnfinishedMessage, Some(1002)),
            (WsError::BadClose, Some(1002)),
            (WsError::Binary, Some(1003)),
            (WsError::NotUtf8, Some(1007)),
            (WsError::TooLarge { len: 2, limit: 1 }, Some(1009)),
            (WsError::Truncated, None),
            (WsError::Io(io::ErrorKind::ConnectionReset.into()), None),
        ];
        for (error, code) in cases {
            assert_eq!(error.close_code(), code, "{error}");
            assert!(!error.to_string().is_empty());
        }
        let timeout = WsError::Io(io::ErrorKind::WouldBlock.into());
        assert!(timeout.is_timeout());
    }

    /// What a [`Reader`] answered, and whether it ended the connection.
    #[derive(Default)]
    struct Answers {
        frames: Mutex<Vec<Vec<u8>>>,
        last: Mutex<bool>,
    }

    impl Replies for Answers {
        fn reply(&self, frame: Outgoing) -> bool {
            if *self.last.lock().unwrap() {
                return false;
            }
            self.frames.lock().unwrap().push(frame.body().to_vec());
            true
        }
        fn reply_last(&self, frame: Outgoing) -> bool {
            let ok = self.reply(frame);
            *self.last.lock().unwrap() = true;
            ok
        }
    }

    fn session_reader(bytes: Vec<u8>) -> (Reader<Cursor<Vec<u8>>>, Arc<Answers>) {
        let answers = Arc::new(Answers::default());
        let reader = Reader::new(reader(bytes), answers.clone());
        (reader, answers)
    }

    #[test]
    fn the_session_gets_bodies_and_the_reader_answers_control_frames() {
        let mut bytes = masked(true, 0x9, b"one", [1, 2, 3, 4]);
        bytes.extend(masked(false, 0x1, b"{\"a\"", [4; 4]));
        bytes.extend(masked(true, 0x9, b"two", [5; 4]));
        bytes.extend(masked(true, 0xA, b"unasked", [6; 4]));
        bytes.extend(masked(true, 0x0, b": 1}", [7; 4]));
        bytes.extend(masked(true, 0x8, &[0x0F, 0xA0], [8; 4]));
        bytes.extend(text(b"after the close"));
        let (mut reader, answers) = session_reader(bytes);
        assert_eq!(reader.read_body().unwrap(), Some(b"{\"a\": 1}".to_vec()));
        assert_eq!(reader.read_body().unwrap(), None);
        let frames = answers.frames.lock().unwrap().clone();
        assert_eq!(
            frames,
            vec![
                pong_frame(b"one"),
                pong_frame(b"two"),
                close_frame(4000, "")
            ]
        );
        assert!(*answers.last.lock().unwrap());
    }

    #[test]
    fn a_close_without_a_code_is_answered_with_1000() {
        let (mut reader, answers) = session_reader(masked(true, 0x8, b"", [0; 4]));
        assert_eq!(reader.read_body().unwrap(), None);
        assert_eq!(
            answers.frames.lock().unwrap().clone(),
            vec![close_frame(1000, "")]
        );
    }

    #[test]
    fn a_broken_rule_is_answered_with_its_close_code_then_reported() {
        let cases: Vec<(Vec<u8>, u16, ErrorCode)> = vec![
            (vec![0x81, 0x01, b'x'], 1002, ErrorCode::BadMessage),
            (masked(true, 0x2, b"x", [1; 4]), 1003, ErrorCode::BadMessage),
            (text(b"\xff"), 1007, ErrorCode::BadUtf8),
            (text(&vec![b'a'; LIMIT + 1]), 1009, ErrorCode::FrameTooLarge),
        ];
        for (bytes, code, expected) in cases {
            let (mut reader, answers) = session_reader(bytes);
            match reader.read_body() {
                Err(TransportError::Broken { reply, why }) => {
                    assert_eq!(reply, expected, "{code}");
                    let frames = answers.frames.lock().unwrap().clone();
                    assert_eq!(frames, vec![close_frame(code, &why)]);
                }
                other => panic!("{code}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_dropped_connection_is_not_answered() {
        let mut frame = text(b"Hello");
        frame.truncate(5);
        let (mut reader, answers) = session_reader(frame);
        assert!(matches!(
            reader.read_body(),
            Err(TransportError::Truncated(_))
        ));
        assert!(answers.frames.lock().unwrap().is_empty());
        // A timeout stays a timeout, so the session can tick.
        let answers: Arc<dyn Replies> = Arc::new(Answers::default());
        let mut reader = Reader::new(
            WebSocketReader::new(Trickle::new(text(b"hi"), 1), LIMIT),
            answers,
        );
        assert!(reader.read_body().unwrap_err().is_timeout());
    }
}
