//! Review rules that had no test: the daily review limit, a leech that is
//! suspended (and its undo), the shuffled order, and that only a card's latest answer undoes,
//! and only while no sync has published it.

use crate::common;

use common::{Env, text};
use jargon::store::reviews::UndoRefused;

const DECK: &str = r#"name = "Rules"

[[note]]
term = "alpha term"
definition = "The first definition of the rules deck."
source = "tests"

[[note]]
term = "beta term"
definition = "The second definition of the rules deck."
source = "tests"

[[note]]
term = "gamma term"
definition = "The third definition of the rules deck."
source = "tests"
"#;

/// The deck imported, fuzz off, and its three forward cards answered Good on the first day,
/// so on the second day they are due.
fn answered_once() -> Env {
    let mut env = Env::new();
    let deck = env.write("rules.toml", DECK);
    env.ok(&["import", deck.to_str().unwrap()]);
    env.ok(&["config", "set", "fuzz", "false"]);
    let out = env.run_with_input(&["review", "--deck", "Rules"], "\ng\n\ng\n\ng\n");
    assert!(out.status.success(), "{}", text(&out).1);
    assert_eq!(env.sql::<i64>("SELECT count(*) FROM reviews"), 3);
    env.now = "2026-11-23T09:00:00Z".into();
    env
}

#[test]
fn the_daily_review_limit_counts_the_answers_already_given_today() {
    let env = answered_once();
    env.ok(&["config", "set", "new_per_day", "0"]);
    env.ok(&["config", "set", "reviews_per_day", "2"]);
    let (first, _) = text(&env.run_with_input(&["review", "--deck", "Rules"], ""));
    assert!(first.contains("2 cards to review"), "{first}");
    let out = env.run_with_input(&["review", "--deck", "Rules", "--limit", "1"], "\ng\n");
    assert!(out.status.success(), "{}", text(&out).1);
    let (second, _) = text(&env.run_with_input(&["review", "--deck", "Rules"], ""));
    assert!(second.contains("1 card to review"), "{second}");
}

/// [`answered_once`], with a card becoming a leech at its first lapse and suspended then.
fn leech_ready() -> Env {
    let env = answered_once();
    env.ok(&["config", "set", "new_per_day", "0"]);
    env.ok(&["config", "set", "leech_lapses", "1"]);
    env.ok(&["config", "set", "leech_suspend", "true"]);
    env
}

#[test]
fn a_leech_is_suspended_when_the_setting_asks_for_it() {
    let env = leech_ready();
    let out = env.run_with_input(&["review", "--deck", "Rules", "--limit", "1"], "\na\n");
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("This card is a leech (1 lapse) and has been suspended"),
        "{stdout}"
    );
    assert_eq!(
        env.sql::<i64>("SELECT count(*) FROM cards WHERE suspended = 1"),
        1
    );
}

#[test]
fn undo_of_the_answer_that_made_a_leech_unsuspends_it_and_leaves_the_file_as_it_was() {
    let env = leech_ready();
    let before = env.fingerprint();
    let out = env.run_with_input(
        &["review", "--deck", "Rules", "--limit", "1"],
        "\na\n:undo\n:quit\n",
    );
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("This card is a leech"), "{stdout}");
    assert_eq!(
        env.sql::<i64>("SELECT count(*) FROM cards WHERE suspended = 1"),
        0,
        "{stdout}"
    );
    assert_eq!(env.fingerprint(), before, "{stdout}");
}

/// The terms of the cards a line-mode session showed, in order.
fn shown_terms(stdout: &str) -> Vec<String> {
    let lines: Vec<&str> = stdout.lines().collect();
    lines
        .windows(2)
        .filter(|pair| pair[0].starts_with("── "))
        .map(|pair| pair[1].trim().to_string())
        .collect()
}

/// Skips each of three cards: they are shown, and stay due.
const SKIP_ALL: &str = ":skip\n:skip\n:skip\n";

