//! How well each scheduler predicts this learner's recall (`jargon evaluate`), as
//! srs-benchmark scores them.
//!
//! - The scored answers are the items of [`super::items`] (an answer a day or more after the
//!   card's previous one), in time order, cut into `splits + 1` equal segments (the last takes
//!   the remainder). Segment 0 is only ever trained on; each later segment is predicted, and
//!   every model is scored on the same answers: segments 1 to `splits`.
//! - `fsrs (fitted)`: for segment k, parameters fitted ([`super::fit::fit_items`]: trained,
//!   kept only when better than the defaults in-sample) on segments 0 to k-1, so no answer is
//!   predicted by parameters fitted on it. Splits train in parallel, one per core. A past
//!   too small for the crate to fit keeps the defaults for that segment.
//! - `fsrs (default)`: FSRS-6's default parameters.
//! - Prediction for FSRS: the card's memory after its earlier answers (same-day ones
//!   included), and its retrievability after the elapsed study days.
//! - `sm2` and `anki`: the card's earlier answers replayed through jargon's scheduler (the
//!   learner's settings, fuzz off), which gives the interval `I` it would have scheduled
//!   after the previous answer: the due day minus the day of that answer, at least one day
//!   (a learning step, due the same day, counts as one day). Recall is predicted from the
//!   interval with 90% at the scheduled interval: `R = 0.9^(t / I)`, `t` the study days
//!   that actually passed. srs-benchmark scores SM-2 the same way.
//! - Metrics: [`super::metrics`], unweighted.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fsrs::{CombinedProgressState, DEFAULT_PARAMETERS, FSRS, MemoryState};

use super::fit::{fit_items, fraction_done, stop};
use super::items::{CardHistory, Items, histories, items_of};
use super::metrics::{Bin, auc, bin_of, log_loss, rmse_bins};
use super::{Answer, MemoryError, Result};
use crate::scheduler::{Answer as Button, CardState, Due, Moment, SchedulerKind, Settings};

/// Where a model's parameters come from, as `evaluate --format json` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParameterSource {
    /// FSRS-6's defaults: `"default"`.
    Default,
    /// Fitted on the past of each segment: `"fitted"`.
    Fitted,
    /// A scheduler without parameters (sm2, anki): `null`.
    None,
}

impl ParameterSource {
    /// The JSON value: `"default"`, `"fitted"` or None for `null`.
    pub fn as_json(self) -> Option<&'static str> {
        match self {
            ParameterSource::Default => Some("default"),
            ParameterSource::Fitted => Some("fitted"),
            ParameterSource::None => None,
        }
    }
}

/// One row of the evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelScore {
    /// `fsrs (default)`, `fsrs (fitted)`, `sm2`, `anki`.
    pub name: &'static str,
    pub scheduler: SchedulerKind,
    pub parameters: ParameterSource,
    pub log_loss: f64,
    pub rmse_bins: f64,
    /// None when every scored answer had the same outcome.
    pub auc: Option<f64>,
    /// Answers predicted (the same for every row).
    pub predictions: usize,
}

/// The whole evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// Items in the log (answers a day or more after the card's previous one), segment 0
    /// included.
    pub reviews: usize,
    pub models: Vec<ModelScore>,
}

impl Evaluation {
    /// The JSON `jargon evaluate --format json` prints: `{"reviews": N, "models": [{"name",
    /// "scheduler", "parameters": "default"|"fitted"|null, "log_loss", "rmse_bins", "auc",
    /// "predictions"}]}` (a number that is not finite, and a missing AUC, are `null`).
    pub fn to_json(&self) -> serde_json::Value {
        let models: Vec<serde_json::Value> = self
            .models
            .iter()
            .map(|m| {
                serde_json::json!({
                    "name": m.name,
                    "scheduler": m.scheduler.name(),
                    "parameters": m.parameters.as_json(),
                    "log_loss": m.log_loss,
                    "rmse_bins": m.rmse_bins,
                    "auc": m.auc,
                    "predictions": m.predictions,
                })
            })
            .collect();
        serde_json::json!({ "reviews": self.reviews, "models": models })
    }
}

/// The number of splits srs-benchmark and the `fsrs` crate use.
pub const DEFAULT_SPLITS: usize = 5;

