//! The small part of HTTP/1.1 a chat server needs to hand a browser its page
//! and turn a connection into a WebSocket.
//!
//! An HTTP request begins with a *head*: a request line and header lines,
//! each ended by CR LF, and an empty line after the last (RFC 9112):
//!
//! ```text
//! GET /ws HTTP/1.1\r\n                          request line: method, target, version
//! Host: localhost:8888\r\n                      header lines: name, colon, value
//! Upgrade: websocket\r\n
//! Connection: Upgrade\r\n
//! Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n
//! Sec-WebSocket-Version: 13\r\n
//! \r\n                                          the empty line: the head ends here
//! ```
//!
//! This module reads a head ([`HeadReader`]), parses it strictly
//! ([`parse_request`]), decides what to answer ([`route`]) and writes the
//! answer ([`page_response`], [`switching_protocols`], [`error_response`]).
//! We serve exactly two things, so the grammar we accept is narrow and every
//! request outside it gets its own status code:
//!
//! | request | answer |
//! |---|---|
//! | `GET /` | `200` and the chat page |
//! | `GET /ws` with a valid WebSocket upgrade | `101`, then WebSocket frames (`websocket.rs`) |
//! | `GET /ws` whose `Origin` is another site | `403` |
//! | `GET /ws` asking for a WebSocket version other than 13 | `426` |
//! | `GET` of any other path | `404` |
//! | any other method | `405` |
//! | an HTTP version other than 1.0 and 1.1 | `505` |
//! | a head over [`MAX_HEAD`] bytes | `431` |
//! | a head that has not ended by the server's deadline | `408` |
//! | anything malformed | `400` |
//!
//! Every answer but `101` ends the connection (`Connection: close`): one
//! request per connection is all a page load needs, and it spares us
//! request bodies and keep-alive bookkeeping. Where the request was
//! malformed, closing is also the only safe choice: we no longer know where
//! the next request would begin, and a server that guesses differently from
//! a proxy in front of it is how request smuggling works.
//!
//! Why strict? A lenient parser accepts whatever its author's loops happen to
//! accept, and two programs that parse the same bytes differently (a proxy and
//! a server, say) can be played against each other. RFC 9112 names what a
//! server must refuse: whitespace between a header name and its colon, a
//! header value folded onto the next line ("obs-fold"), more than one `Host`.
//! We also refuse bare LF or CR line ends, which the RFC allows a server to
//! tolerate. `docs/protocol.md` lists the rules.

use std::io::{self, Read};

use crate::base64;
use crate::frame::is_timeout;
use crate::transport::websocket::accept_key;

/// The longest request head we read: 8 KiB. A browser's upgrade request is
/// about 500 bytes; cookies for `localhost` from other programs can add a few
/// kilobytes. A head that does not end within this many bytes gets `431`.
pub const MAX_HEAD: usize = 8 * 1024;

/// The buffer a [`HeadReader`] starts with; it doubles up to [`MAX_HEAD`]
/// only as bytes actually arrive.
const INITIAL_BUFFER: usize = 1024;

/// An HTTP status line's code and reason phrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status {
    pub code: u16,
    pub reason: &'static str,
}

impl Status {
    pub const OK: Status = Status::new(200, "OK");
    pub const SWITCHING_PROTOCOLS: Status = Status::new(101, "Switching Protocols");
    pub const BAD_REQUEST: Status = Status::new(400, "Bad Request");
    pub const FORBIDDEN: Status = Status::new(403, "Forbidden");
    pub const NOT_FOUND: Status = Status::new(404, "Not Found");
    pub const METHOD_NOT_ALLOWED: Status = Status::new(405, "Method Not Allowed");
    pub const REQUEST_TIMEOUT: Status = Status::new(408, "Request Timeout");
    pub const UPGRADE_REQUIRED: Status = Status::new(426, "Upgrade Required");
    pub const HEADERS_TOO_LARGE: Status = Status::new(431, "Request Header Fields Too Large");
    pub const VERSION_NOT_SUPPORTED: Status = Status::new(505, "HTTP Version Not Supported");

    const fn new(code: u16, reason: &'static str) -> Status {
        Status { code, reason }
    }
}

/// Why a request gets no page and no WebSocket. Each variant maps to one
/// status ([`HttpError::status`]); after every one of them the connection
/// closes (see each variant for why).
#[derive(Debug)]
pub enum HttpError {
    /// The head breaks the HTTP grammar (400). Framing is lost: we cannot
    /// tell where this request ends and a next one would begin.
    Malformed(Malformed),
    /// The head did not end within [`MAX_HEAD`] bytes (431). Its end is
    /// somewhere we will not read to, so nothing after it can be read either.
    HeadTooLarge,
    /// A well-formed request line with a version we do not speak (505): a
    /// different major version may frame what follows differently.
    VersionNotSupported,
    /// A method other than `GET` (405). Such a request may carry a body we
    /// do not read, so the next request's start is unknown.
    MethodNotAllowed,
    /// A path we do not serve (404). Closed like every answer: one request
    /// per connection.
    NotFound,
    /// `GET /ws` that is not a valid WebSocket handshake (400).
    BadUpgrade(Upgrade),
    /// A WebSocket handshake for a version other than 13 (426, with the
    /// version we speak, so the client can try again with it).
    WebSocketVersion,
    /// A WebSocket handshake from a page of another site (403). A page
    /// elsewhere must not open a chat connection in a student's browser.
    ForbiddenOrigin,
    /// The connection ended before the head did (400, though the peer may
    /// no longer be reading).
    Truncated,
    /// The head had not ended when the server stopped waiting for it (408).
    /// The reader itself never gives up; the server decides how long a
    /// request may take (its join deadline: a head sent a byte at a time
    /// must not hold a connection slot for good).
    TimedOut,
    /// The socket failed, or a read timeout expired (see
    /// [`HttpError::is_timeout`]). No answer: there is nobody to send it to,
    /// or the caller keeps waiting.
    Io(io::Error),
}

