//! A strict RFC 8259 parser that uses no recursion.
//!
//! # How it works
//!
//! The obvious JSON parser is recursive: `parse_value` sees `[` and calls
//! `parse_value` for each element. Then the input decides how deep the call
//! stack grows, and a peer that sends 100,000 `[` overflows the thread's
//! stack, which kills the whole process, not just one connection.
//!
//! This parser keeps the containers that are still open in a `Vec` on the
//! heap instead. It alternates between two steps:
//!
//! 1. read one value; if it is `[` or `{`, push an open container and read
//!    that container's first element;
//! 2. once a value is complete, add it to the innermost open container and
//!    read what follows: `,` means another element (back to step 1), `]` or
//!    `}` closes the container, which is itself a complete value (step 2
//!    again, one level up).
//!
//! The stack never holds more than [`MAX_DEPTH`] containers, and every byte
//! is looked at a bounded number of times, so time and memory stay
//! proportional to the input.
//!
//! The input is checked to be UTF-8 once, up front. After that the parser
//! works on bytes, and can copy a run of string bytes into a `String` as a
//! whole, knowing it is valid text.

use super::MAX_DEPTH;
use super::error::{ErrorKind, ParseError};
use super::number::number_end;
use super::value::{Number, Object, Value};

/// Parses one complete JSON text: any value RFC 8259 allows, surrounded by
/// optional whitespace and followed by nothing else.
///
/// Every input gives `Ok` or `Err`: no input makes it panic, overflow the
/// stack or take more than time proportional to its length.
pub fn parse(input: &[u8]) -> Result<Value, ParseError> {
    let text = std::str::from_utf8(input)
        .map_err(|e| ParseError::new(ErrorKind::InvalidUtf8, e.valid_up_to()))?;
    let mut parser = Parser { text, pos: 0 };
    // The open containers, innermost last, each with what it has so far.
    let mut open: Vec<Open> = Vec::new();

    parser.skip_whitespace();
    loop {
        // Step 1: read a value, or open a container and go read its first
        // element.
        let mut value = match parser.begin_value(open.len())? {
            Begun::Complete(value) => value,
            Begun::Array => {
                open.push(Open::Array(Vec::new()));
                continue;
            }
            Begun::Object(first_key) => {
                open.push(Open::Object(Vec::new(), first_key));
                continue;
            }
        };

        // Step 2: `value` is complete. Put it into its container and read
        // what follows, closing containers until one goes on with a comma.
        loop {
            parser.skip_whitespace();
            let comma_at = parser.pos;
            match open.pop() {
                None => {
                    // The top-level value is done; only whitespace may follow.
                    return match parser.peek() {
                        None => Ok(value),
                        Some(_) => Err(parser.error(ErrorKind::TrailingCharacters)),
                    };
                }
                Some(Open::Array(mut items)) => {
                    items.push(value);
                    match parser.peek() {
                        Some(b',') => {
                            parser.pos += 1;
                            parser.reject_trailing_comma(comma_at, b']')?;
                            open.push(Open::Array(items));
                            break;
                        }
                        Some(b']') => {
                            parser.pos += 1;
                            value = Value::Array(items);
                        }
                        Some(_) => return Err(parser.error(ErrorKind::ExpectedCommaOrCloseBracket)),
                        None => return Err(parser.error(ErrorKind::UnexpectedEnd)),
                    }
                }
                Some(Open::Object(mut members, key)) => {
                    members.push((key, value));
                    match parser.peek() {
                        Some(b',') => {
                            parser.pos += 1;
                            parser.reject_trailing_comma(comma_at, b'}')?;
                            let key = parser.object_key()?;
                            open.push(Open::Object(members, key));
                            break;
                        }
                        Some(b'}') => {
                            parser.pos += 1;
                            value = Value::Object(Object::from_pairs(members));
                        }
                        Some(_) => return Err(parser.error(ErrorKind::ExpectedCommaOrCloseBrace)),
                        None => return Err(parser.error(ErrorKind::UnexpectedEnd)),
                    }
                }
            }
        }
    }
}

/// A container whose closing bracket has not been read yet.
enum Open {
    /// The elements read so far.
    Array(Vec<Value>),
    /// The members read so far, and the key whose value is being read.
    Object(Vec<(String, Value)>, String),
}

