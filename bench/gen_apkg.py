#!/usr/bin/env python3
"""A legacy (schema 11) Anki package of N notes for bench/README.md "Import memory":
one two-template note type, one card per note (a quarter of them review cards with three
answers each), written with Python sqlite3 and zipfile.  Usage: gen_apkg.py N OUT.apkg"""
import sqlite3, zipfile, json, os, sys
n = int(sys.argv[1]); out = sys.argv[2]
db = out + '.anki2'
if os.path.exists(db): os.remove(db)
c = sqlite3.connect(db)
c.executescript("""
CREATE TABLE col (id integer primary key, crt integer, mod integer, scm integer, ver integer, dty integer, usn integer, ls integer, conf text, models text, decks text, dconf text, tags text);
CREATE TABLE notes (id integer primary key, guid text, mid integer, mod integer, usn integer, tags text, flds text, sfld integer, csum integer, flags integer, data text);
CREATE TABLE cards (id integer primary key, nid integer, did integer, ord integer, mod integer, usn integer, type integer, queue integer, due integer, ivl integer, factor integer, reps integer, lapses integer, left integer, odue integer, odid integer, flags integer, data text);
CREATE TABLE revlog (id integer primary key, cid integer, usn integer, ease integer, ivl integer, lastIvl integer, factor integer, time integer, type integer);
""")
models = {"1": {"name": "Basic", "type": 0, "flds": [{"name": "Front"}, {"name": "Back"}], "tmpls": [{"name": "Card 1"}, {"name": "Card 2"}]}}
c.execute("INSERT INTO col VALUES (1, 1699934400, 1760000000, 0, 11, 0, 0, 0, '{}', ?, ?, '{}', '{}')", (json.dumps(models), json.dumps({"1": {"name": "Bench"}})))
def notes():
    for i in range(n):
        yield (1700000000000 + 2*i, 'g%d' % i, 1, 1760000000, 0, 'tag%d' % (i % 50), 'term number %d\x1fthe definition of term %d, a sentence of ordinary length' % (i, i), 0, 0, 0, '')
c.executemany("INSERT INTO notes VALUES (?,?,?,?,?,?,?,?,?,?,?)", notes())
def cards():
    for i in range(n):
        nid = 1700000000000 + 2*i
        if i % 4 == 0:
            yield (nid, nid, 1, 0, 1760000000, 0, 2, 2, 700 + i % 30, 10, 2500, 3, 0, 0, 0, 0, 0, '')
        else:
            yield (nid, nid, 1, 0, 1760000000, 0, 0, 0, i, 0, 0, 0, 0, 0, 0, 0, 0, '')
c.executemany("INSERT INTO cards VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", cards())
def revs():
    for i in range(0, n, 4):
        nid = 1700000000000 + 2*i
        for k in range(3):
            yield (1750000000000 + i*4 + k, nid, 0, 3, 1 + k*4, k*4, 2500, 5000, 1)
c.executemany("INSERT INTO revlog VALUES (?,?,?,?,?,?,?,?,?)", revs())
c.commit(); c.close()
with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:
    z.write(db, 'collection.anki2'); z.writestr('media', '{}')
os.remove(db)
print(out, os.path.getsize(out))
