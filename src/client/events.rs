//! What the client's event loop hears about, and the two threads that tell
//! it.
//!
//! Reading the keyboard and reading the socket both block, so each gets a
//! thread of its own whose only job is to wait and pass on what arrives, as
//! an [`Event`], over one channel. The event loop (in [`super::run`]) takes
//! events one at a time, in the order they happened, from its [`Inbox`], and
//! does all the deciding; neither thread decides anything.
//!
//! The keyboard thread passes on *bytes* as they are read, not lines: with
//! the terminal as it is today, a read returns a whole line (the terminal
//! collects it, and handles Backspace, until Enter), and the loop cuts the
//! bytes into lines ([`super::input::Lines`]). A line editor that puts the
//! terminal in raw mode gets every keystroke from the same thread, with no
//! change here.
//!
//! The socket thread passes messages on in **batches**. A file arrives as
//! thousands of 4 KiB chunks, and the event loop handles one faster than the
//! socket thread reads the next, so if every chunk went over the channel on
//! its own, the loop would fall asleep after each and be woken for the next:
//! two threads taking turns, paying a wake-up (a `futex` system call, and a
//! trip through the scheduler) per 4 KiB, which costs more than the chunk's
//! own work. Instead, after reading one message the socket thread asks
//! whether the next one is already in its buffer
//! ([`MessageReader::message_waiting`]: no system call, no waiting) and, while
//! one is, takes it too; then it sends them all as one `Vec`. A batch is made
//! only of what has already arrived, so a chat line is never held back
//! waiting for company: alone on the wire, it goes on alone, at once.
//! Receiving a 256 MiB file, this halved the client's context switches, cut
//! its page faults from about 20,000 to about 2,000 and its CPU time by a
//! seventh.

use std::io::{self, Read};
use std::sync::mpsc::{Receiver, RecvError, RecvTimeoutError, SyncSender, sync_channel};
use std::thread::{self, JoinHandle};
use std::time::Duration;
use std::vec;

use crate::message::{DecodeError, Message, ServerMessage};
use crate::transport::{MessageReader, ReadBody, ReadError, tcp};

/// How the client reads the server: TCP frames of server messages.
pub type ServerReader<R> = MessageReader<tcp::Reader<R>, ServerMessage>;

/// Batches waiting for the loop, at most. A full channel makes the threads
/// wait, which is what we want: the socket thread stops reading, and TCP
/// slows the server down, instead of a fast download filling our memory
/// faster than the disk takes it.
///
/// The channel counts batches, not messages, so what it can hold is this
/// many times the largest batch: a few hundred KiB of chat lines, at most
/// 4 MiB of bigger messages ([`BATCH_BYTES`] each). A download's chunks come
/// in batches of what one read of the socket brought (up to the frame
/// reader's 64 KiB read-ahead, a dozen chunks), so about 1 MiB of a file is
/// queued here: enough for the socket thread to read on while the loop
/// waits for the disk.
pub const QUEUED_BATCHES: usize = 16;

/// Messages in one batch, at most: the socket thread sends what it has
/// once it has this many, even if more are waiting.
pub const BATCH_MESSAGES: usize = 64;

/// Bytes of messages in one batch, about (each counted as its JSON's
/// length, [`Message::size_hint`]): a batch ends once it holds this much.
/// It can hold one message more than this, and a message is at most a frame
/// ([`DEFAULT_MAX_FRAME`](crate::frame::DEFAULT_MAX_FRAME), 1 MiB), so the
/// channel never holds more than [`QUEUED_BATCHES`] × (256 KiB + 1 MiB),
/// about 20 MiB, however the server sends.
pub const BATCH_BYTES: usize = 256 * 1024;

/// Something the event loop must handle.
#[derive(Debug)]
pub enum Event {
    /// Bytes from the keyboard (or the pipe standing in for it), as they
    /// were read.
    Keys(Vec<u8>),
    /// The keyboard's input ended (Ctrl-D, or the end of a pipe).
    KeysEnded,
    /// A message from the server.
    Message(ServerMessage),
    /// A frame from the server that is not a message we know. Shown, and
    /// the connection goes on: framing is still in step.
    BadMessage(DecodeError),
    /// The connection to the server ended.
    Disconnected,
}

