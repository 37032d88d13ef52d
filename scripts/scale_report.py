"""Print bench_scale.py's table and, when asked, write it with an SVG plot into docs."""

from __future__ import annotations

import math
from pathlib import Path

TARGETS = "hybrid p95 <= 200 ms, server RSS <= 3 GB, unchanged re-ingest <= 30 s at 100k"


def _ms(row: dict, key: str, q: str = "p95") -> str:
    cell = row.get(key)
    return f"{cell[q]:.0f}" if cell else "-"


def table(rows: list[dict]) -> list[str]:
    """Return the Markdown lines of the main table (one column per size)."""
    heads = [f"{r['size']:,} docs ({r['vectors']})" for r in rows]
    lines = ["| | " + " | ".join(heads) + " |", "|---|" + "---|" * len(rows)]

    def line(label, fn):
        lines.append(f"| {label} | " + " | ".join(fn(r) for r in rows) + " |")

    line("load average (1 min) after ingest / after searches", lambda r: (
        f"{r['ingest']['load'][0]:.1f} / {r['load'][0]:.1f}" if "load" in r else "-"))  # fmt: skip
    line("chunks (vectors)", lambda r: f"{r['chunks']:,}")
    line("ingest s (docs/s)", lambda r: f"{r['ingest']['seconds']:.0f} "
         f"({r['docs'] / r['ingest']['seconds']:.0f}/s)")  # fmt: skip
    line("texts embedded / from cache / derived", lambda r: "{embedded} / {cached} / ".format(
         **r["ingest"]["counts"]) + str(r["ingest"]["counts"]["derived"]
         + r["ingest"]["counts"].get("fallback", 0)))  # fmt: skip
    line("re-ingest unchanged, s", lambda r: f"{r['again']['seconds']:.1f}")
    line("ingest peak RSS MB", lambda r: f"{r['ingest']['peak_rss']:.0f}")
    line(
        "indexes on disk MB (+ database)",
        lambda r: (
            f"{r['index_disk_mb']:.0f} (+{r['db_disk_mb']:.0f})" if "index_disk_mb" in r else "-"
        ),
    )
    line("server RSS MB", lambda r: f"{r['server_rss']:.0f}")

    def ann(r):
        a = r["ann"]
        if "recall10" not in a:
            return a["kind"]
        if "forced" in a:
            return f"exact (an {a['forced']} built to compare: recall {a['recall10']:.3f})"
        return f"{a['kind']} (recall {a['recall10']:.3f})"

    line("vector index (recall@10 vs exact)", ann)
    line("5 % viewer's share", lambda r: f"{100 * r['narrow_share']:.1f} %")
    for viewer in ("all", "5%"):
        for leg in ("hybrid", "keyword", "semantic"):
            line(f"{leg} p50 / p95 ms, sees {viewer}",
                 lambda r, k=f"{leg} {viewer}": f"{_ms(r, k, 'p50')} / {_ms(r, k)}")  # fmt: skip
    line("hybrid ranking only p50 / p95 ms, sees all", lambda r: f"{_ms(r, 'ranking all', 'p50')} / "
         f"{_ms(r, 'ranking all')}")  # fmt: skip
    line("hybrid ranking only p50 / p95 ms, sees 5%", lambda r: f"{_ms(r, 'ranking 5%', 'p50')} / "
         f"{_ms(r, 'ranking 5%')}")  # fmt: skip
    line("keyword leg alone p50 / p95 ms, sees all", lambda r: f"{_ms(r, 'keyword leg all', 'p50')}"
         f" / {_ms(r, 'keyword leg all')}")  # fmt: skip
    line("keyword leg alone p50 / p95 ms, sees 5%", lambda r: f"{_ms(r, 'keyword leg 5%', 'p50')}"
         f" / {_ms(r, 'keyword leg 5%')}")  # fmt: skip
    line("experts p95 ms (all / 5 %)", lambda r: f"{_ms(r, 'experts all')} / "
         f"{_ms(r, 'experts 5%')}")  # fmt: skip
    if any("peer" in r for r in rows):
        line("txtai index build s", lambda r: f"{r['peer']['build_seconds']:.0f}" if "peer" in r
             else "-")  # fmt: skip
        for viewer in ("all", "5%"):
            for leg in ("hybrid", "keyword", "semantic"):
                key = f"{leg} {viewer}"
                line(
                    f"txtai {leg} p50 / p95 ms, sees {viewer}",
                    lambda r, k=key: (
                        f"{_ms(r['peer'], k, 'p50')} / {_ms(r['peer'], k)}" if "peer" in r else "-"
                    ),
                )
        line("**hybrid p95 txtai / kb** (all, 5 %)", lambda r: "-" if "peer" not in r else
             f"{r['peer']['hybrid all']['p95'] / r['hybrid all']['p95']:.2f}x, "
             f"{r['peer']['hybrid 5%']['p95'] / r['hybrid 5%']['p95']:.2f}x")  # fmt: skip
        line("**hybrid p95 txtai / kb ranking only** (all, 5 %)", lambda r: "-"
             if "peer" not in r or "ranking all" not in r else
             f"{r['peer']['hybrid all']['p95'] / r['ranking all']['p95']:.2f}x, "
             f"{r['peer']['hybrid 5%']['p95'] / r['ranking 5%']['p95']:.2f}x")  # fmt: skip
        line("txtai RSS added MB", lambda r: f"{r['peer']['rss_added']:.0f}" if "peer" in r
             else "-")  # fmt: skip
    return lines


