//! `jargon stats` and `jargon report` through the real binary: odd inputs, the exports, and
//! the counting rules end to end (cram answers never count, re-drills are activity only).

use crate::common;

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

/// The CSV tables of docs/stats.md and their header rows: `(table, header)` for each table a
/// row of the "CSV" section names.
fn csv_headers_in_docs() -> Vec<(String, String)> {
    let docs = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/stats.md"),
    )
    .unwrap();
    let (_, section) = docs.split_once("## CSV").expect("a CSV section");
    let section = section.split("\n## ").next().unwrap();
    let mut tables = vec![];
    for row in section.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = row.split(" | ").collect();
        let header = cells[1].split('`').nth(1).expect("a header in backticks");
        for name in cells[0].trim_start_matches("| ").split(", ") {
            tables.push((name.trim_matches('`').to_string(), header.to_string()));
        }
    }
    assert_eq!(tables.len(), 14, "{tables:?}");
    tables
}

#[test]
fn csv_tables_go_to_stdout_or_one_file_each() {
    let env = with_deck();
    env.run_with_input(&["review", "--deck", "Test", "--new", "2"], "g\ng\n");
    let out = env.ok(&["stats", "--format", "csv", "--table", "cards"]);
    // The header and the first column are the table's contract (docs/stats.md).
    let categories: Vec<&str> = out
        .lines()
        .map(|line| line.split_once(',').map_or(line, |(first, _)| first))
        .collect();
    assert_eq!(
        categories,
        [
            "category",
            "new",
            "learning",
            "young",
            "mature",
            "suspended",
            "total",
            "relearning",
            "leeches"
        ],
        "{out}"
    );
    let dir = env.path("tables");
    let out = env.ok(&["stats", "--format", "csv", "-o", dir.to_str().unwrap()]);
    assert_eq!(
        out,
        format!(
            "Wrote 14 tables to {} (one NAME.csv each).\n",
            dir.display()
        )
    );
    // Every table's header row is the one docs/stats.md gives it, and no table is missing.
    let documented = csv_headers_in_docs();
    let mut written: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    let mut expected: Vec<String> = documented.iter().map(|(t, _)| format!("{t}.csv")).collect();
    expected.sort();
    assert_eq!(written, expected);
    for (table, header) in &documented {
        let csv = std::fs::read_to_string(dir.join(format!("{table}.csv"))).unwrap();
        assert_eq!(csv.lines().next(), Some(header.as_str()), "{table}.csv");
    }
    let daily = std::fs::read_to_string(dir.join("daily.csv")).unwrap();
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

/// Problems of `value` against the subset of JSON Schema that `docs/stats.schema.json` uses
/// (`type`, `const`, `enum`, `required`, `properties`, `items`, `minItems`, `maxItems`,
/// `minimum`, `maximum`, `pattern` as a date shape). A validator crate (`jsonschema`) would
/// bring a regex engine, an HTTP client's worth of optional features and dozens of crates to
/// every test build for these few keywords; this checker refuses any keyword it does not know,
/// so the schema cannot say more than is checked.
pub(crate) fn schema_problems(schema: &Value, value: &Value, at: &str, problems: &mut Vec<String>) {
    let Some(schema) = schema.as_object() else {
        panic!("{at}: a schema is an object")
    };
    for (keyword, rule) in schema {
        match keyword.as_str() {
            "$schema" | "$id" | "title" | "description" => {}
            "type" => {
                let names: Vec<&str> = match rule {
                    Value::String(name) => vec![name],
                    Value::Array(names) => names.iter().map(|n| n.as_str().unwrap()).collect(),
                    _ => panic!("{at}: type"),
                };
                let fits = |name: &str| match name {
                    "object" => value.is_object(),
                    "array" => value.is_array(),
                    "string" => value.is_string(),
                    "boolean" => value.is_boolean(),
                    "null" => value.is_null(),
                    "number" => value.is_number(),
                    "integer" => value.is_i64() || value.is_u64(),
                    other => panic!("{at}: unknown type {other}"),
                };
                if !names.iter().any(|n| fits(n)) {
                    problems.push(format!("{at}: {value} is not {names:?}"));
                }
            }
            "const" if value != rule => problems.push(format!("{at}: {value} is not {rule}")),
            "enum" if !rule.as_array().unwrap().contains(value) => {
                problems.push(format!("{at}: {value} is not one of {rule}"))
            }
            "const" | "enum" => {}
            "required" => {
                for name in rule.as_array().unwrap() {
                    let name = name.as_str().unwrap();
                    if value.is_object() && value.get(name).is_none() {
                        problems.push(format!("{at}: no field `{name}`"));
                    }
                }
            }
            "properties" => {
                for (name, inner) in rule.as_object().unwrap() {
                    if let Some(field) = value.get(name) {
                        schema_problems(inner, field, &format!("{at}.{name}"), problems);
                    }
                }
            }
            "items" => {
                for (i, item) in value.as_array().into_iter().flatten().enumerate() {
                    schema_problems(rule, item, &format!("{at}[{i}]"), problems);
                }
            }
            "minItems" | "maxItems" => {
                if let Some(items) = value.as_array() {
                    let bound = rule.as_u64().unwrap() as usize;
                    let ok = if keyword == "minItems" {
                        items.len() >= bound
                    } else {
                        items.len() <= bound
                    };
                    if !ok {
                        problems.push(format!("{at}: {} items, {keyword} {bound}", items.len()));
                    }
                }
            }
            "minimum" | "maximum" => {
                if let Some(number) = value.as_f64() {
                    let bound = rule.as_f64().unwrap();
                    if (keyword == "minimum" && number < bound)
                        || (keyword == "maximum" && number > bound)
                    {
                        problems.push(format!("{at}: {number} is past {keyword} {bound}"));
                    }
                }
            }
            "pattern" => {
                assert_eq!(
                    rule, "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
                    "{at}: only the date pattern"
                );
                if let Some(text) = value.as_str() {
                    let ok = text.len() == 10
                        && text.char_indices().all(|(i, c)| {
                            if i == 4 || i == 7 {
                                c == '-'
                            } else {
                                c.is_ascii_digit()
                            }
                        });
                    if !ok {
                        problems.push(format!("{at}: {text} is not a date"));
                    }
                }
            }
            other => panic!("{at}: the checker does not know the keyword {other}"),
        }
    }
}

#[test]
fn the_stats_json_matches_the_schema_in_docs() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/docs/stats.schema.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let env = with_deck();
    let out = env.run_with_input(&["review", "--deck", "Test"], "g\na\n:quit\n");
    assert!(out.status.success(), "{}", text(&out).1);
    for args in [&["--period", "all"][..], &["--deck", "Test"][..], &[][..]] {
        let json = stats_json(&env, args);
        assert!(json["period_totals"]["answers"].as_u64() > Some(0) || args.is_empty());
        let mut problems = vec![];
        schema_problems(&schema, &json, "$", &mut problems);
        assert!(problems.is_empty(), "{args:?}: {problems:#?}");
        // A renamed field fails.
        let mut renamed = json.clone();
        let streak = renamed["streak"].as_object_mut().unwrap();
        let days = streak.remove("current_days").unwrap();
        streak.insert("current".into(), days);
        let mut problems = vec![];
        schema_problems(&schema, &renamed, "$", &mut problems);
        assert_eq!(problems, ["$.streak: no field `current_days`"]);
    }
}

