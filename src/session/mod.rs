//! PURE session logic: which card comes next.
//!
//! A session starts from the due cards and the new cards the daily limits allow, mixes the new
//! ones evenly among the reviews, keeps the two directions of a note apart, re-queues a card
//! answered below Good a few cards later until it is answered Good (Wozniak's step 7), and
//! can take its actions (answers, and cards set aside by skip, bury or suspend) back one by
//! one.
//!
//! Schedulers with learning steps (Anki's rules, FSRS) put a card on a step due at an
//! instant instead: such a card waits in the session (`waiting`) until the caller's clock
//! ([`Session::set_now`]) reaches its instant, then goes before everything else, as Anki's
//! v3 queue gathers intraday learning first. Nothing is re-drilled then.

pub mod matcher;

use std::collections::{HashSet, VecDeque};

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::records::queue::QueuedCard;
use crate::scheduler::{Phase, Quality};

/// One place in the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub card_id: i64,
    pub note_id: i64,
    pub phase: Phase,
    /// A re-drill of a card already answered in this session.
    pub redrill: bool,
    /// A card back in this session on a learning step (it was answered here before).
    pub returning: bool,
    /// A card on an intraday learning step, moved to the queue when its instant came.
    pub on_step: bool,
}

/// How the queue is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    /// Learning cards first, then the most overdue reviews, new cards spread among them.
    #[default]
    Due,
    /// A random order (seeded, so a session can be reproduced).
    Shuffle,
}

/// The limits and choices a session is built with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    pub new_limit: usize,
    pub due_limit: usize,
    /// At most this many cards in all. When new and due cards together exceed it, the new
    /// cards keep `reserved_new` of it (as many as there are, up to that) and the due cards
    /// fill the rest; the due cards then go first and the new ones fill what is left.
    pub limit: usize,
    /// New cards that keep their place within `limit` (`review --new N`).
    pub reserved_new: usize,
    pub order: Order,
    pub seed: u64,
    /// Cards shown before a re-drill comes back.
    pub redrill_gap: usize,
}

/// What an answer did to the queue, kept so it can be undone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Answered {
    entry: Entry,
    quality: Quality,
    requeued: bool,
    /// The card went on a learning step due in this session.
    stepped: bool,
}

/// One action of the session, kept so it can be undone.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Action {
    Answer {
        answered: Answered,
        last_note: Option<i64>,
    },
    /// A card set aside (skip, bury, suspend): where each of its entries stood in the queue
    /// (the card itself at 0, then any waiting re-drill), in ascending order.
    Remove {
        entries: Vec<(usize, Entry)>,
        total: usize,
        last_note: Option<i64>,
    },
}

/// What [`Session::undo`] took back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Undone {
    Answer(Entry, Quality),
    /// A card set aside, now back at the head of the queue.
    Removal(Entry),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    queue: VecDeque<Entry>,
    last_note: Option<i64>,
    total: usize,
    redrill_gap: usize,
    history: Vec<Action>,
    /// Cards on an intraday learning step, soonest first: (due instant, entry).
    waiting: Vec<(i64, Entry)>,
    /// The caller's clock, unix seconds.
    now: i64,
}

/// What an answer does to the card's place in the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// SM-2: below Good it comes back after `redrill_gap` cards, as a re-drill.
    Redrill,
    /// On a learning step due at this instant (unix seconds), within the session's day.
    StepAt(i64),
    /// Done for this session.
    Leave,
}

/// Puts the new cards evenly among the due ones (a Bresenham-style spread).
fn mix(due: Vec<Entry>, new: Vec<Entry>) -> Vec<Entry> {
    let total = due.len() + new.len();
    let new_count = new.len();
    let mut out = Vec::with_capacity(total);
    let (mut due, mut new) = (due.into_iter(), new.into_iter());
    let mut placed_new = 0;
    for i in 0..total {
        // The k-th new card goes where k/new_count of the queue has passed.
        let next = if placed_new * total < (i + 1) * new_count {
            placed_new += 1;
            new.next().or_else(|| due.next())
        } else {
            due.next().or_else(|| new.next())
        };
        out.extend(next);
    }
    out
}

