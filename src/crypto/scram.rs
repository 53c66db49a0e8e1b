//! SCRAM-SHA-256 (RFC 5802, RFC 7677): a login that never sends the password.
//!
//! # The problem
//!
//! Without TLS, anyone on the path reads every byte. Sending the password
//! gives it away; sending its hash gives away something just as good, since
//! whoever replays the hash is let in. The server should not keep the
//! password either, or a stolen account file gives away every password.
//!
//! # The idea
//!
//! At registration the client derives, from its password, a random salt and
//! an iteration count ([`pbkdf2`]):
//!
//! ```text
//! SaltedPassword = PBKDF2-HMAC-SHA-256(password, salt, iterations)
//! ClientKey      = HMAC(SaltedPassword, "Client Key")
//! StoredKey      = SHA-256(ClientKey)
//! ServerKey      = HMAC(SaltedPassword, "Server Key")
//! ```
//!
//! and sends the server only the salt, the count, `StoredKey` and `ServerKey`
//! (a [`Verifier`]). To log in, four messages go back and forth:
//!
//! ```text
//! client-first   n,,n=NAME,r=CLIENT_NONCE
//! server-first   r=CLIENT_NONCE SERVER_NONCE,s=SALT,i=ITERATIONS
//! client-final   c=biws,r=CLIENT_NONCE SERVER_NONCE,p=PROOF
//! server-final   v=SERVER_SIGNATURE
//! ```
//!
//! Both sides then know the same *AuthMessage*: client-first (without its
//! `n,,` header), server-first and client-final (without its proof), joined
//! by commas. It holds both nonces, so it is different for every login.
//!
//! - The client proves it knows `ClientKey`: PROOF = ClientKey ⊕
//!   HMAC(StoredKey, AuthMessage). The server, which knows `StoredKey`,
//!   computes the HMAC, XORs it off, and checks that the SHA-256 of what is
//!   left is `StoredKey`. An eavesdropper who records PROOF cannot reuse it:
//!   the next login has other nonces, so another AuthMessage.
//! - The server proves it knows `ServerKey`: SERVER_SIGNATURE =
//!   HMAC(ServerKey, AuthMessage). Only a server that holds this account's
//!   verifier can compute it, so a client that checks it knows it did not
//!   log in to an impostor.
//! - A thief of the account file gets `StoredKey`, which is a hash of
//!   `ClientKey`, not `ClientKey` itself, so they still cannot log in; to
//!   find the password they must guess, paying PBKDF2's iterations per
//!   guess.
//!
//! # This implementation
//!
//! As the contract fixes it (section 10): no channel binding (the GS2 header
//! is always `n,,`, so `c=` is always `biws`, its base64), no authorization
//! identity (`a=`), names and passwords as their UTF-8 bytes without
//! SASLprep, `=` and `,` in a name written `=3D` and `=2C`. Every message is
//! parsed strictly, attribute by attribute in the order the RFC fixes, and
//! anything else is a typed [`ScramError`], never a panic. Messages arrive
//! as `&str`: the JSON layer has already refused bytes that are not UTF-8.
//!
//! The two sides are *state machines* in the type system: each state is a
//! type that owns what it needs and is consumed by the step that follows,
//! so a step cannot be skipped, repeated or run out of order.
//!
//! ```text
//! client: ClientFirst ──receive_server_first──▶ ClientFinal ──receive_server_final──▶ ok
//! server: ServerStart ──answer──▶ ServerFirst ──receive_client_final──▶ server-final
//! ```

use super::ct;
use super::hmac::hmac;
use super::pbkdf2;
use super::random;
use super::sha256::{self, DIGEST_LEN};
use crate::base64;
use std::fmt;
use std::io;
use std::num::NonZeroU32;

/// The mechanism's name, as the `AUTH` message's `mechanism` says it.
pub const MECHANISM: &str = "SCRAM-SHA-256";

/// The fewest iterations either side accepts (RFC 7677 section 4 asks for at
/// least 4,096). A server refuses weaker verifiers at registration; a client
/// refuses a server that asks for fewer, since an impostor could otherwise
/// pick a count that makes the client's proof cheap to attack offline.
pub const MIN_ITERATIONS: u32 = 4096;

