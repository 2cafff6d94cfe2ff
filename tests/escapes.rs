//! Escape sequences and bidi overrides that a file or a user wrote never reach the terminal
//! raw: deck names, keys, terms, paths and setting names in errors, warnings,
//! `import --dry-run`, `add`, `edit` and the "there is no deck" list come out in visible form,
//! every JSON we print escapes them as `\u`, and our own colours still work on a terminal.

use crate::common;

use std::process::{Command, Output};
use std::time::Duration;

use common::{Env, text};

/// An OSC 52 clipboard write (what a hostile deck would send) and a right-to-left override.
const OSC52: &str = "\x1b]52;c;aGVsbG8=\x07";
const RLO: char = '\u{202e}';

fn evil(word: &str) -> String {
    format!("{word}{OSC52}{RLO}x")
}

/// Nothing in `stream` can drive a terminal: no ESC, BEL or other C0 control but newline and
/// tab, no C1 control, no bidi override or isolate.
fn assert_inert(what: &str, stream: &str) {
    for c in stream.chars() {
        let bad = (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        assert!(!bad, "{what} holds U+{:04X} raw: {stream:?}", u32::from(c));
    }
}

/// Both streams of a run are inert, and the visible form of the sequence is there instead.
fn assert_shown(what: &str, out: &Output) -> (String, String) {
    let (stdout, stderr) = text(out);
    assert_inert(&format!("{what}: stdout"), &stdout);
    assert_inert(&format!("{what}: stderr"), &stderr);
    let both = format!("{stdout}{stderr}");
    assert!(
        both.contains("\\u{1b}]52;c;") && both.contains("\\u{202e}"),
        "{what}: the sequence is not shown in visible form: {both:?}"
    );
    (stdout, stderr)
}

fn add_evil_note(env: &Env) {
    let deck = evil("Deck");
    let term = evil("Term");
    let key = evil("key");
    let out = env.run(&[
        "add",
        "--deck",
        &deck,
        "--term",
        &term,
        "--definition",
        "a definition",
        "--id",
        &key,
    ]);
    assert!(out.status.success(), "{out:?}");
    let (stdout, _) = assert_shown("add", &out);
    assert!(stdout.starts_with("Added Deck"), "{stdout}");
}

#[test]
fn add_and_edit_show_deck_names_and_keys_in_visible_form() {
    let env = Env::new();
    add_evil_note(&env);
    let note = format!("{}/{}", evil("Deck"), evil("key"));
    let out = env.run(&["edit", &note, "--definition", "another definition"]);
    assert!(out.status.success(), "{out:?}");
    let (stdout, _) = assert_shown("edit", &out);
    assert!(stdout.starts_with("Updated Deck"), "{stdout}");
    // The text listings stay inert too (wide enough that no column is cut).
    for args in [&["decks"][..], &["cards"], &["cards", "--long"], &[]] {
        let out = env.cmd().args(args).env("COLUMNS", "120").output().unwrap();
        assert!(out.status.success(), "{args:?}: {out:?}");
        assert_shown(&format!("{args:?}"), &out);
    }
}

#[test]
fn the_list_of_decks_in_an_error_is_shown_in_visible_form() {
    let env = Env::new();
    add_evil_note(&env);
    let out = env.run(&["cards", "--deck", "No such deck"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let (_, stderr) = assert_shown("no such deck", &out);
    assert!(stderr.contains("there is no deck"), "{stderr}");
}

#[test]
fn names_given_on_the_command_line_come_back_in_visible_form_in_errors() {
    let env = Env::new();
    env.ok(&[]);
    // A setting name.
    let out = env.run(&["config", "set", &evil("key"), "1"]);
    assert_ne!(out.status.code(), Some(0), "{out:?}");
    assert_shown("config set", &out);
    // A deck name.
    let out = env.run(&["stats", "--deck", &evil("Deck")]);
    assert_ne!(out.status.code(), Some(0), "{out:?}");
    assert_shown("stats --deck", &out);
    // A note reference.
    let out = env.run(&["edit", &evil("key"), "--term", "t"]);
    assert_ne!(out.status.code(), Some(0), "{out:?}");
    assert_shown("edit", &out);
    // A path.
    let missing = env.path(&evil("missing")).with_extension("toml");
    let out = env.run(&["import", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_shown("import of a missing file", &out);
}

#[test]
fn import_warnings_and_the_dry_run_show_names_in_visible_form() {
    let env = Env::new();
    let file = env.write(
        "deck.csv",
        format!(
            "#separator:Comma\n#columns:Term,Definition,{}\nattention,a weighting,x\n",
            evil("Extra")
        ),
    );
    let deck = evil("Deck");
    let path = file.to_str().unwrap();
    let out = env.run(&["import", "--dry-run", "--deck", &deck, path]);
    assert!(out.status.success(), "{out:?}");
    let (stdout, stderr) = assert_shown("import --dry-run", &out);
    assert!(stdout.contains("add     Deck"), "{stdout}");
    assert!(stderr.contains("warning"), "{stderr}");
    assert!(
        stderr.contains("Extra\\u{1b}]52"),
        "the warning names the column: {stderr}"
    );
    // The streamed import's warnings go through the same writer.
    let out = env.run(&["import", "--deck", &deck, path]);
    assert!(out.status.success(), "{out:?}");
    let (_, stderr) = text(&out);
    assert_inert("import: stderr", &stderr);
    assert!(stderr.contains("Extra\\u{1b}]52"), "{stderr}");
}

#[test]
fn cards_json_escapes_bidi_overrides_and_c1_controls() {
    let env = Env::new();
    let term = format!("Term{RLO}\u{9b}31m\u{2066}");
    let out = env.run(&[
        "add",
        "--deck",
        "Plain",
        "--term",
        &term,
        "--definition",
        "d\x07",
        "--id",
        "k",
    ]);
    assert!(out.status.success(), "{out:?}");
    for args in [
        &["cards", "--json", "--deck", "Plain"][..],
        &["export", "deck", "--format", "json", "--deck", "Plain"],
    ] {
        let stdout = env.ok(args);
        assert_inert(&format!("{args:?}"), &stdout);
        assert!(
            stdout.contains("Term\\u202e\\u009b31m\\u2066"),
            "{args:?}: {stdout}"
        );
        // Still JSON, and still the same text when read back.
        let value: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        let first = &value.as_array().unwrap()[0];
        assert_eq!(first["term"], term.as_str(), "{args:?}");
    }
}

/// `jargon ARGS` on a pseudo-terminal, colour allowed; everything it printed.
fn on_a_terminal(env: &Env, args: &[&str]) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_jargon"));
    cmd.args(args)
        .env("JARGON_DB", &env.db)
        .env("JARGON_NOW", &env.now)
        .env("TZ", "UTC")
        .env("TERM", "xterm")
        .env_remove("NO_COLOR");
    let mut session = expectrl::Session::spawn(cmd).expect("spawn jargon in a pty");
    session
        .get_process_mut()
        .set_window_size(100, 40)
        .expect("window size");
    // Only bounds a hang.
    session.set_expect_timeout(Some(Duration::from_secs(30)));
    let seen = session.expect(expectrl::Eof).expect("jargon ends");
    // At the end of input everything read is the match itself.
    let all = [seen.before(), seen.get(0).unwrap_or_default()].concat();
    String::from_utf8_lossy(&all).into_owned()
}

#[test]
fn our_colours_still_reach_a_terminal_but_a_deck_names_escapes_do_not() {
    let env = Env::new();
    add_evil_note(&env);
    let shown = on_a_terminal(&env, &["stats", "--deck", &evil("Deck")]);
    assert!(shown.contains("\x1b[1m"), "no bold title: {shown:?}");
    assert!(
        !shown.contains(OSC52) && !shown.contains("\x1b]"),
        "{shown:?}"
    );
    assert!(!shown.contains(RLO), "{shown:?}");
    assert!(shown.contains("\\u{1b}]52;c;"), "{shown:?}");
}
