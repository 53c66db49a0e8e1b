//! A small command-line argument reader shared by both programs.
//!
//! Both take the original's positional form (`chat-server 9999 0.0.0.0`) and
//! named flags (`--port 9999`, `--port=9999`). This is the part of argument
//! parsing that is the same for both; each program's `config` module says
//! which flags it knows.

use std::collections::VecDeque;
use std::str::FromStr;

use crate::trace::Trace;
use crate::transfer::MAX_CHUNK_SIZE;

/// A mistake on the command line. The wording is in [`crate::text`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArgError {
    UnknownFlag(String),
    MissingValue(String),
    BadValue {
        flag: String,
        value: String,
        expected: &'static str,
    },
    Unexpected(String),
}

/// One command-line item.
#[derive(Debug, PartialEq, Eq)]
pub enum Arg {
    /// `--name` or `--name=value` (the name without its dashes).
    Flag {
        name: String,
        inline: Option<String>,
    },
    /// Anything else.
    Positional(String),
}

/// Hands out arguments one at a time; a flag asks for its value with
/// [`Args::value`].
pub struct Args {
    rest: VecDeque<String>,
}

impl Args {
    /// The arguments after the program name.
    pub fn new(args: impl IntoIterator<Item = String>) -> Self {
        Args {
            rest: args.into_iter().collect(),
        }
    }

    pub fn next_arg(&mut self) -> Option<Arg> {
        let arg = self.rest.pop_front()?;
        Some(match arg.strip_prefix("--") {
            Some(flag) if !flag.is_empty() => match flag.split_once('=') {
                Some((name, value)) => Arg::Flag {
                    name: name.to_string(),
                    inline: Some(value.to_string()),
                },
                None => Arg::Flag {
                    name: flag.to_string(),
                    inline: None,
                },
            },
            _ if arg == "-h" => Arg::Flag {
                name: "help".into(),
                inline: None,
            },
            _ => Arg::Positional(arg),
        })
    }

    /// The value of flag `name`: the part after `=`, or the next argument.
    pub fn value(&mut self, name: &str, inline: Option<String>) -> Result<String, ArgError> {
        match inline {
            Some(value) => Ok(value),
            None => self
                .rest
                .pop_front()
                .ok_or_else(|| ArgError::MissingValue(name.to_string())),
        }
    }
}

/// Parses a flag's value, saying what was expected if it does not parse.
pub fn parse_value<T: FromStr>(
    flag: &str,
    value: &str,
    expected: &'static str,
) -> Result<T, ArgError> {
    value.parse().map_err(|_| ArgError::BadValue {
        flag: flag.to_string(),
        value: value.to_string(),
        expected,
    })
}

/// Parses a port number (0 asks the system for any free port).
pub fn parse_port(flag: &str, value: &str) -> Result<u16, ArgError> {
    parse_value(flag, value, "a port number from 0 to 65535")
}

/// Parses a positive whole number.
pub fn parse_positive(flag: &str, value: &str) -> Result<u64, ArgError> {
    match value.parse::<u64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(ArgError::BadValue {
            flag: flag.to_string(),
            value: value.to_string(),
            expected: "a whole number above 0",
        }),
    }
}

/// Parses a file chunk size: 1 byte up to [`MAX_CHUNK_SIZE`] (a chunk must
/// fit in one frame once it is base64 inside JSON).
pub fn parse_chunk_size(flag: &str, value: &str) -> Result<usize, ArgError> {
    match value.parse::<usize>() {
        Ok(n) if (1..=MAX_CHUNK_SIZE).contains(&n) => Ok(n),
        _ => Err(ArgError::BadValue {
            flag: flag.to_string(),
            value: value.to_string(),
            expected: "a chunk size from 1 to 524288 bytes",
        }),
    }
}

/// Reads `--trace` (bare) or `--trace=hex`. The value must be inline, so
/// that a bare `--trace` does not swallow the next argument.
pub fn parse_trace(flag: &str, inline: Option<String>) -> Result<Trace, ArgError> {
    Trace::from_flag(inline.as_deref()).ok_or_else(|| ArgError::BadValue {
        flag: flag.to_string(),
        value: inline.unwrap_or_default(),
        expected: "nothing or \"hex\" (as in --trace=hex)",
    })
}

/// `HOST:PORT`, with brackets around an IPv6 address (`[::1]:8888`) so the
/// colons of the address are not taken for the port separator.
pub fn host_port(host: &str, port: u16) -> String {
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Args {
        Args::new(list.iter().map(|s| s.to_string()))
    }

    #[test]
    fn flags_with_and_without_equals() {
        let mut a = args(&["--port", "9", "--host=::1", "x", "-h", "-"]);
        let Some(Arg::Flag { name, inline }) = a.next_arg() else {
            panic!()
        };
        assert_eq!(
            (name.as_str(), a.value("port", inline)),
            ("port", Ok("9".into()))
        );
        let Some(Arg::Flag { name, inline }) = a.next_arg() else {
            panic!()
        };
        assert_eq!(
            (name.as_str(), a.value("host", inline)),
            ("host", Ok("::1".into()))
        );
        assert_eq!(a.next_arg(), Some(Arg::Positional("x".into())));
        assert!(matches!(a.next_arg(), Some(Arg::Flag { name, .. }) if name == "help"));
        assert_eq!(a.next_arg(), Some(Arg::Positional("-".into())));
        assert_eq!(a.next_arg(), None);
    }

    #[test]
    fn a_flag_at_the_end_misses_its_value() {
        let mut a = args(&["--port"]);
        let Some(Arg::Flag { name, inline }) = a.next_arg() else {
            panic!()
        };
        assert_eq!(
            a.value(&name, inline),
            Err(ArgError::MissingValue("port".into()))
        );
    }

    #[test]
    fn numbers_are_checked() {
        assert_eq!(parse_port("port", "8888"), Ok(8888));
        assert!(parse_port("port", "65536").is_err());
        assert!(parse_port("port", "-1").is_err());
        assert_eq!(parse_positive("chunk-size", "4096"), Ok(4096));
        assert!(parse_positive("chunk-size", "0").is_err());
        assert_eq!(parse_chunk_size("chunk-size", "65536"), Ok(65536));
        assert!(parse_chunk_size("chunk-size", "0").is_err());
        assert!(parse_chunk_size("chunk-size", "524289").is_err());
    }
}
