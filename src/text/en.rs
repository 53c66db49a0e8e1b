//! The English sentences: the wording the programs have always had.
//!
//! Each method is one sentence of [`Text`]; see `text/mod.rs` for what
//! each one is for and which arguments a peer chose (those pass
//! [`one_line`] or [`for_terminal`] here, never raw).

use std::fmt;
use std::io;
use std::path::Path;

use super::terminal::{for_terminal, one_line};
use super::{
    Audience, Expected, Text, VERSION, code_point, escaped, http_asked, names_joined, rate,
    room_tag, rooms_joined, scaled_bytes,
};
use crate::base64;
use crate::cli::ArgError;
use crate::command::PathError;
use crate::crypto::scram::{
    CHANNEL_BINDING, MAX_ITERATIONS as SCRAM_MAX_ITERATIONS, MAX_MESSAGE_LEN, MAX_NONCE_LEN,
    MAX_SALT_LEN as SCRAM_MAX_SALT_LEN, MIN_ITERATIONS as SCRAM_MIN_ITERATIONS, SALT_LEN,
    ScramError,
};
use crate::crypto::sha256::DIGEST_LEN;
use crate::filetypes::{ExtListError, MAX_EXT_CHARS, MAX_EXTS, Refused};
use crate::frame::FrameError;
use crate::json::{ErrorKind, MAX_DEPTH, ParseError};
use crate::message::{AdminAction, DecodeError, LeaveReason, Role};
use crate::names::{BadChar, MAX_NAME_CHARS, NameError};
use crate::server::ServeError;
use crate::server::accounts::{
    AccountError, EntryProblem, FILE_VERSION, FileProblem, KEY_LEN, LoadError, MAX_ACCOUNTS,
    MAX_FILE_BYTES as ACCOUNTS_MAX_FILE_BYTES, MAX_ITERATIONS, MAX_SALT_LEN, MIN_ITERATIONS,
    MIN_SALT_LEN, VerifierError,
};
use crate::server::accounts::{SecretError, SecretProblem};
use crate::server::admin::AdminError;
use crate::server::history::{HistoryError, OpenReport, Problem, Progress, RoomRecovery};
use crate::server::mutes::{MAX_MUTE, MAX_MUTED, MuteError};
use crate::transfer::{MAX_CHUNK_SIZE, OpenError, Special, TransferError};
use crate::transport::http::{HttpError, MAX_HEAD, Malformed, Upgrade};
use crate::transport::sniff::MAX_FRAME_CAP;
use crate::transport::websocket::WsError;
use crate::unicode::UNICODE_VERSION;

/// English.
pub struct En;

impl Text for En {
    // --- Words used inside sentences -------------------------------------

    fn bytes(&self, n: u64) -> String {
        scaled_bytes(n).unwrap_or_else(|| format!("{n} bytes"))
    }

    fn io_error(&self, error: &io::Error) -> String {
        error.to_string()
    }

    fn expected(&self, what: Expected) -> String {
        match what {
            Expected::Port => "a port number from 0 to 65535".to_string(),
            Expected::Positive => "a whole number above 0".to_string(),
            Expected::Smaller => "a smaller number".to_string(),
            Expected::ChunkSize => format!("a chunk size from 1 to {MAX_CHUNK_SIZE} bytes"),
            Expected::TraceMode => "nothing or \"hex\" (as in --trace=hex)".to_string(),
            Expected::Lang => "\"en\" (English) or \"zh\" (Chinese)".to_string(),
            Expected::Count => "a whole number (0 or more)".to_string(),
            Expected::NoValue => "given without a value".to_string(),
            Expected::String => "a string".to_string(),
            Expected::Object => "an object".to_string(),
            Expected::WholeNumber => "a whole number".to_string(),
            Expected::NonNegative => "a whole number of at least 0".to_string(),
            Expected::Bool => "true or false".to_string(),
            Expected::StringList => "a list of strings".to_string(),
            Expected::RoomList => "a list of {\"name\", \"members\"} objects".to_string(),
            Expected::FileTypes => "an object with \"allow\" and \"deny\" lists".to_string(),
            Expected::Iterations => {
                format!("a count from {SCRAM_MIN_ITERATIONS} to {SCRAM_MAX_ITERATIONS}")
            }
            Expected::FrameCap => format!(
                "at most {MAX_FRAME_CAP} ({} MiB): a longer frame's first byte could be \
                 a capital letter, and on this port a capital letter begins an HTTP request",
                MAX_FRAME_CAP >> 20
            ),
        }
    }

    // --- Errors a person sees ----------------------------------------------

    fn name_error(&self, error: &NameError) -> String {
        match error {
            NameError::Empty => "a name cannot be empty".to_string(),
            NameError::TooLong => format!("a name can have at most {MAX_NAME_CHARS} characters"),
            NameError::BadCharacter(' ', BadChar::Space) => {
                "a name cannot contain spaces".to_string()
            }
            // The character itself is never shown: it may be invisible, or
            // an instruction to the terminal. Its code point is.
            NameError::BadCharacter(c, why) => {
                let code = code_point(*c);
                match why {
                    BadChar::Space => format!("a name cannot contain spaces ({code} is one)"),
                    BadChar::Control => format!(
                        "a name cannot contain {code}, a control character (it can move the cursor or erase text)"
                    ),
                    BadChar::Format => format!(
                        "a name cannot contain {code}, an invisible format character (it can hide or reorder text)"
                    ),
                    BadChar::Separator => {
                        format!("a name cannot contain {code}, a line or paragraph separator")
                    }
                    BadChar::PrivateUse => format!(
                        "a name cannot contain {code}, a private-use character (it looks different on every computer)"
                    ),
                    BadChar::Unassigned => format!(
                        "a name cannot contain {code}, which Unicode {UNICODE_VERSION} does not assign"
                    ),
                }
            }
            NameError::BadStart(c) => format!("a name cannot start with '{c}'"),
            NameError::Reserved(name) => format!("the name \"{name}\" is reserved"),
            NameError::LooksLike(name) => format!("it reads as \"{name}\", which is reserved"),
        }
    }

    fn arg_error(&self, error: &ArgError) -> String {
        match error {
            ArgError::UnknownFlag(flag) => format!("unknown option --{}", one_line(flag)),
            ArgError::MissingValue(flag) => format!("option --{} needs a value", one_line(flag)),
            ArgError::BadValue {
                flag,
                value,
                expected,
            } => format!(
                "--{} must be {}, not \"{}\"",
                one_line(flag),
                self.expected(*expected),
                one_line(value)
            ),
            ArgError::Unexpected(arg) => format!("unexpected argument \"{}\"", one_line(arg)),
            ArgError::Refused { flag, why } => format!("--{}: {}", one_line(flag), one_line(why)),
        }
    }

    fn path_error(&self, error: &PathError) -> String {
        match error {
            PathError::Missing => "no file given",
            PathError::UnclosedQuote => "the quote around the file name is not closed",
            PathError::TextAfterQuote => "unexpected text after the quoted file name",
        }
        .to_string()
    }

    fn open_error(&self, error: &OpenError) -> String {
        match error {
            OpenError::NotFound => "no such file".to_string(),
            OpenError::IsDirectory => "it is a folder, not a file".to_string(),
            OpenError::NotAFile(Special::Fifo) => {
                "it is a named pipe (FIFO), not a regular file".to_string()
            }
            OpenError::NotAFile(Special::Device) => {
                "it is a device, not a regular file".to_string()
            }
            OpenError::NotAFile(Special::Socket) => {
                "it is a socket, not a regular file".to_string()
            }
            OpenError::NotAFile(Special::Other) => "it is not a regular file".to_string(),
            OpenError::Unreadable(e) => format!("cannot read it: {e}"),
        }
    }

    fn transfer_error(&self, error: &TransferError) -> String {
        match error {
            TransferError::OutOfOrder { expected, got } => {
                format!("chunk {got} arrived where chunk {expected} was expected")
            }
            TransferError::TooMuchData { size } => {
                format!("more data arrived than the announced {size} bytes")
            }
            TransferError::BadChunk(e) => {
                format!("a chunk was not valid base64 ({})", self.base64_error(e))
            }
            TransferError::SizeMismatch { expected, received } => {
                format!("{received} bytes arrived but the file should have {expected}")
            }
            TransferError::ChecksumMismatch => {
                "the SHA-256 checksum does not match: the data was damaged".to_string()
            }
            TransferError::Io(e) => format!("could not write the file: {e}"),
        }
    }

    fn frame_error(&self, error: &FrameError) -> String {
        match error {
            FrameError::TooLarge { len, limit } => {
                format!("frame of {len} bytes is over the limit of {limit} bytes")
            }
            FrameError::ZeroLength => "frame with a length of zero".to_string(),
            FrameError::Truncated { expected, received } => {
                format!("connection closed inside a frame ({received} of {expected} bytes arrived)")
            }
            FrameError::Io(e) => e.to_string(),
        }
    }

