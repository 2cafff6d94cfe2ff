//! PURE: Anki's v3 scheduling rules ("SM-2 with learning steps"), proven answer by answer
//! against Anki's own engine (`tests/anki_reference.rs`, `bench/anki_reference.sh`).
//!
//! Inside, a card is one small type per phase, as Anki's `rslib/src/scheduler/states/` has
//! it, so a new card with a due day or a review card with a step cannot be written down:
//! [`Learn`] (the step it is on), [`Review`] (interval, days elapsed, ease, lapses) and
//! [`Relearn`] (a step and the review the card returns to). [`answer`] converts our
//! [`CardState`] into these, applies the rules and converts back:
//!
//! - learning and relearning cards are due at an instant (`Due::At`, `step` is the index of
//!   the current step, `interval_days` is 0 while learning and the interval the card will
//!   return with while relearning); review cards on a day;
//! - `ease_permille` is Anki's factor (changes are whole thousandths); a learning card
//!   carries the starting ease, which it gets when it graduates (Anki stores 0 meanwhile);
//! - `repetitions` counts every answer, as Anki's `reps`, and seeds the fuzz with the card
//!   id (our generator, Anki's ranges: [`super::fuzz`]).
//!
//! Intervals are computed in `f32`, as Anki computes them, so rounding agrees with it.
//! A review answered late gets Anki's late credit (Good counts half the days late, Easy all
//! of them); answered early through [`answer`], a review counts as on time, as in Anki's
//! normal decks; [`answer_ahead`] applies Anki's early-review formula (its filtered decks
//! that reschedule).

pub mod settings;

#[cfg(test)]
mod tests;

pub use settings::{AnkiSettings, MAX_STEPS, Steps};

use super::{Answer, CardState, Due, Moment, NextStates, Outcome, Phase, fuzz};
use settings::ratio;

/// A learning card: the index of the step it is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Learn {
    pub step: u32,
}

/// A review card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Review {
    pub scheduled_days: u32,
    /// Days since the last answer (negative lateness means early).
    pub elapsed_days: u32,
    pub ease_permille: u32,
    pub lapses: u32,
}

/// A forgotten review card going through its relearning steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Relearn {
    pub learning: Learn,
    /// The review it returns to when the steps are done.
    pub review: Review,
}

/// A card as Anki's rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    New,
    Learning(Learn),
    Review(Review),
    Relearning(Relearn),
}

/// What an answer leads to: a state, the delay of a learning step in seconds, and whether
/// this answer made the card a leech.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Next {
    state: State,
    step_secs: u32,
    leech: bool,
}

impl Next {
    fn review(review: Review) -> Next {
        Next {
            state: State::Review(review),
            step_secs: 0,
            leech: false,
        }
    }
}

/// Everything the rules read for one answer.
struct Context<'a> {
    settings: &'a AnkiSettings,
    /// In 0..1 when fuzz is on.
    fraction: Option<f32>,
}

impl Context<'_> {
    fn maximum(&self) -> u32 {
        self.settings.maximum_interval_days.max(1)
    }

    /// Anki's `min_and_max_review_intervals`: the minimum at least 1 and at most the maximum.
    fn range(&self, minimum: u32) -> (u32, u32) {
        let maximum = self.maximum();
        (minimum.clamp(1, maximum), maximum)
    }

    fn fuzzed(&self, interval: f32, minimum: u32) -> u32 {
        let (minimum, maximum) = self.range(minimum);
        fuzz::anki_interval(self.fraction, interval, minimum, maximum)
    }

    /// Anki's `constrain_passing_interval`.
    fn passing(&self, interval: f32, minimum: u32, with_fuzz: bool) -> u32 {
        let interval = interval * ratio(self.settings.interval_modifier_permille);
        let (minimum, maximum) = self.range(minimum);
        let fraction = if with_fuzz { self.fraction } else { None };
        fuzz::anki_interval(fraction, interval, minimum, maximum)
    }

    fn ease(&self, ease_permille: u32, delta: i32) -> u32 {
        let changed = i64::from(ease_permille) + i64::from(delta);
        let floor = i64::from(self.settings.minimum_ease_permille);
        // Between the floor (a u32) and an old u32 value plus a delta that fits in i32.
        u32::try_from(changed.max(floor)).unwrap_or(u32::MAX)
    }

    fn graduate(&self, days: u32, lapses: u32) -> Next {
        Next::review(Review {
            scheduled_days: self.fuzzed(days.max(1) as f32, 1),
            elapsed_days: 0,
            ease_permille: self.settings.starting_ease_permille,
            lapses,
        })
    }
}

/// Anki's leech rule: at the threshold, and every half threshold (rounded up) after it.
pub fn leech_threshold_met(lapses: u32, threshold: u32) -> bool {
    if threshold == 0 {
        return false;
    }
    let half = threshold.div_ceil(2).max(1);
    lapses >= threshold && (lapses - threshold).is_multiple_of(half)
}

