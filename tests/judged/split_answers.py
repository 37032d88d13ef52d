"""Split the judged answer questions once into a tuning half and a test half (seed 27, by type).

Usage, from the worktree root:
    python tests/judged/split_answers.py           # writes answers-tuning.yaml, answers-test.yaml
    python tests/judged/split_answers.py --check   # exits 1 if the written halves are not up to date

As tests/judged/split.py does for the search questions: grouped by type, each group in file
order shuffled with random.Random(27) (one generator, groups in sorted order of type), its first
floor(n/2) questions to the tuning half, the rest to the test half; a half keeps file order.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
SEED = 27
HEADER = (
    "# {half} half of tests/judged/answers.yaml, written by tests/judged/split_answers.py\n"
    "# (seed {seed}, stratified by type). Do not edit: edit answers.yaml and run the script again.\n"
)


def split(questions: list[dict], seed: int = SEED) -> tuple[list[dict], list[dict]]:
    """Return (tuning, test), stratified by type."""
    rng = random.Random(seed)
    tuning_ids = set()
    for kind in sorted({q["type"] for q in questions}):
        group = [q["id"] for q in questions if q["type"] == kind]
        rng.shuffle(group)
        tuning_ids |= set(group[: len(group) // 2])
    tuning = [q for q in questions if q["id"] in tuning_ids]
    test = [q for q in questions if q["id"] not in tuning_ids]
    return tuning, test


def written(half: str, questions: list[dict]) -> str:
    """Return a half's file as written."""
    body = yaml.safe_dump({"answers": questions}, allow_unicode=True, sort_keys=False, width=100)
    return HEADER.format(half=half, seed=SEED) + body


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    questions = yaml.safe_load((HERE / "answers.yaml").read_text(encoding="utf-8"))["answers"]
    tuning, test = split(questions)
    files = {
        HERE / "answers-tuning.yaml": written("Tuning", tuning),
        HERE / "answers-test.yaml": written("Test", test),
    }
    stale = [p.name for p, text in files.items() if not p.exists() or p.read_text("utf-8") != text]
    if args.check:
        if stale:
            print("out of date: " + ", ".join(stale), file=sys.stderr)
        return 1 if stale else 0
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
    print(f"tuning {len(tuning)}, test {len(test)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
