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
    let args: Vec<String> = std::env::args().skip(1).collect();
    // The language first (`--lang`, else the locale), so that every line
    // from here on, even a complaint about the arguments, is in it.
    text::choose(&args);
    let config = match client::Config::from_args(args) {
        Ok(Command::Run(config)) => config,
        Ok(Command::Help) => {
            println!("{}", text::t().client_usage());
            return ExitCode::SUCCESS;
        }
        Ok(Command::Version) => {
            println!("{}", text::t().version("chat-client"));
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("{}", text::t().bad_arguments("chat-client", &e));
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
