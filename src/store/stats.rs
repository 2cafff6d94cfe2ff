//! The queries behind `jargon stats` and `jargon report`: they fetch plain rows and counts
//! ([`crate::records::stats`]), and `stats::compute` does the arithmetic.
//!
//! They are shaped for a collection with a million cards and a million reviews: answers are
//! streamed (never collected into a vector), for the period only; the whole-history figures
//! (streak, heatmap) need only answers per day, which the covering `reviews(day, kind)` index
//! gives without reading the table; new cards are counted, never read one by one.
//!
//! For the whole collection the answers come as counts: `review_day_counts` and
//! `review_quarter_counts` (schema.sql), kept by triggers as reviews are written, hold a few
//! rows a day whatever the number of answers. [`Collection::stats_counts_differences`] and
//! [`Collection::stats_rebuild_counts`] let `jargon check` compare them with the log and rebuild
//! them.

use rusqlite::Row;

use super::Collection;
use super::cards::due_of;
use crate::clock::DayNumber;
use crate::error::Result;
use crate::records::stats::{
    AnswerGroup, CardInfo, CardRow, DayKindCount, LogRow, MATURE_DAYS, QuarterCount,
};
use crate::scheduler::replay::ReviewKind;
use crate::scheduler::{Phase, Quality};

/// ` AND <column> IN (...)` restricting to the cards (or notes) of these decks, or nothing for
/// the whole collection. The ids are numbers from `deck_ids_under`, so writing them into the
/// SQL is safe.
fn deck_filter(column: &str, deck_ids: Option<&[i64]>, column_is_note: bool) -> String {
    let Some(ids) = deck_ids else {
        return String::new();
    };
    let list = if ids.is_empty() {
        "NULL".to_string()
    } else {
        ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
    };
    if column_is_note {
        format!(" AND {column} IN (SELECT id FROM notes WHERE deck_id IN ({list}))")
    } else {
        format!(
            // A card's id is its note's id * 64 + its ordinal.
            " AND {column} / 64 IN (SELECT id FROM notes WHERE deck_id IN ({list}))"
        )
    }
}

fn log_row(row: &Row) -> rusqlite::Result<LogRow> {
    let quality: u8 = row.get(3)?;
    let kind = row.get_ref(5)?.as_str()?;
    let phase = row.get_ref(6)?.as_str()?;
    Ok(LogRow {
        card_id: row.get(0)?,
        day: row.get(1)?,
        reviewed_at_ms: row.get(2)?,
        quality: Quality::new(quality).map_err(|_| super::unreadable(3, "quality out of range"))?,
        duration_ms: row.get(4)?,
        kind: ReviewKind::parse(kind).ok_or_else(|| super::unreadable(5, "unknown review kind"))?,
        phase_before: Phase::parse(phase).ok_or_else(|| super::unreadable(6, "unknown phase"))?,
        interval_before_days: row.get(7)?,
    })
}

fn card_row(row: &Row) -> rusqlite::Result<CardRow> {
    let phase = row.get_ref(1)?.as_str()?;
    Ok(CardRow {
        card_id: row.get(0)?,
        phase: Phase::parse(phase).ok_or_else(|| super::unreadable(1, "unknown phase"))?,
        due: due_of(row.get(2)?, row.get(3)?),
        interval_days: row.get(4)?,
        ease_permille: row.get(5)?,
        lapses: row.get(6)?,
        suspended: row.get::<_, i64>(7)? != 0,
        memory: super::cards::memory_of(row, 8)?,
    })
}

fn group_row(row: &Row) -> rusqlite::Result<AnswerGroup> {
    let kind = row.get_ref(1)?.as_str()?;
    let phase = row.get_ref(2)?.as_str()?;
    let quality: u8 = row.get(4)?;
    Ok(AnswerGroup {
        day: row.get(0)?,
        kind: ReviewKind::parse(kind).ok_or_else(|| super::unreadable(1, "unknown review kind"))?,
        phase_before: Phase::parse(phase).ok_or_else(|| super::unreadable(2, "unknown phase"))?,
        mature: row.get::<_, i64>(3)? != 0,
        quality: Quality::new(quality).map_err(|_| super::unreadable(4, "quality out of range"))?,
        answers: row.get(5)?,
        time_ms: row.get(6)?,
    })
}