/// The iterations a client uses for a new password: what OWASP recommends
/// for PBKDF2-HMAC-SHA-256 today. See the `codec` benchmark for what it costs.
pub const DEFAULT_ITERATIONS: u32 = 600_000;

/// The most iterations either side accepts: a client refuses to spend more
/// than about 17 times the default on one login, so a hostile server cannot
/// make it compute for hours.
pub const MAX_ITERATIONS: u32 = 10_000_000;

/// The length of the salts this module makes, and the shortest either side
/// accepts (the contract asks for at least 16 random bytes). A short or fixed
/// salt would let an attacker compute guesses once for many accounts.
pub const SALT_LEN: usize = 16;

/// The longest salt either side accepts, so that every server-first message
/// stays well below [`MAX_MESSAGE_LEN`].
pub const MAX_SALT_LEN: usize = 64;

/// Random bytes in a nonce this module makes; as base64, 24 characters.
const NONCE_BYTES: usize = 18;

/// The longest nonce accepted from a peer, in characters.
pub const MAX_NONCE_LEN: usize = 256;

/// The longest SCRAM message accepted, in bytes. Real ones are far shorter
/// (the RFC 7677 example's longest is 108 bytes); this bounds what a peer can
/// make us parse, copy and hash.
pub const MAX_MESSAGE_LEN: usize = 1024;

/// The GS2 header: `n` (no channel binding), no authorization identity.
const GS2_HEADER: &str = "n,,";

/// The `c=` attribute's value: the GS2 header in base64.
pub const CHANNEL_BINDING: &str = "biws";

/// The attribute letters RFC 5802 defines. Each has one fixed place, so one
/// of them where an extension may stand is out of order.
const DEFINED_ATTRIBUTES: &[u8] = b"acimnprsve";

/// Why a SCRAM exchange stopped. Every variant but [`AuthFailed`],
/// [`ServerSignatureMismatch`], [`ServerError`] and [`Random`] means a
/// message that breaks the grammar or the rules: a bug or a hostile peer.
///
/// [`AuthFailed`]: ScramError::AuthFailed
/// [`ServerSignatureMismatch`]: ScramError::ServerSignatureMismatch
/// [`ServerError`]: ScramError::ServerError
/// [`Random`]: ScramError::Random
#[derive(Debug)]
pub enum ScramError {
    /// A message over [`MAX_MESSAGE_LEN`] bytes.
    TooLong { len: usize },
    /// The message ended where this attribute should come.
    MissingAttribute { expected: char },
    /// Another attribute stands where this one should: out of order, or not
    /// one this message may hold.
    UnexpectedAttribute { expected: char, found: char },
    /// A defined attribute in the place of an extension (a second `r=`, an
    /// `m=` anywhere but first).
    MisplacedAttribute { found: char },
    /// A part between commas that is not a letter, `=` and a value.
    BadAttribute,
    /// An attribute with nothing after its `=`.
    EmptyValue { attribute: char },
    /// The GS2 header is not `n,,` nor any form the RFC defines.
    BadGs2Header,
    /// The client asks for channel binding (`p=...`) or says it supports it
    /// (`y`): the contract fixes `n,,`.
    ChannelBindingUnsupported,
    /// The client asks to act as another user (`a=`), which we do not offer.
    AuthzidUnsupported,
    /// An `m=` attribute: a mandatory extension we do not know, so the RFC
    /// says we must stop.
    MandatoryExtension,
    /// A `=` in a name that is not `=2C` or `=3D`.
    BadNameEscape,
    /// A NUL character in a name, which the RFC forbids.
    NulInName,
    /// A nonce with a character outside printable ASCII (or a comma), or
    /// longer than [`MAX_NONCE_LEN`].
    BadNonce,
    /// The server's nonce does not start with the client's, adds nothing to
    /// it, or the client-final message repeats another nonce.
    NonceMismatch,
    /// Base64 that does not decode.
    BadBase64 {
        attribute: char,
        error: base64::DecodeError,
    },
    /// `i=` is not a positive decimal number without leading zeros.
    BadIterationCount,
    /// Fewer iterations than [`MIN_ITERATIONS`].
    IterationsTooLow { iterations: u32 },
    /// More iterations than [`MAX_ITERATIONS`].
    IterationsTooHigh,
    /// A salt shorter than [`SALT_LEN`] or longer than [`MAX_SALT_LEN`].
    BadSaltLength { len: usize },
    /// `c=` does not say "no channel binding" as the header did.
    ChannelBindingMismatch,
    /// A proof or signature that is not 32 bytes.
    BadKeyLength { attribute: char, len: usize },
    /// The server: the client's proof is wrong (a wrong password, or a name
    /// with no account).
    AuthFailed,
    /// The client: the server's signature is wrong, so the server does not
    /// hold this account's verifier. It is not the server we registered with.
    ServerSignatureMismatch,
    /// The server answered `e=` with this error name (RFC 5802 section 7
    /// lists them), a word of ASCII letters, digits and hyphens.
    ServerError(String),
    /// An `e=` value that is not such a word.
    BadServerError,
    /// The operating system's random source could not be read.
    Random(io::Error),
}

