//! PURE settings: the known keys, their defaults, and validation.
//!
//! The store keeps settings as text key/value pairs; this module is the one place that knows
//! what each key means, so `jargon config set` refuses a bad value before it is written.

use std::collections::BTreeMap;

use crate::clock::Zone;
use crate::error::{Error, Result};
use crate::scheduler::{FsrsParameters, SchedulerKind, Settings, Steps};
use crate::session::matcher::Leniency;

/// One setting: its key, default and a line of help.
pub struct Key {
    pub name: &'static str,
    pub default: &'static str,
    pub help: &'static str,
}

pub const KEYS: &[Key] = &[
    Key {
        name: "rollover_hour",
        default: "4",
        help: "hour (0-23, local time) at which a new study day starts",
    },
    Key {
        name: "timezone",
        default: "local",
        help: "IANA time zone for study days, or 'local' for the system's",
    },
    Key {
        name: "new_per_day",
        default: "20",
        help: "new cards introduced per day (counting those already studied today)",
    },
    Key {
        name: "reviews_per_day",
        default: "200",
        help: "reviews per day (counting those already done today)",
    },
    Key {
        name: "scheduler",
        default: "sm2",
        help: "scheduling algorithm: sm2, anki (Anki's v3 rules) or fsrs (FSRS-6)",
    },
    Key {
        name: "desired_retention",
        default: "0.90",
        help: "fsrs: the recall aimed at when a card comes due, 0.70 to 0.97",
    },
    Key {
        name: "fsrs_parameters",
        default: FSRS_DEFAULT_PARAMETERS,
        help: "fsrs: the 21 FSRS-6 parameters (the defaults until `optimize` fits yours)",
    },
    Key {
        name: "fsrs_fitted",
        default: "",
        help: "fsrs: when `optimize` fitted fsrs_parameters, and on what (empty: the defaults)",
    },
    Key {
        name: "learning_steps",
        default: "1m 10m",
        help: "anki, fsrs: delays for new cards before they graduate (s, m, h, d; empty: none)",
    },
    Key {
        name: "relearning_steps",
        default: "10m",
        help: "anki, fsrs: delays for forgotten cards before they return (empty: none)",
    },
    Key {
        name: "graduating_interval",
        default: "1",
        help: "anki: days after Good on the last learning step (1 to 36500)",
    },
    Key {
        name: "easy_interval",
        default: "4",
        help: "anki: days after Easy on a learning card (1 to 36500)",
    },
    Key {
        name: "starting_ease",
        default: "2.5",
        help: "anki: the ease a card graduates with (1.31 to 5.0)",
    },
    Key {
        name: "hard_interval",
        default: "1.2",
        help: "anki: Hard multiplies the interval by this (0.5 to 1.3)",
    },
    Key {
        name: "easy_bonus",
        default: "1.3",
        help: "anki: Easy multiplies Good's interval by this (1.0 to 5.0)",
    },
    Key {
        name: "interval_modifier",
        default: "1.0",
        help: "anki: every review interval is multiplied by this (0.5 to 2.0)",
    },
    Key {
        name: "lapse_new_interval",
        default: "0",
        help: "anki: a forgotten card's interval is multiplied by this (0.0 to 1.0)",
    },
    Key {
        name: "again_ease_change",
        default: "-0.20",
        help: "anki: Again changes a review card's ease by this (-1.0 to 0.0)",
    },
    Key {
        name: "hard_ease_change",
        default: "-0.15",
        help: "anki: Hard changes a review card's ease by this (-1.0 to 0.0)",
    },
    Key {
        name: "easy_ease_change",
        default: "0.15",
        help: "anki: Easy changes a review card's ease by this (0.0 to 1.0)",
    },
    Key {
        name: "minimum_ease",
        default: "1.3",
        help: "anki: the ease never falls below this (1.3 to 2.5)",
    },
    Key {
        name: "lapse_minimum_interval",
        default: "1",
        help: "anki: the shortest interval after a lapse, in days (1 to 36500)",
    },
    Key {
        name: "fuzz",
        default: "true",
        help: "Anki's fuzz for 3+ days: 6 days -> 4 to 8, 30 -> 27 to 33",
    },
    Key {
        name: "max_interval_days",
        default: "36500",
        help: "longest interval a card can get",
    },
    Key {
        name: "leech_lapses",
        default: "8",
        help: "lapses after which a card is a leech (0 turns detection off)",
    },
    Key {
        name: "leech_suspend",
        default: "false",
        help: "suspend a card when it becomes a leech",
    },
    Key {
        name: "redrill_gap",
        default: "3",
        help: "cards shown before a card answered below Good comes back in the session",
    },
    Key {
        name: "learn_ahead",
        default: "20",
        help: "minutes the review waits, with a countdown, for a learning step when nothing else is left (0: never)",
    },
    Key {
        name: "sync_on_review",
        default: "false",
        help: "sync with the remembered folder when a review starts and when it ends",
    },
    Key {
        name: "typed_answers",
        default: "lenient",
        help: "one slip in a typed term of 8+ letters: lenient Good, strict Hard",
    },
];

