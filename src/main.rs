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

/// mimalloc's `mi_option_purge_delay`: its place in `mi_option_t` (mimalloc only appends to
/// that enum, and keeps the places of retired options; the test below checks the default).
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;

unsafe extern "C" {
    /// mimalloc's `void mi_option_set(mi_option_t option, long value)`, compiled into the
    /// binary by `libmimalloc-sys` (whose bindings list no purge delay).
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
}

fn main() -> ExitCode {
    // Memory freed goes back to the system at once rather than after mimalloc's default
    // second: a large import frees its reader's tables (tens of MB) just before SQLite, which
    // allocates with the system's malloc, sorts the key index, and the two would add up.
    // SAFETY: mimalloc's exported C function, declared with its C signature; an option is a
    // plain integer it reads on its next purge, and nothing else runs yet.
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
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

#[cfg(test)]
mod tests {
    unsafe extern "C" {
        fn mi_option_get(option: std::ffi::c_int) -> std::ffi::c_long;
    }

    #[test]
    fn the_purge_delay_option_is_the_one_set() {
        // mimalloc's default purge delay is 1000 ms, the only option with that default.
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            // SAFETY: mimalloc's exported C function, with its C signature.
            assert_eq!(unsafe { mi_option_get(super::MI_OPTION_PURGE_DELAY) }, 1000);
        }
    }
}
