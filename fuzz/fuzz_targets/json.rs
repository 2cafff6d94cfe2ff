//! Fuzzes `deck::json::parse`.
#![no_main]

use jargon_fuzz::{check_decks, check_error, path, text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let path = path("json");
    let Some(text) = text(&path, bytes) else {
        return;
    };
    match jargon::deck::json::parse(&path, &text, "fuzz") {
        Ok(decks) => check_decks(&path, &text, &decks),
        Err(e) => check_error(&path, &text, &e),
    }
});
