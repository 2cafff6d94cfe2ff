//! Fuzzes `deck::csv::parse` on a `.tsv` file: a tab separator unless the file's header
//! lines name another (as `jargon import x.tsv` does).
#![no_main]

use jargon_fuzz::{check_decks, check_error, path, text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let path = path("tsv");
    let Some(text) = text(&path, bytes) else {
        return;
    };
    match jargon::deck::csv::parse(&path, &text, "fuzz", Some(b'\t')) {
        Ok(parsed) => check_decks(&path, &text, &parsed.decks),
        Err(e) => check_error(&path, &text, &e),
    }
});
