//! FSRS-6 parameters fitted to the learner's answers (`jargon optimize`), with the `fsrs`
//! crate's `compute_parameters` and Anki's choices around it.
//!
//! - The items are [`super::items`]'s. Fewer than [`MIN_REVIEWS`] items is
//!   [`MemoryError::TooLittleHistory`]: below 64 the crate does not train at all (it returns
//!   the defaults under 8 items, and only the first four parameters, the initial
//!   stabilities, under 64), so there would be nothing fitted to keep.
//! - Training runs [`EPOCHS`] epochs (Anki's choice; the crate's default is 5), with the
//!   card ids so the crate walks each card once per batch, and short-term (same-day)
//!   parameters trained.
//! - As Anki does, the fitted parameters are kept only when their log loss on the same
//!   items (the crate's own `evaluate`, recent answers weighted more) is lower than the
//!   defaults'; otherwise the defaults are returned and [`Fitted::kept_default`] says so.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use fsrs::{
    CombinedProgressState, ComputeParametersInput, DEFAULT_PARAMETERS, FSRS, ModelEvaluation,
    TrainingConfig, compute_parameters,
};

use super::items::{Items, items};
use super::{Answer, MemoryError, Result};

/// The fewest items (answers a day or more after the card's previous one) fitting takes.
pub const MIN_REVIEWS: usize = 64;

/// Training epochs, as Anki's optimizer runs them.
pub const EPOCHS: usize = 8;

/// The outcome of a fit.
#[derive(Debug, Clone, PartialEq)]
pub struct Fitted {
    /// The 21 FSRS-6 parameters to use: fitted, or the defaults when fitting did not beat them.
    pub parameters: Vec<f32>,
    /// True when the fitted parameters were no better than the defaults (the defaults are
    /// then in `parameters`).
    pub kept_default: bool,
    /// Items trained on (reviews a day or more after the card's previous answer).
    pub reviews: usize,
    /// Answers in the histories used, same-day ones included.
    pub answers: usize,
    /// Cards used.
    pub cards: usize,
    /// The crate's evaluation of the default parameters on the same items.
    pub default_metrics: Metrics,
    /// The crate's evaluation of the fitted parameters (before the choice above).
    pub fitted_metrics: Metrics,
}

/// Log loss and RMSE(bins) as the crate's `evaluate` gives them (recent answers weighted
/// more; in-sample, so they describe the fit, not a prediction: `evaluate` does that).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Metrics {
    pub log_loss: f32,
    pub rmse_bins: f32,
}

impl From<ModelEvaluation> for Metrics {
    fn from(e: ModelEvaluation) -> Metrics {
        Metrics {
            log_loss: e.log_loss,
            rmse_bins: e.rmse_bins,
        }
    }
}

/// Fits FSRS-6 to `answers`. `progress` gets the fraction done (0 to 1) a few times a
/// second from this thread; returning false stops the fit ([`MemoryError::Interrupted`]).
pub fn fit(answers: &[Answer], progress: &mut dyn FnMut(f64) -> bool) -> Result<Fitted> {
    let items = items(answers)?;
    if items.items.len() < MIN_REVIEWS {
        return Err(MemoryError::TooLittleHistory {
            have: items.items.len(),
            needed: MIN_REVIEWS,
        });
    }
    let state = CombinedProgressState::new_shared();
    let fitted = std::thread::scope(|scope| {
        let worker = scope.spawn(|| fit_items(&items, &state));
        while !worker.is_finished() {
            std::thread::sleep(Duration::from_millis(50));
            if let Some(fraction) = fraction_done(&state)
                && !progress(fraction)
            {
                stop(&state);
            }
        }
        worker.join()
    });
    let fitted = match fitted {
        Ok(result) => result?,
        Err(_) => return Err(MemoryError::Fsrs("the training thread panicked".into())),
    };
    progress(1.0);
    Ok(fitted)
}

/// Trains on `items` and keeps the result only when it beats the defaults in-sample (no
/// threshold: the time-series split of `evaluate` fits each split through this). Blocking;
/// `state` is the crate's progress, which another thread may read or stop.
pub fn fit_items(items: &Items, state: &Arc<Mutex<CombinedProgressState>>) -> Result<Fitted> {
    let fitted = train(items, state)?;
    let default_metrics = evaluate_in_sample(&DEFAULT_PARAMETERS, items)?;
    let fitted_metrics = evaluate_in_sample(&fitted, items)?;
    let kept_default = default_metrics.log_loss <= fitted_metrics.log_loss;
    Ok(Fitted {
        parameters: if kept_default {
            DEFAULT_PARAMETERS.to_vec()
        } else {
            fitted
        },
        kept_default,
        reviews: items.items.len(),
        answers: items.answers_used,
        cards: items.cards,
        default_metrics,
        fitted_metrics,
    })
}

