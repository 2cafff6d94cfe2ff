//! Statistics on a real review log (`../shared/data/revlog-py-fsrs.csv`: 12,580 answers of one
//! learner), imported with `jargon import --revlog`, checked against figures computed here
//! straight from the CSV. Without the shared data the tests fail under `CI=true` and elsewhere
//! print a `SKIPPED` line that the harness does not swallow.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, NaiveDate, Timelike, Utc};
use common::{Env, shared_data};
use serde_json::Value;

/// One row of the CSV, as the test reads it.
struct Answer {
    /// The study day's date: the day starts at 04:00 UTC (timezone UTC, rollover 4).
    date: NaiveDate,
    hour_utc: u32,
    rating: u8,
    duration_ms: i64,
}

fn read_log(path: &std::path::Path) -> Vec<Answer> {
    let mut reader = csv::Reader::from_path(path).expect("open the review log");
    let headers = reader.headers().expect("headers").clone();
    let column = |name: &str| headers.iter().position(|h| h == name).expect(name);
    let (rating, time, duration) = (
        column("review_rating"),
        column("review_time"),
        column("review_duration"),
    );
    reader
        .records()
        .map(|record| {
            let record = record.expect("a CSV row");
            let at: DateTime<Utc> = DateTime::parse_from_rfc3339(&record[time])
                .expect("an RFC 3339 time")
                .with_timezone(&Utc);
            Answer {
                date: (at - Duration::hours(4)).date_naive(),
                hour_utc: at.hour(),
                rating: record[rating].parse().expect("a rating"),
                duration_ms: record[duration].parse().expect("a duration"),
            }
        })
        .collect()
}

/// (current, longest) runs of consecutive dates, the current one ending today or yesterday.
fn runs(dates: &BTreeSet<NaiveDate>, today: NaiveDate) -> (i64, i64) {
    let (mut longest, mut run, mut previous) = (0, 0, None::<NaiveDate>);
    for &date in dates {
        run = match previous {
            Some(p) if date == p + Duration::days(1) => run + 1,
            _ => 1,
        };
        longest = longest.max(run);
        previous = Some(date);
    }
    let current = match previous {
        Some(last) if last == today || last + Duration::days(1) == today => run,
        _ => 0,
    };
    (current, longest)
}

fn json(env: &Env, args: &[&str]) -> Value {
    let mut all = vec!["stats", "--format", "json"];
    all.extend_from_slice(args);
    serde_json::from_str(&env.ok(&all)).expect("stats JSON")
}

fn imported_env(log: &std::path::Path) -> Env {
    let mut env = Env::new();
    env.ok(&["config", "set", "timezone", "UTC"]);
    let out = env.ok(&["import", "--revlog", log.to_str().unwrap()]);
    assert!(out.contains("12580 reviews"), "{out}");
    // The evening of the last day in the log, so today, the streak and the heatmap have data.
    env.now = "2024-10-06T23:00:00Z".to_string();
    env
}