/// What breaks the HTTP grammar in a request head ([`HttpError::Malformed`]).
/// The wording is in [`crate::text`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Malformed {
    /// A line feed without the carriage return before it.
    LfWithoutCr,
    /// A carriage return not followed by a line feed.
    CrWithoutLf,
    /// A control character (other than CR, LF, tab) in the head.
    ControlInHead,
    /// The head does not end with an empty line.
    NoEmptyLine,
    /// A line that does not end with CR LF.
    LineWithoutCrLf,
    /// An empty line before the end of the head.
    EmptyLineInside,
    /// The request line is not `METHOD TARGET VERSION` with single spaces.
    RequestLine,
    MethodNotToken,
    /// The version is not `HTTP/x.y`.
    BadVersion,
    TargetWithoutSlash,
    /// A `%` in the target not followed by two hex digits.
    BadPercent,
    BadTargetCharacter,
    /// A header line that starts with white space (obsolete line folding).
    FoldedHeader,
    HeaderWithoutColon,
    HeaderNameNotToken,
    ControlInHeader,
    TwoHosts,
    /// An HTTP/1.1 request without `Host`.
    NoHost,
    /// `Host` is not `HOST` or `HOST:PORT`.
    BadHost,
}

/// What makes a `GET /ws` no valid WebSocket handshake
/// ([`HttpError::BadUpgrade`]). The wording is in [`crate::text`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upgrade {
    /// A header that may appear once appears twice.
    RepeatedHeader,
    NotHttp11,
    /// `Connection` does not list `upgrade`.
    NoConnectionUpgrade,
    /// `Upgrade` does not list `websocket`.
    NoUpgradeWebsocket,
    NoVersion,
    NoKey,
    /// `Sec-WebSocket-Key` is not 16 bytes in base64.
    BadKey,
    /// An upgrade request that declares a body.
    Body,
}

impl HttpError {
    /// The status to answer with; `None` for a socket error.
    pub fn status(&self) -> Option<Status> {
        Some(match self {
            HttpError::Malformed(_) | HttpError::BadUpgrade(_) | HttpError::Truncated => {
                Status::BAD_REQUEST
            }
            HttpError::HeadTooLarge => Status::HEADERS_TOO_LARGE,
            HttpError::VersionNotSupported => Status::VERSION_NOT_SUPPORTED,
            HttpError::MethodNotAllowed => Status::METHOD_NOT_ALLOWED,
            HttpError::NotFound => Status::NOT_FOUND,
            HttpError::WebSocketVersion => Status::UPGRADE_REQUIRED,
            HttpError::ForbiddenOrigin => Status::FORBIDDEN,
            HttpError::TimedOut => Status::REQUEST_TIMEOUT,
            HttpError::Io(_) => return None,
        })
    }

    /// True when a socket read timeout expired. Nothing is lost: the reader
    /// keeps what it has, and the next call carries on.
    pub fn is_timeout(&self) -> bool {
        matches!(self, HttpError::Io(e) if is_timeout(e))
    }
}

impl std::error::Error for HttpError {}

// ---------------------------------------------------------------------------
// Reading a head
// ---------------------------------------------------------------------------

/// Reads one request head from a stream, keeping partial input across read
/// timeouts (like [`FrameReader`](crate::frame::FrameReader)), and never
/// losing what comes after the head.
///
/// Reading in pieces means one `read` may return the end of the head *and*
/// the first bytes of what follows: a browser may send its first WebSocket
/// frame right behind its upgrade request. Those bytes belong to the
/// WebSocket reader, so [`HeadReader::into_parts`] hands them over. (A
/// `BufReader` wrapped around the stream and then dropped is the classic way
/// to lose them.)
pub struct HeadReader<R> {
    inner: R,
    /// `buf[..end]` holds what has arrived; `buf.len()` never exceeds
    /// [`MAX_HEAD`], so we never read more than that.
    buf: Vec<u8>,
    end: usize,
    /// Bytes already checked for the end of the head and for bad line ends.
    scanned: usize,
    /// Length of the head, CR LF CR LF included, once it is complete.
    head_len: Option<usize>,
}

impl<R: Read> HeadReader<R> {
    pub fn new(inner: R) -> Self {
        Self::with_buffered(inner, &[])
    }

    /// A reader whose head begins with `already_read`: the first byte, say,
    /// if the caller read it to choose the protocol (`sniff.rs`) instead of
    /// peeking at it. Bytes past [`MAX_HEAD`] are not kept.
    pub fn with_buffered(inner: R, already_read: &[u8]) -> Self {
        let start = &already_read[..already_read.len().min(MAX_HEAD)];
        let mut buf = vec![0; INITIAL_BUFFER.max(start.len())];
        buf[..start.len()].copy_from_slice(start);
        HeadReader {
            inner,
            buf,
            end: start.len(),
            scanned: 0,
            head_len: None,
        }
    }

    /// Reads until the head is complete, then parses it. A read timeout
    /// returns an error the caller may retry after (the join deadline that
    /// bounds a silent TCP client bounds a slow head too).
    pub fn read_head(&mut self) -> Result<Request, HttpError> {
        loop {
            if self.head_len.is_none() && self.scanned < self.end {
                self.scan()?;
            }
            if let Some(len) = self.head_len {
                return parse_request(&self.buf[..len]);
            }
            if self.end == self.buf.len() {
                if self.buf.len() >= MAX_HEAD {
                    return Err(HttpError::HeadTooLarge);
                }
                self.buf.resize((self.buf.len() * 2).min(MAX_HEAD), 0);
            }
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(0) => return Err(HttpError::Truncated),
                Ok(n) => self.end += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(HttpError::Io(e)),
            }
        }
    }

    /// Looks at the bytes that just arrived: refuses a bad line end or a
    /// control character at once (no need to wait for the rest of a head
    /// that is already wrong), and notes where the head ends.
    fn scan(&mut self) -> Result<(), HttpError> {
        for i in self.scanned..self.end {
            let byte = self.buf[i];
            let after_cr = i > 0 && self.buf[i - 1] == b'\r';
            match byte {
                b'\n' if !after_cr => return Err(HttpError::Malformed(Malformed::LfWithoutCr)),
                b'\n' if i >= 3 && &self.buf[i - 3..=i] == b"\r\n\r\n" => {
                    self.head_len = Some(i + 1);
                    self.scanned = i + 1;
                    return Ok(());
                }
                b'\n' => {}
                _ if after_cr => return Err(HttpError::Malformed(Malformed::CrWithoutLf)),
                b'\r' | b'\t' => {}
                0x00..=0x1F | 0x7F => {
                    return Err(HttpError::Malformed(Malformed::ControlInHead));
                }
                _ => {}
            }
        }
        self.scanned = self.end;
        Ok(())
    }

    /// The stream, and the bytes that arrived after the head (the start of
    /// the first WebSocket frames, if the client did not wait for `101`).
    pub fn into_parts(self) -> (R, Vec<u8>) {
        let rest = match self.head_len {
            Some(len) => self.buf[len..self.end].to_vec(),
            None => Vec::new(),
        };
        (self.inner, rest)
    }
}

