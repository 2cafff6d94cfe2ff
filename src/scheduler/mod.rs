//! PURE scheduling: card states, answers, and what each answer would do.
//!
//! Nothing here touches SQL, the clock or the terminal. A scheduler is a function of
//! (card state, answer, settings, the moment of the review given as numbers); the moment's
//! study day and instant come from the caller, and fuzz draws from a generator seeded by card
//! id and repetition count, so replaying a card's review log reproduces its state exactly.

pub mod anki;
pub mod convert;
pub mod fsrs;
pub mod fuzz;
pub mod replay;
pub mod sm2;
pub mod steps;

use crate::clock::DayNumber;
use crate::error::{Error, Result};
pub use fsrs::{FsrsParameters, MemoryState};
pub use steps::Steps;

/// Where a card is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    New,
    Learning,
    Review,
    Relearning,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::New => "new",
            Phase::Learning => "learning",
            Phase::Review => "review",
            Phase::Relearning => "relearning",
        }
    }

    pub fn parse(text: &str) -> Option<Phase> {
        match text {
            "new" => Some(Phase::New),
            "learning" => Some(Phase::Learning),
            "review" => Some(Phase::Review),
            "relearning" => Some(Phase::Relearning),
            _ => None,
        }
    }
}

/// When a card is next due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// New cards wait for their turn in the new-card order.
    Unscheduled,
    /// Due from the start of this study day.
    Day(DayNumber),
    /// Due at this instant (unix seconds): intraday learning steps.
    At(i64),
}

/// The scheduling state of one card: everything an answer reads or writes.
///
/// `memory` is FSRS's memory state of the card, kept by the `fsrs` scheduler (None before
/// its first FSRS answer, and after an answer of a scheduler without one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CardState {
    pub phase: Phase,
    pub due: Due,
    pub interval_days: u32,
    /// The SM-2 easiness factor in thousandths (2.5 is 2500). Every SM-2 change to it is a
    /// whole number of thousandths, so integer arithmetic keeps it exact across replays.
    pub ease_permille: u32,
    pub repetitions: u32,
    pub lapses: u32,
    /// Index of the current learning step, for schedulers that have steps.
    pub step: u32,
    /// FSRS's stability and difficulty, exactly as the `fsrs` crate returned them.
    pub memory: Option<MemoryState>,
}

pub const INITIAL_EASE_PERMILLE: u32 = 2500;
pub const MINIMUM_EASE_PERMILLE: u32 = 1300;

impl CardState {
    pub fn new_card() -> CardState {
        CardState {
            phase: Phase::New,
            due: Due::Unscheduled,
            interval_days: 0,
            ease_permille: INITIAL_EASE_PERMILLE,
            repetitions: 0,
            lapses: 0,
            step: 0,
            memory: None,
        }
    }
}

/// An SM-2 quality of response, 0 (blackout) to 5 (perfect).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quality(u8);

impl Quality {
    pub fn new(q: u8) -> Result<Quality> {
        if q <= 5 {
            Ok(Quality(q))
        } else {
            Err(Error::usage(format!(
                "quality {q} is out of range (0 to 5)"
            )))
        }
    }

    pub fn value(self) -> u8 {
        self.0
    }

    /// The Anki button this quality falls under: 1 Again, 2 Hard, 3 Good, 4 Easy.
    pub fn rating(self) -> u8 {
        Answer::from_quality(self).rating()
    }

    /// Answers below this are re-drilled later in the same session (Wozniak's step 7).
    pub fn needs_redrill(self) -> bool {
        self.0 < 4
    }
}

/// The four answer buttons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Answer {
    Again,
    Hard,
    Good,
    Easy,
}

impl Answer {
    pub const ALL: [Answer; 4] = [Answer::Again, Answer::Hard, Answer::Good, Answer::Easy];

    /// Again = 1, Hard = 3, Good = 4, Easy = 5.
    pub fn quality(self) -> Quality {
        Quality(match self {
            Answer::Again => 1,
            Answer::Hard => 3,
            Answer::Good => 4,
            Answer::Easy => 5,
        })
    }

    pub fn from_quality(q: Quality) -> Answer {
        match q.0 {
            0..=2 => Answer::Again,
            3 => Answer::Hard,
            4 => Answer::Good,
            _ => Answer::Easy,
        }
    }

    /// Anki's button number, 1 to 4, as review logs store it.
    pub fn rating(self) -> u8 {
        match self {
            Answer::Again => 1,
            Answer::Hard => 2,
            Answer::Good => 3,
            Answer::Easy => 4,
        }
    }

