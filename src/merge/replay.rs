//! The replay after a merge: each card that gained answers is its merged log worked out again
//! from a new card, in the merge's order, through the scheduler and settings each answer was
//! made with, its fuzz drawn from the note's seed (the same on every device). Rows whose
//! states changed are rewritten, and the card takes the last one.

use std::collections::{BTreeSet, HashMap};

use crate::error::Result;
use crate::scheduler::replay::{LoggedAnswer, rederive};
use crate::scheduler::{Quality, SchedulerKind, Settings};
use crate::store::sync::SyncTx;

/// Replays `cards`; returns how many were replayed. A card with an answer this build cannot
/// replay (a scheduler or settings from a newer jargon) keeps its rows as they are.
pub fn replay_cards(tx: &SyncTx<'_>, cards: &BTreeSet<i64>) -> Result<u64> {
    if cards.is_empty() {
        return Ok(0);
    }
    let seeds: HashMap<i64, i64> = tx.seeds()?;
    // Settings bodies read once: most answers share a few.
    let mut parsed: HashMap<String, Option<Settings>> = HashMap::new();
    let mut replayed = 0;
    'cards: for &card_id in cards {
        let log = tx.card_log(card_id)?;
        if log.is_empty() {
            continue;
        }
        let mut entries = Vec::with_capacity(log.len());
        for row in &log {
            let Ok(scheduler) = SchedulerKind::parse(&row.scheduler) else {
                continue 'cards;
            };
            let settings = match &row.settings_body {
                Some(body) => {
                    if !parsed.contains_key(body) {
                        parsed.insert(body.clone(), Settings::from_body(body));
                    }
                    match parsed.get(body).copied().flatten() {
                        Some(settings) => settings,
                        None => continue 'cards,
                    }
                }
                None => Settings {
                    fuzz: row.fuzz,
                    maximum_interval_days: row.max_interval,
                    ..Settings::default()
                },
            };
            let Ok(quality) = Quality::new(row.quality) else {
                continue 'cards;
            };
            entries.push(LoggedAnswer {
                kind: row.kind,
                quality,
                day: row.day,
                at: row.reviewed_at_ms.div_euclid(1000),
                scheduler,
                settings,
                after: row.after,
            });
        }
        let note = crate::model::note_of_card(card_id);
        let fuzz_id = match seeds.get(&note) {
            Some(&seed) => crate::model::card_id(seed, crate::model::ord_of_card(card_id)),
            None => card_id,
        };
        let Ok(states) = rederive(fuzz_id, &entries) else {
            continue;
        };
        // The log is read in id order everywhere else: where an answer from another device
        // sorts before one already here, the card's rows move to new ids in the merge's order.
        let ids: Vec<i64> = log.iter().map(|row| row.review_id).collect();
        let ids = if ids.windows(2).all(|w| w[0] < w[1]) {
            ids
        } else {
            tx.renumber(&ids)?
        };
        for ((row, state), id) in log.iter().zip(&states).zip(ids) {
            if row.review_id != id {
                tx.set_row_states(id, &state.before, &state.after, state.retrievability)?;
                continue;
            }
            if row.before != state.before
                || row.after != state.after
                || row.retrievability != state.retrievability
            {
                tx.set_row_states(
                    row.review_id,
                    &state.before,
                    &state.after,
                    state.retrievability,
                )?;
            }
        }
        if let Some(last) = states.last() {
            tx.set_card_state(card_id, &last.after)?;
        }
        replayed += 1;
    }
    Ok(replayed)
}
