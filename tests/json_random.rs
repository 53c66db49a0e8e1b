//! Randomized tests: thousands of generated inputs, from a seed.
//!
//! - Random values survive `parse(to_string(v)) == v`.
//! - Random bytes, and valid JSON texts that are mutated or cut short, never
//!   make the parser panic; what it accepts re-encodes and parses back to
//!   the same value, and an error's offset is inside the input.
//!
//! The seed is fixed so every run tests the same cases, and printed so a
//! failure can be replayed; set `SOCKET_CHAT_SEED=<number>` to explore
//! other cases.

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use socket_chat::json::{self, MAX_DEPTH, Number, Object, Value};

mod common;

/// The seed for this run (see `common::seed`).
fn seed(test: &str) -> u64 {
    common::seed(test, 0x6a73_6f6e) // "json"
}

// ---- random values ----

/// A character from one of the classes the encoder treats differently.
fn random_char(rng: &mut StdRng) -> char {
    let code = match rng.random_range(0..10) {
        0..=3 => rng.random_range(0x20..0x7f), // printable ASCII
        4 => *[0x22, 0x5c, 0x2f, 0x08, 0x0c, 0x0a, 0x0d, 0x09]
            .get(rng.random_range(0..8))
            .unwrap_or(&0x22), // characters with short escapes, and '/'
        5 => rng.random_range(0..0x20),        // control characters
        6 => rng.random_range(0x7f..0x800),
        7 => rng.random_range(0x4e00..0xa000),   // CJK
        8 => rng.random_range(0x1f300..0x1fa00), // emoji
        _ => rng.random_range(0..0x11_0000),     // anything, surrogates skipped below
    };
    char::from_u32(code).unwrap_or('\u{fffd}')
}

fn random_string(rng: &mut StdRng, max_len: usize) -> String {
    let len = rng.random_range(0..=max_len);
    (0..len).map(|_| random_char(rng)).collect()
}

fn random_digits(rng: &mut StdRng, max_len: usize) -> String {
    let len = rng.random_range(1..=max_len);
    (0..len)
        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
        .collect()
}

/// A number: machine integers, or any text the grammar allows.
fn random_number(rng: &mut StdRng) -> Number {
    match rng.random_range(0..4) {
        0 => Number::from(rng.random::<u64>()),
        1 => Number::from(rng.random::<i64>()),
        _ => {
            let mut text = String::new();
            if rng.random_bool(0.4) {
                text.push('-');
            }
            if rng.random_bool(0.2) {
                text.push('0');
            } else {
                text.push(char::from(b'1' + rng.random_range(0..9u8)));
                if rng.random_bool(0.7) {
                    text += &random_digits(rng, 40);
                }
            }
            if rng.random_bool(0.3) {
                text.push('.');
                text += &random_digits(rng, 10);
            }
            if rng.random_bool(0.3) {
                text.push(if rng.random_bool(0.5) { 'e' } else { 'E' });
                match rng.random_range(0..3) {
                    0 => text.push('+'),
                    1 => text.push('-'),
                    _ => {}
                }
                text += &random_digits(rng, 6);
            }
            text.parse()
                .unwrap_or_else(|e| panic!("generated bad number {text:?}: {e}"))
        }
    }
}

fn random_value(rng: &mut StdRng, depth: usize) -> Value {
    let container = depth > 0 && rng.random_bool(0.35);
    if container && rng.random_bool(0.5) {
        let len = rng.random_range(0..5);
        Value::Array((0..len).map(|_| random_value(rng, depth - 1)).collect())
    } else if container {
        let mut object = Object::new();
        for _ in 0..rng.random_range(0..5) {
            let key = random_string(rng, 8);
            object.insert(key, random_value(rng, depth - 1));
        }
        Value::Object(object)
    } else {
        match rng.random_range(0..6) {
            0 => Value::Null,
            1 => Value::Bool(rng.random()),
            2 | 3 => Value::Number(random_number(rng)),
            _ => Value::String(random_string(rng, 20)),
        }
    }
}

/// A chain of single-element containers, up to the parser's depth limit.
fn random_deep_value(rng: &mut StdRng) -> Value {
    let mut value = random_value(rng, 0);
    for _ in 1..rng.random_range(1..=MAX_DEPTH) {
        value = if rng.random_bool(0.5) {
            Value::Array(vec![value])
        } else {
            let mut object = Object::new();
            object.insert(random_string(rng, 3), value);
            Value::Object(object)
        };
    }
    value
}

#[test]
fn random_values_round_trip() {
    let seed = seed("random_values_round_trip");
    let mut rng = StdRng::seed_from_u64(seed);
    for case in 0..5_000 {
        let value = if case % 10 == 9 {
            random_deep_value(&mut rng)
        } else {
            random_value(&mut rng, 4)
        };
        let text = json::to_string(&value);
        assert!(
            text.is_ascii(),
            "seed {seed}, case {case}: output not ASCII: {text}"
        );
        match json::parse(text.as_bytes()) {
            Ok(back) => assert!(
                back == value,
                "seed {seed}, case {case}: {text} parsed back as {back:?}"
            ),
            Err(e) => panic!("seed {seed}, case {case}: own output rejected: {e}\n{text}"),
        }
    }
}

