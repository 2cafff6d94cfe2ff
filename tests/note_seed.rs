//! A note's fuzz seed (`notes.seed`, set by the sync merge for a note shared with other
//! devices) through the binary: its cards are answered, replayed by `check`, converted by a
//! scheduler switch and given imported history with the fuzz drawn as if the note's id were
//! the seed. Nothing on the command line sets a seed, so the tests set it in the file, as the
//! merge does, before the card has any answer. Each test runs a twin collection without the
//! seed beside the seeded one: the two differ only where the seed is used, so an engine that
//! ignored it would give the seeded card its twin's intervals.

use crate::common;

use common::{Env, text};
use jargon::model::CARDS_PER_NOTE;
use jargon::scheduler::fuzz::{apply, seeded_fraction};

const DECK: &str = r#"name = "Seeded"

[[note]]
term = "seeded term"
definition = "A note that came from another device."
source = "tests"
cards = ["forward"]
"#;

/// The only note of `deck` in the collection.
fn note_id(env: &Env, deck: &str) -> i64 {
    env.sql(&format!(
        "SELECT n.id FROM notes n JOIN decks d ON d.id = n.deck_id WHERE d.name = '{deck}'"
    ))
}

fn set_seed(env: &Env, note_id: i64, seed: i64) {
    let conn = rusqlite::Connection::open(&env.db).expect("open db");
    let changed = conn
        .execute(
            "UPDATE notes SET seed = ?1 WHERE id = ?2",
            rusqlite::params![seed, note_id],
        )
        .expect("set the seed");
    assert_eq!(changed, 1);
}

/// The stored interval of card `card_id`.
fn interval(env: &Env, card_id: i64) -> i64 {
    env.sql(&format!(
        "SELECT interval_days FROM cards WHERE id = {card_id}"
    ))
}

/// The interval SM-2 gives a card's second Good (6 days, fuzzed) when its fuzz is drawn from
/// `fuzz_card_id`.
fn second_good(fuzz_card_id: i64) -> u32 {
    apply(6, seeded_fraction(fuzz_card_id, 2))
}

/// A seed whose cards draw a fuzz far from note `note_id`'s own at each of their first four
/// answers: the draws are more than half the range apart, so every fuzzed interval of 2 or
/// more choices lands on another day (an engine ignoring the seed cannot match by chance).
fn differing_seed(note_id: i64) -> i64 {
    let apart = |seed: i64| {
        (1..=4).all(|repetitions| {
            let own = seeded_fraction(note_id * CARDS_PER_NOTE, repetitions);
            (seeded_fraction(seed * CARDS_PER_NOTE, repetitions) - own).abs() > 0.5
        })
    };
    (1_000_000..).find(|&seed| apart(seed)).expect("a seed")
}

fn review_good(env: &Env) -> String {
    let out = env.run_with_input(&["review", "--deck", "Seeded"], "\ng\n");
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    stdout
}

fn check_ok(env: &Env) {
    let out = env.ok(&["check"]);
    assert!(out.starts_with("ok: "), "{out}");
}

/// The deck imported into a new collection, with `seed` set on its note when given; returns
/// the collection and the note's id.
fn collection(seed: Option<i64>) -> (Env, i64) {
    let env = Env::new();
    let deck = env.write("seeded.toml", DECK);
    env.ok(&["import", deck.to_str().expect("UTF-8 path")]);
    let note = note_id(&env, "Seeded");
    if let Some(seed) = seed {
        set_seed(&env, note, seed);
    }
    (env, note)
}