    pub fn from_rating(rating: u8) -> Option<Answer> {
        Some(match rating {
            1 => Answer::Again,
            2 => Answer::Hard,
            3 => Answer::Good,
            4 => Answer::Easy,
            _ => return None,
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            Answer::Again => "again",
            Answer::Hard => "hard",
            Answer::Good => "good",
            Answer::Easy => "easy",
        }
    }
}

/// The settings a scheduler reads, every one of them (each scheduler reads its own share).
///
/// Multipliers are whole thousandths and the desired retention whole ten-thousandths, so the
/// settings compare exactly and the log can name them ([`Settings::body`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    pub fuzz: bool,
    pub maximum_interval_days: u32,
    pub leech_lapses: u32,
    /// Learning steps of `anki` and `fsrs` (default 1m 10m).
    pub learning_steps: Steps,
    /// Relearning steps of `anki` and `fsrs` (default 10m).
    pub relearning_steps: Steps,
    /// `anki`: the interval after the last learning step (default 1 day).
    pub graduating_interval_days: u32,
    /// `anki`: the interval after Easy on a learning card (default 4 days).
    pub easy_interval_days: u32,
    /// `anki`: the ease a graduating card gets (default 2500).
    pub starting_ease_permille: u32,
    /// `anki`: Hard's multiplier (default 1200).
    pub hard_interval_permille: u32,
    /// `anki`: Easy's bonus (default 1300).
    pub easy_bonus_permille: u32,
    /// `anki`: every passing interval is multiplied by this (default 1000).
    pub interval_modifier_permille: u32,
    /// `anki`: a lapse multiplies the interval by this (default 0) ...
    pub lapse_new_interval_permille: u32,
    /// ... but never below this many days (default 1).
    pub lapse_minimum_interval_days: u32,
    /// `anki`: ease changes on review cards in thousandths (Again -200, Hard -150, Easy +150).
    pub again_ease_delta_permille: i32,
    pub hard_ease_delta_permille: i32,
    pub easy_ease_delta_permille: i32,
    /// `anki`: the ease never falls below this (default 1300, the floor a stored ease keeps).
    pub minimum_ease_permille: u32,
    /// `fsrs`: the recall aimed at, in ten-thousandths (default 9000: 0.90).
    pub desired_retention_permyriad: u32,
    /// `fsrs`: the 21 FSRS-6 parameters.
    pub fsrs_parameters: FsrsParameters,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            fuzz: true,
            maximum_interval_days: 36_500,
            leech_lapses: 8,
            learning_steps: Steps::default_learning(),
            relearning_steps: Steps::default_relearning(),
            graduating_interval_days: 1,
            easy_interval_days: 4,
            starting_ease_permille: 2500,
            hard_interval_permille: 1200,
            easy_bonus_permille: 1300,
            interval_modifier_permille: 1000,
            lapse_new_interval_permille: 0,
            lapse_minimum_interval_days: 1,
            again_ease_delta_permille: -200,
            hard_ease_delta_permille: -150,
            easy_ease_delta_permille: 150,
            minimum_ease_permille: MINIMUM_EASE_PERMILLE,
            desired_retention_permyriad: 9000,
            fsrs_parameters: FsrsParameters::default(),
        }
    }
}

impl Settings {
    /// The desired retention as the `f32` FSRS reads.
    pub fn desired_retention(&self) -> f32 {
        self.desired_retention_permyriad as f32 / 10_000.0
    }

    /// The settings as one text, the same for equal settings: what the log keeps
    /// (`scheduler_settings.body`) so a replay uses exactly what each answer was made with.
    pub fn body(&self) -> String {
        let parameters: Vec<String> = self
            .fsrs_parameters
            .0
            .iter()
            .map(|w| format!("{w:?}"))
            .collect();
        let steps = |s: &Steps| -> String {
            let secs: Vec<String> = s.as_slice().iter().map(u32::to_string).collect();
            secs.join(" ")
        };
        [
            format!("fuzz {}", u8::from(self.fuzz)),
            format!("maximum_interval_days {}", self.maximum_interval_days),
            format!("leech_lapses {}", self.leech_lapses),
            format!("learning_steps_secs {}", steps(&self.learning_steps)),
            format!("relearning_steps_secs {}", steps(&self.relearning_steps)),
            format!("graduating_interval_days {}", self.graduating_interval_days),
            format!("easy_interval_days {}", self.easy_interval_days),
            format!("starting_ease_permille {}", self.starting_ease_permille),
            format!("hard_interval_permille {}", self.hard_interval_permille),
            format!("easy_bonus_permille {}", self.easy_bonus_permille),
            format!(
                "interval_modifier_permille {}",
                self.interval_modifier_permille
            ),
            format!(
                "lapse_new_interval_permille {}",
                self.lapse_new_interval_permille
            ),
            format!(
                "lapse_minimum_interval_days {}",
                self.lapse_minimum_interval_days
            ),
            format!(
                "desired_retention_permyriad {}",
                self.desired_retention_permyriad
            ),
            format!("fsrs_parameters {}", parameters.join(" ")),
        ]
        .into_iter()
        .chain(self.ease_change_lines())
        .collect::<Vec<_>>()
        .join("\n")
    }

