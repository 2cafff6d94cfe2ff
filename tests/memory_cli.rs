//! `optimize`, `evaluate` and `simulate` through the binary, on the shared real log
//! (`../shared/data/revlog-py-fsrs.csv`: 12,580 answers on 1,205 cards) imported with
//! `import --revlog`, and on too little history. The scoring itself is checked against the
//! `fsrs` crate and hand-computed cases in `src/memory/`.

use crate::common::{Env, shared_data};

fn with_real_log(test: &str) -> Option<Env> {
    let log = shared_data(test, "revlog-py-fsrs.csv")?;
    let mut env = Env::new();
    env.now = "2024-12-01T12:00:00Z".to_string();
    let out = env.ok(&["import", "--revlog", log.to_str().unwrap()]);
    assert!(out.contains("12580 reviews added"), "{out}");
    Some(env)
}

fn config_value(env: &Env, key: &str) -> Option<String> {
    env.sql::<Option<String>>(&format!(
        "SELECT (SELECT value FROM config WHERE key = '{key}')"
    ))
}

#[test]
fn optimize_fits_keeps_and_resets_the_parameters_and_a_dry_run_keeps_nothing() {
    let Some(env) = with_real_log("optimize_fits_keeps_and_resets") else {
        return;
    };
    let before = env.fingerprint();
    let dry = env.ok(&["optimize", "--dry-run"]);
    assert!(
        dry.contains("Fitted FSRS-6 to 6276 reviews of 1174 cards"),
        "{dry}"
    );
    assert!(dry.contains("dry run: nothing was kept."), "{dry}");
    assert_eq!(env.fingerprint(), before, "a dry run writes nothing");

    let out = env.ok(&["optimize"]);
    let losses: Vec<f64> = ["default", "fitted"]
        .iter()
        .map(|name| {
            let line = out
                .lines()
                .find(|l| l.trim_start().starts_with(name))
                .unwrap_or_else(|| panic!("no {name} line in {out}"));
            line.split_whitespace().nth(1).unwrap().parse().unwrap()
        })
        .collect();
    assert!(
        losses[1] <= losses[0],
        "fitted no worse than default: {out}"
    );
    assert!(out.contains("Kept: fsrs schedules with these"), "{out}");
    let stored = config_value(&env, "fsrs_parameters").expect("parameters kept");
    assert_eq!(stored.split_whitespace().count(), 21);
    let stamp = config_value(&env, "fsrs_fitted").expect("when and on what");
    assert_eq!(stamp, "2024-12-01: 6276 reviews of 1174 cards");
    let config = env.ok(&["config"]);
    assert!(config.contains("fsrs_fitted"), "{config}");

    // The kept parameters are the ones fsrs answers with from then on.
    env.ok(&["config", "set", "scheduler", "fsrs"]);
    let parameters: String = env.sql("SELECT value FROM config WHERE key = 'fsrs_parameters'");
    assert_eq!(parameters, stored);

    let out = env.ok(&["optimize", "--reset"]);
    assert!(out.contains("default parameters again"), "{out}");
    assert_eq!(config_value(&env, "fsrs_parameters"), None);
    assert_eq!(config_value(&env, "fsrs_fitted"), None);
}

#[test]
fn too_little_history_is_one_sentence_and_changes_nothing() {
    let env = Env::new();
    env.ok(&[]);
    let before = env.fingerprint();
    let err = env.fails(&["optimize"], 1);
    assert_eq!(
        err.trim(),
        "jargon: FSRS needs at least 64 reviews made a day or more after the card's previous answer; this log has 0; nothing was changed"
    );
    assert_eq!(env.fingerprint(), before);
}

