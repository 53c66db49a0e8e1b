//! The server's settings and limits, and how the command line sets them.
//!
//! Every number a peer could push against has a name here, a default, and a
//! flag; `chat-server --help` lists them and `docs/06-misbehaving-peers.md`
//! explains each one.

use std::path::PathBuf;
use std::time::Duration;

use crate::cli::{self, Arg, ArgError, Args};
use crate::frame::DEFAULT_MAX_FRAME;
use crate::trace::Trace;
use crate::transfer::DEFAULT_CHUNK_SIZE;

/// Everything the server needs to know before it starts.
#[derive(Debug, Clone)]
pub struct Config {
    pub host: String,
    pub port: u16,
    /// Most connections at once. A `listen()` backlog does *not* limit
    /// clients (it only queues connections not yet accepted); this does.
    pub max_clients: usize,
    /// Largest frame body accepted from a client.
    pub max_frame: usize,
    /// Longest chat text, in bytes.
    pub max_text: usize,
    /// Bytes waiting in one client's outgoing queue before it counts as
    /// not keeping up.
    pub queue_bytes: usize,
    /// A client silent this long gets a `PING`; twice this long, it is dropped.
    pub heartbeat: Duration,
    /// How long a write, or a wait for queue room, may take before the
    /// client on the other end is dropped.
    pub send_timeout: Duration,
    /// Largest file a client may send.
    pub max_file: u64,
    /// Bytes of file per chunk when the console sends a file.
    pub chunk_size: usize,
    /// The folder whose `received/` holds the server's copies of uploads.
    /// (`files/server/` is only a customary place for the files the admin
    /// sends; a `/send` path is taken from the working directory.)
    pub files_dir: PathBuf,
    /// Print every frame on stderr (`--trace`, `--trace=hex`).
    pub trace: Trace,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            host: "localhost".to_string(),
            port: 8888,
            max_clients: 1000,
            max_frame: DEFAULT_MAX_FRAME,
            max_text: 64 * 1024,
            queue_bytes: 4 * 1024 * 1024,
            heartbeat: Duration::from_secs(30),
            send_timeout: Duration::from_secs(10),
            max_file: 1024 * 1024 * 1024,
            chunk_size: DEFAULT_CHUNK_SIZE,
            files_dir: PathBuf::from("files"),
            trace: Trace::Off,
        }
    }
}

/// What the command line asks for.
#[derive(Debug)]
pub enum Command {
    Run(Config),
    Help,
    Version,
}

impl Config {
    /// Reads `chat-server [PORT] [HOST] [--flag VALUE]...`.
    pub fn from_args(args: impl IntoIterator<Item = String>) -> Result<Command, ArgError> {
        let mut config = Config::default();
        let mut args = Args::new(args);
        let mut positional = 0;
        while let Some(arg) = args.next_arg() {
            match arg {
                Arg::Positional(value) => {
                    match positional {
                        0 => config.port = cli::parse_port("port", &value)?,
                        1 => config.host = value,
                        _ => return Err(ArgError::Unexpected(value)),
                    }
                    positional += 1;
                }
                Arg::Flag { name, inline } => match name.as_str() {
                    "help" => return Ok(Command::Help),
                    "version" => return Ok(Command::Version),
                    "port" => config.port = cli::parse_port(&name, &args.value(&name, inline)?)?,
                    "host" => config.host = args.value(&name, inline)?,
                    "max-clients" => {
                        config.max_clients = positive(&name, &args.value(&name, inline)?)?
                    }
                    "max-text" => config.max_text = positive(&name, &args.value(&name, inline)?)?,
                    "queue" => config.queue_bytes = positive(&name, &args.value(&name, inline)?)?,
                    "heartbeat" => config.heartbeat = seconds(&name, &args.value(&name, inline)?)?,
                    "send-timeout" => {
                        config.send_timeout = seconds(&name, &args.value(&name, inline)?)?
                    }
                    "max-file" => {
                        config.max_file = cli::parse_positive(&name, &args.value(&name, inline)?)?
                    }
                    "chunk-size" => {
                        config.chunk_size =
                            cli::parse_chunk_size(&name, &args.value(&name, inline)?)?
                    }
                    "trace" => config.trace = cli::parse_trace(&name, inline)?,
                    "files" => config.files_dir = PathBuf::from(args.value(&name, inline)?),
                    _ => return Err(ArgError::UnknownFlag(name)),
                },
            }
        }
        Ok(Command::Run(config))
    }

    /// Where copies of uploaded files are kept.
    pub fn received_dir(&self) -> PathBuf {
        self.files_dir.join("received")
    }

    /// The `HOST:PORT` the server binds.
    pub fn bind_addr(&self) -> String {
        cli::host_port(&self.host, self.port)
    }
}

fn positive(flag: &str, value: &str) -> Result<usize, ArgError> {
    let n = cli::parse_positive(flag, value)?;
    usize::try_from(n).map_err(|_| ArgError::BadValue {
        flag: flag.to_string(),
        value: value.to_string(),
        expected: "a smaller number",
    })
}

fn seconds(flag: &str, value: &str) -> Result<Duration, ArgError> {
    cli::parse_positive(flag, value).map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(list: &[&str]) -> Result<Command, ArgError> {
        Config::from_args(list.iter().map(|s| s.to_string()))
    }

    fn config(list: &[&str]) -> Config {
        match parse(list) {
            Ok(Command::Run(config)) => config,
            other => panic!("expected a config, got {other:?}"),
        }
    }

    #[test]
    fn defaults_match_the_original() {
        let c = config(&[]);
        assert_eq!((c.host.as_str(), c.port), ("localhost", 8888));
    }

    #[test]
    fn positional_port_then_host_like_the_original() {
        let c = config(&["9999", "0.0.0.0"]);
        assert_eq!((c.host.as_str(), c.port), ("0.0.0.0", 9999));
        assert_eq!(c.bind_addr(), "0.0.0.0:9999");
    }

    #[test]
    fn flags_set_limits() {
        let c = config(&[
            "--port=0",
            "--host",
            "::1",
            "--heartbeat",
            "1",
            "--max-clients=3",
        ]);
        assert_eq!(c.port, 0);
        assert_eq!(c.bind_addr(), "[::1]:0");
        assert_eq!(c.heartbeat, Duration::from_secs(1));
        assert_eq!(c.max_clients, 3);
    }

    #[test]
    fn mistakes_are_reported() {
        assert!(matches!(parse(&["--nope"]), Err(ArgError::UnknownFlag(f)) if f == "nope"));
        assert!(matches!(parse(&["http"]), Err(ArgError::BadValue { .. })));
        assert!(matches!(
            parse(&["1", "h", "x"]),
            Err(ArgError::Unexpected(_))
        ));
        assert!(matches!(
            parse(&["--heartbeat", "0"]),
            Err(ArgError::BadValue { .. })
        ));
        assert!(matches!(parse(&["--help"]), Ok(Command::Help)));
    }
}
