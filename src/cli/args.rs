//! The command line's value enums (`--format`, `--on-duplicate`, `--order`) and their
//! conversions into the domain's enums ([`crate::deck::Format`],
//! [`crate::deck::plan::OnDuplicate`], [`crate::session::Order`]), so the clap derives stay in
//! `cli/`. Variant names and doc comments are the accepted values and their help: changing one
//! changes the command line.

use crate::deck::Format;
use crate::deck::plan::OnDuplicate;
use crate::session::Order;

/// `--format` of `evaluate` and `simulate`: for a person or for a program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TextOrJson {
    /// Tables (and charts) for the terminal
    Text,
    /// One JSON object (keys in docs/memory.md)
    Json,
}

/// `--format` of `import` and `export deck`: the formats of deck files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DeckFormat {
    Toml,
    Csv,
    Tsv,
    Json,
    Apkg,
}

impl From<DeckFormat> for Format {
    fn from(format: DeckFormat) -> Format {
        match format {
            DeckFormat::Toml => Format::Toml,
            DeckFormat::Csv => Format::Csv,
            DeckFormat::Tsv => Format::Tsv,
            DeckFormat::Json => Format::Json,
            DeckFormat::Apkg => Format::Apkg,
        }
    }
}

/// `import --on-duplicate`: what to do with a note whose key is already in its deck.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum DuplicateChoice {
    /// Replace the stored fields with the file's (the cards keep their history).
    #[default]
    Update,
    /// Keep the stored note as it is.
    Skip,
    /// Add the file's note as a new note beside the stored one.
    Duplicate,
}

impl From<DuplicateChoice> for OnDuplicate {
    fn from(choice: DuplicateChoice) -> OnDuplicate {
        match choice {
            DuplicateChoice::Update => OnDuplicate::Update,
            DuplicateChoice::Skip => OnDuplicate::Skip,
            DuplicateChoice::Duplicate => OnDuplicate::Duplicate,
        }
    }
}

/// `review --order`: how the queue is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum OrderChoice {
    /// Learning cards first, then the most overdue reviews, new cards spread among them.
    #[default]
    Due,
    /// A random order (seeded, so a session can be reproduced).
    Shuffle,
}

impl From<OrderChoice> for Order {
    fn from(order: OrderChoice) -> Order {
        match order {
            OrderChoice::Due => Order::Due,
            OrderChoice::Shuffle => Order::Shuffle,
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::ValueEnum;

    use super::*;

    /// The values the command line accepts, each with the domain value it becomes.
    fn accepted<C: ValueEnum + Copy, D: From<C>>() -> Vec<(String, D)> {
        C::value_variants()
            .iter()
            .filter_map(|v| Some((v.to_possible_value()?.get_name().to_string(), D::from(*v))))
            .collect()
    }

    fn pairs<D: Copy>(expected: &[(&str, D)]) -> Vec<(String, D)> {
        expected
            .iter()
            .map(|&(name, value)| (name.to_string(), value))
            .collect()
    }

    /// Every accepted spelling names the domain value of the same name, and the defaults agree.
    #[test]
    fn choices_convert_to_the_domain_value_of_the_same_name() {
        let formats = accepted::<DeckFormat, Format>();
        assert_eq!(
            formats,
            pairs(&[
                ("toml", Format::Toml),
                ("csv", Format::Csv),
                ("tsv", Format::Tsv),
                ("json", Format::Json),
                ("apkg", Format::Apkg),
            ])
        );
        assert!(formats.iter().all(|(name, format)| name == format.name()));
        assert_eq!(
            accepted::<DuplicateChoice, OnDuplicate>(),
            pairs(&[
                ("update", OnDuplicate::Update),
                ("skip", OnDuplicate::Skip),
                ("duplicate", OnDuplicate::Duplicate),
            ])
        );
        assert_eq!(
            OnDuplicate::from(DuplicateChoice::default()),
            OnDuplicate::default()
        );
        assert_eq!(
            accepted::<OrderChoice, Order>(),
            pairs(&[("due", Order::Due), ("shuffle", Order::Shuffle)])
        );
        assert_eq!(Order::from(OrderChoice::default()), Order::default());
    }
}
