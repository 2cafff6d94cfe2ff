//! PURE answer checking for reverse cards: is what the learner typed the term?
//!
//! Forgiving where a person would be: case, accents, punctuation and spacing never matter
//! and any alias counts. Closeness is narrow: a long term (8 letters or more) may carry one
//! slip (Damerau-Levenshtein: a letter changed, added, dropped or two swapped), a very long
//! one (16 letters or more) two; every word of 4 letters or fewer must be exact; an added or
//! dropped word, or a prefix that changes the meaning (un-, re-, non-, in-, a-, ...), is
//! never close. So "tree" is not "trie", "scale" not "Scala", "unstructured data" not
//! "structured data".
//!
//! An answer that is (after folding) the term or an alias of another note is wrong however
//! close its letters: the review finds those notes through a [`Lexicon`] of every note's
//! folded term and aliases and passes them to [`check`] as [`OtherNote`]s.

use std::hash::Hasher;

use strsim::damerau_levenshtein;

use crate::scheduler::Answer;
use crate::text::normalize;

/// How close the typed answer came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The term or an alias, up to case, accents, punctuation and spacing.
    Exact {
        matched: String,
    },
    /// Within the slip allowance of the term or an alias.
    Typo {
        matched: String,
        edits: usize,
    },
    /// The term or an alias of another note: wrong, and that note is named.
    Another {
        note: OtherNote,
        matched: String,
    },
    Wrong,
    /// Nothing was typed.
    Blank,
}

/// How a slip in a typed answer is graded (`config set typed_answers`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Leniency {
    /// One slip on a long term is Good (the correction is shown); two are Hard.
    #[default]
    Lenient,
    /// Any slip is Hard.
    Strict,
}

impl Leniency {
    pub fn parse(text: &str) -> Option<Leniency> {
        match text.trim().to_ascii_lowercase().as_str() {
            "lenient" => Some(Leniency::Lenient),
            "strict" => Some(Leniency::Strict),
            _ => None,
        }
    }
}

impl Verdict {
    /// The grade to suggest: exact -> Good; one slip -> Good (lenient) or Hard (strict);
    /// two slips -> Hard; another note's answer, wrong or blank -> Again.
    pub fn suggested(&self, leniency: Leniency) -> Answer {
        match self {
            Verdict::Exact { .. } => Answer::Good,
            Verdict::Typo { edits: 1, .. } if leniency == Leniency::Lenient => Answer::Good,
            Verdict::Typo { .. } => Answer::Hard,
            Verdict::Another { .. } | Verdict::Wrong | Verdict::Blank => Answer::Again,
        }
    }
}

/// Another note, as the review names it when an answer belongs to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherNote {
    pub note_id: i64,
    pub term: String,
    pub deck: String,
    pub aliases: Vec<String>,
}

/// Letters (not counting spaces) from which a term allows one slip.
pub const LONG_TERM: usize = 8;
/// Letters from which a term allows two.
pub const VERY_LONG_TERM: usize = 16;
/// Words this long or shorter must be typed exactly.
const SHORT_WORD: usize = 4;

/// Prefixes that turn a word into another (typed = prefix + expected word or the other way
/// round is never a slip). Longer prefixes cost more edits than any term allows.
const MEANING_PREFIXES: &[&str] = &[
    "un", "re", "non", "in", "im", "il", "ir", "a", "an", "de", "dis", "co", "bi", "mis",
];

/// Edits tolerated in a term of this many letters (spaces not counted).
pub fn allowed_edits(letters: usize) -> usize {
    match letters {
        0..LONG_TERM => 0,
        LONG_TERM..VERY_LONG_TERM => 1,
        _ => 2,
    }
}

/// The form answers are compared in: [`normalize`]d, then without spaces, so
/// "self attention" is "selfattention".
pub fn answer_key(text: &str) -> String {
    normalize(text).replace(' ', "")
}

/// The candidate of `term` and `aliases` that `typed` is exactly, if any.
pub fn exact<'a>(typed: &str, term: &'a str, aliases: &'a [String]) -> Option<&'a str> {
    let key = answer_key(typed);
    if key.is_empty() {
        return None;
    }
    std::iter::once(term)
        .chain(aliases.iter().map(String::as_str))
        .find(|candidate| answer_key(candidate) == key)
}

