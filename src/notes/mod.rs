//! Note types, card templates, cloze deletions and field HTML rendered for a
//! terminal. PURE: no I/O, no SQL, no clock, no printing.
//!
//! The review and the import ask this module which cards a note has
//! ([`NoteType::card_ords`]) and what each card shows ([`NoteType::render`]).
//! Templates follow Anki's language and card generation rules (see
//! `template.rs` and `cloze.rs`); fields are HTML, turned into styled text by
//! [`html_to_rich`].

mod cloze;
pub mod edit;
mod html;
mod rich;
mod scripts;
mod stock;
mod template;

#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet};

pub use cloze::cloze_numbers;
pub use html::html_to_rich;
pub use rich::{Rich, Span, Style};

use template::{Env, field_is_empty};

/// Anki's highest card ordinal for a cloze note (cloze numbers above 500 share it).
const MAX_CLOZE_ORD: u32 = 499;

/// The kinds of note type.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum Kind {
    /// jargon's own: term, definition, example, aliases, tags, related, source.
    Vocab,
    Basic,
    BasicReversed,
    BasicOptionalReversed,
    Typed,
    Cloze,
    /// Any other Anki note type, kept whole.
    Anki,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::Vocab,
        Kind::Basic,
        Kind::BasicReversed,
        Kind::BasicOptionalReversed,
        Kind::Typed,
        Kind::Cloze,
        Kind::Anki,
    ];

    /// The name stored and shown (`"basic-reversed"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Vocab => "vocab",
            Kind::Basic => "basic",
            Kind::BasicReversed => "basic-reversed",
            Kind::BasicOptionalReversed => "basic-optional-reversed",
            Kind::Typed => "typed",
            Kind::Cloze => "cloze",
            Kind::Anki => "anki",
        }
    }

    /// The kind named `name` (exactly as [`Kind::as_str`] writes it).
    pub fn parse(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// A card template: its name and the HTML templates of its two sides.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Template {
    pub name: String,
    pub front: String,
    pub back: String,
}

/// A note type: field names in order and card templates.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct NoteType {
    pub kind: Kind,
    /// "Basic", "Cloze", "vocab", or the Anki name.
    pub name: String,
    pub fields: Vec<String>,
    pub templates: Vec<Template>,
    pub css: String,
}

/// What a card is rendered in: the note's tags and the card's deck.
#[derive(Clone, Copy, Debug)]
pub struct Context<'a> {
    pub tags: &'a [String],
    /// The full deck name, `::` between levels.
    pub deck: &'a str,
}

/// What a card shows.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Rendered {
    /// The front.
    pub question: Rich,
    /// The back (`{{FrontSide}}` included as Anki does).
    pub answer: Rich,
    /// `{{type:F}}` / `{{type:cloze:F}}`: the expected answer as plain text; the
    /// placeholder itself renders nothing on either side.
    pub typed: Option<String>,
}

/// Anki's fields that every note has without declaring them.
const SPECIAL: [&str; 6] = ["Tags", "Type", "Deck", "Subdeck", "Card", "CardFlag"];

impl NoteType {
    /// Anki's stock types (Anki's names, fields, templates and styling),
    /// `vocab`, and for [`Kind::Anki`] an empty type named "Anki".
    pub fn stock(kind: Kind) -> NoteType {
        stock::stock(kind)
    }

    /// True for a cloze type: [`Kind::Cloze`], or an Anki type whose first
    /// template's front shows a field through `{{cloze:..}}` (Anki requires
    /// that of its cloze types).
    pub fn is_cloze(&self) -> bool {
        match self.kind {
            Kind::Cloze => true,
            Kind::Anki => self.templates.first().is_some_and(|t| {
                let mut names = Vec::new();
                template::cloze_fields(&template::parse(&t.front), &mut names);
                !names.is_empty()
            }),
            _ => false,
        }
    }

    /// The cards a note of this type has, as template ordinals, ascending
    /// (see [`NoteType::card_ords_tagged`]); the note is taken to have no tags.
    pub fn card_ords(&self, fields: &[String]) -> Vec<u32> {
        self.card_ords_tagged(fields, false)
    }