#[test]
fn stats_of_the_py_fsrs_review_log_match_the_csv() {
    let Some(path) = shared_data(
        "stats_of_the_py_fsrs_review_log_match_the_csv",
        "revlog-py-fsrs.csv",
    ) else {
        return;
    };
    let log = read_log(&path);
    assert_eq!(log.len(), 12_580);
    let env = imported_env(&path);
    let stats = json(&env, &["--period", "all"]);

    // Answers per study day.
    let mut per_day: BTreeMap<String, u64> = BTreeMap::new();
    for a in &log {
        *per_day.entry(a.date.to_string()).or_default() += 1;
    }
    let daily: BTreeMap<String, u64> = stats["daily"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["date"].as_str().unwrap().to_string(),
                d["answers"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(daily, per_day);

    // Pass rate (rating > 1) per month of the study day, exactly.
    let mut months: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for a in &log {
        let month = months
            .entry(a.date.format("%Y-%m").to_string())
            .or_default();
        month.0 += 1;
        month.1 += u64::from(a.rating > 1);
    }
    let monthly = stats["retention"]["monthly"].as_array().unwrap();
    assert_eq!(monthly.len(), months.len());
    for row in monthly {
        let label = row["label"].as_str().unwrap();
        let (answers, passed) = months[label];
        assert_eq!(row["scored"].as_u64(), Some(answers), "{label}");
        assert_eq!(row["passed"].as_u64(), Some(passed), "{label}");
        assert_eq!(
            row["pass_rate"].as_f64(),
            Some(passed as f64 / answers as f64),
            "{label}"
        );
    }

    // Totals: answers, time, buttons by rating, answers by (UTC = local) hour.
    let totals = &stats["period_totals"];
    assert_eq!(totals["answers"].as_u64(), Some(12_580));
    assert_eq!(totals["scored"].as_u64(), Some(12_580));
    assert_eq!(
        totals["time_ms"].as_i64(),
        Some(log.iter().map(|a| a.duration_ms).sum())
    );
    let by_rating = |r: u8| log.iter().filter(|a| a.rating == r).count() as u64;
    for (field, rating) in [("again", 1), ("hard", 2), ("good", 3), ("easy", 4)] {
        let sum: u64 = stats["buttons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b[field].as_u64().unwrap())
            .sum();
        assert_eq!(sum, by_rating(rating), "{field}");
    }
    let hours: Vec<u64> = stats["hours"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["answers"].as_u64().unwrap())
        .collect();
    let expected: Vec<u64> = (0..24)
        .map(|h| log.iter().filter(|a| a.hour_utc == h).count() as u64)
        .collect();
    assert_eq!(hours, expected);

    // Today, the streak and the heatmap.
    let today = NaiveDate::from_ymd_opt(2024, 10, 6).unwrap();
    assert_eq!(stats["today"]["date"], "2024-10-06");
    assert_eq!(
        stats["today"]["answers"].as_u64(),
        Some(per_day[&today.to_string()])
    );
    let dates: BTreeSet<NaiveDate> = log.iter().map(|a| a.date).collect();
    let (current, longest) = runs(&dates, today);
    assert_eq!(stats["streak"]["current_days"].as_i64(), Some(current));
    assert_eq!(stats["streak"]["longest_days"].as_i64(), Some(longest));
    assert_eq!(
        stats["streak"]["active_days"].as_u64(),
        Some(dates.len() as u64)
    );
    let heat: BTreeMap<String, u64> = stats["heatmap"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["answers"].as_u64() != Some(0))
        .map(|d| {
            (
                d["date"].as_str().unwrap().to_string(),
                d["answers"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(heat, per_day);

    // Every card of the log is one card here; the cards add up.
    let cards = &stats["cards"];
    let parts: u64 = ["new", "learning", "young", "mature", "suspended"]
        .iter()
        .map(|k| cards[k].as_u64().unwrap())
        .sum();
    assert_eq!(Some(parts), cards["total"].as_u64());
}

#[test]
fn the_deck_filter_csv_export_and_report_agree_on_the_real_log() {
    let Some(path) = shared_data(
        "the_deck_filter_csv_export_and_report_agree_on_the_real_log",
        "revlog-py-fsrs.csv",
    ) else {
        return;
    };
    let env = imported_env(&path);
    let all = json(&env, &["--period", "all"]);
    let deck = json(&env, &["--period", "all", "--deck", "Imported review log"]);
    assert_eq!(deck["daily"], all["daily"]);
    assert_eq!(deck["retention"], all["retention"]);
    assert_eq!(deck["scope"]["deck"], "Imported review log");
    // The built-in decks were never studied.
    let builtin = json(&env, &["--period", "all", "--deck", "ML"]);
    assert_eq!(builtin["period_totals"]["answers"].as_u64(), Some(0));
    assert!(builtin["daily"].as_array().unwrap().is_empty());

    let csv_text = env.ok(&[
        "stats",
        "--period",
        "all",
        "--format",
        "csv",
        "--table",
        "retention_monthly",
    ]);
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let monthly = all["retention"]["monthly"].as_array().unwrap();
    assert_eq!(rows.len(), monthly.len());
    for (row, json_row) in rows.iter().zip(monthly) {
        assert_eq!(&row[0], json_row["label"].as_str().unwrap());
        assert_eq!(row[3].parse::<u64>().ok(), json_row["scored"].as_u64());
        assert_eq!(row[5].parse::<f64>().ok(), json_row["pass_rate"].as_f64());
    }

    let text = env.ok(&["stats", "--period", "all"]);
    assert!(text.contains("12,580 answers"), "{text}");
    let report = env.path("report.html");
    env.ok(&["report", "-o", report.to_str().unwrap()]);
    let page = std::fs::read_to_string(&report).unwrap();
    assert!(page.contains("<h2>True retention over time</h2>"));
    assert!(page.contains("2024-03"), "the first month is in the report");
}