fn quarter_row(row: &Row) -> rusqlite::Result<QuarterCount> {
    let kind = row.get_ref(2)?.as_str()?;
    Ok(QuarterCount {
        day: row.get(0)?,
        start_ms: row.get::<_, i64>(1)?.saturating_mul(900_000),
        kind: ReviewKind::parse(kind).ok_or_else(|| super::unreadable(2, "unknown review kind"))?,
        answers: row.get(3)?,
        passed: row.get(4)?,
    })
}

/// Which answers [`Collection::stats_for_each_answer`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerRange {
    /// The study days `from` to `until`, through the day index.
    Days { from: DayNumber, until: DayNumber },
    /// The rows with ids `first_id` to `last_id` (a part of the whole history), up to `until`.
    Rows {
        first_id: i64,
        last_id: i64,
        until: DayNumber,
    },
}

// The count triggers (schema.sql, migration 4) write `mature` as `interval_before >= 21`.
const _: () = assert!(
    MATURE_DAYS == 21,
    "review_day_counts.mature is written for 21 days: a new threshold needs a new migration"
);

/// The quarter hour of `reviewed_at` (unix milliseconds), rounded down, as the count triggers
/// write it.
const QUARTER_SQL: &str = "(reviewed_at - ((reviewed_at % 900000) + 900000) % 900000) / 900000";

/// The per-day counts as the log gives them now (what the triggers should have kept).
fn day_counts_sql() -> String {
    "SELECT day, kind, phase_before, interval_before >= 21, quality, count(*), sum(duration_ms)
     FROM reviews GROUP BY 1, 2, 3, 4, 5"
        .to_string()
}

fn quarter_counts_sql() -> String {
    format!(
        "SELECT day, {QUARTER_SQL}, kind, count(*), sum(quality >= 3) FROM reviews GROUP BY 1, 2, 3"
    )
}

impl Collection {
    /// Visits the answer counts of every study day up to `until`, oldest first: one row per
    /// (day, kind, phase before, young or mature, quality).
    pub fn stats_for_each_day_count(
        &self,
        until: DayNumber,
        mut visit: impl FnMut(&AnswerGroup),
    ) -> Result<()> {
        let mut stmt = self.conn().prepare(
            "SELECT day, kind, phase_before, mature, quality, answers, time_ms
             FROM review_day_counts WHERE day <= ?1",
        )?;
        let mut rows = stmt.query([until])?;
        while let Some(row) = rows.next()? {
            visit(&group_row(row)?);
        }
        Ok(())
    }

    /// Visits the answers per quarter hour and kind given on the study days `from` (or the
    /// first) to `until`.
    pub fn stats_for_each_quarter_count(
        &self,
        from: Option<DayNumber>,
        until: DayNumber,
        mut visit: impl FnMut(&QuarterCount),
    ) -> Result<()> {
        let mut stmt = self.conn().prepare(
            "SELECT day, quarter, kind, answers, passed
             FROM review_quarter_counts WHERE day BETWEEN ?1 AND ?2",
        )?;
        let mut rows = stmt.query([from.unwrap_or(DayNumber::MIN), until])?;
        while let Some(row) = rows.next()? {
            visit(&quarter_row(row)?);
        }
        Ok(())
    }

