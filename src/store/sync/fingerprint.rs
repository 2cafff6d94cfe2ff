//! A fingerprint of a collection's content, the same on every device that has read the same
//! events: its notes (by global id), every card's flags and state, every answer (in the log,
//! or kept aside with a deleted note, by global id) and the settings that travel, each
//! written as a line that does not depend on local ids, and the lines hashed without regard
//! to their order (SHA-256 each, summed).

use rusqlite::OptionalExtension;
use sha2::{Digest, Sha256};

use crate::error::Result;
use crate::store::Collection;

// A card with answers is covered by its latest row's state: the card's own is that one
// converted to this machine's scheduler when the two differ (the scheduler is each machine's),
// and `check` proves the card's own is the replay of its log here.
impl Collection {
    /// The fingerprint's 64 hex digits, and how many notes, cards with a state and answers
    /// it covers. `settings` names the settings that travel (the merge's list): their values
    /// are covered too, the others are each machine's own. Each row is hashed as it is read
    /// and the digests summed ([`LineSum`]), so the order rows come in does not matter and
    /// nothing is held: a million answers take constant memory.
    pub fn content_fingerprint(&self, settings: &[&str]) -> Result<(String, [u64; 3])> {
        let conn = self.conn();
        let name = "coalesce(g.gid, 'local:' || d.name || '/' || n.key)";
        let mut sum = LineSum::default();
        let mut counts = [0u64; 3];
        let mut each = |sql: &str, kind: usize| -> Result<()> {
            let mut stmt = conn.prepare(sql)?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                let line: String = row.get(0)?;
                sum.add(line.as_bytes());
                if kind < 3 {
                    counts[kind] += 1;
                }
            }
            Ok(())
        };
        each(
            &format!(
                "SELECT 'note' || char(9) || {name} || char(9) || d.name || char(9) || t.kind
                        || char(9) || t.name || char(9) || coalesce(n.seed, n.id) || char(9)
                        || json_array(n.term, n.definition, n.example, n.aliases, n.tags,
                               n.related, n.source, coalesce(n.guid, ''),
                               coalesce(n.fields, ''), n.cards, n.card_span)
                 FROM notes n JOIN decks d ON d.id = n.deck_id JOIN notetypes t ON t.id = n.notetype_id
                 LEFT JOIN sync_notes g ON g.note_id = n.id"
            ),
            0,
        )?;
        each(
            &format!(
                "SELECT 'card' || char(9) || {name} || '#' || (c.id % 64) || char(9)
                        || json_array(c.suspended, c.buried_day, coalesce(
                            (SELECT json_array(r.phase_after, r.due_day_after, r.due_at_after,
                                        r.interval_after, r.ease_after, r.reps_after,
                                        r.lapses_after, r.step_after, r.stability_after,
                                        r.difficulty_after)
                             FROM reviews r INDEXED BY reviews_card WHERE r.card_id = c.id
                             ORDER BY r.id DESC LIMIT 1),
                            json_array(c.phase, c.due_day, c.due_at, c.interval_days,
                                       c.ease_permille, c.repetitions, c.lapses, c.step,
                                       c.stability, c.difficulty)))
                 FROM card_states c JOIN notes n ON n.id = c.note_id JOIN decks d ON d.id = n.deck_id
                 LEFT JOIN sync_notes g ON g.note_id = n.id
                 WHERE NOT (c.phase = 'new' AND c.due_day IS NULL AND c.due_at IS NULL
                     AND c.interval_days = 0 AND c.ease_permille = 2500 AND c.repetitions = 0
                     AND c.lapses = 0 AND c.step = 0 AND c.suspended = 0 AND c.buried_day IS NULL
                     AND c.stability IS NULL)"
            ),
            1,
        )?;
        each(
            &format!(
                "SELECT 'answer' || char(9) || coalesce(r.gid, 'local') || char(9) || {name}
                        || '#' || (r.card_id % 64) || char(9)
                        || json_array(r.reviewed_at, r.day, r.quality, r.duration_ms, r.kind,
                               r.scheduler, s.body, r.phase_before, r.due_day_before,
                               r.due_at_before, r.interval_before, r.ease_before, r.reps_before,
                               r.lapses_before, r.step_before, r.phase_after, r.due_day_after,
                               r.due_at_after, r.interval_after, r.ease_after, r.reps_after,
                               r.lapses_after, r.step_after, r.stability_after,
                               r.difficulty_after)
                 FROM reviews r JOIN notes n ON n.id = r.card_id / 64 JOIN decks d ON d.id = n.deck_id
                 LEFT JOIN sync_notes g ON g.note_id = n.id
                 LEFT JOIN scheduler_settings s ON s.id = r.settings_id"
            ),
            2,
        )?;
        // Answers kept with a deleted note: whether each is here, not how it is kept (a
        // published one as its event, one never published as its row).
        each(
            "SELECT 'kept' || char(9) || coalesce(gid, 'local:' || note || char(9) || body)
             FROM deleted_answers",
            3,
        )?;
        let mut stmt = conn.prepare_cached("SELECT value FROM config WHERE key = ?1")?;
        for key in settings {
            let value: Option<String> = stmt.query_row([key], |r| r.get(0)).optional()?;
            sum.add(format!("setting\t{key}\t{}", value.unwrap_or_default()).as_bytes());
        }
        Ok((sum.hex(), counts))
    }
}

