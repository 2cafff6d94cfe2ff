//! `jargon import` of a large file under a real pseudo-terminal (expectrl): the progress bar
//! is drawn on the terminal while the notes are written, cleared, and followed by the one-line
//! report; with standard output piped there is the report line and nothing else. Only the
//! command-line behaviour is checked (and the number of rows in `notes`).

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::{Env, text};
use expectrl::{Session, WaitStatus};

const ROWS: usize = 30_000;
const REPORT: &str = "Imported: 30000 added, 0 updated, 0 unchanged.";
const WIDTH: u16 = 80;

/// An Anki-style CSV of `rows` notes.
fn big_csv(env: &Env, rows: usize) -> PathBuf {
    let mut csv = String::from(
        "#separator:Comma\n#html:false\n#columns:term,definition,tags\n#tags column:3\n",
    );
    for n in 0..rows {
        csv.push_str(&format!(
            "term {n},\"the definition of entry number {n}, long enough to be realistic\",bulk\n"
        ));
    }
    env.write(&format!("big-{rows}.csv"), csv)
}

/// A collection with its built-in decks, and how many notes it holds.
fn collection() -> (Env, i64) {
    let env = Env::new();
    env.ok(&["decks"]);
    let notes = notes(&env);
    (env, notes)
}

fn notes(env: &Env) -> i64 {
    env.sql("SELECT count(*) FROM notes")
}

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_jargon")
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Runs `program args` in an 80x24 pseudo-terminal; returns everything it wrote there and its
/// exit status.
fn in_pty(env: &Env, program: &str, args: &[&str]) -> (String, WaitStatus) {
    let mut cmd = Command::new(program);
    cmd.args(args)
        .env("JARGON_DB", &env.db)
        .env("JARGON_NOW", &env.now)
        .env("TZ", "UTC")
        .env("TERM", "xterm")
        .env("NO_COLOR", "1")
        .env_remove("EDITOR")
        .env_remove("VISUAL");
    let mut session = Session::spawn(cmd).expect("spawn in a pty");
    session
        .get_process_mut()
        .set_window_size(WIDTH, 24)
        .expect("window size");
    session.set_expect_timeout(Some(Duration::from_secs(180)));
    let all = session.expect(expectrl::Eof).expect("the process ends");
    let output = String::from_utf8_lossy(all.as_bytes()).into_owned();
    let status = session.get_process().wait().expect("wait");
    (output, status)
}

fn exited_ok(status: WaitStatus) -> bool {
    matches!(status, WaitStatus::Exited(_, 0))
}

/// What indicatif wrote: each frame is `importing <bar> POS/LEN ETA`, padded to the terminal's
/// width and ended by a carriage return; the next frame, and whatever follows the bar, starts
/// by clearing the line (ESC [2K). Returns the (pos, len) of each frame and what came after
/// the last clear.
fn frames(output: &str) -> (Vec<(u64, u64)>, String) {
    let segments: Vec<&str> = output.split("\x1b[2K").collect();
    let mut frames = vec![];
    for segment in &segments[..segments.len() - 1] {
        let line = segment.trim_end_matches('\r');
        assert!(
            line.starts_with("importing "),
            "every cleared line is a frame of the bar: {line:?}"
        );
        assert!(
            !line.contains(['\r', '\n']),
            "one frame is one line: {line:?}"
        );
        assert!(
            line.chars().count() <= usize::from(WIDTH),
            "a frame wider than the terminal wraps: {} columns: {line:?}",
            line.chars().count()
        );
        assert!(line.contains(['█', '░']), "the bar itself: {line:?}");
        let counts = line
            .split_whitespace()
            .find(|w| w.contains('/'))
            .unwrap_or_else(|| panic!("no POS/LEN in {line:?}"));
        let (pos, len) = counts.split_once('/').expect("POS/LEN");
        frames.push((pos.parse().expect("position"), len.parse().expect("length")));
    }
    (frames, segments[segments.len() - 1].to_string())
}

