"""Example form definitions shipped with Rathaus (the demo wires them to catalogue services)."""

import json
from pathlib import Path

DIRECTORY = Path(__file__).parent


def load(name: str) -> dict:
    """The definition ``<name>.json`` of this directory as a dict."""
    return json.loads((DIRECTORY / f"{name}.json").read_text(encoding="utf-8"))


def names() -> list[str]:
    return sorted(path.stem for path in DIRECTORY.glob("*.json"))
