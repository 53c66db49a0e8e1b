//! Cryptography from the standards, written here because the project has no
//! dependencies: the hash that checks files, and what logins are built from.
//!
//! # What each file is for
//!
//! - [`sha256`] (FIPS 180-4): the hash. A receiver compares it before keeping
//!   a file, and everything else in this folder is built on it.
//! - [`hmac`] (RFC 2104): a hash with a key, so that only someone who knows
//!   the key can compute it. SCRAM's keys and signatures are HMACs.
//! - [`pbkdf2`] (RFC 8018): a password made deliberately slow to test, so that
//!   someone who steals a server's account file cannot try billions of
//!   guesses a second against it.
//! - [`scram`] (RFC 5802, RFC 7677): the login. Client and server each prove
//!   to the other that they know the password (the server: what was derived
//!   from it at registration) without ever sending it.
//! - [`ct`]: comparing secrets in a time that does not depend on where they
//!   first differ.
//! - [`random`]: unpredictable bytes from the operating system, for nonces,
//!   salts and the server's secret.
//! - [`sha1`] (FIPS 180-4): the older hash the WebSocket handshake is built
//!   on. Broken for signatures and checksums, and used for neither here.
//!
//! Each is tested on the published test vectors of its standard, so a reader
//! who does not want to follow the arithmetic can trust the functions as
//! black boxes with known answers.
//!
//! # Why this sits off the course's main path
//!
//! The course in `docs/` follows a message from bytes to frames to JSON to
//! the server and back; none of that needs to know how SHA-256 mixes a block
//! or how HMAC pads its key. What the course does need is what these pieces
//! *achieve*: a checksum that catches damaged files (chapter 5), and a login
//! over a connection anyone can read that never sends the password. The
//! chapters explain that and point here for the details, the way
//! [`localtime`](crate::localtime) stands beside the course for time zones.
//! Read these files when you want to see a standard turned into code; skip
//! them on a first reading.
//!
//! These are teaching implementations: correct on every test vector and
//! careful where it matters (secrets are compared in constant time, random
//! bytes come from the operating system), but not audited, and they do not
//! wipe secrets from memory after use. Real systems should use a maintained
//! library such as `ring` or RustCrypto's crates, and TLS in front of it all.

pub mod ct;
pub mod hmac;
pub mod pbkdf2;
pub mod random;
pub mod scram;
pub mod sha1;
pub mod sha256;
