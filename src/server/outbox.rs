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
//! The queue holds message *bodies*, each shared by every recipient of a
//! broadcast; the writer puts the connection's transport header in front of
//! each as it writes (see [`crate::transport`]). It also batches: it takes
//! everything queued at once and hands it to the kernel in as few `write`
//! calls as it can, which is where most of the speed of a busy broadcast
//! comes from. A WebSocket's reader answers pings and closes through the
//! same queue ([`Replies`]), so a pong never cuts into a message being
//! written. `docs/04-one-thread-per-client.md`
//! tells the longer story, and `docs/06-misbehaving-peers.md` what happens
//! to a client that cannot keep up.

use std::collections::VecDeque;
use std::io::{self, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::sync::lock;
use crate::trace::{Direction, Trace};
use crate::transport::{Ending, Framing, Outgoing, Replies, write_all_bodies};

/// Why a message could not be queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushError {
    /// The queue is at its limit: the client is not keeping up.
    Full,
    /// The connection is closing; nothing more will be written.
    Closed,
}

/// A client's bounded queue of message bodies waiting to be written.
pub struct Outbox {
    state: Mutex<State>,
    /// Signalled when bodies arrive or the outbox closes (wakes the writer).
    bodies_ready: Condvar,
    /// Signalled when the writer has written bytes (wakes bulk senders).
    room_freed: Condvar,
    limit: usize,
}