/// The 21 default FSRS-6 parameters as text (a test holds them equal to the crate's).
const FSRS_DEFAULT_PARAMETERS: &str = "0.212 1.2931 2.3065 8.2956 6.4133 0.8334 3.0194 0.001 \
     1.8722 0.1666 0.796 1.4835 0.0614 0.2629 1.6483 0.6014 1.8729 0.5425 0.0912 0.0658 0.1542";

/// Settings, parsed and checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub rollover_hour: u32,
    pub zone: Zone,
    pub new_per_day: u32,
    pub reviews_per_day: u32,
    pub scheduler: SchedulerKind,
    pub scheduling: Settings,
    pub leech_suspend: bool,
    pub redrill_gap: u32,
    /// Minutes the review waits for the next learning step when nothing else is left.
    pub learn_ahead_minutes: u32,
    /// How a slip in a typed answer is graded.
    pub typed_answers: Leniency,
    /// `jargon review` syncs with the remembered folder at its start and end.
    pub sync_on_review: bool,
}

impl Default for Config {
    fn default() -> Config {
        // The defaults are valid by construction (a test proves it); fall back field by field.
        Config::from_pairs(&BTreeMap::new()).unwrap_or(Config {
            rollover_hour: 4,
            zone: Zone::Local,
            new_per_day: 20,
            reviews_per_day: 200,
            scheduler: SchedulerKind::Sm2,
            scheduling: Settings::default(),
            leech_suspend: false,
            redrill_gap: 3,
            learn_ahead_minutes: 20,
            typed_answers: Leniency::Lenient,
            sync_on_review: false,
        })
    }
}

pub fn find_key(name: &str) -> Result<&'static Key> {
    KEYS.iter().find(|k| k.name == name).ok_or_else(|| {
        let names: Vec<&str> = KEYS.iter().map(|k| k.name).collect();
        Error::usage(format!(
            "unknown setting '{name}' (known: {})",
            names.join(", ")
        ))
    })
}

fn number(key: &str, value: &str, max: u32) -> Result<u32> {
    value
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|n| *n <= max)
        .ok_or_else(|| {
            Error::usage(format!(
                "{key} must be a whole number from 0 to {max}, not '{value}'"
            ))
        })
}

/// A decimal from `min` to `max` (as the message spells them), in whole thousandths.
fn permille(key: &str, value: &str, min: &str, max: &str) -> Result<u32> {
    scaled(key, value, min, max, 1000.0)
}

/// A decimal from `min` to `max` scaled by `scale` and rounded to a whole number.
fn scaled(key: &str, value: &str, min: &str, max: &str, scale: f64) -> Result<u32> {
    let bounds = |text: &str| (text.parse::<f64>().unwrap_or(0.0) * scale).round();
    let (low, high) = (bounds(min), bounds(max));
    value
        .trim()
        .parse::<f64>()
        .ok()
        .map(|v| (v * scale).round())
        .filter(|v| *v >= low && *v <= high)
        // Between two small non-negative bounds: the cast is exact.
        .map(|v| v as u32)
        .ok_or_else(|| {
            Error::usage(format!(
                "{key} must be a number from {min} to {max}, not '{value}'"
            ))
        })
}