fn evaluate_in_sample(parameters: &[f32], items: &Items) -> Result<Metrics> {
    let model = FSRS::new(parameters)?;
    Ok(model
        .evaluate_with_card_ids(items.items.clone(), items.card_ids.clone(), |_| true)?
        .into())
}

/// The crate's training on `items`, as it comes.
fn train(items: &Items, state: &Arc<Mutex<CombinedProgressState>>) -> Result<Vec<f32>> {
    let input = ComputeParametersInput {
        train_set: items.items.clone(),
        card_ids: Some(items.card_ids.clone()),
        progress: Some(Arc::clone(state)),
        enable_short_term: true,
        num_relearning_steps: None,
        training_config: Some(TrainingConfig {
            num_epochs: EPOCHS,
            ..TrainingConfig::default()
        }),
    };
    let parameters = compute_parameters(input)?;
    if parameters.len() != DEFAULT_PARAMETERS.len() || parameters.iter().any(|w| !w.is_finite()) {
        return Err(MemoryError::Fsrs(format!(
            "training returned {} parameters, not 21 usable numbers",
            parameters.len()
        )));
    }
    Ok(parameters)
}

/// How far the crate's training is, once it has started.
pub fn fraction_done(state: &Mutex<CombinedProgressState>) -> Option<f64> {
    let s = state.lock().ok()?;
    if s.finished() {
        return Some(1.0);
    }
    let total = s.total();
    (total > 0).then(|| (s.current() as f64 / total as f64).clamp(0.0, 1.0))
}

/// Asks the crate's training to stop at its next batch.
pub fn stop(state: &Mutex<CombinedProgressState>) {
    if let Ok(mut s) = state.lock() {
        s.want_abort = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::testdata;

    #[test]
    fn too_little_history_says_how_many_reviews_are_needed() {
        let answers = testdata::synthetic(10, 4, 1);
        let err = fit(&answers, &mut |_| true).expect_err("30 items are too few");
        assert_eq!(
            err,
            MemoryError::TooLittleHistory {
                have: 30,
                needed: MIN_REVIEWS
            }
        );
        assert!(err.to_string().contains("at least 64 reviews"), "{err}");
    }

    #[test]
    fn a_fit_reports_progress_and_beats_or_keeps_the_defaults() {
        let answers = testdata::synthetic(300, 8, 7);
        let mut seen = Vec::new();
        let fitted = fit(&answers, &mut |f| {
            seen.push(f);
            true
        })
        .expect("enough history");
        assert_eq!(fitted.cards, 300);
        assert_eq!(fitted.reviews, 300 * 7);
        assert_eq!(fitted.parameters.len(), 21);
        assert_eq!(seen.last(), Some(&1.0));
        assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
        if fitted.kept_default {
            assert_eq!(fitted.parameters, DEFAULT_PARAMETERS.to_vec());
        } else {
            assert!(fitted.fitted_metrics.log_loss < fitted.default_metrics.log_loss);
            assert_ne!(fitted.parameters, DEFAULT_PARAMETERS.to_vec());
        }
    }

    #[test]
    fn a_log_the_crate_sets_aside_keeps_the_defaults() {
        // 70 items, but every card's first answer a different number of days before the
        // next: the crate sets every one aside as an outlier and trains on nothing.
        let answers: Vec<Answer> = (0..70)
            .flat_map(|card| {
                let at = |day: i64, was_new| Answer {
                    card_id: card,
                    reviewed_at_ms: day * 86_400_000,
                    day,
                    rating: 3,
                    duration_ms: 1_000,
                    was_new,
                };
                [at(0, true), at(1 + card, false)]
            })
            .collect();
        let fitted = fit(&answers, &mut |_| true).expect("70 items");
        assert!(fitted.kept_default);
        assert_eq!(fitted.parameters, DEFAULT_PARAMETERS.to_vec());
        assert_eq!(fitted.reviews, 70);
    }

    #[test]
    fn the_progress_callback_can_stop_the_fit() {
        let answers = testdata::synthetic(2_000, 10, 3);
        let err = fit(&answers, &mut |_| false).expect_err("stopped");
        assert_eq!(err, MemoryError::Interrupted);
    }
}