// ---- hostile bytes ----

/// Parses `input`, which must not panic, and checks what comes back.
/// Returns whether it was accepted.
fn check_any_input(input: &[u8], seed: u64, case: usize) -> bool {
    let shown = || String::from_utf8_lossy(input).into_owned();
    match json::parse(input) {
        Ok(value) => {
            let text = json::to_string(&value);
            let back = json::parse(text.as_bytes());
            assert!(
                back.as_ref() == Ok(&value),
                "seed {seed}, case {case}: accepted {:?}, but its encoding {text} parsed as {back:?}",
                shown()
            );
            true
        }
        Err(e) => {
            assert!(
                e.offset() <= input.len(),
                "seed {seed}, case {case}: offset {} past the end of {:?}",
                e.offset(),
                shown()
            );
            false
        }
    }
}

/// Fails if every case went the same way: then the inputs are not reaching
/// both sides of the parser, and the test proves little.
fn assert_both_outcomes(accepted: usize, cases: usize, seed: u64) {
    eprintln!("seed {seed}: {accepted} of {cases} inputs accepted");
    assert!(
        accepted > 0 && accepted < cases,
        "seed {seed}: {accepted} of {cases} inputs accepted; the generator needs a look"
    );
}

/// Bytes that steer the parser into its interesting states.
const JSON_BYTES: &[u8] =
    b"[]{}\":,\\/ \t\n\r0123456789-+.eEtrufalsnbu\x00\x1f\x7f\x80\xbf\xc3\xa9\xed\xa0\xf0\x9f\xff";

fn random_byte(rng: &mut StdRng) -> u8 {
    if rng.random_bool(0.7) {
        *JSON_BYTES
            .get(rng.random_range(0..JSON_BYTES.len()))
            .unwrap_or(&b'[')
    } else {
        rng.random()
    }
}

#[test]
fn random_bytes_never_panic() {
    let seed = seed("random_bytes_never_panic");
    let mut rng = StdRng::seed_from_u64(seed);
    const CASES: usize = 20_000;
    let mut accepted = 0;
    for case in 0..CASES {
        let len = rng.random_range(0..48);
        let input: Vec<u8> = (0..len).map(|_| random_byte(&mut rng)).collect();
        accepted += usize::from(check_any_input(&input, seed, case));
    }
    assert_both_outcomes(accepted, CASES, seed);
}

/// Changes `text` in one random way.
fn mutate(rng: &mut StdRng, text: &mut Vec<u8>) {
    let len = text.len();
    let at = rng.random_range(0..=len);
    match rng.random_range(0..6) {
        0 if at < len => text[at] = random_byte(rng),
        1 => text.insert(at, random_byte(rng)),
        2 if at < len => {
            let end = rng.random_range(at..=len.min(at + 8));
            text.drain(at..end);
        }
        3 => text.truncate(at),
        4 if at < len => {
            // Repeat a slice: doubles keys, brackets, escapes.
            let end = rng.random_range(at..=len.min(at + 16));
            let copy: Vec<u8> = text[at..end].to_vec();
            let to = rng.random_range(0..=len);
            text.splice(to..to, copy);
        }
        _ if len >= 2 => {
            let other = rng.random_range(0..len);
            text.swap(at.min(len - 1), other);
        }
        _ => text.push(random_byte(rng)),
    }
}

#[test]
fn mutated_and_truncated_json_never_panics() {
    let seed = seed("mutated_and_truncated_json_never_panics");
    let mut rng = StdRng::seed_from_u64(seed);
    // Valid texts to start from: our own output, and the golden inputs,
    // which have raw UTF-8, odd whitespace and every kind of escape.
    let golden = include_str!("data/json_golden.jsonl");
    let mut corpus: Vec<Vec<u8>> = golden
        .lines()
        .filter_map(|line| json::parse(line.as_bytes()).ok())
        .filter_map(|pair| {
            pair.as_array()?
                .first()?
                .as_str()
                .map(|s| s.as_bytes().to_vec())
        })
        .collect();
    corpus.extend((0..200).map(|_| json::to_string(&random_value(&mut rng, 4)).into_bytes()));
    assert!(corpus.len() > 400, "corpus too small: {}", corpus.len());

    const CASES: usize = 20_000;
    let mut accepted = 0;
    for case in 0..CASES {
        let mut text = corpus[rng.random_range(0..corpus.len())].clone();
        for _ in 0..rng.random_range(1..=4) {
            mutate(&mut rng, &mut text);
        }
        accepted += usize::from(check_any_input(&text, seed, case));
    }
    assert_both_outcomes(accepted, CASES, seed);
}