// ---------------------------------------------------------------------------
// Parsing a head
// ---------------------------------------------------------------------------

/// The HTTP versions we speak. WebSocket needs 1.1; the page is served to
/// either.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    Http10,
    Http11,
}

/// A parsed request head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    /// The request target in origin form: `/path?query`.
    pub target: String,
    pub version: Version,
    /// Header names in lower case (they are case-insensitive), values with
    /// the optional whitespace around them removed, in arrival order.
    pub headers: Vec<(String, String)>,
}

impl Request {
    /// The target without its query: what we route on.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    /// Every value of header `name` (lower case), in order.
    pub fn header_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value of a header that may appear at most once.
    fn single_header<'a>(&'a self, name: &'a str) -> Result<Option<&'a str>, Upgrade> {
        let mut values = self.header_values(name);
        let first = values.next();
        match values.next() {
            None => Ok(first),
            Some(_) => Err(Upgrade::RepeatedHeader),
        }
    }

    /// The `Host` header (checked by [`parse_request`]: at most one, and
    /// present in HTTP/1.1).
    pub fn host(&self) -> Option<&str> {
        self.header_values("host").next()
    }

    /// Whether a comma-separated header (`Connection`, `Upgrade`) lists
    /// `token`, ignoring ASCII case, across all its lines.
    fn lists_token(&self, name: &str, token: &str) -> bool {
        self.header_values(name)
            .flat_map(|v| v.split(','))
            .any(|t| t.trim_matches([' ', '\t']).eq_ignore_ascii_case(token))
    }
}

/// Parses a complete head (ending with the empty line) strictly.
pub fn parse_request(head: &[u8]) -> Result<Request, HttpError> {
    let head = head
        .strip_suffix(b"\r\n\r\n")
        .ok_or(HttpError::Malformed(Malformed::NoEmptyLine))?;
    let mut lines = crlf_lines(head);
    // Every line ends with CR LF. The reader refuses a lone CR or LF as the
    // bytes arrive; checking again here lets this function stand on its own.
    if lines
        .iter()
        .any(|line| line.iter().any(|&b| b == b'\r' || b == b'\n'))
    {
        return Err(HttpError::Malformed(Malformed::LineWithoutCrLf));
    }
    let header_lines = lines.split_off(1);
    let (method, target, version) = parse_request_line(lines[0])?;
    let mut headers = Vec::with_capacity(header_lines.len());
    for line in header_lines {
        if line.is_empty() {
            return Err(HttpError::Malformed(Malformed::EmptyLineInside));
        }
        headers.push(parse_header_line(line)?);
    }
    let request = Request {
        method,
        target,
        version,
        headers,
    };
    check_host(&request)?;
    Ok(request)
}

/// The lines of `text` between CR LF pairs (at least one, maybe empty).
fn crlf_lines(mut text: &[u8]) -> Vec<&[u8]> {
    let mut lines = Vec::new();
    while let Some(at) = text.windows(2).position(|pair| pair == b"\r\n") {
        lines.push(&text[..at]);
        text = &text[at + 2..];
    }
    lines.push(text);
    lines
}

fn parse_request_line(line: &[u8]) -> Result<(String, String, Version), HttpError> {
    let mut parts = line.split(|&b| b == b' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(HttpError::Malformed(Malformed::RequestLine));
    };
    if method.is_empty() || !method.iter().all(|&b| is_tchar(b)) {
        return Err(HttpError::Malformed(Malformed::MethodNotToken));
    }
    check_origin_form(target)?;
    let version = match version {
        b"HTTP/1.1" => Version::Http11,
        b"HTTP/1.0" => Version::Http10,
        [b'H', b'T', b'T', b'P', b'/', major, b'.', minor]
            if major.is_ascii_digit() && minor.is_ascii_digit() =>
        {
            return Err(HttpError::VersionNotSupported);
        }
        _ => return Err(HttpError::Malformed(Malformed::BadVersion)),
    };
    // Both checked to be ASCII above.
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    Ok((text(method), text(target), version))
}

/// `tchar` of RFC 9110 section 5.6.2: the characters of a method or a
/// header name.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// The origin form of a request target (RFC 9112 section 3.2.1):
/// `/path?query`, made of `pchar`s, `/` and `?`, with `%` followed by two hex
/// digits. Absolute URLs (`http://host/`, sent only to proxies) and `*`
/// (only for `OPTIONS`) are refused: we are neither.
fn check_origin_form(target: &[u8]) -> Result<(), HttpError> {
    if target.first() != Some(&b'/') {
        return Err(HttpError::Malformed(Malformed::TargetWithoutSlash));
    }
    let mut i = 0;
    while i < target.len() {
        let b = target[i];
        if b == b'%' {
            let hex = target.get(i + 1..i + 3);
            if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                return Err(HttpError::Malformed(Malformed::BadPercent));
            }
            i += 3;
            continue;
        }
        // unreserved, sub-delims, ':', '@', and '/' '?' of path and query.
        let allowed = b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?".contains(&b);
        if !allowed {
            return Err(HttpError::Malformed(Malformed::BadTargetCharacter));
        }
        i += 1;
    }
    Ok(())
}