/// A signed change from `min` to `max` (both at most 1 in size), in thousandths.
fn change_permille(key: &str, value: &str, min: &str, max: &str) -> Result<i32> {
    let bound = |text: &str| (text.parse::<f64>().unwrap_or(0.0) * 1000.0).round();
    value
        .trim()
        .parse::<f64>()
        .ok()
        .map(|v| (v * 1000.0).round())
        .filter(|v| *v >= bound(min) && *v <= bound(max))
        // Within -1000 to 1000: the cast is exact.
        .map(|v| v as i32)
        .ok_or_else(|| {
            Error::usage(format!(
                "{key} must be a number from {min} to {max}, not '{value}'"
            ))
        })
}

/// A whole number from `min` to `max`.
fn ranged(key: &str, value: &str, min: u32, max: u32) -> Result<u32> {
    value
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| {
            Error::usage(format!(
                "{key} must be a whole number from {min} to {max}, not '{value}'"
            ))
        })
}

fn steps(key: &str, value: &str) -> Result<Steps> {
    Steps::parse(value).map_err(|e| Error::usage(format!("{key}: {e}")))
}

fn parameters(value: &str) -> Result<FsrsParameters> {
    let numbers: Option<Vec<f32>> = value
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .map(|w| w.parse::<f32>().ok())
        .collect();
    let numbers = numbers.ok_or_else(|| {
        Error::usage(format!(
            "fsrs_parameters must be 21 numbers separated by spaces or commas, not '{value}'"
        ))
    })?;
    if numbers.is_empty() {
        return Err(Error::usage(
            "fsrs_parameters must be 21 numbers separated by spaces or commas (unset it for the defaults)",
        ));
    }
    let parameters =
        FsrsParameters::new(&numbers).map_err(|e| Error::usage(format!("fsrs_parameters: {e}")))?;
    // The crate checks its own bounds; a set it refuses is refused here, before it is kept.
    crate::scheduler::fsrs::Fsrs::from_settings(&Settings {
        fsrs_parameters: parameters,
        ..Settings::default()
    })
    .map_err(|e| Error::usage(format!("fsrs_parameters: {e}")))?;
    Ok(parameters)
}

fn boolean(key: &str, value: &str) -> Result<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" | "1" => Ok(true),
        "false" | "no" | "off" | "0" => Ok(false),
        _ => Err(Error::usage(format!(
            "{key} must be true or false, not '{value}'"
        ))),
    }
}

/// Checks one value for a key, returning its normalised text.
pub fn validate(name: &str, value: &str) -> Result<String> {
    let mut pairs = BTreeMap::new();
    find_key(name)?;
    pairs.insert(name.to_string(), value.to_string());
    Config::from_pairs(&pairs)?;
    Ok(value.trim().to_string())
}

impl Config {
    /// Builds the settings from stored pairs; missing keys take their defaults, unknown keys
    /// (from a newer version) are ignored.
    pub fn from_pairs(pairs: &BTreeMap<String, String>) -> Result<Config> {
        let get = |name: &str| stored_or_default(pairs, name);
        Ok(Config {
            rollover_hour: number("rollover_hour", get("rollover_hour"), 23)?,
            zone: Zone::parse(get("timezone"))?,
            new_per_day: number("new_per_day", get("new_per_day"), 100_000)?,
            reviews_per_day: number("reviews_per_day", get("reviews_per_day"), 1_000_000)?,
            scheduler: SchedulerKind::parse(get("scheduler"))?,
            scheduling: scheduling(pairs)?,
            leech_suspend: boolean("leech_suspend", get("leech_suspend"))?,
            sync_on_review: boolean("sync_on_review", get("sync_on_review"))?,
            redrill_gap: number("redrill_gap", get("redrill_gap"), 1000)?,
            learn_ahead_minutes: number("learn_ahead", get("learn_ahead"), 1440)?,
            typed_answers: Leniency::parse(get("typed_answers")).ok_or_else(|| {
                Error::usage(format!(
                    "typed_answers must be lenient or strict, not '{}'",
                    get("typed_answers")
                ))
            })?,
        })
    }
}