/// Judges `typed` against the card's `term` and `aliases`. `others` are notes other than
/// the card's own whose term or alias the answer may be (a [`Lexicon`] finds them); an exact
/// match with one of them makes the answer wrong, however close it is to the term.
pub fn check(typed: &str, term: &str, aliases: &[String], others: &[OtherNote]) -> Verdict {
    let typed_norm = normalize(typed);
    if typed_norm.is_empty() {
        return Verdict::Blank;
    }
    if let Some(matched) = exact(typed, term, aliases) {
        return Verdict::Exact {
            matched: matched.to_string(),
        };
    }
    for other in others {
        if let Some(matched) = exact(typed, &other.term, &other.aliases) {
            return Verdict::Another {
                matched: matched.to_string(),
                note: other.clone(),
            };
        }
    }
    let mut best: Option<(usize, &str)> = None;
    for candidate in std::iter::once(term).chain(aliases.iter().map(String::as_str)) {
        let norm = normalize(candidate);
        if let Some(edits) = slip(&typed_norm, &norm)
            && best.is_none_or(|(e, _)| edits < e)
        {
            best = Some((edits, candidate));
        }
    }
    match best {
        Some((edits, matched)) => Verdict::Typo {
            matched: matched.to_string(),
            edits,
        },
        None => Verdict::Wrong,
    }
}

/// The edits between two normalised texts when they are close enough to be a slip: the
/// same words in the same number, each short word exact, no meaning-changing prefix, and no
/// more edits than the expected text's length allows.
fn slip(typed: &str, expected: &str) -> Option<usize> {
    let typed_words: Vec<&str> = typed.split(' ').collect();
    let expected_words: Vec<&str> = expected.split(' ').collect();
    if typed_words.len() != expected_words.len() {
        return None;
    }
    let letters: usize = expected_words.iter().map(|w| w.chars().count()).sum();
    let allowed = allowed_edits(letters);
    let mut edits = 0;
    for (t, e) in typed_words.iter().zip(&expected_words) {
        if t == e {
            continue;
        }
        if e.chars().count() <= SHORT_WORD || changes_prefix(t, e) {
            return None;
        }
        edits += damerau_levenshtein(t, e);
        if edits > allowed {
            return None;
        }
    }
    (edits > 0).then_some(edits)
}

/// Whether one word is the other with a meaning-changing prefix.
fn changes_prefix(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() < b.len() { (a, b) } else { (b, a) };
    MEANING_PREFIXES
        .iter()
        .any(|p| long.strip_prefix(p) == Some(short))
}

/// Every note's folded term and aliases, by a 64-bit hash of [`answer_key`]: 16 bytes a
/// form, so a million notes cost about 16 MB. A hash can collide; [`check`] compares the
/// notes it names letter by letter.
#[derive(Debug, Default)]
pub struct Lexicon {
    entries: Vec<(u64, i64)>,
}

fn key_hash(text: &str) -> u64 {
    // DefaultHasher::new() has fixed keys: the same text always hashes the same.
    let mut hasher = std::hash::DefaultHasher::new();
    let norm = normalize(text);
    for b in norm.bytes().filter(|b| *b != b' ') {
        hasher.write_u8(b);
    }
    hasher.finish()
}

impl Lexicon {
    /// Adds one answer form (a term or an alias) of a note.
    pub fn add(&mut self, note_id: i64, form: &str) {
        if !normalize(form).is_empty() {
            self.entries.push((key_hash(form), note_id));
        }
    }

    /// Sorts the forms for look-up; call once after the last [`Lexicon::add`].
    pub fn finish(&mut self) {
        self.entries.sort_unstable();
        self.entries.dedup();
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The notes with a term or alias that `typed` may be, except `own_note`.
    pub fn notes_for(&self, typed: &str, own_note: i64) -> Vec<i64> {
        let hash = key_hash(typed);
        let start = self.entries.partition_point(|(h, _)| *h < hash);
        let mut ids: Vec<i64> = self.entries[start..]
            .iter()
            .take_while(|(h, _)| *h == hash)
            .map(|(_, id)| *id)
            .filter(|id| *id != own_note)
            .collect();
        ids.dedup();
        ids
    }
}

/// One step of the alignment of a typed answer with the expected term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The expected letter at this index was typed.
    Same(usize),
    /// The expected letter at this index was missed or typed as another.
    Missed(usize),
    /// The learner typed this letter (an index into the typed letters) that does not belong.
    Extra(usize),
    /// The expected letters at this index and the next were typed swapped.
    Swapped(usize),
}

