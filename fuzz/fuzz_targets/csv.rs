//! Fuzzes `deck::csv::parse` on a `.csv` file: no separator given, so the header lines or
//! the detection choose it (as `jargon import x.csv` does).
#![no_main]

use jargon_fuzz::{check_decks, check_error, path, text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let path = path("csv");
    let Some(text) = text(&path, bytes) else {
        return;
    };
    match jargon::deck::csv::parse(&path, &text, "fuzz", None) {
        Ok(parsed) => check_decks(&path, &text, &parsed.decks),
        Err(e) => check_error(&path, &text, &e),
    }
});
