#!/usr/bin/env python3
"""Builds a small collection with Anki's own engine (the `anki` package, ANKI_TEST_MODE=1) and
exports it as "Notes in Plain Text" (`export_note_csv`) with the guid, note type, deck and tags
columns, as Anki's File > Export does. Writes:

  tests/fixtures/anki-notes.txt            with HTML (`#html:true`): fields as Anki stores them
  tests/fixtures/anki-notes-plain.txt      without HTML (`#html:false`): fields as text
  tests/fixtures/anki-notes.expected.json  what Anki holds: per note its guid, note type,
                                           fields, tags, deck and card ordinals; the note
                                           types; and the fields Anki stores when it imports
                                           the plain file into a collection of its own

The notes: Basic (3), Basic (and reversed card) (2), Basic (optional reversed card) (2, one
with "Add Reverse" filled), Basic (type in the answer) (1), Cloze (3: c1; c1-c3; a hint and a
line break) and the custom type "Vocab Plus" (2), defined exactly as
bench/anki_notes_fixture.py defines it, so that tests/fixtures/anki-rich.apkg brings it into a
collection first (a text file names its note type; a custom one must already be there). Fields
carry HTML (bold, lists, entities), a tab, a line break, quotes and separators; two decks,
`Text` and `Text::Sub words`; tags on most notes; fixed guids.

The script checks that Anki reads both files back: each imported (with the metadata Anki
derives from the file, `get_csv_metadata`) into a fresh collection that has "Vocab Plus",
every note arrives under its type with its deck; the HTML file's fields are identical.

Usage: anki_text_fixture.py FIXTURES_DIR   (run through bench/anki_text_fixture.sh)
       anki_text_fixture.py check FILE...    (bench/anki_text_roundtrip.sh: each file, jargon's
                                              export of these notes, imported by Anki gives
                                              exactly the notes of anki-notes.expected.json)
"""

import json
import os
import shutil
import sys
import tempfile

os.environ["ANKI_TEST_MODE"] = "1"

import anki.buildinfo  # noqa: E402
from anki.collection import Collection, ImportCsvRequest  # noqa: E402
from anki.import_export_pb2 import ExportLimit  # noqa: E402

# As bench/anki_notes_fixture.py: the same note type, byte for byte.
VOCAB_CSS = """.card {
  font-family: Georgia, serif;
  font-size: 22px;
  text-align: center;
  color: #222;
}
.chapter { font-size: 14px; color: #777; }
"""

SUB = "Text::Sub words"
# (guid, note type, fields, tags, deck)
NOTES = [
    ("text-basic-1", "Basic",
     ["<b>Softmax</b>", "exp(x<sub>i</sub>) / &Sigma; exp(x<sub>j</sub>)"], ["ml"], "Text"),
    ("text-basic-2", "Basic",
     ["Tab\tinside", "a field with a \"quote\", a comma; a semicolon; it's"], [], "Text"),
    ("text-basic-3", "Basic",
     ["Comparison", "a &lt; b &amp;&amp; c &gt; d"], ["logic", "html"], SUB),
    ("text-rev-1", "Basic (and reversed card)", ["Apfel", "apple"], ["german"], SUB),
    ("text-rev-2", "Basic (and reversed card)",
     ["Primes below 10", "<ul><li>2</li><li>3</li><li>5</li><li>7</li></ul>"], ["math"],
     "Text"),
    ("text-opt-1", "Basic (optional reversed card)", ["Brot", "bread", "y"], ["german"], SUB),
    ("text-opt-2", "Basic (optional reversed card)", ["Milch", "milk", ""], ["german"], SUB),
    ("text-typed-1", "Basic (type in the answer)", ["Capital of Spain", "Madrid"],
     ["geography"], "Text"),
    ("text-cloze-1", "Cloze", ["The {{c1::heart}} pumps blood.", ""], ["biology"], "Text"),
    ("text-cloze-2", "Cloze",
     ["{{c1::Tokyo}} is in {{c2::Japan}}, {{c3::Lima}} in Peru.", "<i>capitals</i>"],
     ["geography"], "Text"),
    ("text-cloze-3", "Cloze",
     ["Line one<br>and {{c2::two::a number}}", "first\nsecond line"], [], SUB),
    ("text-vocab-1", "Vocab Plus",
     ["Chapter 4", "to read", "lesen", "er <b>liest</b>", ""], ["german", "verbs"], SUB),
    ("text-vocab-2", "Vocab Plus",
     ["Chapter 4", "the book", "das Buch", "", "plural: B&uuml;cher"], ["german", "nouns"],
     SUB),
]


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
    add_vocab_plus(col)
    decks = {name: col.decks.id(name) for name in ["Text", SUB]}
    for guid, notetype, fields, tags, deck in NOTES:
        note = col.new_note(col.models.by_name(notetype))
        note.guid = guid
        assert len(fields) == len(note.fields), (guid, note.keys())
        note.fields = list(fields)
        note.tags = list(tags)
        col.add_note(note, decks[deck])


