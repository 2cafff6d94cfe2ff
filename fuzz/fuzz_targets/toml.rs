//! Fuzzes `deck::toml::parse`, the native deck format.
#![no_main]

use jargon_fuzz::{check_decks, check_error, path, text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let path = path("toml");
    let Some(text) = text(&path, bytes) else {
        return;
    };
    match jargon::deck::toml::parse(&path, &text) {
        Ok(deck) => check_decks(&path, &text, std::slice::from_ref(&deck)),
        Err(e) => check_error(&path, &text, &e),
    }
});
