//! The review REPL driven through a real pseudo-terminal (expectrl): reveals, typed answers
//! with typos, overrides, undo (and its refusal once a sync has published the answer), bury,
//! Ctrl-D and Ctrl-C, colour rules, and a SIGKILL that must lose nothing already answered.

use crate::common;

use std::process::Command;
use std::time::Duration;

use common::Env;
use expectrl::{ControlCode, Session};

const DECK: &str = r#"name = "Test"

[[note]]
term = "gradient descent"
definition = "An optimisation method that repeatedly steps against the slope of the loss."
aliases = ["GD"]
source = "tests"

[[note]]
term = "learning rate"
definition = "The step size used when updating weights."
source = "tests"

[[note]]
term = "epoch"
definition = "One complete pass over the training set."
source = "tests"
"#;

fn spawn(env: &Env, args: &[&str], colour: bool) -> Session {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_jargon"));
    cmd.args(args)
        .env("JARGON_DB", &env.db)
        .env("JARGON_NOW", &env.now)
        .env("TZ", "UTC")
        .env("TERM", "xterm")
        .env_remove("EDITOR")
        .env_remove("VISUAL");
    if colour {
        cmd.env_remove("NO_COLOR");
    } else {
        cmd.env("NO_COLOR", "1");
    }
    let mut session = Session::spawn(cmd).expect("spawn jargon in a pty");
    session
        .get_process_mut()
        .set_window_size(80, 24)
        .expect("window size");
    session.set_expect_timeout(Some(Duration::from_secs(20)));
    session
}

