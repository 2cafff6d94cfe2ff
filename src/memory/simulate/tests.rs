use super::*;
use crate::memory::testdata;
use crate::scheduler::FsrsParameters;
use fsrs::DEFAULT_PARAMETERS;

fn config(days: usize, new_per_day: usize, new_cards: usize) -> SimulateConfig {
    SimulateConfig {
        days,
        new_per_day,
        new_cards,
        retentions: vec![0.8, 0.9],
        today: 2_000,
        settings: Settings::default(),
        seed: 42,
    }
}

#[test]
fn runs_come_sm2_anki_then_fsrs_by_retention_with_one_entry_a_day() {
    let log = testdata::synthetic(200, 6, 3);
    let sim = simulate(&log, &DEFAULT_PARAMETERS, &config(60, 5, 100)).expect("runs");
    assert_eq!(sim.days, 60);
    let labels: Vec<_> = sim
        .runs
        .iter()
        .map(|r| (r.scheduler.name(), r.desired_retention))
        .collect();
    assert_eq!(
        labels,
        [
            ("sm2", None),
            ("anki", None),
            ("fsrs", Some(0.8)),
            ("fsrs", Some(0.9))
        ]
    );
    for run in &sim.runs {
        assert_eq!(run.per_day.len(), 60);
        assert_eq!(
            run.reviews,
            run.per_day.iter().map(|d| d.reviews).sum::<usize>()
        );
        assert!(run.minutes > 0.0 && run.memorized > 0.0, "{run:?}");
        // 200 cards with a history and 100 new ones: at most 300 remembered.
        assert!(run.memorized <= 300.0, "{run:?}");
    }
    let best = sim
        .runs
        .iter()
        .filter(|r| r.desired_retention.is_some())
        .min_by(|a, b| {
            a.minutes_per_memorized()
                .total_cmp(&b.minutes_per_memorized())
        })
        .and_then(|r| r.desired_retention);
    assert_eq!(sim.best_retention, best);
}

#[test]
fn the_same_seed_gives_the_same_runs() {
    let log = testdata::synthetic(50, 5, 8);
    let a = simulate(&log, &DEFAULT_PARAMETERS, &config(30, 3, 20)).expect("runs");
    let b = simulate(&log, &DEFAULT_PARAMETERS, &config(30, 3, 20)).expect("runs");
    assert_eq!(a, b);
}

#[test]
fn our_day_loop_and_the_crates_simulator_agree_on_the_memory_model() {
    // The same FSRS scheduling through both: jargon's fsrs scheduler in our loop, and the
    // crate's simulator. Same model, same draws' distributions: reviews within 10% (jargon's fsrs
    // keeps Anki's interval rules and steps), memorized cards within 2%.
    let log = testdata::synthetic(300, 6, 21);
    let histories = histories(&log).expect("valid");
    let model = FSRS::new(&DEFAULT_PARAMETERS).expect("valid");
    let w = DEFAULT_PARAMETERS.to_vec();
    let costs = Costs::from_histories(&histories);
    let mut cfg = config(120, 10, 500);
    cfg.settings.fsrs_parameters = FsrsParameters::new(&w).expect("valid");
    cfg.settings.desired_retention_permyriad = 9000;
    let settings = Settings {
        fuzz: false,
        ..cfg.settings
    };
    let existing: Vec<Existing<'_>> = histories
        .iter()
        .map(|h| {
            let states = model
                .historical_memory_states(
                    fsrs::FSRSItem {
                        reviews: h.reviews(),
                    },
                    None,
                )
                .expect("valid");
            Existing {
                history: h,
                memory: *states.last().expect("answers"),
                last_day: (h.answers.last().expect("answers").day - cfg.today).min(0),
                lapses: 0,
            }
        })
        .collect();
    let ours = day_loop(
        SchedulerKind::Fsrs,
        &model,
        &w,
        &existing,
        500,
        &costs,
        &settings,
        &cfg,
    )
    .expect("runs");
    let theirs = crate_run(&w, 0.9, &existing, 500, &costs, &settings, &cfg).expect("runs");
    let ratio = |a: f64, b: f64| (a / b - 1.0).abs();
    assert!(
        ratio(ours.reviews as f64, theirs.reviews as f64) < 0.10,
        "reviews {} vs {}",
        ours.reviews,
        theirs.reviews
    );
    assert!(
        ratio(ours.memorized, theirs.memorized) < 0.02,
        "memorized {} vs {}",
        ours.memorized,
        theirs.memorized
    );
}

