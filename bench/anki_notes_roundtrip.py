#!/usr/bin/env python3
"""Checks that a package exported by jargon, imported into the learner's own Anki collection,
updates the learner's notes in place and adds only the answers made in jargon. Anki's own
engine (the `anki` package, headless) does the importing.

  anki_notes_roundtrip.py check LEARNER.colpkg PACKAGE.apkg [--expect-new-answers N]
                                [--expect-new-cards K] [--edits EDITS.json]
                                [--update-notetypes if-newer|always|never]
      Restores LEARNER.colpkg (a whole collection package, media included) into a fresh
      temporary profile folder and records its notes (id, guid, note type id, fields, tags),
      note types (name, fields, templates, CSS), cards (id, note, ordinal), review log and
      media. Then, twice, each time on a fresh copy of that folder, imports PACKAGE.apkg with
      Anki's package import: with scheduling, without deck options, "update notes" ALWAYS,
      "update note types" IF_NEWER (Anki's default; --update-notetypes changes it), and
      "merge note types" off in the first run, on in the second. After each import it checks:
        - Anki's import log names no new, conflicting, missing-note-type, missing-deck or
          empty-first-field note;
        - the same note ids, each with the same guid, note type id, fields byte for byte and
          tags, except the changes EDITS.json announces;
        - the note types unchanged (name, field names, templates, CSS) and none added;
        - the same cards (ids, notes, ordinals), plus exactly K new ones (default 0) on the
          learner's notes;
        - every media file still there with the same bytes, none added;
        - every review log row kept as it was, and exactly N new rows (default 0), all on
          existing cards.
      Prints a JSON summary on stdout (with how many new log rows the package holds, and how
      many of them are on cards the learner already has); exits 1 after one line per failure
      on stderr.

      EDITS.json announces intended edits: {"GUID": {"FIELD": "new HTML", "tags": [...]}},
      FIELD a field's name or its index ("0", "1", ...). Those fields (and tags) must then
      hold exactly the new value; all others stay as they were.

  anki_notes_roundtrip.py selftest LEARNER.colpkg
      Tests the checker with packages Anki itself exports from the learner's collection (with
      scheduling and media): unchanged (must pass with N = 0); one field changed (must fail,
      and pass when announced); one answer on a card the learner has (Anki's import drops it:
      must fail with N = 1, pass with N = 0); a reverse card added by filling "Add Reverse"
      and answered (must pass with N = 1, K = 1 and the edit announced, fail with K = 0).
      Exits 1 if any of these goes the other way.

Anki's package import (26.9.3) leaves a card the target collection already has (same note,
same ordinal) as it is, scheduling included, and drops the package's log rows for it; only
cards new to the collection bring their rows.

Run through bench/anki_notes_roundtrip.sh, which makes the venv.
"""

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile

os.environ["ANKI_TEST_MODE"] = "1"

from anki import import_export_pb2  # noqa: E402
from anki.collection import (  # noqa: E402
    Collection,
    ExportAnkiPackageOptions,
    ImportAnkiPackageOptions,
    ImportAnkiPackageRequest,
)
from anki.media import media_paths_from_col_path  # noqa: E402

COLLECTION = "collection.anki2"
UPDATE = {
    "if-newer": import_export_pb2.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER,
    "always": import_export_pb2.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_ALWAYS,
    "never": import_export_pb2.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_NEVER,
}
LOG_FAILURES = ["new", "conflicting", "missing_notetype", "missing_deck", "empty_first_field",
                "first_field_match"]


def restore(colpkg, folder):
    """Restores a whole collection package into FOLDER (a fresh profile folder); returns the
    collection's path. The collection is left closed."""
    path = os.path.join(folder, COLLECTION)
    col = Collection(path)
    backend = col._backend
    media_dir, media_db = media_paths_from_col_path(path)
    col.close()
    backend.import_collection_package(col_path=path, backup_path=os.path.abspath(colpkg),
                                      media_folder=media_dir, media_db=media_db)
    Collection(path).close()  # opened once by the new owner, so that copies start clean
    return path