// The wording of each error is in the catalogue, `crate::text`, with every
// other sentence a person reads.

impl std::error::Error for ScramError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ScramError::BadBase64 { error, .. } => Some(error),
            ScramError::Random(error) => Some(error),
            _ => None,
        }
    }
}

// ---------------------------------------------------------------------------
// Verifiers: what the server keeps

/// What a server keeps for one account, and what a client sends in
/// `REGISTER`: nothing from which the password can be read back, only
/// checked by guessing at the cost of `iterations` HMACs per guess.
#[derive(Clone, PartialEq, Eq)]
pub struct Verifier {
    pub salt: Vec<u8>,
    pub iterations: u32,
    pub stored_key: [u8; DIGEST_LEN],
    pub server_key: [u8; DIGEST_LEN],
}

impl fmt::Debug for Verifier {
    /// Shows the salt's length and the count, not the keys: a log line must
    /// not hand out material for guessing the password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("salt_len", &self.salt.len())
            .field("iterations", &self.iterations)
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// A verifier for `password` with a fresh random salt of [`SALT_LEN`]
    /// bytes: what a client computes to register. This runs PBKDF2, so it
    /// takes as long as a login.
    pub fn generate(password: &str, iterations: u32) -> Result<Verifier, ScramError> {
        let mut salt = vec![0u8; SALT_LEN];
        random::fill(&mut salt).map_err(ScramError::Random)?;
        Verifier::from_password(password, salt, iterations)
    }

    /// The verifier for `password` with the given salt and count, which must
    /// be within the limits ([`Verifier::check`]).
    pub fn from_password(
        password: &str,
        salt: Vec<u8>,
        iterations: u32,
    ) -> Result<Verifier, ScramError> {
        let rounds = check_strength(salt.len(), iterations)?;
        let keys = Keys::derive(password, &salt, rounds);
        Ok(Verifier {
            salt,
            iterations,
            stored_key: keys.stored_key,
            server_key: keys.server_key,
        })
    }

    /// Whether the salt and count are within the limits both sides accept: a
    /// server checks this on every `REGISTER`, and refuses the weaker ones.
    pub fn check(&self) -> Result<(), ScramError> {
        check_strength(self.salt.len(), self.iterations).map(|_| ())
    }
}

/// Checks a salt length and an iteration count against the limits.
fn check_strength(salt_len: usize, iterations: u32) -> Result<NonZeroU32, ScramError> {
    if !(SALT_LEN..=MAX_SALT_LEN).contains(&salt_len) {
        return Err(ScramError::BadSaltLength { len: salt_len });
    }
    if iterations > MAX_ITERATIONS {
        return Err(ScramError::IterationsTooHigh);
    }
    match NonZeroU32::new(iterations) {
        Some(rounds) if iterations >= MIN_ITERATIONS => Ok(rounds),
        _ => Err(ScramError::IterationsTooLow { iterations }),
    }
}

