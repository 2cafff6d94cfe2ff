//! Peak memory of imports that are too large to hold whole: the real binary's maximum
//! resident set size (from `wait4`) against the size of the file it reads. The figures for
//! 1,000,000 notes are in `bench/README.md`; these run at a size a debug build imports in
//! seconds, where the binary's own megabytes still count, hence a bound a little above the
//! 10x of the release figures (at 600,000 short rows: 9.2x after; before, 17.9x for the
//! import and 55x for the dry run, which held every note).

mod common;

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

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

/// Runs jargon with `args`; returns its exit code, its standard output and its peak resident
/// set size in bytes.
// `wait4` reaps the child (std's `wait` reports no resource usage).
#[allow(clippy::zombie_processes)]
fn run_measured(env: &Env, args: &[&str]) -> (Option<i32>, String, u64) {
    let out_path = env.path("stdout.txt");
    let stdout = std::fs::File::create(&out_path).expect("stdout file");
    let mut child = env
        .cmd()
        .args(args)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn jargon");
    let pid = libc::pid_t::try_from(child.id()).expect("pid");
    let started = Instant::now();
    let mut status: libc::c_int = 0;
    // SAFETY: all-zero bytes are a valid `rusage` (integers and timevals only).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `pid` is our own child, not yet reaped (std's `Child` never waited for it);
        // `status` and `usage` are valid for writes for the duration of the call.
        let done = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        assert!(done >= 0, "wait4 failed");
        if done == pid {
            break;
        }
        if started.elapsed() > HANG {
            child.kill().expect("kill");
            let _ = child.wait();
            panic!("jargon {args:?} still ran after {HANG:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    let peak = u64::try_from(usage.ru_maxrss).expect("maxrss") * 1024;
    let stdout = std::fs::read_to_string(&out_path).expect("stdout");
    (code, stdout, peak)
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
    let (code, stdout, peak) = run_measured(&env, &["import", file.to_str().unwrap()]);
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
    let (code, stdout, peak) = run_measured(&env, &["import", "--dry-run", file.to_str().unwrap()]);
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