def snapshot(col):
    """What the checks compare: plain Python values only."""
    notes = {}
    for nid, guid, mid, flds, tags in col.db.all(
            "select id, guid, mid, flds, tags from notes"):
        notes[nid] = {"guid": guid, "mid": mid, "fields": flds.split("\x1f"),
                      "tags": tags.split()}
    notetypes = {}
    for m in col.models.all():
        notetypes[m["id"]] = {
            "name": m["name"],
            "fields": [f["name"] for f in m["flds"]],
            "templates": [[t["name"], t["qfmt"], t["afmt"]] for t in m["tmpls"]],
            "css": m["css"],
        }
    cards = {cid: (nid, ord_) for cid, nid, ord_ in col.db.all("select id, nid, ord from cards")}
    schedule = {row[0]: tuple(row[1:]) for row in col.db.all(
        "select id, type, queue, due, ivl, factor, reps, lapses from cards")}
    revlog = {row[0]: tuple(row[1:]) for row in col.db.all("select * from revlog")}
    media = {}
    media_dir = col.media.dir()
    for name in sorted(os.listdir(media_dir)):
        with open(os.path.join(media_dir, name), "rb") as f:
            media[name] = hashlib.sha1(f.read()).hexdigest()
    return {"notes": notes, "notetypes": notetypes, "cards": cards, "schedule": schedule,
            "revlog": revlog, "media": media, "decks": sorted(d.name for d in col.decks.all_names_and_ids())}


def expected_note(before, notetype, edits):
    """The note as it should be after the import: as before, with its announced edits."""
    fields = list(before["fields"])
    tags = before["tags"]
    for key, value in edits.get(before["guid"], {}).items():
        if key == "tags":
            tags = value
            continue
        index = int(key) if key.isdigit() else notetype["fields"].index(key)
        fields[index] = value
    return fields, tags


def compare_notes(before, after, edits, failures):
    added = sorted(set(after["notes"]) - set(before["notes"]))
    removed = sorted(set(before["notes"]) - set(after["notes"]))
    if added:
        failures.append(f"{len(added)} note(s) added, guids "
                        f"{[after['notes'][n]['guid'] for n in added[:5]]}")
    if removed:
        failures.append(f"{len(removed)} note(s) gone, ids {removed[:5]}")
    changed = 0
    for nid, old in before["notes"].items():
        new = after["notes"].get(nid)
        if new is None:
            continue
        if (new["guid"], new["mid"]) != (old["guid"], old["mid"]):
            failures.append(f"note {nid}: guid/note type {old['guid']}/{old['mid']} became "
                            f"{new['guid']}/{new['mid']}")
        fields, tags = expected_note(old, before["notetypes"][old["mid"]], edits)
        for index, (want, got) in enumerate(zip(fields, new["fields"])):
            if want != got:
                failures.append(f"note {old['guid']} field {index}: {want!r} became {got!r}")
        if len(fields) != len(new["fields"]):
            failures.append(f"note {old['guid']}: {len(fields)} fields became "
                            f"{len(new['fields'])}")
        if tags != new["tags"]:
            failures.append(f"note {old['guid']}: tags {tags} became {new['tags']}")
        changed += (new["fields"], new["tags"]) != (old["fields"], old["tags"])
    return changed


