//! The next days on the learner's own cards under each scheduler (`jargon simulate`).
//!
//! One memory model judges every scheduler: FSRS-6 with the learner's parameters decides
//! whether each answer is remembered (drawn with the card's retrievability that day) and how
//! the memory changes; the scheduler decides only when the card comes back.
//!
//! - fsrs: the `fsrs` crate's own simulator, once per desired retention.
//! - sm2 and anki: our day loop ([`day_loop`]) over the same model, the same answer draws
//!   (grades of remembered answers, same-day steps) and the same answer times, with
//!   jargon's pure schedulers (`scheduler::sm2`, `scheduler::anki`) setting the intervals.
//!   Same-day steps are the scheduler's (Anki's learning steps); SM-2 has none, but a card
//!   graded below Good is re-drilled the same day until Good or Easy (Wozniak's step 7, as
//!   jargon's review does), which costs time and moves memory but not the schedule.
//! - No fuzz anywhere (the crate's simulator has none). No daily limit on reviews.
//! - Answer times per button are the learner's ([`Costs::from_histories`]: the median of
//!   each (first answer, review, relearning step) x button, durations capped at 60 s as Anki
//!   caps them; a cell with fewer than 5 answers keeps the crate's default). Grade shares of
//!   first answers and of remembered reviews are the learner's too; the transitions between
//!   same-day steps are the crate's defaults.
//! - A card enters with its memory after its history (fitted model) and, for sm2 and anki,
//!   the state its answers replayed under that scheduler give (due day included); for fsrs
//!   it is due when its memory falls to the desired retention. Cards without a usable
//!   history (see [`super::items`]) are left out; up to `new_per_day` new cards a day are
//!   introduced from `new_cards`.
//! - `reviews` counts cards shown, once a card a day (same-day steps cost time but are no
//!   review of their own); `memorized` is the sum of every introduced card's retrievability
//!   on the last day; the best retention is the fsrs run with the least minutes per
//!   memorized card.

use std::sync::Arc;

use fsrs::{Card, FSRS, MemoryState, SimulatorConfig, check_and_fill_parameters};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::items::{CardHistory, histories};
use super::{Answer, MemoryError, Result};
use crate::scheduler::{Answer as Button, CardState, Due, Moment, SchedulerKind, Settings};

/// What to simulate.
#[derive(Debug, Clone, PartialEq)]
pub struct SimulateConfig {
    /// Days to play (1 to 3,650; the default is 365).
    pub days: usize,
    /// New cards introduced a day.
    pub new_per_day: usize,
    /// New cards available to introduce.
    pub new_cards: usize,
    /// Desired retentions for the fsrs runs (each 0.70 to 0.97).
    pub retentions: Vec<f32>,
    /// The study day the simulation starts on (day 0), on the answers' scale.
    pub today: i64,
    /// The learner's settings (steps, ease rules, maximum interval); fuzz is turned off.
    pub settings: Settings,
    /// Seed of every draw.
    pub seed: u64,
}

/// The retentions simulated when the caller names none.
pub const DEFAULT_RETENTIONS: [f32; 6] = [0.75, 0.8, 0.85, 0.9, 0.93, 0.95];

/// One day of a run.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Day {
    pub reviews: usize,
    pub minutes: f64,
    pub memorized: f64,
}

/// One scheduler (at one desired retention for fsrs) over the whole period.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub scheduler: SchedulerKind,
    /// The fsrs run's desired retention; None for sm2 and anki.
    pub desired_retention: Option<f32>,
    pub reviews: usize,
    pub minutes: f64,
    /// Sum of retrievability on the last day.
    pub memorized: f64,
    pub per_day: Vec<Day>,
}

impl Run {
    /// Minutes per memorized card (infinite with nothing memorized).
    pub fn minutes_per_memorized(&self) -> f64 {
        self.minutes / self.memorized
    }

    /// Reviews per memorized card.
    pub fn reviews_per_memorized(&self) -> f64 {
        self.reviews as f64 / self.memorized
    }
}

/// The runs, sm2 and anki first, then fsrs by retention, and the best retention.
#[derive(Debug, Clone, PartialEq)]
pub struct Simulation {
    pub days: usize,
    pub runs: Vec<Run>,
    /// The fsrs retention with the least minutes per memorized card.
    pub best_retention: Option<f32>,
}