/// What the reading threads send: events, in the order they happened. The
/// keyboard's are one at a time; the socket's come in batches.
pub type EventSender = SyncSender<Vec<Event>>;

/// The channel between the reading threads and the loop: the end each
/// thread sends on (clone it for the second), and the loop's [`Inbox`].
pub fn channel() -> (EventSender, Inbox) {
    let (events, batches) = sync_channel(QUEUED_BATCHES);
    let inbox = Inbox {
        batches,
        batch: Vec::new().into_iter(),
    };
    (events, inbox)
}

/// The event loop's end of the channel. It unpacks the batches and hands
/// out one event at a time, so that every place that waits for an event
/// (the loop, the password prompt, the goodbye) reads like a plain channel
/// and never needs to know about batches.
pub struct Inbox {
    batches: Receiver<Vec<Event>>,
    /// What is left of the last batch received.
    batch: vec::IntoIter<Event>,
}

impl Inbox {
    /// The next event, waiting for one; an error once both threads are
    /// gone and every event they sent has been handed out.
    pub fn recv(&mut self) -> Result<Event, RecvError> {
        loop {
            if let Some(event) = self.batch.next() {
                return Ok(event);
            }
            self.batch = self.batches.recv()?.into_iter();
        }
    }

    /// The next event, waiting at most `timeout` for the next batch. An
    /// event left from the last batch is handed out at once.
    pub fn recv_timeout(&mut self, timeout: Duration) -> Result<Event, RecvTimeoutError> {
        loop {
            if let Some(event) = self.batch.next() {
                return Ok(event);
            }
            // No thread sends an empty batch, so this waits at most once.
            self.batch = self.batches.recv_timeout(timeout)?.into_iter();
        }
    }
}

/// Starts the keyboard thread: reads `input` until it ends, passing on what
/// it reads.
///
/// This is the one thread nobody joins. std cannot interrupt a read of the
/// keyboard, so when the chat ends while the user is not typing, this thread
/// is still waiting in `read`; it ends with the process.
pub fn spawn_keyboard<I>(mut input: I, events: EventSender) -> io::Result<JoinHandle<()>>
where
    I: Read + Send + 'static,
{
    thread::Builder::new()
        .name("keyboard".to_string())
        .spawn(move || {
            let mut buffer = vec![0; 4096];
            loop {
                let event = match input.read(&mut buffer) {
                    Ok(0) => Event::KeysEnded,
                    Ok(n) => Event::Keys(buffer[..n].to_vec()),
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(_) => Event::KeysEnded,
                };
                let ended = matches!(event, Event::KeysEnded);
                // The loop has finished if nobody receives: stop as well.
                if events.send(vec![event]).is_err() || ended {
                    return;
                }
            }
        })
}

/// Starts the socket thread: reads the server's messages until the
/// connection ends, passing them on in batches ([`read_batch`]).
pub fn spawn_socket<R>(
    mut reader: ServerReader<R>,
    events: EventSender,
) -> io::Result<JoinHandle<()>>
where
    R: Read + Send + 'static,
{
    thread::Builder::new()
        .name("socket".to_string())
        .spawn(move || {
            loop {
                let batch = read_batch(&mut reader);
                let ended = matches!(batch.last(), Some(Event::Disconnected));
                // The loop has finished if nobody receives: stop as well.
                if events.send(batch).is_err() || ended {
                    return;
                }
            }
        })
}

