//! A small command-line reader shared by both programs.
//!
//! Both take the original's positional form (`chat-server 9999 0.0.0.0`) and
//! named flags (`--port 9999`, `--port=9999`), plus `--help`, `--version` and
//! `--lang zh|en` (which [`crate::text::choose`] reads before this parser
//! runs, so that even its errors are in the chosen language; here it is
//! only checked).
//! [`parse`] walks the arguments; each program's `config` module implements
//! [`Settings`] to say what its own arguments mean.

use std::collections::VecDeque;
use std::time::Duration;

use crate::text::{Expected, Lang};
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
        expected: Expected,
    },
    Unexpected(String),
    /// A value the program read and refused, with the reason in words.
    Refused {
        flag: String,
        why: String,
    },
}

/// What a command line asks a program to do.
#[derive(Debug)]
pub enum Command<T> {
    Run(T),
    Help,
    Version,
}

/// Settings a command line fills in, starting from their defaults.
pub trait Settings: Default {
    /// The `index`-th positional argument (counting from 0).
    fn positional(&mut self, index: usize, value: String) -> Result<(), ArgError>;
    /// The flag `--NAME` (`value.name()`); an unknown one is
    /// `Err(ArgError::UnknownFlag)`.
    fn flag(&mut self, value: &mut FlagValue<'_>) -> Result<(), ArgError>;
}

/// Reads a whole command line (without the program name).
pub fn parse<T: Settings>(args: impl IntoIterator<Item = String>) -> Result<Command<T>, ArgError> {
    let mut settings = T::default();
    let mut rest: VecDeque<String> = args.into_iter().collect();
    let mut positional = 0;
    while let Some(arg) = rest.pop_front() {
        let flag = match arg.strip_prefix("--") {
            Some(flag) if !flag.is_empty() => flag.to_string(),
            _ if arg == "-h" => "help".to_string(),
            _ => {
                settings.positional(positional, arg)?;
                positional += 1;
                continue;
            }
        };
        let (name, inline) = match flag.split_once('=') {
            Some((name, value)) => (name.to_string(), Some(value.to_string())),
            None => (flag, None),
        };
        let mut value = FlagValue {
            name,
            inline,
            rest: &mut rest,
        };
        match value.name() {
            "help" => return Ok(Command::Help),
            "version" => return Ok(Command::Version),
            "lang" => {
                value.lang()?;
            }
            _ => settings.flag(&mut value)?,
        }
    }
    Ok(Command::Run(settings))
}

/// A flag and the means to read its value: after `=`, or the next argument.
pub struct FlagValue<'a> {
    name: String,
    inline: Option<String>,
    rest: &'a mut VecDeque<String>,
}

impl FlagValue<'_> {
    /// The flag's name, without its dashes.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// This flag is not one the program knows.
    pub fn unknown(&self) -> ArgError {
        ArgError::UnknownFlag(self.name.clone())
    }

    fn bad(&self, value: &str, expected: Expected) -> ArgError {
        ArgError::BadValue {
            flag: self.name.clone(),
            value: value.to_string(),
            expected,
        }
    }

    /// A value this program read and refuses, for the reason given.
    pub fn refused(&self, why: &dyn std::fmt::Display) -> ArgError {
        ArgError::Refused {
            flag: self.name.clone(),
            why: why.to_string(),
        }
    }

    /// A whole number within `range`, said in words as `expected`.
    pub fn number_in(
        &mut self,
        range: std::ops::RangeInclusive<u64>,
        expected: Expected,
    ) -> Result<u64, ArgError> {
        let value = self.text()?;
        match value.parse::<u64>() {
            Ok(n) if range.contains(&n) => Ok(n),
            _ => Err(self.bad(&value, expected)),
        }
    }

    /// The value as text.
    pub fn text(&mut self) -> Result<String, ArgError> {
        match self.inline.take() {
            Some(value) => Ok(value),
            None => self
                .rest
                .pop_front()
                .ok_or_else(|| ArgError::MissingValue(self.name.clone())),
        }
    }

    /// A port number (0 asks the system for any free port).
    pub fn port(&mut self) -> Result<u16, ArgError> {
        let value = self.text()?;
        parse_port(&value).ok_or_else(|| self.bad(&value, Expected::Port))
    }

    /// A whole number above 0.
    pub fn positive(&mut self) -> Result<u64, ArgError> {
        let value = self.text()?;
        match value.parse::<u64>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(self.bad(&value, Expected::Positive)),
        }
    }

    /// A whole number above 0 that fits in memory sizes.
    pub fn size(&mut self) -> Result<usize, ArgError> {
        let n = self.positive()?;
        usize::try_from(n).map_err(|_| self.bad(&n.to_string(), Expected::Smaller))
    }

    /// A size from 1 to `max`; `expected` says what is allowed, and why.
    pub fn size_up_to(&mut self, max: usize, expected: Expected) -> Result<usize, ArgError> {
        let n = self.size()?;
        if n > max {
            return Err(self.bad(&n.to_string(), expected));
        }
        Ok(n)
    }

    /// A whole number, 0 or more.
    pub fn count(&mut self) -> Result<usize, ArgError> {
        let value = self.text()?;
        value
            .parse::<usize>()
            .map_err(|_| self.bad(&value, Expected::Count))
    }

    /// A switch such as `--no-history`: it takes no value, so the next
    /// argument is left alone, and `--no-history=x` is a mistake.
    pub fn switch(&mut self) -> Result<bool, ArgError> {
        match self.inline.take() {
            None => Ok(true),
            Some(value) => Err(self.bad(&value, Expected::NoValue)),
        }
    }

    /// Whole seconds, above 0.
    pub fn seconds(&mut self) -> Result<Duration, ArgError> {
        self.positive().map(Duration::from_secs)
    }

    /// A file chunk size: 1 byte up to [`MAX_CHUNK_SIZE`] (a chunk must fit
    /// in one frame once it is base64 inside JSON).
    pub fn chunk_size(&mut self) -> Result<usize, ArgError> {
        let value = self.text()?;
        match value.parse::<usize>() {
            Ok(n) if (1..=MAX_CHUNK_SIZE).contains(&n) => Ok(n),
            _ => Err(self.bad(&value, Expected::ChunkSize)),
        }
    }

    /// A language: `en` or `zh`.
    pub fn lang(&mut self) -> Result<Lang, ArgError> {
        let value = self.text()?;
        Lang::from_code(&value).ok_or_else(|| self.bad(&value, Expected::Lang))
    }

    /// `--trace` (bare) or `--trace=hex`. The value must come after `=`, so
    /// that a bare `--trace` does not swallow the next argument.
    pub fn trace(&mut self) -> Result<Trace, ArgError> {
        let value = self.inline.take();
        Trace::from_flag(value.as_deref())
            .ok_or_else(|| self.bad(&value.unwrap_or_default(), Expected::TraceMode))
    }
}

