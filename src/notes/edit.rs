//! Editing a note of another type than vocab (PURE): a field named by `--field NAME=VALUE`
//! (HTML, as stored), a term or definition given as text (the first or second field,
//! HTML-escaped, as a text file's row edits such a note), and what the edited fields make of
//! the note: its plain term and definition for listings, and the cards it gains.
//!
//! Cards are only ever added: a field emptied leaves its card (with its history) in place,
//! as Anki leaves an empty card until asked to delete it.

use std::sync::Arc;

use super::NoteType;
use crate::model::{Note, NoteFields, RichFields};

/// A text value as field HTML: escaped, line breaks as `<br>`.
pub fn text_field(text: &str) -> String {
    html_escape::encode_text(text).replace('\n', "<br>")
}

/// The plain text of a field, as an import gives it to the term and definition columns:
/// sound references dropped, tags removed, entities decoded.
pub fn plain(html: &str) -> String {
    let mut text = html.to_string();
    while let Some(start) = text.find("[sound:") {
        match text[start..].find(']') {
            Some(end) => text.replace_range(start..start + end + 1, ""),
            None => break,
        }
    }
    crate::deck::html::to_text(&text)
}

/// The index of the field `name` (any case) of `notetype`, or a sentence naming its fields.
pub fn field_index(notetype: &NoteType, name: &str) -> Result<usize, String> {
    let wanted = name.trim();
    notetype
        .fields
        .iter()
        .position(|f| f.to_lowercase() == wanted.to_lowercase())
        .ok_or_else(|| format!("the note type '{}' has no field '{wanted}'", notetype.name))
}

/// "Front, Back, Add Reverse".
pub fn field_list(notetype: &NoteType) -> String {
    notetype.fields.join(", ")
}

/// The name of card `ord` of a note of `notetype`: its template's, or `c1`... for a cloze.
pub fn card_name(notetype: &NoteType, ord: u32) -> String {
    if notetype.is_cloze() {
        return format!("c{}", ord + 1);
    }
    notetype
        .templates
        .get(ord as usize)
        .map_or_else(|| format!("card {}", ord + 1), |t| t.name.clone())
}

