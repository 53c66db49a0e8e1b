//! The client's settings, and how the command line sets them.

use std::path::PathBuf;

use crate::cli::{self, Arg, ArgError, Args};
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
    /// Reads `chat-client [PORT] [HOST] [NAME] [--flag VALUE]...`.
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
                        2 => config.name = Some(value),
                        _ => return Err(ArgError::Unexpected(value)),
                    }
                    positional += 1;
                }
                Arg::Flag { name, inline } => match name.as_str() {
                    "help" => return Ok(Command::Help),
                    "version" => return Ok(Command::Version),
                    "port" => config.port = cli::parse_port(&name, &args.value(&name, inline)?)?,
                    "host" => config.host = args.value(&name, inline)?,
                    "name" => config.name = Some(args.value(&name, inline)?),
                    "trace" => config.trace = cli::parse_trace(&name, inline)?,
                    "downloads" => config.downloads = PathBuf::from(args.value(&name, inline)?),
                    "chunk-size" => {
                        config.chunk_size =
                            cli::parse_chunk_size(&name, &args.value(&name, inline)?)?
                    }
                    _ => return Err(ArgError::UnknownFlag(name)),
                },
            }
        }
        Ok(Command::Run(config))
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
}
