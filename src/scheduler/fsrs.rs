//! PURE FSRS-6 scheduling through the `fsrs` crate, with learning steps as Anki runs FSRS.
//!
//! - A card's memory state (stability in days, difficulty 1 to 10) is the fold of its answers:
//!   each answer's grade and the study days since the previous answer are all it reads. An
//!   answer on the same study day as the previous one (elapsed 0) takes FSRS-6's short-term
//!   branch, as the crate and the Python package both do.
//! - Intervals come from the next states at `desired_retention` (0.70 to 0.97, default 0.90),
//!   through Anki's rules for FSRS: Hard at least 1 day, Good at least Hard + 1, Easy at least
//!   Good + 1, each fuzzed inside Anki's ranges clipped to those bounds and to the maximum
//!   interval. The fuzz draw is seeded by card id and repetition count ([`super::fuzz`]), so
//!   a replay gives the same days.
//! - New and learning cards go through the learning steps (1m 10m), forgotten review cards
//!   through the relearning steps (10m), as Anki's `states/{learning,relearning}.rs` do: Again
//!   goes back to the first step, Hard repeats the step (the first step's Hard is the mean of
//!   the first two, or 1.5 times a single step, at most a day more), Good moves on or graduates,
//!   Easy graduates. A card in steps is due at an instant, [`Due::At`].
//!
//! The memory state lives beside [`CardState`] (in [`FsrsCard`]), not inside it, until the
//! store keeps it.

use super::{Answer, CardState, Due, Moment, Outcome, Phase, Settings, fuzz, is_leech};
use crate::clock::DayNumber;
use crate::error::{Error, Result};

pub const DEFAULT_DESIRED_RETENTION: f64 = 0.90;
pub const MINIMUM_DESIRED_RETENTION: f64 = 0.70;
pub const MAXIMUM_DESIRED_RETENTION: f64 = 0.97;
/// Anki's default learning steps: 1 minute, 10 minutes.
pub const DEFAULT_LEARNING_STEPS_SECS: [u32; 2] = [60, 600];
/// Anki's default relearning step: 10 minutes.
pub const DEFAULT_RELEARNING_STEPS_SECS: [u32; 1] = [600];

const DAY_SECS: u32 = 86_400;

/// The 21 default FSRS-6 parameters, as the crate ships them.
pub fn default_parameters() -> [f32; 21] {
    ::fsrs::DEFAULT_PARAMETERS
}

/// What FSRS knows of a card's memory.
///
/// Two `f32`s because the crate computes in `f32`: keeping exactly what it returned (an
/// SQLite REAL holds every `f32` exactly) makes a replay of the log reproduce it bit for bit;
/// rounding through `f64` arithmetic of our own would not.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MemoryState {
    /// Days until recall falls to 90%.
    pub stability: f32,
    /// 1 (easy) to 10 (hard).
    pub difficulty: f32,
}

impl From<::fsrs::MemoryState> for MemoryState {
    fn from(m: ::fsrs::MemoryState) -> MemoryState {
        MemoryState {
            stability: m.stability,
            difficulty: m.difficulty,
        }
    }
}

impl From<MemoryState> for ::fsrs::MemoryState {
    fn from(m: MemoryState) -> ::fsrs::MemoryState {
        ::fsrs::MemoryState {
            stability: m.stability,
            difficulty: m.difficulty,
        }
    }
}

/// A card as the FSRS scheduler reads it: our state, its memory (None before its first
/// answer) and the study day of its previous answer (None before its first answer).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FsrsCard {
    pub state: CardState,
    pub memory: Option<MemoryState>,
    pub last_answer_day: Option<DayNumber>,
}

impl FsrsCard {
    pub fn new_card() -> FsrsCard {
        FsrsCard {
            state: CardState::new_card(),
            memory: None,
            last_answer_day: None,
        }
    }
}

/// What one answer does under FSRS.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FsrsOutcome {
    pub outcome: Outcome,
    /// The memory state after the answer.
    pub memory: MemoryState,
    /// The predicted recall at the moment of the answer (None for a card's first answer).
    pub retrievability: Option<f32>,
}

impl FsrsOutcome {
    /// The card after this answer, on `day`.
    pub fn card(&self, day: DayNumber) -> FsrsCard {
        FsrsCard {
            state: self.outcome.state,
            memory: Some(self.memory),
            last_answer_day: Some(day),
        }
    }
}

