"""Writes tests/fixtures/sm2_reference.json: random answer sequences run through the
`supermemo2` package (a reference SM-2), for tests/sm2_reference.rs to compare against.

Run with bench/sm2_reference.sh, which makes its own virtual environment.
"""
import json
import random
from pathlib import Path

from supermemo2 import review

random.seed(20261122)
cases = []
for _ in range(300):
    qualities = [random.choice([0, 1, 2, 3, 3, 4, 4, 4, 5, 5]) for _ in range(random.randint(1, 25))]
    easiness, interval, repetitions = 2.5, 0, 0
    steps = []
    for q in qualities:
        out = review(q, easiness, interval, repetitions, "2026-01-01 00:00:00")
        easiness, interval, repetitions = out["easiness"], out["interval"], out["repetitions"]
        steps.append({"quality": q, "easiness": round(easiness, 6), "interval": interval, "repetitions": repetitions})
    cases.append(steps)

out = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "sm2_reference.json"
out.write_text(json.dumps({"generator": "supermemo2 (PyPI), bench/sm2_reference.py", "cases": cases}, indent=1) + "\n")
print(f"wrote {len(cases)} sequences to {out}")
