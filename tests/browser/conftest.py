"""The browser test imports the committed generated package, as the end-to-end tests do."""

from __future__ import annotations

import sys
from pathlib import Path

GENERATED = Path(__file__).resolve().parents[2] / "generated" / "runway-characters"
if str(GENERATED) not in sys.path:
    sys.path.insert(0, str(GENERATED))