#[test]
fn a_seeded_card_is_answered_checked_and_switched_with_its_seed_s_fuzz() {
    let (mut own, note) = collection(None);
    let seed = differing_seed(note);
    let (mut seeded, seeded_note) = collection(Some(seed));
    assert_eq!(seeded_note, note, "the twins' notes have the same id");
    let card = note * CARDS_PER_NOTE;
    // Day 1: Good on the new card (1 day, not fuzzed); day 2: Good (6 days, fuzzed).
    for env in [&mut own, &mut seeded] {
        review_good(env);
        env.now = "2026-11-23T09:00:00Z".into();
    }
    let own_out = review_good(&own);
    let seeded_out = review_good(&seeded);
    let expected = second_good(seed * CARDS_PER_NOTE);
    assert_ne!(expected, second_good(card));
    assert_eq!(interval(&own, card), i64::from(second_good(card)));
    assert_eq!(interval(&seeded, card), i64::from(expected));
    // The preview and the answer's line say the same interval.
    assert!(
        seeded_out.contains(&format!("good {expected}d"))
            && seeded_out.contains(&format!("good · next in {expected}d")),
        "{seeded_out}"
    );
    assert!(
        !own_out.contains(&format!("next in {expected}d")),
        "{own_out}"
    );
    // Day 14 (both are due): a third Good, 15 days fuzzed.
    for env in [&mut own, &mut seeded] {
        env.now = "2026-12-05T09:00:00Z".into();
        review_good(env);
        check_ok(env);
    }
    // A switch answers the card's answers again through the new scheduler with the same
    // fuzz; back to sm2, whose rows the card's log ends with, it replays them (and fails if
    // they disagree). The twins' answers are the same, so only the fuzz tells their converted
    // states apart (their sm2 states differ by their logs, and may meet by chance).
    let switches = [
        ("anki", None, true),
        ("sm2", None, false),
        ("fsrs", Some("--reschedule"), true),
    ];
    for (scheduler, extra, converted) in switches {
        for env in [&own, &seeded] {
            let mut args = vec!["config", "set", "scheduler", scheduler];
            args.extend(extra.into_iter().chain(extra.map(|_| "--yes")));
            env.ok(&args);
            check_ok(env);
        }
        let states = |env: &Env| -> (i64, i64) {
            (
                interval(env, card),
                env.sql(&format!(
                    "SELECT coalesce(due_day, due_at) FROM cards WHERE id = {card}"
                )),
            )
        };
        if converted {
            assert_ne!(states(&own), states(&seeded), "under {scheduler}");
        }
    }
    assert_eq!(
        seeded.sql::<i64>("SELECT count(*) FROM reviews WHERE kind = 'reschedule'"),
        1
    );
}

#[test]
fn an_imported_review_log_is_replayed_onto_a_seeded_card_with_its_seed_s_fuzz() {
    let run = |seed: Option<i64>| -> (i64, i64) {
        let env = Env::new();
        let first = env.write(
            "first.csv",
            "card_id,review_time,review_rating\n7,2026-11-01T10:00:00Z,3\n",
        );
        let path = |p: &std::path::Path| p.to_str().expect("UTF-8 path").to_string();
        env.ok(&["import", "--revlog", &path(&first), "--deck", "Log"]);
        let note = note_id(&env, "Log");
        if let Some(seed) = seed {
            set_seed(&env, note, seed);
        }
        // The same log with two later answers: merged onto the stored card, replayed.
        let longer = env.write(
            "longer.csv",
            "card_id,review_time,review_rating\n7,2026-11-01T10:00:00Z,3\n\
             7,2026-11-02T10:00:00Z,3\n7,2026-11-09T10:00:00Z,3\n",
        );
        env.ok(&["import", "--revlog", &path(&longer), "--deck", "Log"]);
        assert_eq!(env.sql::<i64>("SELECT count(*) FROM reviews"), 3);
        check_ok(&env);
        (note, interval(&env, note * CARDS_PER_NOTE))
    };
    let (note, own) = run(None);
    // The note was added by the first import: the seed only matters from the second answer.
    let seed = differing_seed(note);
    let (seeded_note, seeded) = run(Some(seed));
    assert_eq!(seeded_note, note);
    assert_ne!(own, seeded);
}
