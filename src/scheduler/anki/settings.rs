//! The settings of Anki's v3 rules, with Anki's defaults.
//!
//! Every multiplier is kept in thousandths (1.2 is 1200) so the settings compare exactly and
//! stay `Copy`; the rules turn them into `f32` as Anki does (`1200.0 / 1000.0` is the same
//! `f32` as `1.2`, division being correctly rounded). Steps are kept in seconds.

use crate::scheduler::Settings;
pub use crate::scheduler::steps::{MAX_STEPS, Steps};

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
            learning_steps: Steps::default_learning(),
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
            relearning_steps: Steps::default_relearning(),
            maximum_interval_days: 36_500,
            leech_lapses: 8,
            fuzz: true,
        }
    }
}

impl AnkiSettings {
    /// The rules' share of the collection's settings.
    pub fn from_shared(shared: &Settings) -> AnkiSettings {
        AnkiSettings {
            learning_steps: shared.learning_steps,
            graduating_interval_days: shared.graduating_interval_days,
            easy_interval_days: shared.easy_interval_days,
            starting_ease_permille: shared.starting_ease_permille,
            hard_interval_permille: shared.hard_interval_permille,
            easy_bonus_permille: shared.easy_bonus_permille,
            interval_modifier_permille: shared.interval_modifier_permille,
            lapse_new_interval_permille: shared.lapse_new_interval_permille,
            lapse_minimum_interval_days: shared.lapse_minimum_interval_days,
            again_ease_delta_permille: shared.again_ease_delta_permille,
            hard_ease_delta_permille: shared.hard_ease_delta_permille,
            easy_ease_delta_permille: shared.easy_ease_delta_permille,
            minimum_ease_permille: shared.minimum_ease_permille,
            relearning_steps: shared.relearning_steps,
            maximum_interval_days: shared.maximum_interval_days,
            leech_lapses: shared.leech_lapses,
            fuzz: shared.fuzz,
        }
    }
}

/// A setting in thousandths as the `f32` Anki computes with.
pub(super) fn ratio(permille: u32) -> f32 {
    permille as f32 / 1000.0
}
