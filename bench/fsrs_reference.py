"""Writes tests/fixtures/fsrs_reference.json: random multi-day answer sequences run through
the `fsrs` Python package (FSRS-6 defaults, fuzz off), for tests/fsrs_reference.rs.

For every answer it records [grade, study days since the card's previous answer,
retrievability the package predicted at it (before the answer; null for the first), stability
and difficulty after it], numbers to 6 significant digits (the test allows 0.1%), as gzipped
JSON (about 60 KB).
Answers fall between 08:00 and 13:00 and each of a card's answers is later in its day than the
one before, so the package's elapsed days (whole 24-hour periods) equal the study days between
answers, which is what jargon counts.

A card stops when its stability passes 36,500 days: the crate clamps stability there (as Anki
does), the package does not, and a hundred years is no schedule.

Run with bench/fsrs_reference.sh, which makes its own virtual environment.
"""
import gzip
import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

from fsrs import Card, Rating, Scheduler

SEED = 20261123
CARDS = 300
random.seed(SEED)
scheduler = Scheduler(enable_fuzzing=False)
epoch = datetime(1970, 1, 1, tzinfo=timezone.utc)


def sig(x):
    return float(f"{x:.6g}")


cases = []
stopped = 0
for card_id in range(1, CARDS + 1):
    card = Card(card_id=card_id)
    day = 20_000 + random.randint(0, 300)
    answers = []
    for i in range(random.randint(2, 30)):
        gap = 0
        if i > 0:
            # Same day (learning steps, re-answers), a few days, or long gaps, late answers.
            gap = random.choice([0, 0, 0, 1, 1, 2, 3, 5, 8, 13, 21, 40, 90, 200, 400])
            day += gap
        secs = 8 * 3600 + i * 600 + random.randint(0, 59)
        when = epoch + timedelta(days=day, seconds=secs)
        r = scheduler.get_card_retrievability(card, when) if card.last_review else None
        grade = random.choice([1, 2, 3, 3, 3, 3, 4, 4])
        card, _ = scheduler.review_card(card, Rating(grade), when)
        if card.stability > 36_500:
            stopped += 1
            break
        answers.append([grade, gap, None if r is None else sig(r), sig(card.stability), sig(card.difficulty)])
    cases.append(answers)

out = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "fsrs_reference.json.gz"
text = (
    json.dumps(
        {
            "generator": "fsrs (PyPI) Scheduler(enable_fuzzing=False), FSRS-6 defaults; bench/fsrs_reference.py",
            "seed": SEED,
            "columns": ["grade", "elapsed_days", "retrievability", "stability", "difficulty"],
            "cases": cases,
        },
        separators=(",", ":"),
    )
    + "\n"
)
out.write_bytes(gzip.compress(text.encode(), compresslevel=9, mtime=0))
print(f"wrote {len(cases)} cards, {sum(map(len, cases))} answers to {out} ({stopped} stopped at 36,500 days)")