fn parse_port(value: &str) -> Option<u16> {
    value.parse().ok()
}

/// A positional port argument, as in `chat-server 9999`.
pub fn positional_port(value: &str) -> Result<u16, ArgError> {
    parse_port(value).ok_or_else(|| ArgError::BadValue {
        flag: "port".to_string(),
        value: value.to_string(),
        expected: Expected::Port,
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

    /// Settings that record what they were given.
    #[derive(Default, Debug)]
    struct Seen {
        positional: Vec<String>,
        port: Option<u16>,
        name: Option<String>,
        trace: Option<Trace>,
        chunk: Option<usize>,
    }

    impl Settings for Seen {
        fn positional(&mut self, index: usize, value: String) -> Result<(), ArgError> {
            if index >= 2 {
                return Err(ArgError::Unexpected(value));
            }
            self.positional.push(value);
            Ok(())
        }

        fn flag(&mut self, value: &mut FlagValue<'_>) -> Result<(), ArgError> {
            match value.name() {
                "port" => self.port = Some(value.port()?),
                "name" => self.name = Some(value.text()?),
                "trace" => self.trace = Some(value.trace()?),
                "chunk-size" => self.chunk = Some(value.chunk_size()?),
                _ => return Err(value.unknown()),
            }
            Ok(())
        }
    }

    fn parse_list(list: &[&str]) -> Result<Command<Seen>, ArgError> {
        parse(list.iter().map(|s| s.to_string()))
    }

    fn seen(list: &[&str]) -> Seen {
        match parse_list(list) {
            Ok(Command::Run(seen)) => seen,
            other => panic!("expected settings, got {other:?}"),
        }
    }

    #[test]
    fn flags_with_and_without_equals_and_positionals() {
        let s = seen(&["--port", "9", "a", "--name=Bob", "--trace", "-"]);
        assert_eq!(s.port, Some(9));
        assert_eq!(s.name.as_deref(), Some("Bob"));
        assert_eq!(s.trace, Some(Trace::Lines));
        assert_eq!(s.positional, ["a", "-"]);
    }

    #[test]
    fn a_bare_trace_does_not_take_the_next_argument() {
        let s = seen(&["--trace", "x"]);
        assert_eq!(s.positional, ["x"]);
        assert_eq!(seen(&["--trace=hex"]).trace, Some(Trace::Hex));
        assert!(parse_list(&["--trace=loud"]).is_err());
    }

    #[test]
    fn help_and_version_win() {
        assert!(matches!(
            parse_list(&["--port", "1", "--help"]),
            Ok(Command::Help)
        ));
        assert!(matches!(parse_list(&["-h"]), Ok(Command::Help)));
        assert!(matches!(parse_list(&["--version"]), Ok(Command::Version)));
    }

    #[test]
    fn mistakes_are_reported() {
        assert_eq!(
            parse_list(&["--port"]).unwrap_err(),
            ArgError::MissingValue("port".into())
        );
        assert!(matches!(
            parse_list(&["--port", "65536"]),
            Err(ArgError::BadValue { .. })
        ));
        assert_eq!(
            parse_list(&["--what"]).unwrap_err(),
            ArgError::UnknownFlag("what".into())
        );
        assert_eq!(
            parse_list(&["a", "b", "c"]).unwrap_err(),
            ArgError::Unexpected("c".into())
        );
        assert!(parse_list(&["--chunk-size", "0"]).is_err());
        assert!(parse_list(&["--chunk-size", "524289"]).is_err());
        assert_eq!(seen(&["--chunk-size", "65536"]).chunk, Some(65536));
    }

    #[test]
    fn ipv6_hosts_get_brackets() {
        assert_eq!(host_port("::1", 80), "[::1]:80");
        assert_eq!(host_port("localhost", 80), "localhost:80");
    }
}
