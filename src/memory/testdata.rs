//! Test helpers: synthetic logs, and the shared review log `revlog-py-fsrs.csv`.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::Answer;

pub fn synthetic(cards: usize, answers_per_card: usize, seed: u64) -> Vec<Answer> {
    super::synthetic::answers(cards, answers_per_card, seed)
}

fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// `../shared/data/NAME` (or `$JARGON_SHARED_DATA/NAME`) when present. Absent: under
/// `CI=true` the test fails; elsewhere a `SKIPPED` line goes to standard error (written with
/// `write_all`, which the harness does not capture) and None comes back: the rule of
/// `tests/common::shared_data`.
pub fn shared_data(test: &str, name: &str) -> Option<PathBuf> {
    let folder = std::env::var_os("JARGON_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data"));
    let path = folder.join(name);
    if path.exists() {
        return Some(path);
    }
    let missing = format!(
        "{} is absent (the shared data folder is not beside the project)",
        path.display()
    );
    if under_ci() {
        panic!("{test}: {missing}, and CI is set: a missing dependency fails the test");
    }
    let line = format!("SKIPPED {test}: {missing} (under CI=true this fails)\n");
    let _ = std::io::stderr().write_all(line.as_bytes());
    None
}

/// The columns `card_id,review_rating,review_time,review_duration` (py-fsrs's export):
/// study days cut at 04:00 UTC (Anki's default rollover; the file has no time zone), each
/// card's first answer its new one.
pub fn parse_revlog_csv(path: &Path) -> Vec<Answer> {
    let mut reader = csv::Reader::from_path(path).expect("readable CSV");
    let mut answers: Vec<Answer> = reader
        .records()
        .map(|row| {
            let row = row.expect("a CSV row");
            let at = chrono::DateTime::parse_from_rfc3339(&row[2]).expect("an RFC 3339 time");
            let ms = at.timestamp_millis();
            Answer {
                card_id: row[0].parse().expect("a card id"),
                reviewed_at_ms: ms,
                day: (ms / 1000 - 4 * 3600).div_euclid(86_400),
                rating: row[1].parse().expect("a rating"),
                duration_ms: row[3].parse().expect("a duration"),
                was_new: false,
            }
        })
        .collect();
    answers.sort_by_key(|a| (a.card_id, a.reviewed_at_ms));
    let mut previous = None;
    for a in &mut answers {
        a.was_new = previous != Some(a.card_id);
        previous = Some(a.card_id);
    }
    answers
}

/// The shared log, or None (skipped) as [`shared_data`] says.
pub fn revlog_py_fsrs(test: &str) -> Option<Vec<Answer>> {
    shared_data(test, "revlog-py-fsrs.csv").map(|p| parse_revlog_csv(&p))
}
