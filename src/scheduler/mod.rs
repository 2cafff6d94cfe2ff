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

use crate::clock::DayNumber;
use crate::error::{Error, Result};

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

/// The settings a scheduler reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    pub fuzz: bool,
    pub maximum_interval_days: u32,
    pub leech_lapses: u32,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            fuzz: true,
            maximum_interval_days: 36_500,
            leech_lapses: 8,
        }
    }
}

/// The moment of a review, as the caller's clock sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moment {
    /// The card's id, which seeds its fuzz.
    pub card_id: i64,
    pub today: DayNumber,
    /// Unix seconds.
    pub now: i64,
}

/// What one answer does to a card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub state: CardState,
    /// A review card was forgotten.
    pub lapsed: bool,
    /// This answer brought the card to the leech threshold.
    pub became_leech: bool,
}

/// The outcome of each button, for showing before the learner answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchedulerKind {
    Sm2,
    /// Anki's v3 rules with Anki's defaults; the settings every scheduler shares (fuzz,
    /// maximum interval, leech threshold) come from [`Settings`].
    Anki,
}

impl SchedulerKind {
    pub const NAMES: [&'static str; 2] = ["sm2", "anki"];

    pub fn parse(name: &str) -> Result<SchedulerKind> {
        match name.trim() {
            "sm2" => Ok(SchedulerKind::Sm2),
            "anki" => Ok(SchedulerKind::Anki),
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
        }
    }

    pub fn answer(
        self,
        state: &CardState,
        quality: Quality,
        moment: &Moment,
        settings: &Settings,
    ) -> Outcome {
        match self {
            SchedulerKind::Sm2 => sm2::answer(state, quality, moment, settings),
            SchedulerKind::Anki => anki::answer(
                state,
                Answer::from_quality(quality),
                moment,
                &anki::AnkiSettings::from_shared(settings),
            ),
        }
    }

    pub fn next_states(
        self,
        state: &CardState,
        moment: &Moment,
        settings: &Settings,
    ) -> NextStates {
        let outcome = |a: Answer| self.answer(state, a.quality(), moment, settings);
        NextStates {
            again: outcome(Answer::Again),
            hard: outcome(Answer::Hard),
            good: outcome(Answer::Good),
            easy: outcome(Answer::Easy),
        }
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
