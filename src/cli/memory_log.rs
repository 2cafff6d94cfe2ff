//! What `optimize`, `evaluate` and `simulate` share: the learner's answers (of every deck, or
//! of `--deck` and its sub-decks) read once from the log, the progress bar of a long fit, and
//! the sentence a memory error becomes.

use std::io::IsTerminal;

use crate::error::{Error, Result};
use crate::memory::{Answer, MemoryError};
use crate::store::Collection;

/// The graded answers of the selected decks, in time order, and how many rows the log holds
/// for them (re-drills, reschedulings and imports included; cram excluded).
pub fn answers(collection: &Collection, deck: Option<&str>) -> Result<(Vec<Answer>, usize)> {
    let names: Vec<String> = deck.map(str::to_string).into_iter().collect();
    let selection = collection.export_selection(&names, &[])?;
    let mut answers = vec![];
    let mut rows = 0;
    collection.export_reviews(selection.as_deref(), false, |r| {
        rows += 1;
        if crate::memory::log::counts(&r.review) {
            answers.push(crate::memory::log::answer(&r.review));
        }
        Ok(())
    })?;
    Ok((answers, rows))
}

/// The new cards a simulation may introduce: those of every deck, or of `deck` and its
/// sub-decks.
pub fn new_cards(collection: &Collection, deck: Option<&str>, today: i64) -> Result<usize> {
    let ids = deck.map(|d| collection.deck_ids_under(d)).transpose()?;
    let count: i64 = collection
        .deck_summaries(today)?
        .iter()
        .filter(|d| ids.as_ref().is_none_or(|ids| ids.contains(&d.id)))
        .map(|d| d.new)
        .sum();
    Ok(usize::try_from(count).unwrap_or(0))
}

/// `text` for standard output, each line longer than the screen wrapped at word boundaries
/// (its continuation indented as the line was), so prose fits a narrow terminal.
pub fn fit_to_screen(text: &str) -> String {
    fit(
        text,
        crate::repl::render::terminal_width(std::io::stdout().is_terminal()),
    )
}

/// `text` with each line wrapped to `width` columns, continuations indented as their line.
fn fit(text: &str, width: usize) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let indent: String = line.chars().take_while(|c| *c == ' ').collect();
        for piece in crate::repl::render::wrap(line.trim_start(), width, &indent, &indent) {
            out.push_str(&piece);
            out.push('\n');
        }
    }
    out
}

/// A bar on standard error while `what` runs, when standard error is a terminal.
pub fn progress_bar(what: &str) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(1000);
    bar.set_style(
        indicatif::ProgressStyle::with_template(&format!("{what} {{bar:40}} {{percent}}%"))
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}

/// Moves `bar` to `fraction` (0 to 1) done; always goes on.
pub fn advance(bar: &indicatif::ProgressBar, fraction: f64) -> bool {
    // 0..=1 scaled to 0..=1000: the cast cannot overflow.
    bar.set_position((fraction.clamp(0.0, 1.0) * 1000.0).round() as u64);
    true
}

/// A memory error as the learner reads it: too little history is the work failing (exit 1)
/// with what is needed, a bad setting is bad usage (exit 2).
pub fn error(e: MemoryError) -> Error {
    match e {
        MemoryError::BadSetting(message) => Error::usage(message),
        MemoryError::TooLittleHistory { .. } | MemoryError::TooFewNewCards => {
            Error::failed(format!("{e}; nothing was changed"))
        }
        other => Error::failed(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::fit;

    #[test]
    fn long_lines_wrap_at_words_with_their_indent_and_short_ones_stay() {
        let text = "a table row that stays\n\n  (an indented sentence that is too long)\n";
        assert_eq!(
            fit(text, 24),
            "a table row that stays\n\n  (an indented sentence\n  that is too long)\n"
        );
    }
}