def notes_of(col):
    """Every note by guid: note type, fields, tags, deck, card ordinals."""
    names = {m["id"]: m["name"] for m in col.models.all()}
    notes = {}
    for nid in col.db.list("select id from notes order by id"):
        note = col.get_note(nid)
        cards = note.cards()
        notes[note.guid] = {
            "notetype": names[note.mid], "fields": list(note.fields), "tags": list(note.tags),
            "deck": col.decks.name(cards[0].did), "cards": sorted(c.ord for c in cards)}
    return notes


def notetypes_of(col):
    used = set(col.db.list("select distinct mid from notes"))
    return {m["name"]: {"kind": m["type"], "fields": [f["name"] for f in m["flds"]],
                        "templates": [[t["name"], t["qfmt"], t["afmt"]] for t in m["tmpls"]],
                        "css": m["css"]}
            for m in col.models.all() if m["id"] in used}


def export(col, path, with_html):
    count = col.export_note_csv(out_path=path, limit=ExportLimit(whole_collection={}),
                                with_html=with_html, with_tags=True, with_deck=True,
                                with_notetype=True, with_guid=True)
    assert count == len(NOTES), count


def import_back(path):
    """Imports a text file into a fresh collection that has "Vocab Plus", as Anki's import
    screen does with the file's own metadata; returns its notes."""
    folder = tempfile.mkdtemp()
    try:
        col = Collection(os.path.join(folder, "back.anki2"))
        add_vocab_plus(col)
        metadata = col.get_csv_metadata(path=path, delimiter=None)
        col.import_csv(ImportCsvRequest(path=path, metadata=metadata))
        notes = notes_of(col)
        col.close()
        return notes
    finally:
        shutil.rmtree(folder)


def main():
    out_dir = os.path.abspath(sys.argv[1])
    folder = tempfile.mkdtemp()
    col = Collection(os.path.join(folder, "collection.anki2"))
    build(col)
    html = os.path.join(out_dir, "anki-notes.txt")
    plain = os.path.join(out_dir, "anki-notes-plain.txt")
    export(col, html, True)
    export(col, plain, False)
    notes = notes_of(col)
    expected = {
        "anki_version": anki.buildinfo.version,
        "notetypes": notetypes_of(col),
        "notes": notes,
    }
    col.close()
    shutil.rmtree(folder)

    back = import_back(html)
    assert back == notes, "Anki reads its own HTML export back to the same notes"
    plain_back = import_back(plain)
    assert sorted(plain_back) == sorted(notes)
    for guid, note in plain_back.items():
        assert (note["notetype"], note["deck"]) == (notes[guid]["notetype"], notes[guid]["deck"])
    expected["plain_import"] = {guid: note["fields"] for guid, note in plain_back.items()}
    with open(os.path.join(out_dir, "anki-notes.expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True, ensure_ascii=False)
        f.write("\n")
    cards = sum(len(n["cards"]) for n in notes.values())
    print(f"{len(notes)} notes, {cards} cards, note types {sorted(expected['notetypes'])}")


def check(paths):
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "..", "tests", "fixtures", "anki-notes.expected.json")) as f:
        expected = json.load(f)["notes"]
    for path in paths:
        back = import_back(os.path.abspath(path))
        assert sorted(back) == sorted(expected), (path, sorted(back))
        for guid, note in back.items():
            assert note == expected[guid], (path, guid, note, expected[guid])
        print(f"{path}: Anki reads {len(back)} notes, each identical (type, fields, tags, deck, "
              "cards)")


if __name__ == "__main__":
    if sys.argv[1] == "check":
        check(sys.argv[2:])
    else:
        main()
