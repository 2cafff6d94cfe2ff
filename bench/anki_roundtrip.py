#!/usr/bin/env python3
"""Imports a package written by `jargon export deck --format apkg` into a fresh Anki collection
with Anki's own engine (the `anki` package, headless) and checks that what Anki holds is what
the jargon collection holds: notes and their fields, cards with their type, interval, ease and
lapses, suspended cards, and the review log.

Usage: anki_roundtrip.py JARGON_COLLECTION PACKAGE.apkg
Run through bench/anki_roundtrip.sh, which builds jargon, makes the package and a venv.
"""

import html
import os
import re
import sqlite3
import sys
import tempfile
import time

from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

def html_to_text_line(html_text):
    """Anki's field HTML as one line of text (our export escapes &, <, > and turns line
    breaks into <br>)."""
    return " ".join(html.unescape(re.sub(r"<br\s*/?>", " ", html_text)).split())


CARDS = """select n.key, d.name, c.direction, c.phase, c.interval_days, c.ease_permille,
                  c.lapses, c.suspended, c.due_day
           from cards c join notes n on n.id = c.note_id join decks d on d.id = n.deck_id"""


def main():
    jargon_db, package = sys.argv[1], sys.argv[2]
    src = sqlite3.connect(jargon_db)
    expected_notes = src.execute("select count(*) from notes").fetchone()[0]
    expected_cards = {
        # (key, deck, ord) -> (phase, interval, ease, lapses, suspended)
        (key, deck, 0 if direction == "forward" else 1): (phase, ivl, ease, lapses, suspended)
        for key, deck, direction, phase, ivl, ease, lapses, suspended, _ in src.execute(CARDS)
    }
    due_days = {(key, deck, 0 if direction == "forward" else 1): due_day
                for key, deck, direction, *_, due_day in src.execute(CARDS)}
    # jargon's study day now (the script runs with TZ=UTC and the default rollover, 4 am).
    jargon_today = (int(time.time()) - 4 * 3600) // 86400
    expected_reviews = src.execute("select count(*) from reviews").fetchone()[0]
    reviews_per_card = dict(src.execute(
        """select n.key || '/' || d.name || '/' || c.direction, count(*) from reviews r
           join cards c on c.id = r.card_id join notes n on n.id = c.note_id
           join decks d on d.id = n.deck_id group by 1"""))
    terms = dict(src.execute("select key || '/' || (select name from decks where id = deck_id), term from notes"))

    with tempfile.TemporaryDirectory() as tmp:
        col = Collection(os.path.join(tmp, "fresh.anki2"))
        request = ImportAnkiPackageRequest(
            package_path=os.path.abspath(package),
            options=ImportAnkiPackageOptions(with_scheduling=True, with_deck_configs=False,
                                             merge_notetypes=False))
        result = col.import_anki_package(request)
        log = result.log
        print(f"Anki imported: {len(log.new)} new notes, {len(log.updated)} updated, "
              f"{len(log.duplicate)} duplicates, {len(log.conflicting)} conflicting")

        failures = []

        def check(what, got, want):
            if got != want:
                failures.append(f"{what}: Anki has {got!r}, jargon has {want!r}")

        check("notes", col.note_count(), expected_notes)
        check("cards", col.card_count(), len(expected_cards))
        check("review log rows", col.db.scalar("select count() from revlog"), expected_reviews)

        type_of_phase = {"new": 0, "learning": 1, "review": 2, "relearning": 3}
        checked = mismatched = 0
        rows = col.db.all(
            """select c.id, n.flds, c.ord, c.type, c.queue, c.ivl, c.factor, c.lapses, c.did, c.due
               from cards c join notes n on n.id = c.nid""")
        revlog_counts = dict(col.db.all("select cid, count() from revlog group by cid"))
        anki_today = col.sched.today
        due_checked = 0
        for cid, flds, ord_, ctype, queue, ivl, factor, lapses, did, due in rows:
            fields = flds.split("\x1f")
            key = fields[6]
            deck = col.decks.name(did)
            want = expected_cards.get((key, deck, ord_))
            if want is None:
                failures.append(f"card {key} in {deck} (ord {ord_}) is not in jargon")
                continue
            phase, want_ivl, want_ease, want_lapses, suspended = want
            got = (ctype, ivl if ctype else 0, factor if ctype else 0, lapses, queue == -1)
            expect = (type_of_phase[phase], want_ivl if phase != "new" else 0,
                      want_ease if phase != "new" else 0, want_lapses, bool(suspended))
            direction = "forward" if ord_ == 0 else "reverse"
            if got != expect or revlog_counts.get(cid, 0) != reviews_per_card.get(f"{key}/{deck}/{direction}", 0):
                mismatched += 1
                if mismatched <= 5:
                    failures.append(f"card {key}/{deck}/{direction}: Anki (type, ivl, factor, lapses, suspended) "
                                    f"{got} and {revlog_counts.get(cid, 0)} reviews; jargon {expect} and "
                                    f"{reviews_per_card.get(f'{key}/{deck}/{direction}', 0)}")
            checked += 1
            if ctype == 2:
                # Days until due, as each program counts from its own today.
                due_checked += 1
                if due - anki_today != due_days[(key, deck, ord_)] - jargon_today:
                    failures.append(f"card {key}/{deck}/{direction}: due in {due - anki_today} days in Anki, "
                                    f"{due_days[(key, deck, ord_)] - jargon_today} in jargon")
            if ord_ == 0 and terms.get(f"{key}/{deck}") is not None:
                term = html_to_text_line(fields[0])
                if term != " ".join(terms[f"{key}/{deck}"].split()):
                    failures.append(f"note {key}: Anki's term {term!r} != {terms[f'{key}/{deck}']!r}")
        print(f"checked {checked} cards field by field and the due day of {due_checked} review cards")
        col.close()
        if failures:
            print(f"{len(failures)} problem(s):")
            for f in failures[:20]:
                print("  " + f)
            sys.exit(1)
        print(f"ok: {expected_notes} notes, {len(expected_cards)} cards and {expected_reviews} "
              f"review log rows arrived in Anki as jargon has them")


if __name__ == "__main__":
    main()
