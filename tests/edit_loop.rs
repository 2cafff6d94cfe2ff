//! Editing a note in `$EDITOR` until it is valid (`jargon edit` and the REPL's `:edit`), on a
//! real pseudo-terminal: a TOML mistake reopens the editor on the same text with the error on
//! top; an unchanged or emptied file, or a failing editor, cancels.

use crate::common;

use std::process::Command;
use std::time::Duration;

use common::Env;
use expectrl::{Session, WaitStatus};

const DECK: &str = r#"name = "Test"

[[note]]
term = "gradient descent"
definition = "An optimisation method that repeatedly steps against the slope of the loss."
source = "tests"
"#;

const DEFINITION: &str =
    "An optimisation method that repeatedly steps against the slope of the loss.";

/// An editor (a shell script run by `sh`) that copies what it is given to `round<N>.toml` beside the collection
/// (N counts the runs, kept in a file) and then runs the shell lines of round N.
fn editor(env: &Env, rounds: &[&str]) -> String {
    let dir = env.dir.path().display();
    let mut script = format!(
        "#!/bin/sh\nn=$(cat '{dir}/count' 2>/dev/null || echo 0)\nn=$((n+1))\necho $n > '{dir}/count'\ncp \"$1\" '{dir}/round'$n.toml\ncase $n in\n"
    );
    for (i, lines) in rounds.iter().enumerate() {
        script.push_str(&format!("{}) {lines} ;;\n", i + 1));
    }
    script.push_str("esac\n");
    common::sh_editor(env, "editor.sh", &script)
}

fn prepared() -> Env {
    let env = Env::new();
    let deck = env.write("test.toml", DECK);
    env.ok(&["import", deck.to_str().unwrap()]);
    env
}

fn spawn(env: &Env, editor: &str, args: &[&str]) -> Session {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_jargon"));
    cmd.args(args)
        .env("JARGON_DB", &env.db)
        .env("JARGON_NOW", &env.now)
        .env("TZ", "UTC")
        .env("TERM", "xterm")
        .env("NO_COLOR", "1")
        .env("EDITOR", editor)
        .env_remove("VISUAL");
    let mut session = Session::spawn(cmd).expect("spawn jargon in a pty");
    session.set_expect_timeout(Some(Duration::from_secs(20)));
    session
}

/// Waits for the end of the output and the exit code.
fn finish(mut p: Session) -> i32 {
    p.expect(expectrl::Eof).unwrap();
    match p.get_process().wait().unwrap() {
        WaitStatus::Exited(_, code) => code,
        other => panic!("jargon ended with {other:?}"),
    }
}

fn definition(env: &Env) -> String {
    env.sql("SELECT definition FROM notes WHERE term = 'gradient descent' AND deck_id = (SELECT id FROM decks WHERE name = 'Test')")
}

fn rounds(env: &Env) -> usize {
    std::fs::read_to_string(env.path("count")).map_or(0, |n| n.trim().parse().unwrap())
}

fn round(env: &Env, n: usize) -> String {
    std::fs::read_to_string(env.path(&format!("round{n}.toml"))).unwrap()
}

const BREAK: &str = r#"sed -i 's/^definition = .*/definition = "walks down the slope./' "$1""#;
const FIX: &str = r#"sed -i 's/^definition = .*/definition = "walks down the slope."/' "$1""#;

/// The second round got what the learner wrote in the first, under the error.
fn assert_reopened_with_the_error(env: &Env) {
    let first = round(env, 1);
    let second = round(env, 2);
    assert!(second.starts_with("# jargon: "), "{second}");
    let header: Vec<&str> = second.lines().take_while(|l| l.starts_with('#')).collect();
    assert_eq!(header.len(), 2, "{second}");
    // The error names the file, and the line and column of the unclosed string as reopened.
    let line = second
        .lines()
        .position(|l| l.starts_with("definition = \"walks"))
        .unwrap()
        + 1;
    assert!(
        header[0].contains(&format!(".toml:{line}:")),
        "{} (the definition is on line {line})",
        header[0]
    );
    assert!(header[0].contains("invalid deck"), "{}", header[0]);
    // Below the header: the first round's text with the learner's change, nothing else.
    let body = second.split_once("\n\n").unwrap().1;
    assert_eq!(
        body,
        first.replace(
            &format!("definition = \"{DEFINITION}\""),
            "definition = \"walks down the slope."
        )
    );
}

#[test]
fn edit_reopens_a_broken_note_with_the_error_on_top_and_saves_the_fix() {
    let env = prepared();
    let editor = editor(&env, &[BREAK, FIX]);
    let p = spawn(&env, &editor, &["edit", "Test/gradient-descent"]);
    assert_eq!(finish(p), 0);
    assert_eq!(rounds(&env), 2);
    assert_reopened_with_the_error(&env);
    assert_eq!(definition(&env), "walks down the slope.");
}

