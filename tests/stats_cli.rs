//! `jargon stats` and `jargon report` through the real binary: odd inputs, the exports, and
//! the counting rules end to end (cram answers never count, re-drills are activity only).

mod common;

use common::{Env, text};
use serde_json::Value;

fn stats_json(env: &Env, args: &[&str]) -> Value {
    let mut all = vec!["stats", "--format", "json"];
    all.extend_from_slice(args);
    serde_json::from_str(&env.ok(&all)).expect("stats JSON")
}

fn with_deck() -> Env {
    let env = Env::new();
    env.ok(&["config", "set", "timezone", "UTC"]);
    let deck = env.write(
        "test.toml",
        "name = \"Test\"\n\n[[note]]\nterm = \"alpha\"\ndefinition = \"the first\"\n\n\
         [[note]]\nterm = \"beta\"\ndefinition = \"the second\"\n",
    );
    env.ok(&["import", deck.to_str().unwrap()]);
    env
}

#[test]
fn a_fresh_collection_has_statistics_of_zeros() {
    let env = Env::new();
    let out = env.ok(&["stats"]);
    assert!(out.contains("No answers yet today."), "{out}");
    assert!(out.contains("Streak: 0 days"), "{out}");
    assert!(!out.contains('\u{1b}'), "colour with NO_COLOR: {out}");
    for line in out.lines() {
        assert!(unicode_width::UnicodeWidthStr::width(line) <= 80, "{line}");
    }
    let json = stats_json(&env, &[]);
    assert_eq!(json["schema_version"], 1);
    assert_eq!(json["period_totals"]["answers"], 0);
    assert_eq!(json["today"]["correct_share"], Value::Null);
    assert!(json["cards"]["new"].as_u64().unwrap() > 0, "built-in decks");
}

