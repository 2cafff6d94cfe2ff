//! Fuzzes `deck::revlog::parse`, the review logs of `jargon import --revlog`, and checks
//! that it gives one card history per note.
#![no_main]

use jargon_fuzz::{check_decks, check_error, path, text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let path = path("csv");
    let Some(text) = text(&path, bytes) else {
        return;
    };
    match jargon::deck::revlog::parse(&path, &text, jargon::deck::revlog::DEFAULT_DECK) {
        Ok(log) => {
            assert_eq!(log.histories.len(), log.deck.notes.len());
            for (i, history) in log.histories.iter().enumerate() {
                assert_eq!(history.note, i, "histories are in note order");
            }
            let answers: usize = log.histories.iter().map(|h| h.answers.len()).sum();
            assert!(answers <= log.reviews, "more answers than reviews");
            check_decks(&path, &text, std::slice::from_ref(&log.deck));
        }
        Err(e) => check_error(&path, &text, &e),
    }
});