def compare(before, after, log, new_answers, new_cards, edits):
    """One line per failure, and the figures of the summary."""
    failures = []
    for name in LOG_FAILURES:
        entries = getattr(log, name)
        if entries:
            guids = [list(e.fields)[:1] for e in entries[:3]]
            failures.append(f"Anki's import log has {len(entries)} {name} note(s), e.g. {guids}")
    edited = compare_notes(before, after, edits, failures)
    for mid, old in before["notetypes"].items():
        new = after["notetypes"].get(mid)
        if new is None:
            failures.append(f"note type {old['name']!r} ({mid}) went")
        elif new != old:
            parts = [key for key in old if new[key] != old[key]]
            failures.append(f"note type {old['name']!r} ({mid}): its {', '.join(parts)} changed")
    for mid in sorted(set(after["notetypes"]) - set(before["notetypes"])):
        failures.append(f"note type {after['notetypes'][mid]['name']!r} ({mid}) added")
    added = {cid: card for cid, card in after["cards"].items() if cid not in before["cards"]}
    kept = sum(1 for cid, card in before["cards"].items() if after["cards"].get(cid) == card)
    if kept != len(before["cards"]) or len(added) != new_cards:
        failures.append(f"cards: {len(before['cards'])} became {len(after['cards'])} "
                        f"({len(added)} added, expected {new_cards}; "
                        f"{len(before['cards']) - kept} gone or moved)")
    strays = sum(1 for nid, _ in added.values() if nid not in before["notes"])
    if strays:
        failures.append(f"cards: {strays} added card(s) belong to no note the learner had")
    for name, sha1 in before["media"].items():
        if after["media"].get(name) != sha1:
            failures.append(f"media file {name}: missing or its bytes changed")
    for name in sorted(set(after["media"]) - set(before["media"])):
        failures.append(f"media file {name} added")
    kept = sum(1 for rid, row in before["revlog"].items() if after["revlog"].get(rid) == row)
    if kept != len(before["revlog"]):
        failures.append(f"review log: {len(before['revlog']) - kept} of "
                        f"{len(before['revlog'])} old rows gone or changed")
    new_rows = {rid: row for rid, row in after["revlog"].items() if rid not in before["revlog"]}
    if len(new_rows) != new_answers:
        failures.append(f"review log: {len(new_rows)} new row(s), expected {new_answers}")
    orphans = sum(1 for row in new_rows.values() if row[0] not in after["cards"])
    if orphans:
        failures.append(f"review log: {orphans} new row(s) on cards the collection lacks")
    rescheduled = sum(1 for cid, s in before["schedule"].items()
                      if cid in after["schedule"] and after["schedule"][cid] != s)
    figures = {
        "import_log": {name: len(getattr(log, name)) for name in
                       ["new", "updated", "duplicate"] + LOG_FAILURES[1:]},
        "notes": [len(before["notes"]), len(after["notes"])],
        "notes_edited": edited,
        "cards": [len(before["cards"]), len(after["cards"])],
        "cards_rescheduled": rescheduled,
        "revlog": [len(before["revlog"]), len(after["revlog"])],
        "revlog_new": len(new_rows),
        "media": [len(before["media"]), len(after["media"])],
        "decks_added": sorted(set(after["decks"]) - set(before["decks"])),
    }
    return failures, figures


def import_into_copy(base, package, merge, update_notetypes):
    """Copies the restored profile folder, imports the package into the copy; returns the
    snapshot after and Anki's import log."""
    folder = tempfile.mkdtemp(prefix="anki-notes-rt-")
    try:
        shutil.copytree(base, folder, dirs_exist_ok=True)
        col = Collection(os.path.join(folder, COLLECTION))
        options = ImportAnkiPackageOptions(
            merge_notetypes=merge,
            update_notes=UPDATE["always"],
            update_notetypes=UPDATE[update_notetypes],
            with_scheduling=True,
            with_deck_configs=False,
        )
        request = ImportAnkiPackageRequest(package_path=os.path.abspath(package),
                                           options=options)
        try:
            log = col.import_anki_package(request).log
        except Exception as error:  # Anki refused the whole file
            col.close()
            return None, f"Anki refused the package: {type(error).__name__}: {error}"
        after = snapshot(col)
        col.close()
        return after, log
    finally:
        shutil.rmtree(folder)


