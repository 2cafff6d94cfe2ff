//! PURE learning and relearning steps, with Anki's rules for each button (`rslib`'s
//! `scheduler/states/steps.rs`), shared by the `anki` and `fsrs` schedulers.
//!
//! Steps are kept in seconds, at most [`MAX_STEPS`], in a fixed array so that the settings
//! holding them stay `Copy + Eq`. A card's `step` is the index of the step it is on; an index
//! past the steps (they may have been shortened since) is read as the last step.

use crate::error::{Error, Result};

/// The most learning or relearning steps a deck may have.
pub const MAX_STEPS: usize = 16;

const DAY: u32 = 86_400;

/// Learning or relearning steps, in seconds, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
        let mut steps = Steps::none();
        steps.secs[..secs.len()].copy_from_slice(secs);
        steps.len = secs.len();
        Ok(steps)
    }

    /// No steps: answers graduate at once.
    pub const fn none() -> Steps {
        Steps {
            secs: [0; MAX_STEPS],
            len: 0,
        }
    }

    /// Anki's default learning steps: 1 minute, 10 minutes.
    pub const fn default_learning() -> Steps {
        let mut secs = [0; MAX_STEPS];
        secs[0] = 60;
        secs[1] = 600;
        Steps { secs, len: 2 }
    }

    /// Anki's default relearning step: 10 minutes.
    pub const fn default_relearning() -> Steps {
        let mut secs = [0; MAX_STEPS];
        secs[0] = 600;
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

    /// A stored step index kept inside the steps.
    fn index(&self, step: u32) -> usize {
        (step as usize).min(self.len.saturating_sub(1))
    }

    /// Again: back to the first step (None: there are no steps).
    pub fn again_delay(&self) -> Option<u32> {
        self.as_slice().first().copied()
    }

    /// Hard: the same step again; on the first step, halfway between Again's and Good's
    /// delays, or 1.5 times a single step but at most a day more, rounded to whole days past
    /// a day (in `f32`, as Anki rounds).
    pub fn hard_delay(&self, step: u32) -> Option<u32> {
        let index = self.index(step);
        let current = *self.as_slice().get(index)?;
        if index > 0 {
            return Some(current);
        }
        let secs = match self.as_slice().get(1) {
            Some(next) => current.saturating_add(*next) / 2,
            None => (current.saturating_mul(3) / 2).min(current.saturating_add(DAY)),
        };
        Some(if secs > DAY {
            // A whole number of days no larger than u32::MAX seconds: the cast saturates.
            ((secs as f32 / DAY as f32).round() as u32).saturating_mul(DAY)
        } else {
            secs
        })
    }

    /// Good: the next step's index and delay, if there is one (None: the card graduates).
    pub fn good_step(&self, step: u32) -> Option<(u32, u32)> {
        let next = self.index(step) + 1;
        let secs = self.as_slice().get(next).copied()?;
        // The index is below MAX_STEPS, so it fits in u32.
        Some((next as u32, secs))
    }

    /// Good's delay alone.
    pub fn good_delay(&self, step: u32) -> Option<u32> {
        self.good_step(step).map(|(_, secs)| secs)
    }

    /// The steps as the config writes them: `1m 10m`, `90s`, `1h 1d`.
    pub fn describe(&self) -> String {
        let words: Vec<String> = self.as_slice().iter().map(|&s| describe_secs(s)).collect();
        words.join(" ")
    }

    /// Reads `1m 10m` (units s, m, h, d; a bare number is minutes, as Anki's field takes
    /// it); an empty text is no steps.
    pub fn parse(text: &str) -> Result<Steps> {
        let mut secs = vec![];
        for word in text.split_whitespace() {
            let (number, unit) = match word.find(|c: char| !(c.is_ascii_digit() || c == '.')) {
                Some(at) => word.split_at(at),
                None => (word, "m"),
            };
            let scale = match unit {
                "s" => 1.0,
                "m" => 60.0,
                "h" => 3_600.0,
                "d" => 86_400.0,
                _ => return Err(bad_step(word)),
            };
            let value: f64 = number.parse().map_err(|_| bad_step(word))?;
            let total = (value * scale).round();
            if !(1.0..=f64::from(u32::MAX)).contains(&total) {
                return Err(bad_step(word));
            }
            // Checked to lie in 1..=u32::MAX above.
            secs.push(total as u32);
        }
        Steps::new(&secs)
    }
}

fn bad_step(word: &str) -> Error {
    Error::usage(format!(
        "'{word}' is not a step (a number of seconds, minutes, hours or days: 30s, 10m, 1h, 1d)"
    ))
}

fn describe_secs(secs: u32) -> String {
    for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60)] {
        if secs.is_multiple_of(size) {
            return format!("{}{unit}", secs / size);
        }
    }
    format!("{secs}s")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_follow_ankis_rules() {
        let two = Steps::new(&[60, 600]).unwrap();
        assert_eq!(
            (two.again_delay(), two.hard_delay(0), two.good_delay(0)),
            (Some(60), Some(330), Some(600))
        );
        assert_eq!((two.hard_delay(1), two.good_delay(1)), (Some(600), None));
        let one = Steps::new(&[600]).unwrap();
        assert_eq!((one.hard_delay(0), one.good_delay(0)), (Some(900), None));
        let long = Steps::new(&[3 * 86_400]).unwrap();
        assert_eq!(long.hard_delay(0), Some(4 * 86_400));
        // A step index past shortened steps is read as the last step.
        assert_eq!(two.hard_delay(7), Some(600));
        assert_eq!(Steps::none().again_delay(), None);
        assert_eq!(Steps::none().hard_delay(0), None);
    }

    #[test]
    fn steps_are_bounded_and_positive() {
        assert!(Steps::new(&[60; MAX_STEPS + 1]).is_err());
        assert!(Steps::new(&[60, 0]).is_err());
        assert_eq!(Steps::new(&[60, 600]).unwrap().as_slice(), &[60, 600]);
    }

    #[test]
    fn steps_read_and_write_as_the_config_spells_them() {
        assert_eq!(Steps::parse("1m 10m").unwrap(), Steps::default_learning());
        assert_eq!(Steps::parse(" 10 ").unwrap(), Steps::default_relearning());
        assert_eq!(
            Steps::parse("30s 1.5m 2h 1d").unwrap().as_slice(),
            &[30, 90, 7_200, 86_400]
        );
        assert_eq!(Steps::parse("").unwrap(), Steps::none());
        assert_eq!(
            Steps::parse("30s 90s 2h 1d").unwrap().describe(),
            "30s 90s 2h 1d"
        );
        for bad in ["10x", "m", "0m", "-1m", "1e99d"] {
            let err = Steps::parse(bad).unwrap_err().to_string();
            assert!(
                err.contains("is not a step") || err.contains("at least"),
                "{bad}: {err}"
            );
        }
    }
}
