//! Small programs that the course quotes. Each one shows, by running, a
//! claim a chapter makes, so the quotes compile and the claims are checked
//! on every `cargo test`.

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use socket_chat::frame::{FrameReader, is_timeout};

/// A stand-in for a socket with a read timeout: it hands out its bytes in
/// the pieces given, and between two pieces one read fails with a timeout,
/// as a real read does when the peer pauses for longer than the timeout.
struct PausingPeer {
    pieces: VecDeque<Vec<u8>>,
    pause_next: bool,
}

impl PausingPeer {
    fn new(pieces: &[&[u8]]) -> Self {
        PausingPeer {
            pieces: pieces.iter().map(|p| p.to_vec()).collect(),
            pause_next: false,
        }
    }
}

impl Read for PausingPeer {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pause_next {
            self.pause_next = false;
            return Err(io::Error::new(io::ErrorKind::WouldBlock, "timed out"));
        }
        let Some(piece) = self.pieces.front_mut() else {
            return Ok(0); // the peer closed the connection
        };
        let n = piece.len().min(buf.len());
        buf[..n].copy_from_slice(&piece[..n]);
        piece.drain(..n);
        if piece.is_empty() {
            self.pieces.pop_front();
            self.pause_next = true;
        }
        Ok(n)
    }
}

/// Chapter 2: the tempting `read_exact` loses bytes when a read timeout
/// interrupts it.
#[test]
fn read_exact_loses_the_bytes_it_read_before_a_timeout() {
    // One frame, the 5-byte body "hello", arriving in two pieces: the
    // first two bytes of the header, a pause, then the rest.
    let frame = [0, 0, 0, 5, b'h', b'e', b'l', b'l', b'o'];
    let mut socket = PausingPeer::new(&[&frame[..2], &frame[2..]]);

    let mut header = [0u8; 4];
    let error = socket.read_exact(&mut header).unwrap_err();
    assert!(is_timeout(&error)); // a timeout: nothing wrong, try again...

    // ...but the two bytes read before the timeout are gone: read_exact
    // does not say how many it had, so the retry starts mid-header.
    socket.read_exact(&mut header).unwrap();
    assert_eq!(header, [0, 5, b'h', b'e']);
    assert_eq!(u32::from_be_bytes(header), 354_405); // not 5: framing is lost
}

/// Chapter 2: the frame reader keeps what it has across a timeout.
#[test]
fn frame_reader_keeps_the_bytes_across_a_timeout() {
    let frame = [0, 0, 0, 5, b'h', b'e', b'l', b'l', b'o'];
    let socket = PausingPeer::new(&[&frame[..2], &frame[2..]]);
    let mut reader = FrameReader::new(socket, 1024);

    let error = reader.read_frame().unwrap_err();
    assert!(error.is_timeout()); // the same timeout...

    // ...and the next call carries on where the last one stopped.
    assert_eq!(reader.read_frame().unwrap(), Some(b"hello".to_vec()));
}

/// Chapter 4: a write to a peer that never reads stops once the kernel's
/// buffers are full. A broadcast that wrote from the sender's thread would
/// stop there too.
#[test]
fn a_peer_that_never_reads_stops_our_writes() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let mut writer = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (_never_reads, _) = listener.accept().unwrap();

    // Without a timeout the write below would block forever.
    writer
        .set_write_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let chunk = vec![0u8; 64 * 1024];
    let mut taken = 0;
    let error = loop {
        match writer.write(&chunk) {
            Ok(n) => taken += n,
            Err(e) => break e,
        }
        assert!(taken < 1 << 30, "the kernel took a whole GiB");
    };
    assert!(is_timeout(&error));
    println!("the kernel took {taken} bytes for a peer that never reads, then write blocked");
}