#[test]
fn the_gather_engine_called_as_a_library_gives_what_the_binary_prints() {
    use jargon::stats::compute::Period;
    let env = with_deck();
    env.run_with_input(&["review", "--deck", "Test"], "a\ng\ng\ng\ng\ng\n");
    let collection = jargon::store::Collection::open(&env.db).unwrap();
    let now = env.now.parse().unwrap();
    let zone = jargon::clock::Zone::parse("UTC").unwrap();
    let clock = jargon::clock::Clock::new(now, zone, 4);
    for (period, name) in [(Period::All, "all"), (Period::Week, "week")] {
        for deck in [None, Some("Test")] {
            let stats = jargon::stats::gather::gather(&collection, deck, period, clock).unwrap();
            assert!(stats_answers(&stats) > 0, "{name} {deck:?}");
            let mut args = vec!["--period", name];
            args.extend(deck.map(|d| ["--deck", d]).into_iter().flatten());
            let mut all = vec!["stats", "--format", "json"];
            all.extend_from_slice(&args);
            assert_eq!(
                jargon::stats::json::render(&stats).unwrap(),
                env.ok(&all),
                "{name} {deck:?}"
            );
        }
    }
}

fn stats_answers(stats: &jargon::stats::compute::Stats) -> u64 {
    let json: Value = serde_json::from_str(&jargon::stats::json::render(stats).unwrap()).unwrap();
    json["period_totals"]["answers"].as_u64().unwrap()
}
