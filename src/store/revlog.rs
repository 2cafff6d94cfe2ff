//! Imports that bring review history: the notes of a plan, then each card's merged log rows
//! and final state, all in one transaction.

use rusqlite::{OptionalExtension, Transaction, params};

use super::Collection;
use super::import::write_plan;
use super::reviews::{NewReview, insert_review, write_state};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::records::import::{CardHistory, CardWrite, ImportPlan, MergeCounts, StoredCard, Target};
use crate::scheduler::replay::ReviewKind;
use crate::scheduler::{Answer, Quality, SchedulerKind, Settings};

/// What an import with history wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HistoryReport {
    pub reviews: MergeCounts,
    /// Histories of notes that `--on-duplicate skip` left alone.
    pub skipped_cards: usize,
}

fn stored_card(
    tx: &Transaction,
    note_id: i64,
    ord: u32,
    fresh: bool,
) -> Result<Option<StoredCard>> {
    let sql = format!(
        "SELECT {} FROM cards c WHERE c.note_id = ?1 AND c.ord = ?2",
        super::cards::CARD_COLUMNS
    );
    let card = tx
        .prepare_cached(&sql)?
        .query_row(params![note_id, ord], |row| {
            super::cards::card_from_row(row, 0)
        })
        .optional()?;
    let Some(card) = card else {
        return Ok(None);
    };
    // The log in the order it was written: its instants (sorted below) and its answers.
    let mut stmt = tx.prepare_cached(
        "SELECT reviewed_at, quality, day, kind FROM reviews INDEXED BY reviews_card
         WHERE card_id = ?1 ORDER BY id",
    )?;
    let mut logged_ms = vec![];
    let mut answers = vec![];
    let mut rows = stmt.query([card.id])?;
    while let Some(row) = rows.next()? {
        logged_ms.push(row.get::<_, i64>(0)?);
        let kind: String = row.get(3)?;
        let kind =
            ReviewKind::parse(&kind).ok_or_else(|| super::unreadable(3, "unknown review kind"))?;
        if kind.is_answer() {
            let quality = Quality::new(row.get(1)?)
                .map_err(|_| super::unreadable(1, "quality out of range"))?;
            answers.push((Answer::from_quality(quality), row.get(2)?));
        }
    }
    logged_ms.sort_unstable();
    Ok(Some(StoredCard {
        id: card.id,
        fuzz_card_id: super::seed::fuzz_card_id_in(tx, card.id)?,
        state: card.state,
        logged_ms,
        answers,
        fresh,
    }))
}

fn write_card(
    tx: &Transaction,
    write: &CardWrite,
    scheduler: SchedulerKind,
    settings: Settings,
) -> Result<()> {
    super::cards::materialize(tx, write.card_id)?;
    for row in &write.rows {
        let review = NewReview {
            card_id: write.card_id,
            reviewed_at_ms: row.reviewed_at_ms,
            day: row.day,
            quality: row.quality,
            duration_ms: row.duration_ms,
            kind: row.kind,
            scheduler,
            settings,
            retrievability: row.retrievability,
        };
        insert_review(tx, &review, &row.before, &row.after)?;
    }
    if let Some(state) = &write.state {
        write_state(tx, write.card_id, state)?;
    }
    if let Some(suspended) = write.suspended {
        tx.prepare_cached("UPDATE card_states SET suspended = ?1 WHERE id = ?2")?
            .execute(params![i64::from(suspended), write.card_id])?;
    }
    if let Some(day) = write.buried_day {
        tx.prepare_cached("UPDATE card_states SET buried_day = ?1 WHERE id = ?2")?
            .execute(params![day, write.card_id])?;
    }
    if write.suspended.is_some() || write.buried_day.is_some() {
        // Changed by the import, whose time is not known here: the sync uses its own.
        tx.prepare_cached("DELETE FROM card_flag_times WHERE card_id = ?1")?
            .execute([write.card_id])?;
    }
    // An imported card with no history and the untouched state needs no row.
    super::cards::prune(tx, write.card_id)?;
    Ok(())
}

