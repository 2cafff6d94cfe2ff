//! PURE settings: the known keys, their defaults, and validation.
//!
//! The store keeps settings as text key/value pairs; this module is the one place that knows
//! what each key means, so `jargon config set` refuses a bad value before it is written.

use std::collections::BTreeMap;

use crate::clock::Zone;
use crate::error::{Error, Result};
use crate::scheduler::{SchedulerKind, Settings};
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
        help: "scheduling algorithm",
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
        name: "typed_answers",
        default: "lenient",
        help: "one slip in a typed term of 8+ letters: lenient Good, strict Hard",
    },
];

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
        let get = |name: &str| -> &str {
            pairs
                .get(name)
                .map(String::as_str)
                .or_else(|| KEYS.iter().find(|k| k.name == name).map(|k| k.default))
                .unwrap_or("")
        };
        let max_interval = number("max_interval_days", get("max_interval_days"), 100_000)?;
        if max_interval == 0 {
            return Err(Error::usage("max_interval_days must be at least 1"));
        }
        Ok(Config {
            rollover_hour: number("rollover_hour", get("rollover_hour"), 23)?,
            zone: Zone::parse(get("timezone"))?,
            new_per_day: number("new_per_day", get("new_per_day"), 100_000)?,
            reviews_per_day: number("reviews_per_day", get("reviews_per_day"), 1_000_000)?,
            scheduler: SchedulerKind::parse(get("scheduler"))?,
            scheduling: Settings {
                fuzz: boolean("fuzz", get("fuzz"))?,
                maximum_interval_days: max_interval,
                leech_lapses: number("leech_lapses", get("leech_lapses"), 1000)?,
            },
            leech_suspend: boolean("leech_suspend", get("leech_suspend"))?,
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
}