struct State {
    queue: VecDeque<Outgoing>,
    /// Bytes of body queued or being written right now (the headers, a few
    /// bytes each, are not counted).
    bytes: usize,
    closed: bool,
    /// True once the connection's last frame is queued ([`Outbox::push_last`]):
    /// the writer then adds no farewell of its own.
    last_queued: bool,
    /// How the connection ends, for the farewell ([`Framing::farewell`]).
    ending: Ending,
    /// True while the writer sleeps on `bodies_ready`. Waking a thread is a
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
                last_queued: false,
                ending: Ending::Normal,
                writer_waiting: false,
                bulk_waiting: 0,
            }),
            bodies_ready: Condvar::new(),
            room_freed: Condvar::new(),
            limit,
        }
    }

    /// Queues a chat or control message without waiting.
    pub fn push(&self, body: Outgoing) -> Result<(), PushError> {
        let mut state = self.lock();
        if state.closed {
            return Err(PushError::Closed);
        }
        if state.bytes + body.len() > self.limit {
            return Err(PushError::Full);
        }
        self.enqueue(&mut state, body);
        Ok(())
    }

    /// Queues a file chunk, waiting up to `timeout` for room.
    ///
    /// File data may fill only half the queue. A file sender is much faster
    /// than a chat typist, so without this reserve a big download would keep
    /// the queue full and a chat line to the same user would find no room.
    /// Waiting here is what slows a file sender down to the pace of its
    /// slowest receiver (back-pressure) instead of queueing without end.
    pub fn push_bulk(&self, body: Outgoing, timeout: Duration) -> Result<(), PushError> {
        let deadline = Instant::now() + timeout;
        let mut state = self.lock();
        while !state.closed && state.bytes + body.len() > self.limit / 2 && state.bytes > 0 {
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
        self.enqueue(&mut state, body);
        Ok(())
    }

    /// Queues the connection's last frame (a WebSocket close) and closes
    /// the outbox behind it, in one step, so nothing can slip in after it.
    /// It is a few bytes, and queued even when the queue is full: the peer
    /// should learn why it is being closed.
    pub fn push_last(&self, frame: Outgoing) -> Result<(), PushError> {
        let mut state = self.lock();
        if state.closed {
            return Err(PushError::Closed);
        }
        state.last_queued = true;
        self.enqueue(&mut state, frame);
        drop(state);
        self.close();
        Ok(())
    }

    /// No more bodies will be accepted. The writer still writes what is
    /// queued (a goodbye message, say), then ends.
    pub fn close(&self) {
        self.close_because(Ending::Normal);
    }

    /// [`Outbox::close`], saying why for the farewell (the first reason
    /// given counts).
    pub fn close_because(&self, ending: Ending) {
        let mut state = self.lock();
        if !state.closed {
            state.closed = true;
            state.ending = ending;
        }
        drop(state);
        self.bodies_ready.notify_all();
        self.room_freed.notify_all();
    }

    /// Writer side: the farewell to write once the queue is drained, unless
    /// a last frame was queued already.
    fn farewell(&self, framing: Framing) -> Option<Vec<u8>> {
        let state = self.lock();
        if state.last_queued {
            return None;
        }
        framing.farewell(state.ending)
    }

    /// Bytes waiting to be written.
    #[cfg(test)]
    fn queued_bytes(&self) -> usize {
        self.lock().bytes
    }

    fn enqueue(&self, state: &mut State, body: Outgoing) {
        state.bytes += body.len();
        state.queue.push_back(body);
        if state.writer_waiting {
            self.bodies_ready.notify_one();
        }
    }

    /// Writer side: waits for bodies and moves all of them into `batch`.
    /// Returns false once the outbox is closed and empty.
    fn take_batch(&self, batch: &mut Vec<Outgoing>) -> bool {
        let mut state = self.lock();
        if state.queue.is_empty() {
            while state.queue.is_empty() {
                if state.closed {
                    return false;
                }
                state.writer_waiting = true;
                state = match self.bodies_ready.wait(state) {
                    Ok(guard) => guard,
                    Err(poisoned) => poisoned.into_inner(),
                };
                state.writer_waiting = false;
            }
            // We were woken by the first body of what is often a burst (a
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
        self.bodies_ready.notify_all();
        self.room_freed.notify_all();
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }
}

/// Past this many entries, a batch's spare room is given back after use, so
/// that a burst (a thousand joins at once) does not leave every idle client
/// holding memory it no longer needs.
const KEEP_CAPACITY: usize = 64;

/// A WebSocket reader's answers go into the connection's own queue.
impl Replies for Outbox {
    fn reply(&self, frame: Outgoing) -> bool {
        self.push(frame).is_ok()
    }

    fn reply_last(&self, frame: Outgoing) -> bool {
        self.push_last(frame).is_ok()
    }
}

/// The writer thread's body: drains `outbox` into `stream` until the outbox
/// is closed and empty, or the socket fails. `framing` says which header
/// goes in front of each body, and what to write last (a WebSocket's close
/// frame).
///
/// The socket should have a write timeout, so that a peer that stopped
/// reading cannot hold this thread forever. When writing fails, the writer
/// shuts the socket down, which wakes the client's reading thread with an
/// error: that thread then does the leaving, in one place.
pub fn run_writer(
    outbox: &Outbox,
    mut stream: TcpStream,
    framing: Framing,
    trace: Trace,
    peer: &str,
) -> io::Result<()> {
    let mut batch = Vec::new();
    let result = (|| {
        while outbox.take_batch(&mut batch) {
            let mut taken = 0;
            for body in &batch {
                // Whole frames (pongs, closes) carry no message to show.
                if !body.is_framed() {
                    trace.frame(Direction::Sent, peer, body.body());
                }
                taken += body.len();
            }
            write_all_bodies(&mut stream, framing, &batch)?;
            batch.clear();
            if batch.capacity() > KEEP_CAPACITY {
                batch.shrink_to(KEEP_CAPACITY);
            }
            outbox.written(taken);
        }
        if let Some(last) = outbox.farewell(framing) {
            stream.write_all(&last)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::ServerMessage;
    use crate::message::server::UserList;

    fn frame(text: &str) -> Outgoing {
        Outgoing::new(&ServerMessage::UserList(UserList {
            users: vec![text.into()],
        }))
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
    fn nothing_is_queued_after_the_last_frame_and_there_is_one_last_frame() {
        let outbox = Outbox::new(1000);
        outbox.push(frame("before")).unwrap();
        assert!(outbox.reply_last(Outgoing::framed(vec![0x88, 0])));
        assert_eq!(outbox.push(frame("after")), Err(PushError::Closed));
        assert!(!outbox.reply_last(Outgoing::framed(vec![0x88, 0])));
        assert!(!outbox.reply(Outgoing::framed(vec![0x8A, 0])));
        let mut batch = Vec::new();
        assert!(outbox.take_batch(&mut batch));
        assert_eq!(batch.len(), 2);
        assert!(batch[1].is_framed());
        // The writer adds no close of its own.
        assert_eq!(outbox.farewell(Framing::WebSocket), None);
    }

    #[test]
    fn a_closed_outbox_says_goodbye_the_way_it_was_closed() {
        let outbox = Outbox::new(1000);
        outbox.close_because(Ending::GoingAway);
        outbox.close();
        assert_eq!(
            outbox.farewell(Framing::WebSocket),
            Framing::WebSocket.farewell(Ending::GoingAway)
        );
        assert_eq!(outbox.farewell(Framing::Tcp), None);
    }

    #[test]
    fn the_last_frame_is_queued_even_when_the_queue_is_full() {
        let one = frame("hello");
        let outbox = Outbox::new(one.len());
        outbox.push(one.clone()).unwrap();
        assert_eq!(outbox.push(one), Err(PushError::Full));
        assert_eq!(outbox.push_last(Outgoing::framed(vec![0x88, 0])), Ok(()));
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