def package_answers(package, before):
    """What the package itself holds: its review log rows the learner lacks, and how many of
    them are on cards the learner already has (guid and ordinal), which Anki's package import
    drops (it keeps such a card as it is, with its own log)."""
    folder = tempfile.mkdtemp(prefix="anki-package-")
    try:
        col = Collection(os.path.join(folder, COLLECTION))
        request = ImportAnkiPackageRequest(
            package_path=os.path.abspath(package),
            options=ImportAnkiPackageOptions(with_scheduling=True))
        try:
            col.import_anki_package(request)
        except Exception:  # reported by the runs themselves
            col.close()
            return {}
        rows = col.db.all("select r.id, n.guid, c.ord from revlog r join cards c on c.id = r.cid"
                          " join notes n on n.id = c.nid")
        col.close()
    finally:
        shutil.rmtree(folder)
    guids = {nid: note["guid"] for nid, note in before["notes"].items()}
    learner_cards = {(guids[nid], ord_) for nid, ord_ in before["cards"].values()}
    new = [(guid, ord_) for rid, guid, ord_ in rows if rid not in before["revlog"]]
    return {"package_revlog": len(rows), "package_revlog_new": len(new),
            "package_revlog_new_on_learner_cards": sum(1 for c in new if c in learner_cards)}


def check(colpkg, package, new_answers=0, edits=None, update_notetypes="if-newer",
          new_cards=0):
    """Runs both imports; returns (summary, failures)."""
    edits = edits or {}
    base = tempfile.mkdtemp(prefix="anki-learner-")
    try:
        col = Collection(restore(colpkg, base))
        before = snapshot(col)
        col.close()
        summary = {"learner": colpkg, "package": package, "expect_new_answers": new_answers,
                   "expect_new_cards": new_cards,
                   "update_notes": "always", "update_notetypes": update_notetypes,
                   **package_answers(package, before), "runs": []}
        all_failures = []
        for merge in (False, True):
            after, log = import_into_copy(base, package, merge, update_notetypes)
            label = f"merge note types {'on' if merge else 'off'}"
            if after is None:
                failures, figures = [log], {}
            else:
                failures, figures = compare(before, after, log, new_answers, new_cards, edits)
                dropped = summary.get("package_revlog_new_on_learner_cards", 0)
                failures = [f"{f} (the package has {dropped} new answer(s) on cards the"
                            " learner has, which Anki's package import drops)"
                            if f.startswith("review log:") and "new row" in f and dropped
                            else f for f in failures]
            summary["runs"].append({"merge_notetypes": merge, "ok": not failures,
                                    **figures, "failures": failures})
            all_failures += [f"[{label}] {f}" for f in failures]
        summary["ok"] = not all_failures
        return summary, all_failures
    finally:
        shutil.rmtree(base)


def export_variant(colpkg, out, change=None):
    """Restores the learner's collection, applies CHANGE(col) and exports the whole
    collection as a package with scheduling and media, as a learner would from Anki."""
    folder = tempfile.mkdtemp(prefix="anki-variant-")
    try:
        col = Collection(restore(colpkg, folder))
        if change:
            change(col)
        options = ExportAnkiPackageOptions(with_scheduling=True, with_deck_configs=False,
                                           with_media=True, legacy=False)
        col.export_anki_package(out_path=out, options=options, limit=None)
        col.close()
    finally:
        shutil.rmtree(folder)


def answer_one(col):
    """Answers Good on the first review card (by id): a card the learner already has."""
    cid = col.db.scalar("select id from cards where queue = 2 order by id limit 1")
    card = col.get_card(cid)
    card.start_timer()
    col.sched.answerCard(card, 3)


def change_one_field(col):
    """Appends to the last field of the first note; returns the announcement of the edit."""
    note = col.get_note(col.db.scalar("select id from notes order by id limit 1"))
    note.fields[-1] = note.fields[-1] + " (changed)"
    col.update_note(note)
    return {note.guid: {str(len(note.fields) - 1): note.fields[-1]}}


