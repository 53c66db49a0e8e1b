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
use socket_chat::filetypes::FileTypes;
use socket_chat::message::client::{
    self, Admin, HistoryRequest, Join, Leave, Register, RoomJoin, Text,
};
use socket_chat::message::server::{
    self, AdminDone, AdminNotice, Chat, HistoryEnd, Joined, Left, Registered, RoomInfo, RoomList,
    RoomNotice, RoomWelcome, UserList, Welcome,
};
use socket_chat::message::{
    AdminAction, ClientMessage, ErrorCode, ErrorDetails, ErrorReason, ErrorReport, FileChunk,
    FileComplete, LeaveReason, Message, Role, ServerMessage,
};
use socket_chat::transport::{ReadError, tcp};

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

fn chunk(rng: &mut StdRng) -> FileChunk {
    FileChunk {
        transfer_id: text(rng),
        index: rng.random_range(0..u64::MAX),
        data: text(rng),
    }
}

fn complete(rng: &mut StdRng) -> FileComplete {
    FileComplete {
        name: text(rng),
        transfer_id: text(rng),
        size: rng.random_range(0..u64::MAX),
        sha256: text(rng),
    }
}

fn error(rng: &mut StdRng) -> ErrorReport {
    let code = match rng.random_range(0..4) {
        0 => ErrorCode::BadJson,
        1 => ErrorCode::UnknownUser,
        2 => ErrorCode::TransferAborted,
        _ => ErrorCode::Other(
            "zz_".to_string() + &text(rng).replace(|c: char| !c.is_ascii_lowercase(), ""),
        ),
    };
    ErrorReport {
        text: text(rng),
        code,
        transfer_id: maybe(rng),
        until: rng.random_bool(0.5).then(|| rng.random_range(0..i64::MAX)),
        details: Box::new(ErrorDetails {
            name: maybe(rng),
            size: rng.random_bool(0.5).then(|| rng.random_range(0..u64::MAX)),
            limit: rng.random_bool(0.5).then(|| rng.random()),
            seconds: rng.random_bool(0.5).then(|| rng.random()),
            reason: match rng.random_range(0..3) {
                0 => None,
                1 => Some(ErrorReason::SenderLeft),
                _ => Some(ErrorReason::Other(
                    "zz_".to_string() + &text(rng).replace(|c: char| !c.is_ascii_lowercase(), ""),
                )),
            },
            by: maybe(rng),
        }),
    }
}

fn action(rng: &mut StdRng) -> AdminAction {
    [
        AdminAction::Kick,
        AdminAction::Mute,
        AdminAction::Unmute,
        AdminAction::Op,
        AdminAction::Deop,
    ][rng.random_range(0..5)]
}

fn role(rng: &mut StdRng) -> Role {
    [Role::Guest, Role::Member, Role::Admin][rng.random_range(0..3)]
}

/// Extension lists as a server announces them: lower case, no dots.
fn file_types(rng: &mut StdRng) -> FileTypes {
    let words = ["txt", "pdf", "png", "exe", "bat", "gz", "中文"];
    let pick = |rng: &mut StdRng| -> Vec<&str> {
        words
            .iter()
            .copied()
            .filter(|_| rng.random_bool(0.3))
            .collect()
    };
    let (allow, deny) = (pick(rng), pick(rng));
    FileTypes::from_lists(&allow, &deny).expect("valid lists")
}

/// A random message of every type a client sends.
fn client_message(rng: &mut StdRng) -> ClientMessage {
    match rng.random_range(0..16) {
        0 => ClientMessage::Join(Join { name: text(rng) }),
        1 => ClientMessage::Leave(Leave { name: text(rng) }),
        2 => ClientMessage::Text(Text {
            text: text(rng),
            to: maybe(rng),
        }),
        3 => ClientMessage::FileOffer(client::FileOffer {
            name: text(rng),
            transfer_id: text(rng),
            size: rng.random_range(0..u64::MAX),
            to: maybe(rng),
        }),
        4 => ClientMessage::FileChunk(chunk(rng)),
        5 => ClientMessage::FileComplete(complete(rng)),
        6 => ClientMessage::Error(error(rng)),
        7 => ClientMessage::ListRequest,
        8 => ClientMessage::Ping,
        9 => ClientMessage::RoomJoin(RoomJoin { name: text(rng) }),
        10 => ClientMessage::RoomListRequest,
        11 => ClientMessage::History(HistoryRequest {
            limit: rng.random_range(1..=1000),
            before: rng.random_bool(0.5).then(|| rng.random_range(0..u64::MAX)),
        }),
        12 => ClientMessage::Register(Register {
            name: text(rng),
            salt: text(rng),
            iterations: rng.random_range(0..u64::MAX),
            stored_key: text(rng),
            server_key: text(rng),
        }),
        13 => ClientMessage::Auth(client::Auth {
            message: text(rng),
            mechanism: maybe(rng),
        }),
        14 => ClientMessage::Admin(Admin {
            action: action(rng),
            target: text(rng),
            seconds: rng.random_bool(0.5).then(|| rng.random_range(0..u64::MAX)),
        }),
        _ => ClientMessage::Pong,
    }
}

