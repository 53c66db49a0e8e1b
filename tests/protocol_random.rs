//! Randomized tests of the message layer on top of framing.
//!
//! - Random messages of every type survive encode → frame → read → decode
//!   unchanged, whatever sizes the reads come in.
//! - Random bytes, and valid frame streams that are mutated or cut short,
//!   give errors from the frame reader and the decoder, never a panic.
//!
//! The seed is fixed so every run tests the same cases, and printed so a
//! failure can be replayed; `SOCKET_CHAT_SEED=<number>` explores others.

use std::io::{self, Read};

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use socket_chat::connection::{MessageReader, Outgoing, ReadError};
use socket_chat::message::{ErrorCode, LeaveReason, Message};

mod common;

const CASES: usize = 3000;

fn rng(test: &str) -> StdRng {
    StdRng::seed_from_u64(common::seed(test, 0x6672_616d)) // "fram"
}

fn text(rng: &mut StdRng) -> String {
    let len = rng.random_range(0..40);
    (0..len)
        .map(|_| {
            let code = match rng.random_range(0..4) {
                0 => rng.random_range(0..0x80),
                1 => rng.random_range(0x4e00..0x9fff),
                2 => rng.random_range(0x1f300..0x1fa00),
                _ => rng.random_range(0x20..0x7f),
            };
            char::from_u32(code).unwrap_or('?')
        })
        .collect()
}

fn maybe(rng: &mut StdRng) -> Option<String> {
    rng.random_bool(0.5).then(|| text(rng))
}

fn names(rng: &mut StdRng) -> Vec<String> {
    (0..rng.random_range(0..5)).map(|_| text(rng)).collect()
}

fn message(rng: &mut StdRng) -> Message {
    let ts = rng.random_range(0..i64::MAX);
    let n = rng.random_range(0..u64::MAX);
    match rng.random_range(0..16) {
        0 => Message::Join { name: text(rng) },
        1 => Message::Welcome {
            name: text(rng),
            users: names(rng),
            timestamp: ts,
            max_file_size: rng.random_bool(0.5).then_some(n),
        },
        2 => Message::Joined {
            name: text(rng),
            timestamp: ts,
            online: n,
        },
        3 => Message::Leave { name: text(rng) },
        4 => Message::Left {
            name: text(rng),
            reason: [
                LeaveReason::Quit,
                LeaveReason::Disconnected,
                LeaveReason::Timeout,
                LeaveReason::Kicked,
            ][rng.random_range(0..4)],
            timestamp: ts,
            online: n,
        },
        5 => Message::Text {
            text: text(rng),
            to: maybe(rng),
        },
        6 => Message::Chat {
            text: text(rng),
            sender: text(rng),
            timestamp: ts,
            to: maybe(rng),
        },
        7 => Message::FileOffer {
            name: text(rng),
            transfer_id: text(rng),
            size: n,
            to: maybe(rng),
            sender: maybe(rng),
        },
        8 => Message::FileChunk {
            transfer_id: text(rng),
            index: n,
            data: text(rng),
        },
        9 => Message::FileComplete {
            name: text(rng),
            transfer_id: text(rng),
            size: n,
            sha256: text(rng),
        },
        10 => Message::Error {
            text: text(rng),
            code: [
                ErrorCode::BadJson,
                ErrorCode::UnknownUser,
                ErrorCode::TransferAborted,
            ][rng.random_range(0..3)]
            .clone(),
            transfer_id: maybe(rng),
        },
        11 => Message::ListRequest,
        12 => Message::UserList { users: names(rng) },
        13 => Message::Ping,
        14 => Message::Pong,
        _ => Message::Error {
            text: text(rng),
            code: ErrorCode::Other(
                "zz_".to_string() + &text(rng).replace(|c: char| !c.is_ascii_lowercase(), ""),
            ),
            transfer_id: None,
        },
    }
}

/// Hands its bytes out in random-sized pieces, as a socket may.
struct Pieces {
    data: Vec<u8>,
    pos: usize,
    rng: StdRng,
}

impl Read for Pieces {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.data.len() - self.pos;
        let n = self
            .rng
            .random_range(0..=left.min(buf.len()).min(64))
            .max(left.min(1));
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[test]
fn random_messages_survive_the_round_trip_in_random_pieces() {
    let mut rng = rng("round_trip");
    for case in 0..CASES / 10 {
        let sent: Vec<Message> = (0..10).map(|_| message(&mut rng)).collect();
        let mut wire = Vec::new();
        for m in &sent {
            wire.extend_from_slice(Outgoing::new(m).as_bytes());
        }
        let pieces = Pieces {
            data: wire,
            pos: 0,
            rng: StdRng::seed_from_u64(case as u64),
        };
        let mut reader = MessageReader::new(pieces, 1 << 20);
        for expected in &sent {
            match reader.read_message() {
                Ok(Some(got)) => assert_eq!(&got, expected, "case {case}"),
                other => panic!("case {case}: expected {expected:?}, got {other:?}"),
            }
        }
        assert!(matches!(reader.read_message(), Ok(None)), "case {case}");
    }
}

/// Reads everything a reader will give, checking that it ends in a clean
/// end of stream or an error, never a panic or a loop.
fn drain(bytes: Vec<u8>, limit: usize) {
    let mut reader = MessageReader::new(io::Cursor::new(bytes), limit);
    for _ in 0..10_000 {
        match reader.read_message() {
            Ok(Some(_)) | Err(ReadError::Decode(_)) => continue,
            Ok(None) | Err(ReadError::Frame(_)) => return,
        }
    }
    panic!("reader did not finish");
}

#[test]
fn random_bytes_give_errors_not_panics() {
    let mut rng = rng("random_bytes");
    for _ in 0..CASES {
        let len = rng.random_range(0..300);
        let mut bytes: Vec<u8> = (0..len).map(|_| rng.random()).collect();
        // Often make the length prefix plausible, so bodies are reached.
        if bytes.len() >= 4 && rng.random_bool(0.7) {
            let body = (bytes.len() - 4) as u32;
            bytes[..4].copy_from_slice(&body.to_be_bytes());
        }
        drain(bytes, 1024);
    }
}

#[test]
fn mutated_and_truncated_streams_give_errors_not_panics() {
    let mut rng = rng("mutated");
    for _ in 0..CASES {
        let mut wire = Vec::new();
        for _ in 0..rng.random_range(1..4) {
            wire.extend_from_slice(Outgoing::new(&message(&mut rng)).as_bytes());
        }
        match rng.random_range(0..3) {
            0 => wire.truncate(rng.random_range(0..wire.len())),
            1 => {
                for _ in 0..rng.random_range(1..5) {
                    let i = rng.random_range(0..wire.len());
                    wire[i] = rng.random();
                }
            }
            _ => {
                let i = rng.random_range(0..wire.len());
                wire.insert(i, rng.random());
            }
        }
        drain(wire, 1 << 16);
    }
}