    fn decode_error(&self, error: &DecodeError) -> String {
        match error {
            DecodeError::Json(e) => self.json_error(e),
            DecodeError::NotAnObject => "a message must be a JSON object".to_string(),
            DecodeError::MissingField(field) => format!("the message has no \"{field}\" field"),
            DecodeError::WrongType { field, expected } => {
                format!("\"{field}\" must be {}", self.expected(*expected))
            }
            DecodeError::BadValue { field, value } => {
                format!("\"{field}\" cannot be \"{}\"", one_line(value))
            }
            DecodeError::UnknownType(t) => format!("unknown message type \"{}\"", one_line(t)),
        }
    }

    fn json_error(&self, error: &ParseError) -> String {
        format!(
            "{} at byte {}",
            self.json_error_kind(error.kind()),
            error.offset()
        )
    }

    fn json_error_kind(&self, kind: &ErrorKind) -> String {
        match kind {
            ErrorKind::InvalidUtf8 => "invalid UTF-8".to_string(),
            ErrorKind::UnexpectedEnd => "unexpected end of input".to_string(),
            ErrorKind::ExpectedValue => "expected a JSON value".to_string(),
            ErrorKind::ExpectedKey => "expected '\"' to start an object key".to_string(),
            ErrorKind::ExpectedColon => "expected ':' after object key".to_string(),
            ErrorKind::ExpectedCommaOrCloseBracket => {
                "expected ',' or ']' after array element".to_string()
            }
            ErrorKind::ExpectedCommaOrCloseBrace => {
                "expected ',' or '}' after object member".to_string()
            }
            ErrorKind::TrailingComma => "trailing comma before closing bracket".to_string(),
            ErrorKind::InvalidLiteral => {
                "invalid literal (expected true, false or null)".to_string()
            }
            ErrorKind::LeadingZero => "leading zero in number".to_string(),
            ErrorKind::InvalidNumber => "invalid number (expected a digit)".to_string(),
            ErrorKind::ControlCharacter => "unescaped control character in string".to_string(),
            ErrorKind::InvalidEscape => "invalid escape sequence in string".to_string(),
            ErrorKind::LoneSurrogate => "unpaired surrogate in \\u escape".to_string(),
            ErrorKind::TrailingCharacters => "unexpected text after the JSON value".to_string(),
            ErrorKind::TooDeep => format!("nesting deeper than {MAX_DEPTH} levels"),
        }
    }

    fn base64_error(&self, error: &base64::DecodeError) -> String {
        match *error {
            base64::DecodeError::InvalidLength { len } => {
                format!("base64 text must be a multiple of 4 characters long, but it is {len}")
            }
            base64::DecodeError::InvalidByte { offset, byte } => {
                format!("invalid base64 character 0x{byte:02x} at byte {offset}")
            }
            base64::DecodeError::InvalidPadding { offset } => format!(
                "invalid base64 padding at byte {offset}: '=' may only be the last one or \
                 two characters, and the unused bits before it must be zero"
            ),
        }
    }

    fn ws_error(&self, error: &WsError) -> String {
        match error {
            WsError::Unmasked => "a client frame was not masked".to_string(),
            WsError::ReservedBits(bits) => format!("reserved bits {bits:#05b} were set"),
            WsError::ReservedOpcode(op) => format!("reserved opcode {op:#x}"),
            WsError::BadLength => "a frame length was not written in its shortest form".to_string(),
            WsError::FragmentedControl => "a control frame was fragmented".to_string(),
            WsError::ControlTooLong => "a control frame over 125 bytes".to_string(),
            WsError::UnexpectedContinuation => {
                "a continuation frame with no message to continue".to_string()
            }
            WsError::UnfinishedMessage => {
                "a new message began before the last one was finished".to_string()
            }
            WsError::BadClose => "a malformed close frame".to_string(),
            WsError::Binary => "a binary message (only text is accepted)".to_string(),
            WsError::NotUtf8 => "a text message that is not UTF-8".to_string(),
            WsError::TooLarge { len, limit } => {
                format!("a message of {len} bytes is over the limit of {limit} bytes")
            }
            WsError::Truncated => "the connection closed inside a frame".to_string(),
            WsError::Io(e) => e.to_string(),
        }
    }

    fn http_error(&self, error: &HttpError) -> String {
        match error {
            HttpError::Malformed(why) => {
                format!("malformed request: {}", self.http_malformed(*why))
            }
            HttpError::HeadTooLarge => format!("request head longer than {MAX_HEAD} bytes"),
            HttpError::VersionNotSupported => "HTTP version not supported".to_string(),
            HttpError::MethodNotAllowed => "only GET is served".to_string(),
            HttpError::NotFound => "no such page".to_string(),
            HttpError::BadUpgrade(why) => format!(
                "not a valid WebSocket handshake: {}",
                self.http_upgrade(*why)
            ),
            HttpError::WebSocketVersion => "only WebSocket version 13 is spoken".to_string(),
            HttpError::ForbiddenOrigin => {
                "WebSocket requests from pages of other sites are refused".to_string()
            }
            HttpError::Truncated => "the connection closed inside the request head".to_string(),
            HttpError::TimedOut => "the request head did not arrive in time".to_string(),
            HttpError::Io(e) => e.to_string(),
        }
    }

    fn http_malformed(&self, problem: Malformed) -> String {
        match problem {
            Malformed::LfWithoutCr => "a line ends without CR",
            Malformed::CrWithoutLf => "a CR not followed by LF",
            Malformed::ControlInHead => "a control character in the head",
            Malformed::NoEmptyLine => "the head does not end with an empty line",
            Malformed::LineWithoutCrLf => "a line does not end with CR LF",
            Malformed::EmptyLineInside => "an empty line inside the head",
            Malformed::RequestLine => {
                "the request line is not METHOD TARGET VERSION with single spaces"
            }
            Malformed::MethodNotToken => "the method is not a token",
            Malformed::BadVersion => "the version is not HTTP/x.y",
            Malformed::TargetWithoutSlash => "the target does not start with /",
            Malformed::BadPercent => "a % in the target is not followed by two hex digits",
            Malformed::BadTargetCharacter => "a character not allowed in the target",
            Malformed::FoldedHeader => "a header line folded onto the next",
            Malformed::HeaderWithoutColon => "a header line without a colon",
            Malformed::HeaderNameNotToken => "a header name is not a token",
            Malformed::ControlInHeader => "a control character in a header value",
            Malformed::TwoHosts => "more than one Host header",
            Malformed::NoHost => "an HTTP/1.1 request without a Host header",
            Malformed::BadHost => "the Host header is not HOST or HOST:PORT",
        }
        .to_string()
    }

    fn http_upgrade(&self, problem: Upgrade) -> String {
        match problem {
            Upgrade::RepeatedHeader => "a header that may appear once appears twice",
            Upgrade::NotHttp11 => "WebSocket needs HTTP/1.1",
            Upgrade::NoConnectionUpgrade => "Connection does not list \"upgrade\"",
            Upgrade::NoUpgradeWebsocket => "Upgrade does not list \"websocket\"",
            Upgrade::NoVersion => "no Sec-WebSocket-Version",
            Upgrade::NoKey => "no Sec-WebSocket-Key",
            Upgrade::BadKey => "Sec-WebSocket-Key is not 16 bytes in base64",
            Upgrade::Body => "an upgrade request with a body",
        }
        .to_string()
    }

