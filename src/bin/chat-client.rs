//! `chat-client`: reads the command line and hands over to the library's
//! [`socket_chat::client::run`], with the keyboard as input: edited by the
//! client when standard input and output are a terminal, read line by line
//! otherwise.

use std::io;
use std::process::ExitCode;

use socket_chat::cli::Command;
use socket_chat::client;
use socket_chat::text;

fn main() -> ExitCode {
    let config = match client::Config::from_args(std::env::args().skip(1)) {
        Ok(Command::Run(config)) => config,
        Ok(Command::Help) => {
            println!("{}", text::client_usage());
            return ExitCode::SUCCESS;
        }
        Ok(Command::Version) => {
            println!("{}", text::version("chat-client"));
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("{}", text::bad_arguments("chat-client", &e));
            return ExitCode::from(2);
        }
    };
    let typing = if client::terminal::is_interactive() {
        client::Typing::Editor
    } else {
        client::Typing::Lines
    };
    // `io::stdin()` unlocked: the keyboard thread reads it, and `stty`,
    // run as a child, works on the same terminal.
    ExitCode::from(client::run(config, io::stdin(), typing))
}