fn rows(env: &Env, sql: &str) -> Vec<String> {
    let conn = rusqlite::Connection::open(&env.db).unwrap();
    let mut stmt = conn.prepare(sql).unwrap();
    let columns = stmt.column_count();
    stmt.query_map([], |row| {
        let parts: Vec<String> = (0..columns)
            .map(|i| format!("{:?}", row.get::<_, rusqlite::types::Value>(i).unwrap()))
            .collect();
        Ok(parts.join(" "))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// Days 1 and 2 answer the forward cards through a pipe, so on day 3 the three reverse
/// cards are new and a fourth note's forward card joins them.
fn prepared() -> Env {
    let mut env = Env::new();
    let deck = env.write("test.toml", DECK);
    env.ok(&["import", deck.to_str().unwrap()]);
    env.ok(&["config", "set", "fuzz", "false"]);
    env.run_with_input(&["review", "--deck", "Test"], "g\ng\ng\n");
    env.now = "2026-11-23T09:00:00Z".into();
    env.run_with_input(&["review", "--deck", "Test"], "g\ng\ng\n");
    env.now = "2026-11-24T09:00:00Z".into();
    env.ok(&[
        "add",
        "--deck",
        "Test",
        "--term",
        "overfitting",
        "--definition",
        "Fitting the training data so closely that new data is predicted badly.",
    ]);
    env
}

#[test]
fn a_full_session_with_typos_overrides_two_undos_a_bury_and_ctrl_d() {
    let env = prepared();
    // Strict: a one-letter slip suggests Hard (lenient, the default, suggests Good).
    env.ok(&["config", "set", "typed_answers", "strict"]);
    let before = rows(&env, "SELECT count(*) FROM reviews")[0].clone();
    assert_eq!(before, "Integer(6)");
    let mut p = spawn(&env, &["review", "--deck", "Test"], false);
    p.expect("4 cards to review").unwrap();

    // 1: gradient descent, typed with a typo; Enter accepts the suggested Hard.
    p.expect("steps against the slope").unwrap();
    p.expect("term> ").unwrap();
    p.send_line("gradient decsent").unwrap();
    p.expect("close:").unwrap();
    p.expect("hard? [Enter]").unwrap();
    p.send_line("").unwrap();
    p.expect("hard · next in 1d").unwrap();

    // 2: learning rate with a typo, overridden to Easy.
    p.expect("step size").unwrap();
    p.expect("term> ").unwrap();
    p.send_line("learnign rate").unwrap();
    p.expect("hard? [Enter]").unwrap();
    p.send_line("e").unwrap();
    p.expect("easy · next in 1d").unwrap();

    // 3: epoch, exact.
    p.expect("complete pass").unwrap();
    p.expect("term> ").unwrap();
    p.send_line("Epoch").unwrap();
    p.expect("✓ epoch").unwrap();
    p.expect("good? [Enter]").unwrap();
    p.send_line("").unwrap();
    p.expect("good · next in 1d").unwrap();

    // Undo twice: epoch, then learning rate come back.
    p.expect("> ").unwrap();
    p.send_line(":undo").unwrap();
    p.expect("Undid good on 'epoch'").unwrap();
    p.expect("term> ").unwrap();
    p.send_line(":undo").unwrap();
    p.expect("Undid easy on 'learning rate'").unwrap();
    p.expect("step size").unwrap();
    p.expect("term> ").unwrap();
    p.send_line("learning rate").unwrap();
    p.expect("good? [Enter]").unwrap();
    p.send_line("").unwrap();

    // epoch again: bury it.
    p.expect("complete pass").unwrap();
    p.expect("term> ").unwrap();
    p.send_line(":bury").unwrap();
    p.expect("Buried until tomorrow").unwrap();

    // overfitting, forward: reveal, then Good.
    p.expect("overfitting").unwrap();
    p.expect("reveal> ").unwrap();
    p.send_line("").unwrap();
    p.expect("predicted badly").unwrap();
    p.expect("again 1d · hard 1d · good 1d · easy 1d").unwrap();
    p.expect("grade> ").unwrap();
    p.send_line("g").unwrap();

    // The re-drill of gradient descent, answered by its alias.
    p.expect("re-drill").unwrap();
    p.expect("term> ").unwrap();
    p.send_line("gd").unwrap();
    p.expect("(an alias of gradient descent)").unwrap();
    p.send_line("").unwrap();

    p.expect("done> ").unwrap();
    p.send(ControlCode::EndOfTransmission).unwrap();
    p.expect("Session over: 3 cards reviewed").unwrap();
    p.expect(expectrl::Eof).unwrap();

    let log = rows(
        &env,
        "SELECT n.term, CASE c.ord WHEN 0 THEN 'forward' ELSE 'reverse' END, r.quality, r.kind, r.interval_after, r.ease_after
         FROM reviews r JOIN cards c ON c.id = r.card_id JOIN notes n ON n.id = c.note_id
         WHERE r.day = (SELECT max(day) FROM reviews) ORDER BY r.id",
    );
    assert_eq!(
        log,
        vec![
            r#"Text("gradient descent") Text("reverse") Integer(3) Text("schedule") Integer(1) Integer(2360)"#,
            r#"Text("learning rate") Text("reverse") Integer(4) Text("schedule") Integer(1) Integer(2500)"#,
            r#"Text("overfitting") Text("forward") Integer(4) Text("schedule") Integer(1) Integer(2500)"#,
            r#"Text("gradient descent") Text("reverse") Integer(4) Text("drill") Integer(1) Integer(2360)"#,
        ]
    );
    let epoch = rows(&env, "SELECT c.phase, c.buried_day IS NOT NULL FROM cards c JOIN notes n ON n.id = c.note_id JOIN decks d ON d.id = n.deck_id
         WHERE d.name = 'Test' AND n.key = 'epoch' AND c.ord = 1");
    assert_eq!(epoch, vec![r#"Text("new") Integer(1)"#]);
    assert!(env.ok(&["check"]).starts_with("ok:"));
}

/// `jargon sync` run from another terminal while the session waits publishes its answers:
/// `:undo` then keeps the synced answer, says why, and the session goes on (an answer made
/// after the sync still undoes).
#[test]
fn undo_of_an_answer_synced_from_another_terminal_is_refused_and_the_session_goes_on() {
    let env = prepared();
    let shared = tempfile::tempdir().unwrap();
    env.ok(&["sync", shared.path().to_str().unwrap()]);
    let mut p = spawn(&env, &["review", "--deck", "Test"], false);
    p.expect("4 cards to review").unwrap();
    p.expect("steps against the slope").unwrap();
    p.expect("term> ").unwrap();
    p.send_line("gradient descent").unwrap();
    p.expect("good? [Enter]").unwrap();
    p.send_line("").unwrap();
    p.expect("good · next in").unwrap();
    p.expect("step size").unwrap();
    p.expect("term> ").unwrap();

    // Another terminal syncs: the answer is published.
    let out = env.ok(&["sync"]);
    assert!(out.starts_with("Sent 1 event;"), "{out}");
    let synced = rows(
        &env,
        "SELECT id, gid IS NOT NULL FROM reviews ORDER BY id DESC LIMIT 1",
    );
    let before = env.fingerprint();
    p.send_line(":undo").unwrap();
    p.expect("Cannot undo 'gradient descent': that answer was already synced")
        .unwrap();
    p.expect("so it stays;").unwrap();
    // The same card is shown again and the session goes on; nothing changed in the file.
    p.expect("step size").unwrap();
    p.expect("term> ").unwrap();
    assert_eq!(env.fingerprint(), before);
    // Asked again, the same answer: the same refusal (it stays the latest action).
    p.send_line(":undo").unwrap();
    p.expect("Cannot undo 'gradient descent'").unwrap();
    p.expect("term> ").unwrap();
    p.send_line("learning rate").unwrap();
    p.expect("good? [Enter]").unwrap();
    p.send_line("").unwrap();
    p.expect("good · next in").unwrap();
    // An answer made after the sync is this collection's alone: it undoes.
    p.send_line(":undo").unwrap();
    p.expect("Undid good on 'learning rate'").unwrap();
    p.expect("step size").unwrap();
    p.send(ControlCode::EndOfTransmission).unwrap();
    p.expect("Session over: 1 card reviewed").unwrap();
    p.expect(expectrl::Eof).unwrap();
    assert_eq!(
        rows(
            &env,
            "SELECT id, gid IS NOT NULL FROM reviews ORDER BY id DESC LIMIT 1"
        ),
        synced
    );
    assert_eq!(synced[0].split(' ').nth(1), Some("Integer(1)"));
    assert!(env.ok(&["check"]).starts_with("ok:"));
}

#[test]
fn sigkill_mid_session_loses_nothing_already_answered() {
    let env = Env::new();
    let deck = env.write("test.toml", DECK);
    env.ok(&["import", deck.to_str().unwrap()]);
    let mut p = spawn(&env, &["review", "--deck", "Test"], false);
    for _ in 0..2 {
        p.expect("reveal> ").unwrap();
        p.send_line("g").unwrap();
        p.expect("good · next in").unwrap();
    }
    p.expect("reveal> ").unwrap();
    let pid = p.get_process().pid().to_string();
    let status = Command::new("kill").args(["-9", &pid]).status().unwrap();
    assert!(status.success());
    let _ = p.expect(expectrl::Eof);
    assert_eq!(
        rows(&env, "SELECT count(*) FROM reviews"),
        vec!["Integer(2)"]
    );
    assert_eq!(
        rows(&env, "SELECT count(*) FROM cards WHERE phase = 'review'"),
        vec!["Integer(2)"]
    );
    assert!(env.ok(&["check"]).starts_with("ok:"));
}

#[test]
fn ctrl_c_ends_the_session_cleanly_with_a_summary() {
    let env = Env::new();
    let deck = env.write("test.toml", DECK);
    env.ok(&["import", deck.to_str().unwrap()]);
    let mut p = spawn(&env, &["review", "--deck", "Test"], false);
    p.expect("reveal> ").unwrap();
    p.send_line("e").unwrap();
    p.expect("reveal> ").unwrap();
    p.send(ControlCode::EndOfText).unwrap();
    p.expect("Session over: 1 card reviewed").unwrap();
    p.expect(expectrl::Eof).unwrap();
    assert_eq!(
        rows(&env, "SELECT quality FROM reviews"),
        vec!["Integer(5)"]
    );
}

#[test]
fn colour_is_used_on_a_terminal_but_never_with_no_color() {
    let env = Env::new();
    let deck = env.write("test.toml", DECK);
    env.ok(&["import", deck.to_str().unwrap()]);
    for colour in [true, false] {
        let mut p = spawn(&env, &["review", "--deck", "Test", "--cram"], colour);
        p.expect("reveal> ").unwrap();
        p.send_line(":quit").unwrap();
        let rest = p.expect(expectrl::Eof).unwrap();
        let _ = rest;
        let mut p = spawn(&env, &["review", "--deck", "Test"], colour);
        let seen = p.expect("reveal> ").unwrap();
        let text = String::from_utf8_lossy(seen.before()).into_owned();
        let painted =
            text.contains("\x1b[2m") || text.contains("\x1b[36m") || text.contains("\x1b[1m");
        assert_eq!(painted, colour, "colour {colour}: {text:?}");
        p.send(ControlCode::EndOfTransmission).unwrap();
        p.expect(expectrl::Eof).unwrap();
    }
}

#[test]
fn tab_completes_commands_and_an_unknown_command_is_explained() {
    let env = Env::new();
    let deck = env.write("test.toml", DECK);
    env.ok(&["import", deck.to_str().unwrap()]);
    let mut p = spawn(&env, &["review", "--deck", "Test"], false);
    p.expect("reveal> ").unwrap();
    p.send(":he\t").unwrap();
    p.send("\r").unwrap();
    p.expect(":undo").unwrap();
    p.expect("reveal> ").unwrap();
    p.send_line(":frobnicate").unwrap();
    p.expect("Unknown command :frobnicate").unwrap();
    // `:op` completes to `:open`, which finds nothing to open on a vocab card.
    p.send(":op\t").unwrap();
    p.expect(":open").unwrap();
    p.send("\r").unwrap();
    p.expect("This card has no image or sound to open.")
        .unwrap();
    p.expect("reveal> ").unwrap();
    p.send_line(":quit").unwrap();
    p.expect("Session ended").unwrap();
}

#[test]
fn edit_opens_the_note_in_the_editor_and_shows_the_card_again_with_the_new_text() {
    let env = Env::new();
    let deck = env.write("test.toml", DECK);
    env.ok(&["import", deck.to_str().unwrap()]);
    let script = common::sh_editor(
        &env,
        "editor.sh",
        &format!(
            "stty -a > '{}'\nsed -i 's/repeatedly steps against/walks down/' \"$1\"\n",
            env.dir.path().join("modes.txt").display()
        ),
    );
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_jargon"));
    cmd.args(["review", "--deck", "Test", "--new", "1"])
        .env("JARGON_DB", &env.db)
        .env("JARGON_NOW", &env.now)
        .env("NO_COLOR", "1")
        .env("TERM", "xterm")
        .env("EDITOR", &script)
        .env_remove("VISUAL");
    let mut p = Session::spawn(cmd).unwrap();
    p.set_expect_timeout(Some(Duration::from_secs(20)));
    p.expect("reveal> ").unwrap();
    p.send_line(":edit").unwrap();
    p.expect("Note saved").unwrap();
    // The editor gets the terminal in its ordinary (canonical) mode, not the session's key
    // by key. (This pseudo-terminal starts without echo, so echo says nothing here.)
    let modes = std::fs::read_to_string(env.dir.path().join("modes.txt")).unwrap();
    let flags: Vec<&str> = modes.split_whitespace().collect();
    assert!(flags.contains(&"icanon"), "{modes}");
    p.expect("reveal> ").unwrap();
    p.send_line("").unwrap();
    p.expect("walks down the slope").unwrap();
    p.send_line("g").unwrap();
    p.expect("done> ").unwrap();
    p.send_line("").unwrap();
    p.expect(expectrl::Eof).unwrap();
    let definition = rows(
        &env,
        "SELECT definition FROM notes WHERE term = 'gradient descent' AND deck_id = (SELECT id FROM decks WHERE name = 'Test')",
    );
    assert_eq!(
        definition,
        vec![r#"Text("An optimisation method that walks down the slope of the loss.")"#]
    );
    assert_eq!(
        rows(&env, "SELECT count(*) FROM reviews"),
        vec!["Integer(1)"]
    );
}

/// A review whose answers meet a collection another connection holds the write lock of.
fn spawn_busy(env: &Env, busy_timeout_ms: &str) -> (Session, rusqlite::Connection) {
    let holder = rusqlite::Connection::open(&env.db).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_jargon"));
    cmd.args(["review", "--deck", "Test"])
        .env("JARGON_DB", &env.db)
        .env("JARGON_NOW", &env.now)
        .env("JARGON_BUSY_TIMEOUT_MS", busy_timeout_ms)
        .env("TZ", "UTC")
        .env("TERM", "xterm")
        .env("NO_COLOR", "1")
        .env_remove("EDITOR")
        .env_remove("VISUAL");
    let mut p = Session::spawn(cmd).expect("spawn jargon in a pty");
    p.set_expect_timeout(Some(Duration::from_secs(20)));
    p.expect("reveal> ").unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    p.send_line("g").unwrap();
    p.expect("your answer is kept").unwrap();
    (p, holder)
}

#[test]
fn ctrl_c_while_an_answer_waits_for_a_busy_collection_tries_once_more_and_says_it_was_lost() {
    let env = Env::new();
    let deck = env.write("test.toml", DECK);
    env.ok(&["import", deck.to_str().unwrap()]);
    let (mut p, holder) = spawn_busy(&env, "300");
    // Between prompts the terminal sends Ctrl-C as SIGINT: it must not end jargon silently.
    p.send(ControlCode::EndOfText).unwrap();
    p.expect("the answer was not saved (Ctrl-C while it waited): another jargon is writing")
        .unwrap();
    p.expect(expectrl::Eof).unwrap();
    let status = p.get_process().wait().unwrap();
    assert_eq!(
        status,
        expectrl::WaitStatus::Exited(p.get_process().pid(), 1),
        "jargon ends with an error, not killed by the signal"
    );
    drop(holder);
    assert_eq!(
        rows(&env, "SELECT count(*) FROM reviews"),
        vec!["Integer(0)"]
    );
}

/// Answers Good while another connection holds the collection, presses `key` while the
/// answer waits, frees the collection: the answer is saved, then the key ends the session.
fn key_while_the_answer_waits_saves_it_then_ends_the_session(key: ControlCode) {
    let env = Env::new();
    let deck = env.write("test.toml", DECK);
    env.ok(&["import", deck.to_str().unwrap()]);
    let (mut p, holder) = spawn_busy(&env, "3000");
    p.send(key).unwrap();
    // The last try waits up to the busy timeout: free the collection during it.
    std::thread::sleep(Duration::from_millis(300));
    holder.execute_batch("ROLLBACK").unwrap();
    p.expect("good · next in").unwrap();
    // The key still ends the session, once the answer is saved.
    p.expect("Session over: 1 card reviewed").unwrap();
    p.expect(expectrl::Eof).unwrap();
    assert_eq!(
        rows(&env, "SELECT quality FROM reviews"),
        vec!["Integer(4)"]
    );
}

#[test]
fn ctrl_c_while_an_answer_waits_saves_it_when_the_collection_frees_then_ends_the_session() {
    key_while_the_answer_waits_saves_it_then_ends_the_session(ControlCode::EndOfText);
}

/// A Ctrl-D pressed while the answer is still being saved reaches the prompt of the next
/// card and ends the session there. Before, the terminal was in canonical mode between
/// prompts and turned the key into a NUL byte the line editor ignored, so the session
/// waited at the next card as if nothing had been pressed.
#[test]
fn a_ctrl_d_pressed_while_the_answer_is_saved_ends_the_session_at_the_next_prompt() {
    key_while_the_answer_waits_saves_it_then_ends_the_session(ControlCode::EOT);
}