/// The keys RFC 5802 section 3 derives from a password.
struct Keys {
    client_key: [u8; DIGEST_LEN],
    stored_key: [u8; DIGEST_LEN],
    server_key: [u8; DIGEST_LEN],
}

impl Keys {
    fn derive(password: &str, salt: &[u8], iterations: NonZeroU32) -> Keys {
        let salted_password = pbkdf2::derive(password.as_bytes(), salt, iterations);
        let client_key = hmac(&salted_password, b"Client Key");
        Keys {
            client_key,
            stored_key: sha256::digest(&client_key),
            server_key: hmac(&salted_password, b"Server Key"),
        }
    }
}

/// The server's secret, from which it derives a convincing salt for a name
/// that has no account (see [`ServerStart::answer`]).
///
/// Keep it with the accounts and reuse it across restarts: a new secret
/// would change every unknown name's salt while real accounts keep theirs,
/// and that difference would tell an observer which names are registered.
#[derive(Clone)]
pub struct ServerSecret([u8; DIGEST_LEN]);

impl fmt::Debug for ServerSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ServerSecret(..)")
    }
}

impl ServerSecret {
    /// A new secret from the operating system's random source.
    pub fn generate() -> io::Result<ServerSecret> {
        let mut bytes = [0u8; DIGEST_LEN];
        random::fill(&mut bytes)?;
        Ok(ServerSecret(bytes))
    }

    /// A secret loaded from where the server keeps it.
    pub fn from_bytes(bytes: [u8; DIGEST_LEN]) -> ServerSecret {
        ServerSecret(bytes)
    }

    /// The secret's bytes, to keep.
    pub fn as_bytes(&self) -> &[u8; DIGEST_LEN] {
        &self.0
    }

    /// A stand-in verifier for a name with no account: a salt and keys made
    /// from the name and the secret, and the default count, so that its
    /// server-first message looks like a real account's, and is the same
    /// every time the name is tried. `name` is the name as names are
    /// compared (see [`ServerStart::compare_names_by`]): every spelling of
    /// one name must get one salt, as one account would.
    fn decoy(&self, name: &str) -> Verifier {
        let derive = |purpose: &[u8]| {
            let mut input = purpose.to_vec();
            input.push(0);
            input.extend_from_slice(name.as_bytes());
            hmac(&self.0, &input)
        };
        Verifier {
            salt: derive(b"decoy salt")[..SALT_LEN].to_vec(),
            iterations: DEFAULT_ITERATIONS,
            stored_key: derive(b"decoy stored key"),
            server_key: derive(b"decoy server key"),
        }
    }
}

// ---------------------------------------------------------------------------
// The client

/// A client's login, after its client-first message: send
/// [`message`](ClientFirst::message), then give the server's answer to
/// [`receive_server_first`](ClientFirst::receive_server_first).
pub struct ClientFirst {
    password: String,
    nonce: String,
    /// client-first-message-bare: the message without its GS2 header, the
    /// first part of the AuthMessage.
    bare: String,
    message: String,
}

impl ClientFirst {
    /// Starts a login as `username` with a fresh random nonce.
    pub fn new(username: &str, password: &str) -> Result<ClientFirst, ScramError> {
        let nonce = new_nonce()?;
        ClientFirst::with_nonce(username, password, &nonce)
    }

    /// Starts a login with a nonce chosen by the caller: for tests, such as
    /// the RFC's example. A real login must use [`ClientFirst::new`].
    pub fn with_nonce(
        username: &str,
        password: &str,
        nonce: &str,
    ) -> Result<ClientFirst, ScramError> {
        if username.is_empty() {
            return Err(ScramError::EmptyValue { attribute: 'n' });
        }
        if username.contains('\0') {
            return Err(ScramError::NulInName);
        }
        check_nonce(nonce)?;
        let bare = format!("n={},r={nonce}", escape_name(username));
        let message = format!("{GS2_HEADER}{bare}");
        check_len(&message)?;
        Ok(ClientFirst {
            password: password.to_owned(),
            nonce: nonce.to_owned(),
            bare,
            message,
        })
    }