impl Simulation {
    /// The JSON `jargon simulate --format json` prints: `{"days": N, "runs": [{"scheduler",
    /// "desired_retention" (null for sm2 and anki), "reviews", "minutes", "memorized"}]}`.
    pub fn to_json(&self) -> serde_json::Value {
        let runs: Vec<serde_json::Value> = self
            .runs
            .iter()
            .map(|r| {
                serde_json::json!({
                    "scheduler": r.scheduler.name(),
                    // Written as entered (0.8, not the f32 0.800000011920929).
                    "desired_retention": r.desired_retention.map(|d| (f64::from(d) * 10_000.0).round() / 10_000.0),
                    "reviews": r.reviews,
                    "minutes": r.minutes,
                    "memorized": r.memorized,
                })
            })
            .collect();
        serde_json::json!({ "days": self.days, "runs": runs })
    }
}

/// Answer times (seconds) per (first answer, review, relearning step) x button, with the
/// grade shares, as the simulators read them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Costs {
    pub seconds: [[f32; 4]; 3],
    pub first_rating_prob: [f32; 4],
    pub review_rating_prob: [f32; 3],
}

const LEARNING: usize = 0;
const REVIEW: usize = 1;
const RELEARNING: usize = 2;
/// Anki's default cap on an answer's time.
const MAX_ANSWER_MS: i64 = 60_000;
/// Fewer answers than this in a cell keep the crate's default time.
const MIN_SAMPLES: usize = 5;
/// The most same-day steps after a day's first answer (the crate's own limit).
const MAX_SAME_DAY_STEPS: usize = 5;

impl Costs {
    /// The learner's medians and shares (see the module's rules).
    pub fn from_histories(histories: &[CardHistory]) -> Costs {
        let defaults = SimulatorConfig::default();
        let mut samples: [[Vec<i64>; 4]; 3] = Default::default();
        let mut first = [0usize; 4];
        let mut review = [0usize; 3];
        for history in histories {
            let mut lapsed = false;
            for (i, a) in history.answers.iter().enumerate() {
                let button = usize::from(a.rating.clamp(1, 4)) - 1;
                let cell = if i == 0 {
                    first[button] += 1;
                    LEARNING
                } else if history.delta_t(i) > 0 {
                    lapsed = a.rating == 1;
                    if button > 0 {
                        review[button - 1] += 1;
                    }
                    REVIEW
                } else if lapsed {
                    RELEARNING
                } else {
                    LEARNING
                };
                samples[cell][button].push(a.duration_ms.clamp(0, MAX_ANSWER_MS));
            }
        }
        let mut seconds = defaults.state_rating_costs;
        for (cell, row) in samples.iter_mut().enumerate() {
            for (button, list) in row.iter_mut().enumerate() {
                if list.len() >= MIN_SAMPLES {
                    list.sort_unstable();
                    seconds[cell][button] = list[list.len() / 2] as f32 / 1000.0;
                }
            }
        }
        Costs {
            seconds,
            first_rating_prob: shares(&first).unwrap_or(defaults.first_rating_prob),
            review_rating_prob: shares(&review).unwrap_or(defaults.review_rating_prob),
        }
    }
}

fn shares<const N: usize>(counts: &[usize; N]) -> Option<[f32; N]> {
    let total: usize = counts.iter().sum();
    (total > 0).then(|| counts.map(|c| c as f32 / total as f32))
}

/// A card as the simulation starts: its history's memory and days.
struct Existing<'a> {
    history: &'a CardHistory,
    memory: MemoryState,
    /// Study day of its last answer, relative to day 0 (negative: before).
    last_day: i64,
    lapses: u32,
}

