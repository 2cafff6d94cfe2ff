//! `stats` and `report` for FSRS (issue 17, item 6): the retention asked for beside the true
//! retention achieved, and the distribution of retrievability now, checked against values
//! computed here from the stored memory states through `Fsrs::retrievability`.

use crate::common::{Env, text};
use jargon::scheduler::fsrs::{Fsrs, MemoryState};
use serde_json::Value;

/// Answers `grades` (one per card shown, due cards first: Enter reveals, the digit grades) on
/// `date` (2026-MM-DD) at 10:00 UTC.
fn review_on(env: &mut Env, date: &str, grades: &str) {
    env.now = format!("{date}T10:00:00Z");
    let input: String = grades.chars().map(|g| format!("\n{g}\n")).collect();
    let limit = grades.len().to_string();
    let out = env.run_with_input(&["review", "--limit", &limit], &input);
    assert!(out.status.success(), "{}", text(&out).1);
}

fn stats_json(env: &Env) -> Value {
    serde_json::from_str(&env.ok(&["stats", "--format", "json", "--period", "all"]))
        .expect("stats JSON")
}

/// A collection under fsrs with answers over several days, looked at on 2026-06-15: six new
/// cards graduated with Easy; 24 days later five of them reviewed with every button (one
/// lapse, re-drilled in the session); the day after, the sixth and three new cards. Without
/// fuzz, so the intervals differ only by the answers.
fn fsrs_collection() -> Env {
    let mut env = Env::new();
    env.ok(&["config", "set", "timezone", "UTC"]);
    env.ok(&["config", "set", "scheduler", "fsrs"]);
    env.ok(&["config", "set", "desired_retention", "0.85"]);
    env.ok(&["config", "set", "fuzz", "false"]);
    for (date, grades) in [
        ("2026-03-01", "444444"),
        ("2026-03-25", "313243"),
        ("2026-03-26", "4444"),
    ] {
        review_on(&mut env, date, grades);
    }
    env.now = "2026-06-15T10:00:00Z".to_string();
    env
}

/// The retrievability of every unsuspended card with a memory state on study day `today`:
/// a review card was last answered `interval_days` before its due day, a card in its steps
/// counts as answered today.
fn expected_retrievability(env: &Env, today: i64) -> Vec<f32> {
    let fsrs = Fsrs::new(&[], 0.85).expect("default parameters");
    let conn = rusqlite::Connection::open(&env.db).expect("open db");
    let mut stmt = conn
        .prepare(
            "SELECT phase, due_day, interval_days, stability, difficulty FROM card_states
             WHERE stability IS NOT NULL AND suspended = 0",
        )
        .expect("query");
    stmt.query_map([], |row| {
        let phase: String = row.get(0)?;
        let due_day: Option<i64> = row.get(1)?;
        let interval: i64 = row.get(2)?;
        let memory = MemoryState {
            stability: row.get::<_, f64>(3)? as f32,
            difficulty: row.get::<_, f64>(4)? as f32,
        };
        let elapsed = match (phase.as_str(), due_day) {
            ("review", Some(due)) => (today - (due - interval)).max(0),
            _ => 0,
        };
        Ok(fsrs.retrievability(memory, elapsed as f32))
    })
    .expect("rows")
    .collect::<rusqlite::Result<_>>()
    .expect("rows")
}

