//! One `jargon import` of a CSV file, timed in process, for `bench/anki_csv_import.py`: it
//! runs this between Anki's imports so the like-for-like figures (both sides timed around the
//! import call alone, the collection already open) come from the same minutes of a machine
//! whose speed drifts. The criterion bench (`benches/import.rs`) times the same call.
//!
//! Usage: `import_once FILE.csv NEW_COLLECTION.sqlite`; prints the seconds, then the report.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use jargon::cli::Context;
use jargon::cli::import::{Args, run};

/// The binary's allocator (see src/main.rs), so the figure is what the binary does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1).map(PathBuf::from);
    let (Some(csv), Some(db)) = (args.next(), args.next()) else {
        eprintln!("usage: import_once FILE.csv NEW_COLLECTION.sqlite");
        return ExitCode::from(2);
    };
    let context = Context { db };
    // A collection that exists already (with the built-in decks), as Anki's does.
    if let Err(e) = context.open() {
        eprintln!("import_once: {e}");
        return ExitCode::FAILURE;
    }
    let args = Args::files_into(vec![csv], "Bench");
    let mut out = Vec::new();
    let started = Instant::now();
    let result = run(&context, &args, &mut out);
    let elapsed = started.elapsed();
    match result {
        Ok(()) => {
            println!("{:.6}", elapsed.as_secs_f64());
            print!("{}", String::from_utf8_lossy(&out));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("import_once: {e}");
            ExitCode::FAILURE
        }
    }
}
