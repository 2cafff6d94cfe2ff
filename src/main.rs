//! The `jargon` binary: parse the arguments, run, map errors to exit codes.

// Messages reach people only through `output::Human`.
#![deny(clippy::print_stdout, clippy::print_stderr)]

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use jargon::error::Error;

/// mimalloc rather than the system allocator: an import makes and frees millions of small
/// strings, on the thread that parses and on the one that frees what was written, and glibc's
/// malloc made that a quarter of the import's time. The benches declare the same one.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = jargon::cli::Cli::parse();
    match jargon::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`jargon cards | head`) is not a failure.
        Err(Error::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            // Through the writer for people: the message names paths, decks and keys.
            let _ = writeln!(jargon::output::stderr(), "jargon: {e}");
            ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(1))
        }
    }
}
