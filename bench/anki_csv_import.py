#!/usr/bin/env python3
"""Times Anki's own CSV import (the `anki` package, headless) of one file into fresh
collections: reads the file's header lines with get_csv_metadata, maps its first two columns to
the Basic note type's Front and Back (the tags column is declared in the file), imports into a
new deck, and prints the median of RUNS runs in seconds. Only the import call is timed, not
starting Python or creating the collection.

Usage: anki_csv_import.py FILE.csv [RUNS]
"""

import os
import statistics
import sys
import tempfile
import time

from anki.collection import Collection, ImportCsvRequest


def main():
    path = os.path.abspath(sys.argv[1])
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    times = []
    for run in range(runs):
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
        times.append(elapsed)
        print(f"anki run {run + 1}: {elapsed:.3f} s ({notes} notes)")
    print(f"anki median: {statistics.median(times):.3f} s")


if __name__ == "__main__":
    main()
