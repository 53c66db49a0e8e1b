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

    thread::scope(|scope| {
        for (i, client) in clients.iter_mut().enumerate() {
            scope.spawn(move || {
                let mut next = [0usize; CLIENTS];
                for _ in 0..(CLIENTS - 1) * MESSAGES {
                    let line = client.expect(" from user");
                    // "[hh:mm:ss] userSS: mNNN from userSS"
                    let text = line.split(": ").nth(1).expect("chat line");
                    let n: usize = text[1..4].parse().expect("number");
                    let sender: usize = text[text.len() - 2..].parse().expect("sender");
                    assert_ne!(sender, i, "a client received its own message");
                    assert_eq!(
                        n, next[sender],
                        "user{i:02}: out of order from user{sender:02}: {line}"
                    );
                    next[sender] += 1;
                }
                for (sender, count) in next.iter().enumerate() {
                    let expected = if sender == i { 0 } else { MESSAGES };
                    assert_eq!(*count, expected, "user{i:02} from user{sender:02}");
                }
            });
        }
    });
}
