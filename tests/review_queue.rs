//! What a review session holds and what its commands do, through the real binary in line
//! mode: new siblings across sessions, `--new` within `--limit`, and `:suspend`, `:bury`,
//! `:skip`, `:undo` and `:help` at every prompt.

use crate::common;

use common::{Env, text};

/// A deck of `notes` notes, `t1`, `t2`, ..., imported with fuzz off.
fn with_notes(notes: usize) -> Env {
    let env = Env::new();
    let mut deck = String::from("name = \"Q\"\n");
    for i in 1..=notes {
        deck.push_str(&format!(
            "\n[[note]]\nterm = \"t{i}\"\ndefinition = \"definition number {i}\"\n"
        ));
    }
    let path = env.write("q.toml", deck);
    env.ok(&["import", path.to_str().unwrap()]);
    env.ok(&["config", "set", "fuzz", "false"]);
    env
}

/// Runs a review of deck Q with this input; asserts success and returns standard output.
fn review(env: &Env, args: &[&str], input: &str) -> String {
    let mut all = vec!["review", "--deck", "Q"];
    all.extend_from_slice(args);
    let out = env.run_with_input(&all, input);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}\n{stdout}");
    stdout
}

/// The stored card rows (the `cards` view fills in defaults, so it cannot tell an untouched
/// card from one with a row).
fn card_states(env: &Env) -> String {
    let conn = rusqlite::Connection::open(&env.db).unwrap();
    let mut stmt = conn
        .prepare("SELECT * FROM card_states ORDER BY id")
        .unwrap();
    let columns = stmt.column_count();
    stmt.query_map([], |row| {
        Ok((0..columns)
            .map(|i| format!("{:?}", row.get_ref(i).unwrap()))
            .collect::<Vec<_>>()
            .join("|"))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect::<Vec<_>>()
    .join("\n")
}

/// The whole collection: every table through the common fingerprint, plus `card_states`.
fn snapshot(env: &Env) -> String {
    format!("{}\n--\n{}", env.fingerprint(), card_states(env))
}

/// The id of the note whose term is `term`.
fn note_id(env: &Env, term: &str) -> i64 {
    env.sql(&format!("SELECT id FROM notes WHERE term = '{term}'"))
}

#[test]
fn a_new_sibling_waits_for_another_day_across_sessions() {
    let mut env = with_notes(2);
    let first = review(&env, &["--limit", "1"], "g\n");
    assert!(first.contains("1 card to review"), "{first}");
    let t1 = note_id(&env, "t1");
    assert_eq!(
        env.sql::<i64>("SELECT card_id FROM reviews"),
        t1 * 64,
        "the forward card of t1 was answered"
    );
    // Ten minutes later, the same study day: t1's reverse card must wait, t2's forward is new.
    env.now = "2026-11-22T09:10:00Z".into();
    let second = review(&env, &[], "g\ng\ng\n");
    assert!(second.contains("1 card to review"), "{second}");
    assert!(!second.contains("definition number 1"), "{second}");
    assert_eq!(
        env.sql::<i64>(&format!(
            "SELECT count(*) FROM reviews WHERE card_id = {}",
            t1 * 64 + 1
        )),
        0
    );
    // The next day t1's forward card is due, so its reverse waits again; the day after, it
    // comes.
    env.now = "2026-11-23T09:00:00Z".into();
    let due = review(&env, &["--new", "2"], &"g\n".repeat(6));
    assert!(due.contains("2 cards to review"), "{due}");
    env.now = "2026-11-24T09:00:00Z".into();
    review(&env, &["--new", "2"], &"g\n".repeat(6));
    assert_eq!(
        env.sql::<i64>(&format!(
            "SELECT count(*) FROM reviews WHERE card_id = {}",
            t1 * 64 + 1
        )),
        1
    );
}

#[test]
fn the_new_cards_asked_for_are_mixed_in_when_reviews_would_fill_the_limit() {
    let mut env = with_notes(50);
    review(&env, &["--new", "37"], &"g\n".repeat(37));
    assert_eq!(env.sql::<i64>("SELECT count(*) FROM reviews"), 37);
    env.now = "2026-11-23T09:00:00Z".into();
    let out = review(&env, &["--new", "5", "--limit", "30"], &"g\n".repeat(30));
    assert!(out.contains("30 cards to review"), "{out}");
    let (new, reviews): (i64, i64) = (
        env.sql("SELECT count(*) FROM reviews WHERE day = (SELECT max(day) FROM reviews) AND phase_before = 'new'"),
        env.sql("SELECT count(*) FROM reviews WHERE day = (SELECT max(day) FROM reviews) AND phase_before = 'review'"),
    );
    assert_eq!((new, reviews), (5, 25));
    // Without --new, reviews come first and fill the limit.
    env.now = "2026-11-23T10:00:00Z".into();
    let out = review(&env, &["--limit", "5"], "");
    assert!(out.contains("5 cards to review"), "{out}");
}

/// The command between backticks after `marker` in `out`.
fn hinted_command(out: &str, marker: &str) -> Vec<String> {
    let at = out
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} in {out}"));
    let rest = &out[at..];
    let start = rest.find('`').unwrap() + 1;
    let end = start + rest[start..].find('`').unwrap();
    rest[start..end]
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

#[test]
fn the_hint_after_suspend_is_a_command_that_brings_the_card_back() {
    let env = with_notes(3);
    let before = snapshot(&env);
    let out = review(&env, &["--new", "1"], ":suspend\n");
    assert_eq!(
        env.sql::<i64>("SELECT count(*) FROM cards WHERE suspended = 1"),
        1
    );
    let command = hinted_command(&out, "Suspended");
    assert_eq!(command[0], "jargon", "{command:?}");
    let args: Vec<&str> = command[1..].iter().map(String::as_str).collect();
    let shown = env.ok(&args);
    assert!(shown.contains("Unsuspended 1 of 1"), "{shown}");
    assert_eq!(snapshot(&env), before);
}

#[test]
fn undo_takes_back_a_suspend_a_bury_or_a_skip_and_leaves_the_file_as_it_was() {
    for command in [":suspend", ":bury", ":skip"] {
        let env = with_notes(3);
        let before = snapshot(&env);
        let out = review(&env, &["--new", "2"], &format!("{command}\n:undo\n:quit\n"));
        assert!(out.contains("it is shown again"), "{command}: {out}");
        assert_eq!(
            out.matches("definition number 1").count() + out.matches("  t1\n").count(),
            2,
            "{command}: t1 is shown twice\n{out}"
        );
        assert_eq!(snapshot(&env), before, "{command}");
    }
}

#[test]
fn undo_after_a_suspend_takes_back_the_suspend_not_the_answer_before_it() {
    let env = with_notes(3);
    let out = review(&env, &["--new", "2"], "g\n:suspend\n:undo\ng\n");
    assert!(out.contains("Unsuspended 't2'"), "{out}");
    assert_eq!(
        env.sql::<i64>("SELECT count(*) FROM cards WHERE suspended = 1"),
        0
    );
    assert_eq!(env.sql::<i64>("SELECT count(*) FROM reviews"), 2);
    assert_eq!(
        env.sql::<i64>(
            "SELECT count(*) FROM card_states WHERE buried_day IS NOT NULL OR suspended = 1"
        ),
        0
    );
}

#[test]
fn undo_after_a_skip_shows_the_skipped_card_next() {
    let env = with_notes(3);
    review(&env, &["--new", "3"], ":skip\n:undo\ng\n:quit\n");
    let t1 = note_id(&env, "t1");
    assert_eq!(env.sql::<i64>("SELECT card_id FROM reviews"), t1 * 64);
}

#[test]
fn undo_of_a_bury_puts_back_an_older_burial_day() {
    let mut env = with_notes(2);
    review(&env, &["--new", "1"], ":bury\n");
    env.now = "2026-11-23T09:00:00Z".into();
    let before = snapshot(&env);
    let out = review(&env, &["--new", "1"], ":bury\n:undo\n:quit\n");
    assert!(out.contains("Unburied 't1'"), "{out}");
    assert_eq!(snapshot(&env), before);
}

#[test]
fn help_at_the_last_card_prompt_prints_the_help() {
    let env = with_notes(1);
    let out = review(&env, &["--new", "1"], "g\n:help\n:stats\n:skip\n:undo\n\n");
    let done = &out[out.find("That was the last card").expect("done prompt")..];
    assert!(done.contains("show this help"), "{done}");
    assert!(done.contains("This session: 1 of 1 answered"), "{done}");
    assert!(done.contains("Undid good"), "{done}");
    assert_eq!(env.sql::<i64>("SELECT count(*) FROM reviews"), 0);
}
