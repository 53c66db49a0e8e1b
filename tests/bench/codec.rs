//! How fast are the codecs that every byte of a file transfer goes through?
//!
//! Run with `cargo bench --bench codec`. It is a plain program (no benchmark
//! framework, std only): each measurement pushes 256 MiB of file data through
//! one codec and prints the rate in MB/s (10^6 bytes of *file data* per
//! second; for decoding the text read is 4/3 of that). The numbers are a
//! rough guide for one core, not a statistically careful benchmark.

use socket_chat::{base64, crypto::sha256};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Bytes of file data per measurement.
const TOTAL: usize = 256 << 20;
/// The source data: big enough to defeat caching tricks, small enough to
/// keep memory use modest. It is reused `TOTAL / SOURCE_LEN` times.
const SOURCE_LEN: usize = 4 << 20;

fn main() {
    // Bytes that look random, from a fixed xorshift generator (no rand: the
    // benchmark should not need dev-dependencies to be meaningful).
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let source: Vec<u8> = (0..SOURCE_LEN)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();

    println!(
        "socket-chat codec speed, {} MiB of file data each:",
        TOTAL >> 20
    );
    for chunk_len in [4096, 768 << 10] {
        bench_base64(&source, chunk_len);
    }
    bench_sha256("SHA-256, automatic path", &source, sha256::Sha256::new);
    // `new_portable` is #[doc(hidden)]: not supported API, there so tests and
    // this benchmark can reach the portable code on any CPU.
    bench_sha256(
        "SHA-256, portable path",
        &source,
        sha256::Sha256::new_portable,
    );
}

/// Encodes and decodes `source` in chunks of `chunk_len` bytes, as a sender
/// and a receiver of `FILE_DATA` messages do.
fn bench_base64(source: &[u8], chunk_len: usize) {
    let passes = TOTAL / source.len();

    let mut text = String::with_capacity(base64::encoded_len(chunk_len));
    let elapsed = time(|| {
        for _ in 0..passes {
            for chunk in source.chunks(chunk_len) {
                text.clear();
                base64::encode_into(black_box(chunk), &mut text);
                black_box(&text);
            }
        }
    });
    report(&format!("base64 encode, {chunk_len}-byte chunks"), elapsed);

    let texts: Vec<String> = source.chunks(chunk_len).map(base64::encode).collect();
    let mut bytes = Vec::with_capacity(chunk_len);
    let mut failures = 0;
    let elapsed = time(|| {
        for _ in 0..passes {
            for text in &texts {
                bytes.clear();
                if base64::decode_into(black_box(text.as_bytes()), &mut bytes).is_err() {
                    failures += 1;
                }
                black_box(&bytes);
            }
        }
    });
    assert_eq!(failures, 0, "the encoder's own output must decode");
    report(&format!("base64 decode, {chunk_len}-byte chunks"), elapsed);
}

/// Hashes `TOTAL` bytes, fed in 64 KiB pieces as a receiver writing a file
/// would.
fn bench_sha256(name: &str, source: &[u8], new: fn() -> sha256::Sha256) {
    let passes = TOTAL / source.len();
    let mut digest = [0u8; 32];
    let elapsed = time(|| {
        let mut hasher = new();
        for _ in 0..passes {
            for piece in source.chunks(64 << 10) {
                hasher.update(black_box(piece));
            }
        }
        digest = hasher.finish();
    });
    black_box(digest);
    report(name, elapsed);
}

/// Runs `work` once to warm up caches and the branch predictor, then times a
/// second run.
fn time(mut work: impl FnMut()) -> Duration {
    work();
    let start = Instant::now();
    work();
    start.elapsed()
}

fn report(name: &str, elapsed: Duration) {
    let rate = TOTAL as f64 / elapsed.as_secs_f64() / 1e6;
    println!("  {name:<40} {rate:>8.0} MB/s");
}