def judged_lines(judged: dict) -> list[str]:
    t = judged.pop("throughput", None)
    head = []
    if t:
        head = [f"Real embedding throughput (dense + latent terms, one pass, {t['engine']}): "
                f"{t['per_s']:.1f} passages/s on {t['passages']} passages of the 10k bundle, "
                f"load average {t['load']:.1f}.", ""]  # fmt: skip
    lines = head + [
        "| judged set | queries | kb hybrid nDCG@10 | txtai hybrid nDCG@10 |",
        "|---|---|---|---|",
    ]
    for name, j in judged.items():
        lines.append(f"| {name} | {j['queries']} | {j['kb']:.3f} | {j['peer']:.3f} |")
    return lines


def svg(rows: list[dict]) -> str:
    """Draw hybrid p95 (kb, txtai) and server RSS against size on log-x axes."""
    w, h, pad = 640, 300, 50
    sizes = [r["size"] for r in rows]
    lo, hi = math.log10(min(sizes)), math.log10(max(sizes)) or 1

    def x(size):
        return pad + (math.log10(size) - lo) / max(hi - lo, 1e-9) * (w / 2 - 2 * pad)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
             'font-family="sans-serif" font-size="11">']  # fmt: skip
    panels = (
        ("hybrid p95, ms", [("kb", lambda r: r["hybrid all"]["p95"], "#1f77b4"),
                            ("kb, 5 % viewer", lambda r: r["hybrid 5%"]["p95"], "#17becf"),
                            ("txtai", lambda r: r.get("peer", {}).get("hybrid all", {}).get("p95"),
                             "#d62728")]),
        ("server RSS, MB", [("kb", lambda r: r["server_rss"], "#1f77b4")]),
    )  # fmt: skip
    for p, (title, series) in enumerate(panels):
        ox = p * w / 2
        values = [v for _, f, _ in series for v in map(f, rows) if v]
        top = max(values) * 1.15 if values else 1

        def y(v, top=top):
            return h - pad - v / top * (h - 2 * pad)

        parts.append(f'<text x="{ox + pad}" y="20" font-weight="bold">{title}</text>')
        parts.append(f'<line x1="{ox + pad}" y1="{h - pad}" x2="{ox + w / 2 - pad}" '
                     f'y2="{h - pad}" stroke="#000"/>')  # fmt: skip
        parts.append(f'<line x1="{ox + pad}" y1="{pad}" x2="{ox + pad}" y2="{h - pad}" '
                     'stroke="#000"/>')  # fmt: skip
        parts.append(f'<text x="{ox + 5}" y="{pad}">{top:.0f}</text>')
        for s in sizes:
            parts.append(f'<text x="{ox + x(s) - 12}" y="{h - pad + 15}">{s:,}</text>')
        for k, (name, f, colour) in enumerate(series):
            pts = [(ox + x(r["size"]), y(f(r))) for r in rows if f(r)]
            path = " ".join(f"{a:.1f},{b:.1f}" for a, b in pts)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" '
                         'stroke-width="2"/>')  # fmt: skip
            parts += [f'<circle cx="{a:.1f}" cy="{b:.1f}" r="3" fill="{colour}"/>' for a, b in pts]
            parts.append(f'<text x="{ox + pad + 8}" y="{pad + 14 * k + 5}" fill="{colour}">'
                         f"{name}</text>")  # fmt: skip
    parts.append(f'<text x="{w / 2 - 40}" y="{h - 10}">documents (log scale)</text></svg>')
    return "\n".join(parts) + "\n"


def report(rows: list[dict], judged: dict, docs: Path | None) -> None:
    """Print the tables; with docs, replace the measured block of that file and write the plot."""
    body = "\n".join([*table(rows), "", *judged_lines(judged)])
    print(body)
    print(f"\ntargets: {TARGETS}")
    if docs is None:
        return
    plot = docs.with_suffix(".svg")
    plot.write_text(svg(rows), encoding="utf-8")
    text = (
        docs.read_text(encoding="utf-8") if docs.exists() else "<!-- table -->\n<!-- /table -->\n"
    )
    head, rest = text.split("<!-- table -->", 1)
    tail = rest.split("<!-- /table -->", 1)[1]
    docs.write_text(f"{head}<!-- table -->\n{body}\n<!-- /table -->{tail}", encoding="utf-8")
