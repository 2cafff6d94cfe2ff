//! The integration tests as one program (ripgrep's layout): each file in `tests/` is a module
//! here, `common` (the shared helpers) is compiled once, and the crate links one test binary
//! instead of one per file. `Cargo.toml` sets `autotests = false`, so a file that is not
//! declared below would silently never run: `every_test_file_is_a_module_of_this_program`
//! fails when one is missing. Run one file's tests with
//! `cargo test --test integration import_large::`.
//!
//! All the tests share one process and run on parallel threads: none may change the process's
//! environment, current directory, umask, limits or signal handlers (set them on the child
//! `Command` instead; `no_test_changes_what_the_process_shares` looks for the calls that
//! would), and each works in its own temporary folder.

mod common;

mod anki_reference;
mod anki_rich;
mod anki_rich_export;
mod anki_text;
mod builtin_decks;
mod busy_collection;
mod cli;
mod csv_messages;
mod delete_cli;
mod edit_loop;
mod escapes;
mod export_anki_csv;
mod export_selection;
mod fsrs_reference;
mod fuzz_regressions;
mod hostile_packages;
mod import_export;
mod import_large;
mod import_memory;
mod import_progress_pty;
mod import_schedulers;
mod import_several;
mod input_bounds;
mod learning_steps;
mod media;
mod memory_cli;
mod migration_v5;
mod note_cards;
mod note_seed;
mod output_paths;
mod readonly_collection;
mod repl_pty;
mod report_browser;
mod review_queue;
mod review_rules;
mod scheduler_switch;
mod schedulers;
mod screens_pty;
mod sm2_reference;
mod stats_cli;
mod stats_fsrs;
mod stats_real;
mod sync_cli;
mod sync_hostile;
mod sync_kill;
mod sync_orders;

/// The modules this file declares, in the order written.
fn declared_modules() -> Vec<String> {
    include_str!("main.rs")
        .lines()
        .filter_map(|line| line.trim().strip_prefix("mod ")?.strip_suffix(';'))
        .map(str::to_string)
        .collect()
}

#[test]
fn every_test_file_is_a_module_of_this_program() {
    let tests = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let declared = declared_modules();
    let mut missing = vec![];
    for entry in std::fs::read_dir(&tests).expect("read tests/") {
        let path = entry.expect("entry of tests/").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("UTF-8 name");
        let module = if path.is_dir() {
            // A folder is a module only when it has a `mod.rs` (fixtures and data do not).
            if !path.join("mod.rs").is_file() {
                continue;
            }
            name.to_string()
        } else if let Some(stem) = name.strip_suffix(".rs") {
            if stem == "main" {
                continue;
            }
            stem.to_string()
        } else {
            continue;
        };
        if !declared.contains(&module) {
            missing.push(module);
        }
    }
    missing.sort();
    assert!(
        missing.is_empty(),
        "tests/main.rs does not declare {missing:?}: with `autotests = false` these never run; \
         add `mod NAME;` for each"
    );
}

/// Calls that would change what every test in this process shares, each with what to do
/// instead. The names are split in two so that this file does not match itself.
const SHARED_STATE: &[(&str, &str, &str)] = &[
    (
        "env::set_",
        "var(",
        "pass `.env(..)` to the child `Command`",
    ),
    (
        "env::remove_",
        "var(",
        "pass `.env_remove(..)` to the child `Command`",
    ),
    (
        "set_current_",
        "dir(",
        "pass `.current_dir(..)` to the child `Command`",
    ),
    (
        "libc::",
        "umask(",
        "run the child under `sh -c 'umask ..; exec ..'`",
    ),
    (
        "libc::",
        "signal(",
        "install no signal handler in the test process",
    ),
    (
        "signal_",
        "hook::",
        "install no signal handler in the test process",
    ),
];

#[test]
fn no_test_changes_what_the_process_shares() {
    fn files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("read a folder of tests/") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut sources = vec![];
    files(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests"),
        &mut sources,
    );
    let mut found = vec![];
    for path in sources {
        let text = std::fs::read_to_string(&path).expect("read a test file");
        for (number, line) in text.lines().enumerate() {
            for (head, tail, instead) in SHARED_STATE {
                if line.contains(&format!("{head}{tail}")) {
                    found.push(format!("{}:{}: {instead}", path.display(), number + 1));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "every test shares one process, so none may change its environment, current \
         folder, umask or signal handlers:\n{}",
        found.join("\n")
    );
}
