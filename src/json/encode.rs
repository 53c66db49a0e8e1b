//! The encoder: writes a [`Value`] exactly as CPython's `json.dumps(obj)`
//! does with its default arguments.
//!
//! Those defaults are `separators=(", ", ": ")` and `ensure_ascii=True`:
//! one space after every comma and colon, no newlines, and every character
//! outside printable ASCII written as a `\uXXXX` escape. The output is
//! therefore pure ASCII, whatever the text inside.
//!
//! The encoder does not recurse: like the parser it keeps the containers it
//! is inside of on a heap `Vec`, so no value can exhaust the call stack.

use super::value::Value;

/// Encodes `value` as JSON text, byte for byte what Python's `json.dumps`
/// writes for the same value.
pub fn to_string(value: &Value) -> String {
    let mut out = String::new();
    write_value(value, &mut out);
    out
}

/// Appends the JSON text of `value` to `out` (see [`to_string`]). Lets a
/// caller reuse one buffer for many messages.
pub fn write_value(value: &Value, out: &mut String) {
    // The containers being written, innermost last, each with the elements
    // it has left to write.
    let mut open: Vec<Remaining> = Vec::new();
    let mut next = value;
    loop {
        // Write `next`. A non-empty container writes its opening bracket and
        // first element's start, then we go round to write that element.
        match next {
            Value::Null => out.push_str("null"),
            Value::Bool(true) => out.push_str("true"),
            Value::Bool(false) => out.push_str("false"),
            Value::Number(n) => out.push_str(n.as_str()),
            Value::String(s) => write_string(s, out),
            Value::Array(items) => {
                let mut items = items.iter();
                if let Some(first) = items.next() {
                    out.push('[');
                    open.push(Remaining::Array(items));
                    next = first;
                    continue;
                }
                out.push_str("[]");
            }
            Value::Object(object) => {
                let mut members = object.pairs().iter();
                if let Some((key, first)) = members.next() {
                    out.push('{');
                    write_string(key, out);
                    out.push_str(": ");
                    open.push(Remaining::Object(members));
                    next = first;
                    continue;
                }
                out.push_str("{}");
            }
        }

        // `next` is written. Move on to the next element of the innermost
        // container, closing every container that has none left.
        loop {
            let Some(container) = open.last_mut() else {
                return;
            };
            match container {
                Remaining::Array(items) => {
                    if let Some(item) = items.next() {
                        out.push_str(", ");
                        next = item;
                        break;
                    }
                    out.push(']');
                }
                Remaining::Object(members) => {
                    if let Some((key, value)) = members.next() {
                        out.push_str(", ");
                        write_string(key, out);
                        out.push_str(": ");
                        next = value;
                        break;
                    }
                    out.push('}');
                }
            }
            open.pop();
        }
    }
}

