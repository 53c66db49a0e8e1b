//! socket-chat: a multi-client TCP chat room with file transfer, written with
//! nothing but the Rust standard library so that every byte on the wire is
//! code you can read.
//!
//! # Layout
//!
//! A message travels through these modules, one job each:
//!
//! ```text
//! bytes ──frame──▶ body ──json──▶ Value ──message──▶ Message ──▶ server / client logic
//!   ▲                                                                   │
//!   └──────frame◀── body ◀──json── Value ◀──message── Message ◀─────────┘
//! ```
//!
//! Protocol (pure functions over bytes; nothing here touches a socket):
//! - [`json`]: the JSON value type, a strict non-recursive parser and an
//!   encoder that writes exactly what Python's `json.dumps` writes.
//! - [`frame`]: a 4-byte big-endian length before every JSON body, because
//!   TCP is a byte stream with no message boundaries; what a reader holds
//!   grows with the bytes received, never with a declared length.
//! - [`base64`]: file chunks travel inside JSON strings, so bytes become text.
//! - [`sha256`]: the checksum a receiver compares before keeping a file.
//! - [`message`]: one typed definition of every message in the protocol,
//!   converted to and from JSON values.
//!
//! Plumbing between sockets and messages:
//! - [`connection`]: read typed messages from a stream; encode them into
//!   frames ready to write; set a chat socket up.
//! - [`trace`]: `--trace`, every frame printed as it goes by.
//!
//! The programs (each knows nothing of byte layouts):
//! - [`server`]: the accept loop, a session thread and a writer thread per
//!   client, the room, the admin console; registered accounts and their
//!   file (`server::accounts`), the limit on guessing passwords
//!   (`server::lockout`), who is muted (`server::mutes`).
//! - [`client`]: joining, the receiving thread, the input loop.
//!
//! Shared by both programs:
//! - [`text`]: every sentence a person reads, in one place.
//! - [`names`]: the user-name rules.
//! - [`command`]: the `/command @user "quoted path"` grammar.
//! - [`cli`]: command-line arguments.
//! - [`filetypes`]: `--allow-ext` / `--deny-ext`, and which extension a
//!   file name has.
//! - [`transfer`]: files at both ends of a transfer: chunks out, chunks
//!   in, safe names, `.part` files kept only when the checksum matches.
//! - [`localtime`]: Unix time to local `HH:MM:SS` (std has no time zones):
//!   zone files, POSIX TZ rules and the calendar, one file each. Outside the
//!   course's path: nothing in it is about sockets.
//! - [`sync`]: locking that survives another thread's panic.
//!
//! The wire format is described in `docs/protocol.md`.
// Safe Rust everywhere; the one exception is the SHA-256 module, whose
// hardware-accelerated path calls CPU intrinsics (see `sha256`).
#![deny(unsafe_code)]

pub mod base64;
pub mod cli;
pub mod client;
pub mod command;
pub mod connection;
pub mod filetypes;
pub mod frame;
pub mod json;
pub mod localtime;
pub mod message;
pub mod names;
pub mod server;
pub mod sha256;
pub mod sync;
#[cfg(test)]
mod test_seed;
pub mod text;
pub mod trace;
pub mod transfer;
