//! Memory a peer controls: what a connection costs the server is measured
//! in bytes of resident memory, on a live server.
//!
//! The contract (`docs/protocol.md`, resources a peer controls) says that
//! what a connection costs grows with the bytes it has actually sent, never
//! with a length it has declared. Four bytes of header can announce a 1 MiB
//! body; a server that believed them would give a few hundred such
//! connections hundreds of mebibytes. `docs/06-misbehaving-peers.md` tells
//! the story; the unit tests in `src/frame.rs` pin the buffer sizes.
//!
//! Resident memory is what Linux reports in `/proc`, so the test itself
//! runs on Linux only.

mod common;

/// Headers that each announce the largest body, and never send it.
#[cfg(target_os = "linux")]
mod linux {
    use std::io::Write;
    use std::net::TcpStream;
    use std::time::Instant;

    use super::common::procfs::{ESTABLISHED, TcpSocket, rss_bytes, tcp_sockets};
    use super::common::{DEADLINE, Server};
    use socket_chat::frame::{DEFAULT_MAX_FRAME, FrameReader, encode_frame};

    /// How many connections hold a header. Enough that the old way (a
    /// buffer of the declared length for each) shows as some 300 MiB, few
    /// enough for the default limits of a test machine (threads, files).
    const CONNECTIONS: usize = 300;

    /// What one connection holding a header may cost, all told: its two
    /// threads (their stacks, as far as they are touched), its queue and its
    /// read buffer. About 20 KiB were measured; the declared 1 MiB would be
    /// sixteen times this bound.
    const BOUND_PER_CONNECTION: u64 = 64 * 1024;

    /// A connection that asks the server for `PONG`s, to pace the waiting:
    /// each look at `/proc` follows a full round trip, so the test waits on
    /// the server, never on a guessed delay. Plain bytes, not message types.
    struct Probe {
        stream: TcpStream,
        frames: FrameReader<TcpStream>,
    }

    impl Probe {
        fn connect(port: u16) -> Probe {
            let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect the probe");
            stream.set_read_timeout(Some(DEADLINE)).expect("timeout");
            let frames = FrameReader::new(stream.try_clone().expect("clone"), DEFAULT_MAX_FRAME);
            Probe { stream, frames }
        }

        /// Sends a `PING` and waits for the `PONG`.
        fn round_trip(&mut self) {
            let mut frame = Vec::new();
            encode_frame(
                br#"{"type": "PING", "data": "", "metadata": {}}"#,
                &mut frame,
            );
            self.stream.write_all(&frame).expect("send PING");
            let body = self
                .frames
                .read_frame()
                .expect("an answer to PING")
                .expect("the server closed the probe");
            let body = String::from_utf8_lossy(&body);
            assert!(body.contains(r#""type": "PONG""#), "not a PONG: {body}");
        }
    }

    /// How many different connections `sockets` holds. The kernel does not
    /// take a snapshot when `/proc/PID/net/tcp` is read: on a busy machine,
    /// a socket can be listed twice while others come and go.
    fn distinct<'a>(sockets: impl Iterator<Item = &'a TcpSocket>) -> usize {
        sockets
            .map(|s| (s.local_port, s.remote_port))
            .collect::<std::collections::BTreeSet<_>>()
            .len()
    }

    /// Waits until `CONNECTIONS` sockets satisfy `condition`, one probe
    /// round trip between two looks.
    fn wait_for(probe: &mut Probe, pid: u32, what: &str, condition: impl Fn(&TcpSocket) -> bool) {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let count = distinct(tcp_sockets(pid).iter().filter(|s| condition(s)));
            if count == CONNECTIONS {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "waited {DEADLINE:?} for {what}: {count} of {CONNECTIONS}"
            );
            probe.round_trip();
        }
    }

    #[test]
    fn headers_declaring_the_largest_body_cost_the_server_almost_nothing() {
        let server = Server::start(&[]);
        let pid = server.proc.pid();
        let port = server.port;
        let mut probe = Probe::connect(port);
        probe.round_trip();
        let before = rss_bytes(pid);

        let header = u32::try_from(DEFAULT_MAX_FRAME)
            .expect("the limit fits the header")
            .to_be_bytes();
        let peers: Vec<TcpStream> = (0..CONNECTIONS)
            .map(|_| {
                let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
                stream.write_all(&header).expect("send a header");
                stream
            })
            .collect();
        let our_ports: Vec<u16> = peers
            .iter()
            .map(|s| s.local_addr().expect("local address").port())
            .collect();

        // The server has taken every header in once the kernel tells, first,
        // that each of our sockets had its 4 bytes acknowledged (they reached
        // the server's kernel), and then that no socket on the server's side
        // holds unread bytes (the server's `read` took them). Two looks, in
        // that order: in one look, a header could arrive between the line
        // of one end and the line of the other.
        wait_for(&mut probe, pid, "every header delivered", |s| {
            // `/proc/PID/net/tcp` lists every socket of the network
            // namespace, and two connections to different servers may share
            // a local port: only those to our server count.
            s.state == ESTABLISHED
                && our_ports.contains(&s.local_port)
                && s.remote_port == port
                && s.unacked == 0
        });
        wait_for(&mut probe, pid, "every header read", |s| {
            s.state == ESTABLISHED
                && s.local_port == port
                && our_ports.contains(&s.remote_port)
                && s.unread == 0
        });
        // One more round trip: the sessions have had the time the server
        // needs to answer a message since they read their headers.
        probe.round_trip();

        let after = rss_bytes(pid);
        let per_connection = after.saturating_sub(before) / CONNECTIONS as u64;
        eprintln!(
            "{CONNECTIONS} connections holding a header: resident memory {} KiB -> {} KiB, \
             {} KiB each",
            before / 1024,
            after / 1024,
            per_connection / 1024
        );
        assert!(
            per_connection <= BOUND_PER_CONNECTION,
            "each connection holding a header costs the server {per_connection} bytes, \
             more than {BOUND_PER_CONNECTION}"
        );
        // They are all still connected: the server kept them, it did not
        // get small by closing them.
        let open = distinct(tcp_sockets(pid).iter().filter(|s| {
            s.local_port == port && our_ports.contains(&s.remote_port) && s.state == ESTABLISHED
        }));
        assert_eq!(open, CONNECTIONS);
        probe.round_trip();
    }
}