/// Simulates every scheduler on the learner's cards. `parameters`: the FSRS-6 parameters
/// of the memory model (fitted, or the defaults).
pub fn simulate(
    answers: &[Answer],
    parameters: &[f32],
    config: &SimulateConfig,
) -> Result<Simulation> {
    if !(1..=3650).contains(&config.days) {
        return Err(MemoryError::BadSetting(format!(
            "the number of days must be 1 to 3650, not {}",
            config.days
        )));
    }
    if let Some(r) = config
        .retentions
        .iter()
        .find(|r| !(0.70..=0.97).contains(*r))
    {
        return Err(MemoryError::BadSetting(format!(
            "a desired retention must be 0.70 to 0.97, not {r}"
        )));
    }
    let w = check_and_fill_parameters(parameters)?;
    let model = FSRS::new(&w)?;
    let histories = histories(answers)?;
    let costs = Costs::from_histories(&histories);
    let mut existing = Vec::with_capacity(histories.len());
    for history in &histories {
        let states = model.historical_memory_states(
            fsrs::FSRSItem {
                reviews: history.reviews(),
            },
            None,
        )?;
        let (Some(memory), Some(last)) = (states.last(), history.answers.last()) else {
            continue;
        };
        let lapses = (1..history.answers.len())
            .filter(|&i| history.delta_t(i) > 0 && history.answers[i].rating == 1)
            .count();
        existing.push(Existing {
            history,
            memory: *memory,
            // An answer after `today` (a clock set back) counts as made on day 0.
            last_day: (last.day - config.today).min(0),
            lapses: u32::try_from(lapses).unwrap_or(u32::MAX),
        });
    }
    let new_cards = config
        .new_cards
        .min(config.new_per_day.saturating_mul(config.days));
    if existing.is_empty() && new_cards == 0 {
        return Err(MemoryError::BadSetting(
            "there is nothing to simulate: no card has a usable history and no new card is introduced"
                .into(),
        ));
    }
    let settings = Settings {
        fuzz: false,
        ..config.settings
    };
    let mut runs = Vec::new();
    for kind in [SchedulerKind::Sm2, SchedulerKind::Anki] {
        runs.push(day_loop(
            kind, &model, &w, &existing, new_cards, &costs, &settings, config,
        )?);
    }
    for &retention in &config.retentions {
        runs.push(crate_run(
            &w, retention, &existing, new_cards, &costs, &settings, config,
        )?);
    }
    let best_retention = runs
        .iter()
        .filter(|r| r.desired_retention.is_some() && r.memorized > 0.0)
        .min_by(|a, b| {
            a.minutes_per_memorized()
                .total_cmp(&b.minutes_per_memorized())
        })
        .and_then(|r| r.desired_retention);
    Ok(Simulation {
        days: config.days,
        runs,
        best_retention,
    })
}

/// An fsrs run through the crate's simulator.
fn crate_run(
    w: &[f32],
    retention: f32,
    existing: &[Existing<'_>],
    new_cards: usize,
    costs: &Costs,
    settings: &Settings,
    config: &SimulateConfig,
) -> Result<Run> {
    let shared = Arc::new(w.to_vec());
    let max_ivl = settings.maximum_interval_days.max(1) as f32;
    let decay = -w[20];
    let factor = 0.9f32.powf(1.0 / decay) - 1.0;
    let cards: Vec<Card> = existing
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let interval = (e.memory.stability / factor * (retention.powf(1.0 / decay) - 1.0))
                .round()
                .clamp(1.0, max_ivl);
            let last_date = e.last_day as f32;
            Card {
                id: i as i64 + 1,
                difficulty: e.memory.difficulty,
                stability: e.memory.stability,
                last_date,
                due: (last_date + interval).max(0.0),
                interval,
                lapses: e.lapses,
                desired_retention: retention,
                parameters: Arc::clone(&shared),
            }
        })
        .collect();
    let defaults = SimulatorConfig::default();
    let sim = SimulatorConfig {
        deck_size: cards.len() + new_cards,
        learn_span: config.days,
        max_cost_perday: f32::MAX,
        max_ivl,
        first_rating_prob: costs.first_rating_prob,
        review_rating_prob: costs.review_rating_prob,
        learn_limit: config.new_per_day,
        review_limit: usize::MAX,
        new_cards_ignore_review_limit: true,
        suspend_after_lapses: None,
        post_scheduling_fn: None,
        review_priority_fn: None,
        learning_step_transitions: defaults.learning_step_transitions,
        relearning_step_transitions: defaults.relearning_step_transitions,
        state_rating_costs: costs.seconds,
        learning_step_count: settings.learning_steps.len(),
        relearning_step_count: settings.relearning_steps.len(),
    };
    let result = fsrs::simulate(&sim, w, retention, Some(config.seed), Some(cards))?;
    let per_day: Vec<Day> = (0..config.days)
        .map(|d| Day {
            reviews: result.review_cnt_per_day[d] + result.learn_cnt_per_day[d],
            minutes: f64::from(result.cost_per_day[d]) / 60.0,
            memorized: f64::from(result.memorized_cnt_per_day[d]),
        })
        .collect();
    Ok(summarise(SchedulerKind::Fsrs, Some(retention), per_day))
}