/// `field-name ":" OWS field-value OWS` (RFC 9112 section 5).
fn parse_header_line(line: &[u8]) -> Result<(String, String), HttpError> {
    if matches!(line.first(), Some(b' ' | b'\t')) {
        // A continuation of the previous header's value (obs-fold). RFC 9112
        // section 5.2: refuse it, since parsers disagree on its meaning.
        return Err(HttpError::Malformed(Malformed::FoldedHeader));
    }
    let colon = line
        .iter()
        .position(|&b| b == b':')
        .ok_or(HttpError::Malformed(Malformed::HeaderWithoutColon))?;
    let (name, value) = (&line[..colon], &line[colon + 1..]);
    if name.is_empty() || !name.iter().all(|&b| is_tchar(b)) {
        // This is also where "Host : x" (space before the colon) ends up:
        // RFC 9112 section 5.1 requires a 400 for it.
        return Err(HttpError::Malformed(Malformed::HeaderNameNotToken));
    }
    let value = value.trim_ascii();
    // VCHAR, obs-text (bytes 0x80 and up), and spaces and tabs inside.
    if !value
        .iter()
        .all(|&b| b == b' ' || b == b'\t' || (0x21..=0x7E).contains(&b) || b >= 0x80)
    {
        return Err(HttpError::Malformed(Malformed::ControlInHeader));
    }
    let name = String::from_utf8_lossy(name).to_ascii_lowercase();
    // Header values are bytes; the ones we read are ASCII, and any other byte
    // becomes U+FFFD here, which none of our checks accepts.
    let value = String::from_utf8_lossy(value).into_owned();
    Ok((name, value))
}

/// RFC 9112 section 3.2: a request must have exactly one valid `Host` in
/// HTTP/1.1, and at most one in HTTP/1.0.
fn check_host(request: &Request) -> Result<(), HttpError> {
    let host = request
        .single_header("host")
        .map_err(|_| HttpError::Malformed(Malformed::TwoHosts))?;
    match host {
        None if request.version == Version::Http11 => Err(HttpError::Malformed(Malformed::NoHost)),
        None => Ok(()),
        Some(host) => match split_authority(host, 80) {
            Some(_) => Ok(()),
            None => Err(HttpError::Malformed(Malformed::BadHost)),
        },
    }
}

/// Splits `host[:port]` (a name, an IPv4 address, or an IPv6 address in
/// brackets), using `default_port` when none is given. `None` if it is not
/// of that form.
fn split_authority(authority: &str, default_port: u16) -> Option<(&str, u16)> {
    let (host, port) = if authority.starts_with('[') {
        let close = authority.find(']')?;
        let (host, rest) = authority.split_at(close + 1);
        match rest {
            "" => (host, None),
            _ => (host, Some(rest.strip_prefix(':')?)),
        }
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    let host_char = |c: char| c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=%[]:".contains(c);
    if host.is_empty() || !host.chars().all(host_char) {
        return None;
    }
    let port = match port {
        None => default_port,
        Some(digits) if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => {
            digits.parse().ok()?
        }
        Some(_) => return None,
    };
    Some((host, port))
}

// ---------------------------------------------------------------------------
// Deciding
// ---------------------------------------------------------------------------

/// What to do with a request that is not refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// Answer with the chat page ([`page_response`]).
    Page,
    /// Answer `101` ([`switching_protocols`]) with this `Sec-WebSocket-Accept`
    /// value; the connection is a WebSocket from then on.
    Upgrade { accept: String },
}

/// Decides the answer to a request. `allow_origin` lists origins (like
/// `http://example.org:8080`) allowed to open a WebSocket although they are
/// not this server's own: `--allow-origin`.
pub fn route(request: &Request, allow_origin: &[String]) -> Result<Route, HttpError> {
    // Method before path: nothing here answers anything but GET.
    if request.method != "GET" {
        return Err(HttpError::MethodNotAllowed);
    }
    match request.path() {
        "/" => Ok(Route::Page),
        "/ws" => check_upgrade(request, allow_origin),
        _ => Err(HttpError::NotFound),
    }
}

/// The opening handshake of RFC 6455 section 4.2.1, and our origin rule.
fn check_upgrade(request: &Request, allow_origin: &[String]) -> Result<Route, HttpError> {
    let bad = HttpError::BadUpgrade;
    // The security decision comes first, whatever else the request holds.
    let origin = request.single_header("origin").map_err(bad)?;
    if origin.is_some_and(|origin| !origin_allowed(origin, request.host(), allow_origin)) {
        return Err(HttpError::ForbiddenOrigin);
    }
    if request.version != Version::Http11 {
        return Err(bad(Upgrade::NotHttp11));
    }
    if !request.lists_token("connection", "upgrade") {
        return Err(bad(Upgrade::NoConnectionUpgrade));
    }
    if !request.lists_token("upgrade", "websocket") {
        return Err(bad(Upgrade::NoUpgradeWebsocket));
    }
    match request
        .single_header("sec-websocket-version")
        .map_err(bad)?
    {
        None => return Err(bad(Upgrade::NoVersion)),
        Some("13") => {}
        Some(_) => return Err(HttpError::WebSocketVersion),
    }
    let key = request
        .single_header("sec-websocket-key")
        .map_err(bad)?
        .ok_or(bad(Upgrade::NoKey))?;
    // 16 random bytes in base64: 24 characters, the last two `==`.
    if !base64::decode(key).is_ok_and(|nonce| nonce.len() == 16) {
        return Err(bad(Upgrade::BadKey));
    }
    // A body would be read as WebSocket frames: refuse any.
    let declares_body = request.header_values("transfer-encoding").next().is_some()
        || request.header_values("content-length").any(|v| v != "0");
    if declares_body {
        return Err(bad(Upgrade::Body));
    }
    Ok(Route::Upgrade {
        accept: accept_key(key),
    })
}

/// The origin rule: a WebSocket request from a browser carries the `Origin`
/// of the page that opened it (`http://host:port`). Our own page is served
/// by this server, so its origin names the same host and port as the request's
/// `Host` header; any other origin is a page elsewhere trying to use the
/// student's browser to reach this server. (A request without `Origin` does
/// not come from a web page: browsers always send it. Scripts and our tests
/// are as welcome as a TCP client.)
pub fn origin_allowed(origin: &str, host: Option<&str>, allow_origin: &[String]) -> bool {
    let origin = origin.trim_end_matches('/');
    if allow_origin
        .iter()
        .any(|allowed| allowed.trim_end_matches('/').eq_ignore_ascii_case(origin))
    {
        return true;
    }
    let (Some((scheme, authority)), Some(host)) = (origin.split_once("://"), host) else {
        // `Origin: null` (a sandboxed page, a file) or no Host to compare.
        return false;
    };
    let default_port = if scheme.eq_ignore_ascii_case("http") {
        80
    } else if scheme.eq_ignore_ascii_case("https") {
        443
    } else {
        return false;
    };
    match (
        split_authority(authority, default_port),
        split_authority(host, default_port),
    ) {
        (Some((origin_host, origin_port)), Some((host, port))) => {
            origin_host.eq_ignore_ascii_case(host) && origin_port == port
        }
        _ => false,
    }
}