    fn scram_error(&self, error: &ScramError) -> String {
        match error {
            ScramError::TooLong { len } => {
                format!("SCRAM message too long: {len} bytes, at most {MAX_MESSAGE_LEN}")
            }
            ScramError::MissingAttribute { expected } => {
                format!("SCRAM message ends where `{expected}=` should come")
            }
            ScramError::UnexpectedAttribute { expected, found } => {
                format!("SCRAM attribute `{found}=` where `{expected}=` should come")
            }
            ScramError::MisplacedAttribute { found } => {
                format!("SCRAM attribute `{found}=` out of place")
            }
            ScramError::BadAttribute => {
                "SCRAM message has a part that is not `letter=value` between commas".to_string()
            }
            ScramError::EmptyValue { attribute } => {
                format!("SCRAM attribute `{attribute}=` is empty")
            }
            ScramError::BadGs2Header => {
                "SCRAM message does not start with the header `n,,`".to_string()
            }
            ScramError::ChannelBindingUnsupported => {
                "SCRAM channel binding is not supported: the header must be `n,,`".to_string()
            }
            ScramError::AuthzidUnsupported => {
                "SCRAM authorization identity (`a=`) is not supported: log in as yourself"
                    .to_string()
            }
            ScramError::MandatoryExtension => {
                "SCRAM mandatory extension (`m=`) is not supported".to_string()
            }
            ScramError::BadNameEscape => {
                "SCRAM user name has a `=` that is not `=2C` or `=3D`".to_string()
            }
            ScramError::NulInName => "SCRAM user name contains a NUL character".to_string(),
            ScramError::BadNonce => format!(
                "SCRAM nonce must be 1 to {MAX_NONCE_LEN} printable ASCII characters, no commas"
            ),
            ScramError::NonceMismatch => "SCRAM nonce does not continue this login's".to_string(),
            ScramError::BadBase64 { attribute, error } => format!(
                "SCRAM attribute `{attribute}=` is not base64: {}",
                self.base64_error(error)
            ),
            ScramError::BadIterationCount => {
                "SCRAM iteration count is not a positive number without leading zeros".to_string()
            }
            ScramError::IterationsTooLow { iterations } => format!(
                "SCRAM iteration count {iterations} is too low: at least {SCRAM_MIN_ITERATIONS}"
            ),
            ScramError::IterationsTooHigh => {
                format!("SCRAM iteration count is too high: at most {SCRAM_MAX_ITERATIONS}")
            }
            ScramError::BadSaltLength { len } => {
                format!("SCRAM salt of {len} bytes: it must be {SALT_LEN} to {SCRAM_MAX_SALT_LEN}")
            }
            ScramError::ChannelBindingMismatch => {
                format!("SCRAM `c=` must be `{CHANNEL_BINDING}` (no channel binding)")
            }
            ScramError::BadKeyLength { attribute, len } => {
                format!("SCRAM attribute `{attribute}=` holds {len} bytes, not {DIGEST_LEN}")
            }
            ScramError::AuthFailed => "wrong name or password".to_string(),
            ScramError::ServerSignatureMismatch => {
                "the server failed to prove that it knows this account: \
                 it is not the server the account was registered with"
                    .to_string()
            }
            ScramError::ServerError(name) => {
                format!("the server refused the login: {}", one_line(name))
            }
            ScramError::BadServerError => "SCRAM server error is not a readable word".to_string(),
            ScramError::Random(error) => {
                format!("cannot read the system's random source: {error}")
            }
        }
    }

    // Accounts, mutes and file types (contract §10–§12). Text that comes
    // from an accounts file or a peer (a role, a name, an extension) goes
    // through `one_line`: a damaged file is as untrusted as a peer.

    fn verifier_error(&self, error: &VerifierError) -> String {
        match error {
            VerifierError::BadBase64 { field, error } => format!(
                "{} is not valid base64 ({})",
                field.key(),
                self.base64_error(error)
            ),
            VerifierError::KeyLength { field, len } => {
                format!("{} must be {KEY_LEN} bytes, not {len}", field.key())
            }
            VerifierError::SaltTooShort { len } => {
                format!("the salt must be at least {MIN_SALT_LEN} bytes, not {len}")
            }
            VerifierError::SaltTooLong { len } => {
                format!("the salt can be at most {MAX_SALT_LEN} bytes, not {len}")
            }
            VerifierError::TooFewIterations { iterations } => {
                format!("at least {MIN_ITERATIONS} iterations are needed, not {iterations}")
            }
            VerifierError::TooManyIterations { iterations } => {
                format!("at most {MAX_ITERATIONS} iterations are allowed, not {iterations}")
            }
        }
    }

    fn account_error(&self, error: &AccountError) -> String {
        match error {
            AccountError::Taken => "that name is registered already".to_string(),
            AccountError::NoSuchAccount => "that name is not registered".to_string(),
            AccountError::BadName(e) => self.name_error(e),
            AccountError::Weak(e) => format!(
                "the password's verifier was refused: {}",
                self.verifier_error(e)
            ),
            AccountError::Full => {
                format!("the server has {MAX_ACCOUNTS} accounts, as many as it keeps")
            }
            AccountError::Save(e) => {
                format!("the accounts file could not be written ({e}); nothing changed")
            }
        }
    }

    fn accounts_load_error(&self, error: &LoadError) -> String {
        let path = error.path.display().to_string();
        let problem = match &error.problem {
            FileProblem::Unreadable(e) => e.to_string(),
            FileProblem::TooLarge { len } => format!(
                "it is {}, and an accounts file is at most {}",
                self.bytes(*len),
                self.bytes(ACCOUNTS_MAX_FILE_BYTES)
            ),
            FileProblem::Empty => "it is empty (delete it to start with no accounts)".to_string(),
            FileProblem::NotJson(e) => format!("it is not valid JSON ({})", self.json_error(e)),
            FileProblem::NotAnObject => "it is not a JSON object".to_string(),
            FileProblem::Version(None) => "it has no \"version\"".to_string(),
            FileProblem::Version(Some(v)) => format!(
                "its version is {}; this server reads version {FILE_VERSION}",
                one_line(v)
            ),
            FileProblem::NoAccountList => "it has no \"accounts\" list".to_string(),
            FileProblem::TooManyAccounts { count } => {
                format!("it lists {count} accounts, more than the {MAX_ACCOUNTS} a server keeps")
            }
            FileProblem::Entry {
                index,
                name,
                problem,
            } => {
                let which = match name {
                    Some(name) => format!("account number {} (\"{}\")", index + 1, one_line(name)),
                    None => format!("account number {}", index + 1),
                };
                let what = match problem {
                    EntryProblem::NotAnObject => "is not a JSON object".to_string(),
                    EntryProblem::Missing(field) => format!("has no \"{field}\""),
                    EntryProblem::WrongType { field, expected } => {
                        format!("has a \"{field}\" that is not {}", self.expected(*expected))
                    }
                    EntryProblem::BadName(e) => format!("has a bad name: {}", self.name_error(e)),
                    EntryProblem::UnknownRole(role) => format!(
                        "has the role \"{}\"; a role is \"admin\" or \"member\"",
                        one_line(role)
                    ),
                    EntryProblem::Verifier(e) => {
                        format!("is not usable: {}", self.verifier_error(e))
                    }
                    EntryProblem::Duplicate { first } => {
                        format!("has the same name as account number {}", first + 1)
                    }
                };
                format!("{which} {what}")
            }
        };
        format!(
            "cannot use the accounts file {}: {problem}. \
             The server does not start until the file is fixed or moved away.",
            one_line(&path)
        )
    }

    fn mute_error(&self, error: &MuteError) -> String {
        match error {
            MuteError::Zero => "a mute needs at least 1 second".to_string(),
            MuteError::TooLong => format!(
                "a mute can last at most {} seconds (a week)",
                MAX_MUTE.as_secs()
            ),
            MuteError::Full => format!("{MAX_MUTED} names are muted already"),
        }
    }

    fn ext_list_error(&self, error: &ExtListError) -> String {
        match error {
            ExtListError::EmptyItem { position } => {
                format!("item {position} of the list of extensions is empty")
            }
            ExtListError::InnerDot { item } => format!(
                "\"{}\" has a dot inside: only a name's last extension counts, so write just that one",
                one_line(item)
            ),
            ExtListError::BadCharacter { item, c } if c.is_whitespace() => {
                format!("\"{}\" contains a space", one_line(item))
            }
            ExtListError::BadCharacter { item, c } => format!(
                "\"{}\" contains {}, which no extension can contain",
                one_line(item),
                code_point(*c)
            ),
            ExtListError::TooLong { item } => format!(
                "\"{}\" is longer than {MAX_EXT_CHARS} characters",
                one_line(item)
            ),
            ExtListError::TooMany { count } => {
                format!("a list can have at most {MAX_EXTS} extensions, not {count}")
            }
        }
    }

    fn file_refused(&self, refused: &Refused) -> String {
        match refused {
            Refused::Denied { ext } => {
                format!("files ending in .{} are not accepted here", one_line(ext))
            }
            Refused::NotAllowed { ext: Some(ext) } => format!(
                "files ending in .{} are not among those accepted here",
                one_line(ext)
            ),
            Refused::NotAllowed { ext: None } => {
                "files without an extension are not among those accepted here".to_string()
            }
        }
    }

    // History: room names come from peers, so they pass `one_line`.

    fn history_error(&self, error: &HistoryError) -> String {
        match error {
            HistoryError::BadRoomName => "this room name cannot be kept in a history".to_string(),
            HistoryError::Closed => "the history is closed: the server is stopping".to_string(),
            HistoryError::Folder { dir, error } => {
                format!("cannot use the history folder {}: {error}", dir.display())
            }
            HistoryError::InUse { dir } => format!(
                "the history folder {} is in use by another server \
                 (give this one its own with --history DIR, or run it with --no-history)",
                dir.display()
            ),
            HistoryError::Read { path, error } => format!(
                "cannot read the history file {}: {error} \
                 (the server does not start without it, so that no room is numbered from 1 again)",
                path.display()
            ),
        }
    }