/// A key's stored value, or its default when it is not stored.
fn stored_or_default<'a>(pairs: &'a BTreeMap<String, String>, name: &str) -> &'a str {
    pairs
        .get(name)
        .map(String::as_str)
        .or_else(|| KEYS.iter().find(|k| k.name == name).map(|k| k.default))
        .unwrap_or("")
}

/// The settings the schedulers read, from the stored pairs.
fn scheduling(pairs: &BTreeMap<String, String>) -> Result<Settings> {
    let get = |name: &str| stored_or_default(pairs, name);
    let max_interval = number("max_interval_days", get("max_interval_days"), 100_000)?;
    if max_interval == 0 {
        return Err(Error::usage("max_interval_days must be at least 1"));
    }
    Ok(Settings {
        fuzz: boolean("fuzz", get("fuzz"))?,
        maximum_interval_days: max_interval,
        leech_lapses: number("leech_lapses", get("leech_lapses"), 1000)?,
        learning_steps: steps("learning_steps", get("learning_steps"))?,
        relearning_steps: steps("relearning_steps", get("relearning_steps"))?,
        graduating_interval_days: ranged(
            "graduating_interval",
            get("graduating_interval"),
            1,
            36_500,
        )?,
        easy_interval_days: ranged("easy_interval", get("easy_interval"), 1, 36_500)?,
        starting_ease_permille: permille("starting_ease", get("starting_ease"), "1.31", "5.0")?,
        hard_interval_permille: permille("hard_interval", get("hard_interval"), "0.5", "1.3")?,
        easy_bonus_permille: permille("easy_bonus", get("easy_bonus"), "1.0", "5.0")?,
        interval_modifier_permille: permille(
            "interval_modifier",
            get("interval_modifier"),
            "0.5",
            "2.0",
        )?,
        lapse_new_interval_permille: permille(
            "lapse_new_interval",
            get("lapse_new_interval"),
            "0.0",
            "1.0",
        )?,
        lapse_minimum_interval_days: ranged(
            "lapse_minimum_interval",
            get("lapse_minimum_interval"),
            1,
            36_500,
        )?,
        again_ease_delta_permille: change_permille(
            "again_ease_change",
            get("again_ease_change"),
            "-1.0",
            "0.0",
        )?,
        hard_ease_delta_permille: change_permille(
            "hard_ease_change",
            get("hard_ease_change"),
            "-1.0",
            "0.0",
        )?,
        easy_ease_delta_permille: change_permille(
            "easy_ease_change",
            get("easy_ease_change"),
            "0.0",
            "1.0",
        )?,
        minimum_ease_permille: permille("minimum_ease", get("minimum_ease"), "1.3", "2.5")?,
        desired_retention_permyriad: scaled(
            "desired_retention",
            get("desired_retention"),
            "0.70",
            "0.97",
            10_000.0,
        )?,
        fsrs_parameters: parameters(get("fsrs_parameters"))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_parse_to_the_documented_values() {
        let config = Config::from_pairs(&BTreeMap::new()).unwrap();
        assert_eq!(config.rollover_hour, 4);
        assert_eq!(config.new_per_day, 20);
        assert_eq!(config.reviews_per_day, 200);
        assert_eq!(config.scheduling.maximum_interval_days, 36_500);
        assert_eq!(config.scheduling.leech_lapses, 8);
        assert!(config.scheduling.fuzz);
        assert_eq!(config.typed_answers, Leniency::Lenient);
        assert_eq!(config.learn_ahead_minutes, 20);
    }

    #[test]
    fn the_scheduling_defaults_are_the_schedulers_own() {
        // The table above spells the defaults as text and `Settings::default` as numbers
        // (36500 days, 8 lapses, fuzz on): this keeps the two from drifting apart.
        let config = Config::from_pairs(&BTreeMap::new()).unwrap();
        assert_eq!(config.scheduling, Settings::default());
    }

    #[test]
    fn the_fuzz_help_gives_the_ranges_the_fuzz_uses() {
        let help = find_key("fuzz").unwrap().help;
        for days in [6, 30] {
            let (low, high) = crate::scheduler::fuzz::bounds(days);
            let range = format!("{days} days -> {low} to {high}");
            let short = format!("{days} -> {low} to {high}");
            assert!(help.contains(&range) || help.contains(&short), "{help}");
        }
        assert!(!help.contains("percent"), "{help}");
    }

    #[test]
    fn bad_values_are_refused_with_the_key_named() {
        let err = validate("rollover_hour", "25").unwrap_err().to_string();
        assert!(err.contains("rollover_hour"), "{err}");
        assert!(validate("fuzz", "maybe").is_err());
        assert!(validate("timezone", "Nowhere/City").is_err());
        assert!(validate("colour", "red").is_err());
        assert_eq!(validate("fuzz", " off ").unwrap(), "off");
        assert_eq!(validate("typed_answers", "strict").unwrap(), "strict");
        let err = validate("typed_answers", "loose").unwrap_err().to_string();
        assert_eq!(err, "typed_answers must be lenient or strict, not 'loose'");
        let err = validate("learn_ahead", "1441").unwrap_err().to_string();
        assert_eq!(
            err,
            "learn_ahead must be a whole number from 0 to 1440, not '1441'"
        );
    }

    #[test]
    fn the_fsrs_default_parameters_are_the_crates() {
        let config = Config::from_pairs(&BTreeMap::new()).unwrap();
        assert_eq!(
            config.scheduling.fsrs_parameters.0,
            crate::scheduler::fsrs::default_parameters()
        );
    }

    #[test]
    fn scheduler_settings_are_read_and_refused_with_their_key_and_range() {
        let with = |key: &str, value: &str| {
            let pairs = BTreeMap::from([(key.to_string(), value.to_string())]);
            Config::from_pairs(&pairs).map(|c| c.scheduling)
        };
        assert_eq!(
            with("desired_retention", "0.85")
                .unwrap()
                .desired_retention_permyriad,
            8500
        );
        assert_eq!(
            with("learning_steps", "30s 5m 1h")
                .unwrap()
                .learning_steps
                .as_slice(),
            &[30, 300, 3600]
        );
        assert!(
            with("relearning_steps", "")
                .unwrap()
                .relearning_steps
                .is_empty()
        );
        assert_eq!(
            with("hard_interval", "1.25")
                .unwrap()
                .hard_interval_permille,
            1250
        );
        assert_eq!(
            with("starting_ease", "2").unwrap().starting_ease_permille,
            2000
        );
        for (key, bad, message) in [
            (
                "desired_retention",
                "0.5",
                "desired_retention must be a number from 0.70 to 0.97, not '0.5'",
            ),
            (
                "desired_retention",
                "0.98",
                "desired_retention must be a number from 0.70 to 0.97, not '0.98'",
            ),
            (
                "starting_ease",
                "1.2",
                "starting_ease must be a number from 1.31 to 5.0, not '1.2'",
            ),
            (
                "hard_interval",
                "x",
                "hard_interval must be a number from 0.5 to 1.3, not 'x'",
            ),
            (
                "graduating_interval",
                "0",
                "graduating_interval must be a whole number from 1 to 36500, not '0'",
            ),
        ] {
            let err = validate(key, bad).unwrap_err();
            assert!(matches!(err, Error::Usage(_)), "{key}");
            assert_eq!(err.to_string(), message);
        }
        let err = validate("learning_steps", "1m 10x")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("learning_steps: '10x' is not a step"),
            "{err}"
        );
        let err = validate("fsrs_parameters", "1 2 3")
            .unwrap_err()
            .to_string();
        assert!(err.contains("21 parameters, not 3"), "{err}");
        assert!(validate("fsrs_parameters", "nope").is_err());
        assert!(validate("scheduler", "fsrs").is_ok());
    }
}
