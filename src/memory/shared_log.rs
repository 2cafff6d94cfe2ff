//! The figures of issue 19 on the shared log `../shared/data/revlog-py-fsrs.csv` (12,580
//! reviews, 1,205 cards): skipped visibly when the file is absent, failed under `CI=true`.
//! `cargo test --release --lib memory::shared_log -- --nocapture` prints them.

use std::io::Write;

use super::simulate::{DEFAULT_RETENTIONS, SimulateConfig};
use super::testdata::revlog_py_fsrs;
use super::{evaluate, fit, simulate};
use crate::scheduler::{SchedulerKind, Settings};

fn say(line: String) {
    let _ = std::io::stderr().write_all(format!("{line}\n").as_bytes());
}

#[test]
fn the_issues_figures_on_the_shared_log() {
    let Some(answers) = revlog_py_fsrs("memory::shared_log::the_issues_figures_on_the_shared_log")
    else {
        return;
    };
    assert_eq!(answers.len(), 12_580);

    let fitted = fit(&answers, &mut |_| true).expect("enough history");
    say(format!(
        "fit: {} items from {} answers on {} cards; kept default: {}; in-sample log loss default {:.4} fitted {:.4}, RMSE(bins) default {:.4} fitted {:.4}",
        fitted.reviews,
        fitted.answers,
        fitted.cards,
        fitted.kept_default,
        fitted.default_metrics.log_loss,
        fitted.fitted_metrics.log_loss,
        fitted.default_metrics.rmse_bins,
        fitted.fitted_metrics.rmse_bins,
    ));
    say(format!("parameters: {:?}", fitted.parameters));
    // 31 of the 1,205 cards were never answered on a later day than their first: no item.
    assert_eq!(fitted.cards, 1_174);
    assert_eq!(fitted.reviews, 6_276);

    let e = evaluate(&answers, &Settings::default(), 5, &mut |_| true).expect("evaluates");
    for m in &e.models {
        say(format!(
            "evaluate {:<15} log loss {:.4}  RMSE(bins) {:.4}  AUC {:?}  predictions {}",
            m.name, m.log_loss, m.rmse_bins, m.auc, m.predictions
        ));
    }
    let loss = |name: &str| {
        e.models
            .iter()
            .find(|m| m.name == name)
            .map(|m| m.log_loss)
            .expect("every row")
    };
    assert!(loss("fsrs (fitted)") <= loss("fsrs (default)"));
    assert!(loss("sm2") > loss("fsrs (default)") + 0.1);

    let last_day = answers.iter().map(|a| a.day).max().expect("answers");
    // The learner's own cards alone, then with 10 new cards a day on top.
    for (new_per_day, new_cards) in [(0, 0), (10, 3_650)] {
        let config = SimulateConfig {
            days: 365,
            new_per_day,
            new_cards,
            retentions: DEFAULT_RETENTIONS.to_vec(),
            today: last_day + 1,
            settings: Settings::default(),
            seed: 42,
        };
        let fewer = fewer_reviews_than_sm2(&answers, &fitted.parameters, &config);
        assert!(fewer >= 0.25, "{fewer}");
    }
}

/// How many fewer reviews per remembered card fsrs at its best retention needs than sm2.
fn fewer_reviews_than_sm2(
    answers: &[super::Answer],
    parameters: &[f32],
    config: &SimulateConfig,
) -> f64 {
    say(format!(
        "simulate {} days, {} new cards a day",
        config.days, config.new_per_day
    ));
    let sim = simulate(answers, parameters, config).expect("simulates");
    for r in &sim.runs {
        say(format!(
            "simulate {:<5} {:?}: reviews {} minutes {:.0} memorized {:.1} reviews/memorized {:.3} minutes/memorized {:.3}",
            r.scheduler.name(),
            r.desired_retention,
            r.reviews,
            r.minutes,
            r.memorized,
            r.reviews_per_memorized(),
            r.minutes_per_memorized()
        ));
    }
    let best = sim
        .runs
        .iter()
        .find(|r| r.desired_retention.is_some() && r.desired_retention == sim.best_retention)
        .expect("a best run");
    let sm2 = sim
        .runs
        .iter()
        .find(|r| r.scheduler == SchedulerKind::Sm2)
        .expect("an sm2 run");
    let fewer = 1.0 - best.reviews_per_memorized() / sm2.reviews_per_memorized();
    say(format!(
        "fsrs at its best retention {:?} needs {:.1}% fewer reviews per remembered card than sm2",
        sim.best_retention,
        fewer * 100.0
    ));
    fewer
}