#[test]
fn evaluate_scores_each_scheduler_on_the_learners_log_in_the_issues_json() {
    let Some(env) = with_real_log("evaluate_scores_each_scheduler") else {
        return;
    };
    let json: serde_json::Value =
        serde_json::from_str(&env.ok(&["evaluate", "--format", "json"])).unwrap();
    assert_eq!(json["reviews"], 6276);
    let models = json["models"].as_array().unwrap();
    let names: Vec<(&str, &str, serde_json::Value)> = models
        .iter()
        .map(|m| {
            (
                m["name"].as_str().unwrap(),
                m["scheduler"].as_str().unwrap(),
                m["parameters"].clone(),
            )
        })
        .collect();
    assert_eq!(
        names,
        vec![
            ("fsrs (default)", "fsrs", serde_json::json!("default")),
            ("fsrs (fitted)", "fsrs", serde_json::json!("fitted")),
            ("sm2", "sm2", serde_json::Value::Null),
            ("anki", "anki", serde_json::Value::Null),
        ]
    );
    let loss = |i: usize| models[i]["log_loss"].as_f64().unwrap();
    assert!(loss(1) <= loss(0), "fitted at least as good as the default");
    assert!(loss(2) > loss(0) + 0.1, "sm2 clearly worse");
    for m in models {
        assert_eq!(m["predictions"], models[0]["predictions"]);
        assert!(m["predictions"].as_u64().unwrap() > 5000);
        let auc = m["auc"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&auc));
        assert!(m["rmse_bins"].as_f64().unwrap() > 0.0);
    }
    let text = env.ok(&["evaluate"]);
    assert!(text.contains("fsrs (fitted)"), "{text}");
}

#[test]
fn simulate_plays_each_scheduler_and_finds_fsrs_cheaper_per_remembered_card() {
    let Some(env) = with_real_log("simulate_plays_each_scheduler") else {
        return;
    };
    env.ok(&["optimize"]);
    let json: serde_json::Value = serde_json::from_str(&env.ok(&[
        "simulate",
        "--days",
        "365",
        "--new-per-day",
        "0",
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(json["days"], 365);
    let runs = json["runs"].as_array().unwrap();
    let per_remembered =
        |r: &serde_json::Value| r["reviews"].as_f64().unwrap() / r["memorized"].as_f64().unwrap();
    let sm2 = runs.iter().find(|r| r["scheduler"] == "sm2").unwrap();
    assert_eq!(sm2["desired_retention"], serde_json::Value::Null);
    let retentions: Vec<f64> = runs
        .iter()
        .filter(|r| r["scheduler"] == "fsrs")
        .map(|r| r["desired_retention"].as_f64().unwrap())
        .collect();
    assert_eq!(retentions, vec![0.75, 0.8, 0.85, 0.9, 0.93, 0.95]);
    let best = runs
        .iter()
        .filter(|r| r["scheduler"] == "fsrs")
        .map(per_remembered)
        .fold(f64::INFINITY, f64::min);
    assert!(
        best <= 0.75 * per_remembered(sm2),
        "fsrs at its best needs at least 25% fewer reviews per remembered card: {best} vs {}",
        per_remembered(sm2)
    );
    let text = env.ok(&["simulate", "--days", "60", "--retention", "0.85"]);
    assert!(text.contains("Minutes a day:"), "{text}");
    assert!(text.contains("your fitted"), "{text}");
    let err = env.fails(&["simulate", "--retention", "0.5"], 2);
    assert!(err.contains("0.70 to 0.97"), "{err}");
}

#[test]
fn the_report_shows_your_memory_or_says_why_not() {
    let env = Env::new();
    let page = env.path("empty.html");
    env.ok(&["report", "-o", page.to_str().unwrap()]);
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        html.contains("<h2>Your memory</h2>"),
        "the section is always there"
    );
    assert!(html.contains("No answers yet"), "and says why it is empty");

    let Some(env) = with_real_log("the_report_shows_your_memory") else {
        return;
    };
    env.ok(&["optimize"]);
    let page = env.path("report.html");
    env.ok(&["report", "-o", page.to_str().unwrap()]);
    let html = std::fs::read_to_string(&page).unwrap();
    let memory = &html[html.find("<h2>Your memory</h2>").unwrap()..];
    for part in [
        "your fitted FSRS-6 parameters",
        "<h3>Forgetting curves</h3>",
        "first answer Good",
        "<h3>Calibration</h3>",
        "6276 answers a day or more after",
        "<h3>The next 180 days</h3>",
        "fsrs at 90%",
    ] {
        assert!(memory.contains(part), "{part}");
    }
    // One polyline per curve (4), the calibration (1) and each simulated run (3).
    let section_end = memory.find("</section>").unwrap();
    assert_eq!(memory[..section_end].matches("<polyline").count(), 8);
}
