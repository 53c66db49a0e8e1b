//! What the client's event loop hears about, and the two threads that tell
//! it.
//!
//! Reading the keyboard and reading the socket both block, so each gets a
//! thread of its own whose only job is to wait and pass on what arrives, as
//! an [`Event`], over one channel. The event loop (in [`super::run`]) takes
//! events one at a time, in the order they happened, and does all the
//! deciding; neither thread decides anything.
//!
//! The keyboard thread passes on *bytes* as they are read, not lines: with
//! the terminal as it is today, a read returns a whole line (the terminal
//! collects it, and handles Backspace, until Enter), and the loop cuts the
//! bytes into lines ([`super::input::Lines`]). A line editor that puts the
//! terminal in raw mode gets every keystroke from the same thread, with no
//! change here.

use std::io::{self, Read};
use std::sync::mpsc::SyncSender;
use std::thread::{self, JoinHandle};

use crate::message::{DecodeError, ServerMessage};
use crate::transport::{MessageReader, ReadError, tcp};

/// How the client reads the server: TCP frames of server messages.
pub type ServerReader<R> = MessageReader<tcp::Reader<R>, ServerMessage>;

/// Events waiting for the loop, at most. A full channel makes the threads
/// wait, which is what we want: the socket thread stops reading, and TCP
/// slows the server down, instead of a fast download filling our memory
/// faster than the disk takes it.
pub const QUEUED_EVENTS: usize = 64;

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

/// Starts the keyboard thread: reads `input` until it ends, passing on what
/// it reads.
///
/// This is the one thread nobody joins. std cannot interrupt a read of the
/// keyboard, so when the chat ends while the user is not typing, this thread
/// is still waiting in `read`; it ends with the process.
pub fn spawn_keyboard<I>(mut input: I, events: SyncSender<Event>) -> io::Result<JoinHandle<()>>
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
                if events.send(event).is_err() || ended {
                    return;
                }
            }
        })
}

/// Starts the socket thread: reads the server's messages until the
/// connection ends, passing each on.
pub fn spawn_socket<R>(
    mut reader: ServerReader<R>,
    events: SyncSender<Event>,
) -> io::Result<JoinHandle<()>>
where
    R: Read + Send + 'static,
{
    thread::Builder::new()
        .name("socket".to_string())
        .spawn(move || {
            loop {
                let event = match reader.read_message() {
                    Ok(Some(message)) => Event::Message(message),
                    Err(ReadError::Decode(e)) => Event::BadMessage(e),
                    Ok(None) | Err(ReadError::Transport(_)) => {
                        let _ = events.send(Event::Disconnected);
                        return;
                    }
                };
                if events.send(event).is_err() {
                    return;
                }
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;
    use std::sync::mpsc::sync_channel;

    #[test]
    fn the_keyboard_thread_passes_bytes_on_then_the_end() {
        let (tx, rx) = sync_channel(QUEUED_EVENTS);
        let keyboard = spawn_keyboard(Cursor::new(b"hello\n/quit\n".to_vec()), tx).unwrap();
        let mut typed = Vec::new();
        loop {
            match rx.recv().unwrap() {
                Event::Keys(bytes) => typed.extend(bytes),
                Event::KeysEnded => break,
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(typed, b"hello\n/quit\n");
        keyboard.join().unwrap();
    }

    #[test]
    fn the_socket_thread_passes_messages_on_then_the_end() {
        let mut wire = tcp::frame(&ServerMessage::Ping);
        crate::frame::encode_frame(b"nonsense", &mut wire);
        wire.extend(tcp::frame(&ServerMessage::Pong));
        let (tx, rx) = sync_channel(QUEUED_EVENTS);
        let reader = tcp::message_reader(Cursor::new(wire), 1024);
        let socket = spawn_socket(reader, tx).unwrap();
        assert!(matches!(rx.recv(), Ok(Event::Message(ServerMessage::Ping))));
        assert!(matches!(rx.recv(), Ok(Event::BadMessage(_))));
        assert!(matches!(rx.recv(), Ok(Event::Message(ServerMessage::Pong))));
        assert!(matches!(rx.recv(), Ok(Event::Disconnected)));
        socket.join().unwrap();
    }
}
