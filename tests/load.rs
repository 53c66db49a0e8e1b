//! Many clients talking at once: nothing lost, each sender's order kept.

mod common;

use common::Server;
use std::thread;

const CLIENTS: usize = 20;
const MESSAGES: usize = 50;

#[test]
fn twenty_clients_fifty_messages_each_none_lost_in_order() {
    let server = Server::start(&[]);
    let mut clients: Vec<_> = (0..CLIENTS)
        .map(|i| server.join(&format!("user{i:02}")))
        .collect();
    // Everyone has seen the last join, so everyone is in the room.
    let last = format!("user{:02} joined", CLIENTS - 1);
    for client in clients.iter_mut().take(CLIENTS - 1) {
        client.expect(&last);
    }

    // All clients type at once.
    thread::scope(|scope| {
        for (i, client) in clients.iter_mut().enumerate() {
            scope.spawn(move || {
                for n in 0..MESSAGES {
                    client.send(&format!("m{n:03} from user{i:02}"));
                }
            });
        }
    });

    // Each client shows every message once: the others' as they arrive,
    // its own as the confirmation printed when it was sent.
    thread::scope(|scope| {
        for (i, client) in clients.iter_mut().enumerate() {
            scope.spawn(move || {
                let mut next = [0usize; CLIENTS];
                for _ in 0..CLIENTS * MESSAGES {
                    let line = client.expect(" from user");
                    // "[hh:mm:ss] userSS: mNNN from userSS"
                    let (who, text) = line[11..].split_once(": ").expect("chat line");
                    let n: usize = text[1..4].parse().expect("number");
                    let sender: usize = text[text.len() - 2..].parse().expect("sender");
                    assert_eq!(who, format!("user{sender:02}"), "{line}");
                    assert_eq!(
                        n, next[sender],
                        "user{i:02}: out of order from user{sender:02}: {line}"
                    );
                    next[sender] += 1;
                }
                assert_eq!(next, [MESSAGES; CLIENTS], "user{i:02}");
                client.expect_none(" from user");
            });
        }
    });
}
