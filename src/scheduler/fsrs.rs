//! PURE FSRS-6 scheduling through the `fsrs` crate, with learning steps as Anki runs FSRS.
//!
//! - A card's memory state (stability in days, difficulty 1 to 10) is the fold of its answers:
//!   each answer's grade and the study days since the previous answer are all it reads
//!   ([`Moment::last_day`]). An answer on the same study day as the previous one (elapsed 0)
//!   takes FSRS-6's short-term branch, as the crate and the Python package both do. It lives
//!   in [`CardState::memory`]; a card answered before with no memory state (its history made
//!   by another scheduler) gets the fold of its logged answers first ([`with_memory`]).
//! - Intervals come from the next states at `desired_retention` (0.70 to 0.97, default 0.90),
//!   through Anki's rules for FSRS: Hard at least 1 day, Good at least Hard + 1, Easy at least
//!   Good + 1, each fuzzed inside Anki's ranges ([`super::fuzz::anki_interval`]) clipped to
//!   those bounds and to the maximum interval. The fuzz draw is seeded by card id and
//!   repetition count, so a replay gives the same days.
//! - New and learning cards go through the learning steps, forgotten review cards through the
//!   relearning steps ([`super::steps`]), as Anki's `states/{learning,relearning}.rs` do: Again
//!   goes back to the first step, Hard repeats the step, Good moves on or graduates, Easy
//!   graduates. A card in steps is due at an instant, [`Due::At`].

use super::{
    Answer, CardState, Due, Moment, NextStates, Outcome, Phase, Settings, Steps, fuzz, is_leech,
};
use crate::clock::DayNumber;
use crate::error::{Error, Result};

pub const DEFAULT_DESIRED_RETENTION: f64 = 0.90;
pub const MINIMUM_DESIRED_RETENTION: f64 = 0.70;
pub const MAXIMUM_DESIRED_RETENTION: f64 = 0.97;

/// The 21 default FSRS-6 parameters, as the crate ships them.
pub fn default_parameters() -> [f32; 21] {
    ::fsrs::DEFAULT_PARAMETERS
}

/// The 21 FSRS-6 parameters, all finite.
#[derive(Debug, Clone, Copy)]
pub struct FsrsParameters(pub [f32; 21]);

impl FsrsParameters {
    /// 21 finite numbers, or none for the defaults.
    pub fn new(parameters: &[f32]) -> Result<FsrsParameters> {
        match parameters.len() {
            0 => Ok(FsrsParameters::default()),
            21 if parameters.iter().all(|w| w.is_finite()) => {
                let mut all = [0.0; 21];
                all.copy_from_slice(parameters);
                Ok(FsrsParameters(all))
            }
            21 => Err(Error::usage(
                "the FSRS parameters must be finite numbers".to_string(),
            )),
            n => Err(Error::usage(format!(
                "FSRS needs 21 parameters, not {n} (or none for the defaults)"
            ))),
        }
    }
}

impl Default for FsrsParameters {
    fn default() -> FsrsParameters {
        FsrsParameters(default_parameters())
    }
}

/// Parameters are equal when their bits are: the log names them exactly.
impl PartialEq for FsrsParameters {
    fn eq(&self, other: &FsrsParameters) -> bool {
        self.0
            .iter()
            .zip(other.0.iter())
            .all(|(a, b)| a.to_bits() == b.to_bits())
    }
}

impl Eq for FsrsParameters {}

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

/// Memory states are finite: the crate's results are checked ([`Fsrs`] refuses a non-finite
/// state) and the store refuses to read one, so `==` is an equivalence here.
impl Eq for MemoryState {}

