//! JSON: the text every message body is written in.
//!
//! Each frame on the wire carries one JSON object, the message envelope
//! `{"type": ..., "data": ..., "metadata": {...}}` (see the wire contract in
//! `docs/protocol.md`). The original chat program was written in Python and
//! used Python's `json` module; this module is our own small version of it,
//! one job per file, each depending only on the ones listed before it:
//!
//! - `error.rs`: [`ParseError`] and [`ErrorKind`], what is wrong with a text
//!   and at which byte;
//! - `number.rs`: the number grammar, which the parser and
//!   [`Number`]'s `FromStr` both check text against;
//! - `value.rs`: [`Value`], [`Number`] and [`Object`], what a body becomes
//!   after parsing and what a message is built from before sending;
//! - `scan.rs`: finding, eight bytes at a time, where a run of plain string
//!   bytes ends, for the parser and the encoder;
//! - `parse.rs`: [`parse()`], bytes from a peer to a [`Value`] or a
//!   [`ParseError`];
//! - `encode.rs`: [`to_string()`], a [`Value`] to text, byte for byte what
//!   Python writes.
//!
//! ```
//! use socket_chat::json::{self, Object, Value};
//!
//! let mut metadata = Object::new();
//! metadata.insert("to", "李雷");
//! let mut envelope = Object::new();
//! envelope.insert("type", "TEXT");
//! envelope.insert("data", "hello");
//! envelope.insert("metadata", metadata);
//!
//! let text = json::to_string(&Value::from(envelope));
//! assert_eq!(text, r#"{"type": "TEXT", "data": "hello", "metadata": {"to": "\u674e\u96f7"}}"#);
//!
//! let back = json::parse(text.as_bytes()).unwrap();
//! let to = back.as_object().and_then(|m| m.get("metadata")).and_then(Value::as_object);
//! assert_eq!(to.and_then(|m| m.get("to")).and_then(Value::as_str), Some("李雷"));
//! ```
//!
//! # The parser trusts nothing
//!
//! A server parses whatever its peers send, so the parser is written for
//! hostile input, not just for our own messages:
//!
//! - **It is strict.** It accepts exactly what RFC 8259 allows: no comments,
//!   trailing commas, `NaN`, single quotes or leading zeros. Being lenient
//!   would make our protocol whatever our parser happens to accept, and
//!   other implementations could not know what that is.
//! - **It does not recurse.** A recursive parser calls itself once per `[`,
//!   so 100,000 brackets, a 100 KB body, would overflow the thread's stack
//!   and abort the whole server. Our parser keeps open containers on a heap
//!   stack instead (`src/json/parse.rs` explains the loop).
//! - **It limits nesting to [`MAX_DEPTH`].** Even on the heap, depth is
//!   something a peer controls; a limit keeps memory and time per message
//!   bounded, and it also bounds the recursion in code that walks a parsed
//!   value (`Drop`, `Clone`, `==`). Our deepest message is three levels.
//! - **It keeps numbers as text.** JSON numbers have no size limit. Turning
//!   `1e999999` or a thousand-digit integer into a machine number is slow or
//!   lossy; validating the digits and keeping the text is neither. The
//!   caller asks [`Number::as_u64`] when it wants an integer, and learns then
//!   if it does not fit.
//! - **It takes linear time.** Strings are copied in whole runs, repeated
//!   object keys are found with a hash set, so no body within the frame
//!   limit can make the server spin.
//!
//! # The encoder copies Python
//!
//! [`to_string`] writes what `json.dumps(obj)` writes with its default
//! arguments: `", "` and `": "` between items, keys in insertion order
//! (which is why [`Object`] keeps order), and only printable ASCII in the
//! output, everything else as a `\u` escape. Doing exactly that means a
//! Rust peer and the Python original put identical bytes on the wire for
//! the same message, and our tests can check the encoder against output
//! that Python itself produced (`tests/data/json_golden.jsonl`).
//!
//! Where we differ from Python, on purpose:
//!
//! - Python accepts `NaN`, `Infinity` and lone surrogate escapes such as
//!   `"\ud800"`; we reject them: the first are not JSON, and a Rust
//!   `String` cannot hold the last.
//! - A parsed number is written back as its original text, so `1.0E2` stays
//!   `1.0E2` and `-0` stays `-0`, where Python would write `100.0` and `0`.
//!   The protocol only sends integers, which both write the same way.

mod encode;
mod error;
mod number;
mod parse;
mod scan;
mod value;

pub use encode::{to_string, write_string, write_value};
pub use error::{ErrorKind, ParseError};
pub use parse::parse;
pub use value::{Number, Object, Value};

/// How deeply arrays and objects may nest before [`parse()`] gives up with
/// [`ErrorKind::TooDeep`].
///
/// Nesting depth is chosen by whoever writes the text, so it must have a
/// bound: every open container costs memory, and code that walks a value
/// (dropping, cloning, comparing, encoding) does work per level. Our own
/// messages are three levels deep (envelope, metadata, a list of names);
/// 128 leaves room for any reasonable extension while keeping the worst
/// case small. Python's limit is its recursion limit, about 1,000.
pub const MAX_DEPTH: usize = 128;
