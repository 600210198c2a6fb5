from __future__ import annotations

from maillage.cli import main

main()