/// `stored` (a note of `notetype`) with the fields `edited` gives: its field values when it
/// carries them (`edited.rich`), else its term and definition as text into the first two
/// fields where they differ from the stored ones (what `:edit` and a text file give). The
/// result keeps the stored key, guid and the vocab columns a note of this type does not use,
/// takes the edited tags, and has the cards the stored note has plus those the new values
/// make (ordinals past 63 are not kept, as on import); its term and definition are the plain
/// text of its first field with text (else the stored term) and of its second field.
pub fn rich_update(notetype: &NoteType, stored: &Note, edited: &NoteFields) -> NoteFields {
    let values = match &edited.rich {
        Some(rich) => rich.values.clone(),
        None => {
            let mut values = stored.values.clone();
            let texts = [
                (&edited.term, &stored.fields.term),
                (&edited.definition, &stored.fields.definition),
            ];
            for (value, (new, old)) in values.iter_mut().zip(texts) {
                if new != old {
                    *value = text_field(new);
                }
            }
            values
        }
    };
    let mut cards = stored.fields.card_mask();
    for ord in notetype.card_ords_tagged(&values, !edited.tags.is_empty()) {
        if ord < 64 {
            cards |= 1 << ord;
        }
    }
    let term = values
        .iter()
        .map(|v| plain(v))
        .find(|t| !t.trim().is_empty())
        .unwrap_or_else(|| stored.fields.term.clone());
    let definition = values.get(1).map(|v| plain(v)).unwrap_or_default();
    let notetype_input = stored.fields.rich.as_ref().map_or_else(
        || {
            Arc::new(crate::model::NoteTypeInput {
                notetype: notetype.clone(),
                anki_id: None,
                extra: String::new(),
            })
        },
        |r| Arc::clone(&r.notetype),
    );
    NoteFields {
        term,
        definition,
        tags: edited.tags.clone(),
        rich: Some(Box::new(RichFields {
            notetype: notetype_input,
            values,
            cards,
        })),
        forward_only: false,
        cards_from_file: false,
        ..stored.fields.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notes::Kind;

    fn note(kind: Kind, values: &[&str], cards: u64) -> (NoteType, Note) {
        let notetype = NoteType::stock(kind);
        let values: Vec<String> = values.iter().map(|v| v.to_string()).collect();
        let note = Note {
            id: 1,
            deck_id: 1,
            deck: "D".into(),
            fields: NoteFields {
                key: "k".into(),
                guid: Some("g".into()),
                term: plain(&values[0]),
                definition: plain(&values[1]),
                rich: Some(Box::new(RichFields {
                    notetype: Arc::new(crate::model::NoteTypeInput {
                        notetype: notetype.clone(),
                        anki_id: None,
                        extra: String::new(),
                    }),
                    values: values.clone(),
                    cards,
                })),
                ..NoteFields::default()
            },
            notetype_id: 2,
            values,
        };
        (notetype, note)
    }

    fn with_values(note: &Note, values: &[&str]) -> NoteFields {
        let mut fields = note.fields.clone();
        if let Some(rich) = fields.rich.as_mut() {
            rich.values = values.iter().map(|v| v.to_string()).collect();
        }
        fields
    }

    #[test]
    fn filling_add_reverse_gives_the_reverse_card_and_emptying_it_keeps_it() {
        let (notetype, stored) = note(Kind::BasicOptionalReversed, &["Auto", "car", ""], 0b1);
        let edited = rich_update(
            &notetype,
            &stored,
            &with_values(&stored, &["Auto", "car", "y"]),
        );
        assert_eq!(edited.rich.as_ref().map(|r| r.cards), Some(0b11));
        assert_eq!((edited.term.as_str(), edited.key.as_str()), ("Auto", "k"));
        assert_eq!(edited.guid.as_deref(), Some("g"));
        let (_, stored) = note(Kind::BasicOptionalReversed, &["Auto", "car", "y"], 0b11);
        let edited = rich_update(
            &notetype,
            &stored,
            &with_values(&stored, &["Auto", "car", ""]),
        );
        assert_eq!(edited.rich.as_ref().map(|r| r.cards), Some(0b11));
    }

    #[test]
    fn a_new_cloze_number_gives_its_card_and_the_term_is_the_plain_first_field() {
        let (notetype, stored) = note(Kind::Cloze, &["{{c1::Paris}} is big", ""], 0b1);
        let edited = rich_update(
            &notetype,
            &stored,
            &with_values(
                &stored,
                &["<b>{{c1::Paris}}</b> is in {{c3::France}}", "x &amp; y"],
            ),
        );
        assert_eq!(edited.rich.as_ref().map(|r| r.cards), Some(0b101));
        assert_eq!(edited.definition, "x & y");
        assert!(
            edited.term.starts_with("{{c1::Paris}} is in"),
            "{}",
            edited.term
        );
        let past = rich_update(
            &notetype,
            &stored,
            &with_values(&stored, &["{{c65::x}}", ""]),
        );
        assert_eq!(
            past.rich.as_ref().map(|r| r.cards),
            Some(0b1),
            "ord 64 is not kept"
        );
    }

    #[test]
    fn a_term_or_definition_given_as_text_goes_into_the_first_two_fields_escaped() {
        let (notetype, stored) = note(Kind::Basic, &["<b>Front</b>", "Back"], 0b1);
        let mut edited = stored.fields.clone();
        edited.rich = None;
        edited.definition = "a < b\nc".into();
        let after = rich_update(&notetype, &stored, &edited);
        let values = after.rich.map(|r| r.values).unwrap_or_default();
        assert_eq!(values, ["<b>Front</b>", "a &lt; b<br>c"]);
        assert_eq!(after.definition, "a < b\nc");
    }

    #[test]
    fn fields_are_found_in_any_case_and_an_unknown_one_lists_them() {
        let notetype = NoteType::stock(Kind::BasicOptionalReversed);
        assert_eq!(field_index(&notetype, "add reverse"), Ok(2));
        let err = field_index(&notetype, "Extra").unwrap_err();
        assert_eq!(
            err,
            "the note type 'Basic (optional reversed card)' has no field 'Extra'"
        );
        assert_eq!(field_list(&notetype), "Front, Back, Add Reverse");
    }
}
