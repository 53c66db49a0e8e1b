//! The server's settings and limits, and how the command line sets them.
//!
//! Every number a peer could push against has a name here, a default, and a
//! flag; `chat-server --help` lists them and `docs/06-misbehaving-peers.md`
//! explains each one.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::history::{DEFAULT_KEEP, DEFAULT_ON_JOIN};
use crate::cli::{self, ArgError, Command, FlagValue, Settings};
use crate::filetypes::{FileTypes, parse_list};
use crate::frame::DEFAULT_MAX_FRAME;
use crate::server::lockout::DEFAULT_WINDOW;
use crate::text::Expected;
use crate::trace::Trace;
use crate::transfer::DEFAULT_CHUNK_SIZE;
use crate::transport::sniff::MAX_FRAME_CAP;

/// Everything the server needs to know before it starts.
#[derive(Debug, Clone)]
pub struct Config {
    pub host: String,
    pub port: u16,
    /// Most connections at once. A `listen()` backlog does *not* limit
    /// clients (it only queues connections not yet accepted); this does.
    pub max_clients: usize,
    /// Largest frame body (or WebSocket message) accepted from a client; at
    /// most [`MAX_FRAME_CAP`], so that no frame can pass for an HTTP request
    /// (`src/transport/sniff.rs` tells why).
    pub max_frame: usize,
    /// Longest chat text, in bytes.
    pub max_text: usize,
    /// Bytes waiting in one client's outgoing queue before it counts as
    /// not keeping up.
    pub queue_bytes: usize,
    /// A client silent this long gets a `PING`; twice this long, it is
    /// dropped. A connection that has not joined this long after it was
    /// accepted is closed.
    pub heartbeat: Duration,
    /// How long a write, or a wait for queue room, may take before the
    /// client on the other end is dropped.
    pub send_timeout: Duration,
    /// Largest file a client may send.
    pub max_file: u64,
    /// Bytes of file per chunk when the console sends a file.
    pub chunk_size: usize,
    /// The folder whose `received/` holds the server's copies of uploads,
    /// and whose `server/` holds the files the admin keeps for `/send`.
    pub files_dir: PathBuf,
    /// Print every frame on stderr (`--trace`, `--trace=hex`).
    pub trace: Trace,
    /// Origins of web pages elsewhere that may open a WebSocket here
    /// (`--allow-origin`, repeatable); the server's own page always may.
    pub allow_origin: Vec<String>,
    /// The accounts file (`--accounts FILE`); `None` means
    /// `accounts.json` in the files folder.
    pub accounts: Option<PathBuf>,
    /// Only registered names may join (`--members-only`): a guest gets
    /// `ERROR auth_required`.
    pub members_only: bool,
    /// Five failed logins within this window lock a name or an address
    /// until it has passed (`--lock-window SECS`, default a minute).
    pub lock_window: Duration,
    /// Which files the server relays (`--allow-ext`, `--deny-ext`).
    pub file_types: FileTypes,
    /// Most rooms at once, `lobby` included (`--max-rooms`).
    pub max_rooms: usize,
    /// Where the rooms' history is kept (`--history DIR`); `None` means
    /// `history/` in [`Config::files_dir`], so `files/history/`.
    pub history: Option<PathBuf>,
    /// Keep the history in memory only (`--no-history`).
    pub no_history: bool,
    /// Messages kept per room (`--history-keep`).
    pub history_keep: usize,
    /// Messages replayed on entering a room, 0 for none
    /// (`--history-on-join`).
    pub history_on_join: usize,
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
            allow_origin: Vec::new(),
            accounts: None,
            members_only: false,
            lock_window: DEFAULT_WINDOW,
            file_types: FileTypes::default(),
            max_rooms: 100,
            history: None,
            no_history: false,
            history_keep: DEFAULT_KEEP,
            history_on_join: DEFAULT_ON_JOIN,
        }
    }
}

impl Settings for Config {
    /// `chat-server [PORT] [HOST]`, as the original.
    fn positional(&mut self, index: usize, value: String) -> Result<(), ArgError> {
        match index {
            0 => self.port = cli::positional_port(&value)?,
            1 => self.host = value,
            _ => return Err(ArgError::Unexpected(value)),
        }
        Ok(())
    }

