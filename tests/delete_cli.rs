//! `jargon delete` through the real binary: notes go with their cards, their answers move to
//! the deleted-answers log (out of `export reviews` and the statistics), `check` stays clean;
//! without `--yes` and no terminal, with an unknown note, or as a dry run nothing changes; on a
//! terminal it lists the notes and asks.

use std::process::Command;
use std::time::Duration;

use expectrl::{Session, WaitStatus};

use crate::common;

use common::{Env, text};

const DECK: &str = r#"name = "Test"

[[note]]
term = "gradient descent"
definition = "An optimisation method that repeatedly steps against the slope of the loss."
related = ["learning-rate"]

[[note]]
term = "learning rate"
definition = "The step size used when updating weights."

[[note]]
term = "batch"
definition = "A group of examples processed together."
"#;

/// The deck imported and reviewed: gradient descent Good (1 answer), learning rate Again then
/// its re-drill Good (2 answers).
fn reviewed() -> Env {
    let env = Env::new();
    let deck = env.write("test.toml", DECK);
    env.ok(&["import", deck.to_str().unwrap()]);
    let out = env.run_with_input(&["review", "--deck", "Test", "--new", "2"], "\ng\na\ng\n");
    assert!(out.status.success(), "{}", text(&out).1);
    assert_eq!(answers_of(&env, "gradient-descent"), 1);
    assert_eq!(answers_of(&env, "learning-rate"), 2);
    env
}

/// Review rows of the note `Test/key`'s cards.
fn answers_of(env: &Env, key: &str) -> i64 {
    env.sql(&format!(
        "SELECT count(*) FROM reviews WHERE card_id / 64 =
             (SELECT n.id FROM notes n JOIN decks d ON d.id = n.deck_id
              WHERE d.name = 'Test' AND n.key = '{key}')"
    ))
}

fn notes_in_test(env: &Env) -> i64 {
    env.sql("SELECT count(*) FROM notes n JOIN decks d ON d.id = n.deck_id WHERE d.name = 'Test'")
}

/// `stats --period all --format json`: the answers counted over all time.
fn answers_in_stats(env: &Env) -> i64 {
    let json: serde_json::Value =
        serde_json::from_str(&env.ok(&["stats", "--period", "all", "--format", "json"])).unwrap();
    json["period_totals"]["answers"].as_i64().unwrap()
}

#[test]
fn delete_with_yes_removes_the_notes_and_keeps_their_answers_aside() {
    let env = reviewed();
    let reviews_before: i64 = env.sql("SELECT count(*) FROM reviews");
    assert_eq!(answers_in_stats(&env), 3);
    let exported = env.ok(&["export", "reviews"]);
    assert_eq!(exported.lines().count(), 1 + 3, "{exported}");

    let out = env.ok(&["delete", "Test/learning-rate", "--yes"]);
    assert_eq!(
        out,
        "Deleted 1 note (2 cards, 2 answers kept in the deleted-answers log).\n"
    );
    assert_eq!(notes_in_test(&env), 2);
    assert_eq!(
        env.sql::<i64>("SELECT count(*) FROM reviews"),
        reviews_before - 2
    );
    assert_eq!(
        env.sql::<i64>("SELECT count(*) FROM deleted_answers WHERE note = 'Test/learning-rate'"),
        2
    );
    let kinds: String = env.sql(
        "SELECT group_concat(json_extract(body, '$.kind'), ',') FROM
             (SELECT body FROM deleted_answers ORDER BY json_extract(body, '$.id'))",
    );
    assert_eq!(kinds, "schedule,drill");
    // Out of the log and the statistics; the remaining answer is intact.
    assert_eq!(answers_in_stats(&env), 1);
    let exported = env.ok(&["export", "reviews"]);
    assert_eq!(exported.lines().count(), 1 + 1, "{exported}");
    assert!(exported.contains("gradient-descent"), "{exported}");
    // gradient descent's related key now names nothing: check is still clean.
    let checked = env.ok(&["check"]);
    assert!(checked.starts_with("ok: "), "{checked}");
    assert_eq!(
        env.fails(&["edit", "Test/learning-rate", "--definition", "x"], 1),
        "jargon: no note has the key 'Test/learning-rate' (see `jargon cards`)\n"
    );

    // Several notes at once, a note named twice counted once; a deck left empty stays.
    let out = env.ok(&[
        "delete",
        "Test/gradient-descent",
        "Test/batch",
        "Test/batch",
        "--yes",
    ]);
    assert_eq!(
        out,
        "Deleted 2 notes (4 cards, 1 answer kept in the deleted-answers log).\n"
    );
    assert_eq!(notes_in_test(&env), 0);
    assert_eq!(
        env.sql::<i64>("SELECT count(*) FROM decks WHERE name = 'Test'"),
        1
    );
    assert_eq!(env.sql::<i64>("SELECT count(*) FROM deleted_answers"), 3);
    assert!(env.ok(&["check"]).starts_with("ok: "));
}

