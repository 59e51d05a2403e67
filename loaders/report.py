"""An import's report, as a table for people, CSV for spreadsheets, or JSON for programs.

JSON: `{"summary": {"created", "updated", "unchanged", "withdrawn", "rejected", "warnings", "skipped"},
"rows": [{"ref", "action", "id", "reason"}]}`; the CSV has the rows' four columns; the table the summary and
every row but the unchanged ones (a re-import of thousands would bury what matters).
"""

from __future__ import annotations

import csv
import io
import json

from loaders.importing import Plan

FORMATS = ("table", "csv", "json")
COLUMNS = ("ref", "action", "id", "reason")


def render(plan: Plan, output_format: str) -> str:
    rows = [{"ref": row.ref, "action": row.action, "id": row.id, "reason": row.reason} for row in plan.rows]
    if output_format == "json":
        return json.dumps({"summary": plan.summary, "rows": rows}, ensure_ascii=False, indent=2) + "\n"
    if output_format == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows({name: "" if value is None else value for name, value in row.items()} for row in rows)
        return out.getvalue()
    return _table(plan, rows)


def _table(plan: Plan, rows: list[dict[str, str | None]]) -> str:
    shown = [row for row in rows if row["action"] != "unchanged"]
    widths = {name: max([len(name), *(len(row[name] or "") for row in shown)]) for name in COLUMNS[:-1]}
    lines = [f"{plan.source}: " + ", ".join(f"{count} {name}" for name, count in plan.summary.items())]
    if shown:
        lines.append("  ".join(name.ljust(widths[name]) for name in COLUMNS[:-1]) + "  reason")
        lines += [
            "  ".join((row[name] or "").ljust(widths[name]) for name in COLUMNS[:-1]) + "  " + (row["reason"] or "")
            for row in shown
        ]
    return "\n".join(lines) + "\n"
