"""Write a large synthetic bundle for benchmarks only: Swedish text from the demo's sentences.

    python scripts/gen_bundle.py OUT --docs 10000 [--seed 18] [--base 10000]

Every sentence, title, tag, subject and group comes from the demo bundle and the judged
bundle (kb/demo/bundle, tests/judged/bundle), so the words, inflections and sentence shapes are
the product's own. A document takes a window of sentences from one source document (its
topic) plus one sentence of another, so each stays about one thing. 32 units (schools and
libraries) of 16 people each; visibility is 3 % `all`, 57 % `unit`, 40 % `private`, so a
colleague may open about 5 % of a large bundle. About a fifth are reflections with a group,
a step and the four headings.

Document i depends only on (seed, i): the first N documents of a larger bundle are the
N-document bundle, byte for byte. Documents from --base on copy the body of document
i % base under another title, unit, authors and visibility (the same material kept by several
schools); the benchmark derives their vectors from the real ones of that document.
"""

from __future__ import annotations

import argparse
import datetime
import random
import re
import shutil
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SOURCES = (ROOT / "kb" / "demo" / "bundle", ROOT / "tests" / "judged" / "bundle")
UNITS = [
    "Björkskolan",
    "Almskolan",
    "Ekskolan",
    "Lönnskolan",
    "Granskolan",
    "Tallskolan",
    "Aspskolan",
    "Hasselskolan",
    "Lindskolan",
    "Rönnskolan",
    "Sälgskolan",
    "Idegransskolan",
    "Bokskolan",
    "Enskolan",
    "Vide-skolan",
    "Alskolan",
    "Kvarnbyskolan",
    "Strandskolan",
    "Backaskolan",
    "Ängsskolan",
    "Hagaskolan",
    "Åsskolan",
    "Bergaskolan",
    "Sjöskolan",
    "Norrskolan",
    "Söderskolan",
    "Västerskolan",
    "Österskolan",
    "Stadsbiblioteket",
    "Skolbiblioteket-norr",
    "Skolbiblioteket-söder",
    "Gymnasiet",
]
FIRST = [
    "Anna",
    "Maria",
    "Eva",
    "Karin",
    "Sara",
    "Lena",
    "Emma",
    "Elin",
    "Ida",
    "Hanna",
    "Johanna",
    "Sofia",
    "Amira",
    "Leila",
    "Fatima",
    "Ylva",
    "Petra",
    "Lisa",
    "Erik",
    "Lars",
    "Karl",
    "Johan",
    "Anders",
    "Per",
    "Nils",
    "Oskar",
    "Amir",
    "Elias",
    "Ali",
    "Hassan",
    "Jonas",
    "Mats",
    "Olle",
    "Viktor",
    "Samir",
    "Noah",
]
LAST = [
    "Lind",
    "Berg",
    "Holm",
    "Ek",
    "Strand",
    "Nyström",
    "Sandberg",
    "Wallin",
    "Forsman",
    "Rahimi",
    "Yusuf",
    "Lund",
    "Sjöberg",
    "Karlsson",
    "Nilsson",
    "Eriksson",
    "Larsson",
    "Olsson",
    "Persson",
    "Svensson",
    "Gustafsson",
    "Jonsson",
    "Hassan",
    "Ali",
    "Norén",
    "Åberg",
    "Öberg",
    "Dahl",
    "Falk",
    "Hedlund",
]
PER_UNIT = 16
STEPS = ("analysera", "planera", "genomföra", "följa upp")
HEADINGS = ("Vad gjorde vi?", "Vad gick bra?", "Vad gick mindre bra?", "Vad tar vi med oss?")
FOLD = str.maketrans("åäöé", "aaoe")
SENTENCE_RE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ0-9])")