impl MemoryState {
    /// Both numbers finite and the stability positive: a state the crate can continue from.
    pub fn is_usable(&self) -> bool {
        self.stability.is_finite() && self.difficulty.is_finite() && self.stability > 0.0
    }
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
        let filled = FsrsParameters::new(parameters)?;
        // Checked to lie in 0.70..=0.97 above: the narrowing loses nothing that matters.
        Fsrs::with_parameters(&filled, desired_retention as f32)
    }

    /// The scheduler the collection's settings describe.
    pub fn from_settings(settings: &Settings) -> Result<Fsrs> {
        let retention = settings.desired_retention();
        if !(0.0..1.0).contains(&retention) {
            return Err(Error::usage(format!(
                "desired_retention {retention} is out of range (0.70 to 0.97)"
            )));
        }
        Ok(Fsrs::with_parameters(&settings.fsrs_parameters, retention)?
            .with_steps(settings.learning_steps, settings.relearning_steps))
    }

    fn with_parameters(parameters: &FsrsParameters, desired_retention: f32) -> Result<Fsrs> {
        let model = ::fsrs::FSRS::new(&parameters.0)
            .map_err(|e| Error::usage(format!("the FSRS parameters are not usable ({e:?})")))?;
        Ok(Fsrs {
            model,
            decay: parameters.0[20],
            desired_retention,
            learning_steps: Steps::default_learning(),
            relearning_steps: Steps::default_relearning(),
        })
    }

    /// The same scheduler with other learning and relearning steps.
    pub fn with_steps(mut self, learning: Steps, relearning: Steps) -> Fsrs {
        self.learning_steps = learning;
        self.relearning_steps = relearning;
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

    /// What each button would do to `state` at `moment`.
    pub fn next_states(
        &self,
        state: &CardState,
        moment: &Moment,
        settings: &Settings,
    ) -> Result<NextStates> {
        let elapsed = elapsed_days(moment);
        let memory = state.memory;
        let next = self.crate_next_states(memory, elapsed)?;
        let retrievability = memory.map(|m| self.retrievability(m, elapsed as f32));
        let repetitions = state.repetitions.saturating_add(1);
        let buttons = Buttons {
            base: CardState {
                repetitions,
                step: 0,
                ..*state
            },
            next: &next,
            now: moment.now,
            today: moment.today,
            fraction: settings
                .fuzz
                .then(|| fuzz::seeded_fraction(moment.card_id, repetitions) as f32),
            maximum: settings.maximum_interval_days.max(1),
        };
        let (again, hard, good, easy, lapsed) = match state.phase {
            Phase::New => buttons.in_steps(&self.learning_steps, Phase::Learning, 0),
            Phase::Learning => buttons.in_steps(&self.learning_steps, Phase::Learning, state.step),
            Phase::Relearning => buttons.relearning(&self.relearning_steps, state),
            Phase::Review => buttons.review(&self.relearning_steps, state),
        };
        let outcome =
            |after: CardState, item: &::fsrs::ItemState, lapsed: bool| -> Result<Outcome> {
                let memory: MemoryState = item.memory.into();
                if !memory.is_usable() {
                    return Err(no_usable_state());
                }
                Ok(Outcome {
                    state: CardState {
                        memory: Some(memory),
                        ..after
                    },
                    retrievability,
                    lapsed,
                    became_leech: lapsed
                        && is_leech(after.lapses, settings)
                        && !is_leech(state.lapses, settings),
                })
            };
        Ok(NextStates {
            again: outcome(again, &next.again, lapsed)?,
            hard: outcome(hard, &next.hard, false)?,
            good: outcome(good, &next.good, false)?,
            easy: outcome(easy, &next.easy, false)?,
        })
    }

    /// What `answer` does to `state` at `moment`.
    pub fn answer(
        &self,
        state: &CardState,
        answer: Answer,
        moment: &Moment,
        settings: &Settings,
    ) -> Result<Outcome> {
        Ok(*self.next_states(state, moment, settings)?.get(answer))
    }

    fn crate_next_states(
        &self,
        memory: Option<MemoryState>,
        elapsed_days: u32,
    ) -> Result<::fsrs::NextStates> {
        if let Some(m) = memory
            && !m.is_usable()
        {
            return Err(invalid_memory(m));
        }
        self.model
            .next_states(memory.map(Into::into), self.desired_retention, elapsed_days)
            .map_err(|_| no_usable_state())
    }
}

fn no_usable_state() -> Error {
    Error::Failed(
        "FSRS gave no usable memory state for this answer (the parameters may be extreme)"
            .to_string(),
    )
}

fn invalid_memory(m: MemoryState) -> Error {
    Error::Failed(format!(
        "a card's FSRS memory state is not usable (stability {}, difficulty {})",
        m.stability, m.difficulty
    ))
}

/// What each button's state is made from: the card after what every answer changes, the
/// crate's next memory states, and Anki's day arithmetic for FSRS intervals.
struct Buttons<'a> {
    base: CardState,
    next: &'a ::fsrs::NextStates,
    now: i64,
    today: DayNumber,
    /// The fuzz draw, when fuzz is on.
    fraction: Option<f32>,
    maximum: u32,
}

/// Again, Hard, Good and Easy, and whether Again is a lapse.
type Four = (CardState, CardState, CardState, CardState, bool);

