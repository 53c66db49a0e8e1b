//! Each client's outgoing queue, and the writer thread that drains it.
//!
//! Why not simply write to a client's socket from whichever thread has
//! something to say? Because `write` blocks when the peer stops reading: the
//! kernel's send buffer fills up and stays full. If Alice's thread wrote a
//! broadcast straight into Bob's socket and Bob's laptop had gone to sleep,
//! Alice's thread would hang, and so would every message she sends to anyone.
//!
//! So every client gets an [`Outbox`]: a queue bounded in *bytes*, and one
//! writer thread that is the only code ever writing to that socket. Senders
//! only append to queues, which never blocks for long; a slow reader slows
//! nobody but itself. When its queue overflows it is disconnected, as IRC
//! servers do ("SendQ exceeded"), so memory stays bounded.
//!
//! The writer also batches: it takes everything queued at once and hands it
//! to the kernel in as few `write` calls as it can, which is where most of
//! the speed of a busy broadcast comes from. `docs/04-one-thread-per-client.md`
//! tells the longer story, and `docs/06-misbehaving-peers.md` what happens
//! to a client that cannot keep up.

use std::collections::VecDeque;
use std::io::{self, IoSlice, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::connection::Outgoing;
use crate::sync::lock;
use crate::trace::{Direction, Trace};

/// Why a message could not be queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushError {
    /// The queue is at its limit: the client is not keeping up.
    Full,
    /// The connection is closing; nothing more will be written.
    Closed,
}

/// A client's bounded queue of frames waiting to be written.
pub struct Outbox {
    state: Mutex<State>,
    /// Signalled when frames arrive or the outbox closes (wakes the writer).
    frames_ready: Condvar,
    /// Signalled when the writer has written bytes (wakes bulk senders).
    room_freed: Condvar,
    limit: usize,
}

struct State {
    queue: VecDeque<Outgoing>,
    /// Bytes queued or being written right now.
    bytes: usize,
    closed: bool,
    /// True while the writer sleeps on `frames_ready`. Waking a thread is a
    /// system call even when nobody sleeps, and a broadcast pushes to every
    /// client's queue, so we only signal when the writer is really waiting.
    writer_waiting: bool,
    /// Bulk senders sleeping on `room_freed`, for the same reason.
    bulk_waiting: usize,
}

impl Outbox {
    /// An outbox that holds at most `limit` bytes.
    pub fn new(limit: usize) -> Self {
        Outbox {
            state: Mutex::new(State {
                queue: VecDeque::new(),
                bytes: 0,
                closed: false,
                writer_waiting: false,
                bulk_waiting: 0,
            }),
            frames_ready: Condvar::new(),
            room_freed: Condvar::new(),
            limit,
        }
    }

    /// Queues a chat or control message without waiting.
    pub fn push(&self, frame: Outgoing) -> Result<(), PushError> {
        let mut state = self.lock();
        if state.closed {
            return Err(PushError::Closed);
        }
        if state.bytes + frame.len() > self.limit {
            return Err(PushError::Full);
        }
        self.enqueue(&mut state, frame);
        Ok(())
    }

    /// Queues a file chunk, waiting up to `timeout` for room.
    ///
    /// File data may fill only half the queue. A file sender is much faster
    /// than a chat typist, so without this reserve a big download would keep
    /// the queue full and a chat line to the same user would find no room.
    /// Waiting here is what slows a file sender down to the pace of its
    /// slowest receiver (back-pressure) instead of queueing without end.
    pub fn push_bulk(&self, frame: Outgoing, timeout: Duration) -> Result<(), PushError> {
        let deadline = Instant::now() + timeout;
        let mut state = self.lock();
        while !state.closed && state.bytes + frame.len() > self.limit / 2 && state.bytes > 0 {
            let now = Instant::now();
            if now >= deadline {
                return Err(PushError::Full);
            }
            state.bulk_waiting += 1;
            state = match self.room_freed.wait_timeout(state, deadline - now) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
            state.bulk_waiting -= 1;
        }
        if state.closed {
            return Err(PushError::Closed);
        }
        self.enqueue(&mut state, frame);
        Ok(())
    }

    /// No more frames will be accepted. The writer still writes what is
    /// queued (a goodbye message, say), then ends.
    pub fn close(&self) {
        self.lock().closed = true;
        self.frames_ready.notify_all();
        self.room_freed.notify_all();
    }

    /// Bytes waiting to be written.
    #[cfg(test)]
    fn queued_bytes(&self) -> usize {
        self.lock().bytes
    }

    fn enqueue(&self, state: &mut State, frame: Outgoing) {
        state.bytes += frame.len();
        state.queue.push_back(frame);
        if state.writer_waiting {
            self.frames_ready.notify_one();
        }
    }

    /// Writer side: waits for frames and moves all of them into `batch`.
    /// Returns false once the outbox is closed and empty.
    fn take_batch(&self, batch: &mut Vec<Outgoing>) -> bool {
        let mut state = self.lock();
        if state.queue.is_empty() {
            while state.queue.is_empty() {
                if state.closed {
                    return false;
                }
                state.writer_waiting = true;
                state = match self.frames_ready.wait(state) {
                    Ok(guard) => guard,
                    Err(poisoned) => poisoned.into_inner(),
                };
                state.writer_waiting = false;
            }
            // We were woken by the first frame of what is often a burst (a
            // broadcast reaches every queue at once). Stepping aside for a
            // moment lets the rest of the burst arrive, so that one `write`
            // carries all of it. When nothing else wants the processor,
            // this returns at once.
            drop(state);
            std::thread::yield_now();
            state = self.lock();
        }
        batch.extend(state.queue.drain(..));
        if state.queue.capacity() > KEEP_CAPACITY {
            state.queue.shrink_to(KEEP_CAPACITY);
        }
        true
    }

