use super::*;
use crate::memory::fit::fit_items;
use crate::memory::items::items;
use crate::memory::metrics;
use crate::memory::testdata;

fn answer(card_id: i64, day: i64, rating: u8, was_new: bool) -> Answer {
    Answer {
        card_id,
        reviewed_at_ms: day * 86_400_000 + 36_000_000,
        day,
        rating,
        duration_ms: 4_000,
        was_new,
    }
}

#[test]
fn sm2_predicts_ninety_percent_at_the_interval_it_scheduled() {
    // Good when new: SM-2 schedules 1 day; answered 2 days later: 0.9^(2/1) = 0.81.
    // Good again: 6 days; answered 6 days later (Again): 0.9^(6/6) = 0.9.
    // After Again the card is due the next day: answered 3 days later: 0.9^3 = 0.729.
    let log = [
        answer(1, 0, 3, true),
        answer(1, 2, 3, false),
        answer(1, 8, 1, false),
        answer(1, 11, 3, false),
    ];
    let h = histories(&log).expect("valid");
    let p = interval_predictions(&h, SchedulerKind::Sm2, &Settings::default()).expect("replays");
    let expected = [0.0, 0.81, 0.9, 0.729];
    for (got, want) in p[0].iter().zip(expected) {
        assert!((got - want).abs() < 1e-12, "{:?}", p[0]);
    }
}

#[test]
fn anki_counts_a_learning_step_as_one_day() {
    // Again when new: a 1-minute step (due the same day), answered the next day: I = 1, t = 1.
    // Then Good on the second step (10m): still learning, answered 2 days later: 0.9^2.
    let log = [
        answer(5, 0, 1, true),
        answer(5, 1, 3, false),
        answer(5, 3, 3, false),
    ];
    let h = histories(&log).expect("valid");
    let p = interval_predictions(&h, SchedulerKind::Anki, &Settings::default()).expect("replays");
    assert!((p[0][1] - 0.9).abs() < 1e-12, "{:?}", p[0]);
    assert!((p[0][2] - 0.81).abs() < 1e-12, "{:?}", p[0]);
}

#[test]
fn fsrs_prediction_by_hand_from_the_default_parameters() {
    // Good when new: S = w[2] = 2.3065; 2 days later R = (1 + f * 2 / S)^-decay with
    // decay = w[20] = 0.1542 and f = 0.9^(-1/decay) - 1 (R = 0.9 when t = S).
    let log = [answer(3, 0, 3, true), answer(3, 2, 3, false)];
    let h = histories(&log).expect("valid");
    let p = fsrs_predictions(&h, &DEFAULT_PARAMETERS).expect("valid parameters");
    let decay = 0.1542f64;
    let f = 0.9f64.powf(-1.0 / decay) - 1.0;
    let by_hand = (1.0 + f * 2.0 / 2.3065).powf(-decay);
    assert!((p[0][1] - by_hand).abs() < 1e-5, "{} vs {by_hand}", p[0][1]);
}

#[test]
fn fsrs_default_scores_match_the_crates_own_evaluate() {
    let log = testdata::synthetic(400, 7, 11);
    let h = histories(&log).expect("valid");
    let all = items(&log).expect("valid");
    let crate_eval = FSRS::default()
        .evaluate(all.items.clone(), |_| true)
        .expect("evaluates");
    // The crate weights item i of n by 0.25 + 0.75 (i / (n - 1))^3; ours takes the weights.
    let scored = scored_answers(&h);
    assert_eq!(scored.len(), all.items.len());
    let table = fsrs_predictions(&h, &DEFAULT_PARAMETERS).expect("valid");
    let p: Vec<f64> = scored.iter().map(|s| table[s.history][s.index]).collect();
    let y: Vec<bool> = scored.iter().map(|s| s.remembered).collect();
    let bins: Vec<_> = scored.iter().map(|s| s.bin).collect();
    let n = p.len() as f64;
    let w: Vec<f64> = (0..p.len())
        .map(|i| 0.25 + 0.75 * (i as f64 / (n - 1.0)).powi(3))
        .collect();
    let ours_loss = metrics::log_loss(&p, &y, Some(&w));
    let ours_rmse = metrics::rmse_bins(&p, &y, &bins, Some(&w));
    assert!(
        (ours_loss - f64::from(crate_eval.log_loss)).abs() < 1e-4,
        "{ours_loss} vs {}",
        crate_eval.log_loss
    );
    assert!(
        (ours_rmse - f64::from(crate_eval.rmse_bins)).abs() < 1e-4,
        "{ours_rmse} vs {}",
        crate_eval.rmse_bins
    );
}

