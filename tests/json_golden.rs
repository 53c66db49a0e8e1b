//! Golden vectors: our encoder against the bytes CPython's `json.dumps`
//! wrote.
//!
//! Each line of `tests/data/json_golden.jsonl` is `[input, expected]`, made
//! by `tests/data/gen_json_golden.py`: `input` is JSON text in some style
//! (raw UTF-8 or escapes, compact, indented, odd whitespace) and `expected`
//! is `json.dumps(json.loads(input))`. We parse `input`, encode the value,
//! and require exactly `expected`.
//!
//! The lines themselves are read with our own parser. That is fine: a line
//! the parser misreads would produce a different value and fail below.

use socket_chat::json::{self, Value};

const GOLDEN: &str = include_str!("data/json_golden.jsonl");

/// Splits one line into its two strings.
fn read_line(line: &str) -> Result<(String, String), String> {
    let value = json::parse(line.as_bytes()).map_err(|e| format!("line is not JSON: {e}"))?;
    match value {
        Value::Array(items) => match <[Value; 2]>::try_from(items) {
            Ok([Value::String(input), Value::String(expected)]) => Ok((input, expected)),
            _ => Err("line is not an array of two strings".to_owned()),
        },
        _ => Err("line is not an array".to_owned()),
    }
}

/// Parses and re-encodes one vector, or says why it does not match.
fn check(line: &str) -> Result<(), String> {
    let (input, expected) = read_line(line)?;
    let value = json::parse(input.as_bytes())
        .map_err(|e| format!("input rejected: {e}\n  input: {input:?}"))?;
    let encoded = json::to_string(&value);
    if encoded != expected {
        return Err(format!(
            "encoding differs from Python\n  input:    {input:?}\n  ours:     {encoded}\n  expected: {expected}"
        ));
    }
    Ok(())
}

#[test]
fn encoder_matches_python_json_dumps() {
    let mut vectors = 0;
    let mut failures = Vec::new();
    for (index, line) in GOLDEN.lines().enumerate() {
        if line.is_empty() {
            continue;
        }
        vectors += 1;
        if let Err(why) = check(line) {
            failures.push(format!("line {}: {why}", index + 1));
        }
    }
    assert!(
        vectors >= 200,
        "expected at least 200 vectors, found {vectors}: regenerate with tests/data/gen_json_golden.py"
    );
    assert!(
        failures.is_empty(),
        "{} of {vectors} golden vectors failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