/// An order-free hash of a multiset of lines: the SHA-256 digests of the lines added as
/// 256-bit numbers (wrapping), with the number of lines; the result is the SHA-256 of both.
/// Equal multisets give equal sums whatever order the lines come in, and a line counted
/// twice changes it.
#[derive(Debug, Default)]
struct LineSum {
    limbs: [u64; 4],
    lines: u64,
}

impl LineSum {
    fn add(&mut self, line: &[u8]) {
        let digest = Sha256::digest(line);
        let mut carry = 0u128;
        for (i, chunk) in digest.chunks_exact(8).enumerate() {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            let total = u128::from(self.limbs[i]) + u128::from(u64::from_le_bytes(word)) + carry;
            self.limbs[i] = total as u64; // the low 64 bits; the rest carries
            carry = total >> 64;
        }
        self.lines += 1;
    }

    fn hex(&self) -> String {
        let mut hash = Sha256::new();
        for limb in self.limbs {
            hash.update(limb.to_le_bytes());
        }
        hash.update(self.lines.to_le_bytes());
        hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fingerprint_covers_the_settings_that_travel_and_the_kept_answers_only() {
        let travelling = ["new_per_day"];
        let collection = Collection::open_in_memory().unwrap();
        let print = |c: &Collection| c.content_fingerprint(&travelling).unwrap().0;
        let empty = print(&collection);
        collection.set_config("rollover_hour", "6", 1).unwrap();
        assert_eq!(print(&collection), empty, "a machine's own setting");
        collection.set_config("new_per_day", "7", 1).unwrap();
        let with_limit = print(&collection);
        assert_ne!(with_limit, empty, "a setting that travels");
        collection
            .conn()
            .execute(
                "INSERT INTO deleted_answers (gid, note, body) VALUES ('d-1', 'T/a', '{}')",
                [],
            )
            .unwrap();
        assert_ne!(
            print(&collection),
            with_limit,
            "an answer kept with a deleted note"
        );
    }

    #[test]
    fn the_line_sum_ignores_order_and_counts_a_repeated_line() {
        let sum = |lines: &[&str]| {
            let mut sum = LineSum::default();
            for line in lines {
                sum.add(line.as_bytes());
            }
            sum.hex()
        };
        assert_eq!(sum(&["a", "b", "c"]), sum(&["c", "a", "b"]));
        assert_ne!(sum(&["a", "b"]), sum(&["a", "b", "b"]));
        assert_ne!(sum(&["a", "a"]), sum(&[]));
        assert_ne!(sum(&["ab"]), sum(&["a", "b"]));
        assert_eq!(sum(&[]).len(), 64);
    }
}