/// What step 1 of the parse loop found.
enum Begun {
    /// A whole value: a scalar, `[]` or `{}`.
    Complete(Value),
    /// `[` and the start of its first element.
    Array,
    /// `{` and its first key and colon.
    Object(String),
}

/// The input and a position in it.
///
/// `pos` never passes `text.len()`, and the parser only stops on an ASCII
/// byte (never part of a multi-byte UTF-8 character) or at the end. So
/// slicing `text` between two positions the parser stopped at cannot panic.
struct Parser<'a> {
    text: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn bytes(&self) -> &[u8] {
        self.text.as_bytes()
    }

    /// The byte at `pos`, or `None` at the end of the input.
    fn peek(&self) -> Option<u8> {
        self.bytes().get(self.pos).copied()
    }

    /// An error about the byte at `pos`.
    fn error(&self, kind: ErrorKind) -> ParseError {
        ParseError::new(kind, self.pos)
    }

    /// Skips the four whitespace bytes JSON allows. (Not form feed, not
    /// vertical tab, not Unicode spaces.)
    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// After a `,` (at `comma_at`) and any whitespace: the closing bracket
    /// must not come next.
    fn reject_trailing_comma(&mut self, comma_at: usize, close: u8) -> Result<(), ParseError> {
        self.skip_whitespace();
        if self.peek() == Some(close) {
            return Err(ParseError::new(ErrorKind::TrailingComma, comma_at));
        }
        Ok(())
    }

    /// Reads the start of a value at `pos`. `depth` is the number of
    /// containers already open around it.
    fn begin_value(&mut self, depth: usize) -> Result<Begun, ParseError> {
        match self.peek() {
            None => Err(self.error(ErrorKind::UnexpectedEnd)),
            // The limit is checked before anything is pushed, so a hostile
            // body stops at the 129th bracket, having cost 128 small pushes.
            Some(b'[' | b'{') if depth >= MAX_DEPTH => Err(self.error(ErrorKind::TooDeep)),
            Some(b'[') => {
                self.pos += 1;
                self.skip_whitespace();
                if self.peek() == Some(b']') {
                    self.pos += 1;
                    return Ok(Begun::Complete(Value::Array(Vec::new())));
                }
                Ok(Begun::Array)
            }
            Some(b'{') => {
                self.pos += 1;
                self.skip_whitespace();
                if self.peek() == Some(b'}') {
                    self.pos += 1;
                    return Ok(Begun::Complete(Value::Object(Object::new())));
                }
                Ok(Begun::Object(self.object_key()?))
            }
            Some(b'"') => Ok(Begun::Complete(Value::String(self.string()?))),
            Some(b'-' | b'0'..=b'9') => Ok(Begun::Complete(Value::Number(self.number()?))),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            Some(_) => Err(self.error(ErrorKind::ExpectedValue)),
        }
    }

    /// Reads `"key"`, whitespace, `:` and whitespace, leaving `pos` at the
    /// start of the member's value.
    fn object_key(&mut self) -> Result<String, ParseError> {
        match self.peek() {
            Some(b'"') => {}
            Some(_) => return Err(self.error(ErrorKind::ExpectedKey)),
            None => return Err(self.error(ErrorKind::UnexpectedEnd)),
        }
        let key = self.string()?;
        self.skip_whitespace();
        match self.peek() {
            Some(b':') => self.pos += 1,
            Some(_) => return Err(self.error(ErrorKind::ExpectedColon)),
            None => return Err(self.error(ErrorKind::UnexpectedEnd)),
        }
        self.skip_whitespace();
        Ok(key)
    }

    /// Reads `true`, `false` or `null`, whose first byte is at `pos`.
    fn literal(&mut self, word: &str, value: Value) -> Result<Begun, ParseError> {
        let start = self.pos;
        for expected in word.bytes() {
            match self.peek() {
                Some(b) if b == expected => self.pos += 1,
                Some(_) => return Err(ParseError::new(ErrorKind::InvalidLiteral, start)),
                None => return Err(self.error(ErrorKind::UnexpectedEnd)),
            }
        }
        Ok(Begun::Complete(value))
    }

    /// Reads a number, whose first byte (`-` or a digit) is at `pos`.
    fn number(&mut self) -> Result<Number, ParseError> {
        let start = self.pos;
        self.pos = number_end(self.bytes(), start)?;
        Ok(Number::from_valid_text(
            self.text[start..self.pos].to_owned(),
        ))
    }

    /// Reads a string, whose opening `"` is at `pos`, and decodes its escapes.
    fn string(&mut self) -> Result<String, ParseError> {
        self.pos += 1;
        let mut decoded = String::new();
        loop {
            // Fast path: most strings are long runs of bytes that stand for
            // themselves. Find where the run ends and copy it in one go.
            let run_start = self.pos;
            let rest = &self.bytes()[run_start..];
            self.pos += super::scan::parse_run(rest);
            decoded.push_str(&self.text[run_start..self.pos]);

            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(decoded);
                }
                Some(b'\\') => self.escape(&mut decoded)?,
                Some(_) => return Err(self.error(ErrorKind::ControlCharacter)),
                None => return Err(self.error(ErrorKind::UnexpectedEnd)),
            }
        }
    }

    /// Decodes the escape whose backslash is at `pos` onto `out`.
    fn escape(&mut self, out: &mut String) -> Result<(), ParseError> {
        let backslash_at = self.pos;
        self.pos += 1;
        let letter = self
            .peek()
            .ok_or_else(|| self.error(ErrorKind::UnexpectedEnd))?;
        self.pos += 1;
        let decoded = match letter {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{08}',
            b'f' => '\u{0c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => self.unicode_escape(backslash_at)?,
            _ => return Err(ParseError::new(ErrorKind::InvalidEscape, backslash_at)),
        };
        out.push(decoded);
        Ok(())
    }

    /// Decodes the hex digits of a `\u` escape, which started at
    /// `backslash_at`, and of its second half when it is a surrogate pair.
    ///
    /// `\uXXXX` names a UTF-16 code unit. Characters above U+FFFF take two:
    /// a high surrogate (D800–DBFF) then a low one (DC00–DFFF), and only the
    /// pair means something. Half a pair names no character, so it is an
    /// error here (Python would accept it into a `str`; Rust's `String`
    /// cannot hold it).
    fn unicode_escape(&mut self, backslash_at: usize) -> Result<char, ParseError> {
        let lone = ParseError::new(ErrorKind::LoneSurrogate, backslash_at);
        let first = self.hex4(backslash_at)?;
        let code = match first {
            0xD800..=0xDBFF => {
                let second_at = self.pos;
                match (self.peek(), self.bytes().get(second_at + 1)) {
                    (Some(b'\\'), Some(b'u')) => self.pos += 2,
                    (None, _) => return Err(self.error(ErrorKind::UnexpectedEnd)),
                    (Some(b'\\'), None) => {
                        return Err(ParseError::new(ErrorKind::UnexpectedEnd, second_at + 1));
                    }
                    _ => return Err(lone),
                }
                let second = self.hex4(second_at)?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(lone);
                }
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(lone),
            _ => first,
        };
        // Every code left here is a valid character; `ok_or` only avoids
        // an unwrap.
        char::from_u32(code).ok_or(lone)
    }

    /// Reads the four hex digits after `\u` (either case).
    fn hex4(&mut self, backslash_at: usize) -> Result<u32, ParseError> {
        let mut code = 0;
        for _ in 0..4 {
            let byte = self
                .peek()
                .ok_or_else(|| self.error(ErrorKind::UnexpectedEnd))?;
            let digit = char::from(byte)
                .to_digit(16)
                .ok_or(ParseError::new(ErrorKind::InvalidEscape, backslash_at))?;
            code = code * 16 + digit;
            self.pos += 1;
        }
        Ok(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Value, ParseError> {
        parse(text.as_bytes())
    }

    /// Asserts that `input` fails with `kind` at `offset`.
    #[track_caller]
    fn assert_error(input: impl AsRef<[u8]>, kind: ErrorKind, offset: usize) {
        let input = input.as_ref();
        let shown = String::from_utf8_lossy(input);
        match parse(input) {
            Ok(value) => panic!("{shown:?} parsed as {value:?}, expected {kind:?}"),
            Err(e) => assert_eq!(
                (*e.kind(), e.offset()),
                (kind, offset),
                "wrong error for {shown:?}: {e}"
            ),
        }
    }

    fn string(text: &str) -> Value {
        Value::from(text)
    }

    fn number(text: &str) -> Value {
        Value::Number(text.parse().expect("valid number"))
    }

    // ---- each kind of error, with its offset ----

    #[test]
    fn invalid_utf8_reports_the_first_bad_byte() {
        assert_error(b"[\"a\xff\"]", ErrorKind::InvalidUtf8, 3);
        assert_error(b"\xc3", ErrorKind::InvalidUtf8, 0); // truncated sequence
        assert_error(b"\"\xed\xa0\x80\"", ErrorKind::InvalidUtf8, 1); // UTF-8 of a surrogate
        assert_error(b"\"\xc0\xaf\"", ErrorKind::InvalidUtf8, 1); // overlong '/'
        assert_error(b"{} \xff", ErrorKind::InvalidUtf8, 3); // even after a complete value
    }

    #[test]
    fn unexpected_end_reports_the_input_length() {
        assert_error("", ErrorKind::UnexpectedEnd, 0);
        assert_error("  \n", ErrorKind::UnexpectedEnd, 3);
        assert_error("[1,", ErrorKind::UnexpectedEnd, 3);
        assert_error("[1", ErrorKind::UnexpectedEnd, 2);
        assert_error("{\"a\"", ErrorKind::UnexpectedEnd, 4);
        assert_error("{\"a\":", ErrorKind::UnexpectedEnd, 5);
        assert_error("{\"a\":1", ErrorKind::UnexpectedEnd, 6);
        assert_error("{", ErrorKind::UnexpectedEnd, 1);
        assert_error("\"abc", ErrorKind::UnexpectedEnd, 4);
        assert_error("\"abc\\", ErrorKind::UnexpectedEnd, 5);
        assert_error("\"\\u12", ErrorKind::UnexpectedEnd, 5);
        assert_error("\"\\ud800", ErrorKind::UnexpectedEnd, 7);
        assert_error("tru", ErrorKind::UnexpectedEnd, 3);
        assert_error("-", ErrorKind::UnexpectedEnd, 1);
        assert_error("1.", ErrorKind::UnexpectedEnd, 2);
        assert_error("1e+", ErrorKind::UnexpectedEnd, 3);
    }

    #[test]
    fn expected_value() {
        assert_error("NaN", ErrorKind::ExpectedValue, 0);
        assert_error("Infinity", ErrorKind::ExpectedValue, 0);
        assert_error("+1", ErrorKind::ExpectedValue, 0);
        assert_error(".5", ErrorKind::ExpectedValue, 0);
        assert_error("'a'", ErrorKind::ExpectedValue, 0);
        assert_error("[,1]", ErrorKind::ExpectedValue, 1);
        assert_error("[1,,2]", ErrorKind::ExpectedValue, 3);
        assert_error("[1,}", ErrorKind::ExpectedValue, 3);
        assert_error("]", ErrorKind::ExpectedValue, 0);
        assert_error("/* c */ 1", ErrorKind::ExpectedValue, 0);
        assert_error("\u{feff}{}", ErrorKind::ExpectedValue, 0); // a byte order mark
    }

    #[test]
    fn expected_key() {
        assert_error("{1:2}", ErrorKind::ExpectedKey, 1);
        assert_error("{a:2}", ErrorKind::ExpectedKey, 1);
        assert_error("{'a':2}", ErrorKind::ExpectedKey, 1);
        assert_error("{\"a\":1,]", ErrorKind::ExpectedKey, 7);
        assert_error("{,}", ErrorKind::ExpectedKey, 1);
    }

    #[test]
    fn expected_colon() {
        assert_error("{\"a\" 1}", ErrorKind::ExpectedColon, 5);
        assert_error("{\"a\"=1}", ErrorKind::ExpectedColon, 4);
        assert_error("{\"a\",1}", ErrorKind::ExpectedColon, 4);
    }

    #[test]
    fn expected_comma_or_close() {
        assert_error("[1 2]", ErrorKind::ExpectedCommaOrCloseBracket, 3);
        assert_error("[1:2]", ErrorKind::ExpectedCommaOrCloseBracket, 2);
        assert_error("[1}", ErrorKind::ExpectedCommaOrCloseBracket, 2);
        assert_error("{\"a\":1 \"b\":2}", ErrorKind::ExpectedCommaOrCloseBrace, 7);
        assert_error("{\"a\":1]", ErrorKind::ExpectedCommaOrCloseBrace, 6);
        assert_error("[truex]", ErrorKind::ExpectedCommaOrCloseBracket, 5);
    }

    #[test]
    fn trailing_comma_points_at_the_comma() {
        assert_error("[1,]", ErrorKind::TrailingComma, 2);
        assert_error("[1 , \n]", ErrorKind::TrailingComma, 3);
        assert_error("{\"a\":1,}", ErrorKind::TrailingComma, 6);
    }

    #[test]
    fn invalid_literal_points_at_its_start() {
        assert_error("nul1", ErrorKind::InvalidLiteral, 0);
        assert_error("True", ErrorKind::ExpectedValue, 0);
        assert_error("trUe", ErrorKind::InvalidLiteral, 0);
        assert_error("[nan]", ErrorKind::InvalidLiteral, 1);
        assert_error("[fals]", ErrorKind::InvalidLiteral, 1);
    }

    #[test]
    fn leading_zero_points_at_the_zero() {
        assert_error("01", ErrorKind::LeadingZero, 0);
        assert_error("-01", ErrorKind::LeadingZero, 1);
        assert_error("[00]", ErrorKind::LeadingZero, 1);
        assert_error("-007.5", ErrorKind::LeadingZero, 1);
    }

    #[test]
    fn invalid_number_points_where_a_digit_is_missing() {
        assert_error("-a", ErrorKind::InvalidNumber, 1);
        assert_error("[-]", ErrorKind::InvalidNumber, 2);
        assert_error("[1.]", ErrorKind::InvalidNumber, 3);
        assert_error("1.e3", ErrorKind::InvalidNumber, 2);
        assert_error("[1e]", ErrorKind::InvalidNumber, 3);
        assert_error("[1e+]", ErrorKind::InvalidNumber, 4);
        assert_error("1E-x", ErrorKind::InvalidNumber, 3);
        assert_error("-Infinity", ErrorKind::InvalidNumber, 1);
    }

    #[test]
    fn control_character_inside_a_string() {
        assert_error("\"a\tb\"", ErrorKind::ControlCharacter, 2);
        assert_error("\"a\nb\"", ErrorKind::ControlCharacter, 2);
        assert_error("[\"\u{0}\"]", ErrorKind::ControlCharacter, 2);
        assert_error("\"\u{1f}\"", ErrorKind::ControlCharacter, 1);
    }

    #[test]
    fn invalid_escape_points_at_the_backslash() {
        assert_error(r#""\x""#, ErrorKind::InvalidEscape, 1);
        assert_error(r#""ab\'""#, ErrorKind::InvalidEscape, 3);
        assert_error(r#""\U0041""#, ErrorKind::InvalidEscape, 1);
        assert_error(r#""\u12G4""#, ErrorKind::InvalidEscape, 1);
        assert_error(r#""\u12""#, ErrorKind::InvalidEscape, 1);
        assert_error("\"\\\u{e9}\"", ErrorKind::InvalidEscape, 1);
        assert_error(r#""\ud83d\uZZZZ""#, ErrorKind::InvalidEscape, 7);
    }

    #[test]
    fn lone_surrogate_points_at_the_first_escape() {
        assert_error(r#""\ud800""#, ErrorKind::LoneSurrogate, 1);
        assert_error(r#""\uDBFF""#, ErrorKind::LoneSurrogate, 1);
        assert_error(r#""\udc00""#, ErrorKind::LoneSurrogate, 1);
        assert_error(r#""ab\ud800x""#, ErrorKind::LoneSurrogate, 3);
        assert_error(r#""\ud800\n""#, ErrorKind::LoneSurrogate, 1);
        assert_error(r#""\ud800\u0041""#, ErrorKind::LoneSurrogate, 1);
        assert_error(r#""\ud800\ud800""#, ErrorKind::LoneSurrogate, 1);
        assert_error(r#""\ude00\ud83d""#, ErrorKind::LoneSurrogate, 1);
        assert_error(r#"{"\udfaa":0}"#, ErrorKind::LoneSurrogate, 2);
    }

    #[test]
    fn trailing_characters() {
        assert_error("1 2", ErrorKind::TrailingCharacters, 2);
        assert_error("{} x", ErrorKind::TrailingCharacters, 3);
        assert_error("[]]", ErrorKind::TrailingCharacters, 2);
        assert_error("{}{}", ErrorKind::TrailingCharacters, 2);
        assert_error("123\0", ErrorKind::TrailingCharacters, 3);
        assert_error("truex", ErrorKind::TrailingCharacters, 4);
        assert_error("1\u{c}", ErrorKind::TrailingCharacters, 1); // form feed is not whitespace
    }

    #[test]
    fn too_deep_at_the_bracket_past_the_limit() {
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse_str(&ok).is_ok());
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert_error(deep, ErrorKind::TooDeep, MAX_DEPTH);
        // Empty containers count too: they are a level of nesting.
        let deep_empty = format!("{}{{}}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert_error(deep_empty, ErrorKind::TooDeep, MAX_DEPTH);
    }

    #[test]
    fn hundred_thousand_open_brackets_fail_without_stack_overflow() {
        assert_error("[".repeat(100_000), ErrorKind::TooDeep, MAX_DEPTH);
    }

    #[test]
    fn hundred_thousand_nested_objects_fail_without_stack_overflow() {
        // Each level is the 5 bytes `{"a":`.
        assert_error("{\"a\":".repeat(100_000), ErrorKind::TooDeep, MAX_DEPTH * 5);
    }

    #[test]
    fn display_names_the_mistake_and_the_byte() {
        let error = |text: &str| parse_str(text).expect_err("invalid").to_string();
        assert_eq!(
            error("{\"abcdefghijklm\" 1}"),
            "expected ':' after object key at byte 17"
        );
        assert_eq!(
            parse(b"\"ab\xff\"").expect_err("invalid").to_string(),
            "invalid UTF-8 at byte 3"
        );
        assert_eq!(
            error(&"[".repeat(200)),
            "nesting deeper than 128 levels at byte 128"
        );
        assert_eq!(
            error("[1,]"),
            "trailing comma before closing bracket at byte 2"
        );
    }

    // ---- what is accepted ----

    #[test]
    fn any_top_level_value() {
        assert_eq!(parse_str("null"), Ok(Value::Null));
        assert_eq!(parse_str("true"), Ok(Value::Bool(true)));
        assert_eq!(parse_str(" false "), Ok(Value::Bool(false)));
        assert_eq!(parse_str("-12"), Ok(number("-12")));
        assert_eq!(parse_str("\"x\""), Ok(string("x")));
        assert_eq!(parse_str("[]"), Ok(Value::Array(vec![])));
        assert_eq!(parse_str("{}"), Ok(Value::Object(Object::new())));
    }

    #[test]
    fn the_four_whitespace_bytes_anywhere_between_tokens() {
        let text =
            " \t\r\n{ \t\r\n\"a\" \t\r\n: \t\r\n[ \t\r\n1 \t\r\n, \t\r\n2 \t\r\n] \t\r\n} \t\r\n";
        let mut expected = Object::new();
        expected.insert("a", vec![Value::from(1), Value::from(2)]);
        assert_eq!(parse_str(text), Ok(Value::Object(expected)));
    }

    #[test]
    fn other_whitespace_is_rejected() {
        assert_error("[\u{c}1]", ErrorKind::ExpectedValue, 1); // form feed
        assert_error("[\u{b}1]", ErrorKind::ExpectedValue, 1); // vertical tab
        assert_error("[\u{a0}1]", ErrorKind::ExpectedValue, 1); // no-break space
    }

    #[test]
    fn every_short_escape_decodes() {
        let parsed = parse_str(r#""\" \\ \/ \b \f \n \r \t""#);
        assert_eq!(parsed, Ok(string("\" \\ / \u{8} \u{c} \n \r \t")));
    }

    #[test]
    fn unicode_escapes_decode_in_either_case() {
        assert_eq!(
            parse_str(r#""\u0041\u00e9\u00E9\u4E2D""#),
            Ok(string("Aéé中"))
        );
        assert_eq!(parse_str(r#""\u0000""#), Ok(string("\u{0}")));
        assert_eq!(parse_str(r#""\uffff""#), Ok(string("\u{ffff}")));
    }

    #[test]
    fn surrogate_pairs_decode_to_one_character() {
        assert_eq!(parse_str(r#""\ud83d\ude00""#), Ok(string("😀")));
        assert_eq!(parse_str(r#""\uD834\uDD1E""#), Ok(string("𝄞")));
        assert_eq!(parse_str(r#""\ud800\udc00""#), Ok(string("\u{10000}")));
        assert_eq!(parse_str(r#""\udbff\udfff""#), Ok(string("\u{10ffff}")));
    }

    #[test]
    fn raw_utf8_and_del_pass_through() {
        let text = "\"中文 é 😀 \u{7f} \u{2028}\"";
        assert_eq!(parse_str(text), Ok(string("中文 é 😀 \u{7f} \u{2028}")));
    }

    #[test]
    fn escapes_between_runs_of_plain_text() {
        let parsed = parse_str(r#""abc\ndef\u4e2dghi\"""#);
        assert_eq!(parsed, Ok(string("abc\ndef中ghi\"")));
        assert_eq!(parse_str(r#""""#), Ok(string("")));
    }

    #[test]
    fn numbers_keep_their_text() {
        for text in ["0", "-0", "12", "-3.25", "1e10", "1E+2", "2.5e-3", "0.0"] {
            assert_eq!(parse_str(text), Ok(number(text)), "{text}");
        }
    }

    #[test]
    fn huge_numbers_parse_and_keep_every_digit() {
        let big = "123456789012345678901234567890";
        assert_eq!(parse_str(big).map(|v| v.to_string()), Ok(big.to_owned()));
        assert_eq!(parse_str("1e999999"), Ok(number("1e999999")));
        let million_digits = format!(
            "-{}.{}e-{}",
            "9".repeat(500_000),
            "1".repeat(500_000),
            "7".repeat(100)
        );
        let parsed = parse_str(&million_digits).expect("valid number");
        assert_eq!(
            parsed.as_number().map(Number::as_str),
            Some(million_digits.as_str())
        );
        assert_eq!(parsed.as_i64(), None);
    }

    #[test]
    fn megabyte_string_parses() {
        let body = "abcdefgh".repeat(128 * 1024);
        let text = format!("{{\"data\": \"{body}\"}}");
        let parsed = parse_str(&text).expect("valid");
        assert_eq!(
            parsed.as_object().and_then(|o| o.get("data")),
            Some(&Value::String(body))
        );
    }

    #[test]
    fn megabyte_string_of_escapes_parses() {
        let text = format!("\"{}\"", r"\u4e2d\n".repeat(100_000));
        let parsed = parse_str(&text).expect("valid");
        assert_eq!(parsed.as_str().map(str::len), Some(400_000));
    }

    #[test]
    fn duplicate_keys_last_value_wins_at_first_position() {
        let parsed = parse_str(r#"{"a": 1, "b": 2, "a": 3}"#).expect("valid");
        let object = parsed.as_object().expect("object");
        assert_eq!(object.len(), 2);
        assert_eq!(object.get("a"), Some(&Value::from(3)));
        assert_eq!(parsed.to_string(), r#"{"a": 3, "b": 2}"#);
    }

    #[test]
    fn hundred_thousand_keys_parse_in_linear_time() {
        // A quadratic duplicate check would take minutes here.
        let members: Vec<String> = (0..100_000).map(|i| format!("\"k{i}\":{i}")).collect();
        let text = format!("{{{},\"k5\":true}}", members.join(","));
        let parsed = parse_str(&text).expect("valid");
        let object = parsed.as_object().expect("object");
        assert_eq!(object.len(), 100_000);
        assert_eq!(object.get("k5"), Some(&Value::Bool(true)));
    }

    #[test]
    fn nested_message_parses() {
        let text = r#"{"type": "USER_JOIN", "data": "bob", "metadata": {"self": true, "users": ["amy", "bob"], "timestamp": 1700000000}}"#;
        let parsed = parse_str(text).expect("valid");
        let object = parsed.as_object().expect("object");
        assert_eq!(
            object.get("type").and_then(Value::as_str),
            Some("USER_JOIN")
        );
        let metadata = object
            .get("metadata")
            .and_then(Value::as_object)
            .expect("metadata");
        assert_eq!(
            metadata.get("timestamp").and_then(Value::as_u64),
            Some(1_700_000_000)
        );
        assert_eq!(
            metadata
                .get("users")
                .and_then(Value::as_array)
                .map(<[Value]>::len),
            Some(2)
        );
        assert_eq!(parsed.to_string(), text);
    }
}