    /// Writer side: `bytes` have left for the kernel; make room for more.
    fn written(&self, bytes: usize) {
        let mut state = self.lock();
        state.bytes -= bytes;
        if state.bulk_waiting > 0 {
            self.room_freed.notify_all();
        }
    }

    /// Writer side: the socket failed; drop what is queued and refuse more.
    fn fail(&self) {
        let mut state = self.lock();
        state.closed = true;
        state.queue.clear();
        state.bytes = 0;
        drop(state);
        self.frames_ready.notify_all();
        self.room_freed.notify_all();
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }
}

/// Most frames handed to one `write_vectored` call (systems accept at least
/// 1024 pieces per call; Linux, macOS and Windows all do).
const FRAMES_PER_WRITE: usize = 512;

/// Past this many entries, a batch's spare room is given back after use, so
/// that a burst (a thousand joins at once) does not leave every idle client
/// holding memory it no longer needs.
const KEEP_CAPACITY: usize = 64;

/// The writer thread's body: drains `outbox` into `stream` until the outbox
/// is closed and empty, or the socket fails.
///
/// The socket should have a write timeout, so that a peer that stopped
/// reading cannot hold this thread forever. When writing fails, the writer
/// shuts the socket down, which wakes the client's reading thread with an
/// error: that thread then does the leaving, in one place.
pub fn run_writer(
    outbox: &Outbox,
    mut stream: TcpStream,
    trace: Trace,
    peer: &str,
) -> io::Result<()> {
    let mut batch = Vec::new();
    let result = (|| {
        while outbox.take_batch(&mut batch) {
            let mut taken = 0;
            for frame in &batch {
                trace.frame(Direction::Sent, peer, frame.body());
                taken += frame.len();
            }
            for frames in batch.chunks(FRAMES_PER_WRITE) {
                write_all_frames(&mut stream, frames)?;
            }
            batch.clear();
            if batch.capacity() > KEEP_CAPACITY {
                batch.shrink_to(KEEP_CAPACITY);
            }
            outbox.written(taken);
        }
        Ok(())
    })();
    match &result {
        // Everything was written: a graceful end of our side of the stream.
        Ok(()) => {
            let _ = stream.shutdown(Shutdown::Write);
        }
        Err(_) => {
            outbox.fail();
            let _ = stream.shutdown(Shutdown::Both);
        }
    }
    result
}

/// Writes every frame, in order, handing them all to the kernel at once.
///
/// `write_vectored` (the `writev` system call) takes a list of separate
/// buffers and sends them as if they were one: a broadcast's frames go out
/// in one call without first being copied together. Like `write`, it may
/// take only part of what it is given; `IoSlice::advance_slices` skips
/// what was written, and we call again for the rest.
fn write_all_frames(stream: &mut TcpStream, frames: &[Outgoing]) -> io::Result<()> {
    let mut slices: Vec<IoSlice<'_>> = frames.iter().map(|f| IoSlice::new(f.as_bytes())).collect();
    let mut rest = &mut slices[..];
    while !rest.is_empty() {
        match stream.write_vectored(rest) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => IoSlice::advance_slices(&mut rest, n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::Message;

    fn frame(text: &str) -> Outgoing {
        Outgoing::new(&Message::Text {
            text: text.into(),
            to: None,
        })
    }

    #[test]
    fn push_refuses_past_the_byte_limit() {
        let one = frame("hello");
        let outbox = Outbox::new(one.len() * 2);
        assert_eq!(outbox.push(one.clone()), Ok(()));
        assert_eq!(outbox.push(one.clone()), Ok(()));
        assert_eq!(outbox.push(one.clone()), Err(PushError::Full));
        assert_eq!(outbox.queued_bytes(), one.len() * 2);
    }

    #[test]
    fn bulk_leaves_half_the_queue_for_chat() {
        let one = frame("0123456789");
        let outbox = Outbox::new(one.len() * 4);
        assert_eq!(outbox.push_bulk(one.clone(), Duration::ZERO), Ok(()));
        assert_eq!(outbox.push_bulk(one.clone(), Duration::ZERO), Ok(()));
        assert_eq!(
            outbox.push_bulk(one.clone(), Duration::from_millis(1)),
            Err(PushError::Full)
        );
        // Chat still fits in the reserved half.
        assert_eq!(outbox.push(one.clone()), Ok(()));
        assert_eq!(outbox.push(one), Ok(()));
    }

    #[test]
    fn closed_outbox_refuses_but_writer_drains() {
        let outbox = Outbox::new(1000);
        outbox.push(frame("last words")).unwrap();
        outbox.close();
        assert_eq!(outbox.push(frame("more")), Err(PushError::Closed));
        let mut batch = Vec::new();
        assert!(outbox.take_batch(&mut batch));
        assert_eq!(batch.len(), 1);
        outbox.written(batch[0].len());
        batch.clear();
        assert!(!outbox.take_batch(&mut batch));
    }

    #[test]
    fn a_waiting_bulk_sender_wakes_when_the_writer_frees_room() {
        let one = frame("chunk");
        let outbox = std::sync::Arc::new(Outbox::new(one.len() * 2));
        outbox.push_bulk(one.clone(), Duration::ZERO).unwrap();
        let writer = {
            let outbox = outbox.clone();
            std::thread::spawn(move || {
                let mut batch = Vec::new();
                assert!(outbox.take_batch(&mut batch));
                outbox.written(batch.iter().map(Outgoing::len).sum());
            })
        };
        // Blocks until the writer above has taken the first chunk.
        assert_eq!(outbox.push_bulk(one, Duration::from_secs(30)), Ok(()));
        writer.join().unwrap();
    }
}
