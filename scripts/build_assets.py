"""Copy the npm libraries Maillage serves into maillage/static/vendor (no CDN, none committed)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
VENDOR = ROOT / "maillage" / "static" / "vendor"

FILES = {
    "htmx.org/dist/htmx.min.js": "htmx.min.js",
    "bootstrap/dist/css/bootstrap.min.css": "bootstrap.min.css",
    "bootstrap/dist/js/bootstrap.bundle.min.js": "bootstrap.bundle.min.js",
    "chart.js/dist/chart.umd.min.js": "chart.umd.min.js",
    "fullcalendar/index.global.min.js": "fullcalendar.global.min.js",
    "@fullcalendar/core/locales/fr-ca.global.min.js": "fullcalendar-fr-ca.global.min.js",
}


def main() -> int:
    VENDOR.mkdir(parents=True, exist_ok=True)
    for source, target in FILES.items():
        path = NODE / source
        if not path.exists():
            print(f"missing {path}: run `npm ci` first", file=sys.stderr)
            return 1
        shutil.copyfile(path, VENDOR / target)
    print(f"copied {len(FILES)} files into {VENDOR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
