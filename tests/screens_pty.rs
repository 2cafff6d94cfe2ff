//! Every screen fits the terminal: the real binary on a pseudo-terminal 60 and 80 columns
//! wide (status, decks, config, cards --long, stats, and a review's `:help` and last-card
//! prompt), and no printed line, once escape sequences are stripped, is wider than the
//! terminal. Also: where the collection is (status, config, --help).

use crate::common;

use std::process::Command;
use std::time::Duration;

use common::Env;
use expectrl::{Eof, Session};
use unicode_width::UnicodeWidthStr;

const DECK: &str = r#"name = "Screens and a deck name long enough to need cutting somewhere"
description = "A deck whose description goes on and on, well past what any narrow terminal can show on one line, so that the table must cut or wrap it."

[[note]]
term = "gradient descent with a rather long and winding term"
definition = """An optimisation method that repeatedly steps against the slope of the loss, taking steps proportional to the negative of the gradient at the current point.
Its second line also runs long enough that it must wrap, and must keep its indent when it does."""
example = "Training a linear model by gradient descent on the mean squared error, one small step after another, until the loss stops falling."
aliases = ["GD", "steepest descent", "the method of steepest descent"]
tags = ["optimisation", "training", "calculus", "first-order methods"]
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

fn spawn(env: &Env, args: &[&str], columns: u16) -> Session {
    // The size is set by the child itself before jargon starts: a resize from outside after
    // the spawn can arrive after jargon has read the width (seen on a loaded machine).
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!("stty cols {columns} rows 24 && exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_jargon"))
        .args(args)
        .env("JARGON_DB", &env.db)
        .env("JARGON_NOW", &env.now)
        .env("TZ", "UTC")
        .env("TERM", "xterm")
        .env_remove("COLUMNS")
        .env_remove("NO_COLOR")
        .env_remove("EDITOR")
        .env_remove("VISUAL");
    let mut session = Session::spawn(cmd).expect("spawn jargon in a pty");
    session
        .get_process_mut()
        .set_window_size(columns, 24)
        .expect("window size");
    session.set_expect_timeout(Some(Duration::from_secs(30)));
    session
}

/// Text with escape sequences (CSI, OSC, two-byte) removed.
fn strip_escapes(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('[') => {
                for c in chars.by_ref() {
                    if ('\u{40}'..='\u{7e}').contains(&c) {
                        break;
                    }
                }
            }
            Some(']') => {
                while let Some(c) = chars.next() {
                    if c == '\u{7}' {
                        break;
                    }
                    if c == '\u{1b}' && chars.peek() == Some(&'\\') {
                        chars.next();
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// Asserts that no line of `transcript` is wider than `columns`.
fn assert_fits(what: &str, transcript: &[u8], columns: usize) {
    let text = strip_escapes(&String::from_utf8_lossy(transcript));
    let too_wide: Vec<String> = text
        .split(['\n', '\r'])
        .filter(|line| line.width() > columns)
        .map(|line| format!("{:>3}: {line}", line.width()))
        .collect();
    assert!(
        too_wide.is_empty(),
        "{what} at {columns} columns prints lines wider than the terminal:\n{}\n--- all of it:\n{text}",
        too_wide.join("\n")
    );
}

/// Runs a command on the pty to its end and returns everything it printed.
fn transcript(env: &Env, args: &[&str], columns: u16) -> Vec<u8> {
    let mut p = spawn(env, args, columns);
    let all = p.expect(Eof).expect("the command ends");
    all.as_bytes().to_vec()
}

/// A collection with the long deck, two days of answers (so stats has charts), on day 3.
fn prepared() -> Env {
    let mut env = Env::new();
    let deck = env.write("screens.toml", DECK);
    env.ok(&["import", deck.to_str().unwrap()]);
    env.ok(&["config", "set", "fuzz", "false"]);
    env.run_with_input(&["review"], &"g\n".repeat(40));
    env.now = "2026-11-23T09:00:00Z".into();
    env.run_with_input(&["review"], &"g\n".repeat(40));
    env.now = "2026-11-24T09:00:00Z".into();
    env
}

#[test]
fn every_screen_fits_60_and_80_columns() {
    let env = prepared();
    for columns in [60u16, 80] {
        let width = usize::from(columns);
        for args in [
            &[][..],
            &["decks"][..],
            &["config"][..],
            &[
                "cards",
                "--long",
                "--deck",
                "Screens and a deck name long enough to need cutting somewhere",
            ][..],
            &["cards", "--long", "--limit", "30"][..],
            &["stats"][..],
            &["stats", "--period", "all"][..],
        ] {
            let out = transcript(&env, args, columns);
            assert_fits(&format!("jargon {}", args.join(" ")), &out, width);
        }
    }
}

#[test]
fn a_review_with_help_and_the_last_card_prompt_fits_60_and_80_columns() {
    for columns in [60u16, 80] {
        let env = prepared();
        let deck = "Screens and a deck name long enough to need cutting somewhere";
        let mut p = spawn(&env, &["review", "--deck", deck, "--limit", "1"], columns);
        let mut seen = Vec::new();
        let mut take = |c: expectrl::Captures| seen.extend_from_slice(c.as_bytes());
        take(p.expect("> ").unwrap());
        p.send_line(":help").unwrap();
        take(p.expect(":undo").unwrap());
        take(p.expect("> ").unwrap());
        p.send_line("g").unwrap();
        take(p.expect("done> ").unwrap());
        p.send_line("").unwrap();
        take(p.expect(Eof).unwrap());
        let text = strip_escapes(&String::from_utf8_lossy(&seen));
        assert!(text.contains("That was the last card"), "{text}");
        assert!(text.contains(":bury"), "{text}");
        assert_fits("jargon review (:help, done>)", &seen, usize::from(columns));
    }
}

#[test]
fn the_status_view_config_and_help_say_where_the_collection_is() {
    let env = prepared();
    let db = env.db.to_str().unwrap().to_string();
    let status = String::from_utf8_lossy(&transcript(&env, &[], 200)).into_owned();
    assert!(status.contains(&db), "status does not name {db}:\n{status}");
    let config = env.ok(&["config"]);
    assert!(config.contains(&db), "config does not name {db}:\n{config}");

    // --help names the default, computed where jargon runs.
    let data = env.path("xdg-data");
    let help = env
        .cmd()
        .arg("--help")
        .env("XDG_DATA_HOME", &data)
        .env("COLUMNS", "200")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout).into_owned();
    let default = data.join("jargon").join("collection.sqlite");
    assert!(
        help.contains(default.to_str().unwrap()),
        "--help does not name {}:\n{help}",
        default.display()
    );
}
