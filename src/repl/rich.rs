//! Answering a card of a note of an Anki type (basic, reversed, typed, cloze or any kept
//! type): its question rendered from its template, Enter shows the answer and the learner grades
//! it; a template with `{{type:Field}}` asks for the answer first and suggests the grade.

use std::ops::ControlFlow;

use super::*;
use crate::notes::{Context, Rich};

/// Rich text laid out for the terminal: each word painted with its span's attributes (so a
/// line break never falls inside a painted run), sanitised, wrapped under `indent`.
pub(super) fn show_rich(rich: &Rich, style: &Style, indent: &str) -> String {
    let mut text = String::new();
    for span in &rich.spans {
        let s = span.style;
        let clean = crate::text::sanitize(&span.text);
        let mut word = String::new();
        let flush = |word: &mut String, text: &mut String| {
            if word.is_empty() {
                return;
            }
            let mut painted = std::mem::take(word);
            if s.bold || s.cloze {
                painted = style.bold(&painted);
            }
            if s.italic {
                painted = style.italic(&painted);
            }
            if s.underline {
                painted = style.underline(&painted);
            }
            if s.code {
                painted = style.cyan(&painted);
            }
            if s.cloze {
                painted = style.yellow(&painted);
            }
            text.push_str(&painted);
        };
        for c in clean.chars() {
            if c == ' ' || c == '\n' {
                flush(&mut word, &mut text);
                text.push(c);
            } else {
                word.push(c);
            }
        }
        flush(&mut word, &mut text);
    }
    style.wrap(&text, indent, indent)
}

/// Is a typed answer the expected one: equal once case, spacing and accents are set aside.
fn typed_matches(typed: &str, expected: &str) -> bool {
    let fold = |t: &str| {
        crate::text::fold(t)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    fold(typed) == fold(expected)
}

impl Review<'_> {
    /// A card of a note of another type than vocab.
    pub(super) fn rich(
        &mut self,
        ui: &mut dyn Frontend,
        card: &Card,
        note: &Note,
        redrill: bool,
    ) -> Result<Step> {
        let style = ui.style();
        let notetype = self.collection.notetype(note.notetype_id)?.notetype;
        let context = Context {
            tags: &note.fields.tags,
            deck: &note.deck,
        };
        let rendered = notetype.render(&note.values, card.ord, &context);
        ui.print(&show_rich(&rendered.question, &style, "  "))?;
        if let Some(expected) = &rendered.typed {
            let typed = match self.read_typed(ui, note, "answer> ")? {
                ControlFlow::Continue(typed) => typed,
                ControlFlow::Break(step) => return Ok(step),
            };
            let right = typed_matches(&typed, expected);
            let verdict = if right {
                style.green("✓ right")
            } else if typed.is_empty() {
                format!("{} {}", style.red("✗"), crate::text::sanitize(expected))
            } else {
                format!(
                    "{} you typed {}, the answer is {}",
                    style.red("✗"),
                    crate::text::sanitize(&typed),
                    crate::text::sanitize(expected)
                )
            };
            ui.print(&format!("  {verdict}"))?;
            self.show_answer(ui, card, &rendered.answer, redrill)?;
            let suggested = if right { Answer::Good } else { Answer::Again };
            return self.confirm_grade(ui, note, suggested);
        }
        self.self_graded(ui, note, &mut |review, ui| {
            review.show_answer(ui, card, &rendered.answer, redrill)
        })
    }

    fn show_answer(
        &self,
        ui: &mut dyn Frontend,
        card: &Card,
        answer: &Rich,
        redrill: bool,
    ) -> Result<()> {
        let style = ui.style();
        ui.print(&style.dim("  ──"))?;
        ui.print(&show_rich(answer, &style, "  "))?;
        ui.print(&self.preview(card, redrill, &style)?)
    }
}
