#!/usr/bin/env python3
"""Times Anki's own CSV import (the `anki` package, headless) of one file into fresh
collections, alternating run by run with jargon's import of the same file into a fresh jargon
collection, timed two ways: in process around the import call (examples/import_once.rs, like
for like with Anki's timing) and as the whole `jargon import` process. Prints the medians and
two ratios for each: of the medians, and the median of each run's own ratio (each run's
figures are seconds apart, so that one is the least moved by the machine's drifting speed).
With criterion's estimates, also the import against the bare-insert floor.

Anki: reads the file's header lines with get_csv_metadata, maps its first two columns to the
Basic note type's Front and Back (the tags column is declared in the file), imports into a new
deck. Only the import call is timed, not starting Python or creating the collection.
jargon: the collection (with its built-in decks) is created before the timing, as Anki's is.

Usage: anki_csv_import.py FILE.csv RUNS JARGON_BINARY IMPORT_ONCE_BINARY [CRITERION_GROUP_DIR]
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


def jargon_in_process(example, path):
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(
            [example, path, os.path.join(tmp, "c.sqlite")],
            check=True,
            capture_output=True,
            text=True,
        )
    seconds, _, report = out.stdout.partition("\n")
    if "100000 added" not in report:
        sys.exit(f"jargon did not import the file: {out.stdout}{out.stderr}")
    return float(seconds)


def criterion_median(group, name):
    path = os.path.join(group, name, "new", "estimates.json")
    with open(path) as f:
        return json.load(f)["median"]["point_estimate"] / 1e9


def main():
    path = os.path.abspath(sys.argv[1])
    runs = int(sys.argv[2])
    binary = sys.argv[3]
    example = sys.argv[4]
    group = sys.argv[5] if len(sys.argv) > 5 else None
    anki, inproc, process = [], [], []
    for run in range(runs):
        elapsed, notes = anki_import(path)
        anki.append(elapsed)
        inproc.append(jargon_in_process(example, path))
        process.append(jargon_import(binary, path))
        print(
            f"run {run + 1}: anki {anki[-1]:.3f} s ({notes} notes), "
            f"jargon in process {inproc[-1]:.3f} s, whole process {process[-1]:.3f} s"
        )
    a = statistics.median(anki)
    print(f"anki import_csv median: {a:.3f} s")
    for label, times in [("in process, like for like", inproc), ("whole process", process)]:
        j = statistics.median(times)
        paired = statistics.median(x / y for x, y in zip(anki, times))
        print(f"jargon import, {label}, median: {j:.3f} s")
        print(f"Anki / jargon ({label}): {a / j:.1f}x of the medians, {paired:.1f}x median of the runs' ratios")
    if group:
        criterion = criterion_median(group, "jargon_import_csv")
        floor = criterion_median(group, "bare_rusqlite_insert")
        print(f"criterion medians: jargon import {criterion:.3f} s; floor {floor:.3f} s; import / floor {criterion / floor:.2f}x")


if __name__ == "__main__":
    main()