    /// The client-first message, to send.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Reads the server-first message and computes the proof. This runs
    /// PBKDF2 with the server's iteration count: the slow step of a login.
    pub fn receive_server_first(self, server_first: &str) -> Result<ClientFinal, ScramError> {
        let challenge = parse_server_first(server_first, &self.nonce)?;
        let rounds = check_strength(challenge.salt.len(), challenge.iterations)?;
        let keys = Keys::derive(&self.password, &challenge.salt, rounds);

        let without_proof = format!("c={CHANNEL_BINDING},r={}", challenge.nonce);
        let auth_message = format!("{},{server_first},{without_proof}", self.bare);
        let client_signature = hmac(&keys.stored_key, auth_message.as_bytes());
        let proof = xor(&keys.client_key, &client_signature);
        Ok(ClientFinal {
            message: format!("{without_proof},p={}", base64::encode(&proof)),
            server_signature: hmac(&keys.server_key, auth_message.as_bytes()),
        })
    }
}

/// A client's login, after its client-final message: send
/// [`message`](ClientFinal::message), then check the server's answer with
/// [`receive_server_final`](ClientFinal::receive_server_final).
pub struct ClientFinal {
    message: String,
    /// What the server must send back if it really holds our verifier.
    server_signature: [u8; DIGEST_LEN],
}

impl ClientFinal {
    /// The client-final message, to send.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Checks the server's signature. `Ok` means the server proved that it
    /// holds this account's verifier; only then is the login complete.
    pub fn receive_server_final(self, server_final: &str) -> Result<(), ScramError> {
        check_len(server_final)?;
        let mut attributes = Attributes::new(server_final);
        if attributes.peek_key()? == Some('e') {
            let name = attributes.take('e')?;
            let readable = name.len() <= 64
                && name
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-');
            return Err(if readable {
                ScramError::ServerError(name.to_owned())
            } else {
                ScramError::BadServerError
            });
        }
        let signature = decode_key('v', attributes.take('v')?)?;
        attributes.extensions()?;
        if ct::eq(&signature, &self.server_signature) {
            Ok(())
        } else {
            Err(ScramError::ServerSignatureMismatch)
        }
    }
}

/// What a client reads from a server-first message.
struct Challenge<'a> {
    /// The whole nonce: the client's, then the server's.
    nonce: &'a str,
    salt: Vec<u8>,
    iterations: u32,
}

/// Parses a server-first message: `r=`, `s=`, `i=`, then extensions.
fn parse_server_first<'a>(
    message: &'a str,
    client_nonce: &str,
) -> Result<Challenge<'a>, ScramError> {
    check_len(message)?;
    let mut attributes = Attributes::new(message);
    attributes.refuse_mandatory_extension()?;
    let nonce = check_nonce(attributes.take('r')?)?;
    // The server must keep the client's nonce and add its own: if it could
    // drop ours, it could replay an old login's messages to us.
    if !nonce.starts_with(client_nonce) || nonce.len() == client_nonce.len() {
        return Err(ScramError::NonceMismatch);
    }
    let salt = decode('s', attributes.take('s')?)?;
    let iterations = parse_iterations(attributes.take('i')?)?;
    attributes.extensions()?;
    Ok(Challenge {
        nonce,
        salt,
        iterations,
    })
}

// ---------------------------------------------------------------------------
// The server

/// A server's login, after reading the client-first message: look the
/// [`username`](ServerStart::username) up, then [`answer`](ServerStart::answer).
#[derive(Debug)]
pub struct ServerStart {
    username: String,
    /// The name as the server compares names: what a decoy is made from.
    name_key: String,
    client_nonce: String,
    bare: String,
}

impl ServerStart {
    /// Parses a client-first message.
    pub fn receive_client_first(client_first: &str) -> Result<ServerStart, ScramError> {
        check_len(client_first)?;
        let bare = strip_gs2_header(client_first)?;
        let mut attributes = Attributes::new(bare);
        attributes.refuse_mandatory_extension()?;
        let username = unescape_name(attributes.take('n')?)?;
        let client_nonce = check_nonce(attributes.take('r')?)?;
        attributes.extensions()?;
        Ok(ServerStart {
            name_key: username.to_ascii_lowercase(),
            username,
            client_nonce: client_nonce.to_owned(),
            bare: bare.to_owned(),
        })
    }

