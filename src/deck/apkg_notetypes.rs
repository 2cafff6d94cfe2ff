//! Anki note types as jargon keeps them: the type jargon's own packages carry (its fixed id, or
//! its name `jargon` with `Term` and `Definition` first) becomes `vocab` notes; any other keeps its type
//! whole (Anki's id, name, fields, templates and CSS) and its notes their fields as written, with
//! one card per Anki card. Anki's stock types are recognised by their name and field names
//! (`Basic`, `Basic (and reversed card)`, `Basic (optional reversed card)`, `Basic (type in the
//! answer)`, `Cloze`) and keep that kind; a renamed or changed one is kept as any other.

use std::sync::Arc;

use crate::model::{NoteTypeInput, RichFields};
use crate::notes::{Kind, NoteType, Template};
use crate::records::anki::AnkiNotetype;

/// Is this the type jargon writes: the id its packages give it, or its name with `Term` and
/// `Definition` as the first two fields (a learner's own type with such fields is theirs, and
/// stays theirs so that it goes back to Anki unchanged).
pub fn is_jargon_type(anki_id: i64, anki: &AnkiNotetype) -> bool {
    let first_two: Vec<&str> = anki.fields.iter().take(2).map(|f| f.trim()).collect();
    anki_id == super::apkg_export::NOTETYPE_ID
        || (anki.name == "jargon" && first_two == ["Term", "Definition"])
}

/// The stock kind an Anki type is, by its name, field names and number of templates.
fn stock_kind(anki: &AnkiNotetype) -> Kind {
    let names: Vec<&str> = anki.fields.iter().map(String::as_str).collect();
    match (
        anki.name.as_str(),
        names.as_slice(),
        anki.templates,
        anki.cloze,
    ) {
        ("Basic", ["Front", "Back"], 1, false) => Kind::Basic,
        ("Basic (and reversed card)", ["Front", "Back"], 2, false) => Kind::BasicReversed,
        ("Basic (optional reversed card)", ["Front", "Back", "Add Reverse"], 2, false) => {
            Kind::BasicOptionalReversed
        }
        ("Basic (type in the answer)", ["Front", "Back"], 1, false) => Kind::Typed,
        ("Cloze", ["Text", "Back Extra"], 1, true) => Kind::Cloze,
        _ => Kind::Anki,
    }
}

/// The templates of a type the package gives no template text for: the stock ones for a stock
/// kind, or else the first field on the front and the others on the back (a cloze type asks
/// its first field's deletions).
fn fallback_templates(anki: &AnkiNotetype, kind: Kind) -> Vec<Template> {
    if kind != Kind::Anki {
        return NoteType::stock(kind).templates;
    }
    let first = anki.fields.first().cloned().unwrap_or_default();
    let rest: Vec<String> = anki
        .fields
        .iter()
        .skip(1)
        .map(|f| format!("{{{{{f}}}}}"))
        .collect();
    let front = if anki.cloze {
        format!("{{{{cloze:{first}}}}}")
    } else {
        format!("{{{{{first}}}}}")
    };
    (0..anki.templates.max(1))
        .map(|ord| Template {
            name: format!("Card {}", ord + 1),
            front: front.clone(),
            back: format!("{{{{FrontSide}}}}<hr id=answer>{}", rest.join("<br>")),
        })
        .collect()
}

/// What jargon keeps of an Anki type beyond its fields, templates and CSS, for the way back
/// (the `extra` of a stored type, as JSON): the field Anki's browser sorts by, and Anki's
/// stamp of its last change, written back as it was so that Anki never takes the type for a
/// newer one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Extra {
    #[serde(default, rename = "sortf")]
    pub sort_field: usize,
    #[serde(default, rename = "mod")]
    pub modified: i64,
}

impl Extra {
    pub fn to_json(self) -> String {
        format!(
            "{{\"sortf\":{},\"mod\":{}}}",
            self.sort_field, self.modified
        )
    }

    /// Read back; anything unreadable (a type made before this was kept) is the default.
    pub fn parse(json: &str) -> Extra {
        serde_json::from_str(json).unwrap_or_default()
    }
}

/// The note type jargon keeps for Anki's type `anki_id`.
pub fn notetype_input(anki_id: i64, anki: &AnkiNotetype) -> Arc<NoteTypeInput> {
    let kind = stock_kind(anki);
    // The package's own templates and CSS where it gives them (Anki's always do).
    let templates = if anki.template_list.iter().any(|t| !t.front.is_empty()) {
        anki.template_list
            .iter()
            .map(|t| Template {
                name: t.name.clone(),
                front: t.front.clone(),
                back: t.back.clone(),
            })
            .collect()
    } else {
        fallback_templates(anki, kind)
    };
    let css = if !anki.css.is_empty() || kind == Kind::Anki {
        anki.css.clone()
    } else {
        NoteType::stock(kind).css
    };
    Arc::new(NoteTypeInput {
        notetype: NoteType {
            kind,
            name: anki.name.clone(),
            fields: anki.fields.clone(),
            templates,
            css,
        },
        anki_id: Some(anki_id),
        extra: Extra {
            sort_field: anki.sort_field,
            modified: anki.modified,
        }
        .to_json(),
    })
}

