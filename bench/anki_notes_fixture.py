#!/usr/bin/env python3
"""Builds a learner's collection of rich notes with Anki's own engine (the `anki` package, v3
scheduler with SM-2, not FSRS; ANKI_TEST_MODE=1 so nothing is fuzzed) and writes:

  tests/fixtures/anki-rich.apkg           the whole collection as a deck package, with
                                          scheduling and media (Anki's current format)
  tests/fixtures/anki-rich.colpkg         the whole collection package (media included), the
                                          learner's own collection to import an export back into
  tests/fixtures/anki-rich.expected.json  what Anki holds: note types, per note, per card,
                                          media, revlog

The notes: Anki's stock types Basic (5), Basic (and reversed card) (4), Basic (optional
reversed card) (4, two with "Add Reverse" filled), Basic (type in the answer) (3), Cloze (5:
c1 only; c1-c3; a hint; two deletions numbered c1 and one c2; MathJax with an empty "Back
Extra"), and a custom 5-field type "Vocab Plus" (4, two sharing a Chapter), whose answer is
the typed third field. Fields carry HTML (bold, italic, code, sup/sub, a list, a table,
MathJax, entities), an image used by two notes, a sound; a third media file is referenced by
no note. Two decks, `Rich` and `Rich::Sub`; tags on most notes; fixed guids.

Answers: 120 simulated days. "Today" advances by moving the collection's creation time back
one day at a time, with every review log id and every intraday learning due, as
bench/anki_fsrs_package.py does. A few cards are introduced each day, buttons come from a
seeded random choice, some days a card is skipped. Three cards are never studied, one card is
suspended at the end, one is left in learning (answered Good once on the last day: its 10
minute step is due later that day) and one in relearning (a review card failed on the last
day).

Then the whole timeline is moved to fixed dates, so the files do not depend on when they were
made: the collection's day 0 starts 2026-07-01 04:00 UTC (rollover 4, the default), and the
moment of the last answers is 2026-10-28 15:00 UTC (`now` in the json; Anki's day 119).
Review log ids, note and card ids, modification times and intraday dues move by the same
number of seconds. Still not fixed from run to run: the ids' last few seconds (the real time
the script took) and the review log's answer durations.

Usage: anki_notes_fixture.py FIXTURES_DIR   (run through bench/anki_notes_fixture.sh)
"""

import calendar
import hashlib
import json
import os
import random
import shutil
import struct
import sys
import tempfile
import time
import zlib

os.environ["ANKI_TEST_MODE"] = "1"

import anki.buildinfo  # noqa: E402
from anki.collection import (  # noqa: E402
    Collection,
    ExportAnkiPackageOptions,
    ImportAnkiPackageOptions,
    ImportAnkiPackageRequest,
)

SEED = 18
DAYS = 120
NEW_PER_DAY = 3
FIXED_CRT = calendar.timegm((2026, 7, 1, 4, 0, 0))
FIXED_NOW = FIXED_CRT + (DAYS - 1) * 86400 + 11 * 3600
ROLLOVER = 4