    fn history_problem(&self, problem: &Problem) -> String {
        match problem {
            Problem::WriteFailed { room, error } => format!(
                "history: cannot write the file of room \"{}\": {error}; \
                 its new messages are kept in memory only until writing works again",
                one_line(room)
            ),
            Problem::WriteResumed { room, lost } => format!(
                "history: writing the file of room \"{}\" works again; \
                 {lost} messages were not written to disk meanwhile",
                one_line(room)
            ),
            Problem::SyncFailed { room, error } => {
                let what = match room {
                    Some(room) => format!(
                        "history: fsync failed for room \"{}\": {error}",
                        one_line(room)
                    ),
                    None => format!("history: fsync of the history folder failed: {error}"),
                };
                format!("{what}; the last second of messages may not survive a power cut")
            }
            Problem::CompactFailed { room, error } => format!(
                "history: cannot compact the file of room \"{}\": {error}; \
                 the old file is kept whole and grows until this works",
                one_line(room)
            ),
            Problem::QueueFull { dropped } => format!(
                "history: the disk is not keeping up; {} kept in memory only",
                count_words(*dropped as usize, "message was", "messages were")
            ),
        }
    }

    fn history_recovery(&self, room: &RoomRecovery) -> String {
        let mut parts = Vec::new();
        if room.corrupt > 0 {
            let mut listed: Vec<String> = room.corrupt_lines.iter().map(u64::to_string).collect();
            if room.corrupt > listed.len() {
                listed.push(format!("and {} more", room.corrupt - listed.len()));
            }
            parts.push(format!(
                "{} skipped ({} {})",
                count_words(room.corrupt, "corrupt line", "corrupt lines"),
                if room.corrupt == 1 { "line" } else { "lines" },
                listed.join(", ")
            ));
        }
        if let Some(torn) = room.torn {
            parts.push(format!(
                "a torn last line cut off (line {}, {})",
                torn.line,
                count_words(torn.bytes as usize, "byte", "bytes")
            ));
        }
        format!(
            "history: room \"{}\": {}; {} read, up to seq {}",
            one_line(&room.room),
            parts.join(", "),
            count_words(room.messages, "message", "messages"),
            room.last_seq
        )
    }

    fn secret_error(&self, error: &SecretError) -> String {
        let path = one_line(&error.path.display().to_string()).into_owned();
        match &error.problem {
            SecretProblem::Io(e) => format!("cannot use the server's secret {path}: {e}"),
            SecretProblem::Malformed => format!(
                "cannot use the server's secret {path}: it is not one line of 64 hexadecimal \
                 digits. Restore it from a backup; deleting it makes a new one, and then anyone \
                 who noted how the server answered unknown names before can tell which names \
                 are registered"
            ),
        }
    }

    fn serve_error(&self, error: &ServeError) -> String {
        match error {
            ServeError::Accounts(e) => self.accounts_load_error(e),
            ServeError::Secret(e) => self.secret_error(e),
            ServeError::History(e) => self.history_error(e),
            ServeError::Io(e) => e.to_string(),
        }
    }

    fn admin_error(&self, error: &AdminError) -> String {
        match error {
            AdminError::NotOnline(name) => {
                format!("no user named \"{}\" is online", one_line(name))
            }
            AdminError::NotRegistered(name) => {
                format!("no account is registered as \"{}\"", one_line(name))
            }
            AdminError::NotMuted(name) => format!("{} is not muted", one_line(name)),
            AdminError::BadName(e) => self.name_error(e),
            AdminError::Mute(e) => self.mute_error(e),
            AdminError::Accounts(e) => self.account_error(e),
        }
    }

    // --- Both programs' command lines --------------------------------------

    /// A bad command line: the problem, and where to look.
    fn bad_arguments(&self, program: &str, error: &ArgError) -> String {
        format!(
            "{program}: {}\nTry '{program} --help'.",
            self.arg_error(error)
        )
    }

    fn version(&self, program: &str) -> String {
        format!("{program} {VERSION}")
    }

    // --- Server: command line, console, log ------------------------------------

