#!/usr/bin/env python3
"""Checks `jargon export deck --format csv|tsv` against Anki's real engine (the `anki` package,
headless).

  anki_csv_roundtrip.py input DECK.json
      writes a deck of tricky notes for jargon to import: commas, double quotes, line breaks,
      tabs, semicolons, pipes, `<`, `&`, `>`, a leading `#`, padding spaces, non-ASCII text,
      several tags (one with a space, one hierarchical), guids, a deck name with punctuation.

  anki_csv_roundtrip.py check JARGON_COLLECTION FILE...
      imports each exported file into a fresh Anki collection with Anki's own `import_csv`,
      using only the metadata Anki derives from the file (`get_csv_metadata(path, None)`: its
      separator, html flag, column names, deck, tags and guid columns; the default note type,
      Basic, whose Front and Back Anki maps from the `#columns` names). Then compares every
      Anki note with the jargon collection: term (Front), definition (Back), tags, deck and,
      where jargon has one, guid. Exits 1 on any difference. Field text is compared exactly,
      after undoing the escaping Anki applies to a `#html:false` file and Anki's NFC
      normalisation of note text.

Run through bench/anki_csv_roundtrip.sh, which builds jargon, makes the files and a venv.
"""

import html
import json
import os
import sqlite3
import sys
import tempfile
import unicodedata
from collections import defaultdict

DECK = 'Tricky::Text, naïve; "quoted" | piped'

# (term, definition, tags, guid). jargon trims the ends of a term and a definition on import;
# the comparison is with what the collection holds.
TRICKY = [
    ("naïve Bayes",
     'A "simple" classifier: it assumes features are independent, given the class; works anyway.',
     ["stats::bayes", "naïve", "classic"], "nb-guid-1"),
    ("a < b & c > d",
     "Comparisons: x<y && y>z; &amp; stays text, <b>not bold</b>, <br> is not a break, &lt; either.",
     ["html", "edge-case"], None),
    ("#define",
     "Starts with a hash, which is Anki's comment mark at the start of a line.",
     ["c", "pre processor"], "guid,with;separators\tand \"quotes\""),
    ("  padded term  ",
     "   leading and trailing spaces   \n   the second line is indented\n\nthe fourth follows a blank line   ",
     ["whitespace"], None),
    ("tab\tinside",
     "col1\tcol2\tcol3; semicolons; and, commas, in one field",
     ["tsv", "csv"], None),
    ("multi-line",
     'line one\nline two, with a comma\n"line three" is quoted\n# line four starts with a hash',
     ["newline"], "ml-guid-4"),
    ('He said "hi"',
     '"starts and ends with quotes"',
     ["quotes"], None),
    ("Ünïcödé ✓ 日本語",
     "emoji 🧠, an em dash — and a non-breaking\u00a0space; ß, ﬁ, e\u0301 (combining)",
     ["unicode", "UPPER", "C++"], None),
    ("semi;colon|pipe",
     "a;b;c|d|e , f",
     ["separators"], None),
    ("back\\slash",
     "C:\\path\\to\\file and \\n is not a newline, nor is \\t a tab",
     ["escapes"], None),
    ("trailing comma,",
     "ends with a separator,",
     ["edge-case"], None),
    ("'single' quotes",
     "it's 'fine'; isn't it?",
     [], None),
]


def write_input(path):
    notes = []
    for term, definition, tags, guid in TRICKY:
        notes.append({"deck": DECK, "term": term, "definition": definition, "tags": tags,
                      "guid": guid, "aliases": ["alias; with semicolon"],
                      "example": "an example, with \"quotes\"", "source": "anki_csv_roundtrip"})
    with open(path, "w", encoding="utf-8") as f:
        json.dump(notes, f, ensure_ascii=False, indent=1)


def from_anki_field(value):
    """Anki stores a field of a `#html:false` file as HTML: `&`, `<`, `>` (and quotes) escaped,
    line breaks as `<br>`. This is the exact inverse."""
    return html.unescape(value.replace("<br>", "\n"))


def nfc(text):
    """Anki stores note text in Unicode NFC (a combining accent joins its letter)."""
    return unicodedata.normalize("NFC", text)


def expected_notes(jargon_db):
    src = sqlite3.connect(jargon_db)
    rows = src.execute(
        """select d.name, n.term, n.definition, n.tags, n.guid
           from notes n join decks d on d.id = n.deck_id""").fetchall()
    notes = []
    for deck, term, definition, tags, guid in rows:
        # Tags are separated by spaces in a text file: the export writes inner spaces as `_`.
        tags = sorted(nfc("_".join(t.split())) for t in json.loads(tags))
        notes.append({"deck": deck, "term": term, "definition": definition, "tags": tags,
                      "guid": guid, "anki": {"deck": nfc(deck), "term": nfc(term),
                                             "definition": nfc(definition), "tags": tags}})
    return notes


def check_tricky_input(notes, failures):
    """The tricky notes must be in the collection as written (ends trimmed), or the round trip
    would prove less than it claims."""
    by_term = {(n["deck"], n["term"]): n for n in notes}
    for term, definition, tags, guid in TRICKY:
        got = by_term.get((DECK, term.strip()))
        if got is None:
            failures.append(f"input: the note {term.strip()!r} is not in the jargon collection")
        elif got["definition"] != definition.strip() or got["guid"] != guid:
            failures.append(f"input: the note {term.strip()!r} is not in jargon as written: {got!r}")


