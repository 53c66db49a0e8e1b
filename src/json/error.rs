//! Why a text is not JSON: the parser's one error type.
//!
//! It lives apart from the parser because the number grammar
//! ([`super::number`]) reports the same errors, for the parser and for
//! [`Number`](super::Number)'s `FromStr` alike. Each kind of mistake is a
//! variant, so that a caller can branch on it (the protocol answers invalid
//! UTF-8 with its own error code), and every error says at which byte the
//! parser noticed.

#[cfg(doc)]
use super::MAX_DEPTH;

/// Why a text is not JSON, and where the parser noticed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    offset: usize,
    kind: ErrorKind,
}

impl ParseError {
    pub(super) fn new(kind: ErrorKind, offset: usize) -> Self {
        ParseError { offset, kind }
    }

    /// The position of the offending byte, counted from 0. When the input
    /// ended too soon it is the input's length.
    pub fn offset(&self) -> usize {
        self.offset
    }

    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }
}

impl std::error::Error for ParseError {}

/// The kinds of mistake a JSON text can contain, one variant each.
///
/// [`InvalidUtf8`](ErrorKind::InvalidUtf8) is kept apart from the rest
/// because the protocol answers it with its own error code (`bad_utf8`,
/// not `bad_json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The bytes are not UTF-8 text.
    InvalidUtf8,
    /// The text ended in the middle of a value.
    UnexpectedEnd,
    /// Something that cannot start a value, such as `NaN`, `+1`, `.5` or `'a'`.
    ExpectedValue,
    /// An object key that is not a string, as in `{a: 1}`.
    ExpectedKey,
    /// A key not followed by `:`.
    ExpectedColon,
    /// An array element not followed by `,` or `]`.
    ExpectedCommaOrCloseBracket,
    /// An object member not followed by `,` or `}`.
    ExpectedCommaOrCloseBrace,
    /// A `,` right before `]` or `}`, as in `[1, 2,]`.
    TrailingComma,
    /// A word that begins like `true`, `false` or `null` but is not one,
    /// such as `nan` or `nil`.
    InvalidLiteral,
    /// A number with a leading zero, as in `007`.
    LeadingZero,
    /// A number missing a digit, as in `-`, `1.` or `1e+`.
    InvalidNumber,
    /// A byte below 0x20 inside a string; JSON requires it escaped.
    ControlCharacter,
    /// A backslash not followed by one of `" \ / b f n r t` or by `u` and
    /// four hex digits.
    InvalidEscape,
    /// A `\u` escape of half a surrogate pair without its other half, such
    /// as `"\ud800"`. It names no character, so no Rust `String` can hold it.
    LoneSurrogate,
    /// More text after the value, as in `{} {}`.
    TrailingCharacters,
    /// Containers nested more than [`MAX_DEPTH`] levels deep.
    TooDeep,
}