def png(rgb):
    """A real 1x1 PNG of one colour."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" + bytes(rgb), 9)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels)
            + chunk(b"IEND", b""))


MEDIA = {
    "tiny.png": png((255, 0, 0)),
    # An MPEG-1 layer III frame header and a few zero bytes: not a playable sound, but a file.
    "beep.mp3": b"\xff\xfb\x90\x64" + bytes(12),
    "unused.png": png((0, 0, 255)),
}

VOCAB_CSS = """.card {
  font-family: Georgia, serif;
  font-size: 22px;
  text-align: center;
  color: #222;
}
.chapter { font-size: 14px; color: #777; }
"""

SUB = "Rich::Sub"
# (guid, note type, fields, tags, deck)
NOTES = [
    ("rich-basic-1", "Basic",
     ["<b>Gradient descent</b>",
      "Step <i>against</i> the gradient: θ ← θ − η∇<i>L</i>"], ["ml", "optim"], "Rich"),
    ("rich-basic-2", "Basic",
     ["Cost of binary search", "<code>O(log n)</code> comparisons"], ["cs"], "Rich"),
    ("rich-basic-3", "Basic",
     ["Euler's identity", "\\(e^{i\\pi} + 1 = 0\\)"], ["math", "mathjax"], "Rich"),
    ("rich-basic-4", "Basic",
     ["Water", "H<sub>2</sub>O; ice floats &amp; water at &lt; 4&nbsp;°C is densest"], [],
     "Rich"),
    ("rich-basic-5", "Basic",
     ["What does this show?<br><img src=\"tiny.png\">", "A single red pixel"],
     ["media", "image"], SUB),
    ("rich-rev-1", "Basic (and reversed card)", ["Hund", "dog"], ["german", "vocab"], SUB),
    ("rich-rev-2", "Basic (and reversed card)", ["Katze [sound:beep.mp3]", "cat"],
     ["german", "media"], SUB),
    ("rich-rev-3", "Basic (and reversed card)",
     ["E = mc<sup>2</sup>", "mass&ndash;energy equivalence"], ["physics"], "Rich"),
    ("rich-rev-4", "Basic (and reversed card)",
     ["Additive primary colours", "<ul><li>red</li><li>green</li><li>blue</li></ul>"],
     ["colour"], "Rich"),
    ("rich-opt-1", "Basic (optional reversed card)", ["Baum", "tree", "y"], ["german"], SUB),
    ("rich-opt-2", "Basic (optional reversed card)", ["Haus", "<i>house</i>", "y"],
     ["german"], SUB),
    ("rich-opt-3", "Basic (optional reversed card)", ["Auto", "car", ""], ["german"], SUB),
    ("rich-opt-4", "Basic (optional reversed card)", ["Buch", "book", ""], [], SUB),
    ("rich-typed-1", "Basic (type in the answer)", ["Capital of Italy", "Rome"],
     ["geography"], "Rich"),
    ("rich-typed-2", "Basic (type in the answer)", ["2<sup>10</sup> = ?", "1024"], ["math"],
     "Rich"),
    ("rich-typed-3", "Basic (type in the answer)", ["Chemical symbol of <b>gold</b>", "Au"],
     ["chemistry"], "Rich"),
    ("rich-cloze-1", "Cloze",
     ["The powerhouse of the cell is the {{c1::mitochondrion}}.", "<i>Biology 101</i>"],
     ["biology"], "Rich"),
    ("rich-cloze-2", "Cloze",
     ["{{c1::DNA}} is transcribed into {{c2::RNA}}, which is translated into "
      "{{c3::protein}}.", "<ul><li>transcription</li><li>translation</li></ul>"],
     ["biology", "dogma"], "Rich"),
    ("rich-cloze-3", "Cloze", ["The capital of France is {{c1::Paris::capital}}.", ""],
     ["geography"], "Rich"),
    ("rich-cloze-4", "Cloze",
     ["{{c1::Oxygen}} and {{c1::hydrogen}} combine into {{c2::water}}.",
      "<table><tr><th>O</th><th>H</th></tr><tr><td>8</td><td>1</td></tr></table>"],
     ["chemistry"], SUB),
    ("rich-cloze-5", "Cloze", ["Area of a square of side x: \\(x^{{c1::2}}\\)", ""],
     ["math", "mathjax"], "Rich"),
    ("rich-vocab-1", "Vocab Plus",
     ["Chapter 1", "to run", "laufen", "<i>irregular</i>: er läuft", ""], ["german", "verbs"],
     SUB),
    ("rich-vocab-2", "Vocab Plus",
     ["Chapter 1", "to eat", "essen", "er isst",
      "<table><tr><td>ich esse</td><td>wir essen</td></tr>"
      "<tr><td>du isst</td><td>ihr esst</td></tr></table>"], ["german", "verbs"], SUB),
    ("rich-vocab-3", "Vocab Plus",
     ["Chapter 2", "the house", "das Haus", "<img src=\"tiny.png\">", "plural: H&auml;user"],
     ["german", "nouns"], SUB),
    ("rich-vocab-4", "Vocab Plus",
     ["Chapter 3", "to be", "sein", "ich <b>bin</b>, du <b>bist</b>",
      "&quot;Sein oder Nichtsein&quot;"], ["german"], SUB),
]

# Cards (as "guid/ord") given special treatment.
NEVER_STUDIED = {"rich-basic-4/0", "rich-opt-2/1", "rich-vocab-4/0"}
LEFT_IN_LEARNING = "rich-typed-2/0"
LEFT_IN_RELEARNING = "rich-basic-1/0"
SUSPENDED = "rich-rev-1/1"


def add_vocab_plus(col):
    models = col.models
    notetype = models.new("Vocab Plus")
    for name in ["Chapter", "Prompt", "Answer", "Notes", "Extra"]:
        models.add_field(notetype, models.new_field(name))
    template = models.new_template("Card 1")
    template["qfmt"] = "{{Chapter}}<br>{{Prompt}}"
    template["afmt"] = "{{FrontSide}}<hr id=answer>{{type:Answer}}<br>{{Notes}}"
    models.add_template(notetype, template)
    notetype["css"] = VOCAB_CSS
    models.add(notetype)


def build(col):
    """Adds the note type, decks, media and notes; returns {"guid/ord": card id}."""
    add_vocab_plus(col)
    for name, data in MEDIA.items():
        assert col.media.write_data(name, data) == name
    decks = {name: col.decks.id(name) for name in ["Rich", SUB]}
    cards = {}
    for guid, notetype, fields, tags, deck in NOTES:
        note = col.new_note(col.models.by_name(notetype))
        note.guid = guid
        assert len(fields) == len(note.fields), (guid, note.keys())
        note.fields = list(fields)
        note.tags = list(tags)
        col.add_note(note, decks[deck])
        for card in note.cards():
            cards[f"{guid}/{card.ord}"] = card.id
    return cards


def next_day(col, path):
    """A day passes: the creation time, every logged answer and every intraday due move one
    day back, so that Anki's today is one more and the log keeps its distance from it."""
    col.db.execute("update col set crt = crt - 86400")
    col.db.execute("update revlog set id = id - 86400000")
    col.db.execute("update cards set due = due - 86400 where queue = 1")
    col.close()
    return Collection(path)


def simulate(col, path, cards, rng):
    """Answers the cards over DAYS days; returns the reopened collection."""
    order = [key for key in cards if key not in NEVER_STUDIED and key != LEFT_IN_LEARNING]
    start_day = col.sched.today

    def button():
        return rng.choices([1, 2, 3, 4], weights=[15, 15, 55, 15])[0]

    for day_index in range(DAYS):
        for _ in range(3):
            if col.sched.today >= start_day + day_index:
                break
            col = next_day(col, path)
        day = col.sched.today
        assert day == start_day + day_index, (day, start_day, day_index)
        last = day_index == DAYS - 1
        for key in order[: NEW_PER_DAY * (day_index + 1)]:
            card = col.get_card(cards[key])
            if last and key == LEFT_IN_RELEARNING:
                assert card.type == 2, card.type
                card.start_timer()
                col.sched.answerCard(card, 1)
                continue
            if not last and card.type != 0 and rng.random() < 0.25:
                continue  # not studied today: learning waits, reviews come late
            if card.type == 2 and card.due > day:
                continue
            for step in range(8):
                card = col.get_card(cards[key])
                card.start_timer()
                # From the day before the last, steps are passed, so that no other card is
                # left in learning.
                late = day_index >= DAYS - 2 and step > 0
                col.sched.answerCard(card, 3 if late else button())
                card.load()
                if card.type not in (1, 3):
                    break
        if last:
            card = col.get_card(cards[LEFT_IN_LEARNING])
            card.start_timer()
            col.sched.answerCard(card, 3)
    col.sched.suspend_cards([cards[SUSPENDED]])
    return col


def fix_timeline(col, path):
    """Moves every time in the collection so that day 0 starts at FIXED_CRT and the moment of
    the last answers is FIXED_NOW."""
    offset = FIXED_NOW - int(time.time())
    prefs = col.get_preferences()
    prefs.scheduling.rollover = ROLLOVER
    col.set_preferences(prefs)
    col.db.execute("update col set crt = ?", FIXED_CRT)
    col.db.execute("update revlog set id = id + ?", offset * 1000)
    col.db.execute("update cards set due = due + ? where queue = 1", offset)
    col.db.execute("update cards set id = id + ?, nid = nid + ?, mod = mod + ?",
                   offset * 1000, offset * 1000, offset)
    col.db.execute("update revlog set cid = cid + ?", offset * 1000)
    col.db.execute("update notes set id = id + ?, mod = mod + ?", offset * 1000, offset)
    col.close()
    return Collection(path)


def notetypes_of(col):
    """The note types the notes use, by name (their ids come from the clock, so are left out):
    kind (0 standard, 1 cloze), field names, templates (name, front, back) and CSS."""
    used = set(col.db.list("select distinct mid from notes"))
    return {m["name"]: {"kind": m["type"], "fields": [f["name"] for f in m["flds"]],
                        "templates": [[t["name"], t["qfmt"], t["afmt"]] for t in m["tmpls"]],
                        "css": m["css"]}
            for m in col.models.all() if m["id"] in used}


def expected_of(col):
    notetypes = {m["id"]: m["name"] for m in col.models.all()}
    notes = []
    for nid in col.db.list("select id from notes order by id"):
        note = col.get_note(nid)
        first = note.cards()[0]
        notes.append({"guid": note.guid, "notetype": notetypes[note.mid],
                      "fields": list(note.fields), "tags": list(note.tags),
                      "deck": col.decks.name(first.did)})
    guids = dict(col.db.all("select id, guid from notes"))
    revlog = dict(col.db.all("select cid, count() from revlog group by cid"))
    cards = []
    for row in col.db.all(
            "select id, nid, ord, did, type, queue, due, ivl, factor, reps, lapses, left"
            " from cards order by nid, ord"):
        cid, nid, ord_, did, ctype, queue, due, ivl, factor, reps, lapses, left = row
        cards.append({"note": guids[nid], "ord": ord_, "deck": col.decks.name(did),
                      "type": ctype, "queue": queue, "due": due, "ivl": ivl,
                      "factor": factor, "reps": reps, "lapses": lapses, "left": left,
                      "revlog": revlog.get(cid, 0)})
    media = {}
    for name in sorted(os.listdir(col.media.dir())):
        with open(os.path.join(col.media.dir(), name), "rb") as f:
            media[name] = hashlib.sha1(f.read()).hexdigest()
    return {
        "anki_version": anki.buildinfo.version,
        "scheduler": "v3, SM-2 (FSRS off), default deck options, no fuzz",
        "crt": FIXED_CRT,
        "now": FIXED_NOW,
        "today": (FIXED_NOW - FIXED_CRT) // 86400,
        "rollover_hour": ROLLOVER,
        "timezone": "UTC",
        "notetypes": notetypes_of(col),
        "notes": notes,
        "cards": cards,
        "media": media,
        "revlog_rows": col.db.scalar("select count() from revlog"),
    }


def check_apkg(apkg, expected):
    """Imports the deck package into an empty collection: everything must arrive; returns the
    media names it carried."""
    folder = tempfile.mkdtemp()
    try:
        col = Collection(os.path.join(folder, "check.anki2"))
        request = ImportAnkiPackageRequest(
            package_path=apkg, options=ImportAnkiPackageOptions(with_scheduling=True))
        log = col.import_anki_package(request).log
        assert len(log.new) == len(expected["notes"]), len(log.new)
        assert col.card_count() == len(expected["cards"])
        assert col.db.scalar("select count() from revlog") == expected["revlog_rows"]
        names = sorted(os.listdir(col.media.dir()))
        col.close()
        return names
    finally:
        shutil.rmtree(folder)


def main():
    out_dir = sys.argv[1]
    rng = random.Random(SEED)
    folder = tempfile.mkdtemp()
    path = os.path.join(folder, "collection.anki2")
    col = Collection(path)
    prefs = col.get_preferences()
    # While answering, the (real) rollover is kept far from the wall clock's hour, so that no
    # learning step crosses it; fix_timeline sets it to 4 afterwards.
    prefs.scheduling.rollover = (time.localtime().tm_hour + 12) % 24
    col.set_preferences(prefs)
    assert col.v3_scheduler() and not col.get_config("fsrs", False)
    cards = build(col)
    col = simulate(col, path, cards, rng)
    col = fix_timeline(col, path)
    expected = expected_of(col)

    apkg = os.path.join(out_dir, "anki-rich.apkg")
    options = ExportAnkiPackageOptions(with_scheduling=True, with_deck_configs=True,
                                       with_media=True, legacy=False)
    col.export_anki_package(out_path=apkg, options=options, limit=None)
    colpkg = os.path.join(out_dir, "anki-rich.colpkg")
    col.export_collection_package(colpkg, include_media=True, legacy=False)
    col.close()
    expected["apkg_media"] = check_apkg(os.path.abspath(apkg), expected)
    with open(os.path.join(out_dir, "anki-rich.expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True, ensure_ascii=False)
        f.write("\n")
    shutil.rmtree(folder)
    kinds = {}
    for card in expected["cards"]:
        kinds[(card["type"], card["queue"])] = kinds.get((card["type"], card["queue"]), 0) + 1
    print(f"{len(expected['notes'])} notes, {len(expected['cards'])} cards "
          f"(type, queue: count {sorted(kinds.items())}), {expected['revlog_rows']} answers "
          f"over {DAYS} days; media {sorted(expected['media'])}, in the .apkg "
          f"{expected['apkg_media']}")


if __name__ == "__main__":
    main()