fn answer_learning(step: u32, lapses: u32, answer: Answer, ctx: &Context) -> Next {
    let s = ctx.settings;
    let steps = s.learning_steps;
    let learn = |step: u32, secs: u32| Next {
        state: State::Learning(Learn { step }),
        step_secs: secs,
        leech: false,
    };
    match answer {
        Answer::Again => match steps.again_delay() {
            Some(secs) => learn(0, secs),
            None => ctx.graduate(s.graduating_interval_days, lapses),
        },
        Answer::Hard => match steps.hard_delay(step) {
            Some(secs) => learn(step, secs),
            None => ctx.graduate(s.graduating_interval_days, lapses),
        },
        Answer::Good => match steps.good_step(step) {
            Some((next, secs)) => learn(next, secs),
            None => ctx.graduate(s.graduating_interval_days, lapses),
        },
        Answer::Easy => ctx.graduate(s.easy_interval_days, lapses),
    }
}

impl Review {
    fn days_late(&self) -> i64 {
        i64::from(self.elapsed_days) - i64::from(self.scheduled_days)
    }

    /// The interval a lapse returns with (Anki's `failing_review_interval`).
    fn failing_interval(&self, ctx: &Context) -> u32 {
        let interval =
            (self.scheduled_days as f32).max(1.0) * ratio(ctx.settings.lapse_new_interval_permille);
        ctx.fuzzed(interval, ctx.settings.lapse_minimum_interval_days)
            .max(1)
    }

    /// Hard, Good and Easy: each at least a day more than the one before.
    fn passing_intervals(&self, ctx: &Context) -> (u32, u32, u32) {
        let s = ctx.settings;
        let ease = ratio(self.ease_permille);
        let hard_factor = ratio(s.hard_interval_permille);
        let easy_bonus = ratio(s.easy_bonus_permille);
        if self.days_late() < 0 {
            let scheduled = (self.scheduled_days as f32).max(1.0);
            let elapsed = self.elapsed_days as f32;
            let hard = ctx.passing(
                (elapsed * hard_factor).max(scheduled * (hard_factor / 2.0)),
                0,
                false,
            );
            let good = ctx.passing((elapsed * ease).max(scheduled), 0, false);
            let reduced_bonus = easy_bonus - (easy_bonus - 1.0) / 2.0;
            let easy = ctx.passing((elapsed * ease).max(scheduled) * reduced_bonus, 0, false);
            return (hard, good, easy);
        }
        let current = (self.scheduled_days as f32).max(1.0);
        // Non-negative here and at most u32::MAX: exact enough in f32 for any real lateness.
        let days_late = self.days_late().max(0) as f32;
        let hard_minimum = if hard_factor <= 1.0 {
            0
        } else {
            self.scheduled_days.saturating_add(1)
        };
        let hard = ctx.passing(current * hard_factor, hard_minimum, true);
        let good_minimum = if hard_factor <= 1.0 {
            self.scheduled_days.saturating_add(1)
        } else {
            hard.saturating_add(1)
        };
        let good = ctx.passing((current + days_late / 2.0) * ease, good_minimum, true);
        let easy = ctx.passing(
            (current + days_late) * ease * easy_bonus,
            good.saturating_add(1),
            true,
        );
        (hard, good, easy)
    }

    fn answer(&self, answer: Answer, ctx: &Context) -> Next {
        let s = ctx.settings;
        match answer {
            Answer::Again => {
                let lapses = self.lapses + 1;
                let review = Review {
                    scheduled_days: self.failing_interval(ctx),
                    elapsed_days: 0,
                    ease_permille: ctx.ease(self.ease_permille, s.again_ease_delta_permille),
                    lapses,
                };
                let leech = leech_threshold_met(lapses, s.leech_lapses);
                match s.relearning_steps.again_delay() {
                    Some(secs) => Next {
                        state: State::Relearning(Relearn {
                            learning: Learn { step: 0 },
                            review,
                        }),
                        step_secs: secs,
                        leech,
                    },
                    None => Next {
                        leech,
                        ..Next::review(review)
                    },
                }
            }
            _ => {
                let (hard, good, easy) = self.passing_intervals(ctx);
                let (scheduled_days, delta) = match answer {
                    Answer::Hard => (hard, s.hard_ease_delta_permille),
                    Answer::Easy => (easy, s.easy_ease_delta_permille),
                    _ => (good, 0),
                };
                Next::review(Review {
                    scheduled_days,
                    elapsed_days: 0,
                    ease_permille: ctx.ease(self.ease_permille, delta),
                    lapses: self.lapses,
                })
            }
        }
    }
}

impl Relearn {
    fn answer(&self, answer: Answer, ctx: &Context) -> Next {
        let steps = ctx.settings.relearning_steps;
        let relearn = |step: u32, secs: u32, review: Review| Next {
            state: State::Relearning(Relearn {
                learning: Learn { step },
                review,
            }),
            step_secs: secs,
            leech: false,
        };
        let back = Review {
            elapsed_days: 0,
            ..self.review
        };
        match answer {
            Answer::Again => match steps.again_delay() {
                Some(secs) => relearn(
                    0,
                    secs,
                    Review {
                        scheduled_days: self.review.failing_interval(ctx),
                        ..back
                    },
                ),
                None => Next::review(back),
            },
            Answer::Hard => match steps.hard_delay(self.learning.step) {
                Some(secs) => relearn(self.learning.step, secs, back),
                None => Next::review(back),
            },
            Answer::Good => match steps.good_step(self.learning.step) {
                Some((next, secs)) => relearn(next, secs, back),
                None => Next::review(back),
            },
            Answer::Easy => Next::review(Review {
                scheduled_days: self.review.scheduled_days.saturating_add(1),
                ..back
            }),
        }
    }
}

