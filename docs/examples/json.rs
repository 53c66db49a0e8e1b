//! Parse a JSON file and print it the way Python's `json.dumps` would.
//!
//! ```sh
//! cargo run -q --example json -- FILE
//! ```
//!
//! Exit status: 0 when FILE is JSON (its value is printed on one line),
//! 1 when it is not (the error and its byte offset go to stderr),
//! 2 when FILE cannot be read or the arguments are wrong.
//!
//! Try it on a message, on a file with a mistake, or on something hostile
//! such as 100,000 `[`: the parser answers each with a value or an error,
//! never a crash.

use std::path::PathBuf;
use std::process::ExitCode;
use std::{env, fs};

use socket_chat::json;

fn main() -> ExitCode {
    let mut args = env::args_os().skip(1);
    let (Some(path), None) = (args.next(), args.next()) else {
        eprintln!(
            "usage: json FILE\n  parses FILE as JSON and prints it as Python's json.dumps would"
        );
        return ExitCode::from(2);
    };
    let path = PathBuf::from(path);

    let bytes = match fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("json: cannot read {}: {e}", path.display());
            return ExitCode::from(2);
        }
    };
    match json::parse(&bytes) {
        Ok(value) => {
            println!("{}", json::to_string(&value));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("json: {}: {e}", path.display());
            ExitCode::from(1)
        }
    }
}
