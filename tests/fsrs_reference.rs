//! Side by side with the `fsrs` Python package: 300 random multi-day answer sequences
//! (tests/fixtures/fsrs_reference.json.gz, made by bench/fsrs_reference.sh; same-day answers,
//! long gaps, all four grades) must give the same memory state after every answer and the same
//! retrievability at every answer, within 0.1% (the package computes in f64, the crate in f32).
//!
//! The answers go through jargon's card-level API (`Fsrs::answer`: steps, graduation, lapses),
//! so the memory state is shown to depend on grades and elapsed days alone, whatever phase the
//! card is in.

use std::io::Read;

use jargon::scheduler::fsrs::{DEFAULT_DESIRED_RETENTION, Fsrs, default_parameters};
use jargon::scheduler::{Answer, CardState, Moment, Settings};

struct Step {
    grade: u8,
    elapsed_days: i64,
    retrievability: Option<f64>,
    stability: f64,
    difficulty: f64,
}

fn fixture() -> Vec<Vec<Step>> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fsrs_reference.json.gz");
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|case| {
            case.as_array()
                .unwrap()
                .iter()
                .map(|row| Step {
                    grade: row[0].as_u64().unwrap() as u8,
                    elapsed_days: row[1].as_i64().unwrap(),
                    retrievability: row[2].as_f64(),
                    stability: row[3].as_f64().unwrap(),
                    difficulty: row[4].as_f64().unwrap(),
                })
                .collect()
        })
        .collect()
}

fn close(ours: f32, theirs: f64) -> bool {
    (f64::from(ours) - theirs).abs() <= 1e-3 * theirs.abs()
}

/// (values compared, values outside 0.1%, the first of those).
fn compare(fsrs: &Fsrs, cases: &[Vec<Step>]) -> (usize, usize, Option<String>) {
    let settings = Settings::default();
    let (mut compared, mut wrong, mut first) = (0, 0, None);
    for (case, steps) in cases.iter().enumerate() {
        let mut card = CardState::new_card();
        let mut last_day = None;
        let mut today = 20_000;
        for (i, step) in steps.iter().enumerate() {
            today += step.elapsed_days;
            let moment = Moment {
                card_id: case as i64,
                today,
                now: today * 86_400 + 28_800 + 600 * i as i64,
                last_day,
            };
            let answer = Answer::from_rating(step.grade).unwrap();
            let out = fsrs.answer(&card, answer, &moment, &settings).unwrap();
            let mut check = |what: &str, ours: Option<f32>, theirs: Option<f64>| {
                compared += 1;
                let agree = match (ours, theirs) {
                    (Some(o), Some(t)) => close(o, t),
                    (None, None) => true,
                    _ => false,
                };
                if !agree {
                    wrong += 1;
                    first.get_or_insert_with(|| {
                        format!("card {case}, answer {i}: {what} {ours:?}, the package {theirs:?}")
                    });
                }
            };
            check("retrievability", out.retrievability, step.retrievability);
            check(
                "stability",
                out.state.memory.map(|m| m.stability),
                Some(step.stability),
            );
            check(
                "difficulty",
                out.state.memory.map(|m| m.difficulty),
                Some(step.difficulty),
            );
            card = out.state;
            last_day = Some(today);
        }
    }
    (compared, wrong, first)
}

#[test]
fn memory_states_and_retrievability_match_the_fsrs_python_package_within_0_1_percent() {
    let cases = fixture();
    let answers: usize = cases.iter().map(Vec::len).sum();
    assert!(cases.len() >= 300 && answers > 3000, "{answers} answers");
    let fsrs = Fsrs::new(&[], DEFAULT_DESIRED_RETENTION).unwrap();
    let (compared, wrong, first) = compare(&fsrs, &cases);
    eprintln!(
        "compared {compared} values ({answers} answers of {} cards) with the fsrs package",
        cases.len()
    );
    assert_eq!(wrong, 0, "{wrong} of {compared} differ; first: {first:?}");
}

#[test]
fn one_parameter_moved_by_one_percent_is_caught() {
    let cases = fixture();
    for index in [0, 8, 11, 17, 20] {
        let mut parameters = default_parameters();
        parameters[index] *= 1.01;
        let fsrs = Fsrs::new(&parameters, DEFAULT_DESIRED_RETENTION).unwrap();
        let (compared, wrong, _) = compare(&fsrs, &cases);
        assert!(
            wrong > compared / 100,
            "w[{index}] * 1.01: only {wrong} of {compared} differ"
        );
    }
}