impl Buttons<'_> {
    /// An interval in whole days: fuzzed in Anki's range, at least `minimum`, at most the maximum.
    fn days(&self, interval: f32, minimum: u32) -> u32 {
        fuzz::anki_interval(
            self.fraction,
            interval,
            minimum.clamp(1, self.maximum),
            self.maximum,
        )
    }

    /// The card in review, due `interval_days` from today.
    fn graduate(&self, interval_days: u32) -> CardState {
        CardState {
            phase: Phase::Review,
            due: Due::Day(self.today + i64::from(interval_days)),
            interval_days,
            ..self.base
        }
    }

    /// The card on a learning or relearning step, due `secs` from now.
    fn on_step(&self, phase: Phase, secs: u32, step: u32) -> CardState {
        CardState {
            phase,
            due: Due::At(self.now.saturating_add(i64::from(secs))),
            step,
            ..self.base
        }
    }

    /// Graduating from steps: Good from its own interval, Easy at least a day past Good.
    fn graduations(&self) -> (CardState, CardState) {
        let good = self.days(self.next.good.interval, 1);
        let easy = self.days(self.next.easy.interval, good + 1);
        (self.graduate(good), self.graduate(easy))
    }

    /// A new or learning card at `step` of the learning steps (Again restarts them; a
    /// learning card keeps no interval).
    fn in_steps(&self, steps: &Steps, phase: Phase, step: u32) -> Four {
        let on_step = |secs: u32, step: u32| CardState {
            interval_days: 0,
            ..self.on_step(phase, secs, step)
        };
        let again = match steps.again_delay() {
            Some(secs) => on_step(secs, 0),
            None => self.graduate(self.days(self.next.again.interval, 1)),
        };
        let hard = match steps.hard_delay(step) {
            Some(secs) => on_step(secs, step),
            None => self.graduate(self.days(self.next.hard.interval, 1)),
        };
        let (graduate_good, graduate_easy) = self.graduations();
        let good = match steps.good_step(step) {
            Some((next_step, secs)) => on_step(secs, next_step),
            None => graduate_good,
        };
        (again, hard, good, graduate_easy, false)
    }

    /// Again on a review or relearning card: back to the relearning steps (or straight to
    /// review when there are none), keeping the interval the card returns with.
    fn forgotten(&self, steps: &Steps, lapses: u32) -> CardState {
        let again_days = self.days(self.next.again.interval, 1);
        match steps.again_delay() {
            Some(secs) => CardState {
                interval_days: again_days,
                lapses,
                ..self.on_step(Phase::Relearning, secs, 0)
            },
            None => CardState {
                lapses,
                ..self.graduate(again_days)
            },
        }
    }

    /// A relearning card on its steps: Again restarts them, the others step on or graduate.
    fn relearning(&self, steps: &Steps, state: &CardState) -> Four {
        let again = self.forgotten(steps, state.lapses);
        let hard = match steps.hard_delay(state.step) {
            Some(secs) => self.on_step(Phase::Relearning, secs, state.step),
            None => self.graduate(self.days(self.next.hard.interval, 1)),
        };
        let (graduate_good, graduate_easy) = self.graduations();
        let good = match steps.good_step(state.step) {
            Some((next_step, secs)) => self.on_step(Phase::Relearning, secs, next_step),
            None => graduate_good,
        };
        (again, hard, good, graduate_easy, false)
    }

    /// A review card: Again is a lapse; Anki's passing intervals are each at least one day
    /// more than the one before.
    fn review(&self, steps: &Steps, state: &CardState) -> Four {
        let hard = self.days(self.next.hard.interval, 1);
        let good = self.days(self.next.good.interval, hard + 1);
        let easy = self.days(self.next.easy.interval, good + 1);
        (
            self.forgotten(steps, state.lapses + 1),
            self.graduate(hard),
            self.graduate(good),
            self.graduate(easy),
            true,
        )
    }
}

fn pick(next: &::fsrs::NextStates, answer: Answer) -> &::fsrs::ItemState {
    match answer {
        Answer::Again => &next.again,
        Answer::Hard => &next.hard,
        Answer::Good => &next.good,
        Answer::Easy => &next.easy,
    }
}

/// Study days since the card's previous answer (0 for the same day, none, or a clock set
/// back).
pub fn elapsed_days(moment: &Moment) -> u32 {
    moment
        .last_day
        .map(|day| u32::try_from(moment.today - day).unwrap_or(0))
        .unwrap_or(0)
}

