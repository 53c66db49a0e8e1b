//! How fast are the codecs that every byte of a file transfer goes through,
//! and how much does a login's PBKDF2 cost?
//!
//! Run with `cargo bench --bench codec`, or name groups to run only those:
//! `cargo bench --bench codec -- pbkdf2` (the groups are `base64`, `sha256`
//! and `pbkdf2`). It is a plain program (no benchmark framework, std only):
//! each codec measurement pushes 256 MiB of file data through one codec and
//! prints the rate in MB/s (10^6 bytes of *file data* per second; for
//! decoding the text read is 4/3 of that). PBKDF2 is timed per derivation,
//! in milliseconds. The numbers are a rough guide for one core, not a
//! statistically careful benchmark.

use socket_chat::crypto::{pbkdf2, scram};
use socket_chat::{base64, crypto::sha256};
use std::hint::black_box;
use std::num::NonZeroU32;
use std::time::{Duration, Instant};

/// Bytes of file data per measurement.
const TOTAL: usize = 256 << 20;
/// The source data: big enough to defeat caching tricks, small enough to
/// keep memory use modest. It is reused `TOTAL / SOURCE_LEN` times.
const SOURCE_LEN: usize = 4 << 20;

fn main() {
    // Cargo passes `--bench` to a benchmark program; every other argument
    // names a group to run. None: run them all.
    let groups: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with('-'))
        .collect();
    let wanted = |group: &str| groups.is_empty() || groups.iter().any(|g| g == group);

    if wanted("base64") || wanted("sha256") {
        bench_codecs(wanted("base64"), wanted("sha256"));
    }
    if wanted("pbkdf2") {
        bench_pbkdf2();
    }
}

/// The codecs of a file transfer, 256 MiB each.
fn bench_codecs(run_base64: bool, run_sha256: bool) {
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
    if run_base64 {
        for chunk_len in [4096, 768 << 10] {
            bench_base64(&source, chunk_len);
        }
    }
    if run_sha256 {
        bench_sha256("SHA-256, automatic path", &source, sha256::Sha256::new);
        // `new_portable` is #[doc(hidden)]: not supported API, there so tests
        // and this benchmark can reach the portable code on any CPU.
        bench_sha256(
            "SHA-256, portable path",
            &source,
            sha256::Sha256::new_portable,
        );
    }
}

/// What one PBKDF2-HMAC-SHA-256 derivation costs at the smallest count a
/// server accepts, at a middle one, and at the client's default. A client
/// runs one per login and one per registration (the server runs none at
/// login: it keeps the derived keys). An attacker with the accounts file
/// pays the same per guess, so the last column is what one core of this
/// machine could try per second.
fn bench_pbkdf2() {
    println!("PBKDF2-HMAC-SHA-256, 32 bytes out, time per derivation:");
    for iterations in [scram::MIN_ITERATIONS, 100_000, scram::DEFAULT_ITERATIONS] {
        let rounds = NonZeroU32::new(iterations).expect("a positive count");
        let derive = || {
            black_box(pbkdf2::derive(
                black_box(b"correct horse battery staple"),
                black_box(&[0x5A; 16]),
                rounds,
            ));
        };
        derive(); // warm up
        // At least three runs and at least half a second; the best run is
        // the one least disturbed by whatever else the machine was doing.
        let mut runs = Vec::new();
        let start = Instant::now();
        while runs.len() < 3 || start.elapsed() < Duration::from_millis(500) {
            let run = Instant::now();
            derive();
            runs.push(run.elapsed());
        }
        let best = runs.iter().min().expect("at least three runs");
        let mean = runs.iter().sum::<Duration>() / runs.len() as u32;
        let label = format!("{iterations} iterations");
        println!(
            "  {label:<40} {:>8.1} ms best, {:>8.1} ms mean of {:>4}   {:>7.0} guesses/s",
            best.as_secs_f64() * 1e3,
            mean.as_secs_f64() * 1e3,
            runs.len(),
            1.0 / best.as_secs_f64(),
        );
    }
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
