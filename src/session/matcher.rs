//! PURE answer checking for reverse cards: is what the learner typed the term?
//!
//! Forgiving where a person would be: case, accents, punctuation and spacing never matter;
//! any alias counts; a longer answer may carry a typo or two (Damerau-Levenshtein distance:
//! one edit from 5 characters, two from 9). Short words must be exact, so "tree" is not "trie".

use strsim::damerau_levenshtein;

use crate::text::normalize;

/// How close the typed answer came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The term or an alias, up to case, accents, punctuation and spacing.
    Exact {
        matched: String,
    },
    /// Within the typo allowance of the term or an alias.
    Typo {
        matched: String,
        edits: usize,
    },
    Wrong,
    /// Nothing was typed.
    Blank,
}

impl Verdict {
    /// The grade a learner would give: exact -> Good, typo -> Hard, wrong or blank -> Again.
    pub fn suggested(&self) -> crate::scheduler::Answer {
        use crate::scheduler::Answer;
        match self {
            Verdict::Exact { .. } => Answer::Good,
            Verdict::Typo { .. } => Answer::Hard,
            Verdict::Wrong | Verdict::Blank => Answer::Again,
        }
    }
}

/// Edits tolerated in an answer of this many characters.
pub fn allowed_edits(chars: usize) -> usize {
    match chars {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

pub fn check(typed: &str, term: &str, aliases: &[String]) -> Verdict {
    let typed_norm = normalize(typed);
    if typed_norm.is_empty() {
        return Verdict::Blank;
    }
    let candidates = std::iter::once(term).chain(aliases.iter().map(String::as_str));
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        let norm = normalize(candidate);
        if norm.is_empty() {
            continue;
        }
        if norm == typed_norm || norm.replace(' ', "") == typed_norm.replace(' ', "") {
            return Verdict::Exact {
                matched: candidate.to_string(),
            };
        }
        let edits = damerau_levenshtein(&norm, &typed_norm);
        let length = norm.chars().count().min(typed_norm.chars().count());
        if edits <= allowed_edits(length) && best.is_none_or(|(e, _)| edits < e) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(typed: &str, term: &str, aliases: &[&str]) -> &'static str {
        let aliases: Vec<String> = aliases.iter().map(|s| s.to_string()).collect();
        match check(typed, term, &aliases) {
            Verdict::Exact { .. } => "exact",
            Verdict::Typo { .. } => "typo",
            Verdict::Wrong => "wrong",
            Verdict::Blank => "blank",
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
            ("backpropogation", "backpropagation", &[], "typo"),
            ("trasnformer", "transformer", &[], "typo"),
            ("embeding", "embedding", &[], "typo"),
            ("gradient decsent", "gradient descent", &[], "typo"),
            ("tree", "trie", &[], "wrong"),
            ("bert", "BART", &[], "wrong"),
            ("spark", "Spark", &[], "exact"),
            ("sprak", "Spark", &[], "typo"),
            ("hadoop", "Spark", &[], "wrong"),
            ("overfitting", "underfitting", &[], "wrong"),
            ("precision", "recall", &[], "wrong"),
            ("", "anything", &[], "blank"),
            ("...", "anything", &[], "blank"),
        ];
        for (typed, term, aliases, expected) in table {
            assert_eq!(
                verdict(typed, term, aliases),
                *expected,
                "typed {typed:?} for {term:?}"
            );
        }
    }

    #[test]
    fn the_suggestion_follows_the_verdict() {
        use crate::scheduler::Answer;
        assert_eq!(check("trie", "trie", &[]).suggested(), Answer::Good);
        assert_eq!(
            check("embeding", "embedding", &[]).suggested(),
            Answer::Hard
        );
        assert_eq!(check("tree", "trie", &[]).suggested(), Answer::Again);
    }
}
