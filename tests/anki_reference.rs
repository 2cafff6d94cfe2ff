//! jargon's `anki` scheduler against Anki's own engine.
//!
//! `tests/fixtures/anki_v3_reference.csv` is written by `bench/anki_reference.sh`: Anki (the
//! `anki` package, v3 scheduler, default options but a leech threshold of 4, no fuzz)
//! answers 100 cards over 92 simulated days, late and early, with all four buttons. Every
//! card's answers are replayed here, fuzz off, and every answer's resulting phase, interval
//! (days, or the learning step's seconds), ease, lapses and leech mark must equal Anki's.

use jargon::scheduler::anki::{self, AnkiSettings};
use jargon::scheduler::{Answer, CardState, Due, Moment, Phase};

const FIXTURE: &str = include_str!("fixtures/anki_v3_reference.csv");
const FIRST_DAY: i64 = 20_000;

struct Row {
    card: usize,
    day: i64,
    secs: i64,
    button: u8,
    kind: u8,
    ivl: i64,
    revlog_ivl: i64,
    factor: u32,
    lapses: u32,
    leech: bool,
}

fn rows() -> Vec<Row> {
    let mut lines = FIXTURE.lines();
    assert_eq!(
        lines.next(),
        Some("card,day,secs,button,type,queue,ivl,revlog_ivl,factor,lapses,leech")
    );
    lines
        .map(|line| {
            let v: Vec<i64> = line.split(',').map(|f| f.parse().unwrap()).collect();
            assert_eq!(v.len(), 11, "{line}");
            Row {
                card: v[0] as usize,
                day: v[1],
                secs: v[2],
                button: v[3] as u8,
                kind: v[4] as u8,
                ivl: v[6],
                revlog_ivl: v[7],
                factor: v[8] as u32,
                lapses: v[9] as u32,
                leech: v[10] == 1,
            }
        })
        .collect()
}

fn settings() -> AnkiSettings {
    AnkiSettings {
        fuzz: false,
        leech_lapses: 4,
        ..AnkiSettings::default()
    }
}

/// Replays the fixture; returns how many answers matched, and the mismatches described.
fn replay(settings: &AnkiSettings) -> (usize, Vec<String>) {
    let rows = rows();
    let cards = rows.iter().map(|r| r.card).max().unwrap() + 1;
    let mut states = vec![CardState::new_card(); cards];
    let mut clocks = vec![0i64; cards];
    let mut mismatches = vec![];
    for (n, row) in rows.iter().enumerate() {
        let today = FIRST_DAY + row.day;
        let now = if clocks[row.card] == 0 {
            today * 86_400 + 9 * 3_600
        } else {
            clocks[row.card] + row.secs
        };
        clocks[row.card] = now;
        let moment = Moment {
            card_id: row.card as i64,
            today,
            now,
            last_day: None,
        };
        let button = Answer::from_rating(row.button).unwrap();
        let out = anki::answer(&states[row.card], button, &moment, settings);
        let s = out.state;
        let (phase, interval, ease) = match row.kind {
            1 => (Phase::Learning, -row.revlog_ivl, 0),
            2 => (Phase::Review, row.ivl, row.factor),
            3 => (Phase::Relearning, -row.revlog_ivl, row.factor),
            other => panic!("row {n}: Anki left the card in type {other}"),
        };
        let ours_interval = match (s.phase, s.due) {
            (Phase::Learning | Phase::Relearning, Due::At(at)) => at - now,
            _ => i64::from(s.interval_days),
        };
        let ours_ease = if s.phase == Phase::Learning {
            0
        } else {
            s.ease_permille
        };
        let relearning_days_agree = row.kind != 3 || i64::from(s.interval_days) == row.ivl;
        let review_log_agrees = row.kind != 2 || row.revlog_ivl == row.ivl;
        if s.phase != phase
            || ours_interval != interval
            || ours_ease != ease
            || s.lapses != row.lapses
            || out.became_leech != row.leech
            || !relearning_days_agree
            || !review_log_agrees
        {
            mismatches.push(format!(
                "row {} (card {}, day {}, button {}): Anki {:?} {} (ivl {}) ease {} lapses {} leech {}; \
                 ours {:?} {} (ivl {}) ease {} lapses {} leech {}",
                n + 2,
                row.card,
                row.day,
                row.button,
                phase,
                interval,
                row.ivl,
                ease,
                row.lapses,
                row.leech,
                s.phase,
                ours_interval,
                s.interval_days,
                ours_ease,
                s.lapses,
                out.became_leech
            ));
        }
        states[row.card] = s;
    }
    (rows.len(), mismatches)
}

#[test]
fn every_answer_matches_ankis_own_engine() {
    let (compared, mismatches) = replay(&settings());
    assert!(
        mismatches.is_empty(),
        "{} of {compared} answers differ from Anki:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    assert!(compared >= 1_000, "only {compared} answers");
    eprintln!("anki reference: {compared} answers equal Anki's");
}

#[test]
fn a_broken_rule_is_caught() {
    let broken = AnkiSettings {
        hard_interval_permille: 1300,
        ..settings()
    };
    let (_, mismatches) = replay(&broken);
    assert!(!mismatches.is_empty());
}

#[test]
fn the_fixture_covers_every_phase_button_late_early_and_leech() {
    let rows = rows();
    let mut buttons = [0; 5];
    let mut kinds = [0; 4];
    for row in &rows {
        buttons[row.button as usize] += 1;
        kinds[row.kind as usize] += 1;
    }
    assert!(buttons[1..].iter().all(|&n| n >= 50), "{buttons:?}");
    assert!(kinds[1..].iter().all(|&n| n >= 50), "{kinds:?}");
    assert!(rows.iter().filter(|r| r.leech).count() >= 2);
    assert!(rows.iter().filter(|r| r.lapses >= 2).count() >= 10);

    // Late and early review answers, found by replaying the due days Anki gave.
    let mut due = std::collections::HashMap::new();
    let (mut late, mut early) = (0, 0);
    for row in &rows {
        if let Some(&(d, kind)) = due.get(&row.card) {
            if kind == 2 && row.day > d {
                late += 1;
            }
            if kind == 2 && row.day < d {
                early += 1;
            }
        }
        due.insert(row.card, (row.day + row.ivl, row.kind));
    }
    assert!(late >= 100, "{late} late answers");
    assert!(early >= 5, "{early} early answers");
    eprintln!("anki reference: {late} late and {early} early review answers");
}