/// Scores the four models on `answers` with `splits` time-series splits (1 to 20).
/// `settings` are the learner's (steps, ease settings) for the sm2 and anki replays.
/// `progress` gets the fraction done from this thread; false stops the evaluation.
pub fn evaluate(
    answers: &[Answer],
    settings: &Settings,
    splits: usize,
    progress: &mut dyn FnMut(f64) -> bool,
) -> Result<Evaluation> {
    if !(1..=20).contains(&splits) {
        return Err(MemoryError::BadSetting(format!(
            "the number of splits must be 1 to 20, not {splits}"
        )));
    }
    let histories = histories(answers)?;
    let items = items_of(&histories);
    let scored = scored_answers(&histories);
    let total = scored.len();
    let segment = total / (splits + 1);
    if segment == 0 {
        return Err(MemoryError::TooLittleHistory {
            have: total,
            needed: splits + 1,
        });
    }
    let bounds: Vec<(usize, usize)> = (1..=splits)
        .map(|k| {
            let end = if k == splits {
                total
            } else {
                (k + 1) * segment
            };
            (k * segment, end)
        })
        .collect();
    let fitted = fit_splits(&items, &bounds, progress)?;

    let test = &scored[segment..];
    let outcomes: Vec<bool> = test.iter().map(|s| s.remembered).collect();
    let bins: Vec<Bin> = test.iter().map(|s| s.bin).collect();
    let score = |name, scheduler, parameters, p: Vec<f64>| ModelScore {
        name,
        scheduler,
        parameters,
        log_loss: log_loss(&p, &outcomes, None),
        rmse_bins: rmse_bins(&p, &outcomes, &bins, None),
        auc: auc(&p, &outcomes),
        predictions: p.len(),
    };

    let default = fsrs_predictions(&histories, &DEFAULT_PARAMETERS)?;
    let mut by_split = Vec::with_capacity(splits);
    for parameters in &fitted {
        by_split.push(fsrs_predictions(&histories, parameters)?);
    }
    let mut fitted_p = Vec::with_capacity(test.len());
    for (k, &(start, end)) in bounds.iter().enumerate() {
        for s in &scored[start..end] {
            fitted_p.push(by_split[k][s.history][s.index]);
        }
    }
    let sm2 = interval_predictions(&histories, SchedulerKind::Sm2, settings)?;
    let anki = interval_predictions(&histories, SchedulerKind::Anki, settings)?;
    let pick = |table: &[Vec<f64>]| -> Vec<f64> {
        test.iter().map(|s| table[s.history][s.index]).collect()
    };
    Ok(Evaluation {
        reviews: total,
        models: vec![
            score(
                "fsrs (default)",
                SchedulerKind::Fsrs,
                ParameterSource::Default,
                pick(&default),
            ),
            score(
                "fsrs (fitted)",
                SchedulerKind::Fsrs,
                ParameterSource::Fitted,
                fitted_p,
            ),
            score("sm2", SchedulerKind::Sm2, ParameterSource::None, pick(&sm2)),
            score(
                "anki",
                SchedulerKind::Anki,
                ParameterSource::None,
                pick(&anki),
            ),
        ],
    })
}

/// One scored answer: where it is, what happened, its RMSE bin.
#[derive(Debug, Clone, Copy)]
struct Scored {
    history: usize,
    index: usize,
    remembered: bool,
    bin: Bin,
}

/// The scored answers in the order of [`items_of`] (time, ties in card order).
fn scored_answers(histories: &[CardHistory]) -> Vec<Scored> {
    let mut rows: Vec<(i64, Scored)> = Vec::new();
    for (h, history) in histories.iter().enumerate() {
        let reviews = history.reviews();
        for index in history.item_indices() {
            rows.push((
                history.answers[index].reviewed_at_ms,
                Scored {
                    history: h,
                    index,
                    remembered: history.answers[index].rating > 1,
                    bin: bin_of(&reviews[..=index]),
                },
            ));
        }
    }
    rows.sort_by_key(|(at, _)| *at);
    rows.into_iter().map(|(_, s)| s).collect()
}

/// FSRS's predicted recall at every answer of every history (index 0 unused: 0).
pub fn fsrs_predictions(histories: &[CardHistory], parameters: &[f32]) -> Result<Vec<Vec<f64>>> {
    let model = FSRS::new(parameters)?;
    let decay = parameters
        .get(20)
        .copied()
        .unwrap_or(fsrs::FSRS6_DEFAULT_DECAY);
    histories
        .iter()
        .map(|history| {
            let states = model.historical_memory_states(
                fsrs::FSRSItem {
                    reviews: history.reviews(),
                },
                None,
            )?;
            let mut p = vec![0.0; history.answers.len()];
            for index in 1..history.answers.len() {
                let state: MemoryState = states[index - 1];
                p[index] = f64::from(fsrs::current_retrievability(
                    state,
                    history.delta_t(index) as f32,
                    decay,
                ));
            }
            Ok(p)
        })
        .collect()
}