#[test]
fn answer_times_are_the_learners_medians_and_shares() {
    let mut log = Vec::new();
    for card in 0..6 {
        let at = |day: i64, rating: u8, ms: i64, was_new: bool| Answer {
            card_id: card,
            reviewed_at_ms: day * 86_400_000 + card,
            day,
            rating,
            duration_ms: ms,
            was_new,
        };
        log.push(at(0, 3, 8_000 + card * 1_000, true));
        // A lapse on day 3 and its relearning step the same day (after it).
        log.push(at(3, 1, 120_000, false));
        let mut step = at(3, 3, 2_000, false);
        step.reviewed_at_ms += 600_000;
        log.push(step);
    }
    let costs = Costs::from_histories(&histories(&log).expect("valid"));
    // First answers Good: 8..13 s, median (index 3 of 6) 11 s.
    assert_eq!(costs.seconds[LEARNING][2], 11.0);
    // Reviews Again: 120 s capped at 60 s.
    assert_eq!(costs.seconds[REVIEW][0], 60.0);
    assert_eq!(costs.seconds[RELEARNING][2], 2.0);
    // Too few samples: the crate's default.
    assert_eq!(
        costs.seconds[REVIEW][3],
        SimulatorConfig::default().state_rating_costs[REVIEW][3]
    );
    assert_eq!(costs.first_rating_prob, [0.0, 0.0, 1.0, 0.0]);
    // No remembered review: the crate's default shares.
    assert_eq!(
        costs.review_rating_prob,
        SimulatorConfig::default().review_rating_prob
    );
}

#[test]
fn bad_settings_are_refused() {
    let log = testdata::synthetic(5, 3, 1);
    let mut cfg = config(0, 1, 1);
    assert!(matches!(
        simulate(&log, &DEFAULT_PARAMETERS, &cfg),
        Err(MemoryError::BadSetting(_))
    ));
    cfg.days = 10;
    cfg.retentions = vec![0.99];
    assert!(matches!(
        simulate(&log, &DEFAULT_PARAMETERS, &cfg),
        Err(MemoryError::BadSetting(_))
    ));
    let err = simulate(&[], &DEFAULT_PARAMETERS, &config(10, 0, 0)).expect_err("no cards");
    assert!(err.to_string().contains("nothing to simulate"), "{err}");
}

#[test]
fn the_json_has_the_issues_keys() {
    let sim = Simulation {
        days: 2,
        runs: vec![
            summarise(
                SchedulerKind::Sm2,
                None,
                vec![
                    Day {
                        reviews: 3,
                        minutes: 1.5,
                        memorized: 2.0
                    };
                    2
                ],
            ),
            summarise(
                SchedulerKind::Fsrs,
                Some(0.75),
                vec![
                    Day {
                        reviews: 1,
                        minutes: 0.5,
                        memorized: 1.0
                    };
                    2
                ],
            ),
        ],
        best_retention: Some(0.75),
    };
    assert_eq!(
        sim.to_json().to_string(),
        r#"{"days":2,"runs":[{"desired_retention":null,"memorized":2.0,"minutes":3.0,"reviews":6,"scheduler":"sm2"},{"desired_retention":0.75,"memorized":1.0,"minutes":1.0,"reviews":2,"scheduler":"fsrs"}]}"#
    );
}