    /// The cards a note has, by Anki's rules. Cloze: one per cloze number used
    /// in any of the note's fields, ordinal = number - 1 (at most 499). Other
    /// types: a template gives a card when its front shows a non-empty field
    /// outside hidden sections (special fields count as non-empty, `{{Tags}}`
    /// only when the note has tags). A note that would have no card has card 0,
    /// as in Anki; a type without templates has none.
    pub fn card_ords_tagged(&self, fields: &[String], has_tags: bool) -> Vec<u32> {
        if self.templates.is_empty() {
            return Vec::new();
        }
        let ords: Vec<u32> = if self.is_cloze() {
            let mut numbers = std::collections::BTreeSet::new();
            for f in fields {
                numbers.extend(cloze_numbers(f));
            }
            let ords: std::collections::BTreeSet<u32> = numbers
                .into_iter()
                .map(|n| (n - 1).min(MAX_CLOZE_ORD))
                .collect();
            ords.into_iter().collect()
        } else {
            let mut nonempty = self.nonempty_fields(fields);
            for special in SPECIAL {
                if !self.fields.iter().any(|f| f == special) && (special != "Tags" || has_tags) {
                    nonempty.insert(special);
                }
            }
            (0u32..)
                .zip(&self.templates)
                .filter(|(_, t)| template::renders_with(&template::parse(&t.front), &nonempty))
                .map(|(ord, _)| ord)
                .collect()
        };
        if ords.is_empty() { vec![0] } else { ords }
    }

    /// The names of the fields that are not empty (Anki's "empty": only
    /// whitespace, `<br>` and `<div>`).
    fn nonempty_fields<'a>(&'a self, fields: &'a [String]) -> HashSet<&'a str> {
        self.fields
            .iter()
            .zip(fields)
            .filter(|(_, value)| !field_is_empty(value))
            .map(|(name, _)| name.as_str())
            .collect()
    }

    /// What card `ord` of a note shows. A cloze type renders its first template
    /// for every card; an ordinal without a template renders empty.
    pub fn render(&self, fields: &[String], ord: u32, context: &Context<'_>) -> Rendered {
        let index = if self.is_cloze() { 0 } else { ord as usize };
        let Some(tmpl) = self.templates.get(index) else {
            return Rendered {
                question: Rich::default(),
                answer: Rich::default(),
                typed: None,
            };
        };
        let tags = context.tags.join(" ");
        let subdeck = context.deck.rsplit("::").next().unwrap_or_default();
        let card_key = format!("c{}", ord.saturating_add(1));
        let mut values: HashMap<&str, &str> = HashMap::new();
        let specials = [
            ("Tags", tags.as_str()),
            ("Type", self.name.as_str()),
            ("Deck", context.deck),
            ("Subdeck", subdeck),
            ("Card", tmpl.name.as_str()),
            (card_key.as_str(), "1"),
        ];
        values.extend(specials);
        // a field takes precedence over a special name
        values.extend(
            self.fields
                .iter()
                .map(String::as_str)
                .zip(fields.iter().map(String::as_str)),
        );
        for name in self.fields.iter().skip(fields.len()) {
            values.insert(name, "");
        }
        let nonempty = values
            .iter()
            .filter(|(_, v)| !field_is_empty(v))
            .map(|(k, _)| *k)
            .collect();
        let mut env = Env {
            values,
            nonempty,
            cloze_n: ord.saturating_add(1),
            question: true,
            front: "",
        };
        let mut typed = None;
        let mut question = String::new();
        template::render(
            &template::parse(&tmpl.front),
            &env,
            &mut question,
            &mut typed,
        );
        env.question = false;
        env.front = &question;
        let mut answer = String::new();
        template::render(&template::parse(&tmpl.back), &env, &mut answer, &mut typed);
        Rendered {
            question: html_to_rich(&question),
            answer: html_to_rich(&answer),
            typed: typed.map(|t| html_to_rich(&t).plain()),
        }
    }
}