/// Swaps cards so that no two neighbours share a note, where another card allows it.
fn separate_siblings(queue: &mut [Entry]) {
    for i in 1..queue.len() {
        if queue[i].note_id == queue[i - 1].note_id
            && let Some(j) =
                (i + 1..queue.len()).find(|&j| queue[j].note_id != queue[i - 1].note_id)
        {
            queue.swap(i, j);
        }
    }
}

impl Entry {
    /// The card's first answer in this session (not a re-drill, not back on a step).
    pub fn is_first(&self) -> bool {
        !self.redrill && !self.returning
    }
}

impl Session {
    /// Builds the queue from due cards (already in due order) and new-card candidates (in
    /// introduction order). A new card whose sibling is also in the session waits for another
    /// day, so the two directions of a new note are never learned side by side.
    pub fn build(due: &[QueuedCard], new: &[QueuedCard], plan: &Plan) -> Session {
        let entry = |c: &QueuedCard| Entry {
            card_id: c.card_id,
            note_id: c.note_id,
            phase: c.phase,
            redrill: false,
            returning: false,
            on_step: false,
        };
        let mut due: Vec<Entry> = due
            .iter()
            .take(plan.due_limit.min(plan.limit))
            .map(entry)
            .collect();
        let mut notes: HashSet<i64> = due.iter().map(|e| e.note_id).collect();
        let mut fresh = vec![];
        for card in new {
            if fresh.len() >= plan.new_limit.min(plan.limit) {
                break;
            }
            if notes.insert(card.note_id) {
                fresh.push(entry(card));
            }
        }
        if due.len() + fresh.len() > plan.limit {
            let new_share = fresh.len().min(plan.reserved_new);
            let due_share = due.len().min(plan.limit - new_share);
            due.truncate(due_share);
            fresh.truncate(plan.limit - due_share);
        }
        let mut queue = match plan.order {
            Order::Due => mix(due, fresh),
            Order::Shuffle => {
                let mut all: Vec<Entry> = due.into_iter().chain(fresh).collect();
                all.shuffle(&mut ChaCha8Rng::seed_from_u64(plan.seed));
                all
            }
        };
        separate_siblings(&mut queue);
        Session {
            total: queue.len(),
            queue: queue.into(),
            last_note: None,
            redrill_gap: plan.redrill_gap.max(1),
            history: vec![],
            waiting: vec![],
            now: i64::MIN,
        }
    }

    /// Adds the cards on an intraday learning step (not limited by the daily limits, as in
    /// Anki): each is shown when its instant comes, before the other cards. A card already
    /// in the session is left where it is.
    pub fn add_learning(&mut self, cards: &[(i64, QueuedCard)]) {
        for &(at, card) in cards {
            if self.queue.iter().any(|e| e.card_id == card.card_id)
                || self.waiting.iter().any(|(_, e)| e.card_id == card.card_id)
            {
                continue;
            }
            self.total += 1;
            self.wait_until(
                at,
                Entry {
                    card_id: card.card_id,
                    note_id: card.note_id,
                    phase: card.phase,
                    redrill: false,
                    returning: false,
                    on_step: true,
                },
            );
        }
    }

    fn wait_until(&mut self, at: i64, entry: Entry) {
        let i = self
            .waiting
            .partition_point(|&(t, e)| (t, e.card_id) <= (at, entry.card_id));
        self.waiting.insert(i, (at, entry));
    }

    /// Moves the session's clock (unix seconds). Learning cards whose instant has come go to
    /// the head of the queue, soonest first, ahead of any card not on a step.
    pub fn set_now(&mut self, now: i64) {
        self.now = now;
        let due = self.waiting.partition_point(|&(t, _)| t <= now);
        if due == 0 {
            return;
        }
        // After the step cards already moved and not yet shown, which came due earlier.
        let ahead = self.queue.iter().take_while(|e| e.on_step).count();
        for (i, (_, entry)) in self.waiting.drain(..due).enumerate() {
            self.queue.insert(ahead + i, entry);
        }
    }

    /// When the next card on a learning step is due (unix seconds), if one waits.
    pub fn next_waiting(&self) -> Option<i64> {
        self.waiting.first().map(|&(at, _)| at)
    }

    /// How many cards on a learning step wait for their instant.
    pub fn waiting(&self) -> usize {
        self.waiting.len()
    }

    /// Of those, how many are not answered yet in this session.
    pub fn waiting_first(&self) -> usize {
        self.waiting.iter().filter(|(_, e)| e.is_first()).count()
    }