/// The grades and elapsed study days of answers on these days, as [`Fsrs::memory_of`] reads
/// them: the first answer's elapsed days are 0.
pub fn history_of(answers: &[(Answer, DayNumber)]) -> Vec<(Answer, u32)> {
    let mut previous: Option<DayNumber> = None;
    answers
        .iter()
        .map(|&(answer, day)| {
            let elapsed = previous.map_or(0, |p| u32::try_from(day - p).unwrap_or(0));
            previous = Some(day);
            (answer, elapsed)
        })
        .collect()
}

/// The predicted recall of a card with a memory state on `today`: a review card was last
/// answered `interval_days` before its due day; a card in its steps was answered within the
/// step, so today counts as its day. None for a card without a memory state.
pub fn current_retrievability(
    state: &CardState,
    today: DayNumber,
    settings: &Settings,
) -> Option<f32> {
    let memory = state.memory?;
    let elapsed = match state.due {
        Due::Day(due) if state.phase == Phase::Review => {
            (today - (due - i64::from(state.interval_days))).max(0)
        }
        _ => 0,
    };
    // A day count far below f32's exact range in practice; the rounding is harmless.
    Some(::fsrs::current_retrievability(
        memory.into(),
        elapsed as f32,
        settings.fsrs_parameters.0[20],
    ))
}

