//! Just enough of Linux's `epoll` for the join-storm load generator.
//!
//! The storm keeps 5,000 client sockets open and must read everything the
//! server sends to each of them. A thread per socket would make the load
//! generator as expensive as the server it measures (5,000 threads to wake
//! for every notice), and looping over 5,000 nonblocking sockets would spin
//! a processor the server needs. `epoll` lets two threads sleep until some
//! of their sockets have bytes, and tells them which: the cost follows the
//! sockets that are ready, not the sockets that are open.
//!
//! std has no readiness API, so this declares the three C functions itself.
//! This is the benchmark's only `unsafe` code; the chat programs have none
//! outside the vector paths of SHA-256 and base64 (see `src/lib.rs`).
//! Other systems skip the storm.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::time::Duration;

/// `struct epoll_event`. The kernel packs it on x86-64 only.
#[cfg_attr(target_arch = "x86_64", repr(C, packed))]
#[cfg_attr(not(target_arch = "x86_64"), repr(C))]
#[derive(Clone, Copy)]
struct EpollEvent {
    events: u32,
    data: u64,
}

unsafe extern "C" {
    fn epoll_create1(flags: i32) -> i32;
    fn epoll_ctl(epfd: i32, op: i32, fd: i32, event: *mut EpollEvent) -> i32;
    fn epoll_wait(epfd: i32, events: *mut EpollEvent, maxevents: i32, timeout: i32) -> i32;
}

const EPOLL_CLOEXEC: i32 = 0o2_000_000;
const EPOLL_CTL_ADD: i32 = 1;
const EPOLLIN: u32 = 0x001;
const EPOLLRDHUP: u32 = 0x2000;

/// One epoll instance. Sockets may be added from any thread, even while
/// another thread waits on it (the kernel allows that).
pub struct Poller {
    fd: OwnedFd,
}

impl Poller {
    pub fn new() -> io::Result<Poller> {
        // SAFETY: plain system call; a negative result is an error.
        let fd = unsafe { epoll_create1(EPOLL_CLOEXEC) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fd` is a fresh descriptor that nothing else owns.
        Ok(Poller {
            fd: unsafe { OwnedFd::from_raw_fd(fd) },
        })
    }

    /// Watches `socket` for bytes to read; [`Poller::wait`] reports it as `key`.
    pub fn add(&self, socket: RawFd, key: u64) -> io::Result<()> {
        let mut event = EpollEvent {
            events: EPOLLIN | EPOLLRDHUP,
            data: key,
        };
        // SAFETY: `event` lives across the call; the kernel copies it.
        let result = unsafe { epoll_ctl(self.fd.as_raw_fd(), EPOLL_CTL_ADD, socket, &mut event) };
        if result < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// Waits up to `timeout` for ready sockets and puts their keys in
    /// `ready` (empty after a timeout). Level-triggered: a socket with
    /// bytes left unread is reported again.
    pub fn wait(&self, ready: &mut Vec<u64>, timeout: Duration) -> io::Result<()> {
        const MAX_EVENTS: usize = 512;
        let mut events = [EpollEvent { events: 0, data: 0 }; MAX_EVENTS];
        let millis = i32::try_from(timeout.as_millis()).unwrap_or(i32::MAX);
        // SAFETY: `events` has room for MAX_EVENTS entries.
        let n = unsafe {
            epoll_wait(
                self.fd.as_raw_fd(),
                events.as_mut_ptr(),
                MAX_EVENTS as i32,
                millis,
            )
        };
        ready.clear();
        if n < 0 {
            let e = io::Error::last_os_error();
            return if e.kind() == io::ErrorKind::Interrupted {
                Ok(())
            } else {
                Err(e)
            };
        }
        ready.extend(events[..n as usize].iter().map(|e| e.data));
        Ok(())
    }
}