    fn flag(&mut self, value: &mut FlagValue<'_>) -> Result<(), ArgError> {
        match value.name() {
            "port" => self.port = value.port()?,
            "host" => self.host = value.text()?,
            "max-clients" => self.max_clients = value.size()?,
            "max-text" => self.max_text = value.size()?,
            "max-frame" => self.max_frame = value.size_up_to(MAX_FRAME_CAP, Expected::FrameCap)?,
            "queue" => self.queue_bytes = value.size()?,
            "heartbeat" => self.heartbeat = value.seconds()?,
            "send-timeout" => self.send_timeout = value.seconds()?,
            "max-file" => self.max_file = value.positive()?,
            "chunk-size" => self.chunk_size = value.chunk_size()?,
            "files" => self.files_dir = PathBuf::from(value.text()?),
            "trace" => self.trace = value.trace()?,
            "allow-origin" => self.allow_origin.push(value.text()?),
            "accounts" => self.accounts = Some(PathBuf::from(value.text()?)),
            "members-only" => self.members_only = value.switch()?,
            "lock-window" => self.lock_window = value.seconds()?,
            "allow-ext" => {
                let list = value.text()?;
                let list = parse_list(&list).map_err(|e| value.refused(&e))?;
                self.file_types = FileTypes::from_lists(&list, self.file_types.deny())
                    .map_err(|e| value.refused(&e))?;
            }
            "deny-ext" => {
                let list = value.text()?;
                let list = parse_list(&list).map_err(|e| value.refused(&e))?;
                self.file_types = FileTypes::from_lists(self.file_types.allow(), &list)
                    .map_err(|e| value.refused(&e))?;
            }
            "max-rooms" => self.max_rooms = value.size()?,
            "history" => self.history = Some(PathBuf::from(value.text()?)),
            "no-history" => self.no_history = value.switch()?,
            "history-keep" => self.history_keep = value.size()?,
            "history-on-join" => self.history_on_join = value.count()?,
            _ => return Err(value.unknown()),
        }
        Ok(())
    }
}

/// What `--max-frame` takes, said where the cap comes from.
impl Config {
    /// Reads `chat-server [PORT] [HOST] [--flag VALUE]...`.
    pub fn from_args(args: impl IntoIterator<Item = String>) -> Result<Command<Config>, ArgError> {
        cli::parse(args)
    }

    /// Where copies of uploaded files are kept.
    pub fn received_dir(&self) -> PathBuf {
        self.files_dir.join("received")
    }

    /// Where the admin keeps files to send from the console: `files/server/`
    /// unless `--files` says otherwise.
    pub fn server_files_dir(&self) -> PathBuf {
        self.files_dir.join("server")
    }

    /// Where the rooms' history is kept: `--history DIR`, else
    /// `files/history/` (in `--files DIR` if given).
    pub fn history_dir(&self) -> PathBuf {
        self.history
            .clone()
            .unwrap_or_else(|| self.files_dir.join("history"))
    }

    /// The file a console `/send PATH` means.
    ///
    /// `PATH` as typed when it exists: relative to the working directory,
    /// like any program's arguments. Otherwise a relative `PATH` is looked
    /// for in [`Config::server_files_dir`], because that is the folder kept
    /// for these files, and an admin who put `notes.txt` there expects
    /// `/send notes.txt` to find it. When neither exists, `PATH` as typed,
    /// so that the error names what the admin typed.
    pub fn send_path(&self, typed: &str) -> PathBuf {
        let path = Path::new(typed);
        if path.exists() || !path.is_relative() {
            return path.to_path_buf();
        }
        let kept = self.server_files_dir().join(path);
        if kept.exists() {
            kept
        } else {
            path.to_path_buf()
        }
    }

    /// The accounts file: `--accounts FILE`, or `accounts.json` in the
    /// files folder (`files/accounts.json` by default).
    pub fn accounts_path(&self) -> PathBuf {
        match &self.accounts {
            Some(path) => path.clone(),
            None => self.files_dir.join("accounts.json"),
        }
    }