/// A random message of every type a server sends.
fn server_message(rng: &mut StdRng) -> ServerMessage {
    let ts = rng.random_range(0..i64::MAX);
    let n = rng.random_range(0..u64::MAX);
    match rng.random_range(0..20) {
        0 => ServerMessage::Welcome(Welcome {
            name: text(rng),
            users: names(rng),
            timestamp: ts,
            room: maybe(rng),
            max_file_size: rng.random_bool(0.5).then_some(n),
            max_text: rng.random_bool(0.5).then_some(n),
            role: rng.random_bool(0.5).then(|| role(rng)),
            file_types: rng.random_bool(0.5).then(|| file_types(rng)),
        }),
        1 => ServerMessage::Joined(Joined {
            name: text(rng),
            timestamp: ts,
            online: n,
        }),
        2 => ServerMessage::Left(Left {
            name: text(rng),
            reason: [
                LeaveReason::Quit,
                LeaveReason::Disconnected,
                LeaveReason::Timeout,
                LeaveReason::Kicked,
            ][rng.random_range(0..4)],
            timestamp: ts,
            online: n,
        }),
        3 => ServerMessage::Chat(Chat {
            text: text(rng),
            sender: text(rng),
            timestamp: ts,
            to: maybe(rng),
            room: maybe(rng),
            seq: rng.random_bool(0.5).then_some(n),
            history: rng.random_bool(0.5),
        }),
        4 => ServerMessage::FileOffer(server::FileOffer {
            name: text(rng),
            transfer_id: text(rng),
            size: n,
            to: maybe(rng),
            sender: text(rng),
            room: maybe(rng),
        }),
        5 => ServerMessage::FileChunk(chunk(rng)),
        6 => ServerMessage::FileComplete(complete(rng)),
        7 => ServerMessage::Error(error(rng)),
        8 => ServerMessage::UserList(UserList { users: names(rng) }),
        9 => ServerMessage::Ping,
        10 => ServerMessage::RoomWelcome(RoomWelcome {
            room: text(rng),
            members: names(rng),
            timestamp: ts,
        }),
        11 => ServerMessage::RoomEntered(RoomNotice {
            room: text(rng),
            user: text(rng),
            members: n,
            timestamp: ts,
        }),
        12 => ServerMessage::RoomLeft(RoomNotice {
            room: text(rng),
            user: text(rng),
            members: n,
            timestamp: ts,
        }),
        13 => ServerMessage::RoomList(RoomList {
            rooms: names(rng)
                .into_iter()
                .map(|name| RoomInfo {
                    name,
                    members: rng.random_range(0..u64::MAX),
                })
                .collect(),
        }),
        14 => ServerMessage::HistoryEnd(HistoryEnd {
            room: text(rng),
            count: n,
        }),
        15 => ServerMessage::Registered(Registered { name: text(rng) }),
        16 => ServerMessage::Auth(server::Auth {
            message: text(rng),
            done: rng.random_bool(0.5).then(|| role(rng)),
        }),
        17 => ServerMessage::AdminDone(AdminDone {
            action: action(rng),
            target: text(rng),
        }),
        18 => ServerMessage::AdminNotice(AdminNotice {
            action: action(rng),
            by: text(rng),
            until: rng.random_bool(0.5).then_some(ts),
        }),
        _ => ServerMessage::Pong,
    }
}

/// The frame of a random message of either direction.
fn random_frame(rng: &mut StdRng) -> Vec<u8> {
    if rng.random_bool(0.5) {
        tcp::frame(&client_message(rng))
    } else {
        tcp::frame(&server_message(rng))
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

/// Sends `sent` through frames cut into random pieces, and checks that a
/// reader of that direction gets each back unchanged, then a clean end.
fn round_trip<M: Message + PartialEq + std::fmt::Debug>(case: usize, sent: &[M]) {
    let mut wire = Vec::new();
    for m in sent {
        wire.extend_from_slice(&tcp::frame(m));
    }
    let pieces = Pieces {
        data: wire,
        pos: 0,
        rng: StdRng::seed_from_u64(case as u64),
    };
    let mut reader = tcp::message_reader::<_, M>(pieces, 1 << 20);
    for expected in sent {
        match reader.read_message() {
            Ok(Some(got)) => assert_eq!(&got, expected, "case {case}"),
            other => panic!("case {case}: expected {expected:?}, got {other:?}"),
        }
    }
    assert!(matches!(reader.read_message(), Ok(None)), "case {case}");
}

#[test]
fn random_messages_survive_the_round_trip_in_random_pieces() {
    let mut rng = rng("round_trip");
    for case in 0..CASES / 10 {
        if case % 2 == 0 {
            let sent: Vec<ClientMessage> = (0..10).map(|_| client_message(&mut rng)).collect();
            round_trip(case, &sent);
        } else {
            let sent: Vec<ServerMessage> = (0..10).map(|_| server_message(&mut rng)).collect();
            round_trip(case, &sent);
        }
    }
}

/// Reads everything a reader of direction `M` will give, checking that it
/// ends in a clean end of stream or an error, never a panic or a loop.
fn drain_as<M: Message>(bytes: &[u8], limit: usize) {
    let mut reader = tcp::message_reader::<_, M>(io::Cursor::new(bytes), limit);
    for _ in 0..10_000 {
        match reader.read_message() {
            Ok(Some(_)) | Err(ReadError::Decode(_)) => continue,
            Ok(None) | Err(ReadError::Transport(_)) => return,
        }
    }
    panic!("reader did not finish");
}

/// The same bytes, read as a server reads them and as a client does.
fn drain(bytes: Vec<u8>, limit: usize) {
    drain_as::<ClientMessage>(&bytes, limit);
    drain_as::<ServerMessage>(&bytes, limit);
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
            wire.extend_from_slice(&random_frame(&mut rng));
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