#[test]
fn fsrs_stats_show_the_desired_retention_and_the_retrievability_of_every_card_now() {
    let env = fsrs_collection();
    let json = stats_json(&env);
    // 2026-06-15 as days since 1970-01-01, the study day numbers.
    let today = 20_619;
    assert_eq!(json["scope"]["today"], "2026-06-15");
    let expected = expected_retrievability(&env, today);
    assert_eq!(expected.len(), 9, "every started card is remembered");

    assert_eq!(json["retention"]["desired"].as_f64(), Some(0.85));
    assert_eq!(
        json["retention"]["achieved"], json["period_totals"]["retention"],
        "the true retention is the period's"
    );
    // Six review-phase answers, one of them Again (the drill does not count).
    assert_eq!(json["retention"]["achieved"].as_f64(), Some(5.0 / 6.0));

    let r = &json["retrievability"];
    assert_eq!(r["cards"].as_u64(), Some(expected.len() as u64), "{r}");
    let mut buckets = [0u64; 10];
    for &value in &expected {
        buckets[((f64::from(value) * 10.0).floor() as usize).min(9)] += 1;
    }
    let got: Vec<u64> = r["buckets"]
        .as_array()
        .expect("buckets")
        .iter()
        .map(|b| b["cards"].as_u64().expect("a count"))
        .collect();
    assert_eq!(got, buckets.to_vec(), "{r}");
    assert!(
        buckets.iter().filter(|&&n| n > 0).count() >= 3,
        "the answers spread the cards over several buckets: {buckets:?}"
    );
    let first = &r["buckets"][0];
    assert_eq!(first["label"], "0-10%");
    assert_eq!(first["low"].as_f64(), Some(0.0));
    assert_eq!(first["high"].as_f64(), Some(0.1));
    assert_eq!(r["buckets"][9]["label"], "90-100%");
    assert_eq!(r["buckets"][9]["high"].as_f64(), Some(1.0));
    let mean = expected.iter().map(|&v| f64::from(v)).sum::<f64>() / expected.len() as f64;
    let got_mean = r["mean"].as_f64().expect("a mean");
    assert!((got_mean - mean).abs() < 1e-8, "{got_mean} against {mean}");
    assert_eq!(schema_problems(&json), Vec::<String>::new());
}

/// What docs/stats.schema.json finds wrong with `json` (the checker of `stats_cli`).
fn schema_problems(json: &Value) -> Vec<String> {
    let schema: Value = serde_json::from_str(include_str!("../docs/stats.schema.json"))
        .expect("the schema is JSON");
    let mut problems = vec![];
    crate::stats_cli::schema_problems(&schema, json, "$", &mut problems);
    problems
}

#[test]
fn without_fsrs_the_fsrs_figures_are_null() {
    let env = Env::new();
    let json = stats_json(&env);
    assert_eq!(json["retention"]["desired"], Value::Null);
    assert_eq!(json["retrievability"], Value::Null);
    assert_eq!(schema_problems(&json), Vec::<String>::new());
    // The achieved retention is the true retention whatever the scheduler.
    assert_eq!(
        json["retention"]["achieved"],
        json["period_totals"]["retention"]
    );
    let csv = env.ok(&["stats", "--format", "csv", "--table", "retrievability"]);
    assert_eq!(csv, "label,low,high,cards\n");
}

#[test]
fn fsrs_stats_in_the_terminal_csv_and_report_show_both_retentions_and_the_buckets() {
    let env = fsrs_collection();
    let json = stats_json(&env);
    for width in ["60", "80"] {
        let out = env
            .cmd()
            .args(["stats", "--period", "all"])
            .env("COLUMNS", width)
            .output()
            .expect("run jargon");
        let (stdout, stderr) = text(&out);
        assert!(out.status.success(), "{stderr}");
        let limit: usize = width.parse().expect("a number");
        for line in stdout.lines() {
            assert!(
                unicode_width::UnicodeWidthStr::width(line) <= limit,
                "{width}: {line}"
            );
        }
        assert!(stdout.contains("Retrievability"), "{stdout}");
        assert!(stdout.contains("desired 85.0%"), "{stdout}");
        assert!(stdout.contains("90-100%"), "{stdout}");
    }
    let csv = env.ok(&["stats", "--format", "csv", "--table", "retrievability"]);
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows[0], "label,low,high,cards");
    assert_eq!(rows.len(), 11, "{csv}");
    assert_eq!(
        rows[1],
        format!(
            "0-10%,0,0.1,{}",
            json["retrievability"]["buckets"][0]["cards"]
        )
    );
    let summary = env.ok(&["stats", "--format", "csv", "--table", "summary"]);
    assert!(summary.contains("\ndesired_retention,0.85\n"), "{summary}");
    let mean = json["retrievability"]["mean"].as_f64().expect("a mean");
    assert!(
        summary.contains(&format!("\nretrievability_mean,{mean}\n")),
        "{summary}"
    );
    let report = env.ok(&["report", "-o", "-"]);
    assert!(report.contains("<h2>Retrievability</h2>"), "{report}");
    assert!(report.contains("Desired retention 85.0%"), "{report}");
}
