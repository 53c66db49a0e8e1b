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
//! written.
//!
//! Not everything is in a hurry. A chat line should leave *now*; a notice
//! that someone joined or left ([`Outbox::push_notice`]) may wait up to
//! [`NOTICE_DELAY`] for company. Waking a sleeping thread costs a system
//! call and two trips through the scheduler, far more than writing a
//! hundred bytes, and when 5,000 clients join one after another every join
//! owes a notice to everyone: waking 5,000 writers per join is what made
//! such a storm slow. Letting notices wait means each writer wakes once per
//! interval and writes all the notices of that interval in one call. The
//! order of what a client receives does not change: notices wait in the
//! same queue, and anything urgent takes them along.
//! `docs/04-one-thread-per-client.md` tells the longer story, and
//! `docs/06-misbehaving-peers.md` what happens to a client that cannot
//! keep up.

use std::collections::VecDeque;
use std::io::{self, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::sync::lock;
use crate::trace::{Direction, Trace};
use crate::transport::{BODIES_PER_WRITE, Ending, Framing, Outgoing, Replies, write_all_bodies};

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
    /// How long a notice may wait (see [`NOTICE_DELAY`]).
    notice_delay: Duration,
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
    /// True while the writer sleeps on `bodies_ready` with nothing queued.
    /// Waking a thread is a system call even when nobody sleeps, and a
    /// broadcast pushes to every client's queue, so we only signal when the
    /// writer is really waiting, and only once: whoever signals clears it.
    writer_waiting: bool,
    /// True while the writer holds back queued notices until their
    /// deadline; only something urgent wakes it early.
    lingering: bool,
    /// Something queued must go out now (anything but a notice).
    urgent: bool,
    /// When the oldest notice still queued was queued, if one is.
    notices_since: Option<Instant>,
    /// Set when the writer has just written notices: more are likely to
    /// follow (a storm of joins), so until then it looks again on its own,
    /// and notices queued meanwhile need not wake it.
    warm_until: Option<Instant>,
    /// Bulk senders sleeping on `room_freed`, for the same reason.
    bulk_waiting: usize,
}

