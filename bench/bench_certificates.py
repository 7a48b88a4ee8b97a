"""Benchmark certificate rendering: per-certificate cost, overhead over bare WeasyPrint, a pooled batch."""

import argparse
import base64
import hashlib
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    # Run as a plain script from a checkout, whether or not the package is installed.
    sys.path.insert(0, str(ROOT))

from weasyprint import HTML  # noqa: E402
from weasyprint.text.fonts import FontConfiguration  # noqa: E402

from lms.certificates.render import (  # noqa: E402
    QR_URL,
    STYLESHEET_FILE,
    qr_png,
    render_certificate_html,
    render_certificate_pdf,
    template_folder,
)

CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
SURNAMES = [
    "山田",
    "佐藤",
    "鈴木",
    "高橋",
    "田中",
    "伊藤",
    "渡辺",
    "中村",
    "小林",
    "加藤",
    "長谷川",
    "五十嵐",
]
GIVEN_NAMES = ["太郎", "花子", "健一", "美咲", "大輔", "由美", "翔太", "真理子", "誠", "千尋", "隆之介"]
MODULES = [
    "総合診療の基本姿勢",
    "高齢者の包括的評価",
    "在宅医療と訪問診療",
    "地域包括ケアシステム",
    "多疾患併存の診療",
    "ポリファーマシー対策",
    "小児のよくある症状",
    "救急初期対応",
    "緩和ケアの基本",
    "認知症の診療",
    "予防医療と健診",
    "多職種連携とチーム医療",
]


def make_context(i: int) -> dict[str, Any]:
    """Return the i-th synthetic certificate context; names, codes and module counts vary."""
    digest = hashlib.sha256(str(i).encode()).digest()
    code = "".join(CODE_ALPHABET[b % 32] for b in digest[:16])
    return {
        "holder_name": f"{SURNAMES[i % len(SURNAMES)]} {GIVEN_NAMES[i * 7 % len(GIVEN_NAMES)]}",
        "program_title": "総合診療医養成リカレントプログラム（令和8年度）",
        "modules": MODULES[: 6 + i % 7],
        "ojt_hours": 80 + (i % 5) * 10,
        "completed_on": date(2026, 4, 1) + timedelta(days=i % 300),
        "issued_on": date(2027, 3, 1),
        "certificate_number": f"RC-2026-{i:06d}",
        "verification_code": code,
        "verification_url": f"https://recurrent.example.jp/verify/{code}",
    }


def bare_html(context: dict[str, Any]) -> str:
    """Return the same certificate as self-contained HTML: stylesheet inlined, QR code as a data: URL."""
    css = (template_folder(None) / STYLESHEET_FILE).read_text(encoding="utf-8")
    qr = "data:image/png;base64," + base64.b64encode(qr_png(context["verification_url"])).decode()
    html = render_certificate_html(context).replace(QR_URL, qr)
    return html.replace("</head>", f"<style>{css}</style></head>", 1)


def timed(function: Callable[[], Any], repeat: int) -> list[tuple[float, float]]:
    """Return (wall-clock, CPU) seconds of ``repeat`` calls."""
    times = []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        function()
        times.append((time.perf_counter() - wall, time.process_time() - cpu))
    return times


def describe(times: list[tuple[float, float]]) -> str:
    """Format the wall-clock median, minimum and 90th percentile, and the CPU median, in milliseconds."""
    wall = sorted(t[0] for t in times)
    p90 = wall[int(0.9 * (len(wall) - 1))]
    cpu = statistics.median(t[1] for t in times)
    return (
        f"median {statistics.median(wall) * 1000:6.1f} ms  min {wall[0] * 1000:6.1f}  p90 {p90 * 1000:6.1f}"
        f"  | CPU median {cpu * 1000:6.1f} ms"
    )


def single(repeat: int) -> None:
    """Compare render_certificate_pdf with bare WeasyPrint renders of the same HTML, interleaved."""
    context = make_context(1)
    html = bare_html(context)
    base_url = str(template_folder(None)) + "/"
    font_config = FontConfiguration()
    sides: dict[str, Callable[[], bytes]] = {
        "render_certificate_pdf": lambda: render_certificate_pdf(context),
        "bare HTML().write_pdf()": lambda: HTML(string=html, base_url=base_url).write_pdf(),
        # What WeasyPrint alone costs once fonts are loaded: the difference to ours is what we add.
        "bare, one FontConfiguration": lambda: HTML(string=html, base_url=base_url).write_pdf(
            font_config=font_config
        ),
    }
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in sides}
    for render in sides.values():
        render()  # warm-up: imports, fontconfig, first-use caches
    # Interleaved so that load from other processes hits every side alike.
    for _ in range(repeat):
        for name, render in sides.items():
            times[name] += timed(render, 1)
    times["  of which Jinja + QR PNG"] = timed(
        lambda: (render_certificate_html(context), qr_png(context["verification_url"])), repeat
    )
    for name, values in times.items():
        print(f"{name:30s} {describe(values)}")
    ours = statistics.median(t[0] for t in times["render_certificate_pdf"])
    for name in ("bare HTML().write_pdf()", "bare, one FontConfiguration"):
        overhead = ours / statistics.median(t[0] for t in times[name]) - 1
        print(f"overhead vs {name:27s} {overhead * 100:+.1f} % of the median (target <= +30 %)")
    sizes = {name: len(render()) / 1024 for name, render in sides.items()}
    print("PDF size: " + ", ".join(f"{size:.1f} KiB {name}" for name, size in sizes.items()))


def batch(count: int, workers: int) -> None:
    """Render ``count`` certificates in a process pool and report time and peak memory."""
    contexts = [make_context(i) for i in range(count)]
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    total_bytes = 0
    largest = 0
    with ProcessPoolExecutor(workers) as pool:
        for pdf in pool.map(render_certificate_pdf, contexts, chunksize=20):
            total_bytes += len(pdf)
            largest = max(largest, len(pdf))
    elapsed = time.perf_counter() - start
    # RUSAGE_CHILDREN covers the pool workers, all joined by now; ru_maxrss is in KiB on Linux.
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (children.ru_utime + children.ru_stime) - (children_before.ru_utime + children_before.ru_stime)
    parent_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_rss = children.ru_maxrss / 1024
    print(
        f"batch of {count} in ProcessPoolExecutor({workers}): {elapsed:.1f} s (target < 35 s), "
        f"{elapsed / count * 1000:.1f} ms per certificate"
    )
    # CPU time does not depend on what else the machine runs; divided by the workers it is the wall time
    # the batch would take on otherwise idle cores.
    print(
        f"  worker CPU: {cpu:.1f} s, {cpu / count * 1000:.1f} ms per certificate, "
        f"{cpu / workers:.1f} s per worker"
    )
    print(f"  PDFs: {total_bytes / count / 1024:.1f} KiB average, {largest / 1024:.1f} KiB largest")
    print(f"  peak RSS: parent {parent_rss:.0f} MiB, largest worker {child_rss:.0f} MiB")


def main() -> None:
    """Parse arguments and run both benchmarks."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", "--repeat", type=int, default=30, help="single renders per side (median of N)")
    parser.add_argument("--batch", type=int, default=1000, help="certificates in the pooled batch (0 skips)")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    print(f"cpus {os.cpu_count()}, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    single(args.repeat)
    if args.batch:
        batch(args.batch, args.workers)


if __name__ == "__main__":
    main()