    fn server_usage(&self) -> String {
        "\
Usage: chat-server [PORT] [HOST] [OPTIONS]

Runs the chat room. PORT defaults to 8888 (0 picks any free port),
HOST to localhost (use 0.0.0.0 to accept other machines).

Options:
  --port PORT            port to listen on
  --host HOST            address to listen on
  --max-clients N        most clients at once (default 1000)
  --max-text BYTES       longest chat message (default 65536)
  --max-frame BYTES      largest frame or WebSocket message accepted from a client
                         (default 1048576, at most 16777216)
  --queue BYTES          outgoing queue per client (default 4194304)
  --heartbeat SECS       ping a client silent this long, drop it after twice this;
                         close a connection not joined this long after connecting (default 30)
  --send-timeout SECS    drop a client that cannot take data for this long (default 10)
  --max-file BYTES       largest file a client may send (default 1073741824 = 1 GiB)
  --chunk-size BYTES     file chunk size for /send (default 4096)
  --files DIR            keep copies of received files in DIR/received, and look in
                         DIR/server for a /send PATH not found here (default files)
  --accounts FILE        registered names and their password verifiers
                         (default DIR/accounts.json, DIR as --files; the server's
                         secret is kept beside it, as accounts.secret)
  --members-only         only registered names may join; guests are refused
  --lock-window SECS     5 failed logins within SECS lock a name or an address
                         for SECS (default 60)
  --allow-ext LIST       relay only files with these extensions (txt,pdf,png)
  --deny-ext LIST        never relay files with these extensions (exe,bat)
  --max-rooms N          most rooms at once, lobby included (default 100)
  --history DIR          keep each room's history in DIR (default files/history)
  --no-history           keep the history in memory only: gone when the server stops
  --history-keep N       messages kept per room (default 1000)
  --history-on-join N    messages replayed on entering a room, 0 for none (default 20)
  --trace[=hex]          print every frame sent and received on stderr
  --allow-origin ORIGIN  let pages from ORIGIN (like http://example.org:8080) open a
                         WebSocket here; repeat for more (the server's own page
                         always may)
  --lang zh|en           the language to speak (default: the locale's, from
                         LC_ALL, LC_MESSAGES or LANG)
  --help                 show this help
  --version              show the version"
            .to_string()
    }

    /// The first line the server prints; tests and scripts wait for it.
    fn listening(&self, addr: &str) -> String {
        format!("Chat server listening on {addr}\nWaiting for clients...")
    }

    fn browser_hint(&self, url: &str, other_machines: bool) -> String {
        if other_machines {
            format!(
                "In a browser, open {url} (from another machine, use this machine's address in place of localhost)"
            )
        } else {
            format!("In a browser, open {url}")
        }
    }

    fn console_help(&self) -> String {
        "\
Server commands:
  /msg TEXT              send TEXT to everyone, in every room
  /msg #ROOM TEXT        send TEXT to ROOM (kept in its history)
  /msg @NAME TEXT        send TEXT to NAME only
  /send PATH             send a file to everyone
  /send #ROOM PATH       send a file to the members of ROOM
  /send @NAME PATH       send a file to NAME only
                         (a PATH not found here is looked for in files/server/)
  /list                  list who is online, and in which room
  /rooms                 list the rooms and their members
  /user NAME             show details of one user
  /kick NAME             remove a user from the chat
  /mute NAME [SECS]      silence NAME for SECS seconds (default 300)
  /unmute NAME           lift a mute
  /accounts              list the registered names and their roles
  /role NAME admin|member  make an account an admin, or a member again
  /deluser NAME          delete an account (its owner, if online, is removed)
  /help                  show this help
  /quit                  shut the server down
Press Ctrl+C to stop the server at once."
            .to_string()
    }

    fn cannot_listen(&self, addr: &str, error: &io::Error) -> String {
        format!("chat-server: cannot listen on {}: {error}", one_line(addr))
    }

    fn cannot_start(&self, error: &HistoryError) -> String {
        format!("chat-server: {error}")
    }

    fn cannot_serve(&self, addr: &str, error: &ServeError) -> String {
        match error {
            ServeError::Io(e) => self.cannot_listen(addr, e),
            ServeError::History(e) => self.cannot_start(e),
            other => format!("chat-server: {}", escaped(other)),
        }
    }

    fn log_joined(&self, name: &str, addr: &str, online: usize) -> String {
        format!("{} joined from {addr} ({online} online)", one_line(name))
    }

    fn log_left(&self, name: &str, reason: LeaveReason) -> String {
        format!("{} {}", one_line(name), leave_phrase(reason))
    }

    fn log_public(&self, sender: &str, room: &str, text: &str) -> String {
        format!(
            "{} to {}: {}",
            one_line(sender),
            room_tag(room),
            for_terminal(text)
        )
    }

    fn log_entered_room(&self, name: &str, room: &str) -> String {
        format!("{} moved to {}", one_line(name), room_tag(room))
    }

    fn log_bad_room(&self, who: &str, room: &str, why: &str) -> String {
        format!(
            "refused room name \"{}\" from {}: {}",
            one_line(room),
            one_line(who),
            one_line(why)
        )
    }

    fn log_room_limit(&self, who: &str, room: &str, max: usize) -> String {
        format!(
            "refused room \"{}\" for {}: there are {max} rooms, the limit",
            one_line(room),
            one_line(who)
        )
    }

    fn log_private(&self, sender: &str, to: &str, text: &str) -> String {
        format!(
            "{} to {} (private): {}",
            one_line(sender),
            one_line(to),
            for_terminal(text)
        )
    }

    fn log_refused_name(&self, addr: &str, name: &str, why: &str) -> String {
        format!(
            "refused name \"{}\" from {addr}: {}",
            one_line(name),
            one_line(why)
        )
    }

    fn log_name_taken(&self, addr: &str, name: &str) -> String {
        format!("refused name \"{}\" from {addr}: taken", one_line(name))
    }

    fn log_bad_input(&self, who: &str, error: &dyn fmt::Display) -> String {
        format!("bad input from {}: {}", one_line(who), escaped(error))
    }

    /// What a `bad input` line says of a message sent before joining.
    fn log_before_join(&self, kind: &str) -> String {
        format!("{} before USER_JOIN", one_line(kind))
    }

    /// What a `bad input` line says of a `USER_JOIN` from a member.
    fn log_second_join(&self) -> String {
        "a second USER_JOIN".to_string()
    }

    fn log_client_error(&self, text: &str, code: &str) -> String {
        format!("{} ({})", one_line(text), one_line(code))
    }

    fn log_server_full(&self, addr: &str, max: usize) -> String {
        let clients = if max == 1 { "client" } else { "clients" };
        format!("refused {addr}: the server is full ({max} {clients})")
    }

    fn log_http(
        &self,
        addr: &str,
        request: Option<(&str, &str)>,
        status: u16,
        why: Option<&dyn fmt::Display>,
    ) -> String {
        let asked = http_asked(request);
        match why {
            Some(why) => format!("HTTP {addr}{asked}: {status}, {}", escaped(why)),
            None => format!("HTTP {addr}{asked}: {status}"),
        }
    }

    fn log_join_timeout(&self, addr: &str, seconds: u64) -> String {
        format!("closed {addr}: it did not join within {seconds} s")
    }

    fn log_session_panicked(&self, addr: &str) -> String {
        format!("internal error while serving {addr}; that connection was closed")
    }

    fn log_setup_failed(&self, addr: &str, error: &io::Error) -> String {
        format!("setting up the connection from {addr} failed: {error}")
    }

    fn log_accept_failed(&self, error: &io::Error) -> String {
        format!("accepting a connection failed: {error}")
    }

    fn log_file_offer(&self, sender: &str, name: &str, size: u64, to: &Audience) -> String {
        format!(
            "{} is sending {} ({}) to {}",
            one_line(sender),
            one_line(name),
            self.bytes(size),
            audience(to)
        )
    }

    fn log_file_saved(&self, sender: &str, path: &Path, size: u64) -> String {
        format!(
            "received {} ({}) from {}",
            escaped(&path.display()),
            self.bytes(size),
            one_line(sender)
        )
    }

    fn log_file_aborted(&self, sender: &str, name: &str, why: &str) -> String {
        format!(
            "transfer of {} from {} aborted: {}",
            one_line(name),
            one_line(sender),
            one_line(why)
        )
    }

    fn console_file_sent(&self, name: &str, size: u64, to: &Audience, seconds: f64) -> String {
        format!(
            "Sent {} ({}) to {} in {seconds:.2} s ({}).",
            one_line(name),
            self.bytes(size),
            audience(to),
            rate(size, seconds)
        )
    }

    fn console_file_failed(&self, path: &str, why: &dyn fmt::Display) -> String {
        format!("Cannot send {}: {}.", one_line(path), escaped(why))
    }

    fn console_file_started(&self, name: &str, size: u64, to: &Audience) -> String {
        format!(
            "Sending {} ({}) to {}...",
            one_line(name),
            self.bytes(size),
            audience(to)
        )
    }

    fn shutting_down(&self) -> String {
        "Shutting down: telling clients and closing connections...".to_string()
    }

    fn stopped(&self) -> String {
        "Server stopped.".to_string()
    }

    fn console_not_a_command(&self) -> String {
        "Commands start with '/'. To talk to everyone, type /msg TEXT (/help lists all commands)."
            .to_string()
    }

    fn unknown_command(&self, name: &str) -> String {
        format!(
            "Unknown command /{}. Type /help for the list.",
            one_line(name)
        )
    }

    fn usage_msg(&self) -> String {
        "Usage: /msg TEXT  or  /msg #ROOM TEXT  or  /msg @NAME TEXT".to_string()
    }

    fn usage_send(&self) -> String {
        "Usage: /send PATH  or  /send @NAME PATH (quote a path that has spaces)".to_string()
    }

    fn usage_console_send(&self) -> String {
        "Usage: /send PATH  or  /send #ROOM PATH  or  /send @NAME PATH (quote a path that has spaces)"
            .to_string()
    }

    fn usage_user(&self) -> String {
        "Usage: /user NAME".to_string()
    }

    fn usage_kick(&self) -> String {
        "Usage: /kick NAME".to_string()
    }

    fn kicked(&self, name: &str) -> String {
        format!("Removed {} from the chat.", one_line(name))
    }

    fn no_such_user(&self, name: &str) -> String {
        format!("No user named \"{}\" is online.", one_line(name))
    }

    fn sent_to_everyone(&self, count: usize) -> String {
        format!("Sent to everyone ({count} online).")
    }

    fn sent_to(&self, name: &str) -> String {
        format!("Sent to {}.", one_line(name))
    }

    fn sent_to_room(&self, room: &str, members: usize, seq: u64) -> String {
        format!(
            "Sent to {} ({}), seq {seq}.",
            room_tag(room),
            count_words(members, "member", "members")
        )
    }

    fn no_such_room(&self, room: &str) -> String {
        format!(
            "There is no room {}: a room exists while someone is in it (/rooms lists them).",
            room_tag(room)
        )
    }

    fn stopping(&self) -> String {
        "The server is stopping; nothing was sent.".to_string()
    }

    fn rooms_header(&self, rooms: usize) -> String {
        format!("Rooms ({rooms}):")
    }

    fn rooms_row(&self, room: &str, members: &[String]) -> String {
        format!(
            "  {} ({}): {}",
            room_tag(room),
            members.len(),
            names_joined(members)
        )
    }

    fn list_empty(&self) -> String {
        "No users online.".to_string()
    }

    fn list_header(&self, count: usize) -> String {
        format!("Online users ({count}):")
    }

    fn list_row(&self, number: usize, name: &str, addr: &str, room: &str) -> String {
        format!(
            "  {number}. {} ({addr}) in {}",
            one_line(name),
            room_tag(room)
        )
    }

    fn user_details(&self, name: &str, ip: &str, port: u16, since: &str, messages: u64) -> String {
        let name = one_line(name);
        format!(
            "User {name}:\n  IP address:  {ip}\n  Port:        {port}\n  Status:      online\n  Connected:   {since}\n  Messages:    {messages}"
        )
    }

    // --- Server: history (room names come from peers, so they pass `one_line`) ---

    fn history_opened(&self, report: &OpenReport) -> String {
        let dir = report.dir.display();
        if report.rooms.is_empty() {
            return format!("history: kept in {dir} (no rooms yet)");
        }
        let lost = report.lines_lost();
        format!(
            "history: kept in {dir}: {} in {}{}",
            count_words(report.messages(), "message", "messages"),
            count_words(report.rooms.len(), "room", "rooms"),
            if lost == 0 {
                String::new()
            } else {
                format!(
                    ", {} lost to damage (below)",
                    count_words(lost, "line", "lines")
                )
            }
        )
    }

    fn history_closed(&self, progress: &Progress) -> String {
        let written = count_words(progress.written as usize, "message", "messages");
        let syncs = count_words(progress.syncs as usize, "group fsync", "group fsyncs");
        if progress.written == 0 && progress.lost == 0 {
            "history: nothing new was written this run".to_string()
        } else if progress.lost == 0 {
            format!("history: {written} written this run, all of them synced ({syncs})")
        } else {
            format!(
                "history: {written} written this run ({syncs}); {} could not be written (reported above)",
                count_words(progress.lost as usize, "message", "messages")
            )
        }
    }

    fn history_removed_temp(&self, names: &[String]) -> String {
        format!(
            "history: removed what an interrupted compaction left ({}); the files it was rewriting are whole",
            one_line(&names.join(", "))
        )
    }

    fn history_ignored(&self, names: &[String]) -> String {
        format!(
            "history: ignored {} that no room keeps: {}",
            count_words(names.len(), "file", "files"),
            one_line(&names.join(", "))
        )
    }

    // --- Server → client ERROR texts -------------------------------------------

    fn error_name_invalid(&self, name: &str, why: &NameError) -> String {
        format!(
            "The name \"{}\" cannot be used: {}.",
            one_line(name),
            self.name_error(why)
        )
    }

    fn error_name_refused(&self, name: &str) -> String {
        format!(
            "The server does not accept the name \"{}\".",
            one_line(name)
        )
    }

    fn error_name_taken(&self, name: &str) -> String {
        format!(
            "The name \"{}\" is already in use. Choose another one.",
            one_line(name)
        )
    }

    fn error_unknown_user(&self, name: &str) -> String {
        self.no_such_user(name)
    }

    fn error_room_invalid(&self, room: &str, why: &NameError) -> String {
        format!(
            "The room name \"{}\" cannot be used: {}. You are still in your room.",
            one_line(room),
            self.name_error(why)
        )
    }

    fn error_room_limit(&self, room: &str, max: usize) -> String {
        format!(
            "This server allows {} at once, and there are that many already, so {} was not created. You are still in your room.",
            count_words(max, "room", "rooms"),
            room_tag(room)
        )
    }

    fn error_text_too_long(&self, len: u64, max: u64) -> String {
        format!("Your message is {len} bytes long; the limit is {max}. It was not sent.")
    }

    fn error_text_too_long_unsized(&self) -> String {
        "Your message is longer than the server accepts. It was not sent.".to_string()
    }

    fn error_join_first(&self) -> String {
        "Join first: the first message must be USER_JOIN with your name.".to_string()
    }

    fn error_already_joined(&self) -> String {
        "You have already joined.".to_string()
    }

    fn error_bad_frame(&self, detail: &dyn fmt::Display) -> String {
        format!("Bad frame: {}. Closing the connection.", escaped(detail))
    }

    fn error_bad_message(&self, detail: &dyn fmt::Display) -> String {
        format!("Bad message: {}.", escaped(detail))
    }

    fn error_not_understood(&self) -> String {
        "The server could not read a message this client sent.".to_string()
    }

    fn error_frame_too_large(&self, limit: Option<u64>) -> String {
        match limit {
            Some(limit) => format!(
                "This client sent a frame over the server's limit of {}. The connection is closed.",
                self.bytes(limit)
            ),
            None => "This client sent a frame over the server's limit. The connection is closed."
                .to_string(),
        }
    }

    fn error_server_full(&self) -> String {
        "The server is full. Try again later.".to_string()
    }

    fn error_kicked(&self, by: &str) -> String {
        if by == crate::names::SERVER_NAME {
            return "You were removed from the chat by the server.".to_string();
        }
        format!("You were removed from the chat by {}.", one_line(by))
    }

    fn error_join_timeout(&self, seconds: u64) -> String {
        format!("You did not join within {seconds} seconds. Closing the connection.")
    }

    fn error_server_shutdown(&self) -> String {
        "The server is shutting down.".to_string()
    }

    fn error_file_too_large(&self, size: u64, max: u64) -> String {
        format!(
            "The file is {}; the limit is {}. It was not sent.",
            self.bytes(size),
            self.bytes(max)
        )
    }

    fn error_file_too_large_unsized(&self) -> String {
        "The file is larger than the server accepts. It was not sent.".to_string()
    }

    fn error_unknown_transfer(&self, id: &str) -> String {
        format!("There is no transfer \"{}\" in progress.", one_line(id))
    }

    fn error_duplicate_transfer(&self, id: &str) -> String {
        format!("A transfer \"{}\" is already in progress.", one_line(id))
    }

    fn error_too_many_transfers(&self, max: usize) -> String {
        format!("At most {max} transfers at once per user.")
    }

    fn error_transfer_failed(&self, name: &str, why: &dyn fmt::Display) -> String {
        format!(
            "The transfer of {} failed: {}.",
            one_line(name),
            escaped(why)
        )
    }

    fn error_sender_left(&self, name: &str, sender: &str) -> String {
        format!(
            "{} left before {} was complete.",
            one_line(sender),
            one_line(name)
        )
    }

    fn error_server_storage(&self, name: &str, error: &io::Error) -> String {
        format!("The server could not store {}: {error}.", one_line(name))
    }

    fn error_transfer_aborted(&self) -> String {
        "the transfer was aborted".to_string()
    }

    fn error_weak_verifier(&self) -> String {
        "The server refused the verifier of this password: it is weaker than the server accepts."
            .to_string()
    }

    fn error_transfer_damaged(&self) -> String {
        "the data did not arrive intact".to_string()
    }

    fn error_server_cannot_store(&self) -> String {
        "the server could not store the file".to_string()
    }

    // --- Client: command line, screen ------------------------------------------

    fn client_usage(&self) -> String {
        "\
Usage: chat-client [PORT] [HOST] [NAME] [OPTIONS]

Joins a chat room. PORT defaults to 8888, HOST to localhost; without a NAME
the client asks for one. On a terminal, the client edits the line you type
itself, so that messages arriving meanwhile are printed above it (/help in
the chat lists the keys); with a pipe, it reads whole lines.

Options:
  --port PORT        server port
  --host HOST        server address
  --name NAME        your name in the chat
  --downloads DIR    where received files are saved (default files/downloads)
  --chunk-size BYTES file chunk size when sending (default 4096)
  --register         register NAME with a new password before joining (the
                     way into a --members-only server)
  --iterations N     PBKDF2 iterations for a new password, 4096 to 10000000
                     (default 600000; more is slower to log in, and slower
                     to guess from a stolen accounts file)
  --trace[=hex]      print every frame sent and received on stderr
  --lang zh|en       the language to speak (default: the locale's)
  --help             show this help
  --version          show the version"
            .to_string()
    }

    fn client_help(&self) -> String {
        "\
Chat commands:
  TEXT                   send TEXT to your room
  /msg @NAME TEXT        send TEXT to NAME only, in any room
  /send PATH             send a file to your room
  /send @NAME PATH       send a file to NAME only
  /join #ROOM            go to ROOM (it is made if nobody is there)
  /rooms                 list the rooms
  /who                   list who is in your room
  /history [N]           show the last N messages of your room (default 20)
  /list                  list who is online
  /register              register your name with a password
  /passwd                change your password
  /help                  show this help
  /quit                  leave the chat"
            .to_string()
    }

    fn client_admin_help(&self) -> String {
        "\
Admin commands:
  /kick NAME             remove NAME from the chat
  /mute NAME [SECS]      silence NAME for SECS seconds (default 300)
  /unmute NAME           lift a mute
  /op NAME               make a registered NAME an admin
  /deop NAME             make an admin a member again"
            .to_string()
    }

    fn editor_help(&self) -> String {
        "\
Editing keys:
  Left Right Home End    move along the line
  Up Down                bring back an earlier line
  Backspace Delete       erase a character
  Ctrl-W                 erase the word before the cursor
  Ctrl-U Ctrl-K          erase to the start, or to the end, of the line
  Ctrl-L                 clear the screen
  Ctrl-C                 leave the chat, as /quit
  Ctrl-D                 on an empty line: leave the chat
  Ctrl-Z                 stop the client for a while (fg brings it back)"
            .to_string()
    }

    fn input_prompt(&self) -> String {
        "> ".to_string()
    }

    fn room_prompt(&self, room: &str) -> String {
        format!("{}{}", room_tag(room), self.input_prompt())
    }

    fn typed_command(&self, room: &str, line: &str) -> String {
        format!("{}{}", self.room_prompt(room), one_line(line))
    }

    fn name_prompt(&self) -> String {
        "Your name: ".to_string()
    }

    fn cannot_connect(&self, addr: &str, error: &io::Error) -> String {
        format!(
            "Cannot connect to the chat server at {}: {error}.",
            one_line(addr)
        )
    }

    fn name_refused(&self, reason: &str) -> String {
        format!("Name refused: {}", one_line(reason))
    }

    fn connected(&self, addr: &str, name: &str) -> String {
        format!("Connected to {} as {}.", one_line(addr), one_line(name))
    }

    fn online_list(&self, names: &[String]) -> String {
        format!("Online ({}): {}", names.len(), names_joined(names))
    }

    fn chat_line(&self, time: &str, sender: &str, text: &str) -> String {
        format!("[{time}] {}: {}", one_line(sender), for_terminal(text))
    }

    fn earlier_line(&self, time: &str, sender: &str, text: &str) -> String {
        format!(
            "[{time}] (earlier) {}: {}",
            one_line(sender),
            for_terminal(text)
        )
    }

    fn history_end(&self, room: &str, count: u64) -> String {
        match count {
            0 => format!("(no earlier messages in {})", room_tag(room)),
            1 => format!("(1 earlier message of {} above)", room_tag(room)),
            n => format!("({n} earlier messages of {} above)", room_tag(room)),
        }
    }

    fn in_room(&self, room: &str, members: &[String]) -> String {
        format!(
            "You are in {} ({}): {}",
            room_tag(room),
            members.len(),
            names_joined(members)
        )
    }

    fn in_room_alone(&self, room: &str) -> String {
        format!("You are in {}. /who lists who is here.", room_tag(room))
    }

    fn room_entered_line(&self, time: &str, user: &str, room: &str, members: u64) -> String {
        format!(
            "[{time}] * {} came into {} ({members} here)",
            one_line(user),
            room_tag(room)
        )
    }

    fn room_left_line(&self, time: &str, user: &str, room: &str, members: u64) -> String {
        format!(
            "[{time}] * {} left {} for another room ({members} here)",
            one_line(user),
            room_tag(room)
        )
    }

    fn rooms_list(&self, rooms: &[(String, u64)]) -> String {
        format!("Rooms ({}): {}", rooms.len(), rooms_joined(rooms))
    }

    fn usage_join(&self) -> String {
        "Usage: /join #ROOM".to_string()
    }

    fn usage_history(&self) -> String {
        format!(
            "Usage: /history [N], N from 1 to {}",
            crate::message::client::MAX_HISTORY_LIMIT
        )
    }

    fn room_refused(&self, room: &str, why: &NameError) -> String {
        format!(
            "The room name \"{}\" cannot be used: {}. Nothing was sent.",
            one_line(room),
            self.name_error(why)
        )
    }

    fn private_line(&self, time: &str, sender: &str, text: &str) -> String {
        format!(
            "[{time}] {}: [private] {}",
            one_line(sender),
            for_terminal(text)
        )
    }

    fn own_private_line(&self, time: &str, to: &str, text: &str) -> String {
        format!("[{time}] → {}: {}", one_line(to), for_terminal(text))
    }

    fn joined_line(&self, time: &str, name: &str, online: u64) -> String {
        format!(
            "[{time}] * {} joined the chat ({online} online)",
            one_line(name)
        )
    }

    fn left_line(&self, time: &str, name: &str, reason: LeaveReason, online: u64) -> String {
        format!(
            "[{time}] * {} {} ({online} online)",
            one_line(name),
            leave_phrase(reason)
        )
    }

    fn error_line(&self, text: &str) -> String {
        format!("[error] {}", for_terminal(text))
    }

    fn server_closed(&self) -> String {
        "The server has shut down. Goodbye.".to_string()
    }

    fn connection_lost(&self) -> String {
        "Connection to the server lost.".to_string()
    }

    fn goodbye(&self) -> String {
        "You left the chat.".to_string()
    }

    fn client_unknown_command(&self, name: &str) -> String {
        format!(
            "Unknown command /{}; it was not sent. Type /help for the list.",
            one_line(name)
        )
    }

    fn usage_client_msg(&self) -> String {
        "Usage: /msg @NAME TEXT".to_string()
    }

    fn bad_path(&self, error: &PathError) -> String {
        format!("{}. {}", self.path_error(error), self.usage_send())
    }

    fn cannot_send_file(&self, path: &str, why: &dyn fmt::Display) -> String {
        format!("[file] cannot send {}: {}", one_line(path), escaped(why))
    }

    fn file_too_large_locally(&self, path: &str, size: u64, max: u64) -> String {
        format!(
            "[file] cannot send {}: it is {}, and the server accepts at most {}",
            one_line(path),
            self.bytes(size),
            self.bytes(max)
        )
    }

    fn sending_file(&self, name: &str, size: u64, to: Option<&str>) -> String {
        let to = match to {
            Some(name) => one_line(name).into_owned(),
            None => "your room".to_string(),
        };
        format!(
            "[file] sending {} ({}) to {to}",
            one_line(name),
            self.bytes(size)
        )
    }

    fn sending_progress(&self, name: &str, percent: f64) -> String {
        format!("[file] sending {}: {percent:.1}%", one_line(name))
    }

    fn file_sent(&self, name: &str, size: u64, seconds: f64, sha256: &str) -> String {
        format!(
            "[file] sent {}: {} in {seconds:.2} s ({}), sha256 {}",
            one_line(name),
            self.bytes(size),
            rate(size, seconds),
            one_line(sha256)
        )
    }

    fn file_send_stopped(&self, name: &str, why: &str) -> String {
        format!(
            "[file] sending {} stopped: {}",
            one_line(name),
            one_line(why)
        )
    }

    fn incoming_file(&self, sender: &str, name: &str, size: u64) -> String {
        format!(
            "[file] {} is sending {} ({})",
            one_line(sender),
            one_line(name),
            self.bytes(size)
        )
    }

    fn receiving_progress(&self, name: &str, sender: &str, percent: f64) -> String {
        format!(
            "[file] receiving {} from {}: {percent:.1}%",
            one_line(name),
            one_line(sender)
        )
    }

    fn file_received(
        &self,
        name: &str,
        sender: &str,
        size: u64,
        seconds: f64,
        path: &Path,
        sha256: &str,
    ) -> String {
        format!(
            "[file] received {} from {}: {} in {seconds:.2} s ({}), saved to {}, sha256 {}",
            one_line(name),
            one_line(sender),
            self.bytes(size),
            rate(size, seconds),
            escaped(&path.display()),
            one_line(sha256)
        )
    }

    fn file_not_received(&self, name: &str, sender: &str, why: &dyn fmt::Display) -> String {
        format!(
            "[file] {} from {} was not kept: {}; the partial file was deleted",
            one_line(name),
            one_line(sender),
            escaped(why)
        )
    }

    fn cannot_save_file(&self, name: &str, error: &io::Error) -> String {
        format!("[file] cannot save {}: {error}", one_line(name))
    }

    // --- Accounts, logins, admins and file types (contract §10–§12) -----

    fn log_new_secret(&self, path: &Path) -> String {
        format!(
            "made a new server secret in {} (keep it with the accounts file)",
            one_line(&path.display().to_string())
        )
    }

    fn log_accounts_loaded(&self, count: usize, path: &Path) -> String {
        format!(
            "{} in {}",
            count_words(count, "registered account", "registered accounts"),
            one_line(&path.display().to_string())
        )
    }

    fn not_a_name(&self, name: &str, why: &NameError) -> String {
        format!(
            "{} (not a valid name: {})",
            one_line(name),
            self.name_error(why)
        )
    }

    fn log_auth_mechanism(&self, mechanism: &str) -> String {
        format!("AUTH with mechanism \"{}\"", one_line(mechanism))
    }

    fn log_auth_after_join(&self) -> String {
        "AUTH after joining".to_string()
    }

    fn log_logged_in(&self, name: &str, addr: &str, role: &str) -> String {
        format!(
            "{} logged in from {} ({})",
            one_line(name),
            one_line(addr),
            one_line(role)
        )
    }

    fn log_login_failed(&self, name: &str, addr: &str) -> String {
        format!("failed login as {} from {}", one_line(name), one_line(addr))
    }

    fn log_login_now_locked(&self, name: &str, addr: &str, seconds: u64) -> String {
        format!(
            "too many failed logins: {} or {} locked for {seconds} s",
            one_line(name),
            one_line(addr)
        )
    }

    fn log_login_locked(&self, name: &str, addr: &str, seconds: u64) -> String {
        format!(
            "login as {} from {} refused: locked for {seconds} s more",
            one_line(name),
            one_line(addr)
        )
    }

    fn log_auth_required(&self, name: &str, addr: &str) -> String {
        format!(
            "{} from {} must log in to join",
            one_line(name),
            one_line(addr)
        )
    }

    fn log_registered(&self, name: &str, addr: &str) -> String {
        format!("{} registered from {}", one_line(name), one_line(addr))
    }

    fn log_password_changed(&self, name: &str, addr: &str) -> String {
        format!(
            "{} changed its password from {}",
            one_line(name),
            one_line(addr)
        )
    }

    fn log_register_refused(&self, name: &str, addr: &str, why: &AccountError) -> String {
        format!(
            "registration of {} from {} refused: {}",
            one_line(name),
            one_line(addr),
            escaped(why)
        )
    }

    fn log_registrations_limited(&self, addr: &str, seconds: u64) -> String {
        format!(
            "registration from {} refused: too many lately, {seconds} s to wait",
            one_line(addr)
        )
    }

    fn log_admin_kicked(&self, by: &str, name: &str) -> String {
        format!("admin: {} kicked {}", one_line(by), one_line(name))
    }

    fn log_admin_muted(&self, by: &str, name: &str, seconds: u64, ends: &str) -> String {
        format!(
            "admin: {} muted {} for {seconds} s (until {ends})",
            one_line(by),
            one_line(name)
        )
    }

    fn log_admin_unmuted(&self, by: &str, name: &str) -> String {
        format!("admin: {} unmuted {}", one_line(by), one_line(name))
    }

    fn log_admin_role(&self, by: &str, name: &str, before: &str, after: &str) -> String {
        format!(
            "admin: {} made {} {} (was {})",
            one_line(by),
            one_line(name),
            one_line(after),
            one_line(before)
        )
    }

    fn log_admin_deleted(&self, by: &str, name: &str) -> String {
        format!(
            "admin: {} deleted the account {}",
            one_line(by),
            one_line(name)
        )
    }

    fn log_admin_forbidden(&self, name: &str, action: &str, target: &str) -> String {
        format!(
            "{} is not an admin and may not {} {}",
            one_line(name),
            one_line(action),
            one_line(target)
        )
    }

    fn log_file_type_refused(&self, sender: &str, name: &str, why: &Refused) -> String {
        format!(
            "file {} from {} refused: {}",
            one_line(name),
            one_line(sender),
            self.file_refused(why)
        )
    }

    fn usage_mute(&self) -> String {
        "Usage: /mute NAME [SECONDS]".to_string()
    }

    fn usage_unmute(&self) -> String {
        "Usage: /unmute NAME".to_string()
    }

    fn usage_role(&self) -> String {
        "Usage: /role NAME admin|member".to_string()
    }

    fn usage_deluser(&self) -> String {
        "Usage: /deluser NAME".to_string()
    }

    fn accounts_empty(&self) -> String {
        "No registered accounts.".to_string()
    }

    fn accounts_header(&self, count: usize) -> String {
        format!(
            "{}:",
            count_words(count, "registered account", "registered accounts")
        )
    }

    fn accounts_row(&self, number: usize, name: &str, role: &str, online: bool) -> String {
        format!(
            "  {number}. {} ({}){}",
            one_line(name),
            one_line(role),
            if online { ", online" } else { "" }
        )
    }

    fn console_muted(&self, name: &str, seconds: u64, ends: &str) -> String {
        format!("Muted {} for {seconds} s, until {ends}.", one_line(name))
    }

    fn console_unmuted(&self, name: &str) -> String {
        format!("Unmuted {}.", one_line(name))
    }

    fn console_role(&self, name: &str, before: &str, after: &str) -> String {
        if before == after {
            return format!("{} is {} already.", one_line(name), one_line(after));
        }
        format!(
            "{} is now {} (was {}).",
            one_line(name),
            one_line(after),
            one_line(before)
        )
    }

    fn console_deleted(&self, name: &str) -> String {
        format!(
            "Deleted the account {}; the name is free again.",
            one_line(name)
        )
    }

    fn console_admin_failed(&self, why: &AdminError) -> String {
        format!("Not done: {}.", escaped(why))
    }

    fn error_auth_required(&self, name: &str) -> String {
        format!(
            "The name \"{}\" is registered: log in with its password to join as it.",
            one_line(name)
        )
    }

    fn error_members_only(&self, name: &str) -> String {
        format!(
            "This server admits registered names only: log in as \"{}\" with its password, or register a name first.",
            one_line(name)
        )
    }

    fn error_auth_mechanism(&self, mechanism: &str) -> String {
        format!(
            "The login mechanism \"{}\" is not offered here: use SCRAM-SHA-256.",
            one_line(mechanism)
        )
    }

    fn error_scram(&self, error: &ScramError) -> String {
        format!("Bad login message: {}.", escaped(error))
    }

    fn error_auth_failed(&self) -> String {
        "Wrong name or password.".to_string()
    }

    fn error_auth_locked(&self, seconds: u64) -> String {
        format!(
            "Too many failed logins for this name or from your address. Try again in {seconds} seconds."
        )
    }

    fn error_auth_after_join(&self) -> String {
        "You have joined already: log in before joining.".to_string()
    }

    fn error_verifier(&self, why: &VerifierError) -> String {
        format!(
            "The password verifier was refused: {}.",
            self.verifier_error(why)
        )
    }

    fn error_register_own_name(&self, name: &str) -> String {
        format!(
            "You can register only the name you use, \"{}\".",
            one_line(name)
        )
    }

    fn error_register_refused(&self, name: &str, why: &AccountError) -> String {
        format!(
            "\"{}\" was not registered: {}.",
            one_line(name),
            escaped(why)
        )
    }

    fn error_registrations_limited(&self, seconds: u64) -> String {
        format!("Too many registrations from your address lately. Try again in {seconds} seconds.")
    }

    fn error_forbidden(&self, action: &str) -> String {
        format!(
            "Only an admin may {}, and you are not logged in as one.",
            one_line(action)
        )
    }

    fn error_admin(&self, why: &AdminError) -> String {
        format!("Not done: {}.", escaped(why))
    }

    fn error_account_deleted(&self, by: &str) -> String {
        format!(
            "Your account was deleted by {}, so you were removed from the chat.",
            one_line(by)
        )
    }

    fn error_muted(&self, until: &str) -> String {
        format!("You are muted until {until}: nothing you send reaches anyone until then.")
    }

    fn error_file_type_refused(&self, name: &str, why: &Refused) -> String {
        format!(
            "{} was not sent: {}.",
            one_line(name),
            self.file_refused(why)
        )
    }

    fn password_prompt(&self, name: &str) -> String {
        format!("Password for {}: ", one_line(name))
    }

    fn new_password_prompt(&self, name: &str) -> String {
        format!("New password for {}: ", one_line(name))
    }

    fn repeat_password_prompt(&self) -> String {
        "The same password again: ".to_string()
    }

    fn passwords_differ(&self) -> String {
        "The two passwords differ; nothing changed.".to_string()
    }

    fn password_empty(&self) -> String {
        "An empty password is no password; nothing changed.".to_string()
    }

    fn password_cancelled(&self) -> String {
        "Cancelled; nothing changed.".to_string()
    }

    fn login_cancelled(&self) -> String {
        "No password given: not joining.".to_string()
    }

    fn logged_in(&self, name: &str, role: Role) -> String {
        format!("Logged in as {} ({}).", one_line(name), role.as_str())
    }

    fn wrong_password(&self) -> String {
        "Wrong password.".to_string()
    }

    fn server_failed_proof(&self, addr: &str) -> String {
        format!(
            "The server at {} failed to prove that it knows your password: it is not the server \
             your account was registered with, or someone between you is answering in its place. \
             Not joining.",
            one_line(addr)
        )
    }

    fn login_refused(&self, why: &ScramError) -> String {
        format!("Login stopped: {}.", escaped(why))
    }

    fn computing_verifier(&self, iterations: u32) -> String {
        format!("Deriving the password's verifier ({iterations} PBKDF2 iterations)...")
    }

    fn registered(&self, name: &str) -> String {
        format!(
            "{} is registered. Next time you join as {}, the password is asked for.",
            one_line(name),
            one_line(name)
        )
    }

    fn password_changed(&self, name: &str) -> String {
        format!("The password of {} is changed.", one_line(name))
    }

    fn register_logged_in(&self) -> String {
        "Your name is registered already; /passwd changes its password.".to_string()
    }

    fn passwd_guest(&self) -> String {
        "You are a guest: /register gives your name a password first.".to_string()
    }

    fn usage_client_admin(&self, command: &str) -> String {
        match command {
            "mute" => "Usage: /mute NAME [SECONDS]".to_string(),
            other => format!("Usage: /{} NAME", one_line(other)),
        }
    }

    fn admin_done(&self, action: AdminAction, target: &str) -> String {
        let target = one_line(target);
        match action {
            AdminAction::Kick => format!("Removed {target} from the chat."),
            AdminAction::Mute => format!("Muted {target}."),
            AdminAction::Unmute => format!("Unmuted {target}."),
            AdminAction::Op => format!("{target} is an admin now."),
            AdminAction::Deop => format!("{target} is a member now, not an admin."),
        }
    }

    fn admin_notice(&self, action: AdminAction, by: &str, until: Option<&str>) -> String {
        let by = one_line(by);
        match (action, until) {
            (AdminAction::Mute, Some(until)) => {
                format!(
                    "* {by} muted you until {until}: nothing you send reaches anyone until then."
                )
            }
            (AdminAction::Mute, None) => format!("* {by} muted you."),
            (AdminAction::Unmute, _) => format!("* {by} lifted your mute."),
            (AdminAction::Op, _) => {
                format!("* {by} made you an admin: /help shows the admin commands.")
            }
            (AdminAction::Deop, _) => {
                format!("* {by} made you a member: you are not an admin now.")
            }
            (AdminAction::Kick, _) => format!("* {by} removed you from the chat."),
        }
    }

    fn file_type_refused_locally(&self, path: &str, why: &Refused) -> String {
        format!(
            "Cannot send {}: {}.",
            one_line(path),
            self.file_refused(why)
        )
    }
}

/// An [`Audience`] in a sentence: `everyone`, `Bob`, `#python`.
fn audience(to: &Audience) -> String {
    match to {
        Audience::Everyone => "everyone".to_string(),
        Audience::User(name) => one_line(name).into_owned(),
        Audience::Room(room) => room_tag(room),
    }
}

/// How a leave reason reads in a sentence: "Bob {left}".
fn leave_phrase(reason: LeaveReason) -> &'static str {
    match reason {
        LeaveReason::Quit => "left",
        LeaveReason::Disconnected => "disconnected",
        LeaveReason::Timeout => "timed out",
        LeaveReason::Kicked => "was removed by the server",
    }
}

fn count_words(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
