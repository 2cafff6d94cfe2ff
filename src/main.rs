//! The `jargon` binary: parse the arguments, run, map errors to exit codes.

use std::process::ExitCode;

use clap::Parser;
use jargon::error::Error;

fn main() -> ExitCode {
    let cli = jargon::cli::Cli::parse();
    match jargon::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`jargon cards | head`) is not a failure.
        Err(Error::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("jargon: {e}");
            ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(1))
        }
    }
}
