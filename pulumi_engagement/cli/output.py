"""Rendering result documents as JSON, YAML or a plain-text table.

Documents are plain dicts of strings, numbers, booleans, None, lists and dicts
(the core's ``to_dict()`` output), so every format shows the same data.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

FORMATS = ("json", "yaml", "table")
_RECORD_LISTS = ("engagements", "pages", "receipts", "reaches", "gaps")


class OutputUnavailable(Exception):
    """The chosen format cannot be produced here (PyYAML missing)."""


def check_available(fmt: str) -> None:
    """Fail before anything is sent when the format needs a missing optional module."""
    if fmt == "yaml":
        try:
            import yaml  # noqa: F401  (imported only for yaml output: keeps the start path lean)
        except ImportError:
            raise OutputUnavailable(
                "--output yaml needs PyYAML, which is not installed: "
                "pip install PyYAML (or use --output json)"
            ) from None


def render(doc: Any, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(doc, indent=2, ensure_ascii=False)
    if fmt == "yaml":
        import yaml

        return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, default_flow_style=False).rstrip("\n")
    if fmt == "table":
        return render_table(doc)
    raise ValueError(f"unknown output format {fmt!r}")


def write(doc: Any, fmt: str, stream: TextIO) -> None:
    stream.write(render(doc, fmt) + "\n")
    stream.flush()


# -- table -------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        # Receipts read best as their type; other nested mappings as key=value.
        if "receipt_type" in value:
            return str(value["receipt_type"])
        return " ".join(f"{k}={_cell(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(_cell(v) for v in value) if value else "-"
    # One line per row: newlines inside a subject or content would break the layout.
    return str(value).replace("\r", " ").replace("\n", " ")


def _key_values(rows: list[tuple[str, Any]]) -> list[str]:
    if not rows:
        return []
    width = max(len(k) for k, _ in rows)
    return [f"{k.ljust(width)}  {_cell(v)}" for k, v in rows]


def _columns(items: list[dict[str, Any]]) -> list[str]:
    if not items:
        return ["(none)"]
    headers: list[str] = []
    for item in items:
        headers.extend(k for k in item if k not in headers)
    cells = [[_cell(item.get(h)) for h in headers] for item in items]
    widths = [max(len(h), *(len(row[i]) for row in cells)) for i, h in enumerate(headers)]
    lines = ["  ".join(h.upper().ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines.extend("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells)
    return lines


def render_table(doc: Any) -> str:
    """Scalars and nested mappings as aligned key/value rows; lists of mappings as columns."""
    if isinstance(doc, list):
        return "\n".join(_columns(doc))
    rows: list[tuple[str, Any]] = []
    tables: list[tuple[str, list[dict[str, Any]]]] = []

    def collect(prefix: str, mapping: dict[str, Any]) -> None:
        for key, value in mapping.items():
            name = f"{prefix}{key}"
            if isinstance(value, dict):
                collect(f"{name}.", value)
            elif isinstance(value, list) and (
                # Lists of records are tables; the empty record lists too, shown as "(none)".
                (value and all(isinstance(v, dict) for v in value)) or (not value and key in _RECORD_LISTS)
            ):
                tables.append((name, value))
            else:
                rows.append((name, value))

    collect("", doc)
    blocks = []
    if rows:
        blocks.append("\n".join(_key_values(rows)))
    for name, items in tables:
        title = [] if not rows and len(tables) == 1 else [f"{name}:"]
        blocks.append("\n".join(title + _columns(items)))
    return "\n\n".join(blocks)