/// `0.9^(t / I)` at every answer, `I` the interval `kind` scheduled after the answer before.
pub fn interval_predictions(
    histories: &[CardHistory],
    kind: SchedulerKind,
    settings: &Settings,
) -> Result<Vec<Vec<f64>>> {
    let settings = Settings {
        fuzz: false,
        ..*settings
    };
    histories
        .iter()
        .map(|history| {
            let mut p = vec![0.0; history.answers.len()];
            let mut state = CardState::new_card();
            let mut previous: Option<&Answer> = None;
            for (index, answer) in history.answers.iter().enumerate() {
                if let Some(before) = previous {
                    let interval = scheduled_interval(&state, before.day);
                    let t = f64::from(history.delta_t(index));
                    p[index] = 0.9f64.powf(t / interval);
                }
                let button = Button::from_rating(answer.rating).ok_or(MemoryError::BadRating {
                    index,
                    card_id: answer.card_id,
                    rating: answer.rating,
                })?;
                let moment = Moment {
                    card_id: answer.card_id,
                    today: answer.day,
                    now: answer.reviewed_at_ms.div_euclid(1000),
                    last_day: previous.map(|a| a.day),
                };
                state = kind
                    .answer(&state, button.quality(), &moment, &settings)
                    .map_err(|e| MemoryError::Fsrs(e.to_string()))?
                    .state;
                previous = Some(answer);
            }
            Ok(p)
        })
        .collect()
}

/// The days from `day` to the state's due day, at least 1 (a step due the same day: 1).
fn scheduled_interval(state: &CardState, day: i64) -> f64 {
    match state.due {
        Due::Day(due) => ((due - day) as f64).max(1.0),
        Due::At(_) | Due::Unscheduled => 1.0,
    }
}

/// The parameters for each test segment, fitted on what comes before it; splits run on as
/// many threads as there are cores, and `progress` is called from this thread.
fn fit_splits(
    items: &Items,
    bounds: &[(usize, usize)],
    progress: &mut dyn FnMut(f64) -> bool,
) -> Result<Vec<Vec<f32>>> {
    let states: Vec<Arc<Mutex<CombinedProgressState>>> = bounds
        .iter()
        .map(|_| CombinedProgressState::new_shared())
        .collect();
    let results: Vec<Mutex<Option<Result<Vec<f32>>>>> =
        bounds.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let stopped = AtomicBool::new(false);
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(bounds.len());
    // Work per split ~ its training items.
    let sizes: Vec<f64> = bounds.iter().map(|&(start, _)| start as f64).collect();
    let all: f64 = sizes.iter().sum();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    loop {
                        let k = next.fetch_add(1, Ordering::SeqCst);
                        if k >= bounds.len() || stopped.load(Ordering::SeqCst) {
                            break;
                        }
                        let start = bounds[k].0;
                        let train = Items {
                            items: items.items[..start].to_vec(),
                            card_ids: items.card_ids[..start].to_vec(),
                            at_ms: items.at_ms[..start].to_vec(),
                            answers_used: 0,
                            cards: 0,
                        };
                        // A segment too small for the crate to fit from keeps the defaults,
                        // as `optimize` would have.
                        let outcome = match fit_items(&train, &states[k]) {
                            Ok(fitted) => Ok(fitted.parameters),
                            Err(MemoryError::Fsrs(_) | MemoryError::TooFewNewCards) => {
                                Ok(DEFAULT_PARAMETERS.to_vec())
                            }
                            Err(other) => Err(other),
                        };
                        if let Ok(mut slot) = results[k].lock() {
                            *slot = Some(outcome);
                        }
                    }
                })
            })
            .collect();
        while handles.iter().any(|h| !h.is_finished()) {
            std::thread::sleep(Duration::from_millis(50));
            let done: f64 = states
                .iter()
                .zip(&sizes)
                .map(|(s, size)| fraction_done(s).unwrap_or(0.0) * size)
                .sum();
            if !progress(if all > 0.0 { done / all } else { 0.0 }) {
                stopped.store(true, Ordering::SeqCst);
                states.iter().for_each(|s| stop(s));
            }
        }
    });
    if stopped.load(Ordering::SeqCst) {
        return Err(MemoryError::Interrupted);
    }
    progress(1.0);
    results
        .into_iter()
        .map(|slot| match slot.into_inner() {
            Ok(Some(outcome)) => outcome,
            _ => Err(MemoryError::Fsrs("a split was not fitted".into())),
        })
        .collect()
}

#[cfg(test)]
mod tests;