#[test]
fn a_large_import_on_a_terminal_draws_the_bar_clears_it_and_reports() {
    let (env, before) = collection();
    let csv = big_csv(&env, ROWS);
    let (output, status) = in_pty(&env, bin(), &["import", "--deck", "Big", path(&csv)]);
    assert!(exited_ok(status), "{status:?}\n{output:?}");
    let (frames, rest) = frames(&output);
    assert!(!frames.is_empty(), "no progress bar was drawn: {output:?}");
    assert!(
        frames.iter().all(|&(_, len)| len == ROWS as u64),
        "the bar's total is the number of notes added: {frames:?}"
    );
    assert!(
        frames.windows(2).all(|w| w[0].0 <= w[1].0) && frames.iter().all(|f| f.0 <= f.1),
        "positions only grow and stay within the total: {frames:?}"
    );
    assert!(
        frames[0].0 < ROWS as u64,
        "the bar moves while the notes are written, not only at the end: {frames:?}"
    );
    // The bar is cleared and the report is all that follows: nothing left on screen.
    assert_eq!(rest, format!("{REPORT}\r\n"), "{output:?}");
    assert_eq!(notes(&env) - before, ROWS as i64);
    let decks = env.ok(&["decks"]);
    assert!(decks.contains("Big"), "{decks}");
}

#[test]
fn the_bar_follows_standard_output_even_when_standard_error_is_redirected() {
    let (env, before) = collection();
    let csv = big_csv(&env, ROWS);
    let errors = env.path("errors.log");
    let (output, status) = in_pty(
        &env,
        "sh",
        &[
            "-c",
            r#"exec "$0" import --deck Big "$1" 2>"$2""#,
            bin(),
            path(&csv),
            path(&errors),
        ],
    );
    assert!(exited_ok(status), "{status:?}\n{output:?}");
    let (frames, rest) = frames(&output);
    assert!(
        !frames.is_empty(),
        "standard output is a terminal, so the bar is shown there: {output:?}"
    );
    assert_eq!(rest, format!("{REPORT}\r\n"), "{output:?}");
    let logged = std::fs::read(&errors).expect("errors.log");
    assert!(
        logged.is_empty(),
        "nothing is drawn to a redirected standard error: {:?}",
        String::from_utf8_lossy(&logged)
    );
    assert_eq!(notes(&env) - before, ROWS as i64);
}

#[test]
fn with_standard_output_piped_only_the_report_line_is_written() {
    // Both streams piped.
    let (env, before) = collection();
    let csv = big_csv(&env, ROWS);
    let out = env.run(&["import", "--deck", "Big", path(&csv)]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(stdout, format!("{REPORT}\n"));
    assert_eq!(stderr, "");
    assert_eq!(notes(&env) - before, ROWS as i64);

    // Standard output piped, standard error still the terminal: no bar on either.
    let (env, before) = collection();
    let csv = big_csv(&env, ROWS);
    let (output, status) = in_pty(
        &env,
        "sh",
        &[
            "-c",
            r#""$0" import --deck Big "$1" | cat"#,
            bin(),
            path(&csv),
        ],
    );
    assert!(exited_ok(status), "{status:?}\n{output:?}");
    assert_eq!(output, format!("{REPORT}\r\n"));
    assert_eq!(notes(&env) - before, ROWS as i64);
}

#[test]
fn a_small_import_on_a_terminal_shows_no_bar() {
    let (env, before) = collection();
    let csv = big_csv(&env, 100);
    let (output, status) = in_pty(&env, bin(), &["import", "--deck", "Small", path(&csv)]);
    assert!(exited_ok(status), "{status:?}\n{output:?}");
    assert_eq!(
        output, "Imported: 100 added, 0 updated, 0 unchanged.\r\n",
        "below the threshold there is only the report"
    );
    assert_eq!(notes(&env) - before, 100);
}