    /// The `HOST:PORT` the server binds.
    pub fn bind_addr(&self) -> String {
        cli::host_port(&self.host, self.port)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(list: &[&str]) -> Result<Command<Config>, ArgError> {
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

    /// The tests run in the package root, where `Cargo.toml` exists and the
    /// other names used here do not.
    #[test]
    fn send_paths_fall_back_to_the_server_folder() {
        let dir = tempfile::TempDir::new().expect("temp dir");
        let config = config(&["--files", &dir.path().display().to_string()]);
        let kept = dir.path().join("server");
        std::fs::create_dir_all(kept.join("sub")).expect("create server/sub");
        for name in ["only-kept.txt", "sub/deeper.txt", "Cargo.toml"] {
            std::fs::write(kept.join(name), "kept").expect("write a kept file");
        }
        assert_eq!(config.server_files_dir(), kept);
        // Not in the working directory: found in the server folder.
        assert_eq!(
            config.send_path("only-kept.txt"),
            kept.join("only-kept.txt")
        );
        assert_eq!(
            config.send_path("sub/deeper.txt"),
            kept.join("sub/deeper.txt")
        );
        // In the working directory: that one, even if the folder has one too.
        assert_eq!(config.send_path("Cargo.toml"), Path::new("Cargo.toml"));
        // Nowhere, or absolute: as typed, for the error message.
        assert_eq!(config.send_path("nowhere.txt"), Path::new("nowhere.txt"));
        let absolute = dir.path().join("only-kept.txt");
        assert_eq!(config.send_path(&absolute.display().to_string()), absolute);
    }

    #[test]
    fn the_frame_limit_is_capped_so_no_frame_looks_like_http() {
        assert_eq!(
            config(&["--max-frame", "16777216"]).max_frame,
            MAX_FRAME_CAP
        );
        match parse(&["--max-frame", "16777217"]) {
            Err(ArgError::BadValue { flag, expected, .. }) => {
                assert_eq!(flag, "max-frame");
                assert_eq!(expected, Expected::FrameCap);
                let said = crate::text::t().expected(expected);
                assert!(said.contains("HTTP"), "{said}");
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn account_and_file_type_flags() {
        let c = config(&[]);
        assert_eq!(c.accounts_path(), Path::new("files/accounts.json"));
        assert!(!c.members_only);
        assert_eq!(c.lock_window, DEFAULT_WINDOW);
        assert!(c.file_types.is_open());
        let c = config(&[
            "--accounts",
            "/tmp/a.json",
            "--members-only",
            "--lock-window=2",
            "--allow-ext",
            "txt, .PDF",
            "--deny-ext=exe",
        ]);
        assert_eq!(c.accounts_path(), Path::new("/tmp/a.json"));
        assert!(c.members_only);
        assert_eq!(c.lock_window, Duration::from_secs(2));
        assert_eq!(c.file_types.allow(), ["txt", "pdf"]);
        assert_eq!(c.file_types.deny(), ["exe"]);
        let c = config(&["--files", "elsewhere"]);
        assert_eq!(c.accounts_path(), Path::new("elsewhere/accounts.json"));
    }

    #[test]
    fn bad_extension_lists_and_switches_are_reported() {
        assert!(matches!(
            parse(&["--allow-ext", "tar.gz"]),
            Err(ArgError::Refused { flag, .. }) if flag == "allow-ext"
        ));
        assert!(matches!(
            parse(&["--deny-ext", "exe,,bat"]),
            Err(ArgError::Refused { .. })
        ));
        assert!(matches!(
            parse(&["--members-only=yes"]),
            Err(ArgError::BadValue { .. })
        ));
    }

    #[test]
    fn room_and_history_flags() {
        let c = config(&[]);
        assert_eq!(c.history_dir(), Path::new("files/history"));
        assert_eq!(
            (c.max_rooms, c.history_keep, c.history_on_join),
            (100, 1000, 20)
        );
        assert!(!c.no_history);
        let c = config(&["--files", "elsewhere"]);
        assert_eq!(c.history_dir(), Path::new("elsewhere/history"));
        let c = config(&[
            "--history",
            "/var/chat",
            "--no-history",
            "--max-rooms=3",
            "--history-keep",
            "50",
            "--history-on-join",
            "0",
        ]);
        assert_eq!(c.history_dir(), Path::new("/var/chat"));
        assert!(c.no_history);
        assert_eq!((c.max_rooms, c.history_keep, c.history_on_join), (3, 50, 0));
        for bad in [
            &["--max-rooms", "0"][..],
            &["--history-keep", "0"],
            &["--history-on-join", "-1"],
            &["--no-history=yes"],
        ] {
            assert!(
                matches!(parse(bad), Err(ArgError::BadValue { .. })),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn origins_can_be_allowed_more_than_once() {
        let c = config(&[
            "--allow-origin",
            "http://a.example",
            "--allow-origin=http://b.example:8080",
        ]);
        assert_eq!(
            c.allow_origin,
            ["http://a.example", "http://b.example:8080"]
        );
        assert!(config(&[]).allow_origin.is_empty());
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
