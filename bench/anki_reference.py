#!/usr/bin/env python3
"""Answers a hundred cards over three months of simulated days with Anki's own engine (the
`anki` package, v3 scheduler, default deck options, ANKI_TEST_MODE=1 so nothing is fuzzed)
and writes every answer and what Anki made of it to tests/fixtures/anki_v3_reference.csv.

"Today" advances by moving the collection's creation time back one day at a time (Anki counts
days from it); the wall clock does not move, so learning steps are answered whenever the
script chooses, as a learner answering ahead within the learn-ahead limit would be. Some days
are skipped for some cards, so reviews come late; a few review cards are answered before
they are due (early). The buttons come from a seeded random choice.

Each row: card (0-99), day (Anki's day number), secs (simulated seconds since the card's
previous answer: day difference x 86400 plus the time of day), button (1-4), then Anki's card
after the answer: type (0 new, 1 learning, 2 review, 3 relearning), queue, ivl (card
interval in days), revlog_ivl (the answer's log row: days, or minus the learning step's
seconds), factor (ease in thousandths; 0 while learning), lapses, leech (1 when this answer
made the card a leech; the threshold is lowered to 4 lapses so that it happens).

Usage: anki_reference.py OUT.csv   (run through bench/anki_reference.sh)
"""

import os
import random
import sys
import tempfile

os.environ["ANKI_TEST_MODE"] = "1"

from anki.collection import Collection  # noqa: E402

CARDS = 100
DAYS = 92
SEED = 17
NEW_PER_DAY = 10
# Lower than the default 8, so that leeches (at 4 lapses, then every 2 more) happen.
LEECH_LAPSES = 4


def main():
    out = sys.argv[1]
    rng = random.Random(SEED)
    folder = tempfile.mkdtemp()
    path = os.path.join(folder, "collection.anki2")
    col = Collection(path)
    # Keep the (real) rollover far from the wall clock's hour, so no learning step crosses it.
    prefs = col.get_preferences()
    import time

    hour = (time.localtime().tm_hour + 12) % 24
    prefs.scheduling.rollover = hour
    col.set_preferences(prefs)
    conf = col.decks.config_dict_for_deck_id(1)
    conf["lapse"]["leechAction"] = 1  # tag only: leeches stay in the queue
    conf["lapse"]["leechFails"] = LEECH_LAPSES
    col.decks.save(conf)

    model = col.models.by_name("Basic")
    card_ids = []
    for i in range(CARDS):
        note = col.new_note(model)
        note["Front"] = f"front {i}"
        note["Back"] = f"back {i}"
        col.add_note(note, 1)
        card_ids.append(note.card_ids()[0])

    # Each card's simulated time of its previous answer: (day, seconds into the day).
    last = {}
    rows = []
    start_day = col.sched.today

    def answer(index, day, clock, button):
        cid = card_ids[index]
        card = col.get_card(cid)
        card.start_timer()
        col.sched.answerCard(card, button)
        card.load()
        note = card.note()
        leech = int(note.has_tag("leech"))
        if leech:
            # Untag it, so that the next time Anki marks it a leech shows too.
            note.remove_tag("leech")
            col.update_note(note)
        revlog_ivl = col.db.scalar(
            "select ivl from revlog where cid = ? order by id desc limit 1", cid
        )
        previous = last.get(index)
        secs = 0 if previous is None else (day - previous[0]) * 86400 + clock - previous[1]
        last[index] = (day, clock)
        rows.append(
            (index, day - start_day, secs, button, int(card.type), int(card.queue), card.ivl,
             revlog_ivl, card.factor, card.lapses, leech)
        )
        return card

    def button():
        return rng.choices([1, 2, 3, 4], weights=[18, 14, 53, 15])[0]

    for day_index in range(DAYS):
        for _ in range(3):
            if col.sched.today >= start_day + day_index:
                break
            col.db.execute("update col set crt = crt - 86400")
            # Reopening drops Anki's cached idea of today.
            col.close()
            col = Collection(path)
        day = col.sched.today
        assert day == start_day + day_index, (day, start_day, day_index)
        clock = 9 * 3600
        introduced = min(CARDS, NEW_PER_DAY * (day_index + 1))
        for index in range(introduced):
            card = col.get_card(card_ids[index])
            if rng.random() < 0.25 and card.type != 0:
                continue  # not studied today: learning waits, reviews come late
            if card.type == 2:
                due_in = card.due - day
                if due_in > 0 and not (due_in <= 3 and rng.random() < 0.05):
                    continue  # not due, and not answered early
            # Answer the card, then its learning or relearning steps, up to six times today.
            for _ in range(6):
                clock += rng.randint(5, 900)
                card = answer(index, day, clock, button())
                if card.type not in (1, 3):
                    break
    col.close()

    with open(out, "w") as f:
        f.write("card,day,secs,button,type,queue,ivl,revlog_ivl,factor,lapses,leech\n")
        for row in rows:
            f.write(",".join(str(v) for v in row) + "\n")
    print(f"{len(rows)} answers of {CARDS} cards over {DAYS} days written to {out}")


if __name__ == "__main__":
    main()