    /// The name the client logs in as, unescaped.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// Says how the server compares names: `key` is this login's name in
    /// that form. Two spellings the server takes for one name (`bob` and
    /// `BOB`, or a full-width `ｂｏｂ` where names are folded that far) find
    /// one account, with one salt; an unknown name's decoy must behave the
    /// same, or asking for both spellings would tell a registered name
    /// (one salt) from a free one (two). Without this, ASCII case alone is
    /// folded.
    pub fn compare_names_by(mut self, key: String) -> ServerStart {
        self.name_key = key;
        self
    }

    /// Answers with a fresh random server nonce. `verifier` is the account's,
    /// or `None` for a name with no account: then the answer uses a salt
    /// derived from the name and `secret` and the default count, so that it
    /// cannot be told from a real account's, and the login fails at the
    /// proof like a wrong password.
    pub fn answer(
        self,
        verifier: Option<&Verifier>,
        secret: &ServerSecret,
    ) -> Result<ServerFirst, ScramError> {
        let nonce = new_nonce()?;
        self.answer_with_nonce(verifier, secret, &nonce)
    }

    /// [`answer`](ServerStart::answer) with a nonce chosen by the caller: for
    /// tests. A real server must use `answer`.
    pub fn answer_with_nonce(
        self,
        verifier: Option<&Verifier>,
        secret: &ServerSecret,
        server_nonce: &str,
    ) -> Result<ServerFirst, ScramError> {
        check_nonce(server_nonce)?;
        let known = verifier.is_some();
        // The decoy is derived for every name, known or not, so that the
        // answer takes the same work either way: a few microseconds less
        // for a known name is a difference an attacker can average out
        // over many tries.
        let decoy = secret.decoy(&self.name_key);
        let verifier = verifier.cloned().unwrap_or(decoy);
        let nonce = format!("{}{server_nonce}", self.client_nonce);
        let message = format!(
            "r={nonce},s={},i={}",
            base64::encode(&verifier.salt),
            verifier.iterations
        );
        Ok(ServerFirst {
            username: self.username,
            auth_prefix: format!("{},{message}", self.bare),
            nonce,
            message,
            verifier,
            known,
        })
    }
}

/// A server's login, after its server-first message: send
/// [`message`](ServerFirst::message), then check the client's proof with
/// [`receive_client_final`](ServerFirst::receive_client_final).
#[derive(Debug)]
pub struct ServerFirst {
    username: String,
    /// The AuthMessage's first two parts: client-first-bare, server-first.
    auth_prefix: String,
    nonce: String,
    message: String,
    verifier: Verifier,
    /// Whether the name has an account (false: `verifier` is a decoy).
    known: bool,
}

impl ServerFirst {
    /// The server-first message, to send.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The name the client logs in as.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// Checks the client's proof. On success returns the server-final
    /// message, which proves to the client that we hold its verifier; the
    /// client is then logged in as [`username`](ServerFirst::username).
    pub fn receive_client_final(self, client_final: &str) -> Result<String, ScramError> {
        check_len(client_final)?;
        let mut attributes = Attributes::new(client_final);
        let binding = decode('c', attributes.take('c')?)?;
        let nonce = attributes.take('r')?;
        let proof_value = attributes.take_last('p')?;
        attributes.extensions()?;
        if binding != GS2_HEADER.as_bytes() {
            return Err(ScramError::ChannelBindingMismatch);
        }
        if nonce != self.nonce {
            return Err(ScramError::NonceMismatch);
        }
        let proof = decode_key('p', proof_value)?;

        // Everything before ",p=": the last part was the proof.
        let without_proof = &client_final[..client_final.len() - proof_value.len() - ",p=".len()];
        let auth_message = format!("{},{without_proof}", self.auth_prefix);
        let client_signature = hmac(&self.verifier.stored_key, auth_message.as_bytes());
        let client_key = xor(&proof, &client_signature);
        let matches = ct::eq(&sha256::digest(&client_key), &self.verifier.stored_key);
        if !(matches && self.known) {
            return Err(ScramError::AuthFailed);
        }
        let signature = hmac(&self.verifier.server_key, auth_message.as_bytes());
        Ok(format!("v={}", base64::encode(&signature)))
    }
}