/// A container being written and what it has left.
enum Remaining<'a> {
    Array(std::slice::Iter<'a, Value>),
    Object(std::slice::Iter<'a, (String, Value)>),
}

// What `json.dumps` writes for each byte of a string, by the byte's high
// hex digit (row) and low hex digit (column):
//   __  the byte itself (printable ASCII)
//   UU  `\u00XX`: the other control characters and DEL (0x7F)
//   NA  the first byte of a non-ASCII character: `\uXXXX`, or a surrogate
//       pair `\uXXXX\uXXXX` for characters above U+FFFF
//   any other entry is the letter written after a backslash: `\n`, `\"`...
const __: u8 = 0;
const UU: u8 = b'u';
const NA: u8 = 1;
const BB: u8 = b'b'; // backspace, 0x08
const TT: u8 = b't'; // tab, 0x09
const NN: u8 = b'n'; // line feed, 0x0A
const FF: u8 = b'f'; // form feed, 0x0C
const RR: u8 = b'r'; // carriage return, 0x0D
const QU: u8 = b'"'; // quotation mark, 0x22
const BS: u8 = b'\\'; // backslash, 0x5C

#[rustfmt::skip]
static ESCAPE: [u8; 256] = [
    //  _0  _1  _2  _3  _4  _5  _6  _7  _8  _9  _A  _B  _C  _D  _E  _F
        UU, UU, UU, UU, UU, UU, UU, UU, BB, TT, NN, UU, FF, RR, UU, UU, // 0_
        UU, UU, UU, UU, UU, UU, UU, UU, UU, UU, UU, UU, UU, UU, UU, UU, // 1_
        __, __, QU, __, __, __, __, __, __, __, __, __, __, __, __, __, // 2_
        __, __, __, __, __, __, __, __, __, __, __, __, __, __, __, __, // 3_
        __, __, __, __, __, __, __, __, __, __, __, __, __, __, __, __, // 4_
        __, __, __, __, __, __, __, __, __, __, __, __, BS, __, __, __, // 5_
        __, __, __, __, __, __, __, __, __, __, __, __, __, __, __, __, // 6_
        __, __, __, __, __, __, __, __, __, __, __, __, __, __, __, UU, // 7_
        NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, // 8_
        NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, // 9_
        NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, // A_
        NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, // B_
        NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, // C_
        NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, // D_
        NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, // E_
        NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, NA, // F_
];

/// Writes `s` as a quoted JSON string with Python's escapes. Public for
/// writers that lay out a known envelope themselves
/// (`message::FileChunk::write_envelope`).
pub fn write_string(s: &str, out: &mut String) {
    out.reserve(s.len() + 2);
    out.push('"');
    let bytes = s.as_bytes();
    // `run_start..i` is text not yet written that needs no escaping. Both
    // ends always sit at the start of a character, so slicing there is safe.
    let mut run_start = 0;
    let mut i = 0;
    loop {
        // Skip the plain bytes eight at a time (see `scan`).
        i += super::scan::encode_run(&bytes[i..]);
        let Some(&byte) = bytes.get(i) else { break };
        let escape = ESCAPE[usize::from(byte)];
        // Copy the plain run in one go, then write this character's escape.
        out.push_str(&s[run_start..i]);
        match escape {
            UU => {
                push_u_escape(u16::from(byte), out);
                i += 1;
            }
            NA => {
                let Some(c) = s[i..].chars().next() else {
                    break;
                };
                // UTF-16 is what `\u` counts in: one unit for characters up
                // to U+FFFF, a surrogate pair above (😀 is `\ud83d\ude00`).
                let mut units = [0; 2];
                for unit in c.encode_utf16(&mut units) {
                    push_u_escape(*unit, out);
                }
                i += c.len_utf8();
            }
            letter => {
                out.push('\\');
                out.push(char::from(letter));
                i += 1;
            }
        }
        run_start = i;
    }
    out.push_str(&s[run_start..]);
    out.push('"');
}

/// Writes `\u` and four lowercase hex digits, as Python does.
fn push_u_escape(unit: u16, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push_str("\\u");
    for shift in [12, 8, 4, 0] {
        out.push(char::from(HEX[usize::from((unit >> shift) & 0xF)]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::{MAX_DEPTH, Number, Object, parse};

    fn encoded(s: &str) -> String {
        to_string(&Value::from(s))
    }

    #[test]
    fn short_escapes() {
        assert_eq!(encoded("\""), r#""\"""#);
        assert_eq!(encoded("\\"), r#""\\""#);
        assert_eq!(encoded("\n\r\t\u{8}\u{c}"), r#""\n\r\t\b\f""#);
    }

    #[test]
    fn every_control_character() {
        for byte in 0u8..0x20 {
            let expected = match byte {
                0x08 => r"\b".to_owned(),
                0x09 => r"\t".to_owned(),
                0x0a => r"\n".to_owned(),
                0x0c => r"\f".to_owned(),
                0x0d => r"\r".to_owned(),
                _ => format!("\\u{byte:04x}"),
            };
            assert_eq!(
                encoded(&char::from(byte).to_string()),
                format!("\"{expected}\"")
            );
        }
    }

    #[test]
    fn printable_ascii_is_written_as_is_including_slash() {
        let printable: String = (0x20u8..0x7f).map(char::from).collect();
        let expected = printable.replace('\\', r"\\").replace('"', r#"\""#);
        assert_eq!(encoded(&printable), format!("\"{expected}\""));
        assert_eq!(encoded("a/b"), r#""a/b""#);
    }

    #[test]
    fn del_and_non_ascii_are_u_escaped_in_lowercase() {
        assert_eq!(encoded("\u{7f}"), r#""\u007f""#);
        assert_eq!(encoded("\u{80}"), r#""\u0080""#);
        assert_eq!(encoded("café"), r#""caf\u00e9""#);
        assert_eq!(encoded("中文"), r#""\u4e2d\u6587""#);
        assert_eq!(encoded("\u{2028}"), r#""\u2028""#);
        assert_eq!(encoded("\u{feff}"), r#""\ufeff""#);
        assert_eq!(encoded("\u{ffff}"), r#""\uffff""#);
    }

    #[test]
    fn non_bmp_characters_become_surrogate_pairs() {
        assert_eq!(encoded("😀"), r#""\ud83d\ude00""#);
        assert_eq!(encoded("\u{10000}"), r#""\ud800\udc00""#);
        assert_eq!(encoded("\u{10ffff}"), r#""\udbff\udfff""#);
        assert_eq!(encoded("a😀b"), r#""a\ud83d\ude00b""#);
    }

    #[test]
    fn empty_string_and_containers() {
        assert_eq!(encoded(""), r#""""#);
        assert_eq!(to_string(&Value::Array(vec![])), "[]");
        assert_eq!(to_string(&Value::Object(Object::new())), "{}");
        let nested = Value::from(vec![Value::from(vec![]), Value::from(Object::new())]);
        assert_eq!(to_string(&nested), "[[], {}]");
    }

    #[test]
    fn scalars() {
        assert_eq!(to_string(&Value::Null), "null");
        assert_eq!(to_string(&Value::from(true)), "true");
        assert_eq!(to_string(&Value::from(false)), "false");
        assert_eq!(to_string(&Value::from(-42)), "-42");
        assert_eq!(to_string(&Value::from(u64::MAX)), "18446744073709551615");
        let text: Number = "-1.5E+300".parse().expect("valid");
        assert_eq!(to_string(&Value::from(text)), "-1.5E+300");
    }

    #[test]
    fn envelope_uses_python_separators_and_insertion_order() {
        let mut metadata = Object::new();
        metadata.insert("sender", "amy");
        metadata.insert("timestamp", 1_700_000_000u64);
        metadata.insert("private", true);
        metadata.insert("to", "李雷");
        let mut envelope = Object::new();
        envelope.insert("type", "TEXT");
        envelope.insert("data", "hi 👋");
        envelope.insert("metadata", metadata);
        assert_eq!(
            to_string(&Value::from(envelope)),
            r#"{"type": "TEXT", "data": "hi \ud83d\udc4b", "metadata": {"sender": "amy", "timestamp": 1700000000, "private": true, "to": "\u674e\u96f7"}}"#
        );
    }

    #[test]
    fn keys_are_escaped_like_strings() {
        let mut object = Object::new();
        object.insert("a\"b\n中", Value::Null);
        assert_eq!(to_string(&Value::from(object)), r#"{"a\"b\n\u4e2d": null}"#);
    }

    #[test]
    fn arrays_close_at_every_level() {
        let value = Value::from(vec![
            Value::from(1),
            Value::from(vec![Value::from(2), Value::from(vec![Value::from(3)])]),
            Value::from(4),
        ]);
        assert_eq!(to_string(&value), "[1, [2, [3]], 4]");
    }

    #[test]
    fn deepest_parsable_value_encodes() {
        let text = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        let value = parse(text.as_bytes()).expect("valid");
        assert_eq!(to_string(&value), text);
    }

    #[test]
    fn write_value_appends() {
        let mut out = String::from("prefix:");
        write_value(&Value::from(vec![Value::Null]), &mut out);
        assert_eq!(out, "prefix:[null]");
    }

    #[test]
    fn megabyte_string_round_trips() {
        let body: String = "0123456789+/ABCDEFGH中😀\u{1}\"".repeat(32 * 1024);
        let text = to_string(&Value::from(body.as_str()));
        assert!(text.is_ascii());
        assert_eq!(parse(text.as_bytes()), Ok(Value::String(body)));
    }

    #[test]
    fn round_trip_keeps_values_and_bytes() {
        let text = r#"{"type": "FILE", "data": "a.txt", "metadata": {"transfer_id": "7", "size": 123456789012345678901234567890, "list": [null, true, false, -1, 2.5e-3, "\u0000\u007f"]}}"#;
        let value = parse(text.as_bytes()).expect("valid");
        assert_eq!(to_string(&value), text);
        assert_eq!(parse(to_string(&value).as_bytes()), Ok(value));
    }
}
