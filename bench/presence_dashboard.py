"""Benchmark the personal dashboard of a heavy LinkedIn user on SQLite (bench/README.md).

Imports the LinkedIn benchmark's archive (110,000 rows, three years) for one user, then
measures in one run the dashboard's data (`presence_dashboard`, what both the page and its
JSON compute) with (a) Maillage's `LocalDate`, and (b) the baseline, Django's
`TruncDate(field, tzinfo=zone)`, which SQLite evaluates with a Python function per row. Both
must give the same dashboard; the fastest of `--repeat` runs of each counts.

    .venv/bin/python bench/presence_dashboard.py [--json] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.import_linkedin import heavy_user

REPEAT = 5


def _fastest(measure: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        result = measure()
        times.append(time.perf_counter() - began)
    return min(times), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--repeat", type=int, default=REPEAT, help="runs of each side")
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="maillage-bench-") as temp:
        user = heavy_user(Path(temp))
        from django.db.models.functions import TruncDate

        from maillage.presence import selectors
        from maillage.presence.services import presence_recompute

        presence_recompute(user)

        def dashboard() -> dict[str, Any]:
            return selectors.presence_dashboard_json(selectors.presence_dashboard(user))

        repeat = max(1, options.repeat)
        local_s, local = _fastest(dashboard, repeat)

        def truncated(field: str, zone: Any) -> Any:
            return TruncDate(field, tzinfo=zone)

        original = selectors.LocalDate
        selectors.LocalDate = truncated  # type: ignore[assignment,misc]
        try:
            baseline_s, baseline = _fastest(dashboard, repeat)
        finally:
            selectors.LocalDate = original  # type: ignore[misc]
    if local != baseline:
        raise SystemExit("LocalDate and TruncDate gave different dashboards")
    result = {
        "ratio": round(local_s / baseline_s, 2),
        "dashboard_s": round(local_s, 3),
        "baseline_s": round(baseline_s, 3),
        "same_dashboard": True,
    }
    if options.json:
        print(json.dumps(result))
    else:
        print(f"(a) dashboard, LocalDate:     {result['dashboard_s']:>7.3f} s")
        print(f"(b) dashboard, TruncDate:     {result['baseline_s']:>7.3f} s")
        print(f"ratio a/b:                    {result['ratio']:>7.2f}")
        print("same dashboard both ways:        yes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
