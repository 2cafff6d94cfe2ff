//! A card's answers as the `fsrs` crate's training items, by Anki's rules.
//!
//! - A card's history starts at its latest answer made while it was new
//!   ([`Answer::was_new`]); answers before it (a card reset to new) are dropped, and a card
//!   with no such answer is skipped (the crate needs a history to start from a first grade).
//! - `delta_t` is the number of study days since the card's previous answer: 0 for answers
//!   on the same study day (learning and relearning steps), which FSRS-6 reads through its
//!   short-term branch. A day earlier than the previous one (a clock set back) counts as 0.
//! - Each answer after the first that comes on a later study day than the one before it
//!   (`delta_t > 0`) is one item: the card's history up to and including it. Same-day answers
//!   are no item of their own but stay in the history of the next ones, as Anki builds them.
//! - An item holds at most [`MAX_ITEM_REVIEWS`] answers (the crate trains on none longer);
//!   a card's answers past the 256th make no item, which bounds the memory any one card
//!   takes (items hold their history: a card of n answers costs about n^2/2 reviews).
//! - Items are ordered by the time of their last answer, the order the time-series split
//!   and the crate's recency weighting expect; ties keep card order.

use fsrs::{FSRSItem, FSRSReview};

use super::{Answer, Result, check_ratings};

/// The longest history an item may have: the crate's training drops longer ones
/// (`max_seq_len`), and it bounds what one card costs (an item holds its whole history).
pub const MAX_ITEM_REVIEWS: usize = 256;

/// One card's answers from its latest `was_new` answer on, in time order.
#[derive(Debug, Clone, PartialEq)]
pub struct CardHistory {
    pub card_id: i64,
    pub answers: Vec<Answer>,
}

impl CardHistory {
    /// The study days between answer `index` and the one before it (0 for the first).
    pub fn delta_t(&self, index: usize) -> u32 {
        if index == 0 {
            return 0;
        }
        let days = self.answers[index].day - self.answers[index - 1].day;
        u32::try_from(days.max(0)).unwrap_or(u32::MAX)
    }

    /// The history as the crate's reviews.
    pub fn reviews(&self) -> Vec<FSRSReview> {
        (0..self.answers.len())
            .map(|i| FSRSReview {
                rating: u32::from(self.answers[i].rating),
                delta_t: self.delta_t(i),
            })
            .collect()
    }

    /// The indices of the answers that are items (scored and trained on): after the first,
    /// on a later study day than the answer before, and within the first
    /// [`MAX_ITEM_REVIEWS`] answers of the history.
    pub fn item_indices(&self) -> impl Iterator<Item = usize> + '_ {
        (1..self.answers.len().min(MAX_ITEM_REVIEWS)).filter(|&i| self.delta_t(i) > 0)
    }
}

/// Every card's usable history, in card id order. Ratings are checked first.
pub fn histories(answers: &[Answer]) -> Result<Vec<CardHistory>> {
    check_ratings(answers)?;
    let mut sorted: Vec<Answer> = answers.to_vec();
    sorted.sort_by_key(|a| (a.card_id, a.reviewed_at_ms));
    let mut out = Vec::new();
    for card in sorted.chunk_by(|a, b| a.card_id == b.card_id) {
        let Some(start) = card.iter().rposition(|a| a.was_new) else {
            continue;
        };
        out.push(CardHistory {
            card_id: card[start].card_id,
            answers: card[start..].to_vec(),
        });
    }
    Ok(out)
}

/// The training items of a log, with what `fit` and `evaluate` report about them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Items {
    /// One item per scored answer, ordered by the time of that answer.
    pub items: Vec<FSRSItem>,
    /// The card of each item (the crate trains faster knowing them).
    pub card_ids: Vec<i64>,
    /// When each item's last answer was given (unix ms).
    pub at_ms: Vec<i64>,
    /// Answers in the histories used (same-day ones included).
    pub answers_used: usize,
    /// Cards with at least one item.
    pub cards: usize,
}

/// The items of `answers` (see the module's rules).
pub fn items(answers: &[Answer]) -> Result<Items> {
    let histories = histories(answers)?;
    Ok(items_of(&histories))
}