    /// Anki's ease changes and floor, written only when they are not Anki's (so the body of
    /// settings that keep them is the one answers were logged with before they were keys).
    fn ease_change_lines(&self) -> Vec<String> {
        let default = Settings::default();
        let mut lines = vec![];
        for (key, value, usual) in [
            (
                "again_ease_delta_permille",
                self.again_ease_delta_permille,
                default.again_ease_delta_permille,
            ),
            (
                "hard_ease_delta_permille",
                self.hard_ease_delta_permille,
                default.hard_ease_delta_permille,
            ),
            (
                "easy_ease_delta_permille",
                self.easy_ease_delta_permille,
                default.easy_ease_delta_permille,
            ),
        ] {
            if value != usual {
                lines.push(format!("{key} {value}"));
            }
        }
        if self.minimum_ease_permille != default.minimum_ease_permille {
            lines.push(format!(
                "minimum_ease_permille {}",
                self.minimum_ease_permille
            ));
        }
        lines
    }

    /// Reads [`Settings::body`] back; None when a line is missing, unknown or unreadable
    /// (a row written by a newer jargon, or damaged). The ease-change lines are optional
    /// (absent: Anki's).
    pub fn from_body(body: &str) -> Option<Settings> {
        let mut s = Settings::default();
        let mut seen = 0u32;
        for line in body.lines() {
            let (key, value) = line.split_once(' ').unwrap_or((line, ""));
            let number = || value.parse::<u32>().ok();
            let secs = || -> Option<Steps> {
                let list: Option<Vec<u32>> =
                    value.split_whitespace().map(|w| w.parse().ok()).collect();
                Steps::new(&list?).ok()
            };
            match key {
                "fuzz" => s.fuzz = number()? != 0,
                "maximum_interval_days" => s.maximum_interval_days = number()?,
                "leech_lapses" => s.leech_lapses = number()?,
                "learning_steps_secs" => s.learning_steps = secs()?,
                "relearning_steps_secs" => s.relearning_steps = secs()?,
                "graduating_interval_days" => s.graduating_interval_days = number()?,
                "easy_interval_days" => s.easy_interval_days = number()?,
                "starting_ease_permille" => s.starting_ease_permille = number()?,
                "hard_interval_permille" => s.hard_interval_permille = number()?,
                "easy_bonus_permille" => s.easy_bonus_permille = number()?,
                "interval_modifier_permille" => s.interval_modifier_permille = number()?,
                "lapse_new_interval_permille" => s.lapse_new_interval_permille = number()?,
                "lapse_minimum_interval_days" => s.lapse_minimum_interval_days = number()?,
                "desired_retention_permyriad" => s.desired_retention_permyriad = number()?,
                "again_ease_delta_permille" => {
                    s.again_ease_delta_permille = value.parse().ok()?;
                    continue;
                }
                "hard_ease_delta_permille" => {
                    s.hard_ease_delta_permille = value.parse().ok()?;
                    continue;
                }
                "easy_ease_delta_permille" => {
                    s.easy_ease_delta_permille = value.parse().ok()?;
                    continue;
                }
                "minimum_ease_permille" => {
                    s.minimum_ease_permille = number()?;
                    continue;
                }
                "fsrs_parameters" => {
                    let list: Option<Vec<f32>> =
                        value.split_whitespace().map(|w| w.parse().ok()).collect();
                    s.fsrs_parameters = FsrsParameters::new(&list?).ok()?;
                }
                _ => return None,
            }
            seen += 1;
        }
        (seen == 15).then_some(s)
    }
}

/// The moment of a review, as the caller's clock sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moment {
    /// The card id the fuzz is drawn from (the fuzz card id): the card's own id, or, for a
    /// note with a seed (a note shared with other devices), the id the card would have if its
    /// note's id were the seed (`model::fuzz_card_id`), so every device draws the same fuzz.
    /// Nothing else reads it: it is not the id the answer is logged under.
    pub card_id: i64,
    pub today: DayNumber,
    /// Unix seconds.
    pub now: i64,
    /// The study day of the card's previous answer (None: never answered). FSRS reads the
    /// days elapsed since it; the other schedulers ignore it.
    pub last_day: Option<DayNumber>,
}