#[test]
fn a_shuffled_review_shows_every_due_card_once() {
    let env = answered_once();
    env.ok(&["config", "set", "new_per_day", "0"]);
    let (ordered, _) = text(&env.run_with_input(&["review", "--deck", "Rules"], SKIP_ALL));
    let out = env.run_with_input(
        &["review", "--deck", "Rules", "--order", "shuffle"],
        SKIP_ALL,
    );
    let (shuffled, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let mut a = shown_terms(&ordered);
    let mut b = shown_terms(&shuffled);
    assert_eq!(a.len(), 3, "{ordered}");
    a.sort();
    b.sort();
    assert_eq!(a, b, "{shuffled}");
    assert_eq!(a, ["alpha term", "beta term", "gamma term"]);
}

#[test]
fn only_the_latest_answer_of_a_card_can_be_undone() {
    let env = answered_once();
    env.ok(&["config", "set", "new_per_day", "0"]);
    let out = env.run_with_input(&["review", "--deck", "Rules", "--limit", "1"], "\ng\n");
    assert!(out.status.success(), "{}", text(&out).1);
    let card: i64 = env.sql("SELECT card_id FROM reviews ORDER BY id DESC LIMIT 1");
    let first: i64 = env.sql(&format!(
        "SELECT min(id) FROM reviews WHERE card_id = {card}"
    ));
    let latest: i64 = env.sql(&format!(
        "SELECT max(id) FROM reviews WHERE card_id = {card}"
    ));
    assert_ne!(first, latest);
    let before = env.fingerprint();
    let mut collection = jargon::store::Collection::open(&env.db).unwrap();
    let refused = collection.undo_review(first, false).unwrap().unwrap_err();
    assert_eq!(refused, UndoRefused::NotLatest);
    assert_eq!(
        refused.to_string(),
        "only the latest answer of a card can be undone"
    );
    drop(collection);
    assert_eq!(env.fingerprint(), before);
    let mut collection = jargon::store::Collection::open(&env.db).unwrap();
    collection.undo_review(latest, false).unwrap().unwrap();
    drop(collection);
    assert_eq!(
        env.sql::<i64>(&format!(
            "SELECT count(*) FROM reviews WHERE card_id = {card}"
        )),
        1
    );
}

/// Undo after `jargon sync` (from another terminal, during the session) published the
/// answer: the other devices keep it, so deleting it here would part the collections for
/// good. It is refused and nothing changes; a later, unpublished answer still undoes.
#[test]
fn an_answer_a_sync_has_published_is_not_undone() {
    let mut env = answered_once();
    let shared = tempfile::tempdir().unwrap();
    env.ok(&["sync", shared.path().to_str().unwrap()]);
    let published: i64 = env.sql("SELECT max(id) FROM reviews");
    let gid: String = env.sql(&format!("SELECT gid FROM reviews WHERE id = {published}"));
    let before = env.fingerprint();
    let mut collection = jargon::store::Collection::open(&env.db).unwrap();
    let refused = collection
        .undo_review(published, false)
        .unwrap()
        .unwrap_err();
    assert_eq!(refused, UndoRefused::Synced);
    assert_eq!(
        refused.to_string(),
        "that answer was already synced to your other devices, so it stays; the card's next answer changes its schedule"
    );
    drop(collection);
    assert_eq!(env.fingerprint(), before, "a refused undo changed the file");
    assert_eq!(
        env.sql::<String>(&format!("SELECT gid FROM reviews WHERE id = {published}")),
        gid
    );
    // A row that is no longer there (moved by a merge, or its note deleted) is refused too.
    let mut collection = jargon::store::Collection::open(&env.db).unwrap();
    let gone = collection
        .undo_review(published + 100, false)
        .unwrap()
        .unwrap_err();
    assert_eq!(gone, UndoRefused::Gone);
    drop(collection);
    // The next day's answer is not published yet: it undoes.
    env.now = "2026-11-24T09:00:00Z".into();
    let out = env.run_with_input(
        &["review", "--deck", "Rules", "--limit", "1"],
        "
g
",
    );
    assert!(out.status.success(), "{}", text(&out).1);
    let fresh: i64 = env.sql("SELECT max(id) FROM reviews");
    assert!(fresh > published);
    let mut collection = jargon::store::Collection::open(&env.db).unwrap();
    collection.undo_review(fresh, false).unwrap().unwrap();
    drop(collection);
    assert_eq!(env.sql::<i64>("SELECT max(id) FROM reviews"), published);
}

#[test]
fn unsuspend_refuses_an_undo_it_would_ignore() {
    let env = answered_once();
    let card: i64 = env.sql("SELECT min(card_id) FROM reviews");
    env.ok(&["suspend", "--card", &card.to_string()]);
    let before = env.fingerprint();
    let out = env.run(&["unsuspend", "--undo", "--card", &card.to_string()]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(
        stderr,
        "jargon: unsuspend has no --undo; `jargon suspend` suspends the cards again\n"
    );
    assert_eq!(env.fingerprint(), before);
}