/// `state` ready for an FSRS answer: a card answered before with no memory state (its
/// history made by another scheduler) gets the fold of its answers (grade, study day), the
/// same whichever scheduler made them; any other card is returned as it is.
pub fn with_memory(
    state: &CardState,
    answers: &[(Answer, DayNumber)],
    settings: &Settings,
) -> Result<CardState> {
    if state.memory.is_some() || state.phase == Phase::New || answers.is_empty() {
        return Ok(*state);
    }
    let memory = Fsrs::from_settings(settings)?.memory_of(&history_of(answers))?;
    Ok(CardState { memory, ..*state })
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
            last_day: None,
        }
    }

    fn since(card_id: i64, today: DayNumber, secs: i64, last_day: DayNumber) -> Moment {
        Moment {
            last_day: Some(last_day),
            ..at(card_id, today, secs)
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
            .next_states(&CardState::new_card(), &moment, &no_fuzz())
            .unwrap();
        let w = default_parameters();
        let memory = |o: &Outcome| o.state.memory.unwrap();
        assert_eq!(memory(&next.again).stability, w[0]);
        assert_eq!(memory(&next.good).stability, w[2]);
        assert_eq!(memory(&next.easy).difficulty, 1.0);
        assert_eq!(next.again.state.due, Due::At(moment.now + 60));
        assert_eq!(next.hard.state.due, Due::At(moment.now + 330));
        assert_eq!(next.good.state.due, Due::At(moment.now + 600));
        assert_eq!(next.good.state.step, 1);
        assert_eq!(next.easy.state.phase, Phase::Review);
        // Easy graduates at round(8.2956) = 8 days.
        assert_eq!(next.easy.state.interval_days, 8);
        assert_eq!(next.easy.state.due, Due::Day(TODAY + 8));
        assert_eq!(next.good.retrievability, None);
    }

    #[test]
    fn good_on_the_last_learning_step_graduates_with_the_fsrs_interval() {
        let fsrs = defaults();
        let mut card = CardState::new_card();
        for secs in [36_000, 36_600] {
            let moment = at(1, TODAY, secs);
            card = fsrs
                .answer(&card, Answer::Good, &moment, &no_fuzz())
                .unwrap()
                .state;
        }
        assert_eq!(card.phase, Phase::Review);
        let memory = card.memory.unwrap();
        // Same-day Good: the short-term factor e^(w17 (w18)) 2.3065^-w19 is 0.994, and a
        // pass never lowers stability, so it stays at w[2].
        assert_eq!(memory.stability, default_parameters()[2]);
        assert_eq!(
            card.interval_days,
            memory.stability.round() as u32,
            "at 90% the interval is the stability"
        );
    }

    #[test]
    fn a_forgotten_review_card_counts_a_lapse_and_relearns_for_ten_minutes() {
        let fsrs = defaults();
        let card = CardState {
            phase: Phase::Review,
            due: Due::Day(TODAY),
            interval_days: 20,
            repetitions: 5,
            memory: Some(MemoryState {
                stability: 20.0,
                difficulty: 5.0,
            }),
            ..CardState::new_card()
        };
        let moment = since(3, TODAY, 40_000, TODAY - 20);
        let out = fsrs
            .answer(&card, Answer::Again, &moment, &no_fuzz())
            .unwrap();
        assert!(out.lapsed);
        assert_eq!(out.state.phase, Phase::Relearning);
        assert_eq!(out.state.lapses, 1);
        assert_eq!(out.state.due, Due::At(moment.now + 600));
        // At 20 days on a stability of 20 days, recall was predicted at 90%.
        assert!((out.retrievability.unwrap() - 0.9).abs() < 1e-4);
        let relearnt = out.state;
        let later = since(3, TODAY, 40_600, TODAY);
        let back = fsrs
            .answer(&relearnt, Answer::Good, &later, &no_fuzz())
            .unwrap();
        assert_eq!(back.state.phase, Phase::Review);
        assert!(!back.lapsed);
        assert_eq!(back.state.lapses, 1);
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
        let mut card = CardState::new_card();
        card.phase = Phase::Review;
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

    /// A card and the study day of its previous answer.
    fn any_card() -> impl Strategy<Value = (CardState, Option<DayNumber>)> {
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
                    let card = CardState {
                        phase,
                        due: if new {
                            Due::Unscheduled
                        } else {
                            Due::Day(TODAY)
                        },
                        interval_days: if new { 0 } else { elapsed as u32 },
                        repetitions: if new { 0 } else { repetitions },
                        step,
                        memory: (!new).then_some(MemoryState {
                            stability,
                            difficulty,
                        }),
                        ..CardState::new_card()
                    };
                    (card, (!new).then_some(TODAY - elapsed))
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
        fn buttons_wait_again_le_hard_le_good_le_easy((card, last_day) in any_card(), card_id in 0i64..10_000, fuzz in any::<bool>(), secs in 0i64..86_400) {
            let settings = Settings { fuzz, ..Settings::default() };
            let moment = Moment { last_day, ..at(card_id, TODAY, secs) };
            let next = defaults().next_states(&card, &moment, &settings).unwrap();
            let waits: Vec<i64> = Answer::ALL.iter().map(|a| wait(next.get(*a).state.due, &moment)).collect();
            prop_assert!(waits.windows(2).all(|w| w[0] <= w[1]), "{:?}", waits);
            let days: Vec<u32> = [Answer::Hard, Answer::Good, Answer::Easy].iter()
                .map(|a| next.get(*a).state)
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
                let mut card = CardState::new_card();
                let mut today = TODAY;
                let mut last_day = None;
                let mut history = vec![];
                for (i, &(answer, gap, secs)) in answers.iter().enumerate() {
                    today += gap;
                    let moment = Moment { last_day, ..at(card_id, today, 36_000 + secs + i as i64) };
                    history.push((answer, today));
                    card = fsrs.answer(&card, answer, &moment, &settings).unwrap().state;
                    last_day = Some(today);
                }
                (card, history)
            };
            let (first, history) = run();
            let (second, _) = run();
            prop_assert_eq!(first, second);
            // The memory state is the fold of grades and elapsed days alone.
            prop_assert_eq!(fsrs.memory_of(&history_of(&history)).unwrap(), first.memory);
            // A card that lost its memory state (answered by another scheduler since) gets
            // the same one back from its history.
            let forgotten = CardState { memory: None, ..first };
            prop_assert_eq!(with_memory(&forgotten, &history, &settings).unwrap(), first);
        }

        #[test]
        fn higher_desired_retention_never_gives_longer_intervals(
            (card, last_day) in any_card(),
            low in 0.70f64..0.97,
            raise in 0.0f64..0.27,
            card_id in 0i64..10_000,
            fuzz in any::<bool>(),
        ) {
            let high = (low + raise).min(MAXIMUM_DESIRED_RETENTION);
            let settings = Settings { fuzz, ..Settings::default() };
            let moment = Moment { last_day, ..at(card_id, TODAY, 36_000) };
            let lax = Fsrs::new(&[], low).unwrap().next_states(&card, &moment, &settings).unwrap();
            let strict = Fsrs::new(&[], high).unwrap().next_states(&card, &moment, &settings).unwrap();
            for answer in Answer::ALL {
                let (l, s) = (lax.get(answer).state, strict.get(answer).state);
                prop_assert!(wait(s.due, &moment) <= wait(l.due, &moment), "{:?}: {:?} vs {:?}", answer, s, l);
            }
        }
    }
}
