//! How fast can the history log take messages, and what does `fsync` cost?
//!
//! Run with `cargo bench --bench history` (`-- --quick` for a short run that
//! only checks it works). A plain program, std only, like the other
//! benchmarks. It writes into Cargo's temporary folder under `target/`,
//! which is on the same disk as the project (not a RAM disk such as many
//! systems mount on `/tmp`, where `fsync` costs nothing and proves nothing).
//!
//! For each setting it appends messages of about 100 bytes to four rooms
//! from one thread and reports:
//!
//! - **appends/s**: how fast `append` returns, which is what a session
//!   thread feels (it never waits for the disk; the loop appends in bursts
//!   that fit the writer's queue, and only the time inside `append` counts);
//! - **written/s** and **MB/s**: how fast the writer thread hands lines to
//!   the kernel, from the first append until the last line is written;
//! - **fsyncs**: how many group syncs covered the run, and **shutdown**:
//!   how long the final flush and sync took.
//!
//! The first row is the real configuration (sync at most a second apart,
//! compaction at twice `--history-keep 1000`); the others take one part
//! away or make it stricter, to show what each costs. The last line is the
//! price of the alternative the log avoids: one `fsync` per message.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use socket_chat::server::history::{History, MAX_QUEUED, Options, SYNC_INTERVAL};

const ROOMS: [&str; 4] = ["lobby", "python", "rust", "random"];
const TEXT: &str = "a chat message of a typical length, long enough to be realistic";

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (messages, fsyncs) = if quick { (20_000, 20) } else { (400_000, 300) };
    let base = Path::new(env!("CARGO_TARGET_TMPDIR"));
    fs::create_dir_all(base).expect("target tmp dir");

    println!(
        "socket-chat history log: {messages} messages of ~100 bytes in {} rooms, folder in {}",
        ROOMS.len(),
        base.strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .unwrap_or(base)
            .display()
    );
    println!(
        "  {:<36} {:>11} {:>11} {:>7} {:>7} {:>9}",
        "setting", "appends/s", "written/s", "MB/s", "fsyncs", "shutdown"
    );
    let runs = [
        ("sync each second, keep 1000", SYNC_INTERVAL, 1000),
        (
            "sync each second, no compaction",
            SYNC_INTERVAL,
            messages as usize,
        ),
        ("sync after every batch, keep 1000", Duration::ZERO, 1000),
    ];
    for (name, sync_interval, keep) in runs {
        bench_log(base, name, messages, sync_interval, keep);
    }
    bench_fsync_each(base, fsyncs);
}

fn bench_log(base: &Path, name: &str, messages: u64, sync_interval: Duration, keep: usize) {
    let dir = tempfile::tempdir_in(base).expect("temp dir");
    let mut options = Options::new(keep);
    options.sync_interval = sync_interval;
    options.reporter = Box::new(|problem| eprintln!("{problem}"));
    let (history, _) = History::open(dir.path(), options).expect("open");

    // The queue holds `MAX_QUEUED` messages, and what comes over it is
    // counted as lost (the disk is taken to have stopped answering). A chat
    // room never appends that fast for long, but this loop does, so it
    // appends in bursts of a quarter of the queue and lets the writer catch
    // up to one burst behind before the next: the queue never fills, and
    // `appended` counts only the time spent inside `append`.
    let burst = (MAX_QUEUED / 4) as u64;
    let mut appended = Duration::ZERO;
    let start = Instant::now();
    for first in (0..messages).step_by(burst as usize) {
        let caught_up = history.wait_for(Duration::from_secs(600), |p| p.written + burst >= first);
        assert!(caught_up, "the writer fell a burst behind for 10 minutes");
        let burst_start = Instant::now();
        for i in first..(first + burst).min(messages) {
            let room = ROOMS[i as usize % ROOMS.len()];
            history
                .append(room, "Alice", 1_700_000_000, TEXT)
                .expect("append");
        }
        appended += burst_start.elapsed();
    }
    let all_written = history.wait_for(Duration::from_secs(600), |p| p.written >= messages);
    let written = start.elapsed();
    let before_shutdown = Instant::now();
    let done = history.shutdown();
    let shutdown = before_shutdown.elapsed();
    assert!(
        all_written && done.written == messages && done.lost == 0,
        "{done:?}"
    );
    assert_eq!(done.synced, messages, "shutdown syncs everything");

    let per_second = |d: Duration| messages as f64 / d.as_secs_f64();
    println!(
        "  {name:<36} {:>11.0} {:>11.0} {:>7.1} {:>7} {:>7.1} ms",
        per_second(appended),
        per_second(written),
        per_second(written) * sample_line().len() as f64 / 1e6,
        done.syncs,
        shutdown.as_secs_f64() * 1e3
    );
}

/// A line as the log writes it (the `seq` grows a few digits longer).
fn sample_line() -> String {
    format!(
        "{{\"seq\": 1, \"sender\": \"Alice\", \"timestamp\": 1700000000, \"text\": \"{TEXT}\"}}\n"
    )
}

/// The alternative: every message written and synced before the next.
fn bench_fsync_each(base: &Path, count: u32) {
    let dir = tempfile::tempdir_in(base).expect("temp dir");
    let path = dir.path().join("each.jsonl");
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .expect("open");
    let line = sample_line();
    let start = Instant::now();
    for _ in 0..count {
        file.write_all(line.as_bytes()).expect("write");
        file.sync_data().expect("fsync");
    }
    let each = start.elapsed() / count;
    println!(
        "  one fsync per message instead: {:.0} µs each, at most {:.0} messages/s ({count} fsyncs)",
        each.as_secs_f64() * 1e6,
        1.0 / each.as_secs_f64()
    );
}