#[test]
fn bad_arguments_are_usage_errors_that_name_the_choices() {
    let env = Env::new();
    for (args, expected) in [
        (vec!["stats", "--period", "nonsense"], "possible values"),
        (vec!["stats", "--deck", "No such deck"], "there is no deck"),
        (vec!["stats", "--format", "csv"], "--table NAME or -o DIR"),
        (
            vec!["stats", "--format", "csv", "--table", "nope"],
            "retention_monthly",
        ),
        (vec!["stats", "--table", "daily"], "go with --format csv"),
        (vec!["report"], "--output"),
    ] {
        let out = env.run(&args);
        let (_, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}

#[test]
fn cram_answers_never_count_and_re_drills_count_only_as_activity() {
    let env = with_deck();
    // Two new forward cards: Again on the first (re-drilled later), Good on the rest.
    let out = env.run_with_input(
        &["review", "--deck", "Test", "--new", "4"],
        "a\ng\ng\ng\ng\ng\ng\ng\n",
    );
    assert!(out.status.success(), "{}", text(&out).1);
    let scheduled: i64 = env.sql("SELECT count(*) FROM reviews WHERE kind = 'schedule'");
    let drills: i64 = env.sql("SELECT count(*) FROM reviews WHERE kind = 'drill'");
    let again: i64 =
        env.sql("SELECT count(*) FROM reviews WHERE kind = 'schedule' AND quality < 3");
    assert!(drills > 0, "the session re-drilled the failed card");
    let before = stats_json(&env, &["--period", "day"]);
    assert_eq!(before["today"]["scored"].as_i64(), Some(scheduled));
    assert_eq!(before["today"]["drill"].as_i64(), Some(drills));
    assert_eq!(
        before["today"]["answers"].as_i64(),
        Some(scheduled + drills)
    );
    assert_eq!(before["today"]["again"].as_i64(), Some(again));
    let buttons: i64 = before["buttons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["total"].as_i64().unwrap())
        .sum();
    assert_eq!(buttons, scheduled);

    // Cramming logs rows, and changes nothing in the statistics.
    let out = env.run_with_input(&["review", "--deck", "Test", "--cram"], "g\ng\ng\ng\n");
    assert!(out.status.success(), "{}", text(&out).1);
    let crammed: i64 = env.sql("SELECT count(*) FROM reviews WHERE kind = 'cram'");
    assert!(crammed > 0);
    let after = stats_json(&env, &["--period", "day"]);
    assert_eq!(after["today"], before["today"]);
    assert_eq!(after["hours"], before["hours"]);
    assert_eq!(after["heatmap"], before["heatmap"]);
}

#[test]
fn csv_tables_go_to_stdout_or_one_file_each() {
    let env = with_deck();
    env.run_with_input(&["review", "--deck", "Test", "--new", "2"], "g\ng\n");
    let out = env.ok(&["stats", "--format", "csv", "--table", "cards"]);
    assert!(out.starts_with("category,cards\n"), "{out}");
    let dir = env.path("tables");
    let out = env.ok(&["stats", "--format", "csv", "-o", dir.to_str().unwrap()]);
    assert!(out.contains("Wrote 13 tables"), "{out}");
    let daily = std::fs::read_to_string(dir.join("daily.csv")).unwrap();
    assert!(daily.starts_with("date,answers,"), "{daily}");
    assert_eq!(daily.lines().count(), 2, "one study day: {daily}");
}

#[test]
fn the_report_is_written_whole_and_escapes_deck_text() {
    let env = Env::new();
    let deck = env.write(
        "evil.toml",
        "name = \"<script>alert(1)</script>\"\n\n[[note]]\nterm = \"<img src=x>\"\ndefinition = \"d\"\n",
    );
    env.ok(&["import", deck.to_str().unwrap()]);
    let name = "<script>alert(1)</script>";
    env.run_with_input(&["review", "--deck", name], "a\na\ng\ng\ng\ng\ng\ng\n");
    let report = env.path("out.html");
    let out = env.ok(&["report", "--deck", name, "-o", report.to_str().unwrap()]);
    assert!(out.starts_with("Wrote "), "{out}");
    let page = std::fs::read_to_string(&report).unwrap();
    assert!(!page.contains("<script"), "unescaped deck name");
    assert!(!page.contains("<img"), "unescaped term");
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "the deck is named"
    );
    assert!(page.contains("&lt;img src=x&gt;"), "the card is listed");
    let stdout = env.ok(&["report", "-o", "-"]);
    assert!(stdout.starts_with("<!DOCTYPE html>"));
    let folder = env.run(&["report", "-o", env.dir.path().to_str().unwrap()]);
    assert_eq!(folder.status.code(), Some(2));
}

/// Figures that do not depend on which cards the collection holds: the same for the whole
/// collection (read from the per-day answer counts) and for a deck holding every answer (read
/// from the log itself).
fn answer_figures(json: &Value) -> Vec<Value> {
    [
        "today",
        "streak",
        "period_totals",
        "retention",
        "heatmap",
        "buttons",
        "hours",
    ]
    .iter()
    .map(|key| json[*key].clone())
    .collect()
}

#[test]
fn answer_counts_follow_answers_undo_and_imports_and_check_rebuilds_them() {
    let env = with_deck();
    let out = env.run_with_input(
        &["review", "--deck", "Test", "--new", "4"],
        "a\ng\n:undo\ne\ng\ng\ng\ng\ng\n",
    );
    assert!(out.status.success(), "{}", text(&out).1);
    let out = env.run_with_input(&["review", "--deck", "Test", "--cram"], "g\nh\n");
    assert!(out.status.success(), "{}", text(&out).1);
    // Every answer is in Test: read from the log through the deck filter, it gives what the
    // counts give for the whole collection.
    for period in ["day", "month", "all"] {
        let whole = stats_json(&env, &["--period", period]);
        let deck = stats_json(&env, &["--period", period, "--deck", "Test"]);
        assert_eq!(answer_figures(&whole), answer_figures(&deck), "{period}");
    }

    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    env.ok(&[
        "import",
        "--revlog",
        fixture.join("revlog-small.csv").to_str().unwrap(),
    ]);
    let reviews: i64 = env.sql("SELECT count(*) FROM reviews");
    let counted: i64 = env.sql("SELECT sum(answers) FROM review_day_counts");
    let by_quarter: i64 = env.sql("SELECT sum(answers) FROM review_quarter_counts");
    assert!(reviews > 5, "{reviews}");
    assert_eq!((counted, by_quarter), (reviews, reviews));
    let check = env.ok(&["check"]);
    assert!(check.starts_with("ok:"), "{check}");

    // Counts that no longer match the log are found and rebuilt.
    rusqlite::Connection::open(&env.db)
        .unwrap()
        .execute_batch(
            "UPDATE review_day_counts SET answers = answers + 5
             WHERE day = (SELECT max(day) FROM review_day_counts);",
        )
        .unwrap();
    let out = env.run(&["check"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stdout.starts_with(
            "fixed: the statistics' per-day answer counts differed from the review log in"
        ),
        "{stdout}"
    );
    let check = env.ok(&["check"]);
    assert!(check.starts_with("ok:"), "{check}");
    let counted: i64 = env.sql("SELECT sum(answers) FROM review_day_counts");
    assert_eq!(counted, reviews);
}
