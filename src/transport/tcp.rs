//! Our own transport: a 4-byte big-endian length before every body.
//!
//! The frames themselves are [`crate::frame`]'s business (how a body is cut
//! out of a byte stream, and why the length is checked before anything is
//! allocated). This file only fits them into the transport seam: a
//! [`Reader`] that hands out bodies, and the [`header`] the writer puts in
//! front of each body it sends.

use std::io::Read;

use super::{Header, MessageReader, ReadBody, TransportError};
use crate::frame::{FrameError, FrameReader, HEADER_LEN, encode_frame};
use crate::message::{ErrorCode, Message};

/// The reading half of a TCP connection: frames in, bodies out.
pub struct Reader<R> {
    frames: FrameReader<R>,
}

impl<R: Read> Reader<R> {
    /// A reader that refuses bodies over `max_frame` bytes.
    pub fn new(inner: R, max_frame: usize) -> Self {
        Reader {
            frames: FrameReader::new(inner, max_frame),
        }
    }
}

impl<R: Read> ReadBody for Reader<R> {
    fn read_body(&mut self) -> Result<Option<Vec<u8>>, TransportError> {
        self.frames.read_frame().map_err(TransportError::from)
    }

    fn body_waiting(&self) -> bool {
        self.frames.frame_waiting()
    }
}

/// Typed messages of direction `M` from a TCP stream, bodies at most
/// `max_frame` bytes long.
pub fn message_reader<R: Read, M: Message>(
    inner: R,
    max_frame: usize,
) -> MessageReader<Reader<R>, M> {
    MessageReader::new(Reader::new(inner, max_frame))
}

/// What each way a frame can fail means to the connection.
impl From<FrameError> for TransportError {
    fn from(error: FrameError) -> Self {
        let why = error.to_string();
        match error {
            FrameError::TooLarge { .. } => TransportError::Broken {
                reply: ErrorCode::FrameTooLarge,
                why,
            },
            FrameError::ZeroLength => TransportError::Broken {
                reply: ErrorCode::BadMessage,
                why,
            },
            FrameError::Truncated { .. } => TransportError::Truncated(why),
            FrameError::Io(e) => TransportError::Io(e),
        }
    }
}

/// The length prefix for a body of `body_len` bytes.
pub fn header(body_len: usize) -> Header {
    // The protocol's length field is 32 bits; bodies are capped far below
    // that by the senders' own limits, so this only fails on a bug.
    let len = u32::try_from(body_len).expect("frame body longer than 4 GiB");
    let bytes: [u8; HEADER_LEN] = len.to_be_bytes();
    Header::new(&bytes)
}

/// One whole frame, header and body in one buffer, for programs that write
/// a message at a time with `write_all` (tests, small tools). The server's
/// writer never builds these: it writes the shared body where it is.
pub fn frame<M: Message>(message: &M) -> Vec<u8> {
    let mut bytes = Vec::new();
    encode_frame(&message.encode(), &mut bytes);
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::client::Text;
    use crate::message::{ClientMessage, ServerMessage};
    use crate::transport::ReadError;
    use std::io::Cursor;

    #[test]
    fn written_messages_read_back() {
        let hello = ClientMessage::Text(Text {
            text: "hello".into(),
            to: None,
        });
        let mut wire = frame(&hello);
        wire.extend(frame(&ClientMessage::Ping));
        let mut reader = message_reader::<_, ClientMessage>(Cursor::new(wire), 1024);
        assert_eq!(reader.read_message().unwrap(), Some(hello));
        assert_eq!(reader.read_message().unwrap(), Some(ClientMessage::Ping));
        assert!(reader.read_message().unwrap().is_none());
    }

    #[test]
    fn a_bad_body_is_a_decode_error_and_the_next_frame_still_reads() {
        let mut wire = Vec::new();
        encode_frame(b"not json", &mut wire);
        wire.extend(frame(&ServerMessage::Pong));
        let mut reader = message_reader::<_, ServerMessage>(Cursor::new(wire), 1024);
        assert!(matches!(reader.read_message(), Err(ReadError::Decode(_))));
        assert_eq!(reader.read_message().unwrap(), Some(ServerMessage::Pong));
    }

    #[test]
    fn broken_framing_says_what_to_answer() {
        let cases: [(&[u8], Option<ErrorCode>); 3] = [
            (&[0, 0, 0, 0], Some(ErrorCode::BadMessage)),
            (&[0xff, 0, 0, 0], Some(ErrorCode::FrameTooLarge)),
            (&[0, 0, 0, 9, b'{'], None),
        ];
        for (bytes, reply) in cases {
            let mut reader = Reader::new(Cursor::new(bytes.to_vec()), 1024);
            match (reader.read_body(), reply) {
                (Err(TransportError::Broken { reply: got, .. }), Some(want)) => {
                    assert_eq!(got, want)
                }
                (Err(TransportError::Truncated(why)), None) => assert!(!why.is_empty()),
                (other, _) => panic!("{bytes:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_message_is_waiting_when_its_frame_is_buffered_even_through_a_box() {
        let mut wire = frame(&ServerMessage::Ping);
        wire.extend(frame(&ServerMessage::Pong));
        let boxed: Box<dyn ReadBody> = Box::new(Reader::new(Cursor::new(wire), 1024));
        let mut reader = MessageReader::<_, ServerMessage>::new(boxed);
        assert!(!reader.message_waiting(), "nothing read yet");
        assert_eq!(reader.read_message().unwrap(), Some(ServerMessage::Ping));
        assert!(reader.message_waiting(), "the Pong came in the same read");
        assert_eq!(reader.read_message().unwrap(), Some(ServerMessage::Pong));
        assert!(!reader.message_waiting());
    }

    #[test]
    fn the_header_is_the_body_length_big_endian() {
        assert_eq!(header(0x3b).as_bytes(), &[0, 0, 0, 0x3b]);
        assert_eq!(header(1 << 20).as_bytes(), &[0, 0x10, 0, 0]);
    }
}