/// What one answer does to a card.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    pub state: CardState,
    /// FSRS's predicted recall at the moment of the answer (None for other schedulers and
    /// for a card's first FSRS answer).
    pub retrievability: Option<f32>,
    /// A review card was forgotten.
    pub lapsed: bool,
    /// This answer brought the card to the leech threshold.
    pub became_leech: bool,
}

/// The outcome of each button, for showing before the learner answers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NextStates {
    pub again: Outcome,
    pub hard: Outcome,
    pub good: Outcome,
    pub easy: Outcome,
}

impl NextStates {
    pub fn get(&self, answer: Answer) -> &Outcome {
        match answer {
            Answer::Again => &self.again,
            Answer::Hard => &self.hard,
            Answer::Good => &self.good,
            Answer::Easy => &self.easy,
        }
    }
}

/// The schedulers jargon knows, chosen by name in the config.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SchedulerKind {
    Sm2,
    /// Anki's v3 rules, with the settings in [`Settings`].
    Anki,
    /// FSRS-6 with learning steps as Anki runs it ([`fsrs`]).
    Fsrs,
}

impl SchedulerKind {
    pub const NAMES: [&'static str; 3] = ["sm2", "anki", "fsrs"];

    pub fn parse(name: &str) -> Result<SchedulerKind> {
        match name.trim() {
            "sm2" => Ok(SchedulerKind::Sm2),
            "anki" => Ok(SchedulerKind::Anki),
            "fsrs" => Ok(SchedulerKind::Fsrs),
            other => Err(Error::usage(format!(
                "unknown scheduler '{other}' (available: {})",
                SchedulerKind::NAMES.join(", ")
            ))),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            SchedulerKind::Sm2 => "sm2",
            SchedulerKind::Anki => "anki",
            SchedulerKind::Fsrs => "fsrs",
        }
    }

    /// What `quality` does to `state`. Schedulers without a memory state leave the card
    /// with none; FSRS fails only on an unusable stored memory state or parameters.
    pub fn answer(
        self,
        state: &CardState,
        quality: Quality,
        moment: &Moment,
        settings: &Settings,
    ) -> Result<Outcome> {
        let answer = Answer::from_quality(quality);
        Ok(match self {
            SchedulerKind::Sm2 => without_memory(sm2::answer(state, quality, moment, settings)),
            SchedulerKind::Anki => without_memory(anki::answer(
                state,
                answer,
                moment,
                &anki::AnkiSettings::from_shared(settings),
            )),
            SchedulerKind::Fsrs => {
                fsrs::Fsrs::from_settings(settings)?.answer(state, answer, moment, settings)?
            }
        })
    }

    pub fn next_states(
        self,
        state: &CardState,
        moment: &Moment,
        settings: &Settings,
    ) -> Result<NextStates> {
        match self {
            SchedulerKind::Sm2 => {
                let outcome =
                    |a: Answer| without_memory(sm2::answer(state, a.quality(), moment, settings));
                Ok(NextStates {
                    again: outcome(Answer::Again),
                    hard: outcome(Answer::Hard),
                    good: outcome(Answer::Good),
                    easy: outcome(Answer::Easy),
                })
            }
            SchedulerKind::Anki => {
                let next =
                    anki::next_states(state, moment, &anki::AnkiSettings::from_shared(settings));
                Ok(NextStates {
                    again: without_memory(next.again),
                    hard: without_memory(next.hard),
                    good: without_memory(next.good),
                    easy: without_memory(next.easy),
                })
            }
            SchedulerKind::Fsrs => {
                fsrs::Fsrs::from_settings(settings)?.next_states(state, moment, settings)
            }
        }
    }
}

fn without_memory(outcome: Outcome) -> Outcome {
    Outcome {
        state: CardState {
            memory: None,
            ..outcome.state
        },
        retrievability: None,
        ..outcome
    }
}

/// Whether a card with this many lapses is a leech.
pub fn is_leech(lapses: u32, settings: &Settings) -> bool {
    settings.leech_lapses > 0 && lapses >= settings.leech_lapses
}

/// A short human form of an interval: `10m`, `1d`, `3.5mo`, `1.2y`.
pub fn describe_interval_days(days: u32) -> String {
    match days {
        0 => "now".to_string(),
        1..=30 => format!("{days}d"),
        31..=364 => format!("{:.1}mo", f64::from(days) / 30.44),
        _ => format!("{:.1}y", f64::from(days) / 365.25),
    }
}
