"""Benchmark "Download my data" for a heavy LinkedIn user: memory of the streamed export.

Imports the LinkedIn benchmark's archive (110,000 rows) for one user, then measures in one run
the peak memory Python allocates (tracemalloc) to produce the whole export: (a) streamed, as
`/me/export/` sends it (`user_data_export_chunks`, written to a null sink chunk by chunk), and
(b) the baseline, the same rows built into one object and serialised at once with
`json.dumps`, as the download did before. Both must hold the same data.

    .venv/bin/python bench/export_user.py [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.import_linkedin import heavy_user


def _measured(produce: Callable[[], str]) -> tuple[float, float, str]:
    """(seconds, peak MB allocated, the JSON produced): timed on a first run, then traced on a
    second (tracemalloc slows Python down several times)."""
    began = time.perf_counter()
    produce()
    seconds = time.perf_counter() - began
    tracemalloc.start()
    text = produce()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak / 1e6, text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="maillage-bench-") as temp:
        user = heavy_user(Path(temp))
        from django.core.serializers.json import DjangoJSONEncoder

        from maillage.accounts import services

        def streamed() -> str:
            # Sent chunk by chunk: only the size is kept, as a socket keeps nothing.
            size = 0
            for chunk in services.user_data_export_chunks(user):
                size += len(chunk.encode("utf-8"))
            return str(size)

        def whole() -> str:
            export = {
                "user": services._row(user),
                "data": {
                    model._meta.label: [services._row(row) for row in rows]
                    for model, rows in services._owned(user)
                },
            }
            return json.dumps(export, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)

        stream_s, stream_mb, size = _measured(streamed)
        whole_s, whole_mb, text = _measured(whole)
        built = {label: rows for label, rows in json.loads(text)["data"].items() if rows}
        same = json.loads("".join(services.user_data_export_chunks(user)))["data"] == built
    if not same:
        raise SystemExit("the streamed and the whole export hold different data")
    result = {
        "memory_ratio": round(stream_mb / whole_mb, 3),
        "stream_peak_mb": round(stream_mb, 1),
        "whole_peak_mb": round(whole_mb, 1),
        "stream_s": round(stream_s, 2),
        "whole_s": round(whole_s, 2),
        "stream_mb": round(int(size) / 1e6, 1),
        "same_data": True,
    }
    if options.json:
        print(json.dumps(result))
    else:
        print(f"(a) streamed: peak {result['stream_peak_mb']:>7.1f} MB, {result['stream_s']:.2f} s")
        print(f"(b) whole:    peak {result['whole_peak_mb']:>7.1f} MB, {result['whole_s']:.2f} s")
        print(f"memory a/b:   {result['memory_ratio']:>12.3f}")
        print(f"export size:  {result['stream_mb']:>9.1f} MB, same data both ways")
    return 0


if __name__ == "__main__":
    sys.exit(main())
