//! What does `fsync` cost on this machine? Chapter 8 of the course uses it.
//!
//! ```sh
//! cargo run -q --example fsync -- [LINES] [FOLDER]
//! ```
//!
//! Writes LINES lines (default 100) of about 100 bytes, one `write` each,
//! to a scratch file in FOLDER (default `files`, which is where the server
//! keeps its history), three ways, and prints the time per line:
//!
//! 1. `write` only: the bytes go to the kernel's page cache, and the disk
//!    gets them some time later;
//! 2. `write`, then `fsync` after every line: each line waits until the
//!    disk has it (Rust calls this `File::sync_data`);
//! 3. every `write`, then one `fsync` for all of them: what the history's
//!    group sync does.
//!
//! The scratch file is deleted at the end. Run it with a FOLDER on another
//! disk (a USB stick, a network share, `/tmp` if it is a RAM disk) and
//! compare: a RAM disk syncs instantly because there is nothing to wait
//! for, and that proves nothing about durability.
//!
//! Exit status: 0 when it measured, 1 on an I/O error, 2 on bad arguments.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

const LINE: &[u8] = b"{\"seq\": 1, \"sender\": \"Alice\", \"timestamp\": 1700000000, \"text\": \"a line of about a hundred bytes\"}\n";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let lines = match args.first().map(|a| a.parse::<u32>()) {
        None => 100,
        Some(Ok(n)) if n > 0 => n,
        Some(_) => return usage(),
    };
    let folder = PathBuf::from(args.get(1).map_or("files", String::as_str));
    if args.len() > 2 {
        return usage();
    }
    let path = folder.join(format!("fsync-example-{}.tmp", std::process::id()));
    let result = measure(&path, lines);
    let _ = fs::remove_file(&path);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fsync: {}: {e}", path.display());
            ExitCode::from(1)
        }
    }
}

fn usage() -> ExitCode {
    eprintln!(
        "usage: fsync [LINES] [FOLDER]\n  times write and fsync on a scratch file in FOLDER (default files)"
    );
    ExitCode::from(2)
}

fn measure(path: &Path, lines: u32) -> io::Result<()> {
    println!(
        "{lines} lines of {} bytes each, to {}:",
        LINE.len(),
        path.display()
    );
    let write_only = timed(path, lines, |file| file.write_all(LINE), |_| Ok(()))?;
    report("write only", write_only, lines);
    let each = timed(
        path,
        lines,
        |file| {
            file.write_all(LINE)?;
            file.sync_data()
        },
        |_| Ok(()),
    )?;
    report("write + fsync after every line", each, lines);
    let group = timed(path, lines, |file| file.write_all(LINE), File::sync_data)?;
    report("every write, then one fsync", group, lines);
    println!(
        "one fsync per line is {:.0} times slower than one fsync for all of them",
        each.as_secs_f64() / group.as_secs_f64()
    );
    Ok(())
}

/// Creates the file afresh, runs `each` once per line and `end` once,
/// and returns how long that took.
fn timed(
    path: &Path,
    lines: u32,
    mut each: impl FnMut(&mut File) -> io::Result<()>,
    end: impl FnOnce(&File) -> io::Result<()>,
) -> io::Result<Duration> {
    let mut file = OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(true)
        .open(path)?;
    // Start from a synced, empty file, so that no earlier run's dirty
    // pages are paid for in this one.
    file.sync_all()?;
    let start = Instant::now();
    for _ in 0..lines {
        each(&mut file)?;
    }
    end(&file)?;
    Ok(start.elapsed())
}

fn report(name: &str, total: Duration, lines: u32) {
    let per_line = total.as_secs_f64() * 1e6 / f64::from(lines);
    println!(
        "  {name:<32} {:>9.1} ms in all {per_line:>9.1} µs a line",
        total.as_secs_f64() * 1e3
    );
}
