//! A card's state as JSON, for the answers whose state travels with them (imported history
//! and reschedules adopt the state their row gives; every other answer is replayed).

use serde_json::{Value, json};

use crate::scheduler::fsrs::MemoryState;
use crate::scheduler::{CardState, Due, Phase};

pub fn to_json(state: &CardState) -> Value {
    let (due_day, due_at) = match state.due {
        Due::Unscheduled => (None, None),
        Due::Day(day) => (Some(day), None),
        Due::At(at) => (None, Some(at)),
    };
    json!({
        "phase": state.phase.as_str(),
        "due_day": due_day,
        "due_at": due_at,
        "interval_days": state.interval_days,
        "ease_permille": state.ease_permille,
        "repetitions": state.repetitions,
        "lapses": state.lapses,
        "step": state.step,
        "stability": state.memory.map(|m| m.stability),
        "difficulty": state.memory.map(|m| m.difficulty),
    })
}

/// The state `value` describes, or None when it is not one jargon could store and read back:
/// a due day or time outside the events' bounds, an ease below 1.3, an interval longer than
/// the years an event may name, or a memory state FSRS cannot use or that an f32 did not
/// write.
pub fn from_json(value: &Value) -> Option<CardState> {
    use crate::sync::event::{MAX_DAY, MAX_TIME_MS};
    let int = |key: &str| value.get(key).and_then(Value::as_i64);
    let due = match (int("due_day"), int("due_at")) {
        (_, Some(at)) if (0..=MAX_TIME_MS / 1000).contains(&at) => Due::At(at),
        (_, Some(_)) => return None,
        (Some(day), None) if (0..=MAX_DAY).contains(&day) => Due::Day(day),
        (Some(_), None) => return None,
        (None, None) => Due::Unscheduled,
    };
    let memory = match (
        value.get("stability").and_then(Value::as_f64),
        value.get("difficulty").and_then(Value::as_f64),
    ) {
        // Written from f32 values: the narrowing gives them back exactly, and anything else
        // is refused.
        (Some(s), Some(d)) => {
            let memory = MemoryState {
                stability: s as f32,
                difficulty: d as f32,
            };
            if !memory.is_usable()
                || f64::from(memory.stability) != s
                || f64::from(memory.difficulty) != d
            {
                return None;
            }
            Some(memory)
        }
        (None, None) => None,
        _ => return None,
    };
    let interval_days = u32::try_from(int("interval_days")?).ok()?;
    let ease_permille = u32::try_from(int("ease_permille")?).ok()?;
    if i64::from(interval_days) > MAX_DAY || ease_permille < 1300 {
        return None;
    }
    Some(CardState {
        phase: Phase::parse(value.get("phase")?.as_str()?)?,
        due,
        interval_days,
        ease_permille,
        repetitions: u32::try_from(int("repetitions")?).ok()?,
        lapses: u32::try_from(int("lapses")?).ok()?,
        step: u32::try_from(int("step")?).ok()?,
        memory,
    })
}