// ---------------------------------------------------------------------------
// Writing answers
// ---------------------------------------------------------------------------

/// The policy for everything that is not the page: nothing may load or run.
const ERROR_CSP: &str = "default-src 'none'; frame-ancestors 'none'";

/// A complete response with `Connection: close`. The headers every answer
/// carries:
/// - `Content-Security-Policy`: what the page may load and run (see
///   `src/server/web/mod.rs` for the page's);
/// - `X-Content-Type-Options: nosniff`: the browser must believe our
///   `Content-Type` and not guess, so a text answer can never run as script;
/// - `Cache-Control: no-store`: a page from a class's server last week must
///   not be served from cache today;
/// - `Content-Length`: where the body ends, though we close after it anyway.
fn response(
    status: Status,
    content_type: &str,
    csp: &str,
    extra: &[(&str, &str)],
    body: &[u8],
) -> Vec<u8> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\n\
         Content-Type: {content_type}\r\n\
         Content-Length: {}\r\n\
         Content-Security-Policy: {csp}\r\n\
         X-Content-Type-Options: nosniff\r\n\
         Cache-Control: no-store\r\n\
         Referrer-Policy: no-referrer\r\n",
        status.code,
        status.reason,
        body.len()
    );
    for (name, value) in extra {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("Connection: close\r\n\r\n");
    let mut out = head.into_bytes();
    out.extend_from_slice(body);
    out
}

/// `200` with the page `html` and its content security policy.
pub fn page_response(html: &str, csp: &str) -> Vec<u8> {
    response(
        Status::OK,
        "text/html; charset=utf-8",
        csp,
        &[],
        html.as_bytes(),
    )
}

/// The answer to a refused request: its status and a line saying why.
/// `None` for a socket error, which has nobody to answer.
pub fn error_response(error: &HttpError) -> Option<Vec<u8>> {
    let status = error.status()?;
    let body = format!("{} {}: {error}\n", status.code, status.reason);
    let extra: &[(&str, &str)] = match error {
        HttpError::MethodNotAllowed => &[("Allow", "GET")],
        // RFC 6455 section 4.4: name the version we speak.
        HttpError::WebSocketVersion => &[("Upgrade", "websocket"), ("Sec-WebSocket-Version", "13")],
        _ => &[],
    };
    Some(response(
        status,
        "text/plain; charset=utf-8",
        ERROR_CSP,
        extra,
        body.as_bytes(),
    ))
}