/// Removes the GS2 header (`n,,`) from a client-first message, explaining
/// any other header.
fn strip_gs2_header(message: &str) -> Result<&str, ScramError> {
    // gs2-header = gs2-cbind-flag "," [ authzid ] ","
    let (flag, rest) = message.split_once(',').ok_or(ScramError::BadGs2Header)?;
    let (authzid, bare) = rest.split_once(',').ok_or(ScramError::BadGs2Header)?;
    match flag {
        "n" => {}
        "y" => return Err(ScramError::ChannelBindingUnsupported),
        _ if flag.starts_with("p=") => return Err(ScramError::ChannelBindingUnsupported),
        _ => return Err(ScramError::BadGs2Header),
    }
    match authzid {
        "" => Ok(bare),
        _ if authzid.starts_with("a=") => Err(ScramError::AuthzidUnsupported),
        _ => Err(ScramError::BadGs2Header),
    }
}

// ---------------------------------------------------------------------------
// The grammar (RFC 5802 section 7)

/// The comma-separated `letter=value` attributes of a message, taken in the
/// order the grammar fixes. Values cannot hold commas (names write them as
/// `=2C`), so splitting at every comma finds exactly the attributes.
struct Attributes<'a> {
    parts: Vec<&'a str>,
    next: usize,
}

impl<'a> Attributes<'a> {
    fn new(message: &'a str) -> Attributes<'a> {
        let parts = if message.is_empty() {
            Vec::new()
        } else {
            message.split(',').collect()
        };
        Attributes { parts, next: 0 }
    }

    /// The letter of the next attribute, if there is one.
    fn peek_key(&self) -> Result<Option<char>, ScramError> {
        match self.parts.get(self.next) {
            Some(part) => split_attribute(part).map(|(key, _)| Some(key)),
            None => Ok(None),
        }
    }

    /// Takes the next attribute, which must be `key` with a value.
    fn take(&mut self, key: char) -> Result<&'a str, ScramError> {
        let part = self
            .parts
            .get(self.next)
            .ok_or(ScramError::MissingAttribute { expected: key })?;
        let value = expect_attribute(part, key)?;
        self.next += 1;
        Ok(value)
    }

    /// Takes the *last* attribute, which must be `key` with a value; what is
    /// between is left for [`extensions`](Attributes::extensions).
    fn take_last(&mut self, key: char) -> Result<&'a str, ScramError> {
        if self.next == self.parts.len() {
            return Err(ScramError::MissingAttribute { expected: key });
        }
        let value = expect_attribute(self.parts[self.parts.len() - 1], key)?;
        self.parts.pop();
        Ok(value)
    }

    /// Refuses a leading `m=`: a mandatory extension we cannot honour.
    fn refuse_mandatory_extension(&self) -> Result<(), ScramError> {
        match self.peek_key()? {
            Some('m') => Err(ScramError::MandatoryExtension),
            _ => Ok(()),
        }
    }

    /// Checks the remaining attributes, the message's extensions: each must
    /// be well formed and not one the RFC defines, and is then ignored, as
    /// the RFC allows for extensions we do not know.
    fn extensions(self) -> Result<(), ScramError> {
        for part in &self.parts[self.next..] {
            let (key, value) = split_attribute(part)?;
            if DEFINED_ATTRIBUTES.contains(&(key as u8)) {
                return Err(ScramError::MisplacedAttribute { found: key });
            }
            if value.is_empty() {
                return Err(ScramError::EmptyValue { attribute: key });
            }
        }
        Ok(())
    }
}

/// Splits `letter=value`.
fn split_attribute(part: &str) -> Result<(char, &str), ScramError> {
    match part.as_bytes() {
        // Both bytes are ASCII, so index 2 is a character boundary.
        [key, b'=', ..] if key.is_ascii_alphabetic() => Ok((char::from(*key), &part[2..])),
        _ => Err(ScramError::BadAttribute),
    }
}