def _front(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---"):
        return {}, text
    _, head, body = text.split("---", 2)
    return yaml.safe_load(head) or {}, body


def _sentences(body: str) -> list[str]:
    """Return the prose sentences of a Markdown body (no headings, tables or list marks)."""
    out = []
    for line in body.splitlines():
        line = re.sub(r"^\s*(?:[-*]|\d+\.)\s+", "", line).replace("*", "").strip()
        if not line or line.startswith(("#", "|", ">")):
            continue
        out += [s for s in SENTENCE_RE.split(line) if 6 <= len(s.split()) <= 40]
    return out


def topics() -> list[dict]:
    """Read every Swedish Markdown document of the source bundles as a topic."""
    found = []
    for bundle in SOURCES:
        for path in sorted(bundle.rglob("*.md")):
            meta, body = _front(path)
            if meta.get("language", "sv") != "sv" or not meta.get("title"):
                continue
            sentences = _sentences(body)
            if len(sentences) >= 4:
                found.append(
                    {
                        "title": str(meta["title"]),
                        "sentences": sentences,
                        "tags": [str(t) for t in meta.get("tags") or []],
                        "subjects": [str(s) for s in meta.get("subjects") or []],
                        "grades": [str(g) for g in meta.get("grades") or []],
                        "group": str(meta.get("group") or ""),
                        "folder": path.parent.name,
                    }
                )
    return found


def people() -> list[dict]:
    """Return the colleagues: PER_UNIT per unit, fixed whatever the bundle's size."""
    rng = random.Random("people")
    out = []
    for u, unit in enumerate(UNITS):
        for k in range(PER_UNIT):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            pid = f"{first}.{last}.{u}.{k}".lower()
            pid = pid.translate(FOLD)
            out.append(
                {
                    "id": pid,
                    "name": f"{first} {last}",
                    "unit": unit,
                    "role": "Bibliotekarie" if "bibliotek" in unit.lower() else "Lärare",
                    "started": datetime.date(rng.randint(1998, 2026), 8, 15),
                }
            )
    return out


def visibility(rng: random.Random) -> str:
    roll = rng.random()
    return "all" if roll < 0.03 else "unit" if roll < 0.60 else "private"


def document(i: int, seed: int, base: int, pool: list[dict], staff: list[dict]) -> dict:
    """Return document i: its source, front matter and body."""
    rng = random.Random(f"{seed}:{i}")
    unit = rng.randrange(len(UNITS))
    members = staff[unit * PER_UNIT : (unit + 1) * PER_UNIT]
    authors = [p["id"] for p in rng.sample(members, rng.choice((1, 1, 1, 2, 3)))]
    meta = {
        "authors": authors,
        "date": datetime.date(rng.randint(2019, 2026), rng.randint(1, 12), rng.randint(1, 28)),
        "language": "sv",
        "visibility": visibility(rng),
    }
    if i >= base:
        parent = document(i % base, seed, base, pool, staff)
        meta = {**parent["meta"], **meta, "title": f"{parent['meta']['title']} – {UNITS[unit]}"}
        kind = parent["kind"]
        return {**parent, "meta": meta, "source": f"{kind}/kopior/{i:06d}.md"}
    topic = rng.choice(pool)
    other = rng.choice(pool)
    sents = topic["sentences"]
    start = rng.randrange(len(sents))
    window = [sents[(start + k) % len(sents)] for k in range(rng.randint(2, 4))]
    window.insert(rng.randrange(len(window) + 1), rng.choice(other["sentences"]))
    grade = rng.choice(topic["grades"] or ["F-3", "4-6", "7-9"])
    meta.update(
        title=f"{topic['title']} – {UNITS[unit]}, del {1 + i % 7}",
        subjects=topic["subjects"],
        grades=[grade],
        tags=topic["tags"][:4],
    )
    kind = "reflections" if rng.random() < 0.2 else "material"
    if kind == "reflections":
        meta.update(group=topic["group"] or f"{topic['folder']}-nätverket", step=rng.choice(STEPS))
        while len(window) < 4:
            window.append(rng.choice(sents))
        parts = [window[k::4] for k in range(4)]
        body = "\n\n".join(
            f"## {h}\n{' '.join(p)}" for h, p in zip(HEADINGS, parts, strict=True) if p
        )
    else:
        body = " ".join(window)
    name = meta.get("group") or topic["folder"]
    folder = re.sub(r"[^a-z0-9]+", "-", name.lower().translate(FOLD)).strip("-")
    return {"kind": kind, "meta": meta, "body": body, "source": f"{kind}/{folder}/{i:06d}.md"}


def write(out: Path, docs: int, seed: int = 18, base: int = 10000) -> list[dict]:
    """Write a bundle of `docs` documents into out (replaced); return the documents."""
    pool, staff = topics(), people()
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / "people.yaml").write_text(
        yaml.safe_dump(staff, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    made = []
    for i in range(docs):
        doc = document(i, seed, base, pool, staff)
        path = out / doc["source"]
        path.parent.mkdir(parents=True, exist_ok=True)
        head = yaml.safe_dump(doc["meta"], allow_unicode=True, sort_keys=False)
        path.write_text(f"---\n{head}---\n\n{doc['body']}\n", encoding="utf-8")
        made.append(doc)
    return made


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=18)
    ap.add_argument("--base", type=int, default=10000, help="documents with their own text")
    args = ap.parse_args(argv)
    made = write(args.out, args.docs, args.seed, args.base)
    print(f"wrote {len(made)} documents and {len(people())} people to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
