//! The note type a row of a text file names (Anki's "Notes in Plain Text", `#notetype column`),
//! and the note such a row becomes.
//!
//! A name is looked up, ignoring case as Anki does: `vocab` and `jargon` (jargon's own type, as
//! it is called in the packages jargon writes) are vocab rows, read as they always were; then a
//! type the collection holds by that name (a package imported earlier brought it; the first
//! stored wins when several share it); then Anki's stock names (`Basic`, `Basic (and reversed
//! card)`, `Basic (optional reversed card)`, `Basic (type in the answer)`, `Cloze`), which give
//! jargon's copies of Anki's stock types. Any other name is unknown: the caller refuses the row.

use std::sync::Arc;

use crate::model::{NoteFields, NoteTypeInput, RichFields};
use crate::notes::{Kind, NoteType};

/// What a row's note type is.
#[derive(Debug, Clone)]
pub enum RowType {
    /// jargon's own type, named `vocab`: the columns as a file without a note type column.
    Vocab,
    /// jargon's type as its packages call it (`jargon`): Term, Definition, Example, Aliases,
    /// Related, Source and Key, in that order, when the file does not name its columns.
    Jargon,
    /// Any other type: the row's fields are its fields, in order.
    Rich(Arc<NoteTypeInput>),
}

/// The note types a text file may name: the collection's, by name, and Anki's stock ones.
#[derive(Debug, Clone, Default)]
pub struct KnownTypes {
    /// The collection's types (not vocab), in the order they were stored.
    stored: Vec<Arc<NoteTypeInput>>,
}

/// Anki's stock kinds, which a name not in the collection may give.
const STOCK: [Kind; 5] = [
    Kind::Basic,
    Kind::BasicReversed,
    Kind::BasicOptionalReversed,
    Kind::Typed,
    Kind::Cloze,
];

impl KnownTypes {
    /// The collection's note types, in the order they were stored (vocab is left out: it is
    /// known by its name).
    pub fn new(stored: impl IntoIterator<Item = NoteTypeInput>) -> KnownTypes {
        KnownTypes {
            stored: stored
                .into_iter()
                .filter(|t| t.notetype.kind != Kind::Vocab)
                .map(Arc::new)
                .collect(),
        }
    }

    /// The type `name` names (see the module's documentation); `None` when it is unknown.
    pub fn resolve(&self, name: &str) -> Option<RowType> {
        let name = name.trim();
        if name.eq_ignore_ascii_case("vocab") {
            return Some(RowType::Vocab);
        }
        if name.eq_ignore_ascii_case("jargon") {
            return Some(RowType::Jargon);
        }
        let same = |other: &str| other.to_lowercase() == name.to_lowercase();
        if let Some(found) = self.stored.iter().find(|t| same(&t.notetype.name)) {
            return Some(RowType::Rich(Arc::clone(found)));
        }
        STOCK.into_iter().map(NoteType::stock).find_map(|stock| {
            same(&stock.name).then(|| {
                RowType::Rich(Arc::new(NoteTypeInput {
                    notetype: stock,
                    anki_id: None,
                    extra: "{}".to_string(),
                }))
            })
        })
    }
}

/// Text as Anki's import of a file without HTML (`#html:false`) stores it: `&`, `<`, `>`, `"`
/// and `'` escaped, line breaks as `<br>`.
pub fn escape_text(text: &str, into: &mut String) {
    for c in text.chars() {
        match c {
            '&' => into.push_str("&amp;"),
            '<' => into.push_str("&lt;"),
            '>' => into.push_str("&gt;"),
            '"' => into.push_str("&quot;"),
            '\'' => into.push_str("&#x27;"),
            '\n' => into.push_str("<br>"),
            c => into.push(c),
        }
    }
}

