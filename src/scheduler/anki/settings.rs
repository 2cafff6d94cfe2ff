//! The settings of Anki's v3 rules, with Anki's defaults.
//!
//! Every multiplier is kept in thousandths (1.2 is 1200) so the settings compare exactly and
//! stay `Copy`; the rules turn them into `f32` as Anki does (`1200.0 / 1000.0` is the same
//! `f32` as `1.2`, division being correctly rounded). Steps are kept in seconds.

use crate::error::{Error, Result};
use crate::scheduler::Settings;

/// The most learning or relearning steps a deck may have.
pub const MAX_STEPS: usize = 16;

/// Learning or relearning steps, in seconds, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Steps {
    secs: [u32; MAX_STEPS],
    len: usize,
}

impl Steps {
    /// Steps from seconds; at most [`MAX_STEPS`], each at least one second.
    pub fn new(secs: &[u32]) -> Result<Steps> {
        if secs.len() > MAX_STEPS {
            return Err(Error::usage(format!(
                "{} steps are too many (at most {MAX_STEPS})",
                secs.len()
            )));
        }
        if secs.contains(&0) {
            return Err(Error::usage(
                "a step must be at least one second".to_string(),
            ));
        }
        let mut steps = Steps {
            secs: [0; MAX_STEPS],
            len: secs.len(),
        };
        steps.secs[..secs.len()].copy_from_slice(secs);
        Ok(steps)
    }

    /// No steps: answers graduate at once.
    pub const fn none() -> Steps {
        Steps {
            secs: [0; MAX_STEPS],
            len: 0,
        }
    }

    const fn two(first: u32, second: u32) -> Steps {
        let mut secs = [0; MAX_STEPS];
        secs[0] = first;
        secs[1] = second;
        Steps { secs, len: 2 }
    }

    const fn one(first: u32) -> Steps {
        let mut secs = [0; MAX_STEPS];
        secs[0] = first;
        Steps { secs, len: 1 }
    }

    pub fn as_slice(&self) -> &[u32] {
        &self.secs[..self.len]
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// Everything Anki's v3 rules read. [`AnkiSettings::default`] is Anki's default deck preset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnkiSettings {
    /// Learning steps (default 1m 10m).
    pub learning_steps: Steps,
    /// The interval after the last learning step is answered Good (default 1 day).
    pub graduating_interval_days: u32,
    /// The interval after Easy on a learning card (default 4 days).
    pub easy_interval_days: u32,
    /// The ease a card gets when it graduates (default 2500, i.e. 2.5).
    pub starting_ease_permille: u32,
    /// Ease changes on review cards: Again -200, Hard -150, Easy +150 (Good leaves it).
    pub again_ease_delta_permille: i32,
    pub hard_ease_delta_permille: i32,
    pub easy_ease_delta_permille: i32,
    /// The ease never falls below this (default 1300).
    pub minimum_ease_permille: u32,
    /// Hard multiplies the interval by this (default 1200).
    pub hard_interval_permille: u32,
    /// Easy multiplies Good's interval by this (default 1300).
    pub easy_bonus_permille: u32,
    /// Every passing review interval is multiplied by this (default 1000).
    pub interval_modifier_permille: u32,
    /// A lapse multiplies the interval by this (default 0: start again) ...
    pub lapse_new_interval_permille: u32,
    /// ... but never below this many days (default 1).
    pub lapse_minimum_interval_days: u32,
    /// Relearning steps (default 10m).
    pub relearning_steps: Steps,
    /// No review interval is longer (default 36,500 days).
    pub maximum_interval_days: u32,
    /// A card is a leech at this many lapses and every half of it after (default 8; 0 is off).
    pub leech_lapses: u32,
    /// Spread review intervals over Anki's fuzz ranges, and learning steps by up to 25%.
    pub fuzz: bool,
}

impl Default for AnkiSettings {
    fn default() -> AnkiSettings {
        AnkiSettings {
            learning_steps: Steps::two(60, 600),
            graduating_interval_days: 1,
            easy_interval_days: 4,
            starting_ease_permille: 2500,
            again_ease_delta_permille: -200,
            hard_ease_delta_permille: -150,
            easy_ease_delta_permille: 150,
            minimum_ease_permille: 1300,
            hard_interval_permille: 1200,
            easy_bonus_permille: 1300,
            interval_modifier_permille: 1000,
            lapse_new_interval_permille: 0,
            lapse_minimum_interval_days: 1,
            relearning_steps: Steps::one(600),
            maximum_interval_days: 36_500,
            leech_lapses: 8,
            fuzz: true,
        }
    }
}

impl AnkiSettings {
    /// Anki's defaults with the settings every scheduler shares (fuzz, maximum interval,
    /// leech threshold) taken from `shared`.
    pub fn from_shared(shared: &Settings) -> AnkiSettings {
        AnkiSettings {
            fuzz: shared.fuzz,
            maximum_interval_days: shared.maximum_interval_days,
            leech_lapses: shared.leech_lapses,
            ..AnkiSettings::default()
        }
    }
}

/// A setting in thousandths as the `f32` Anki computes with.
pub(super) fn ratio(permille: u32) -> f32 {
    permille as f32 / 1000.0
}
