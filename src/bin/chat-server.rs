//! `chat-server`: reads the command line, binds the port, and hands over to
//! the library's [`socket_chat::server::serve`].

use std::io::{self, BufReader};
use std::net::TcpListener;
use std::process::ExitCode;

use socket_chat::cli::Command;
use socket_chat::server;
use socket_chat::text;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // The language first (`--lang`, else the locale), so that every line
    // from here on, even a complaint about the arguments, is in it.
    text::choose(&args);
    let config = match server::Config::from_args(args) {
        Ok(Command::Run(config)) => config,
        Ok(Command::Help) => {
            println!("{}", text::t().server_usage());
            return ExitCode::SUCCESS;
        }
        Ok(Command::Version) => {
            println!("{}", text::t().version("chat-server"));
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("{}", text::t().bad_arguments("chat-server", &e));
            return ExitCode::from(2);
        }
    };
    let addr = config.bind_addr();
    let listener = match TcpListener::bind(&addr) {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("{}", text::t().cannot_listen(&addr, &e));
            return ExitCode::FAILURE;
        }
    };
    match server::serve(listener, config, BufReader::new(io::stdin())) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}", text::t().cannot_serve(&addr, &e));
            ExitCode::FAILURE
        }
    }
}