/// A note's fields as written, one per field of its type (missing ones empty, extra ones
/// kept), with the cards of `ords` (those above 63 left out: jargon keeps 64 cards a note).
pub fn rich_fields(
    notetype: &Arc<NoteTypeInput>,
    values: &str,
    ords: impl Iterator<Item = i64>,
) -> Option<RichFields> {
    let mut values: Vec<String> = values.split('\u{1f}').map(String::from).collect();
    let wanted = notetype.notetype.fields.len();
    if values.len() < wanted {
        values.resize(wanted, String::new());
    }
    let mut cards = 0u64;
    for ord in ords {
        if (0..64).contains(&ord) {
            cards |= 1 << ord;
        }
    }
    if cards == 0 {
        // A note without a card in the package: the cards its type gives it.
        for ord in notetype.notetype.card_ords(&values) {
            if ord < 64 {
                cards |= 1 << ord;
            }
        }
    }
    (cards != 0).then(|| RichFields {
        notetype: Arc::clone(notetype),
        values,
        cards,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn anki(name: &str, fields: &[&str], templates: usize, cloze: bool) -> AnkiNotetype {
        AnkiNotetype {
            name: name.to_string(),
            fields: fields.iter().map(|f| f.to_string()).collect(),
            templates,
            cloze,
            ..AnkiNotetype::default()
        }
    }

    #[test]
    fn stock_types_are_known_by_name_and_fields_and_others_are_kept_as_anki() {
        let cases = [
            (anki("Basic", &["Front", "Back"], 1, false), Kind::Basic),
            (
                anki("Basic (and reversed card)", &["Front", "Back"], 2, false),
                Kind::BasicReversed,
            ),
            (
                anki(
                    "Basic (optional reversed card)",
                    &["Front", "Back", "Add Reverse"],
                    2,
                    false,
                ),
                Kind::BasicOptionalReversed,
            ),
            (
                anki("Basic (type in the answer)", &["Front", "Back"], 1, false),
                Kind::Typed,
            ),
            (anki("Cloze", &["Text", "Back Extra"], 1, true), Kind::Cloze),
            (
                anki("Basic", &["Front", "Back", "Extra"], 1, false),
                Kind::Anki,
            ),
            (
                anki("Vocab Plus", &["Chapter", "Prompt", "Answer"], 1, false),
                Kind::Anki,
            ),
        ];
        for (anki, kind) in cases {
            assert_eq!(stock_kind(&anki), kind, "{}", anki.name);
        }
        let ours = anki("jargon", &["Term", "Definition", "Example"], 2, false);
        assert!(is_jargon_type(1, &ours));
        let renamed = anki("Words", &["Term", "Definition"], 2, false);
        assert!(is_jargon_type(
            super::super::apkg_export::NOTETYPE_ID,
            &renamed
        ));
        assert!(
            !is_jargon_type(1, &renamed),
            "a learner's own type with Term and Definition stays theirs"
        );
        assert!(!is_jargon_type(
            1,
            &anki("jargon", &["Front", "Back"], 1, false)
        ));
        let extra = Extra {
            sort_field: 2,
            modified: 1_700_000_000,
        };
        assert_eq!(Extra::parse(&extra.to_json()), extra);
        assert_eq!(Extra::parse("{}"), Extra::default());
    }

    #[test]
    fn a_note_keeps_every_field_and_one_card_per_anki_card() {
        let t = notetype_input(
            7,
            &anki("Vocab Plus", &["Chapter", "Prompt", "Answer"], 2, false),
        );
        let rich = rich_fields(&t, "1\u{1f}<b>Q</b>", [0, 1, 70].into_iter()).unwrap();
        assert_eq!(rich.values, vec!["1", "<b>Q</b>", ""]);
        assert_eq!(rich.cards, 0b11, "ord 70 is past the 64 cards a note keeps");
        let cloze = notetype_input(8, &anki("Cloze", &["Text", "Back Extra"], 1, true));
        let rich = rich_fields(&cloze, "{{c1::a}} {{c3::b}}\u{1f}", std::iter::empty()).unwrap();
        assert_eq!(
            rich.cards, 0b101,
            "without cards in the package, the type's: c1 and c3"
        );
    }
}