    /// The cards answered on study day `day` other than in cram, through the day index.
    pub fn stats_cards_answered_on(&self, day: DayNumber) -> Result<Vec<i64>> {
        let mut stmt = self.conn().prepare(&format!(
            "SELECT DISTINCT card_id FROM reviews WHERE day = ?1 AND {}",
            super::reviews::activity_kinds()
        ))?;
        let rows = stmt.query_map([day], |row| row.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// How many rows of the per-day counts differ from what the review log gives now (rows
    /// missing, extra or with other counts, in either table); 0 when they agree.
    pub fn stats_counts_differences(&self) -> Result<u64> {
        let day = day_counts_sql();
        let quarter = quarter_counts_sql();
        let kept_day = "SELECT day, kind, phase_before, mature, quality, answers, time_ms FROM review_day_counts";
        let kept_quarter = "SELECT day, quarter, kind, answers, passed FROM review_quarter_counts";
        let sql = format!(
            "SELECT (SELECT count(*) FROM ({day} EXCEPT {kept_day}))
                  + (SELECT count(*) FROM ({kept_day} EXCEPT {day}))
                  + (SELECT count(*) FROM ({quarter} EXCEPT {kept_quarter}))
                  + (SELECT count(*) FROM ({kept_quarter} EXCEPT {quarter}))"
        );
        Ok(self.conn().query_row(&sql, [], |row| row.get(0))?)
    }

    /// Rebuilds the per-day counts from the review log, in one transaction.
    pub fn stats_rebuild_counts(&self) -> Result<()> {
        let tx = self.conn().unchecked_transaction()?;
        tx.execute_batch(&format!(
            "DELETE FROM review_day_counts;
             DELETE FROM review_quarter_counts;
             INSERT INTO review_day_counts (day, kind, phase_before, mature, quality, answers, time_ms)
                 {};
             INSERT INTO review_quarter_counts (day, quarter, kind, answers, passed) {};",
            day_counts_sql(),
            quarter_counts_sql()
        ))?;
        tx.commit()?;
        Ok(())
    }

    /// Answers per study day and kind from `from` to `until` (the heatmap's year). The
    /// covering `reviews(day, kind)` index answers it without reading the table.
    pub fn stats_answers_per_day(
        &self,
        deck_ids: Option<&[i64]>,
        from: DayNumber,
        until: DayNumber,
    ) -> Result<Vec<DayKindCount>> {
        let decks = deck_filter("card_id", deck_ids, false);
        let sql = format!(
            "SELECT day, kind, count(*) FROM reviews WHERE day BETWEEN ?1 AND ?2{decks}
             GROUP BY day, kind"
        );
        let mut stmt = self.conn().prepare(&sql)?;
        let rows = stmt.query_map([from, until], |row| {
            let kind = row.get_ref(1)?.as_str()?;
            Ok(DayKindCount {
                day: row.get(0)?,
                kind: ReviewKind::parse(kind)
                    .ok_or_else(|| super::unreadable(1, "unknown review kind"))?,
                answers: row.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The study days up to `until` with at least one answer that is not cram (the activity
    /// rule, `ReviewKind::is_activity`), oldest first, over the whole history. For the whole
    /// collection each day is one seek in the `reviews(day, kind)` index, so a long history
    /// costs its number of days, not its number of answers.
    pub fn stats_active_days(
        &self,
        deck_ids: Option<&[i64]>,
        until: DayNumber,
    ) -> Result<Vec<DayNumber>> {
        let active = super::reviews::activity_kinds();
        if deck_ids.is_some() {
            let decks = deck_filter("card_id", deck_ids, false);
            let sql = format!(
                "SELECT DISTINCT day FROM reviews WHERE day <= ?1 AND {active}{decks} ORDER BY day"
            );
            let mut stmt = self.conn().prepare(&sql)?;
            let rows = stmt.query_map([until], |row| row.get(0))?;
            return Ok(rows.collect::<rusqlite::Result<_>>()?);
        }
        let mut stmt = self.conn().prepare(&format!(
            "SELECT min(day) FROM reviews WHERE day > ?1 AND day <= ?2 AND {active}"
        ))?;
        let mut days = vec![];
        let mut after = DayNumber::MIN;
        while let Some(day) = stmt.query_row([after, until], |row| row.get::<_, Option<i64>>(0))? {
            days.push(day);
            after = day;
        }
        Ok(days)
    }

    /// The lowest and highest review row ids, to read the log in parts; `None` when empty.
    pub fn stats_review_ids(&self) -> Result<Option<(i64, i64)>> {
        self.id_range("reviews")
    }

    /// The lowest and highest id of a table. Two queries: SQLite answers `min(id)` or
    /// `max(id)` alone from one end of the table, but both together by reading all of it.
    fn id_range(&self, table: &str) -> Result<Option<(i64, i64)>> {
        let end = |which: &str| -> Result<Option<i64>> {
            Ok(self
                .conn()
                .query_row(&format!("SELECT {which}(id) FROM {table}"), [], |row| {
                    row.get(0)
                })?)
        };
        Ok(end("min")?.zip(end("max")?))
    }

    /// Visits the answers in `range`, every kind: the computation leaves cram answers out (a
    /// filter here would cost more than the few rows it saves).
    pub fn stats_for_each_answer(
        &self,
        deck_ids: Option<&[i64]>,
        range: AnswerRange,
        mut visit: impl FnMut(&LogRow),
    ) -> Result<()> {
        let decks = deck_filter("card_id", deck_ids, false);
        // A recent period is read through the day index; the whole history is cheaper to read
        // straight through the table (a range of row ids) than row by row through the index.
        let (source, bounds, values) = match range {
            AnswerRange::Days { from, until } => {
                ("reviews", "day BETWEEN ?1 AND ?2", [from, until, 0])
            }
            AnswerRange::Rows {
                first_id,
                last_id,
                until,
            } => (
                "reviews NOT INDEXED",
                "id BETWEEN ?1 AND ?2 AND day <= ?3",
                [first_id, last_id, until],
            ),
        };
        let sql = format!(
            "SELECT card_id, day, reviewed_at, quality, duration_ms, kind, phase_before, interval_before
             FROM {source}
             WHERE {bounds}{decks}"
        );
        let mut stmt = self.conn().prepare(&sql)?;
        let count = stmt.parameter_count();
        let mut rows = stmt.query(rusqlite::params_from_iter(&values[..count]))?;
        while let Some(row) = rows.next()? {
            visit(&log_row(row)?);
        }
        Ok(())
    }

    /// The lowest and highest card ids, to read the cards in parts; `None` when there are none.
    pub fn stats_card_ids(&self) -> Result<Option<(i64, i64)>> {
        self.id_range("card_states")
    }

    /// Visits the cards with ids `first_id` to `last_id` that have left the new phase, and the
    /// suspended new cards: one pass over the stored card rows, cheaper than looking each one
    /// up through the phase index. The other new cards are only counted
    /// ([`Collection::stats_card_count`]).
    pub fn stats_for_each_card(
        &self,
        deck_ids: Option<&[i64]>,
        (first_id, last_id): (i64, i64),
        mut visit: impl FnMut(&CardRow),
    ) -> Result<()> {
        let decks = deck_filter("note_id", deck_ids, true);
        let sql = format!(
            "SELECT id, phase, due_day, due_at, interval_days, ease_permille, lapses, suspended,
                    stability, difficulty
             FROM card_states NOT INDEXED
             WHERE id BETWEEN ?1 AND ?2 AND (phase != 'new' OR suspended = 1){decks}"
        );
        let mut stmt = self.conn().prepare(&sql)?;
        let mut rows = stmt.query([first_id, last_id])?;
        while let Some(row) = rows.next()? {
            visit(&card_row(row)?);
        }
        Ok(())
    }

    /// How many cards there are in all.
    pub fn stats_card_count(&self, deck_ids: Option<&[i64]>) -> Result<u64> {
        let decks = deck_filter("id", deck_ids, true);
        Ok(self.conn().query_row(
            // Without a filter SQLite counts the rows page by page, without decoding them.
            &match decks.strip_prefix(" AND ") {
                Some(filter) => format!(
                    "SELECT coalesce(sum({}), 0) FROM notes n WHERE {filter}",
                    super::notes::CARD_COUNT_SQL
                ),
                None => format!(
                    "SELECT coalesce(sum({}), 0) FROM notes n",
                    super::notes::CARD_COUNT_SQL
                ),
            },
            [],
            |row| row.get(0),
        )?)
    }

    /// The deck, key, term and direction of these cards.
    pub fn stats_card_info(&self, card_ids: &[i64]) -> Result<Vec<CardInfo>> {
        let mut infos = Vec::with_capacity(card_ids.len());
        let sql = format!(
            "SELECT c.id, d.name, n.key, n.term, {}
             FROM cards c JOIN notes n ON n.id = c.note_id JOIN decks d ON d.id = n.deck_id
             JOIN notetypes t ON t.id = n.notetype_id
             WHERE c.note_id = ?2 AND c.id = ?1",
            super::notes::template_name_sql("c.ord")
        );
        let mut stmt = self.conn().prepare_cached(&sql)?;
        for id in card_ids {
            let mut rows = stmt.query(rusqlite::params![id, crate::model::note_of_card(*id)])?;
            if let Some(row) = rows.next()? {
                infos.push(CardInfo {
                    card_id: row.get(0)?,
                    deck: row.get(1)?,
                    key: row.get(2)?,
                    term: row.get(3)?,
                    direction: row.get(4)?,
                });
            }
        }
        Ok(infos)
    }
}