/// The value of `part`, which must be the attribute `key` with a value.
fn expect_attribute(part: &str, key: char) -> Result<&str, ScramError> {
    let (found, value) = split_attribute(part)?;
    if found != key {
        return Err(ScramError::UnexpectedAttribute {
            expected: key,
            found,
        });
    }
    if value.is_empty() {
        return Err(ScramError::EmptyValue { attribute: key });
    }
    Ok(value)
}

fn check_len(message: &str) -> Result<(), ScramError> {
    if message.len() > MAX_MESSAGE_LEN {
        return Err(ScramError::TooLong { len: message.len() });
    }
    Ok(())
}

/// A nonce is 1 or more printable ASCII characters other than the comma
/// (RFC 5802's `printable`), here at most [`MAX_NONCE_LEN`].
fn check_nonce(nonce: &str) -> Result<&str, ScramError> {
    let printable = nonce
        .bytes()
        .all(|byte| byte.is_ascii_graphic() && byte != b',');
    if nonce.is_empty() || nonce.len() > MAX_NONCE_LEN || !printable {
        return Err(ScramError::BadNonce);
    }
    Ok(nonce)
}

/// A nonce of [`NONCE_BYTES`] random bytes, in base64 (whose alphabet is
/// printable and has no comma).
fn new_nonce() -> Result<String, ScramError> {
    let mut bytes = [0u8; NONCE_BYTES];
    random::fill(&mut bytes).map_err(ScramError::Random)?;
    Ok(base64::encode(&bytes))
}

/// Writes a name for `n=`: `=` as `=3D`, `,` as `=2C`.
fn escape_name(name: &str) -> String {
    let mut escaped = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            '=' => escaped.push_str("=3D"),
            ',' => escaped.push_str("=2C"),
            _ => escaped.push(c),
        }
    }
    escaped
}

/// Reads a name from `n=`: `=2C` and `=3D` back to `,` and `=`; any other
/// `=`, or a NUL, is an error (RFC 5802 section 5.1).
fn unescape_name(escaped: &str) -> Result<String, ScramError> {
    let mut name = String::with_capacity(escaped.len());
    let mut rest = escaped;
    while let Some(at) = rest.find(['=', '\0']) {
        name.push_str(&rest[..at]);
        let tail = &rest[at..];
        if tail.starts_with('\0') {
            return Err(ScramError::NulInName);
        } else if let Some(after) = tail.strip_prefix("=2C") {
            name.push(',');
            rest = after;
        } else if let Some(after) = tail.strip_prefix("=3D") {
            name.push('=');
            rest = after;
        } else {
            return Err(ScramError::BadNameEscape);
        }
    }
    name.push_str(rest);
    Ok(name)
}

/// `i=`: a positive decimal number without leading zeros. Its range is
/// checked with the salt's length, by [`check_strength`].
fn parse_iterations(text: &str) -> Result<u32, ScramError> {
    let well_formed = text.bytes().all(|byte| byte.is_ascii_digit()) && !text.starts_with('0');
    if !well_formed {
        return Err(ScramError::BadIterationCount);
    }
    // Only digits: a failure to parse can only be a number too big for u32.
    text.parse().map_err(|_| ScramError::IterationsTooHigh)
}

fn decode(attribute: char, text: &str) -> Result<Vec<u8>, ScramError> {
    base64::decode(text).map_err(|error| ScramError::BadBase64 { attribute, error })
}

/// Decodes a proof or signature, which must be 32 bytes.
fn decode_key(attribute: char, text: &str) -> Result<[u8; DIGEST_LEN], ScramError> {
    let bytes = decode(attribute, text)?;
    <[u8; DIGEST_LEN]>::try_from(bytes.as_slice()).map_err(|_| ScramError::BadKeyLength {
        attribute,
        len: bytes.len(),
    })
}

fn xor(a: &[u8; DIGEST_LEN], b: &[u8; DIGEST_LEN]) -> [u8; DIGEST_LEN] {
    let mut out = *a;
    for (x, y) in out.iter_mut().zip(b) {
        *x ^= y;
    }
    out
}

#[cfg(test)]
mod tests;