def describe(metadata, basic_id):
    from anki.import_export_pb2 import CsvMetadata
    labels = list(metadata.column_labels)

    def label(column):
        return f"{column} ({labels[column - 1]!r})" if 0 < column <= len(labels) else str(column)

    which = metadata.WhichOneof("notetype")
    if which == "global_notetype":
        notetype = "Basic" if metadata.global_notetype.id == basic_id else f"id {metadata.global_notetype.id}"
        fields = metadata.global_notetype.field_columns
        mapping = ", ".join(f"{name} <- {label(c) if c else 'nothing'}"
                            for name, c in zip(["Front", "Back"], fields))
    else:
        notetype, mapping = f"from column {metadata.notetype_column}", ""
    deck = metadata.WhichOneof("deck")
    deck_text = {"deck_column": f"deck column {label(metadata.deck_column)}",
                 "deck_id": f"deck id {metadata.deck_id}",
                 "deck_name": f"deck {metadata.deck_name!r}"}.get(deck, "no deck")
    return (f"separator {CsvMetadata.Delimiter.Name(metadata.delimiter)}, html {metadata.is_html}, "
            f"{len(labels)} columns; note type {notetype}: {mapping}; {deck_text}, "
            f"tags column {label(metadata.tags_column)}, guid column {label(metadata.guid_column)}")


def import_and_compare(path, expected):
    """Returns (summary line, failures) for one exported file."""
    from anki.collection import Collection, ImportCsvRequest

    failures = []
    name = os.path.basename(path)
    with tempfile.TemporaryDirectory() as tmp:
        col = Collection(os.path.join(tmp, "fresh.anki2"))
        try:
            basic_id = col.models.by_name("Basic")["id"]
            metadata = col.get_csv_metadata(path=os.path.abspath(path), delimiter=None)
            print(f"{name}: Anki read {describe(metadata, basic_id)}")
            if metadata.WhichOneof("notetype") != "global_notetype" or metadata.global_notetype.id != basic_id:
                failures.append(f"{name}: Anki did not choose the Basic note type")
            if metadata.WhichOneof("deck") != "deck_column":
                failures.append(f"{name}: Anki found no deck column")
            if metadata.tags_column == 0 or metadata.guid_column == 0:
                failures.append(f"{name}: Anki found no tags or no guid column")
            result = col.import_csv(ImportCsvRequest(path=os.path.abspath(path), metadata=metadata))
            log = result.log
            print(f"{name}: Anki imported {len(log.new)} new notes, {len(log.updated)} updated, "
                  f"{len(log.duplicate)} duplicate, {len(log.conflicting)} conflicting, "
                  f"{len(log.first_field_match)} first-field matches, "
                  f"{len(log.empty_first_field)} with an empty first field, "
                  f"{len(log.missing_deck)} without a deck, {len(log.missing_notetype)} without a note type")

            remaining = defaultdict(list)
            for note in expected:
                remaining[(note["anki"]["deck"], note["anki"]["term"])].append(note)
            unmatched = []
            compared = with_guid = 0
            for nid in col.find_notes(""):
                note = col.get_note(nid)
                cards = note.cards()
                deck = col.decks.name(cards[0].did) if cards else "(no card)"
                front = from_anki_field(note.fields[0])
                back = from_anki_field(note.fields[1]) if len(note.fields) > 1 else ""
                candidates = remaining.get((deck, front))
                if not candidates:
                    unmatched.append(f"{deck!r} / {front!r} (Back {back[:60]!r})")
                    continue
                want = candidates.pop(0)
                compared += 1
                got = {"deck": deck, "term": front, "definition": back, "tags": sorted(note.tags)}
                for field in ("definition", "tags"):
                    if got[field] != want["anki"][field]:
                        failures.append(f"{name}: {deck} / {front!r}: {field} is {got[field]!r} in Anki, "
                                        f"{want[field]!r} in jargon")
                if want["guid"] is not None:
                    with_guid += 1
                    if note.guid != want["guid"]:
                        failures.append(f"{name}: {deck} / {front!r}: guid is {note.guid!r} in Anki, "
                                        f"{want['guid']!r} in jargon")
            for text in unmatched:
                failures.append(f"{name}: Anki has a note jargon does not (deck / term): {text}")
            for notes in remaining.values():
                for want in notes:
                    failures.append(f"{name}: jargon's note {want['deck']} / {want['term']!r} is not in Anki")
            if col.note_count() != len(expected):
                failures.append(f"{name}: Anki holds {col.note_count()} notes, jargon {len(expected)}")
            decks = len({n["deck"] for n in expected})
            summary = (f"{name}: compared {compared} of {len(expected)} notes in {decks} decks "
                       f"(term = Front, definition = Back, tags, deck; guid for {with_guid})")
        finally:
            col.close()
    return summary, failures


def check(jargon_db, files):
    import anki.buildinfo
    expected = expected_notes(jargon_db)
    failures = []
    check_tricky_input(expected, failures)
    summaries = []
    for path in files:
        summary, file_failures = import_and_compare(path, expected)
        summaries.append(summary)
        failures.extend(file_failures)
    print()
    for summary in summaries:
        print(summary)
    if failures:
        print(f"FAILED: {len(failures)} difference(s) between Anki {anki.buildinfo.version} and jargon:")
        for f in failures[:30]:
            print("  " + f)
        if len(failures) > 30:
            print(f"  ... and {len(failures) - 30} more")
        sys.exit(1)
    print(f"ok: every file imported into Anki {anki.buildinfo.version} with the same term, definition, "
          f"tags, deck and guid as jargon's {len(expected)} notes "
          f"(including {len(TRICKY)} tricky ones)")


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "input":
        write_input(sys.argv[2])
    elif len(sys.argv) >= 4 and sys.argv[1] == "check":
        check(sys.argv[2], sys.argv[3:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