/// One batch: the next message, waiting for it as long as it takes, then
/// every message that is already here behind it, up to [`BATCH_MESSAGES`]
/// and [`BATCH_BYTES`]. Never empty.
///
/// Order is kept whatever happens. A frame that is no message we know ends
/// the batch as its last event, behind the messages before it; the end of
/// the connection ends it with [`Event::Disconnected`], which is the last
/// event the thread sends.
fn read_batch<B: ReadBody>(reader: &mut MessageReader<B, ServerMessage>) -> Vec<Event> {
    let mut batch = Vec::new();
    let mut bytes = 0;
    loop {
        match reader.read_message() {
            Ok(Some(message)) => {
                bytes += message.size_hint();
                batch.push(Event::Message(message));
            }
            Err(ReadError::Decode(e)) => {
                batch.push(Event::BadMessage(e));
                return batch;
            }
            Ok(None) | Err(ReadError::Transport(_)) => {
                batch.push(Event::Disconnected);
                return batch;
            }
        }
        if batch.len() >= BATCH_MESSAGES || bytes >= BATCH_BYTES || !reader.message_waiting() {
            return batch;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::FileChunk;
    use crate::message::server::Chat;
    use crate::transport::TransportError;
    use std::collections::VecDeque;
    use std::io::{Cursor, Write};
    use std::net::{TcpListener, TcpStream};

    fn chat(text: &str) -> ServerMessage {
        ServerMessage::Chat(Chat::new(text.into(), "Alice".into(), 0, None))
    }

    /// What each batch the socket thread sent holds, until it ended: `M`
    /// for a message, `B` for a bad one, `D` for the end.
    fn batches_sent(wire: Vec<u8>) -> Vec<String> {
        let (tx, rx) = sync_channel(QUEUED_BATCHES);
        let socket = spawn_socket(tcp::message_reader(Cursor::new(wire), 1024), tx).unwrap();
        let batches = rx
            .iter()
            .map(|batch| {
                batch
                    .iter()
                    .map(|event| match event {
                        Event::Message(_) => 'M',
                        Event::BadMessage(_) => 'B',
                        Event::Disconnected => 'D',
                        other => panic!("{other:?}"),
                    })
                    .collect()
            })
            .collect();
        socket.join().unwrap();
        batches
    }

    #[test]
    fn the_keyboard_thread_passes_bytes_on_then_the_end() {
        let (tx, mut inbox) = channel();
        let keyboard = spawn_keyboard(Cursor::new(b"hello\n/quit\n".to_vec()), tx).unwrap();
        let mut typed = Vec::new();
        loop {
            match inbox.recv().unwrap() {
                Event::Keys(bytes) => typed.extend(bytes),
                Event::KeysEnded => break,
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(typed, b"hello\n/quit\n");
        keyboard.join().unwrap();
    }

    #[test]
    fn the_socket_thread_passes_messages_on_in_order_then_the_end() {
        let mut wire = tcp::frame(&ServerMessage::Ping);
        crate::frame::encode_frame(b"nonsense", &mut wire);
        wire.extend(tcp::frame(&ServerMessage::Pong));
        let (tx, mut inbox) = channel();
        let reader = tcp::message_reader(Cursor::new(wire), 1024);
        let socket = spawn_socket(reader, tx).unwrap();
        assert!(matches!(
            inbox.recv(),
            Ok(Event::Message(ServerMessage::Ping))
        ));
        assert!(matches!(inbox.recv(), Ok(Event::BadMessage(_))));
        assert!(matches!(
            inbox.recv(),
            Ok(Event::Message(ServerMessage::Pong))
        ));
        assert!(matches!(inbox.recv(), Ok(Event::Disconnected)));
        socket.join().unwrap();
        assert!(inbox.recv().is_err(), "nothing after the end");
    }

    #[test]
    fn a_burst_already_buffered_goes_over_the_channel_as_one_batch() {
        // Ten chat lines that one read of the socket brings in together:
        // one send for all ten, and one for the end that the next read
        // finds (before batches, eleven).
        let mut wire = Vec::new();
        for i in 0..10 {
            wire.extend(tcp::frame(&chat(&format!("line {i}"))));
        }
        assert!(
            wire.len() < 1024,
            "one read of the small buffer takes it all"
        );
        assert_eq!(batches_sent(wire), ["MMMMMMMMMM", "D"]);
    }

    #[test]
    fn a_bad_frame_ends_its_batch_and_broken_framing_ends_the_last() {
        let mut wire = tcp::frame(&ServerMessage::Ping);
        crate::frame::encode_frame(b"nonsense", &mut wire);
        wire.extend(tcp::frame(&ServerMessage::Pong));
        wire.extend(tcp::frame(&ServerMessage::Ping));
        assert_eq!(batches_sent(wire.clone()), ["MB", "MM", "D"]);
        // A length over the limit: framing is lost, the connection ends
        // behind the messages that came before it, in the same batch.
        wire.extend([0xFF; 4]);
        wire.extend(tcp::frame(&ServerMessage::Pong));
        assert_eq!(batches_sent(wire), ["MB", "MMD"]);
    }

    #[test]
    fn a_line_alone_on_the_wire_is_passed_on_at_once() {
        // A real connection that stays open: if the thread waited for a
        // second message to batch with the first, the line would never
        // come.
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut server = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (client, _) = listener.accept().unwrap();
        let (tx, mut inbox) = channel();
        let socket = spawn_socket(tcp::message_reader(client, 1024), tx).unwrap();
        server
            .write_all(&tcp::frame(&chat("anyone here?")))
            .unwrap();
        match inbox.recv_timeout(Duration::from_secs(10)) {
            Ok(Event::Message(message)) => assert_eq!(message, chat("anyone here?")),
            other => panic!("{other:?}"),
        }
        drop(server);
        assert!(matches!(inbox.recv(), Ok(Event::Disconnected)));
        socket.join().unwrap();
    }

    /// Bodies that have all arrived already: every one is waiting.
    struct Arrived(VecDeque<Vec<u8>>);

    impl ReadBody for Arrived {
        fn read_body(&mut self) -> Result<Option<Vec<u8>>, TransportError> {
            Ok(self.0.pop_front())
        }

        fn body_waiting(&self) -> bool {
            !self.0.is_empty()
        }
    }

    fn arrived(
        messages: impl IntoIterator<Item = ServerMessage>,
    ) -> MessageReader<Arrived, ServerMessage> {
        MessageReader::new(Arrived(messages.into_iter().map(|m| m.encode()).collect()))
    }

    #[test]
    fn a_batch_holds_at_most_batch_messages() {
        let mut reader = arrived((0..150).map(|i| chat(&i.to_string())));
        let sizes: Vec<usize> = (0..4).map(|_| read_batch(&mut reader).len()).collect();
        assert_eq!(sizes, [BATCH_MESSAGES, BATCH_MESSAGES, 22, 1]);
        assert!(matches!(
            read_batch(&mut arrived([])).as_slice(),
            [Event::Disconnected]
        ));
    }

    #[test]
    fn a_batch_holds_about_batch_bytes_at_most() {
        let chunk = |index| {
            ServerMessage::FileChunk(FileChunk {
                transfer_id: "1".into(),
                index,
                data: "A".repeat(10_000),
            })
        };
        let mut reader = arrived((0..100).map(chunk));
        let batch = read_batch(&mut reader);
        let sizes: Vec<usize> = batch
            .iter()
            .map(|event| match event {
                Event::Message(message) => message.size_hint(),
                other => panic!("{other:?}"),
            })
            .collect();
        let bytes: usize = sizes.iter().sum();
        assert!(sizes.len() < BATCH_MESSAGES);
        assert!(bytes >= BATCH_BYTES, "{bytes} bytes: ended early");
        assert!(
            bytes - sizes[sizes.len() - 1] < BATCH_BYTES,
            "{bytes} bytes: one too many"
        );
    }

    #[test]
    fn the_inbox_hands_out_a_batch_one_event_at_a_time_in_order() {
        let (tx, mut inbox) = channel();
        tx.send(vec![
            Event::Keys(b"a".to_vec()),
            Event::Message(ServerMessage::Ping),
        ])
        .unwrap();
        tx.send(vec![Event::KeysEnded]).unwrap();
        drop(tx);
        assert!(matches!(inbox.recv(), Ok(Event::Keys(k)) if k == b"a"));
        // What is left of a batch needs no waiting at all.
        assert!(matches!(
            inbox.recv_timeout(Duration::ZERO),
            Ok(Event::Message(ServerMessage::Ping))
        ));
        assert!(matches!(
            inbox.recv_timeout(Duration::from_secs(10)),
            Ok(Event::KeysEnded)
        ));
        assert!(matches!(
            inbox.recv_timeout(Duration::ZERO),
            Err(RecvTimeoutError::Disconnected)
        ));
    }
}
