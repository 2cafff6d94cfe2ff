#!/usr/bin/env python3
"""Builds an FSRS collection with Anki's own engine (the `anki` package, FSRS switched on with
its default parameters, ANKI_TEST_MODE=1 so nothing is fuzzed), answers its cards over
simulated days, and exports it as a package with scheduling: tests/fixtures/anki-fsrs.apkg,
with what Anki made of each card in tests/fixtures/anki-fsrs.expected.json.

"Today" advances by moving the collection's creation time back one day at a time (Anki counts
days from it), as bench/anki_reference.py does, and with it every review log id, every card's
last review time (`lrt` in its `data`, which FSRS counts elapsed days from) and intraday due;
some days a card is skipped, so reviews come late. The buttons come from a seeded random choice.

The expected file holds, per note guid: the term, and the forward card as Anki keeps it (type,
ivl, factor: the card's ease, lapses, its memory state `s` and `d` from the card's `data`, the
raw `data` text) and the `factor` of each of its review log rows (in an FSRS collection the
row's difficulty, ((d - 1) / 9 + 0.1) x 1000, not an ease).

Usage: anki_fsrs_package.py FIXTURES_DIR   (run through bench/anki_fsrs_package.sh)
"""

import json
import os
import random
import sys
import tempfile
import time

os.environ["ANKI_TEST_MODE"] = "1"

from anki.collection import Collection, DeckIdLimit, ExportAnkiPackageOptions  # noqa: E402

CARDS = 16
DAYS = 40
SEED = 7


def main():
    out_dir = sys.argv[1]
    rng = random.Random(SEED)
    folder = tempfile.mkdtemp()
    path = os.path.join(folder, "collection.anki2")
    col = Collection(path)
    prefs = col.get_preferences()
    # Keep the (real) rollover far from the wall clock's hour, so no step crosses it.
    prefs.scheduling.rollover = (time.localtime().tm_hour + 12) % 24
    col.set_preferences(prefs)
    col.set_config("fsrs", True)
    deck_id = col.decks.id("Anki::FSRS")
    model = col.models.by_name("Basic")
    card_ids = []
    for i in range(CARDS):
        note = col.new_note(model)
        note["Front"] = f"fsrs term {i}"
        note["Back"] = f"fsrs definition {i}"
        col.add_note(note, deck_id)
        card_ids.append(note.card_ids()[0])

    start_day = col.sched.today
    for day_index in range(DAYS):
        while col.sched.today < start_day + day_index:
            # A day passes: the creation time, every logged answer, every card's last review
            # time and intraday due move one day back, so FSRS sees the days elapse.
            col.db.execute("update col set crt = crt - 86400")
            col.db.execute("update revlog set id = id - 86400000")
            col.db.execute("update cards set due = due - 86400 where queue = 1")
            col.db.execute(
                "update cards set data = json_set(data, '$.lrt', json_extract(data, '$.lrt') - 86400)"
                " where json_extract(data, '$.lrt') is not null"
            )
            col.close()
            col = Collection(path)
        day = col.sched.today
        for index, cid in enumerate(card_ids[: min(CARDS, 4 * (day_index + 1))]):
            card = col.get_card(cid)
            if card.type != 0 and rng.random() < 0.25:
                continue  # not studied today: reviews come late
            if card.type == 2 and card.due > day:
                continue
            for _ in range(4):
                card = col.get_card(cid)
                card.start_timer()
                button = rng.choices([1, 2, 3, 4], weights=[15, 15, 55, 15])[0]
                col.sched.answerCard(card, button)
                card.load()
                if card.type not in (1, 3):
                    break

    expected = {"notes": {}}
    for cid in card_ids:
        card = col.get_card(cid)
        note = card.note()
        memory = card.memory_state
        factors = col.db.list("select factor from revlog where cid = ? order by id", cid)
        expected["notes"][note.guid] = {
            "term": note["Front"],
            "forward": {
                "type": int(card.type),
                "ivl": card.ivl,
                "factor": card.factor,
                "lapses": card.lapses,
                "s": memory.stability if memory else None,
                "d": memory.difficulty if memory else None,
                "data": col.db.scalar("select data from cards where id = ?", cid),
                "revlog_factors": factors,
            },
        }
    package = os.path.join(out_dir, "anki-fsrs.apkg")
    options = ExportAnkiPackageOptions(
        with_scheduling=True, with_deck_configs=True, with_media=False, legacy=False
    )
    col.export_anki_package(out_path=package, options=options, limit=DeckIdLimit(deck_id))
    col.close()
    with open(os.path.join(out_dir, "anki-fsrs.expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
        f.write("\n")
    rows = sum(len(n["forward"]["revlog_factors"]) for n in expected["notes"].values())
    print(f"{CARDS} cards, {rows} answers over {DAYS} days: {package}")


if __name__ == "__main__":
    main()