    /// The card to show now: the head of the queue, unless it shares a note with the card
    /// just shown and another card can go first.
    pub fn current(&mut self) -> Option<Entry> {
        let head = *self.queue.front()?;
        if Some(head.note_id) == self.last_note
            && let Some(i) = self
                .queue
                .iter()
                .position(|e| Some(e.note_id) != self.last_note)
            && let Some(other) = self.queue.remove(i)
        {
            self.queue.push_front(other);
        }
        self.queue.front().copied()
    }

    /// The latest action that can be undone, if any: whether it was an answer.
    pub fn last_action_is_answer(&self) -> Option<bool> {
        self.history
            .last()
            .map(|a| matches!(a, Action::Answer { .. }))
    }

    fn answers(&self) -> impl Iterator<Item = &Answered> {
        self.history.iter().filter_map(|a| match a {
            Action::Answer { answered, .. } => Some(answered),
            Action::Remove { .. } => None,
        })
    }

    fn take_current(&mut self) -> Option<Entry> {
        let entry = self.current()?;
        self.queue.pop_front();
        self.last_note = Some(entry.note_id);
        Some(entry)
    }

    /// Records an answer to the current card. Below Good, the card comes back after
    /// `redrill_gap` other cards (SM-2's re-drill).
    pub fn answer(&mut self, quality: Quality) -> Option<Entry> {
        let next = if quality.needs_redrill() {
            Next::Redrill
        } else {
            Next::Leave
        };
        self.answer_then(quality, next)
    }

    /// Records an answer to the current card and where the card goes next: re-drilled, on a
    /// learning step due at an instant (shown again when [`Session::set_now`] reaches it),
    /// or out of the session.
    pub fn answer_then(&mut self, quality: Quality, next: Next) -> Option<Entry> {
        let last_note = self.last_note;
        let entry = self.take_current()?;
        let requeued = next == Next::Redrill;
        if requeued {
            let at = self.redrill_gap.min(self.queue.len());
            self.queue.insert(
                at,
                Entry {
                    redrill: true,
                    on_step: false,
                    ..entry
                },
            );
        }
        let stepped = if let Next::StepAt(at) = next {
            self.wait_until(
                at,
                Entry {
                    redrill: false,
                    returning: true,
                    on_step: true,
                    ..entry
                },
            );
            true
        } else {
            false
        };
        self.history.push(Action::Answer {
            answered: Answered {
                entry,
                quality,
                requeued,
                stepped,
            },
            last_note,
        });
        Some(entry)
    }

    /// Leaves the current card for another time (skip, bury or suspend): it is not shown
    /// again in this session, unless the removal is undone.
    pub fn remove_current(&mut self) -> Option<Entry> {
        let (last_note, total) = (self.last_note, self.total);
        let entry = self.take_current()?;
        let mut entries = vec![(0, entry)];
        let mut i = 0;
        self.queue.retain(|e| {
            i += 1;
            if e.card_id == entry.card_id {
                entries.push((i, *e));
                false
            } else {
                true
            }
        });
        self.total = self.total.saturating_sub(usize::from(entry.is_first()));
        self.history.push(Action::Remove {
            entries,
            total,
            last_note,
        });
        Some(entry)
    }

    /// Takes back the latest action. An answer: its re-drill (if any) leaves the queue and
    /// the card is shown again next. A card set aside: it comes back where it stood (next),
    /// with its waiting re-drill.
    pub fn undo(&mut self) -> Option<Undone> {
        match self.history.pop()? {
            Action::Answer {
                answered: last,
                last_note,
            } => {
                if last.requeued
                    && let Some(i) = self
                        .queue
                        .iter()
                        .position(|e| e.card_id == last.entry.card_id && e.redrill)
                {
                    self.queue.remove(i);
                }
                if last.stepped {
                    // Waiting for its step, or already moved to the queue when it came.
                    let id = last.entry.card_id;
                    self.waiting.retain(|(_, e)| e.card_id != id);
                    if let Some(i) = self
                        .queue
                        .iter()
                        .position(|e| e.card_id == id && e.returning)
                    {
                        self.queue.remove(i);
                    }
                }
                self.queue.push_front(last.entry);
                self.last_note = last_note;
                Some(Undone::Answer(last.entry, last.quality))
            }
            Action::Remove {
                entries,
                total,
                last_note,
            } => {
                for &(at, entry) in &entries {
                    self.queue.insert(at.min(self.queue.len()), entry);
                }
                self.total = total;
                self.last_note = last_note;
                entries.first().map(|&(_, entry)| Undone::Removal(entry))
            }
        }
    }

