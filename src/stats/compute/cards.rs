//! The card accumulator: interval and ease buckets, the retrievability of cards with an FSRS
//! memory state, the due forecast and the hardest lists.

use super::*;
use crate::scheduler::{CardState, Settings, fsrs};

/// A bounded selection of the smallest keys seen.
#[derive(Debug, Clone)]
pub(super) struct TopN<K: Ord> {
    limit: usize,
    heap: BinaryHeap<K>,
}

impl<K: Ord + Copy> TopN<K> {
    fn new(limit: usize) -> TopN<K> {
        TopN {
            limit,
            heap: BinaryHeap::new(),
        }
    }

    /// Keeps `key` if it is among the `limit` smallest so far; says whether it was kept.
    fn offer(&mut self, key: K) -> bool {
        if self.heap.len() < self.limit {
            self.heap.push(key);
            true
        } else if self.heap.peek().is_some_and(|worst| key < *worst) {
            self.heap.pop();
            self.heap.push(key);
            true
        } else {
            false
        }
    }

    pub(super) fn sorted(&self) -> Vec<K> {
        let mut keys: Vec<K> = self.heap.iter().copied().collect();
        keys.sort();
        keys
    }
}

/// Interval buckets: (label, first day, last day inclusive).
pub const INTERVAL_BUCKETS: [(&str, u32, u32); 12] = [
    ("1d", 1, 1),
    ("2d", 2, 2),
    ("3-6d", 3, 6),
    ("1-2w", 7, 13),
    ("2-3w", 14, 20),
    ("3w-1mo", 21, 29),
    ("1-2mo", 30, 59),
    ("2-3mo", 60, 89),
    ("3-6mo", 90, 179),
    ("6mo-1y", 180, 364),
    ("1-2y", 365, 729),
    ("2y+", 730, u32::MAX),
];

/// Ease buckets in percent: (label, lowest, highest inclusive).
pub const EASE_BUCKETS: [(&str, u32, u32); 9] = [
    ("130-149%", 130, 149),
    ("150-169%", 150, 169),
    ("170-189%", 170, 189),
    ("190-209%", 190, 209),
    ("210-229%", 210, 229),
    ("230-249%", 230, 249),
    ("250-269%", 250, 269),
    ("270-289%", 270, 289),
    ("290%+", 290, u32::MAX),
];

/// The bucket holding `value`; values under the first bucket count in it (an interval of 0
/// days, which a review card never has, or an ease under 130%, which SM-2 never gives).
pub(super) fn bucket_of(buckets: &[(&str, u32, u32)], value: u32) -> usize {
    buckets
        .iter()
        .position(|&(_, low, high)| value >= low && value <= high)
        .unwrap_or(if buckets.first().is_some_and(|b| value < b.1) {
            0
        } else {
            buckets.len().saturating_sub(1)
        })
}

pub(super) const NANOS: u64 = 1_000_000_000;

/// The keys of the hardest lists: smaller is harder; the card id breaks ties.
pub(super) type LapseKey = (Reverse<u32>, u32, i64);
pub(super) type EaseKey = (u32, Reverse<u32>, i64);

/// Accumulates cards that have left the new phase.
#[derive(Debug, Clone)]
pub struct CardSummary {
    pub(super) clock: Clock,
    pub(super) today: DayNumber,
    pub(super) leech_lapses: u32,
    pub(super) counts: CardCounts,
    pub(super) intervals: Vec<u64>,
    pub(super) ease: Vec<u64>,
    pub(super) interval_sum: u64,
    pub(super) ease_sum: u64,
    pub(super) forecast: [u64; FORECAST_DAYS],
    pub(super) overdue: u64,
    /// The load in billionths of a review a day: whole numbers add up the same in any order,
    /// so reading the cards in parts gives the same figure.
    pub(super) load_nanos: u64,
    /// The scheduling settings (FSRS's decay, for the retrievability).
    pub(super) settings: Settings,
    /// Unsuspended cards with a memory state, by retrievability now in tenths.
    pub(super) retrievability: [u64; RETRIEVABILITY_BUCKETS],
    /// Their retrievability summed, in billionths (whole numbers: any order, same sum).
    pub(super) retrievability_nanos: u64,
    pub(super) most_lapses: TopN<LapseKey>,
    pub(super) lowest_ease: TopN<EaseKey>,
    pub(super) leeches: TopN<LapseKey>,
    /// The rows of the cards kept in any list, to describe them at the end.
    pub(super) kept: HashMap<i64, CardRow>,
}

