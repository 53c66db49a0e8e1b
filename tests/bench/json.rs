//! Throughput of the JSON parser and encoder on 1 MiB messages, the largest
//! frame the protocol allows.
//!
//! ```sh
//! cargo bench --bench json
//! ```
//!
//! Two messages: a `FILE_DATA` chunk, whose data is base64 (plain ASCII, the
//! common case for big frames), and a `TEXT` message that is mostly Chinese,
//! which the encoder writes as `\uXXXX` escapes (6 bytes per character) and
//! the parser must decode. The Chinese one is also parsed in raw UTF-8 form,
//! as a sender that does not escape would send it.
//!
//! Throughput is JSON text per second: the bytes parsed, or the bytes the
//! encoder wrote. 1 MB = 1,000,000 bytes. Each figure is the best of several
//! timed rounds, which filters out noise from other processes.

use std::hint::black_box;
use std::time::{Duration, Instant};

use socket_chat::json::{self, Object, Value};

/// The protocol's frame limit, which bounds any one message.
const FRAME_LIMIT: usize = 1024 * 1024;

/// A message of about `FRAME_LIMIT` bytes of JSON text whose data is `data`.
fn envelope(message_type: &str, data: String, metadata: Object) -> Value {
    let mut envelope = Object::new();
    envelope.insert("type", message_type);
    envelope.insert("data", data);
    envelope.insert("metadata", metadata);
    Value::from(envelope)
}

/// Deterministic base64-looking text (a small linear congruential
/// generator: no randomness crate needed for this).
fn base64_text(len: usize) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut state: u32 = 12345;
    (0..len)
        .map(|_| {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
            char::from(ALPHABET[(state >> 16) as usize % 64])
        })
        .collect()
}

/// Chinese text with some ASCII punctuation, spaces and an emoji now and
/// then, `chars` characters long.
fn chinese_text(chars: usize) -> String {
    const SENTENCE: &str =
        "今天的聊天室很热闹，大家都在讨论文件传输的问题。我刚发了一个报告给你 😀 请查收! ";
    SENTENCE.chars().cycle().take(chars).collect()
}

/// Times `work` and returns the best seconds per run over several rounds.
fn best_seconds(mut work: impl FnMut()) -> f64 {
    // Warm up caches and the allocator, then time rounds of at least 50 ms.
    work();
    let mut best = f64::INFINITY;
    for _ in 0..10 {
        let start = Instant::now();
        let mut runs = 0u32;
        while runs < 3 || start.elapsed() < Duration::from_millis(50) {
            work();
            runs += 1;
        }
        best = best.min(start.elapsed().as_secs_f64() / f64::from(runs));
    }
    best
}

fn megabytes_per_second(bytes: usize, seconds: f64) -> f64 {
    bytes as f64 / seconds / 1e6
}

/// Measures parsing `text` and encoding what it parses to; prints one row.
fn measure(name: &str, text: &[u8], measure_encode: bool) {
    let value = json::parse(text).expect("the benchmark's message is valid JSON");
    let parse = best_seconds(|| {
        black_box(json::parse(black_box(text)).ok());
    });
    let encoded_len = json::to_string(&value).len();
    let encode = if measure_encode {
        let mut out = String::with_capacity(encoded_len);
        let seconds = best_seconds(|| {
            out.clear();
            json::write_value(black_box(&value), &mut out);
            black_box(&out);
        });
        format!("{:>10.0}", megabytes_per_second(encoded_len, seconds))
    } else {
        format!("{:>10}", "-")
    };
    println!(
        "{name:<34} {:>9} {:>10.0} {encode}",
        text.len(),
        megabytes_per_second(text.len(), parse)
    );
}

fn main() {
    // Leave room for the envelope around the data: the whole text stays
    // within the frame limit.
    let room = FRAME_LIMIT - 200;

    let mut metadata = Object::new();
    metadata.insert("transfer_id", "42");
    metadata.insert("index", 17);
    let file_data = envelope("FILE_DATA", base64_text(room), metadata);
    let file_data_text = json::to_string(&file_data);

    // Escaped, a CJK character takes 6 bytes of JSON text.
    let mut metadata = Object::new();
    metadata.insert("sender", "小明");
    metadata.insert("timestamp", 1_700_000_000u64);
    let text = envelope("TEXT", chinese_text(room / 6), metadata);
    let text_escaped = json::to_string(&text);
    // The same message as a sender that does not escape would write it.
    let data = text
        .as_object()
        .and_then(|m| m.get("data"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let text_raw = format!("{{\"type\": \"TEXT\", \"data\": \"{data}\", \"metadata\": {{}}}}");

    println!("JSON throughput, MB/s of JSON text (best of 10 rounds)");
    println!(
        "{:<34} {:>9} {:>10} {:>10}",
        "message", "bytes", "parse", "encode"
    );
    measure("FILE_DATA, base64 data", file_data_text.as_bytes(), true);
    measure("TEXT, Chinese, \\u escapes", text_escaped.as_bytes(), true);
    measure("TEXT, Chinese, raw UTF-8", text_raw.as_bytes(), false);
}