/// The items of histories already built.
pub fn items_of(histories: &[CardHistory]) -> Items {
    let mut rows: Vec<(i64, i64, FSRSItem)> = Vec::new();
    let mut answers_used = 0;
    let mut cards = 0;
    for history in histories {
        let reviews = history.reviews();
        let before = rows.len();
        for index in history.item_indices() {
            rows.push((
                history.answers[index].reviewed_at_ms,
                history.card_id,
                FSRSItem {
                    reviews: reviews[..=index].to_vec(),
                },
            ));
        }
        if rows.len() > before {
            cards += 1;
            answers_used += history.answers.len();
        }
    }
    // Stable: ties keep card order.
    rows.sort_by_key(|(at, _, _)| *at);
    let mut out = Items {
        answers_used,
        cards,
        ..Items::default()
    };
    for (at, card_id, item) in rows {
        out.at_ms.push(at);
        out.card_ids.push(card_id);
        out.items.push(item);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn answer(card_id: i64, day: i64, rating: u8) -> Answer {
        Answer {
            card_id,
            reviewed_at_ms: day * 86_400_000,
            day,
            rating,
            duration_ms: 5_000,
            was_new: false,
        }
    }

    fn review(rating: u32, delta_t: u32) -> FSRSReview {
        FSRSReview { rating, delta_t }
    }

    #[test]
    fn same_day_answers_stay_in_the_history_but_are_no_item() {
        let mut first = answer(7, 10, 1);
        first.was_new = true;
        let mut step = answer(7, 10, 3);
        step.reviewed_at_ms += 600_000;
        let answers = [answer(7, 13, 3), first, step, answer(7, 11, 3)];
        let out = items(&answers).expect("valid ratings");
        assert_eq!(out.cards, 1);
        assert_eq!(out.answers_used, 4);
        assert_eq!(
            out.items,
            vec![
                FSRSItem {
                    reviews: vec![review(1, 0), review(3, 0), review(3, 1)]
                },
                FSRSItem {
                    reviews: vec![review(1, 0), review(3, 0), review(3, 1), review(3, 2)]
                },
            ]
        );
        assert_eq!(out.card_ids, vec![7, 7]);
    }

    #[test]
    fn a_history_starts_at_the_latest_new_answer_and_cards_without_one_are_skipped() {
        let mut reset = answer(1, 20, 2);
        reset.was_new = true;
        let mut first = answer(1, 1, 3);
        first.was_new = true;
        let answers = [
            first,
            answer(1, 5, 3),
            reset,
            answer(1, 22, 4),
            // Card 2's history began elsewhere: no answer while new.
            answer(2, 1, 3),
            answer(2, 4, 3),
        ];
        let out = items(&answers).expect("valid ratings");
        assert_eq!(
            out.items,
            vec![FSRSItem {
                reviews: vec![review(2, 0), review(4, 2)]
            }]
        );
        assert_eq!(out.cards, 1);
        assert_eq!(out.answers_used, 2);
    }

    #[test]
    fn items_are_ordered_by_time_across_cards() {
        let mut a = answer(1, 0, 3);
        a.was_new = true;
        let mut b = answer(2, 1, 3);
        b.was_new = true;
        let answers = [a, answer(1, 5, 3), b, answer(2, 3, 1)];
        let out = items(&answers).expect("valid ratings");
        assert_eq!(out.card_ids, vec![2, 1]);
        assert_eq!(out.at_ms, vec![3 * 86_400_000, 5 * 86_400_000]);
    }

    #[test]
    fn answers_past_the_longest_history_make_no_item() {
        let mut log: Vec<Answer> = (0..300).map(|day| answer(4, day, 3)).collect();
        log[0].was_new = true;
        let out = items(&log).expect("valid ratings");
        assert_eq!(out.items.len(), MAX_ITEM_REVIEWS - 1);
        assert!(
            out.items
                .iter()
                .all(|i| i.reviews.len() <= MAX_ITEM_REVIEWS)
        );
    }

    #[test]
    fn a_rating_out_of_range_is_refused_naming_the_answer() {
        let mut bad = answer(9, 2, 5);
        bad.was_new = true;
        let err = items(&[answer(9, 1, 3), bad]).expect_err("rating 5");
        assert_eq!(
            err,
            crate::memory::MemoryError::BadRating {
                index: 1,
                card_id: 9,
                rating: 5
            }
        );
    }
}
