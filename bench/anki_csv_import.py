#!/usr/bin/env python3
"""Times Anki's own CSV import (the `anki` package, headless) of one file into fresh
collections, alternating run by run with the whole `jargon import` process of the same file
into a fresh jargon collection, and prints the medians and ratios; with criterion's estimates
for jargon's in-process import, also the like-for-like ratio.

Anki: reads the file's header lines with get_csv_metadata, maps its first two columns to the
Basic note type's Front and Back (the tags column is declared in the file), imports into a new
deck. Only the import call is timed, not starting Python or creating the collection.
jargon: the collection (with its built-in decks) is created before the timing, as Anki's is.

Usage: anki_csv_import.py FILE.csv RUNS JARGON_BINARY [CRITERION_GROUP_DIR]
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

from anki.collection import Collection, ImportCsvRequest


def anki_import(path):
    with tempfile.TemporaryDirectory() as tmp:
        col = Collection(os.path.join(tmp, "bench.anki2"))
        metadata = col.get_csv_metadata(path=path, delimiter=None)
        basic = col.models.by_name("Basic")
        metadata.global_notetype.id = basic["id"]
        del metadata.global_notetype.field_columns[:]
        metadata.global_notetype.field_columns.extend([1, 2])
        metadata.deck_id = col.decks.id("Bench")
        started = time.perf_counter()
        result = col.import_csv(ImportCsvRequest(path=path, metadata=metadata))
        elapsed = time.perf_counter() - started
        notes = col.note_count()
        col.close()
    if notes == 0:
        sys.exit(f"Anki imported no notes: {result.log}")
    return elapsed, notes


def jargon_import(binary, path):
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "c.sqlite")
        subprocess.run([binary, "--db", db, "decks"], check=True, stdout=subprocess.DEVNULL)
        started = time.perf_counter()
        out = subprocess.run(
            [binary, "--db", db, "import", "--deck", "Bench", path],
            check=True,
            capture_output=True,
            text=True,
        )
        elapsed = time.perf_counter() - started
    if "100000 added" not in out.stdout:
        sys.exit(f"jargon did not import the file: {out.stdout}{out.stderr}")
    return elapsed


def criterion_median(group, name):
    path = os.path.join(group, name, "new", "estimates.json")
    with open(path) as f:
        return json.load(f)["median"]["point_estimate"] / 1e9


def main():
    path = os.path.abspath(sys.argv[1])
    runs = int(sys.argv[2])
    binary = sys.argv[3]
    group = sys.argv[4] if len(sys.argv) > 4 else None
    anki, jargon = [], []
    for run in range(runs):
        elapsed, notes = anki_import(path)
        anki.append(elapsed)
        jargon.append(jargon_import(binary, path))
        print(f"run {run + 1}: anki {anki[-1]:.3f} s ({notes} notes), jargon process {jargon[-1]:.3f} s")
    a, j = statistics.median(anki), statistics.median(jargon)
    print(f"anki import_csv median: {a:.3f} s")
    print(f"jargon import, whole process, median: {j:.3f} s")
    print(f"Anki / jargon (whole process): {a / j:.1f}x")
    if group:
        inproc = criterion_median(group, "jargon_import_csv")
        floor = criterion_median(group, "bare_rusqlite_insert")
        print(f"jargon import in process (criterion median): {inproc:.3f} s; floor {floor:.3f} s; import / floor {inproc / floor:.2f}x")
        print(f"Anki / jargon (in process, like for like): {a / inproc:.1f}x")


if __name__ == "__main__":
    main()