impl CardSummary {
    pub fn new(clock: Clock, leech_lapses: u32) -> CardSummary {
        CardSummary::with_settings(
            clock,
            Settings {
                leech_lapses,
                ..Settings::default()
            },
        )
    }

    /// A summary that reads leeches and FSRS's decay from `settings`.
    pub fn with_settings(clock: Clock, settings: Settings) -> CardSummary {
        let leech_lapses = settings.leech_lapses;
        CardSummary {
            clock,
            today: clock.today(),
            leech_lapses,
            counts: CardCounts::default(),
            intervals: vec![0; INTERVAL_BUCKETS.len()],
            ease: vec![0; EASE_BUCKETS.len()],
            interval_sum: 0,
            ease_sum: 0,
            forecast: [0; FORECAST_DAYS],
            overdue: 0,
            load_nanos: 0,
            settings,
            retrievability: [0; RETRIEVABILITY_BUCKETS],
            retrievability_nanos: 0,
            most_lapses: TopN::new(HARDEST_LIMIT),
            lowest_ease: TopN::new(HARDEST_LIMIT),
            leeches: TopN::new(LEECH_LIMIT),
            kept: HashMap::new(),
        }
    }

    pub fn add(&mut self, card: &CardRow) {
        self.counts.total += 1;
        let mut listed = false;
        if self.leech_lapses > 0 && card.lapses >= self.leech_lapses {
            self.counts.leeches += 1;
            listed |= self
                .leeches
                .offer((Reverse(card.lapses), card.ease_permille, card.card_id));
        }
        if card.phase != Phase::New {
            if card.lapses > 0 {
                listed |= self.most_lapses.offer((
                    Reverse(card.lapses),
                    card.ease_permille,
                    card.card_id,
                ));
            }
            listed |=
                self.lowest_ease
                    .offer((card.ease_permille, Reverse(card.lapses), card.card_id));
        }
        if card.suspended {
            self.counts.suspended += 1;
        } else {
            match card.phase {
                Phase::New => self.counts.new += 1,
                Phase::Learning => self.counts.learning += 1,
                Phase::Relearning => {
                    self.counts.learning += 1;
                    self.counts.relearning += 1;
                }
                Phase::Review => {
                    if Counts::is_mature(card.interval_days) {
                        self.counts.mature += 1;
                    } else {
                        self.counts.young += 1;
                    }
                    self.intervals[bucket_of(&INTERVAL_BUCKETS, card.interval_days)] += 1;
                    self.ease[bucket_of(&EASE_BUCKETS, card.ease_permille / 10)] += 1;
                    self.interval_sum += u64::from(card.interval_days);
                    self.ease_sum += u64::from(card.ease_permille);
                    self.load_nanos += NANOS / u64::from(card.interval_days.max(1));
                }
            }
            self.add_to_forecast(card.due);
            self.add_retrievability(card);
        }
        // Keep the row while it is in a list; now and then drop the rows that harder cards
        // pushed out, so memory stays bounded however many cards there are.
        if listed {
            self.kept.insert(card.card_id, *card);
            if self.kept.len() > 4 * (2 * HARDEST_LIMIT + LEECH_LIMIT) {
                self.prune();
            }
        }
    }

