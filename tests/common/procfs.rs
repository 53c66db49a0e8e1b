//! What Linux tells about a running process in `/proc/PID/`: how many
//! threads and open file descriptors it has, how much CPU and memory it
//! uses, and the state of its TCP sockets. A test reads them to prove the
//! server cleans up after its clients, does not spin, and spends memory only
//! on bytes that arrived.

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

/// The process's resident set (`VmRSS:` in `/proc/PID/status`), in bytes:
/// the memory it actually occupies, as opposed to what it has reserved.
/// A page counts once something has been written to it.
pub fn rss_bytes(pid: u32) -> u64 {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).expect("read /proc/PID/status");
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("a VmRSS: line");
    kib * 1024
}

/// One line of `/proc/PID/net/tcp`: an IPv4 TCP socket as the kernel sees it.
#[derive(Debug, Clone, Copy)]
pub struct TcpSocket {
    pub local_port: u16,
    pub remote_port: u16,
    /// `ESTABLISHED` is 1, `LISTEN` is 10 (`include/net/tcp_states.h`).
    pub state: u8,
    /// Bytes written but not yet acknowledged by the peer's kernel.
    pub unacked: u64,
    /// Bytes the kernel has received that the program has not read yet.
    pub unread: u64,
}

/// The TCP state number of an established connection.
pub const ESTABLISHED: u8 = 1;

/// Every IPv4 TCP socket of the process's network namespace. The kernel
/// writes addresses and queue sizes in hex: `0100007F:1F90` is
/// 127.0.0.1:8080, and `tx_queue:rx_queue` are the two queue sizes.
pub fn tcp_sockets(pid: u32) -> Vec<TcpSocket> {
    let table = fs::read_to_string(format!("/proc/{pid}/net/tcp")).expect("read /proc/PID/net/tcp");
    let port = |address: &str| {
        let hex = address.rsplit(':').next().expect("ADDRESS:PORT");
        u16::from_str_radix(hex, 16).expect("a hex port")
    };
    table
        .lines()
        .skip(1) // the column titles
        .map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (tx, rx) = fields[4].split_once(':').expect("tx_queue:rx_queue");
            TcpSocket {
                local_port: port(fields[1]),
                remote_port: port(fields[2]),
                state: u8::from_str_radix(fields[3], 16).expect("a hex state"),
                unacked: u64::from_str_radix(tx, 16).expect("a hex tx_queue"),
                unread: u64::from_str_radix(rx, 16).expect("a hex rx_queue"),
            }
        })
        .collect()
}
