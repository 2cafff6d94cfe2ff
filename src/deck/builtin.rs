//! The built-in machine-learning jargon decks, embedded in the binary from `decks/`.

use std::path::Path;

use super::DeckInput;
use crate::error::Result;

/// (file name, contents) of every built-in deck.
pub const FILES: &[(&str, &str)] = &[
    (
        "ml-foundations.toml",
        include_str!("../../decks/ml-foundations.toml"),
    ),
    (
        "deep-learning.toml",
        include_str!("../../decks/deep-learning.toml"),
    ),
    (
        "data-mlops.toml",
        include_str!("../../decks/data-mlops.toml"),
    ),
    (
        "software-engineering.toml",
        include_str!("../../decks/software-engineering.toml"),
    ),
    (
        "research-learning.toml",
        include_str!("../../decks/research-learning.toml"),
    ),
];

/// Every built-in deck, parsed and validated.
pub fn decks() -> Result<Vec<DeckInput>> {
    let mut decks = Vec::with_capacity(FILES.len());
    for (name, text) in FILES {
        let path = Path::new("decks").join(name);
        let deck = super::toml::parse(&path, text)?;
        super::validate(&path, std::slice::from_ref(&deck))?;
        decks.push(deck);
    }
    Ok(decks)
}