#[test]
fn every_model_is_scored_on_the_same_later_segments() {
    let log = testdata::synthetic(150, 6, 5);
    let e = evaluate(&log, &Settings::default(), 2, &mut |_| true).expect("enough");
    assert_eq!(e.reviews, 150 * 5);
    let names: Vec<_> = e.models.iter().map(|m| m.name).collect();
    assert_eq!(names, ["fsrs (default)", "fsrs (fitted)", "sm2", "anki"]);
    // 750 items, 3 segments of 250: segments 1 and 2 are predicted.
    assert!(e.models.iter().all(|m| m.predictions == 500));
    let sources: Vec<_> = e.models.iter().map(|m| m.parameters.as_json()).collect();
    assert_eq!(sources, [Some("default"), Some("fitted"), None, None]);
    for m in &e.models {
        assert!(m.log_loss.is_finite() && m.rmse_bins.is_finite(), "{m:?}");
        assert!(m.auc.is_some_and(|a| (0.0..=1.0).contains(&a)), "{m:?}");
    }
}

#[test]
fn fitted_predictions_of_a_segment_come_from_parameters_fitted_before_it() {
    // One split: segment 0 trains, segment 1 is predicted by what segment 0 gave.
    let log = testdata::synthetic(200, 6, 9);
    let e = evaluate(&log, &Settings::default(), 1, &mut |_| true).expect("enough");
    let h = histories(&log).expect("valid");
    let all = items_of(&h);
    let half = all.items.len() / 2;
    let train = Items {
        items: all.items[..half].to_vec(),
        card_ids: all.card_ids[..half].to_vec(),
        at_ms: all.at_ms[..half].to_vec(),
        answers_used: 0,
        cards: 0,
    };
    let parameters = fit_items(&train, &CombinedProgressState::new_shared())
        .expect("fits")
        .parameters;
    let table = fsrs_predictions(&h, &parameters).expect("valid");
    let scored = scored_answers(&h);
    let p: Vec<f64> = scored[half..]
        .iter()
        .map(|s| table[s.history][s.index])
        .collect();
    let y: Vec<bool> = scored[half..].iter().map(|s| s.remembered).collect();
    let fitted = &e.models[1];
    assert_eq!(fitted.predictions, p.len());
    assert!((fitted.log_loss - metrics::log_loss(&p, &y, None)).abs() < 1e-12);
}

#[test]
fn too_few_answers_for_the_splits_is_too_little_history() {
    let log = [answer(1, 0, 3, true), answer(1, 3, 3, false)];
    let err = evaluate(&log, &Settings::default(), 5, &mut |_| true).expect_err("1 item");
    assert_eq!(err, MemoryError::TooLittleHistory { have: 1, needed: 6 });
    let err = evaluate(&log, &Settings::default(), 0, &mut |_| true).expect_err("0 splits");
    assert!(matches!(err, MemoryError::BadSetting(_)));
}

#[test]
fn a_small_past_is_predicted_with_what_it_gives() {
    // 3 splits of 8 items: segment 0 is far too small to train on; it still evaluates.
    let log = testdata::synthetic(8, 5, 2);
    let e = evaluate(&log, &Settings::default(), 3, &mut |_| true).expect("evaluates");
    assert_eq!(e.reviews, 32);
    assert!(e.models.iter().all(|m| m.predictions == 24));
    assert!(e.models.iter().all(|m| m.log_loss.is_finite()));
}

#[test]
fn the_json_has_the_issues_keys() {
    let e = Evaluation {
        reviews: 10,
        models: vec![ModelScore {
            name: "sm2",
            scheduler: SchedulerKind::Sm2,
            parameters: ParameterSource::None,
            log_loss: 0.5,
            rmse_bins: 0.25,
            auc: None,
            predictions: 8,
        }],
    };
    assert_eq!(
        e.to_json().to_string(),
        r#"{"models":[{"auc":null,"log_loss":0.5,"name":"sm2","parameters":null,"predictions":8,"rmse_bins":0.25,"scheduler":"sm2"}],"reviews":10}"#
    );
}