def add_reverse_and_answer(col):
    """Fills "Add Reverse" of the first optional-reversed note without it, answers its new
    reverse card (a card the learner does not have) and one card the learner has; returns the
    announcement of the edit."""
    mid = col.models.by_name("Basic (optional reversed card)")["id"]
    nid = col.db.scalar("select n.id from notes n where n.mid = ? and not exists"
                        " (select 1 from cards c where c.nid = n.id and c.ord = 1)"
                        " order by n.id limit 1", mid)
    note = col.get_note(nid)
    note["Add Reverse"] = "y"
    col.update_note(note)
    card = col.get_card(col.db.scalar("select id from cards where nid = ? and ord = 1", nid))
    card.start_timer()
    col.sched.answerCard(card, 3)
    answer_one(col)
    return {note.guid: {"Add Reverse": "y"}}


def selftest(colpkg):
    """Runs the checker on packages Anki exports from the learner's collection; returns the
    number of cases whose verdict was wrong."""
    work = tempfile.mkdtemp(prefix="anki-notes-selftest-")
    announced = {}
    try:
        packages = {}
        for name, change in [("same", None), ("answered", answer_one),
                             ("edited", change_one_field), ("reversed", add_reverse_and_answer)]:
            packages[name] = os.path.join(work, f"{name}.apkg")

            def record(col, change=change, name=name):
                announced[name] = change(col)

            export_variant(colpkg, packages[name], record if change else None)
        cases = [
            # (what, package, N new answers, K new cards, edits, should pass)
            ("Anki's own export, unchanged, N = 0", "same", 0, 0, None, True),
            ("one field changed, unannounced", "edited", 0, 0, None, False),
            ("one field changed, announced", "edited", 0, 0, announced.get("edited"), True),
            # Anki's package import keeps a card it already has as it is and drops the
            # package's log rows for it: an answer on such a card never arrives.
            ("one answer on a card Anki has, N = 1", "answered", 1, 0, None, False),
            ("one answer on a card Anki has, N = 0", "answered", 0, 0, None, True),
            # A card new to the learner's collection arrives with its log rows.
            ("reverse card added and answered, N = 1, K = 1", "reversed", 1, 1,
             announced.get("reversed"), True),
            ("reverse card added and answered, N = 1, K = 0", "reversed", 1, 0,
             announced.get("reversed"), False),
        ]
        bad = 0
        for what, name, n, k, edits, should_pass in cases:
            summary, failures = check(colpkg, packages[name], n, edits, new_cards=k)
            right = summary["ok"] == should_pass
            bad += not right
            first = summary["runs"][0]
            print(f"{'ok ' if right else 'BAD'} {what}: {'passes' if summary['ok'] else 'fails'}"
                  f" (log: {first.get('import_log', {}).get('updated')} updated,"
                  f" {first.get('import_log', {}).get('duplicate')} unchanged; cards"
                  f" {first.get('cards')}; revlog {first.get('revlog')})")
            for line in failures[:2]:
                print(f"      {line}")
        print(f"{len(cases) - bad} of {len(cases)} cases as expected")
        return bad
    finally:
        shutil.rmtree(work)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("check")
    run.add_argument("learner")
    run.add_argument("package")
    run.add_argument("--expect-new-answers", type=int, default=0)
    run.add_argument("--expect-new-cards", type=int, default=0)
    run.add_argument("--edits")
    run.add_argument("--update-notetypes", choices=sorted(UPDATE), default="if-newer")
    test = sub.add_parser("selftest")
    test.add_argument("learner")
    args = parser.parse_args()
    if args.command == "selftest":
        sys.exit(1 if selftest(args.learner) else 0)
    edits = None
    if args.edits:
        with open(args.edits) as f:
            edits = json.load(f)
    summary, failures = check(args.learner, args.package, args.expect_new_answers, edits,
                              args.update_notetypes, args.expect_new_cards)
    print(json.dumps(summary, indent=1, ensure_ascii=False))
    for line in failures:
        print(line, file=sys.stderr)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