impl State {
    /// The card as Anki's rules see it. `ahead`: a review card answered before it is due
    /// keeps its early days (Anki's rescheduling filtered decks); otherwise it counts as on
    /// time (Anki's normal decks).
    pub fn of(card: &CardState, today: i64, ahead: bool) -> State {
        match card.phase {
            Phase::New => State::New,
            Phase::Learning => State::Learning(Learn { step: card.step }),
            Phase::Review => {
                let until_due = match card.due {
                    Due::Day(day) if ahead => day - today,
                    Due::Day(day) => day.min(today) - today,
                    Due::At(_) | Due::Unscheduled => 0,
                };
                let elapsed = (i64::from(card.interval_days) - until_due).max(0);
                State::Review(Review {
                    scheduled_days: card.interval_days,
                    elapsed_days: u32::try_from(elapsed).unwrap_or(u32::MAX),
                    ease_permille: card.ease_permille,
                    lapses: card.lapses,
                })
            }
            Phase::Relearning => State::Relearning(Relearn {
                learning: Learn { step: card.step },
                review: Review {
                    scheduled_days: card.interval_days,
                    elapsed_days: card.interval_days,
                    ease_permille: card.ease_permille,
                    lapses: card.lapses,
                },
            }),
        }
    }
}

fn next(state: State, lapses: u32, answer: Answer, ctx: &Context) -> Next {
    match state {
        // A new card is answered as a learning card on its first step.
        State::New => answer_learning(0, lapses, answer, ctx),
        State::Learning(learn) => answer_learning(learn.step, lapses, answer, ctx),
        State::Review(review) => review.answer(answer, ctx),
        State::Relearning(relearn) => relearn.answer(answer, ctx),
    }
}

fn outcome(
    card: &CardState,
    answer: Answer,
    moment: &Moment,
    settings: &AnkiSettings,
    ahead: bool,
) -> Outcome {
    let fraction = settings.fuzz.then(|| {
        // In 0..1; a value that rounds to 1.0 in f32 is kept in range by `fuzz::interval`.
        fuzz::seeded_fraction(moment.card_id, card.repetitions) as f32
    });
    let ctx = Context { settings, fraction };
    let state = State::of(card, moment.today, ahead);
    let was_review = matches!(state, State::Review(_));
    let next = next(state, card.lapses, answer, &ctx);
    let repetitions = card.repetitions.saturating_add(1);
    let at = |secs: u32| {
        Due::At(moment.now + i64::from(secs) + i64::from(fuzz::learning_extra_secs(fraction, secs)))
    };
    let state = match next.state {
        State::New => CardState::new_card(),
        State::Learning(learn) => CardState {
            phase: Phase::Learning,
            due: at(next.step_secs),
            interval_days: 0,
            ease_permille: settings.starting_ease_permille,
            repetitions,
            lapses: card.lapses,
            step: learn.step,
            memory: None,
        },
        State::Review(review) => CardState {
            phase: Phase::Review,
            due: Due::Day(moment.today + i64::from(review.scheduled_days)),
            interval_days: review.scheduled_days,
            ease_permille: review.ease_permille,
            repetitions,
            lapses: review.lapses,
            step: 0,
            memory: None,
        },
        State::Relearning(relearn) => CardState {
            phase: Phase::Relearning,
            due: at(next.step_secs),
            interval_days: relearn.review.scheduled_days,
            ease_permille: relearn.review.ease_permille,
            repetitions,
            lapses: relearn.review.lapses,
            step: relearn.learning.step,
            memory: None,
        },
    };
    Outcome {
        state,
        retrievability: None,
        lapsed: was_review && answer == Answer::Again,
        became_leech: next.leech,
    }
}

/// One answer under Anki's v3 rules, as in its normal decks.
pub fn answer(
    card: &CardState,
    answer: Answer,
    moment: &Moment,
    settings: &AnkiSettings,
) -> Outcome {
    outcome(card, answer, moment, settings, false)
}

/// One answer to a card studied ahead of its due day, rescheduled by Anki's early-review
/// formula (Anki's filtered decks that reschedule); on time or late it is [`answer`].
pub fn answer_ahead(
    card: &CardState,
    answer: Answer,
    moment: &Moment,
    settings: &AnkiSettings,
) -> Outcome {
    outcome(card, answer, moment, settings, true)
}

/// What each button would do.
pub fn next_states(card: &CardState, moment: &Moment, settings: &AnkiSettings) -> NextStates {
    let one = |a: Answer| answer(card, a, moment, settings);
    NextStates {
        again: one(Answer::Again),
        hard: one(Answer::Hard),
        good: one(Answer::Good),
        easy: one(Answer::Easy),
    }
}
