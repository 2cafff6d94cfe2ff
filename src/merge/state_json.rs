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

pub fn from_json(value: &Value) -> Option<CardState> {
    let int = |key: &str| value.get(key).and_then(Value::as_i64);
    let due = match (int("due_day"), int("due_at")) {
        (_, Some(at)) => Due::At(at),
        (Some(day), None) => Due::Day(day),
        (None, None) => Due::Unscheduled,
    };
    let memory = match (
        value.get("stability").and_then(Value::as_f64),
        value.get("difficulty").and_then(Value::as_f64),
    ) {
        // Written from f32 values: the narrowing gives them back exactly.
        (Some(s), Some(d)) => Some(MemoryState {
            stability: s as f32,
            difficulty: d as f32,
        }),
        _ => None,
    };
    Some(CardState {
        phase: Phase::parse(value.get("phase")?.as_str()?)?,
        due,
        interval_days: u32::try_from(int("interval_days")?).ok()?,
        ease_permille: u32::try_from(int("ease_permille")?).ok()?,
        repetitions: u32::try_from(int("repetitions")?).ok()?,
        lapses: u32::try_from(int("lapses")?).ok()?,
        step: u32::try_from(int("step")?).ok()?,
        memory,
    })
}
