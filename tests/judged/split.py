"""Split the judged questions once into a tuning half and a test half (seed 14, by type).

Usage, from the worktree root:
    python tests/judged/split.py           # writes tests/judged/tuning.yaml and test.yaml
    python tests/judged/split.py --check   # exits 1 if the written halves are not up to date

The search questions are grouped by type; each group, in file order, is shuffled with
random.Random(14) (one generator, groups taken in sorted order of type) and its first
floor(n/2) questions go to the tuning half, the rest to the test half. Within a half the
questions keep their order in queries.yaml. The experts, mentors and risk judgments are too
few to split and are copied into both halves.

Before splitting it checks what check_bundle.py cannot: a question without `as` is asked
by eval.viewer, who belongs to no unit, so every source judged relevant to it must be
visible to everyone (visibility: all).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
SEED = 14
HEADER = (
    "# {half} half of tests/judged/queries.yaml, written by tests/judged/split.py (seed {seed},\n"
    "# stratified by type). Do not edit: edit queries.yaml and run the script again.\n"
)


def visibility(bundle: Path, source: str) -> str:
    """Return a document's visibility from its front matter or sidecar."""
    path = bundle / source
    if path.suffix == ".md":
        text = path.read_text(encoding="utf-8")
        meta = yaml.safe_load(re.match(r"^---\n(.*?)\n---\n", text, re.S).group(1))
    else:
        meta = yaml.safe_load(path.with_name(path.name + ".yaml").read_text(encoding="utf-8"))
    return meta.get("visibility", "all")


def hidden_from_everyone(bundle: Path, search: list[dict]) -> list[str]:
    """Return one line per relevant source that a question without `as` cannot see."""
    problems = []
    for q in search:
        if q.get("as"):
            continue
        for source in q.get("relevant") or {}:
            vis = visibility(bundle, source)
            if vis != "all":
                problems.append(f"{q['id']}: {source} is {vis}, but the question has no `as`")
    return problems


def split(search: list[dict], seed: int = SEED) -> tuple[list[dict], list[dict]]:
    """Return (tuning, test): each type's questions shuffled once, floor(n/2) to tuning."""
    rng = random.Random(seed)
    order = {q["id"]: n for n, q in enumerate(search)}
    tuning, test = [], []
    for kind in sorted({q["type"] for q in search}):
        group = [q for q in search if q["type"] == kind]
        rng.shuffle(group)
        half = len(group) // 2
        tuning += group[:half]
        test += group[half:]
    return (
        sorted(tuning, key=lambda q: order[q["id"]]),
        sorted(test, key=lambda q: order[q["id"]]),
    )


def render(data: dict, search: list[dict], half: str) -> str:
    """Return one half as the text of a queries file."""
    out = {"org": data["org"], "today": data["today"], "search": search}
    for key in ("experts", "mentors", "risk"):
        if data.get(key):
            out[key] = data[key]
    body = yaml.safe_dump(out, allow_unicode=True, sort_keys=False, width=100)
    return HEADER.format(half=half, seed=SEED) + body


def main(argv: list[str] | None = None) -> int:
    """Check the judgments, split them and write (or compare) the two halves."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)

    data = yaml.safe_load((HERE / "queries.yaml").read_text(encoding="utf-8"))
    problems = hidden_from_everyone(HERE / "bundle", data["search"])
    for line in problems:
        print(f"ERROR {line}")
    if problems:
        return 1
    tuning, test = split(data["search"])
    status = 0
    for name, half, label in (("tuning.yaml", tuning, "Tuning"), ("test.yaml", test, "Test")):
        text = render(data, half, label)
        path = HERE / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                print(f"{name} is not up to date; run tests/judged/split.py")
                status = 1
        else:
            path.write_text(text, encoding="utf-8")
        counts: dict[str, int] = {}
        for q in half:
            counts[q["type"]] = counts.get(q["type"], 0) + 1
        summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        print(f"{name}: {len(half)} questions ({summary})")
    return status


if __name__ == "__main__":
    sys.exit(main())