/// The longest a join or leave notice waits for company in a queue before
/// the writer sends it anyway. A person does not notice a tenth of a
/// second on "Bob joined"; a server with 5,000 clients notices the
/// difference between waking every writer on every join and waking each
/// one ten times a second.
pub const NOTICE_DELAY: Duration = Duration::from_millis(100);

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
                lingering: false,
                urgent: false,
                notices_since: None,
                warm_until: None,
                bulk_waiting: 0,
            }),
            bodies_ready: Condvar::new(),
            room_freed: Condvar::new(),
            limit,
            notice_delay: NOTICE_DELAY,
        }
    }

    /// The same outbox with another notice delay (tests use an hour, to
    /// see that only an urgent body makes a notice go, or a moment).
    #[cfg(test)]
    fn with_notice_delay(mut self, delay: Duration) -> Self {
        self.notice_delay = delay;
        self
    }

    /// Queues a chat or control message without waiting.
    pub fn push(&self, body: Outgoing) -> Result<(), PushError> {
        self.push_now(body, true)
    }

    /// Queues a notice (someone joined or left) without waiting. It goes
    /// out with the next urgent message, or at the latest [`NOTICE_DELAY`]
    /// after the oldest notice queued with it.
    pub fn push_notice(&self, body: Outgoing) -> Result<(), PushError> {
        self.push_now(body, false)
    }

    /// [`Outbox::push`] and [`Outbox::push_notice`]: refused, never waited
    /// for, when the outbox is closed or the body would not fit.
    fn push_now(&self, body: Outgoing, urgent: bool) -> Result<(), PushError> {
        let mut state = self.lock();
        if state.closed {
            return Err(PushError::Closed);
        }
        if state.bytes + body.len() > self.limit {
            return Err(PushError::Full);
        }
        self.enqueue(&mut state, body, urgent);
        Ok(())
    }

    /// Queues a file chunk, waiting up to `timeout` for room.
    ///
    /// File data may fill only half the queue, and at most [`BULK_WINDOW`].
    /// A file sender is much faster than a chat typist, so without this
    /// reserve a big download would keep the queue full and a chat line to
    /// the same user would find no room. Waiting here is what slows a file
    /// sender down to the pace of its slowest receiver (back-pressure)
    /// instead of queueing without end.
    pub fn push_bulk(&self, body: Outgoing, timeout: Duration) -> Result<(), PushError> {
        let deadline = Instant::now() + timeout;
        let mut state = self.lock();
        let room = (self.limit / 2).min(BULK_WINDOW);
        while !state.closed && state.bytes + body.len() > room && state.bytes > 0 {
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
        self.enqueue(&mut state, body, true);
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
        self.enqueue(&mut state, frame, true);
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

    /// Adds `body` to the queue and wakes the writer if it must: an urgent
    /// body wakes it whether it sleeps or lingers; a notice wakes it only
    /// from sleep, and the writer then lingers until the notice is due.
    fn enqueue(&self, state: &mut State, body: Outgoing, urgent: bool) {
        state.bytes += body.len();
        state.queue.push_back(body);
        if urgent {
            state.urgent = true;
        } else {
            state.notices_since.get_or_insert_with(Instant::now);
        }
        if state.writer_waiting || (urgent && state.lingering) {
            state.writer_waiting = false;
            state.lingering = false;
            self.bodies_ready.notify_one();
        }
    }

    /// Writer side: waits for bodies and moves them into `batch`, as many
    /// as one write takes ([`BODIES_PER_WRITE`]). Returns false once the
    /// outbox is closed and empty.
    ///
    /// Something urgent is taken at once. Notices are taken when the oldest
    /// is due, or earlier when the writer looks again on its own: after
    /// writing notices, it stays *warm* for one more [`NOTICE_DELAY`],
    /// sleeping with a timeout instead of waiting to be woken. In a storm
    /// of joins that makes one wake-up per interval, the writer's own,
    /// where being woken by the first notice and again when it is due would
    /// make two.
    fn take_batch(&self, batch: &mut Vec<Outgoing>) -> bool {
        let mut state = self.lock();
        let mut slept = false;
        loop {
            let now = Instant::now();
            let due = state.notices_since.map(|since| since + self.notice_delay);
            let look_again = match (due, state.warm_until) {
                (Some(due), Some(warm)) => Some(due.min(warm)),
                (due, warm) => due.or(warm),
            };
            let ready = state.urgent || state.closed || look_again.is_some_and(|t| now >= t);
            if !state.queue.is_empty() && ready {
                break;
            }
            if state.queue.is_empty() && state.closed {
                return false;
            }
            match look_again {
                Some(t) if now < t => {
                    state.lingering = true;
                    state = self.wait(state, Some(t - now));
                    state.lingering = false;
                }
                // Warm, but nothing came: wait to be woken from now on.
                Some(_) => state.warm_until = None,
                None => {
                    // Going to sleep with nothing queued: a burst is over,
                    // and an idle client need not keep its queue's room.
                    if state.queue.capacity() > KEEP_CAPACITY {
                        state.queue.shrink_to(KEEP_CAPACITY);
                    }
                    slept = true;
                    state.writer_waiting = true;
                    state = self.wait(state, None);
                    state.writer_waiting = false;
                }
            }
        }
        if slept && state.urgent {
            // We were woken by the first body of what is often a burst (a
            // broadcast reaches every queue at once). Stepping aside for a
            // moment lets the rest of the burst arrive, so that one `write`
            // carries all of it. When nothing else wants the processor,
            // this returns at once.
            drop(state);
            std::thread::yield_now();
            state = self.lock();
        }
        let wrote_notices = state.notices_since.is_some();
        let take = state.queue.len().min(BODIES_PER_WRITE);
        batch.extend(state.queue.drain(..take));
        // Whatever did not fit is due already: the next call takes it.
        state.urgent = !state.queue.is_empty();
        state.notices_since = None;
        state.warm_until = wrote_notices.then(|| Instant::now() + self.notice_delay);
        if state.queue.capacity() > SHRINK_QUEUE_ABOVE {
            state.queue.shrink_to(KEEP_CAPACITY);
        }
        true
    }

    /// Writer side: sleeps on `bodies_ready`, at most `timeout` if given.
    fn wait<'a>(
        &self,
        state: MutexGuard<'a, State>,
        timeout: Option<Duration>,
    ) -> MutexGuard<'a, State> {
        match timeout {
            None => self
                .bodies_ready
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner),
            Some(timeout) => {
                self.bodies_ready
                    .wait_timeout(state, timeout)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0
            }
        }
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