    fn add_to_forecast(&mut self, due: Due) {
        let day = match due {
            Due::Unscheduled => return,
            Due::Day(day) => day,
            Due::At(secs) => match DateTime::<Utc>::from_timestamp(secs, 0) {
                Some(at) => self.clock.day_of(at),
                None => return,
            },
        };
        let offset = day - self.today;
        if offset < 0 {
            self.overdue += 1;
            self.forecast[0] += 1;
        } else if let Ok(index) = usize::try_from(offset)
            && index < FORECAST_DAYS
        {
            self.forecast[index] += 1;
        }
    }

    /// Counts the card's retrievability now, by the rule `cards --json` shows
    /// ([`fsrs::current_retrievability`]), if it has a memory state.
    fn add_retrievability(&mut self, card: &CardRow) {
        if card.memory.is_none() {
            return;
        }
        let state = CardState {
            phase: card.phase,
            due: card.due,
            interval_days: card.interval_days,
            ease_permille: card.ease_permille,
            lapses: card.lapses,
            memory: card.memory,
            ..CardState::new_card()
        };
        let Some(r) = fsrs::current_retrievability(&state, self.today, &self.settings) else {
            return;
        };
        let r = f64::from(r).clamp(0.0, 1.0);
        // r is within 0..=1, so the index is within 0..=10 and the nanos within 0..=1e9.
        let index =
            ((r * RETRIEVABILITY_BUCKETS as f64).floor() as usize).min(RETRIEVABILITY_BUCKETS - 1);
        self.retrievability[index] += 1;
        self.retrievability_nanos += (r * NANOS as f64).round() as u64;
    }

    /// Unsuspended cards with a memory state.
    pub fn cards_with_memory(&self) -> u64 {
        self.retrievability.iter().sum()
    }

    /// Drops the kept rows no list holds any more.
    fn prune(&mut self) {
        let keep = self.listed_ids();
        self.kept.retain(|id, _| keep.contains(id));
    }

    fn listed_ids(&self) -> HashSet<i64> {
        let mut ids = HashSet::new();
        ids.extend(self.most_lapses.heap.iter().map(|k| k.2));
        ids.extend(self.lowest_ease.heap.iter().map(|k| k.2));
        ids.extend(self.leeches.heap.iter().map(|k| k.2));
        ids
    }

    /// Completes the counts with the cards never added one by one: the store sends only the
    /// cards that left the new phase and suspended new cards, and counts all of them; the
    /// rest are unsuspended new cards.
    pub fn set_total_cards(&mut self, total: u64) {
        self.counts.new += total.saturating_sub(self.counts.total);
        self.counts.total = self.counts.total.max(total);
    }

    /// Adds the cards another summary read (the cards can be read in parts, side by side).
    pub fn merge(&mut self, other: CardSummary) {
        let c = &mut self.counts;
        let o = &other.counts;
        c.total += o.total;
        c.new += o.new;
        c.learning += o.learning;
        c.young += o.young;
        c.mature += o.mature;
        c.suspended += o.suspended;
        c.relearning += o.relearning;
        c.leeches += o.leeches;
        for (a, b) in self.intervals.iter_mut().zip(&other.intervals) {
            *a += b;
        }
        for (a, b) in self.ease.iter_mut().zip(&other.ease) {
            *a += b;
        }
        for (a, b) in self.forecast.iter_mut().zip(&other.forecast) {
            *a += b;
        }
        for (a, b) in self.retrievability.iter_mut().zip(&other.retrievability) {
            *a += b;
        }
        self.retrievability_nanos += other.retrievability_nanos;
        self.interval_sum += other.interval_sum;
        self.ease_sum += other.ease_sum;
        self.overdue += other.overdue;
        self.load_nanos += other.load_nanos;
        for key in other.most_lapses.heap {
            self.most_lapses.offer(key);
        }
        for key in other.lowest_ease.heap {
            self.lowest_ease.offer(key);
        }
        for key in other.leeches.heap {
            self.leeches.offer(key);
        }
        self.kept.extend(other.kept);
        self.prune();
    }

    /// The cards the hardest lists name, to fetch their deck, key and term.
    pub fn listed_card_ids(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = self.listed_ids().into_iter().collect();
        ids.sort_unstable();
        ids
    }
}