#[test]
fn edit_cancels_when_the_file_is_emptied() {
    let env = prepared();
    let before = env.fingerprint();
    let editor = editor(&env, &[r#": > "$1""#]);
    let mut p = spawn(&env, &editor, &["edit", "Test/gradient-descent"]);
    p.expect("The file was emptied; Test/gradient-descent was not changed.")
        .unwrap();
    assert_eq!(finish(p), 0);
    assert_eq!(rounds(&env), 1);
    assert_eq!(env.fingerprint(), before);
}

#[test]
fn edit_cancels_when_the_error_is_all_that_is_left() {
    let env = prepared();
    let before = env.fingerprint();
    // The second round keeps only the comment lines jargon put on top.
    let editor = editor(&env, &[BREAK, r#"sed -i '/^[^#]/d' "$1""#]);
    let mut p = spawn(&env, &editor, &["edit", "Test/gradient-descent"]);
    p.expect("The file was emptied").unwrap();
    assert_eq!(finish(p), 0);
    assert_eq!(rounds(&env), 2);
    assert_eq!(env.fingerprint(), before);
}

#[test]
fn edit_cancels_when_the_file_is_left_unchanged() {
    let env = prepared();
    let before = env.fingerprint();
    let editor = editor(&env, &[":"]);
    let mut p = spawn(&env, &editor, &["edit", "Test/gradient-descent"]);
    p.expect("No change to Test/gradient-descent.").unwrap();
    assert_eq!(finish(p), 0);
    assert_eq!(rounds(&env), 1);
    assert_eq!(env.fingerprint(), before);
}

#[test]
fn edit_stops_when_the_broken_text_is_saved_again_unchanged() {
    let env = prepared();
    let before = env.fingerprint();
    let editor = editor(&env, &[BREAK, ":"]);
    let mut p = spawn(&env, &editor, &["edit", "Test/gradient-descent"]);
    p.expect("invalid deck").unwrap();
    p.expect("; nothing was changed").unwrap();
    assert_eq!(finish(p), 1);
    assert_eq!(rounds(&env), 2);
    assert_eq!(env.fingerprint(), before);
}

#[test]
fn edit_cancels_when_the_editor_fails() {
    let env = prepared();
    let before = env.fingerprint();
    let editor = editor(&env, &[&format!("{BREAK}; exit 3")]);
    let mut p = spawn(&env, &editor, &["edit", "Test/gradient-descent"]);
    p.expect("exited with exit status: 3; nothing was changed")
        .unwrap();
    assert_eq!(finish(p), 1);
    assert_eq!(rounds(&env), 1);
    assert_eq!(env.fingerprint(), before);
}

#[test]
fn review_edit_reopens_a_broken_note_and_shows_the_card_with_the_fix() {
    let env = prepared();
    let editor = editor(&env, &[BREAK, FIX]);
    let mut p = spawn(&env, &editor, &["review", "--deck", "Test", "--new", "1"]);
    p.expect("reveal> ").unwrap();
    p.send_line(":edit").unwrap();
    p.expect("Note saved").unwrap();
    p.expect("reveal> ").unwrap();
    p.send_line("").unwrap();
    p.expect("walks down the slope.").unwrap();
    p.send_line("g").unwrap();
    p.expect("done> ").unwrap();
    p.send_line("").unwrap();
    assert_eq!(finish(p), 0);
    assert_eq!(rounds(&env), 2);
    assert_reopened_with_the_error(&env);
    assert_eq!(definition(&env), "walks down the slope.");
}

#[test]
fn review_goes_on_when_the_editor_fails() {
    let env = prepared();
    let editor = editor(&env, &["exit 1"]);
    let mut p = spawn(&env, &editor, &["review", "--deck", "Test", "--new", "1"]);
    p.expect("reveal> ").unwrap();
    p.send_line(":edit").unwrap();
    p.expect("exited with exit status: 1; nothing was changed")
        .unwrap();
    p.expect("reveal> ").unwrap();
    p.send_line("").unwrap();
    p.expect("repeatedly steps against").unwrap();
    p.send_line("g").unwrap();
    p.expect("done> ").unwrap();
    p.send_line("").unwrap();
    assert_eq!(finish(p), 0);
    assert_eq!(definition(&env), DEFINITION);
    assert_eq!(env.sql::<i64>("SELECT count(*) FROM reviews"), 1);
}

#[test]
fn review_edit_cancels_when_the_file_is_emptied() {
    let env = prepared();
    let editor = editor(&env, &[r#": > "$1""#]);
    let mut p = spawn(&env, &editor, &["review", "--deck", "Test", "--new", "1"]);
    p.expect("reveal> ").unwrap();
    p.send_line(":edit").unwrap();
    p.expect("The file was emptied; nothing was changed.")
        .unwrap();
    p.expect("reveal> ").unwrap();
    p.send(expectrl::ControlCode::EndOfTransmission).unwrap();
    assert_eq!(finish(p), 0);
    assert_eq!(definition(&env), DEFINITION);
    assert_eq!(rounds(&env), 1);
}
