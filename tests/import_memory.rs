//! Peak memory of imports that are too large to hold whole: the real binary's maximum
//! resident set size (measured by GNU time, see `Env::run_measured`) against the size of the file it reads. The figures for
//! 1,000,000 notes are in `bench/README.md`; these run at a size a debug build imports in
//! seconds, where the binary's own megabytes still count, hence a bound a little above the
//! 10x of the release figures (at 600,000 short rows: 9.2x after; before, 17.9x for the
//! import and 55x for the dry run, which held every note).

use crate::common;

use std::path::Path;
use std::time::Duration;

use common::Env;

/// How long an import here may run before it counts as hung.
const HANG: Duration = Duration::from_secs(300);

/// Short rows, the hard case: `term N,dN` (a 12-character term and a short definition).
fn short_rows(n: usize) -> String {
    let mut csv = String::from("#separator:Comma\n");
    for i in 0..n {
        csv.push_str(&format!("term {i:07},d{}\n", i % 97));
    }
    csv
}

fn size(path: &Path) -> u64 {
    std::fs::metadata(path).expect("metadata").len()
}

/// Short rows in a file this large (10 MB).
const ROWS: usize = 600_000;

/// The bound on peak memory against the file's size at [`ROWS`], in a debug build.
const BOUND: f64 = 12.0;

#[test]
fn an_import_of_a_large_csv_file_holds_no_more_than_a_few_times_the_file() {
    let env = Env::new();
    env.ok(&["decks"]);
    let file = env.write("big.csv", short_rows(ROWS));
    let Some((code, stdout, peak)) = env.run_measured(HANG, &["import", file.to_str().unwrap()])
    else {
        return;
    };
    assert_eq!(code, Some(0));
    assert_eq!(
        stdout,
        format!("Imported: {ROWS} added, 0 updated, 0 unchanged.\n")
    );
    let ratio = peak as f64 / size(&file) as f64;
    assert!(
        ratio < BOUND,
        "peak {peak} bytes, {ratio:.1} times the file"
    );
    assert_eq!(
        env.sql::<i64>(
            "SELECT count(*) FROM notes n JOIN decks d ON d.id = n.deck_id WHERE d.name = 'big'"
        ),
        ROWS as i64
    );
}

#[test]
fn a_dry_run_of_a_large_csv_file_holds_no_more_than_a_few_times_the_file() {
    let env = Env::new();
    env.ok(&["decks"]);
    let n = ROWS;
    let file = env.write("big.csv", short_rows(n));
    let before = std::fs::read(&env.db).expect("db");
    let rows = env.fingerprint();
    let Some((code, stdout, peak)) =
        env.run_measured(HANG, &["import", "--dry-run", file.to_str().unwrap()])
    else {
        return;
    };
    assert_eq!(code, Some(0));
    assert!(
        stdout.starts_with(&format!(
            "Dry run, nothing written: would be {n} added, 0 updated, 0 unchanged.\n  add     big/term-0000000\n"
        )),
        "{}",
        &stdout[..stdout.len().min(300)]
    );
    assert_eq!(stdout.lines().count(), n + 1);
    assert!(stdout.ends_with("  add     big/term-0599999\n"));
    let ratio = peak as f64 / size(&file) as f64;
    assert!(
        ratio < BOUND,
        "peak {peak} bytes, {ratio:.1} times the file"
    );
    // Nothing written: the same bytes, the same rows.
    assert_eq!(std::fs::read(&env.db).expect("db"), before);
    assert_eq!(env.fingerprint(), rows);
}

/// A child's `ru_maxrss` (what `wait4` gives) counts the resident size of the process that
/// spawned it, and every integration test shares one process: the measure must be the
/// binary's own, however large this process has grown.
#[test]
fn the_measured_peak_is_the_binarys_own_not_the_test_process() {
    const HELD: usize = 256 << 20;
    let mut held = vec![0u8; HELD];
    for page in held.chunks_mut(4096) {
        page[0] = 1;
    }
    let env = Env::new();
    let Some((code, stdout, peak)) = env.run_measured(HANG, &["--version"]) else {
        return;
    };
    assert_eq!(code, Some(0));
    assert!(stdout.starts_with("jargon "), "{stdout}");
    assert!(
        peak < 64 << 20,
        "jargon --version measured at {peak} bytes while this process holds {HELD}"
    );
    std::hint::black_box(&held);
}