fn summarise(scheduler: SchedulerKind, desired_retention: Option<f32>, per_day: Vec<Day>) -> Run {
    Run {
        scheduler,
        desired_retention,
        reviews: per_day.iter().map(|d| d.reviews).sum(),
        minutes: per_day.iter().map(|d| d.minutes).sum(),
        memorized: per_day.last().map_or(0.0, |d| d.memorized),
        per_day,
    }
}

/// A card in our day loop.
struct Sim {
    card_id: i64,
    state: CardState,
    memory: Option<MemoryState>,
    /// Study day (relative) of its last answer; None while new.
    last_day: Option<i64>,
}

/// The state `kind` gives a card after its history (fuzz off).
fn replayed(history: &CardHistory, kind: SchedulerKind, settings: &Settings) -> Result<CardState> {
    let mut state = CardState::new_card();
    let mut last_day = None;
    for (index, a) in history.answers.iter().enumerate() {
        let button = Button::from_rating(a.rating).ok_or(MemoryError::BadRating {
            index,
            card_id: a.card_id,
            rating: a.rating,
        })?;
        let moment = Moment {
            card_id: a.card_id,
            today: a.day,
            now: a.reviewed_at_ms.div_euclid(1000),
            last_day,
        };
        state = kind
            .answer(&state, button.quality(), &moment, settings)
            .map_err(|e| MemoryError::Fsrs(e.to_string()))?
            .state;
        last_day = Some(a.day);
    }
    Ok(state)
}

/// Draws an index from shares summing to about 1.
fn draw<const N: usize>(rng: &mut ChaCha8Rng, shares: &[f32; N]) -> usize {
    let total: f32 = shares.iter().sum();
    let mut x = rng.random::<f32>() * total;
    for (i, s) in shares.iter().enumerate() {
        if x < *s {
            return i;
        }
        x -= s;
    }
    N - 1
}

/// One answer in the day loop: memory through the model, state through the scheduler.
#[allow(clippy::too_many_arguments)]
fn apply(
    model: &FSRS,
    kind: SchedulerKind,
    settings: &Settings,
    config: &SimulateConfig,
    card: &mut Sim,
    rating: u8,
    day: i64,
    now: i64,
) -> Result<()> {
    let elapsed = card
        .last_day
        .map_or(0, |last| u32::try_from(day - last).unwrap_or(0));
    card.memory = Some(pick(model.next_states(card.memory, 0.9, elapsed)?, rating).memory);
    let button = Button::from_rating(rating).ok_or(MemoryError::BadRating {
        index: 0,
        card_id: card.card_id,
        rating,
    })?;
    let moment = Moment {
        card_id: card.card_id,
        today: config.today + day,
        now,
        last_day: card.last_day.map(|d| config.today + d),
    };
    card.state = kind
        .answer(&card.state, button.quality(), &moment, settings)
        .map_err(|e| MemoryError::Fsrs(e.to_string()))?
        .state;
    card.last_day = Some(day);
    Ok(())
}

fn pick(next: fsrs::NextStates, rating: u8) -> fsrs::ItemState {
    match rating {
        1 => next.again,
        2 => next.hard,
        3 => next.good,
        _ => next.easy,
    }
}