/// Fills `fields` with a note of type `notetype` whose fields are `values` (as the row gives
/// them: missing ones empty, extra ones dropped) and whose tags are already in `fields`; its
/// cards are the ones Anki gives such a note. The term and definition are the plain text of
/// its fields, as for a package's note: the first field with text (`unnamed` when none has),
/// and the second. Returns how many of the extra values were not empty.
pub fn fill_rich(
    notetype: &Arc<NoteTypeInput>,
    mut values: Vec<String>,
    unnamed: &str,
    fields: &mut NoteFields,
) -> usize {
    let wanted = notetype.notetype.fields.len();
    let dropped = values.iter().skip(wanted).filter(|v| !v.is_empty()).count();
    values.resize(wanted, String::new());
    let mut cards = 0u64;
    for ord in notetype
        .notetype
        .card_ords_tagged(&values, !fields.tags.is_empty())
    {
        if ord < 64 {
            cards |= 1 << ord;
        }
    }
    let plain = |index: usize| {
        values
            .get(index)
            .map(|v| super::apkg::field_text(v))
            .unwrap_or_default()
    };
    fields.term = (0..values.len())
        .map(plain)
        .find(|t| !t.trim().is_empty())
        .unwrap_or_else(|| unnamed.to_string());
    fields.definition = plain(1);
    fields.rich = Some(Box::new(RichFields {
        notetype: Arc::clone(notetype),
        values,
        cards,
    }));
    dropped
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(name: &str, fields: &[&str], anki_id: i64) -> NoteTypeInput {
        NoteTypeInput {
            notetype: NoteType {
                kind: Kind::Anki,
                name: name.to_string(),
                fields: fields.iter().map(|f| f.to_string()).collect(),
                templates: NoteType::stock(Kind::Basic).templates,
                css: String::new(),
            },
            anki_id: Some(anki_id),
            extra: "{}".to_string(),
        }
    }

    #[test]
    fn names_resolve_to_the_collections_types_first_then_ankis_stock_ones() {
        let known = KnownTypes::new([
            stored("Vocab Plus", &["Chapter", "Prompt"], 7),
            stored("vocab plus", &["Other"], 8),
            stored("Basic", &["Front", "Back"], 9),
        ]);
        let rich = |name: &str| match known.resolve(name) {
            Some(RowType::Rich(t)) => t,
            other => panic!("{name}: {other:?}"),
        };
        assert_eq!(
            rich("VOCAB PLUS").anki_id,
            Some(7),
            "the first stored, any case"
        );
        assert_eq!(rich("Basic").anki_id, Some(9), "the collection's Basic");
        let cloze = rich(" cloze ");
        assert_eq!((cloze.notetype.kind, cloze.anki_id), (Kind::Cloze, None));
        assert_eq!(
            rich("Basic (type in the answer)").notetype.kind,
            Kind::Typed
        );
        assert!(matches!(known.resolve("Vocab"), Some(RowType::Vocab)));
        assert!(matches!(known.resolve("jargon"), Some(RowType::Jargon)));
        assert!(known.resolve("Basic (and reversed)").is_none());
        assert!(KnownTypes::default().resolve("Vocab Plus").is_none());
    }

    #[test]
    fn text_is_escaped_as_ankis_import_escapes_it() {
        let mut out = String::new();
        escape_text("a \"q\" & it's <b>\nnext", &mut out);
        assert_eq!(out, "a &quot;q&quot; &amp; it&#x27;s &lt;b&gt;<br>next");
    }

    #[test]
    fn a_rich_note_gets_its_types_cards_and_plain_names() {
        let cloze = Arc::new(NoteTypeInput {
            notetype: NoteType::stock(Kind::Cloze),
            anki_id: None,
            extra: "{}".to_string(),
        });
        let mut fields = NoteFields::default();
        let dropped = fill_rich(
            &cloze,
            vec![
                "<b>{{c1::a}}</b> {{c3::b}}".into(),
                "x &amp; y".into(),
                "".into(),
                "kept?".into(),
            ],
            "line 3",
            &mut fields,
        );
        assert_eq!(dropped, 1);
        let rich = fields.rich.as_ref().unwrap();
        assert_eq!(rich.values, ["<b>{{c1::a}}</b> {{c3::b}}", "x &amp; y"]);
        assert_eq!(rich.cards, 0b101);
        assert_eq!(fields.definition, "x & y");
        let mut empty = NoteFields::default();
        fill_rich(&cloze, vec![], "line 3", &mut empty);
        assert_eq!(empty.term, "line 3");
        assert_eq!(empty.rich.unwrap().values, ["", ""]);
    }
}