/// The most file data one queue holds (a chunk bigger than this still goes,
/// alone). Enough for one full write of 4 KiB chunks ([`BODIES_PER_WRITE`]
/// of them, 350 KiB) with the next ones gathering behind it, so that the
/// relay and the writer rarely wait for each other; and no more, because
/// the kernel's socket buffer behind the queue holds far more, and every
/// chunk in the queue is a block of memory the relay allocated and the
/// writer frees. The more of them in flight, the more the memory allocator
/// grows its heap and hands the top back to the system, and every 4 KiB it
/// grows again is a page fault: relaying one 256 MiB file made 54,000 of
/// them with 2 MiB of chunks in flight (a fifth of the server's time),
/// about 15,000 with 512 KiB, and 1,000 with 96 KiB, which however left
/// the relay waiting on the writer more often than the faults cost.
pub const BULK_WINDOW: usize = 512 * 1024;

/// Past this many entries, a batch's spare room is given back after use, so
/// that a burst (a thousand joins at once) does not leave every idle client
/// holding memory it no longer needs.
const KEEP_CAPACITY: usize = 64;

/// While its writer is busy, a queue's own spare room is given back only
/// past this many entries (16 bytes each); otherwise when the writer goes
/// to sleep with nothing to do. Queues fill and empty every
/// [`NOTICE_DELAY`] during a join storm; shrinking each of them every
/// time, only for the next joins to grow it again, keeps the memory
/// allocator busy moving blocks between thousands of threads, and each
/// thread keeps a few of the blocks it freed for later.
const SHRINK_QUEUE_ABOVE: usize = 1024;

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
    use std::sync::Arc;

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

    /// Runs `take_batch` on a thread of its own, as the writer does.
    fn writer_takes(outbox: &Arc<Outbox>) -> std::thread::JoinHandle<Vec<Outgoing>> {
        let outbox = outbox.clone();
        std::thread::spawn(move || {
            let mut batch = Vec::new();
            assert!(outbox.take_batch(&mut batch));
            batch
        })
    }

    fn bodies(batch: &[Outgoing]) -> Vec<&[u8]> {
        batch.iter().map(Outgoing::body).collect()
    }

    #[test]
    fn notices_wait_for_something_urgent_and_go_with_it_in_order() {
        // An hour's delay: only the urgent body can make the writer go.
        let outbox = Arc::new(Outbox::new(1000).with_notice_delay(Duration::from_secs(3600)));
        let writer = writer_takes(&outbox);
        let (joined, left, chat) = (frame("joined"), frame("left"), frame("chat"));
        outbox.push_notice(joined.clone()).unwrap();
        outbox.push_notice(left.clone()).unwrap();
        outbox.push(chat.clone()).unwrap();
        let batch = writer.join().unwrap();
        assert_eq!(
            bodies(&batch),
            [joined.body(), left.body(), chat.body()],
            "everything queued goes, in the order it was queued"
        );
    }

    #[test]
    fn a_notice_alone_goes_once_it_is_due() {
        let delay = Duration::from_millis(50);
        let outbox = Arc::new(Outbox::new(1000).with_notice_delay(delay));
        let queued = Instant::now();
        outbox.push_notice(frame("joined")).unwrap();
        let batch = writer_takes(&outbox).join().unwrap();
        assert_eq!(batch.len(), 1);
        assert!(
            queued.elapsed() >= delay,
            "the notice went before it was due"
        );
    }

    #[test]
    fn closing_sends_waiting_notices_at_once() {
        let outbox = Arc::new(Outbox::new(1000).with_notice_delay(Duration::from_secs(3600)));
        outbox.push_notice(frame("left")).unwrap();
        let writer = writer_takes(&outbox);
        outbox.close();
        assert_eq!(writer.join().unwrap().len(), 1);
        assert!(!outbox.take_batch(&mut Vec::new()), "closed and empty");
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
        let outbox = Arc::new(Outbox::new(one.len() * 2));
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