    /// Cards answered for the first time in this session.
    pub fn done(&self) -> usize {
        self.answers().filter(|a| a.entry.is_first()).count()
    }

    pub fn total(&self) -> usize {
        self.total
    }

    pub fn redrills_waiting(&self) -> usize {
        self.queue.iter().filter(|e| e.redrill).count()
    }

    pub fn redrills_done(&self) -> usize {
        self.answers().filter(|a| a.entry.redrill).count()
    }

    /// Answers to cards back on a learning step in this session.
    pub fn steps_done(&self) -> usize {
        self.answers().filter(|a| a.entry.returning).count()
    }

    /// First answers that were not Again.
    pub fn correct(&self) -> usize {
        self.answers()
            .filter(|a| a.entry.is_first() && a.quality.value() >= 3)
            .count()
    }

    /// Nothing left to show, now or later: no card in the queue and none on a step.
    pub fn is_finished(&self) -> bool {
        self.queue.is_empty() && self.waiting.is_empty()
    }

    /// Answers per button (again, hard, good, easy) over first answers.
    pub fn buttons(&self) -> [usize; 4] {
        let mut counts = [0; 4];
        for a in self.answers().filter(|a| a.entry.is_first()) {
            counts[usize::from(a.quality.rating() - 1)] += 1;
        }
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(card_id: i64, note_id: i64, phase: Phase) -> QueuedCard {
        QueuedCard {
            card_id,
            note_id,
            phase,
        }
    }

    fn plan() -> Plan {
        Plan {
            new_limit: 20,
            due_limit: 200,
            limit: usize::MAX,
            reserved_new: 0,
            order: Order::Due,
            seed: 1,
            redrill_gap: 3,
        }
    }

    fn q(v: u8) -> Quality {
        Quality::new(v).unwrap()
    }

    fn drain(session: &mut Session, quality: u8) -> Vec<i64> {
        let mut seen = vec![];
        while let Some(e) = session.current() {
            seen.push(e.card_id);
            session.answer(q(quality));
        }
        seen
    }

    #[test]
    fn new_cards_are_spread_among_the_reviews() {
        let due: Vec<_> = (1..=6).map(|i| card(i, i, Phase::Review)).collect();
        let new: Vec<_> = (11..=13).map(|i| card(i, i, Phase::New)).collect();
        let mut s = Session::build(&due, &new, &plan());
        let order = drain(&mut s, 4);
        assert_eq!(order.len(), 9);
        let new_places: Vec<usize> = order
            .iter()
            .enumerate()
            .filter(|(_, id)| **id > 10)
            .map(|(i, _)| i)
            .collect();
        // Three new among nine: one at the start of each third, as evenly as it goes.
        assert_eq!(new_places, [0, 3, 6], "{order:?}");
    }

    #[test]
    fn the_new_card_limit_is_honoured_and_a_new_sibling_waits_for_another_day() {
        let due = vec![card(1, 100, Phase::Review)];
        let new = vec![
            card(2, 100, Phase::New),
            card(3, 101, Phase::New),
            card(4, 101, Phase::New),
            card(5, 102, Phase::New),
        ];
        let mut s = Session::build(
            &due,
            &new,
            &Plan {
                new_limit: 2,
                ..plan()
            },
        );
        let mut ids = drain(&mut s, 4);
        ids.sort();
        assert_eq!(ids, vec![1, 3, 5]);
    }

    #[test]
    fn both_directions_of_a_note_are_never_shown_back_to_back() {
        let due = vec![
            card(1, 7, Phase::Review),
            card(2, 7, Phase::Review),
            card(3, 8, Phase::Review),
        ];
        let mut s = Session::build(&due, &[], &plan());
        let order = drain(&mut s, 4);
        assert_eq!(order, vec![1, 3, 2]);
    }

    #[test]
    fn a_card_answered_below_good_comes_back_after_the_gap_until_answered_good() {
        let due: Vec<_> = (1..=5).map(|i| card(i, i, Phase::Review)).collect();
        let mut s = Session::build(&due, &[], &plan());
        assert_eq!(s.current().unwrap().card_id, 1);
        s.answer(q(3));
        let next: Vec<i64> = (0..3)
            .map(|_| {
                let id = s.current().unwrap().card_id;
                s.answer(q(4));
                id
            })
            .collect();
        assert_eq!(next, vec![2, 3, 4]);
        let back = s.current().unwrap();
        assert_eq!((back.card_id, back.redrill), (1, true));
        s.answer(q(1));
        assert_eq!(s.redrills_waiting(), 1);
        s.answer(q(4));
        let back = s.current().unwrap();
        assert_eq!((back.card_id, back.redrill), (1, true));
        s.answer(q(4));
        assert!(s.is_finished());
        assert_eq!((s.done(), s.redrills_done(), s.correct()), (5, 2, 5));
    }

    #[test]
    fn undo_twice_brings_back_both_cards_and_drops_the_requeued_drill() {
        let due: Vec<_> = (1..=4).map(|i| card(i, i, Phase::Review)).collect();
        let mut s = Session::build(&due, &[], &plan());
        s.answer(q(4));
        s.answer(q(1));
        assert_eq!(s.redrills_waiting(), 1);
        let undone = |u: Option<Undone>| match u {
            Some(Undone::Answer(e, q)) => Some((e.card_id, q.value())),
            _ => None,
        };
        assert_eq!(undone(s.undo()), Some((2, 1)));
        assert_eq!(s.redrills_waiting(), 0);
        assert_eq!(undone(s.undo()), Some((1, 4)));
        assert_eq!(s.current().unwrap().card_id, 1);
        assert_eq!(s.done(), 0);
        assert!(s.undo().is_none());
        assert_eq!(drain(&mut s, 4), vec![1, 2, 3, 4]);
    }

    #[test]
    fn a_skipped_card_leaves_the_session() {
        let due: Vec<_> = (1..=3).map(|i| card(i, i, Phase::Review)).collect();
        let mut s = Session::build(&due, &[], &plan());
        s.remove_current();
        assert_eq!(s.total(), 2);
        assert_eq!(drain(&mut s, 4), vec![2, 3]);
    }

    #[test]
    fn a_shuffled_session_is_the_same_for_the_same_seed() {
        let due: Vec<_> = (1..=30).map(|i| card(i, i, Phase::Review)).collect();
        let p = Plan {
            order: Order::Shuffle,
            ..plan()
        };
        let a = drain(&mut Session::build(&due, &[], &p), 4);
        let b = drain(&mut Session::build(&due, &[], &p), 4);
        assert_eq!(a, b);
        assert_ne!(a, (1..=30).collect::<Vec<_>>());
    }

    #[test]
    fn the_new_cards_asked_for_keep_their_share_of_the_limit() {
        let due: Vec<_> = (1..=37).map(|i| card(i, i, Phase::Review)).collect();
        let new: Vec<_> = (101..=120).map(|i| card(i, i, Phase::New)).collect();
        let limited = |new_limit, reserved_new| Plan {
            new_limit,
            limit: 30,
            reserved_new,
            ..plan()
        };
        let count = |s: &mut Session| {
            let ids = drain(s, 4);
            (ids.len(), ids.iter().filter(|id| **id > 100).count())
        };
        // Asked for: 5 new cards and 25 reviews.
        assert_eq!(
            count(&mut Session::build(&due, &new, &limited(5, 5))),
            (30, 5)
        );
        // The daily allowance, not asked for: reviews first.
        assert_eq!(
            count(&mut Session::build(&due, &new, &limited(20, 0))),
            (30, 0)
        );
        // Fewer reviews than the limit: the new cards fill the rest either way.
        assert_eq!(
            count(&mut Session::build(&due[..10], &new, &limited(20, 0))),
            (30, 20)
        );
        assert_eq!(
            count(&mut Session::build(&due[..28], &new, &limited(5, 5))),
            (30, 5)
        );
        // More new cards asked for than the limit: only new cards.
        assert_eq!(
            count(&mut Session::build(&due, &new, &limited(40, 40))),
            (30, 20)
        );
    }

    #[test]
    fn undoing_a_removal_puts_the_card_back_where_it_stood() {
        let due: Vec<_> = (1..=5).map(|i| card(i, i, Phase::Review)).collect();
        let mut s = Session::build(&due, &[], &plan());
        s.answer(q(1));
        let before = s.clone();
        // Skip card 2: it leaves the session, then comes back first.
        assert_eq!(s.remove_current().map(|e| e.card_id), Some(2));
        assert_eq!((s.total(), s.current().map(|e| e.card_id)), (4, Some(3)));
        assert_eq!(s.last_action_is_answer(), Some(false));
        assert!(matches!(s.undo(), Some(Undone::Removal(e)) if e.card_id == 2));
        assert_eq!(s, before);
        assert_eq!(s.last_action_is_answer(), Some(true));
        // A re-drill set aside comes back as the re-drill, and the count stays.
        assert_eq!(drain(&mut s, 4)[..3], [2, 3, 4]);
        let mut s = before;
        for _ in 0..3 {
            s.answer(q(4));
        }
        assert_eq!(s.current().map(|e| (e.card_id, e.redrill)), Some((1, true)));
        let with_drill = s.clone();
        s.remove_current();
        assert_eq!((s.total(), s.redrills_waiting()), (5, 0));
        s.undo();
        assert_eq!(s, with_drill);
        assert_eq!(drain(&mut s, 4), vec![1, 5]);
    }
    #[test]
    fn learning_cards_whose_instant_has_come_go_first_in_due_order() {
        let due: Vec<_> = (1..=2).map(|i| card(i, i, Phase::Review)).collect();
        let new = vec![card(11, 11, Phase::New)];
        let mut s = Session::build(&due, &new, &plan());
        let learning = |id| card(id, id, Phase::Learning);
        s.add_learning(&[
            (910, learning(21)),
            (901, learning(22)),
            (2000, learning(23)),
        ]);
        assert_eq!(s.total(), 6);
        s.set_now(911);
        let mut seen = vec![];
        for _ in 0..5 {
            seen.push(s.current().unwrap().card_id);
            s.answer_then(q(4), Next::Leave);
        }
        assert_eq!(seen[..2], [22, 21], "{seen:?}");
        assert!(!seen.contains(&23), "not due yet: {seen:?}");
        assert!(s.current().is_none());
        assert!(!s.is_finished());
        assert_eq!(s.next_waiting(), Some(2000));
        s.set_now(2000);
        assert_eq!(
            s.current().map(|e| (e.card_id, e.on_step)),
            Some((23, true))
        );
    }

    #[test]
    fn a_card_put_on_a_step_comes_back_when_the_step_is_due_and_is_not_redrilled() {
        let due: Vec<_> = (1..=3).map(|i| card(i, i, Phase::Review)).collect();
        let mut s = Session::build(&due, &[], &plan());
        s.set_now(100);
        s.answer_then(q(1), Next::StepAt(160));
        assert_eq!(s.redrills_waiting(), 0);
        s.answer_then(q(4), Next::Leave);
        s.set_now(159);
        assert_eq!(s.current().map(|e| e.card_id), Some(3));
        s.set_now(160);
        let back = s.current().unwrap();
        assert_eq!(
            (back.card_id, back.returning, back.redrill),
            (1, true, false)
        );
        s.answer_then(q(4), Next::Leave);
        assert_eq!(drain(&mut s, 4), vec![3]);
        assert!(s.is_finished());
        // Three cards, each counted once; the return is a step, not a re-drill.
        assert_eq!(
            (
                s.total(),
                s.done(),
                s.steps_done(),
                s.redrills_done(),
                s.correct()
            ),
            (3, 3, 1, 0, 2)
        );
    }

    #[test]
    fn undoing_an_answer_that_put_the_card_on_a_step_takes_the_step_back() {
        let due: Vec<_> = (1..=2).map(|i| card(i, i, Phase::Review)).collect();
        let mut s = Session::build(&due, &[], &plan());
        s.set_now(100);
        let before = s.clone();
        s.answer_then(q(1), Next::StepAt(160));
        s.undo();
        assert_eq!(s, before);
        // Undone after the step came due and moved to the queue.
        s.answer_then(q(1), Next::StepAt(160));
        s.set_now(200);
        assert_eq!(s.waiting(), 0, "moved to the queue");
        s.undo();
        assert_eq!(
            s.current().map(|e| (e.card_id, e.returning)),
            Some((1, false))
        );
        assert_eq!(drain(&mut s, 4), vec![1, 2]);
    }
}