/// `101 Switching Protocols`: from the empty line after it on, both sides
/// speak WebSocket. No `Connection: close` here, of course.
pub fn switching_protocols(accept: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 101 Switching Protocols\r\n\
         Upgrade: websocket\r\n\
         Connection: Upgrade\r\n\
         Sec-WebSocket-Accept: {accept}\r\n\r\n"
    )
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::trickle::Trickle;
    use std::io::Cursor;

    /// A head from its lines: each ended by CR LF, then the empty line.
    fn head(lines: &[&str]) -> Vec<u8> {
        let mut text = lines.join("\r\n");
        text.push_str("\r\n\r\n");
        text.into_bytes()
    }

    /// What Chromium sends to open `ws://localhost:8888/ws` from our page.
    fn browser_upgrade() -> Vec<&'static str> {
        vec![
            "GET /ws HTTP/1.1",
            "Host: localhost:8888",
            "Connection: Upgrade",
            "Pragma: no-cache",
            "Cache-Control: no-cache",
            "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
            "Upgrade: websocket",
            "Origin: http://localhost:8888",
            "Sec-WebSocket-Version: 13",
            "Accept-Encoding: gzip, deflate, br",
            "Accept-Language: zh-CN,zh;q=0.9,en;q=0.8",
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
            "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits",
        ]
    }

    /// The browser's upgrade with header `name` replaced by `line` (or
    /// removed, when `line` is empty).
    fn upgrade_with(name: &str, line: &str) -> Vec<u8> {
        let mut lines = browser_upgrade();
        let prefix = format!("{name}:");
        lines.retain(|l| !l.starts_with(&prefix));
        if !line.is_empty() {
            lines.push(line);
        }
        head(&lines)
    }

    fn route_of(bytes: &[u8]) -> Result<Route, HttpError> {
        route(&parse_request(bytes)?, &[])
    }

    fn status_of(bytes: &[u8]) -> u16 {
        match route_of(bytes) {
            Ok(Route::Page) => 200,
            Ok(Route::Upgrade { .. }) => 101,
            Err(e) => e.status().expect("a status").code,
        }
    }

    fn read_head_of(bytes: &[u8]) -> Result<Request, HttpError> {
        HeadReader::new(Cursor::new(bytes.to_vec())).read_head()
    }

    #[test]
    fn a_browser_upgrade_is_accepted_with_the_rfc_accept_key() {
        let request = parse_request(&head(&browser_upgrade())).unwrap();
        assert_eq!(request.method, "GET");
        assert_eq!(request.path(), "/ws");
        assert_eq!(request.host(), Some("localhost:8888"));
        assert_eq!(
            route(&request, &[]).unwrap(),
            Route::Upgrade {
                accept: "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=".to_string()
            }
        );
        assert_eq!(
            switching_protocols("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="),
            b"HTTP/1.1 101 Switching Protocols\r\n\
              Upgrade: websocket\r\n\
              Connection: Upgrade\r\n\
              Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"
        );
    }

    #[test]
    fn the_page_paths_and_methods() {
        let get = |target: &str| head(&[&format!("GET {target} HTTP/1.1"), "Host: h"]);
        assert_eq!(status_of(&get("/")), 200);
        assert_eq!(status_of(&get("/?lang=zh")), 200);
        assert_eq!(status_of(&get("/index.html")), 404);
        assert_eq!(status_of(&get("/app.js")), 404);
        assert_eq!(status_of(&get("//")), 404);
        assert_eq!(status_of(&get("/ws/")), 404);
        for method in ["POST", "HEAD", "PUT", "OPTIONS", "DELETE", "get", "BREW"] {
            let request = head(&[&format!("{method} / HTTP/1.1"), "Host: h"]);
            assert_eq!(status_of(&request), 405, "{method}");
        }
        // POST to a path we do not have: still 405, nothing here takes POST.
        assert_eq!(status_of(&head(&["POST /x HTTP/1.1", "Host: h"])), 405);
    }

    #[test]
    fn http_1_0_gets_the_page_but_no_websocket() {
        assert_eq!(status_of(&head(&["GET / HTTP/1.0"])), 200);
        let mut lines = browser_upgrade();
        lines[0] = "GET /ws HTTP/1.0";
        assert!(matches!(
            route_of(&head(&lines)),
            Err(HttpError::BadUpgrade(_))
        ));
    }

    #[test]
    fn versions() {
        for version in ["HTTP/2.0", "HTTP/0.9", "HTTP/1.2", "HTTP/3.0"] {
            let request = head(&[&format!("GET / {version}"), "Host: h"]);
            assert_eq!(status_of(&request), 505, "{version}");
        }
        for version in [
            "http/1.1",
            "HTTP/1.10",
            "HTTP/1",
            "HTTP/a.b",
            "HTTP/1.1 ",
            "",
        ] {
            let request = head(&[&format!("GET / {version}"), "Host: h"]);
            assert_eq!(status_of(&request), 400, "{version:?}");
        }
    }

    #[test]
    fn malformed_request_lines() {
        for line in [
            "GET  / HTTP/1.1",
            "GET /  HTTP/1.1",
            " GET / HTTP/1.1",
            "GET\t/ HTTP/1.1",
            "GET / HTTP/1.1 extra",
            "GET /",
            "GET",
            "",
            "G(T / HTTP/1.1",
            "GET http://localhost:8888/ HTTP/1.1",
            "GET * HTTP/1.1",
            "GET /%zz HTTP/1.1",
            "GET /% HTTP/1.1",
            "GET /a\"b HTTP/1.1",
            "GET /<script> HTTP/1.1",
            "GET /\u{e9} HTTP/1.1",
            "GET /a#b HTTP/1.1",
        ] {
            let request = head(&[line, "Host: h"]);
            assert!(
                matches!(route_of(&request), Err(HttpError::Malformed(_))),
                "{line:?}"
            );
        }
        // Percent-encoding and the other characters a path may hold are fine.
        assert_eq!(
            status_of(&head(&["GET /?a=%41&b=:@!$'()*+,;~ HTTP/1.1", "Host: h"])),
            200
        );
    }

    #[test]
    fn malformed_header_lines() {
        for line in [
            "Host : h",
            "Host\t: h",
            "X-Folded: one\r\n two",
            " Host: h",
            "No colon here",
            ": no name",
            "Bad(name): v",
            "X: a\u{1}b",
            "X: a\u{7f}b",
        ] {
            let request = head(&["GET / HTTP/1.1", "Host: h", line]);
            assert!(
                matches!(route_of(&request), Err(HttpError::Malformed(_))),
                "{line:?}"
            );
        }
        // Optional whitespace around a value is trimmed; inside it is kept.
        let request =
            parse_request(&head(&["GET / HTTP/1.1", "Host:  \t h \t", "X:a  b"])).unwrap();
        assert_eq!(request.host(), Some("h"));
        assert_eq!(request.header_values("x").collect::<Vec<_>>(), ["a  b"]);
        // Names are case-insensitive; obs-text bytes in a value are allowed.
        let mut bytes = head(&["GET / HTTP/1.1", "HOST: h"]);
        bytes.splice(
            bytes.len() - 4..bytes.len() - 4,
            b"\r\nX-Latin: caf\xe9".iter().copied(),
        );
        assert_eq!(parse_request(&bytes).unwrap().host(), Some("h"));
    }

    #[test]
    fn host_rules() {
        assert!(matches!(
            route_of(&head(&["GET / HTTP/1.1"])),
            Err(HttpError::Malformed(_))
        ));
        assert!(matches!(
            route_of(&head(&["GET / HTTP/1.1", "Host: a", "Host: a"])),
            Err(HttpError::Malformed(_))
        ));
        assert!(matches!(
            route_of(&head(&["GET / HTTP/1.0", "Host: a", "host: b"])),
            Err(HttpError::Malformed(_))
        ));
        for host in [
            "", "a b", "a:", "a:99999", "a:8x", "[::1", "[::1]x", "a/b", "u@a",
        ] {
            let request = head(&["GET / HTTP/1.1", &format!("Host: {host}")]);
            assert_eq!(status_of(&request), 400, "{host:?}");
        }
        for host in [
            "localhost",
            "localhost:8888",
            "127.0.0.1:1",
            "[::1]:8888",
            "[::1]",
            "xn--fsq.example",
        ] {
            let request = head(&["GET / HTTP/1.1", &format!("Host: {host}")]);
            assert_eq!(status_of(&request), 200, "{host:?}");
        }
    }

    #[test]
    fn lone_line_ends_are_refused_by_parser_and_reader() {
        for bytes in [
            &b"GET / HTTP/1.1\nHost: h\r\n\r\n"[..],
            b"GET / HTTP/1.1\rHost: h\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: h\n\r\n\r\n",
        ] {
            assert!(
                matches!(parse_request(bytes), Err(HttpError::Malformed(_))),
                "{bytes:?}"
            );
            assert!(
                matches!(read_head_of(bytes), Err(HttpError::Malformed(_))),
                "{bytes:?}"
            );
        }
        // Two bare LFs never make an end of head: refused at the first.
        assert!(matches!(
            read_head_of(b"GET / HTTP/1.1\n\n"),
            Err(HttpError::Malformed(_))
        ));
    }

    #[test]
    fn the_reader_refuses_garbage_without_waiting_for_more() {
        let mut data = b"GET /\x00".to_vec();
        data.extend(vec![b'x'; 5000]);
        let mut reader = HeadReader::new(Trickle::new(data, 3));
        let error = loop {
            match reader.read_head() {
                Err(e) if e.is_timeout() => continue,
                other => break other,
            }
        };
        assert!(matches!(error, Err(HttpError::Malformed(_))), "{error:?}");
        // Refused within the piece that held the NUL.
        let (stream, _) = reader.into_parts();
        assert!(stream.position() <= 9, "read {} bytes", stream.position());
    }

    #[test]
    fn a_head_over_8_kib_is_431_and_no_more_is_read() {
        let mut bytes = b"GET / HTTP/1.1\r\nHost: h\r\nX: ".to_vec();
        bytes.extend(vec![b'a'; 20_000]);
        let mut cursor = Cursor::new(bytes);
        let mut reader = HeadReader::new(&mut cursor);
        let error = reader.read_head().unwrap_err();
        assert!(matches!(error, HttpError::HeadTooLarge));
        assert_eq!(error.status(), Some(Status::HEADERS_TOO_LARGE));
        drop(reader);
        assert_eq!(cursor.position(), MAX_HEAD as u64);
    }

    #[test]
    fn a_head_of_exactly_8_kib_is_read() {
        let mut bytes = b"GET / HTTP/1.1\r\nHost: h\r\nX: ".to_vec();
        let fill = MAX_HEAD - bytes.len() - 4;
        bytes.extend(vec![b'a'; fill]);
        bytes.extend_from_slice(b"\r\n\r\n");
        assert_eq!(bytes.len(), MAX_HEAD);
        let request = read_head_of(&bytes).unwrap();
        assert_eq!(request.header_values("x").next().map(str::len), Some(fill));
        bytes.insert(30, b'a');
        assert!(matches!(read_head_of(&bytes), Err(HttpError::HeadTooLarge)));
    }

    #[test]
    fn timeouts_lose_nothing_and_bytes_after_the_head_are_kept() {
        let request_bytes = head(&browser_upgrade());
        let mut data = request_bytes.clone();
        // A first WebSocket frame sent right behind the request.
        data.extend_from_slice(&[0x81, 0x85, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        for step in [1, 2, 5, 64, 4096] {
            let mut reader = HeadReader::new(Trickle::new(data.clone(), step));
            let request = loop {
                match reader.read_head() {
                    Ok(request) => break request,
                    Err(e) if e.is_timeout() => continue,
                    Err(e) => panic!("step {step}: {e}"),
                }
            };
            assert_eq!(request, parse_request(&request_bytes).unwrap());
            let (mut stream, mut rest) = reader.into_parts();
            let mut piece = [0u8; 16];
            loop {
                match stream.read(&mut piece) {
                    Ok(0) => break,
                    Ok(n) => rest.extend_from_slice(&piece[..n]),
                    Err(e) if is_timeout(&e) => continue,
                    Err(e) => panic!("{e}"),
                }
            }
            assert_eq!(rest, data[request_bytes.len()..], "step {step}");
        }
    }

    #[test]
    fn a_first_byte_read_to_sniff_the_protocol_is_part_of_the_head() {
        let bytes = head(&browser_upgrade());
        let (first, rest) = bytes.split_at(1);
        let mut reader = HeadReader::with_buffered(Cursor::new(rest.to_vec()), first);
        assert_eq!(reader.read_head().unwrap(), parse_request(&bytes).unwrap());
        // A whole head (and more) already read: no read needed at all.
        let mut more = bytes.clone();
        more.extend_from_slice(b"\x81\x80");
        let mut reader = HeadReader::with_buffered(Cursor::new(Vec::new()), &more);
        assert_eq!(reader.read_head().unwrap().path(), "/ws");
        assert_eq!(reader.into_parts().1, b"\x81\x80");
    }

    #[test]
    fn a_connection_closed_inside_the_head_is_truncated() {
        let bytes = head(&browser_upgrade());
        for cut in [1, 10, bytes.len() - 1] {
            let error = read_head_of(&bytes[..cut]).unwrap_err();
            assert!(matches!(error, HttpError::Truncated), "cut {cut}: {error}");
        }
    }

    #[test]
    fn upgrade_requirements() {
        let bad_upgrade = |name: &str, line: &str| {
            let result = route_of(&upgrade_with(name, line));
            assert!(
                matches!(result, Err(HttpError::BadUpgrade(_))),
                "{line:?}: {result:?}"
            );
        };
        bad_upgrade("Connection", "");
        bad_upgrade("Connection", "Connection: keep-alive");
        bad_upgrade("Connection", "Connection: upgraded");
        bad_upgrade("Upgrade", "");
        bad_upgrade("Upgrade", "Upgrade: h2c");
        bad_upgrade("Sec-WebSocket-Version", "");
        bad_upgrade("Sec-WebSocket-Key", "");
        // 15 and 17 bytes, not base64, no padding.
        bad_upgrade(
            "Sec-WebSocket-Key",
            "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAA",
        );
        bad_upgrade(
            "Sec-WebSocket-Key",
            "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAAA=",
        );
        bad_upgrade(
            "Sec-WebSocket-Key",
            "Sec-WebSocket-Key: ************************",
        );
        bad_upgrade(
            "Sec-WebSocket-Key",
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ",
        );
        bad_upgrade("Content-Length", "Content-Length: 5");
        bad_upgrade("Transfer-Encoding", "Transfer-Encoding: chunked");
        // Headers that may appear once, twice.
        let mut lines = browser_upgrade();
        lines.push("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==");
        assert!(matches!(
            route_of(&head(&lines)),
            Err(HttpError::BadUpgrade(_))
        ));
        // Token lists and case are read as the RFC says.
        for (name, line) in [
            ("Connection", "Connection: keep-alive, Upgrade"),
            ("Connection", "Connection: UPGRADE"),
            ("Upgrade", "Upgrade: WebSocket"),
            ("Content-Length", "Content-Length: 0"),
        ] {
            assert_eq!(status_of(&upgrade_with(name, line)), 101, "{line}");
        }
        let mut lines = browser_upgrade();
        lines.push("Connection: keep-alive");
        assert_eq!(status_of(&head(&lines)), 101);
    }

    #[test]
    fn another_websocket_version_gets_426_naming_13() {
        let request = upgrade_with("Sec-WebSocket-Version", "Sec-WebSocket-Version: 8");
        let error = route_of(&request).unwrap_err();
        assert!(matches!(error, HttpError::WebSocketVersion));
        let response = String::from_utf8(error_response(&error).unwrap()).unwrap();
        assert!(
            response.starts_with("HTTP/1.1 426 Upgrade Required\r\n"),
            "{response}"
        );
        assert!(
            response.contains("\r\nSec-WebSocket-Version: 13\r\n"),
            "{response}"
        );
    }

    #[test]
    fn origins() {
        let status = |origin: &str, allow: &[&str]| {
            let request = parse_request(&upgrade_with("Origin", origin)).unwrap();
            let allow: Vec<String> = allow.iter().map(|s| s.to_string()).collect();
            match route(&request, &allow) {
                Ok(_) => 101,
                Err(e) => e.status().unwrap().code,
            }
        };
        // Our own page, however the browser spells it; no Origin at all
        // (not a web page).
        assert_eq!(status("Origin: http://localhost:8888", &[]), 101);
        assert_eq!(status("Origin: http://LocalHost:8888", &[]), 101);
        assert_eq!(status("", &[]), 101);
        // Pages elsewhere.
        for origin in [
            "Origin: http://evil.example",
            "Origin: http://localhost:8889",
            "Origin: http://localhost",
            "Origin: https://localhost:8888.evil.example",
            "Origin: http://evil.example@localhost:8888",
            "Origin: null",
            "Origin: file://",
            "Origin: ftp://localhost:8888",
            "Origin: localhost:8888",
        ] {
            assert_eq!(status(origin, &[]), 403, "{origin}");
        }
        // --allow-origin.
        assert_eq!(
            status(
                "Origin: http://classroom.example",
                &["http://classroom.example"]
            ),
            101
        );
        assert_eq!(
            status(
                "Origin: http://classroom.example",
                &["http://classroom.example/"]
            ),
            101
        );
        assert_eq!(status("Origin: null", &["null"]), 101);
        assert_eq!(
            status(
                "Origin: http://other.example",
                &["http://classroom.example"]
            ),
            403
        );
        // Two Origins: not a browser's request.
        let mut lines = browser_upgrade();
        lines.push("Origin: http://localhost:8888");
        assert!(matches!(
            route_of(&head(&lines)),
            Err(HttpError::BadUpgrade(_))
        ));
    }

    #[test]
    fn origin_ports_default_by_scheme() {
        assert!(origin_allowed(
            "http://example.org",
            Some("example.org:80"),
            &[]
        ));
        assert!(origin_allowed(
            "http://example.org:80",
            Some("example.org"),
            &[]
        ));
        assert!(origin_allowed(
            "https://example.org",
            Some("example.org:443"),
            &[]
        ));
        assert!(!origin_allowed(
            "https://example.org",
            Some("example.org:80"),
            &[]
        ));
        assert!(origin_allowed("http://[::1]:8888", Some("[::1]:8888"), &[]));
        assert!(!origin_allowed(
            "http://[::1]:8888",
            Some("[::2]:8888"),
            &[]
        ));
        assert!(!origin_allowed("http://localhost:8888", None, &[]));
    }

    #[test]
    fn every_error_has_its_status() {
        let cases: Vec<(HttpError, Option<u16>)> = vec![
            (HttpError::Malformed(Malformed::NoHost), Some(400)),
            (HttpError::BadUpgrade(Upgrade::NoKey), Some(400)),
            (HttpError::Truncated, Some(400)),
            (HttpError::ForbiddenOrigin, Some(403)),
            (HttpError::NotFound, Some(404)),
            (HttpError::MethodNotAllowed, Some(405)),
            (HttpError::TimedOut, Some(408)),
            (HttpError::WebSocketVersion, Some(426)),
            (HttpError::HeadTooLarge, Some(431)),
            (HttpError::VersionNotSupported, Some(505)),
            (HttpError::Io(io::ErrorKind::ConnectionReset.into()), None),
        ];
        for (error, code) in cases {
            assert_eq!(error.status().map(|s| s.code), code, "{error}");
            match error_response(&error) {
                None => assert!(code.is_none()),
                Some(bytes) => check_response(&bytes, code.unwrap(), "text/plain"),
            }
        }
        assert!(HttpError::Io(io::ErrorKind::WouldBlock.into()).is_timeout());
    }

    /// Checks a response's status line, its safety headers, and that
    /// `Content-Length` is the body's length.
    fn check_response(bytes: &[u8], code: u16, content_type: &str) {
        let text = String::from_utf8(bytes.to_vec()).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").expect("a head");
        let mut lines = head.split("\r\n");
        let status_line = lines.next().unwrap();
        assert!(
            status_line.starts_with(&format!("HTTP/1.1 {code} ")),
            "{status_line}"
        );
        let headers: Vec<(&str, &str)> = lines.map(|l| l.split_once(": ").unwrap()).collect();
        let get = |name: &str| {
            let values: Vec<&str> = headers
                .iter()
                .filter(|(n, _)| *n == name)
                .map(|(_, v)| *v)
                .collect();
            assert_eq!(values.len(), 1, "{name} in {head}");
            values[0]
        };
        assert_eq!(get("Content-Length"), body.len().to_string());
        assert!(get("Content-Type").starts_with(content_type));
        assert_eq!(get("X-Content-Type-Options"), "nosniff");
        assert_eq!(get("Cache-Control"), "no-store");
        assert_eq!(get("Connection"), "close");
        assert!(get("Content-Security-Policy").contains("default-src 'none'"));
        if code == 405 {
            assert_eq!(get("Allow"), "GET");
        }
    }

    #[test]
    fn the_page_response() {
        let csp = "default-src 'none'; script-src 'sha256-x'";
        let bytes = page_response("<!doctype html><p>好</p>", csp);
        check_response(&bytes, 200, "text/html; charset=utf-8");
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.contains(&format!("\r\nContent-Security-Policy: {csp}\r\n")));
        assert!(text.ends_with("\r\n\r\n<!doctype html><p>好</p>"));
    }
}
