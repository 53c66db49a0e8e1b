//! The client's settings, and how the command line sets them.

use std::path::PathBuf;

use crate::cli::{self, ArgError, Command, FlagValue, Settings};
use crate::crypto::scram::{DEFAULT_ITERATIONS, MAX_ITERATIONS, MIN_ITERATIONS};
use crate::text::Expected;
use crate::trace::Trace;
use crate::transfer::DEFAULT_CHUNK_SIZE;

#[derive(Debug, Clone)]
pub struct Config {
    pub host: String,
    pub port: u16,
    /// The name to join under; `None` means ask.
    pub name: Option<String>,
    /// Where received files are saved.
    pub downloads: PathBuf,
    /// Bytes of file per chunk when sending.
    pub chunk_size: usize,
    /// Print every frame on stderr (`--trace`, `--trace=hex`).
    pub trace: Trace,
    /// PBKDF2 iterations for a new password's verifier (`--iterations`).
    /// Logging in uses whatever count the account was registered with.
    pub iterations: u32,
    /// Register the name before joining (`--register`): the way into a
    /// `--members-only` server for a name that has no account yet.
    pub register: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            host: "localhost".to_string(),
            port: 8888,
            name: None,
            downloads: PathBuf::from("files/downloads"),
            chunk_size: DEFAULT_CHUNK_SIZE,
            trace: Trace::Off,
            iterations: DEFAULT_ITERATIONS,
            register: false,
        }
    }
}

impl Settings for Config {
    /// `chat-client [PORT] [HOST] [NAME]`, as the original.
    fn positional(&mut self, index: usize, value: String) -> Result<(), ArgError> {
        match index {
            0 => self.port = cli::positional_port(&value)?,
            1 => self.host = value,
            2 => self.name = Some(value),
            _ => return Err(ArgError::Unexpected(value)),
        }
        Ok(())
    }

    fn flag(&mut self, value: &mut FlagValue<'_>) -> Result<(), ArgError> {
        match value.name() {
            "port" => self.port = value.port()?,
            "host" => self.host = value.text()?,
            "name" => self.name = Some(value.text()?),
            "downloads" => self.downloads = PathBuf::from(value.text()?),
            "chunk-size" => self.chunk_size = value.chunk_size()?,
            "trace" => self.trace = value.trace()?,
            "iterations" => {
                let range = u64::from(MIN_ITERATIONS)..=u64::from(MAX_ITERATIONS);
                let n = value.number_in(range, Expected::Iterations)?;
                // In range: the range's top is a `u32`.
                self.iterations = u32::try_from(n).unwrap_or(MAX_ITERATIONS);
            }
            "register" => self.register = value.switch()?,
            _ => return Err(value.unknown()),
        }
        Ok(())
    }
}

impl Config {
    /// Reads `chat-client [PORT] [HOST] [NAME] [--flag VALUE]...`.
    pub fn from_args(args: impl IntoIterator<Item = String>) -> Result<Command<Config>, ArgError> {
        cli::parse(args)
    }

    /// The `HOST:PORT` to connect to.
    pub fn server_addr(&self) -> String {
        cli::host_port(&self.host, self.port)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(list: &[&str]) -> Config {
        match Config::from_args(list.iter().map(|s| s.to_string())) {
            Ok(Command::Run(config)) => config,
            other => panic!("expected a config, got {other:?}"),
        }
    }

    #[test]
    fn positional_like_the_original() {
        let c = config(&["8888", "localhost", "MyUsername"]);
        assert_eq!(c.name.as_deref(), Some("MyUsername"));
        assert_eq!(c.server_addr(), "localhost:8888");
    }

    #[test]
    fn flags() {
        let c = config(&["--name=Bob", "--port", "9", "--host", "::1"]);
        assert_eq!(c.name.as_deref(), Some("Bob"));
        assert_eq!(c.server_addr(), "[::1]:9");
        assert!(Config::from_args(["--what".to_string()]).is_err());
    }

    #[test]
    fn iterations_have_the_bounds_both_sides_accept() {
        assert_eq!(config(&[]).iterations, 600_000);
        assert_eq!(config(&["--iterations", "4096"]).iterations, 4096);
        for bad in ["4095", "0", "10000001", "many", "-1"] {
            assert!(
                Config::from_args(["--iterations".to_string(), bad.to_string()]).is_err(),
                "{bad}"
            );
        }
        assert!(config(&["--register"]).register);
    }
}
