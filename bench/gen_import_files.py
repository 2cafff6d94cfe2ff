#!/usr/bin/env python3
"""Writes the files bench/import_memory.sh imports: N notes as TOML, CSV, TSV and JSON decks,
and a review log of N rows (N/10 cards with 10 answers each, a day apart).

    python3 bench/gen_import_files.py OUT_DIR [N] [DEFINITION_LENGTH]

By default the notes are short on purpose (a 12-character term and a 2- or 3-character
definition, as in the issue's 39 MB deck of 1,000,000 notes): the smaller a note's text, the
larger what the import keeps per note (its key, its rows and index entries in SQLite) is
beside it, so short notes are the hard case for "peak memory under 10 times the file".
DEFINITION_LENGTH gives every definition that many characters instead (a typical note has a
sentence or two).
"""
import sys
from pathlib import Path


def main() -> None:
    out = Path(sys.argv[1])
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    length = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    filler = "a plain definition of the term with words in it. " * (length // 50 + 1)

    def definition(i: int) -> str:
        if length == 0:
            return f"d{i % 97}"
        return (f"{i} " + filler)[:length]

    out.mkdir(parents=True, exist_ok=True)
    terms = [f"term {i:07d}" for i in range(n)]

    with open(out / "notes.toml", "w", encoding="utf-8") as f:
        f.write('name = "Bench"\n')
        for i, term in enumerate(terms):
            f.write(f'[[note]]\nterm = "{term}"\ndefinition = "{definition(i)}"\n')

    for name, sep in (("notes.csv", ","), ("notes.tsv", "\t")):
        with open(out / name, "w", encoding="utf-8") as f:
            for i, term in enumerate(terms):
                f.write(f"{term}{sep}{definition(i)}\n")

    with open(out / "notes.json", "w", encoding="utf-8") as f:
        f.write("[\n")
        for i, term in enumerate(terms):
            comma = "," if i + 1 < n else ""
            f.write(f'{{"term": "{term}", "definition": "{definition(i)}"}}{comma}\n')
        f.write("]\n")

    cards = max(1, n // 10)
    start = 1_700_000_000_000  # 2023-11-14, unix milliseconds
    with open(out / "revlog.csv", "w", encoding="utf-8") as f:
        f.write("card_id,review_rating,review_time,review_duration\n")
        for row in range(n):
            card = row % cards
            answer = row // cards
            ms = start + answer * 86_400_000 + card * 100
            f.write(f"{1_600_000_000_000 + card},{3 if (card + answer) % 7 else 1},{ms},{4000 + card % 3000}\n")


if __name__ == "__main__":
    main()
