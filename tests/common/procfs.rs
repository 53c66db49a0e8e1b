//! What Linux tells about a running process in `/proc/PID/`: how many
//! threads and open file descriptors it has, and how much CPU it used.
//! A test reads them to prove the server cleans up after its clients, and
//! does not spin.

use std::fs;
use std::time::Duration;

/// The `Threads:` line of `/proc/PID/status`.
pub fn threads(pid: u32) -> usize {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).expect("read /proc/PID/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("a Threads: line")
}

/// Entries of `/proc/PID/fd`: one per open file, socket or pipe.
pub fn open_fds(pid: u32) -> usize {
    fs::read_dir(format!("/proc/{pid}/fd"))
        .expect("read /proc/PID/fd")
        .count()
}

/// CPU time used so far by all the process's threads, in user and kernel
/// mode: fields 14 and 15 of `/proc/PID/stat`, counted in clock ticks.
pub fn cpu_time(pid: u32) -> Duration {
    // The kernel reports these in USER_HZ ticks, 100 per second on every
    // Linux architecture std supports (std has no sysconf to ask).
    const TICKS_PER_SECOND: u64 = 100;
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).expect("read /proc/PID/stat");
    // The second field is the program name in parentheses and may contain
    // spaces, so count fields from the last ')'.
    let rest = &stat[stat.rfind(')').expect("a ')' in stat") + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // `fields[0]` is field 3 (state), so field 14 is `fields[11]`.
    let ticks: u64 =
        fields[11].parse::<u64>().expect("utime") + fields[12].parse::<u64>().expect("stime");
    Duration::from_millis(ticks * 1000 / TICKS_PER_SECOND)
}