/// The outcome of each button.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FsrsNextStates {
    pub again: FsrsOutcome,
    pub hard: FsrsOutcome,
    pub good: FsrsOutcome,
    pub easy: FsrsOutcome,
}

impl FsrsNextStates {
    pub fn get(&self, answer: Answer) -> &FsrsOutcome {
        match answer {
            Answer::Again => &self.again,
            Answer::Hard => &self.hard,
            Answer::Good => &self.good,
            Answer::Easy => &self.easy,
        }
    }
}

/// Learning or relearning steps, in seconds, with Anki's rules for each button.
///
/// Shared in meaning with the `anki` scheduler's steps: both follow `rslib`'s `steps.rs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Steps {
    secs: Vec<u32>,
}

impl Steps {
    pub fn new(secs: &[u32]) -> Steps {
        Steps {
            secs: secs.to_vec(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.secs.is_empty()
    }

    pub fn len(&self) -> usize {
        self.secs.len()
    }

    /// A stored step index kept inside the steps (the steps may have been shortened since).
    fn index(&self, step: u32) -> usize {
        (step as usize).min(self.secs.len().saturating_sub(1))
    }

    /// Again: back to the first step.
    pub fn again_delay(&self) -> Option<u32> {
        self.secs.first().copied()
    }

    /// Hard: the same step again; on the first step, the mean of the first two steps, or
    /// 1.5 times a single step but at most a day more, rounded to whole days past a day.
    pub fn hard_delay(&self, step: u32) -> Option<u32> {
        let index = self.index(step);
        let current = *self.secs.get(index)?;
        if index > 0 {
            return Some(current);
        }
        let secs = match self.secs.get(1) {
            Some(next) => current.saturating_add(*next) / 2,
            None => (current.saturating_mul(3) / 2).min(current.saturating_add(DAY_SECS)),
        };
        Some(round_past_a_day(secs))
    }

    /// Good: the next step, if there is one (None: the card graduates).
    pub fn good_delay(&self, step: u32) -> Option<u32> {
        self.secs.get(self.index(step) + 1).copied()
    }
}

fn round_past_a_day(secs: u32) -> u32 {
    if secs > DAY_SECS {
        // A whole number of days no larger than u32::MAX seconds: the cast is exact.
        ((f64::from(secs) / f64::from(DAY_SECS)).round() as u32).saturating_mul(DAY_SECS)
    } else {
        secs
    }
}

/// The FSRS-6 scheduler with one learner's parameters and settings.
#[derive(Debug, Clone)]
pub struct Fsrs {
    model: ::fsrs::FSRS,
    decay: f32,
    desired_retention: f32,
    learning_steps: Steps,
    relearning_steps: Steps,
}

impl Fsrs {
    /// `parameters`: the 21 FSRS-6 parameters (an empty list means the defaults).
    /// `desired_retention`: 0.70 to 0.97.
    pub fn new(parameters: &[f32], desired_retention: f64) -> Result<Fsrs> {
        if !(MINIMUM_DESIRED_RETENTION..=MAXIMUM_DESIRED_RETENTION).contains(&desired_retention) {
            return Err(Error::usage(format!(
                "desired_retention {desired_retention} is out of range (0.70 to 0.97)"
            )));
        }
        let filled = match parameters.len() {
            0 => default_parameters().to_vec(),
            21 if parameters.iter().all(|w| w.is_finite()) => parameters.to_vec(),
            n => {
                return Err(Error::usage(format!(
                    "FSRS needs 21 finite parameters, not {n} (or none for the defaults)"
                )));
            }
        };
        let model = ::fsrs::FSRS::new(&filled)
            .map_err(|e| Error::usage(format!("the FSRS parameters are not usable ({e:?})")))?;
        Ok(Fsrs {
            model,
            decay: filled[20],
            // Checked to lie in 0.70..=0.97 above: the narrowing loses nothing that matters.
            desired_retention: desired_retention as f32,
            learning_steps: Steps::new(&DEFAULT_LEARNING_STEPS_SECS),
            relearning_steps: Steps::new(&DEFAULT_RELEARNING_STEPS_SECS),
        })
    }

    /// The same scheduler with other learning and relearning steps (seconds).
    pub fn with_steps(mut self, learning: &[u32], relearning: &[u32]) -> Fsrs {
        self.learning_steps = Steps::new(learning);
        self.relearning_steps = Steps::new(relearning);
        self
    }

    pub fn desired_retention(&self) -> f32 {
        self.desired_retention
    }

    /// The memory state after one answer, `elapsed_days` study days after the previous one.
    pub fn memory_after(
        &self,
        before: Option<MemoryState>,
        elapsed_days: u32,
        answer: Answer,
    ) -> Result<MemoryState> {
        let next = self.crate_next_states(before, elapsed_days)?;
        Ok(pick(&next, answer).memory.into())
    }

    /// The memory state after a whole history of (answer, study days since the previous
    /// answer); None for no answers.
    pub fn memory_of(&self, history: &[(Answer, u32)]) -> Result<Option<MemoryState>> {
        history.iter().try_fold(None, |memory, &(answer, elapsed)| {
            self.memory_after(memory, elapsed, answer).map(Some)
        })
    }

    /// The predicted probability of recall `elapsed_days` after the last answer.
    pub fn retrievability(&self, memory: MemoryState, elapsed_days: f32) -> f32 {
        ::fsrs::current_retrievability(memory.into(), elapsed_days.max(0.0), self.decay)
    }

    /// What each button would do to `card` at `moment`.
    pub fn next_states(
        &self,
        card: &FsrsCard,
        moment: &Moment,
        settings: &Settings,
    ) -> Result<FsrsNextStates> {
        let elapsed = elapsed_days(card, moment);
        let next = self.crate_next_states(card.memory, elapsed)?;
        let retrievability = card.memory.map(|m| self.retrievability(m, elapsed as f32));
        let state = &card.state;
        let repetitions = state.repetitions.saturating_add(1);
        let fraction = settings
            .fuzz
            .then(|| fuzz::seeded_fraction(moment.card_id, repetitions));
        let bounds = Bounds {
            maximum: settings.maximum_interval_days.max(1),
            fraction,
        };
        let days = |interval: f32, minimum: u32| bounds.days(interval, minimum);
        let base = CardState {
            repetitions,
            step: 0,
            ..*state
        };
        let step_due = |secs: u32| Due::At(moment.now.saturating_add(i64::from(secs)));
        let review_due = |days: u32| Due::Day(moment.today + i64::from(days));

        // Anki's passing intervals: each at least one day more than the one before.
        let hard_days = days(next.hard.interval, 1);
        let good_days = days(next.good.interval, hard_days + 1);
        let easy_days = days(next.easy.interval, good_days + 1);
        let graduate = |interval_days: u32| CardState {
            phase: Phase::Review,
            due: review_due(interval_days),
            interval_days,
            ..base
        };
        // Graduating from steps: Good from its own interval, Easy at least a day past Good.
        let graduate_good = days(next.good.interval, 1);
        let graduate_easy = days(next.easy.interval, graduate_good + 1);

        let (again, hard, good, easy, lapsed) = match state.phase {
            Phase::New | Phase::Learning => {
                let steps = &self.learning_steps;
                let step = if state.phase == Phase::New {
                    0
                } else {
                    state.step
                };
                let in_step = |secs: u32, step: u32| CardState {
                    phase: Phase::Learning,
                    due: step_due(secs),
                    interval_days: 0,
                    step,
                    ..base
                };
                let again = match steps.again_delay() {
                    Some(secs) => in_step(secs, 0),
                    None => graduate(days(next.again.interval, 1)),
                };
                let hard = match steps.hard_delay(step) {
                    Some(secs) => in_step(secs, step),
                    None => graduate(days(next.hard.interval, 1)),
                };
                let good = match steps.good_delay(step) {
                    Some(secs) => in_step(secs, step + 1),
                    None => graduate(graduate_good),
                };
                (again, hard, good, graduate(graduate_easy), false)
            }
            Phase::Review | Phase::Relearning => {
                let relearning = state.phase == Phase::Relearning;
                let steps = &self.relearning_steps;
                // The interval the card returns to Review with: Anki keeps it on a
                // relearning card.
                let again_days = days(next.again.interval, 1);
                let lapses = state.lapses + u32::from(!relearning);
                let again = match steps.again_delay() {
                    Some(secs) => CardState {
                        phase: Phase::Relearning,
                        due: step_due(secs),
                        interval_days: again_days,
                        lapses,
                        ..base
                    },
                    None => CardState {
                        lapses,
                        ..graduate(again_days)
                    },
                };
                if relearning {
                    let in_step = |secs: u32, step: u32| CardState {
                        phase: Phase::Relearning,
                        due: step_due(secs),
                        step,
                        ..base
                    };
                    let hard = match steps.hard_delay(state.step) {
                        Some(secs) => in_step(secs, state.step),
                        None => graduate(days(next.hard.interval, 1)),
                    };
                    let good = match steps.good_delay(state.step) {
                        Some(secs) => in_step(secs, state.step + 1),
                        None => graduate(graduate_good),
                    };
                    (again, hard, good, graduate(graduate_easy), false)
                } else {
                    (
                        again,
                        graduate(hard_days),
                        graduate(good_days),
                        graduate(easy_days),
                        true,
                    )
                }
            }
        };
        let outcome = |after: CardState, item: &::fsrs::ItemState, lapsed: bool| FsrsOutcome {
            outcome: Outcome {
                state: after,
                lapsed,
                became_leech: lapsed
                    && is_leech(after.lapses, settings)
                    && !is_leech(state.lapses, settings),
            },
            memory: item.memory.into(),
            retrievability,
        };
        Ok(FsrsNextStates {
            again: outcome(again, &next.again, lapsed),
            hard: outcome(hard, &next.hard, false),
            good: outcome(good, &next.good, false),
            easy: outcome(easy, &next.easy, false),
        })
    }

    /// What `answer` does to `card` at `moment`.
    pub fn answer(
        &self,
        card: &FsrsCard,
        answer: Answer,
        moment: &Moment,
        settings: &Settings,
    ) -> Result<FsrsOutcome> {
        Ok(*self.next_states(card, moment, settings)?.get(answer))
    }

    fn crate_next_states(
        &self,
        memory: Option<MemoryState>,
        elapsed_days: u32,
    ) -> Result<::fsrs::NextStates> {
        if let Some(m) = memory
            && !(m.stability.is_finite() && m.difficulty.is_finite() && m.stability > 0.0)
        {
            return Err(invalid_memory(m));
        }
        self.model
            .next_states(memory.map(Into::into), self.desired_retention, elapsed_days)
            .map_err(|_| {
                Error::Failed(
                    "FSRS gave no usable memory state for this answer (the parameters may be extreme)"
                        .to_string(),
                )
            })
    }
}

fn invalid_memory(m: MemoryState) -> Error {
    Error::Failed(format!(
        "a card's FSRS memory state is not usable (stability {}, difficulty {})",
        m.stability, m.difficulty
    ))
}

fn pick(next: &::fsrs::NextStates, answer: Answer) -> &::fsrs::ItemState {
    match answer {
        Answer::Again => &next.again,
        Answer::Hard => &next.hard,
        Answer::Good => &next.good,
        Answer::Easy => &next.easy,
    }
}

/// Study days since the card's previous answer (0 for the same day or none).
pub fn elapsed_days(card: &FsrsCard, moment: &Moment) -> u32 {
    card.last_answer_day
        .map(|day| u32::try_from(moment.today - day).unwrap_or(0))
        .unwrap_or(0)
}

/// Anki's `with_review_fuzz` for one answer: the interval rounded into [minimum, maximum],
/// or drawn by `fraction` from Anki's fuzz range clipped to those bounds.
struct Bounds {
    maximum: u32,
    fraction: Option<f64>,
}

impl Bounds {
    fn days(&self, interval: f32, minimum: u32) -> u32 {
        let maximum = self.maximum;
        let minimum = minimum.clamp(1, maximum);
        let interval = f64::from(interval).clamp(f64::from(minimum), f64::from(maximum));
        match self.fraction {
            None => round_days(interval).clamp(minimum, maximum),
            Some(fraction) => {
                let (mut lower, mut upper) = fuzz_bounds(interval);
                lower = lower.clamp(minimum, maximum);
                upper = upper.clamp(minimum, maximum);
                if upper == lower && upper > 2 && upper < maximum {
                    upper = lower + 1;
                }
                let span = f64::from(upper - lower + 1);
                let offset = (fraction.clamp(0.0, 1.0) * span).floor().min(span - 1.0);
                lower + round_days(offset)
            }
        }
    }
}

/// A non-negative number of days no larger than u32::MAX, rounded: the cast is exact.
fn round_days(days: f64) -> u32 {
    days.round().clamp(0.0, f64::from(u32::MAX)) as u32
}

/// Anki's fuzz range for an unrounded interval: 1 day plus 15% of the days between 2.5 and
/// 7, 10% of those between 7 and 20 and 5% of those beyond; none under 2.5 days.
fn fuzz_bounds(interval: f64) -> (u32, u32) {
    let delta = if interval < 2.5 {
        0.0
    } else {
        1.0 + 0.15 * (interval.min(7.0) - 2.5)
            + 0.10 * (interval.min(20.0) - 7.0).max(0.0)
            + 0.05 * (interval - 20.0).max(0.0)
    };
    (round_days(interval - delta), round_days(interval + delta))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const TODAY: DayNumber = 20_000;

    fn defaults() -> Fsrs {
        Fsrs::new(&[], DEFAULT_DESIRED_RETENTION).unwrap()
    }

    fn no_fuzz() -> Settings {
        Settings {
            fuzz: false,
            ..Settings::default()
        }
    }

    fn at(card_id: i64, today: DayNumber, secs: i64) -> Moment {
        Moment {
            card_id,
            today,
            now: today * 86_400 + secs,
        }
    }

    /// Seconds until due, as the buttons would show it.
    fn wait(due: Due, moment: &Moment) -> i64 {
        match due {
            Due::At(t) => t - moment.now,
            Due::Day(d) => (d - moment.today) * 86_400,
            Due::Unscheduled => i64::MAX,
        }
    }

    #[test]
    fn a_new_card_answered_takes_the_crates_initial_states_and_the_learning_steps() {
        let fsrs = defaults();
        let moment = at(1, TODAY, 36_000);
        let next = fsrs
            .next_states(&FsrsCard::new_card(), &moment, &no_fuzz())
            .unwrap();
        let w = default_parameters();
        assert_eq!(next.again.memory.stability, w[0]);
        assert_eq!(next.good.memory.stability, w[2]);
        assert_eq!(next.easy.memory.difficulty, 1.0);
        assert_eq!(next.again.outcome.state.due, Due::At(moment.now + 60));
        assert_eq!(next.hard.outcome.state.due, Due::At(moment.now + 330));
        assert_eq!(next.good.outcome.state.due, Due::At(moment.now + 600));
        assert_eq!(next.good.outcome.state.step, 1);
        assert_eq!(next.easy.outcome.state.phase, Phase::Review);
        // Easy graduates at round(8.2956) = 8 days.
        assert_eq!(next.easy.outcome.state.interval_days, 8);
        assert_eq!(next.easy.outcome.state.due, Due::Day(TODAY + 8));
        assert_eq!(next.good.retrievability, None);
    }

    #[test]
    fn good_on_the_last_learning_step_graduates_with_the_fsrs_interval() {
        let fsrs = defaults();
        let mut card = FsrsCard::new_card();
        for secs in [36_000, 36_600] {
            let moment = at(1, TODAY, secs);
            card = fsrs
                .answer(&card, Answer::Good, &moment, &no_fuzz())
                .unwrap()
                .card(TODAY);
        }
        assert_eq!(card.state.phase, Phase::Review);
        let memory = card.memory.unwrap();
        // Same-day Good: the short-term factor e^(w17 (w18)) 2.3065^-w19 is 0.994, and a
        // pass never lowers stability, so it stays at w[2].
        assert_eq!(memory.stability, default_parameters()[2]);
        assert_eq!(
            card.state.interval_days,
            memory.stability.round() as u32,
            "at 90% the interval is the stability"
        );
    }

    #[test]
    fn a_forgotten_review_card_counts_a_lapse_and_relearns_for_ten_minutes() {
        let fsrs = defaults();
        let card = FsrsCard {
            state: CardState {
                phase: Phase::Review,
                due: Due::Day(TODAY),
                interval_days: 20,
                repetitions: 5,
                ..CardState::new_card()
            },
            memory: Some(MemoryState {
                stability: 20.0,
                difficulty: 5.0,
            }),
            last_answer_day: Some(TODAY - 20),
        };
        let moment = at(3, TODAY, 40_000);
        let out = fsrs
            .answer(&card, Answer::Again, &moment, &no_fuzz())
            .unwrap();
        assert!(out.outcome.lapsed);
        assert_eq!(out.outcome.state.phase, Phase::Relearning);
        assert_eq!(out.outcome.state.lapses, 1);
        assert_eq!(out.outcome.state.due, Due::At(moment.now + 600));
        // At 20 days on a stability of 20 days, recall was predicted at 90%.
        assert!((out.retrievability.unwrap() - 0.9).abs() < 1e-4);
        let relearnt = out.card(TODAY);
        let later = at(3, TODAY, 40_600);
        let back = fsrs
            .answer(&relearnt, Answer::Good, &later, &no_fuzz())
            .unwrap();
        assert_eq!(back.outcome.state.phase, Phase::Review);
        assert!(!back.outcome.lapsed);
        assert_eq!(back.outcome.state.lapses, 1);
    }

    #[test]
    fn desired_retention_outside_0_70_to_0_97_is_a_usage_error_naming_the_range() {
        for bad in [0.5, 0.69, 0.98, f64::NAN] {
            let error = Fsrs::new(&[], bad).unwrap_err();
            assert!(matches!(error, Error::Usage(_)), "{bad}");
            assert!(error.to_string().contains("0.70 to 0.97"), "{error}");
        }
        assert!(Fsrs::new(&[], 0.70).is_ok());
        assert!(Fsrs::new(&[], 0.97).is_ok());
    }

    #[test]
    fn parameters_are_21_finite_numbers_or_none() {
        assert!(Fsrs::new(&default_parameters(), 0.9).is_ok());
        assert!(matches!(
            Fsrs::new(&[0.5; 20], 0.9).unwrap_err(),
            Error::Usage(_)
        ));
        let mut bad = default_parameters();
        bad[3] = f32::INFINITY;
        assert!(Fsrs::new(&bad, 0.9).is_err());
    }

    #[test]
    fn an_unusable_stored_memory_state_is_an_error_not_a_panic() {
        let mut card = FsrsCard::new_card();
        card.memory = Some(MemoryState {
            stability: f32::NAN,
            difficulty: 5.0,
        });
        assert!(
            defaults()
                .next_states(&card, &at(1, TODAY, 0), &no_fuzz())
                .is_err()
        );
    }

    #[test]
    fn steps_follow_ankis_rules() {
        let two = Steps::new(&[60, 600]);
        assert_eq!(
            (two.again_delay(), two.hard_delay(0), two.good_delay(0)),
            (Some(60), Some(330), Some(600))
        );
        assert_eq!((two.hard_delay(1), two.good_delay(1)), (Some(600), None));
        let one = Steps::new(&[600]);
        assert_eq!((one.hard_delay(0), one.good_delay(0)), (Some(900), None));
        let long = Steps::new(&[3 * 86_400]);
        assert_eq!(long.hard_delay(0), Some(4 * 86_400));
        // A step index past shortened steps is read as the last step.
        assert_eq!(two.hard_delay(7), Some(600));
        assert_eq!(Steps::new(&[]).again_delay(), None);
    }

    #[test]
    fn fuzz_matches_ankis_published_ranges() {
        let bounds = |fraction| Bounds {
            maximum: 1000,
            fraction: Some(fraction),
        };
        for (interval, lower, upper) in [(7.0, 5, 9), (17.0, 14, 20), (37.0, 33, 41), (2.5, 2, 4)] {
            assert_eq!(bounds(0.0).days(interval, 1), lower, "{interval}");
            assert_eq!(bounds(0.999).days(interval, 1), upper, "{interval}");
        }
        assert_eq!(bounds(0.5).days(100.0, 101), 105);
        let capped = |maximum| Bounds {
            maximum,
            fraction: Some(0.99),
        };
        assert_eq!(capped(99).days(100.0, 1), 99);
        assert_eq!(capped(103).days(100.0, 97), 103);
    }

    fn any_card() -> impl Strategy<Value = FsrsCard> {
        (
            prop_oneof![
                Just(Phase::New),
                Just(Phase::Learning),
                Just(Phase::Review),
                Just(Phase::Relearning)
            ],
            0.01f32..5000.0,
            1.0f32..10.0,
            0u32..3,
            0u32..30,
            0i64..400,
        )
            .prop_map(
                |(phase, stability, difficulty, step, repetitions, elapsed)| {
                    let new = phase == Phase::New;
                    FsrsCard {
                        state: CardState {
                            phase,
                            due: if new {
                                Due::Unscheduled
                            } else {
                                Due::Day(TODAY)
                            },
                            interval_days: if new { 0 } else { elapsed as u32 },
                            repetitions: if new { 0 } else { repetitions },
                            step,
                            ..CardState::new_card()
                        },
                        memory: (!new).then_some(MemoryState {
                            stability,
                            difficulty,
                        }),
                        last_answer_day: (!new).then_some(TODAY - elapsed),
                    }
                },
            )
    }

    fn any_answer() -> impl Strategy<Value = Answer> {
        prop_oneof![
            Just(Answer::Again),
            Just(Answer::Hard),
            Just(Answer::Good),
            Just(Answer::Easy)
        ]
    }

    proptest! {
        #[test]
        fn buttons_wait_again_le_hard_le_good_le_easy(card in any_card(), card_id in 0i64..10_000, fuzz in any::<bool>(), secs in 0i64..86_400) {
            let settings = Settings { fuzz, ..Settings::default() };
            let moment = at(card_id, TODAY, secs);
            let next = defaults().next_states(&card, &moment, &settings).unwrap();
            let waits: Vec<i64> = Answer::ALL.iter().map(|a| wait(next.get(*a).outcome.state.due, &moment)).collect();
            prop_assert!(waits.windows(2).all(|w| w[0] <= w[1]), "{:?}", waits);
            let days: Vec<u32> = [Answer::Hard, Answer::Good, Answer::Easy].iter()
                .map(|a| next.get(*a).outcome.state)
                .filter(|s| s.phase == Phase::Review)
                .map(|s| s.interval_days)
                .collect();
            prop_assert!(days.windows(2).all(|w| w[0] <= w[1]), "{:?}", days);
            prop_assert!(days.iter().all(|d| *d >= 1 && *d <= settings.maximum_interval_days));
        }

        #[test]
        fn replaying_the_answers_reproduces_the_card_and_its_memory(
            answers in proptest::collection::vec((any_answer(), 0i64..60, 0i64..3600), 1..30),
            card_id in 0i64..10_000,
        ) {
            let fsrs = defaults();
            let settings = Settings::default();
            let run = || {
                let mut card = FsrsCard::new_card();
                let mut today = TODAY;
                let mut history = vec![];
                for (i, &(answer, gap, secs)) in answers.iter().enumerate() {
                    today += gap;
                    let moment = at(card_id, today, 36_000 + secs + i as i64);
                    history.push((answer, elapsed_days(&card, &moment)));
                    card = fsrs.answer(&card, answer, &moment, &settings).unwrap().card(today);
                }
                (card, history)
            };
            let (first, history) = run();
            let (second, _) = run();
            prop_assert_eq!(first, second);
            // The memory state is the fold of grades and elapsed days alone.
            prop_assert_eq!(fsrs.memory_of(&history).unwrap(), first.memory);
        }

        #[test]
        fn higher_desired_retention_never_gives_longer_intervals(
            card in any_card(),
            low in 0.70f64..0.97,
            raise in 0.0f64..0.27,
            card_id in 0i64..10_000,
            fuzz in any::<bool>(),
        ) {
            let high = (low + raise).min(MAXIMUM_DESIRED_RETENTION);
            let settings = Settings { fuzz, ..Settings::default() };
            let moment = at(card_id, TODAY, 36_000);
            let lax = Fsrs::new(&[], low).unwrap().next_states(&card, &moment, &settings).unwrap();
            let strict = Fsrs::new(&[], high).unwrap().next_states(&card, &moment, &settings).unwrap();
            for answer in Answer::ALL {
                let (l, s) = (lax.get(answer).outcome.state, strict.get(answer).outcome.state);
                prop_assert!(wait(s.due, &moment) <= wait(l.due, &moment), "{:?}: {:?} vs {:?}", answer, s, l);
            }
        }
    }
}