/// sm2 or anki over the fitted memory model, day by day.
#[allow(clippy::too_many_arguments)]
fn day_loop(
    kind: SchedulerKind,
    model: &FSRS,
    w: &[f32],
    existing: &[Existing<'_>],
    new_cards: usize,
    costs: &Costs,
    settings: &Settings,
    config: &SimulateConfig,
) -> Result<Run> {
    let transitions = SimulatorConfig::default();
    let decay = w[20];
    let days = config.days;
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let mut cards: Vec<Sim> = Vec::with_capacity(existing.len() + new_cards);
    // due[d]: cards to show on day d.
    let mut due: Vec<Vec<usize>> = vec![Vec::new(); days];
    for e in existing {
        let state = replayed(e.history, kind, settings)?;
        let index = cards.len();
        cards.push(Sim {
            card_id: e.history.card_id,
            state,
            memory: Some(e.memory),
            last_day: Some(e.last_day),
        });
        let day = match state.due {
            Due::Day(d) => (d - config.today).max(0),
            Due::At(_) | Due::Unscheduled => 0,
        };
        if let Ok(day) = usize::try_from(day)
            && day < days
        {
            due[day].push(index);
        }
    }
    let mut per_day = vec![Day::default(); days];
    let mut introduced = 0;
    for d in 0..days {
        let day = d as i64;
        let day_start = (config.today + day) * 86_400;
        let mut today: Vec<(usize, bool)> = std::mem::take(&mut due[d])
            .into_iter()
            .map(|i| (i, false))
            .collect();
        let introduce = config.new_per_day.min(new_cards - introduced);
        for _ in 0..introduce {
            let index = cards.len();
            cards.push(Sim {
                card_id: -1 - introduced as i64,
                state: CardState::new_card(),
                memory: None,
                last_day: None,
            });
            introduced += 1;
            today.push((index, true));
        }
        let mut minutes = 0.0f64;
        for &(index, new) in &today {
            let card = &mut cards[index];
            let mut now = day_start + 36_000;
            // The day's first answer.
            let (rating, cell) = if new {
                (draw(&mut rng, &costs.first_rating_prob) as u8 + 1, LEARNING)
            } else {
                let elapsed = card.last_day.map_or(0.0, |last| (day - last) as f32);
                let r = match card.memory {
                    Some(m) => fsrs::current_retrievability(m, elapsed, decay),
                    None => 0.0,
                };
                if rng.random::<f32>() < r {
                    (draw(&mut rng, &costs.review_rating_prob) as u8 + 2, REVIEW)
                } else {
                    (1, REVIEW)
                }
            };
            minutes += f64::from(costs.seconds[cell][usize::from(rating) - 1]);
            apply(model, kind, settings, config, card, rating, day, now)?;
            let step_cell = if cell == REVIEW && rating == 1 {
                RELEARNING
            } else {
                LEARNING
            };
            let matrix = if step_cell == RELEARNING {
                &transitions.relearning_step_transitions
            } else {
                &transitions.learning_step_transitions
            };
            // Same-day steps: the scheduler's (a card due again today), or SM-2's re-drill.
            let mut last = rating;
            for _ in 0..MAX_SAME_DAY_STEPS {
                let again_today = match card.state.due {
                    Due::At(t) => t < day_start + 86_400,
                    Due::Day(x) => x <= config.today + day,
                    Due::Unscheduled => false,
                };
                let redrill = kind == SchedulerKind::Sm2 && last < 3;
                // Easy ends a card's day (the step transitions have no row for it).
                if !(again_today || redrill) || last >= 4 {
                    break;
                }
                if let Due::At(t) = card.state.due {
                    now = now.max(t);
                }
                let next = draw(&mut rng, &matrix[usize::from(last) - 1]) as u8 + 1;
                minutes += f64::from(costs.seconds[step_cell][usize::from(next) - 1]);
                if redrill && !again_today {
                    // A re-drill moves memory, never the schedule.
                    card.memory = Some(pick(model.next_states(card.memory, 0.9, 0)?, next).memory);
                } else {
                    apply(model, kind, settings, config, card, next, day, now)?;
                }
                last = next;
            }
            let next_day = match card.state.due {
                Due::Day(x) => (x - config.today).max(day + 1),
                Due::At(_) | Due::Unscheduled => day + 1,
            };
            if let Ok(next_day) = usize::try_from(next_day)
                && next_day < days
            {
                due[next_day].push(index);
            }
        }
        let memorized: f64 = cards
            .iter()
            .filter_map(|c| {
                let (m, last) = (c.memory?, c.last_day?);
                Some(f64::from(fsrs::current_retrievability(
                    m,
                    (day - last).max(0) as f32,
                    decay,
                )))
            })
            .sum();
        per_day[d] = Day {
            reviews: today.len(),
            minutes: minutes / 60.0,
            memorized,
        };
    }
    Ok(summarise(kind, None, per_day))
}

#[cfg(test)]
mod tests;