impl Collection {
    /// Applies `plan` and merges every card history into the log, in one transaction: all of
    /// it or none. `merge` decides each card's rows from its stored state (see
    /// `deck::history::Merger`); `progress` is told how many notes, then how many
    /// histories, were written.
    pub fn import_with_history(
        &mut self,
        plan: &ImportPlan,
        histories: &[CardHistory],
        now_secs: i64,
        config: &Config,
        merge: &dyn Fn(&CardHistory, &StoredCard) -> (CardWrite, MergeCounts),
        progress: &mut dyn FnMut(u64),
    ) -> Result<HistoryReport> {
        // Rows written: the notes, and each card's row and answers.
        let rows = plan.add.len()
            + plan.update.len()
            + histories.iter().map(|h| 1 + h.answers.len()).sum::<usize>();
        self.as_bulk_import(rows, |collection| {
            collection.write_import(plan, histories, now_secs, config, merge, progress)
        })
    }

    fn write_import(
        &mut self,
        plan: &ImportPlan,
        histories: &[CardHistory],
        now_secs: i64,
        config: &Config,
        merge: &dyn Fn(&CardHistory, &StoredCard) -> (CardWrite, MergeCounts),
        progress: &mut dyn FnMut(u64),
    ) -> Result<HistoryReport> {
        let tx = self.conn_mut().transaction()?;
        let added = write_plan(&tx, plan, now_secs, progress)?;
        let report = write_histories(&tx, plan, &added, histories, config, merge, &mut |done| {
            if done % 256 == 255 {
                progress((added.len() + done + 1) as u64);
            }
        })?;
        tx.commit()?;
        Ok(report)
    }
}

/// The merge of one card's history with its stored card.
pub(crate) type Merge<'m> = &'m dyn Fn(&CardHistory, &StoredCard) -> (CardWrite, MergeCounts);

/// Merges the histories of a plan's notes (`added`: the ids of its added notes), inside the
/// caller's transaction; `done` is told the index of each history written.
pub(super) fn write_histories(
    tx: &Transaction,
    plan: &ImportPlan,
    added: &[i64],
    histories: &[CardHistory],
    config: &Config,
    merge: Merge,
    done: &mut dyn FnMut(usize),
) -> Result<HistoryReport> {
    let mut report = HistoryReport::default();
    for (index, history) in histories.iter().enumerate() {
        let (note_id, fresh) = match plan.targets.get(history.note) {
            Some(Target::Existing(id)) => (*id, false),
            Some(Target::Added(index)) => {
                let id = added.get(*index).ok_or_else(|| {
                    Error::failed("an imported history points at a note that was not added")
                })?;
                (*id, true)
            }
            Some(Target::Skipped) => {
                report.skipped_cards += 1;
                continue;
            }
            None => {
                return Err(Error::failed(
                    "an imported history points at a note that is not in the import",
                ));
            }
        };
        report.reviews += write_history(tx, note_id, fresh, history, config, merge)?;
        done(index);
    }
    Ok(report)
}

/// Merges one card history into the card of note `note_id` (`fresh`: a note this import
/// added), inside the caller's transaction.
pub(super) fn write_history(
    tx: &Transaction,
    note_id: i64,
    fresh: bool,
    history: &CardHistory,
    config: &Config,
    merge: Merge,
) -> Result<MergeCounts> {
    let stored = stored_card(tx, note_id, history.ord, fresh)?
        .ok_or_else(|| Error::failed(format!("note {note_id} has no card {}", history.ord + 1)))?;
    let (write, counts) = merge(history, &stored);
    write_card(tx, &write, config.scheduler, config.scheduling)?;
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NoteFields;

    #[test]
    fn foreign_keys_are_enforced_again_after_an_import() {
        let mut collection = Collection::open_in_memory().unwrap();
        let add: Vec<(String, NoteFields)> = (0..40)
            .map(|n| {
                let fields = NoteFields {
                    key: format!("k{n}"),
                    term: format!("term {n}"),
                    definition: format!("definition {n}"),
                    ..NoteFields::default()
                };
                ("D".to_string(), fields)
            })
            .collect();
        let changes = ImportPlan {
            decks: vec![("D".into(), None)],
            targets: (0..add.len()).map(Target::Added).collect(),
            add,
            ..ImportPlan::default()
        };
        let config = Config::default();
        let merge = |_: &CardHistory, _: &StoredCard| -> (CardWrite, MergeCounts) {
            unreachable!("no histories")
        };
        collection
            .import_with_history(&changes, &[], 0, &config, &merge, &mut |_| {})
            .unwrap();
        let notes: i64 = collection
            .conn()
            .query_row("SELECT count(*) FROM notes", [], |r| r.get(0))
            .unwrap();
        assert_eq!(notes, 40);
        let orphan = collection.conn().execute(
            "INSERT INTO card_states (id, note_id) VALUES (2000, 1000)",
            [],
        );
        assert!(orphan.is_err(), "a card of a missing note must be refused");
    }
}