/// Aligns typed letters with expected letters (each already folded) along a shortest
/// Damerau-Levenshtein path: a changed letter is [`Step::Extra`] then [`Step::Missed`].
pub fn align(expected: &[String], typed: &[String]) -> Vec<Step> {
    let (n, m) = (expected.len(), typed.len());
    // d[i][j]: edits between expected[..i] and typed[..j].
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=n {
        for j in 1..=m {
            let cost = usize::from(expected[i - 1] != typed[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && expected[i - 1] == typed[j - 2] && expected[i - 2] == typed[j - 1]
            {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    // Walking back from the end, a missed or extra letter is taken as late as an equally
    // short path allows: "embeding" misses the second d of "embedding", not the first.
    let mut steps = vec![];
    let (mut i, mut j) = (n, m);
    while i > 0 || j > 0 {
        if i > 0 && d[i][j] == d[i - 1][j] + 1 {
            steps.push(Step::Missed(i - 1));
            i -= 1;
        } else if j > 0 && d[i][j] == d[i][j - 1] + 1 {
            steps.push(Step::Extra(j - 1));
            j -= 1;
        } else if i > 1
            && j > 1
            && expected[i - 1] == typed[j - 2]
            && expected[i - 2] == typed[j - 1]
            && expected[i - 1] != typed[j - 1]
            && d[i][j] == d[i - 2][j - 2] + 1
        {
            steps.push(Step::Swapped(i - 2));
            i -= 2;
            j -= 2;
        } else if expected[i - 1] == typed[j - 1] {
            steps.push(Step::Same(i - 1));
            i -= 1;
            j -= 1;
        } else {
            // A changed letter: what was typed, then what belongs there.
            steps.push(Step::Missed(i - 1));
            steps.push(Step::Extra(j - 1));
            i -= 1;
            j -= 1;
        }
    }
    steps.reverse();
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    fn other(note_id: i64, term: &str, deck: &str, aliases: &[&str]) -> OtherNote {
        OtherNote {
            note_id,
            term: term.to_string(),
            deck: deck.to_string(),
            aliases: aliases.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn verdict(typed: &str, term: &str, aliases: &[&str], others: &[OtherNote]) -> String {
        let aliases: Vec<String> = aliases.iter().map(|s| s.to_string()).collect();
        match check(typed, term, &aliases, others) {
            Verdict::Exact { .. } => "exact".into(),
            Verdict::Typo { edits, .. } => format!("typo{edits}"),
            Verdict::Another { note, .. } => format!("another:{}", note.term),
            Verdict::Wrong => "wrong".into(),
            Verdict::Blank => "blank".into(),
        }
    }

    #[test]
    fn the_matcher_forgives_what_a_person_would_and_nothing_more() {
        let table: &[(&str, &str, &[&str], &str)] = &[
            ("self-attention", "self-attention", &[], "exact"),
            ("Self Attention", "self-attention", &[], "exact"),
            ("selfattention", "self-attention", &[], "exact"),
            ("  backpropagation. ", "backpropagation", &[], "exact"),
            ("naive bayes", "Naïve Bayes", &[], "exact"),
            ("Zipfs law", "Zipf's law", &[], "exact"),
            ("tf idf", "tf-idf", &["TF-IDF"], "exact"),
            ("DAG", "directed acyclic graph", &["DAG"], "exact"),
            ("oop", "object-oriented programming", &["OOP"], "exact"),
            ("backpropogation", "backpropagation", &[], "typo1"),
            ("trasnformer", "transformer", &[], "typo1"),
            ("embeding", "embedding", &[], "typo1"),
            ("embeddings", "embedding", &[], "typo1"),
            ("gradient decsent", "gradient descent", &[], "typo1"),
            ("backpropogaton", "backpropagation", &[], "wrong"),
            (
                "dimensionality reductoin",
                "dimensionality reduction",
                &[],
                "typo1",
            ),
            (
                "dimensionalty reductoin",
                "dimensionality reduction",
                &[],
                "typo2",
            ),
            (
                "dimensionalty reductoin",
                "dimensionality reduction",
                &[],
                "typo2",
            ),
            ("tree", "trie", &[], "wrong"),
            ("bert", "BART", &[], "wrong"),
            ("spark", "Spark", &[], "exact"),
            // Short terms must be exact.
            ("sprak", "Spark", &[], "wrong"),
            ("hadoop", "Spark", &[], "wrong"),
            ("overfitting", "underfitting", &[], "wrong"),
            ("precision", "recall", &[], "wrong"),
            // An added or dropped word, or a changed short word, is not a slip.
            ("gradient", "gradient descent", &[], "wrong"),
            (
                "stochastic gradient descent",
                "gradient descent",
                &[],
                "wrong",
            ),
            ("tree search", "trie search", &[], "wrong"),
            // A meaning-changing prefix is not a slip.
            ("asynchronous", "synchronous", &[], "wrong"),
            ("atypical", "typical", &[], "wrong"),
            ("nonlinear", "linear", &[], "wrong"),
            ("incomplete", "complete", &[], "wrong"),
            ("", "anything", &[], "blank"),
            ("...", "anything", &[], "blank"),
        ];
        for (typed, term, aliases, expected) in table {
            assert_eq!(
                verdict(typed, term, aliases, &[]),
                *expected,
                "typed {typed:?} for {term:?}"
            );
        }
    }

    /// The near pairs of the built-in decks (issue 14): each is wrong by the closeness rules
    /// alone, and names the other note when the review knows it.
    #[test]
    fn near_pairs_of_the_built_in_decks_are_wrong_and_name_the_other_note() {
        let pairs: &[(&str, &str)] = &[
            ("structured data", "unstructured data"),
            ("training", "retraining"),
            ("model training", "model retraining"),
            ("scale", "Scala"),
            ("GraphX", "graph"),
            ("ML pipeline", "ETL pipeline"),
            ("supervised learning", "unsupervised learning"),
            ("tree", "trie"),
        ];
        for (a, b) in pairs {
            for (typed, term) in [(a, b), (b, a)] {
                assert_eq!(
                    verdict(typed, term, &[], &[]),
                    "wrong",
                    "typed {typed:?} for {term:?}"
                );
                let owner = other(7, typed, "Elsewhere", &[]);
                assert_eq!(
                    verdict(typed, term, &[], &[owner]),
                    format!("another:{typed}"),
                    "typed {typed:?} for {term:?}"
                );
            }
        }
        // As the built-in decks have them: aliases of other notes.
        let scalability = other(3, "scalability", "ML::Data and MLOps", &["scale"]);
        assert_eq!(
            verdict("Scale", "Scala", &[], &[scalability]),
            "another:scalability"
        );
        let tabular = other(4, "tabular data", "ML::Foundations", &["structured data"]);
        assert_eq!(
            verdict("structured-data", "unstructured data", &[], &[tabular]),
            "another:tabular data"
        );
        let etl = other(5, "ETL", "ML::Data and MLOps", &["ETL pipeline"]);
        assert_eq!(
            verdict("etl pipeline", "ML pipeline", &[], &[etl]),
            "another:ETL"
        );
    }

    #[test]
    fn the_cards_own_answer_wins_over_another_notes() {
        // The same term in two decks: typing it is right on either card.
        let twin = other(9, "overfitting", "Other deck", &[]);
        assert_eq!(verdict("overfitting", "overfitting", &[], &[twin]), "exact");
        // Close to the term but exactly another note's term: wrong, however close.
        let neighbour = other(9, "embeddings", "Other deck", &[]);
        assert_eq!(
            verdict("embeddings", "embedding", &[], &[neighbour]),
            "another:embeddings"
        );
    }

    #[test]
    fn the_suggestion_follows_the_verdict_and_the_leniency() {
        let none: &[String] = &[];
        let lenient = Leniency::Lenient;
        let strict = Leniency::Strict;
        assert_eq!(
            check("trie", "trie", none, &[]).suggested(strict),
            Answer::Good
        );
        let slip = check("embeding", "embedding", none, &[]);
        assert_eq!(slip.suggested(lenient), Answer::Good);
        assert_eq!(slip.suggested(strict), Answer::Hard);
        let two = check(
            "dimensionalty reductoin",
            "dimensionality reduction",
            none,
            &[],
        );
        assert_eq!(two.suggested(lenient), Answer::Hard);
        assert_eq!(
            check("tree", "trie", none, &[]).suggested(lenient),
            Answer::Again
        );
        let owner = [other(2, "unstructured data", "D", &[])];
        let another = check("unstructured data", "structured data", none, &owner);
        assert_eq!(another.suggested(lenient), Answer::Again);
        assert_eq!(Leniency::parse(" Strict "), Some(Leniency::Strict));
        assert_eq!(Leniency::parse("loose"), None);
    }

    #[test]
    fn the_lexicon_finds_other_notes_by_folded_term_or_alias() {
        let mut lexicon = Lexicon::default();
        lexicon.add(1, "structured data");
        lexicon.add(2, "tabular data");
        lexicon.add(2, "Structured-Data");
        lexicon.add(3, "Scala");
        lexicon.add(4, "...");
        lexicon.finish();
        assert_eq!(lexicon.len(), 4);
        assert_eq!(lexicon.notes_for("STRUCTURED DATA", 0), vec![1, 2]);
        assert_eq!(lexicon.notes_for("structureddata", 1), vec![2]);
        assert_eq!(lexicon.notes_for("scála", 0), vec![3]);
        assert!(lexicon.notes_for("scale", 0).is_empty());
    }

    fn letters(text: &str) -> Vec<String> {
        text.chars().map(|c| c.to_string()).collect()
    }

    #[test]
    fn the_alignment_shows_missing_extra_changed_and_swapped_letters() {
        use Step::*;
        assert_eq!(
            align(&letters("abc"), &letters("ac")),
            vec![Same(0), Missed(1), Same(2)]
        );
        assert_eq!(
            align(&letters("abc"), &letters("abxc")),
            vec![Same(0), Same(1), Extra(2), Same(2)]
        );
        assert_eq!(
            align(&letters("abc"), &letters("axc")),
            vec![Same(0), Extra(1), Missed(1), Same(2)]
        );
        assert_eq!(
            align(&letters("abcd"), &letters("acbd")),
            vec![Same(0), Swapped(1), Same(3)]
        );
    }
}