#[test]
fn without_yes_and_no_terminal_nothing_is_deleted() {
    let env = reviewed();
    let before = env.fingerprint();
    let stderr = env.fails(&["delete", "Test/learning-rate"], 2);
    assert_eq!(
        stderr,
        "jargon: delete asks before it deletes, and standard input is not a terminal to ask on; add --yes to delete without asking\n"
    );
    // A "y" piped in is not an answer to a question never asked.
    let out = env.run_with_input(&["delete", "Test/learning-rate"], "y\n");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(env.fingerprint(), before);
}

#[test]
fn one_unknown_note_refuses_them_all() {
    let env = reviewed();
    let before = env.fingerprint();
    let stderr = env.fails(&["delete", "Test/learning-rate", "Test/nope", "--yes"], 1);
    assert_eq!(
        stderr,
        "jargon: no note has the key 'Test/nope' (see `jargon cards`); nothing was deleted\n"
    );
    assert_eq!(env.fingerprint(), before);
    // A key in several decks is a usage error, and refuses too.
    let other = env.write(
        "other.toml",
        "name = \"Other\"\n[[note]]\nterm = \"batch\"\ndefinition = \"b\"\n",
    );
    env.ok(&["import", other.to_str().unwrap()]);
    let before = env.fingerprint();
    let stderr = env.fails(&["delete", "Test/learning-rate", "batch", "--yes"], 2);
    assert_eq!(
        stderr,
        "jargon: the key 'batch' is in several decks; name one of Test/batch, Other/batch; nothing was deleted\n"
    );
    assert_eq!(env.fingerprint(), before);
}

#[test]
fn a_dry_run_says_what_would_go_and_changes_nothing() {
    let env = reviewed();
    let before = env.fingerprint();
    let out = env.ok(&[
        "delete",
        "Test/learning-rate",
        "Test/gradient-descent",
        "--dry-run",
    ]);
    assert_eq!(
        out,
        "Would delete 2 notes with 4 cards and 3 answers:\n  Test/learning-rate\n  Test/gradient-descent\nNothing was deleted (dry run).\n"
    );
    assert_eq!(env.fingerprint(), before);
    // No terminal and no --yes is fine for a dry run: it asks nothing.
    let unknown = env.fails(&["delete", "Test/nope", "--dry-run"], 1);
    assert_eq!(
        unknown,
        "jargon: no note has the key 'Test/nope' (see `jargon cards`); nothing was deleted\n"
    );
    assert_eq!(env.fingerprint(), before);
}

/// Runs `jargon args` in a pseudo-terminal, answers `answer` to its question, and returns
/// everything it wrote there and its exit status.
fn in_pty_answering(env: &Env, args: &[&str], answer: &str) -> (String, WaitStatus) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_jargon"));
    cmd.args(args)
        .env("JARGON_DB", &env.db)
        .env("JARGON_NOW", &env.now)
        .env("TZ", "UTC")
        .env("TERM", "xterm")
        .env("NO_COLOR", "1");
    let mut session = Session::spawn(cmd).expect("spawn in a pty");
    session.set_expect_timeout(Some(Duration::from_secs(60)));
    let question = session.expect("[y/N] ").expect("the question");
    session.send_line(answer).expect("answer");
    let rest = session.expect(expectrl::Eof).expect("the process ends");
    let output = format!(
        "{}{}{}",
        String::from_utf8_lossy(question.before()),
        String::from_utf8_lossy(&question[0]),
        String::from_utf8_lossy(rest.as_bytes())
    );
    let status = session.get_process().wait().expect("wait");
    (output.replace("\r\n", "\n"), status)
}

#[test]
fn on_a_terminal_the_notes_are_listed_and_only_yes_deletes_them() {
    let env = reviewed();
    let before = env.fingerprint();
    let args = ["delete", "Test/learning-rate", "Test/batch"];
    let (output, status) = in_pty_answering(&env, &args, "n");
    assert!(
        matches!(status, WaitStatus::Exited(_, 0)),
        "{status:?}\n{output}"
    );
    assert!(
        output.starts_with(
            "To delete:\n  Test/learning-rate\n  Test/batch\nDelete 2 notes with 4 cards and 2 answers? [y/N] "
        ),
        "{output:?}"
    );
    assert!(output.ends_with("Nothing was deleted.\n"), "{output:?}");
    assert_eq!(env.fingerprint(), before);

    let (output, status) = in_pty_answering(&env, &args, "yes");
    assert!(
        matches!(status, WaitStatus::Exited(_, 0)),
        "{status:?}\n{output}"
    );
    assert!(
        output.ends_with("Deleted 2 notes (4 cards, 2 answers kept in the deleted-answers log).\n"),
        "{output:?}"
    );
    assert_eq!(notes_in_test(&env), 1);
    assert_eq!(env.sql::<i64>("SELECT count(*) FROM deleted_answers"), 2);
}
