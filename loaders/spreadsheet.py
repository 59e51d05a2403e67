"""Partners' spreadsheets of meeting places (`graph-api import spreadsheet FILE`): one row a place.

The file is a .csv or .xlsx (`loaders.sheet_files` says which encodings and delimiters, and which sheet);
the first line names the columns of `loaders.sheet_cells.COLUMNS`, in any order and case. `name`, `kind` and
`municipality` are required. A column whose header begins with `#` is the partner's own and ignored; any other
unknown column rejects the whole file (a misspelt `stret_address` would otherwise lose every address), naming
the header's cell.

Each row becomes a `MeetingPlace` from the source `spreadsheet:<file name>`, so keep the file's name from one
import to the next: what an import of the same name listed before and lists no more is withdrawn.

- Key: the row's `id` (the partner's own, kept as `source_id`), or when it is empty the place's name and
  municipality code; made a key by folding it to `a-z0-9-` behind the file's name folded likewise
  (`cafes.csv`, id `17` → `cafes-csv-17`; no id → `cafes-csv-perhekahvila-nuppu-091`). Two rows with one key
  are an error at the second. A row whose id begins with `#` is a comment (the template's example), skipped.
- Kind: a `MeetingPlaceKind` value, or the Finnish or Swedish word in `sheet_cells.KIND_WORDS`, case and accents aside.
- Organiser (optional): a global id (`District:uusimaa`, `LocalAssociation:la-091-1`, `Organization:mll`,
  `FamilyCentre:fc-hki`), or the exact name of one; it must exist. `role` is COORDINATOR (the default) or PARTNER.
- Municipality: a code or a Finnish or Swedish name (`Reference.municipality`).
- Place: `lat` and `lon` in decimal degrees (a decimal comma is fine), checked by `Reference.check_point`; without
  them, the configured geocoder places the street address, postal code and municipality, and a point coarser
  than a street is kept with a warning that says so (at the municipality's centre: "placed at the municipality's
  centre only"). A row that cannot be placed in its municipality is rejected.
- Hours: one column a weekday, `mo` ... `su`, as `loaders.opening_hours` reads them, with `valid_from`/`valid_to`.

The row owns its `RUN_BY` and `LOCATED_IN` relationships: an organiser removed from the row is unlinked. Text is
kept as written, surrounding whitespace aside. A rejection names `file:line:column`, the column by its letter
(as Excel shows it, for both formats) and the reason by its header.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from graph_api.geo.geocoding import MAX_ADDRESS_LENGTH, Geocoder, Precision, normalise_address
from graph_api.models import MeetingPlace, Municipality, NodeRef, Point, Relationship
from graph_api.text import fold
from loaders.importing import ROLES, Found, Reading, Reference, Rejection
from loaders.sheet_cells import BY_NAME, COLUMNS, COMMENT, CellError, Cells
from loaders.sheet_files import Table, TableError, TableRow, column_letter, read_table

SOURCE_PREFIX = "spreadsheet:"
SHEET = "places"
"""The workbook sheet read (the template's), or else the first one."""
LABELS = frozenset({"MeetingPlace"})
OWNS = frozenset({"RUN_BY", "LOCATED_IN"})
PRECISE = frozenset({Precision.ADDRESS, Precision.STREET})


async def read_spreadsheet(path: Path, reference: Reference, geocoder: Geocoder, max_bytes: int) -> Reading:
    """The meeting places of a partner's .csv or .xlsx file; a file that cannot be read is one rejection and
    an incomplete reading (nothing is withdrawn)."""
    reading = Reading(SOURCE_PREFIX + path.name, LABELS)
    try:
        table = read_table(path, max_bytes, BY_NAME, SHEET)
        columns = _columns(table)
    except TableError as exc:
        reading.rejected.append(Rejection(exc.where, exc.reason))
        reading.complete = False
        return reading
    if table.note:
        reading.warnings.append((table.name, table.note))
    rows = _Rows(reading, table, columns, reference, geocoder)
    for row in table.rows:
        await rows.read(row)
    return reading


def _columns(table: Table) -> dict[str, int]:
    """Each known column's index; a TableError for an unknown, repeated or missing one."""
    columns: dict[str, int] = {}
    for index, header in enumerate(table.header):
        name, where = fold(header.strip()), f"{table.name}:1:{column_letter(index)}"
        if not name or name.startswith(COMMENT):
            continue
        if name not in BY_NAME:
            raise TableError(where, f"{header!r} is no column of this import{_closest(name)}; the columns are "
                             f"{', '.join(BY_NAME)}, and one whose header begins with # is ignored")  # fmt: skip
        if name in columns:
            raise TableError(where, f"the column {name!r} is there twice, also in {column_letter(columns[name])}")
        columns[name] = index
    missing = [column.name for column in COLUMNS if column.required and column.name not in columns]
    if missing:
        raise TableError(f"{table.name}:1", f"the required column(s) {', '.join(missing)} are missing")
    return columns


def _closest(name: str) -> str:
    close = difflib.get_close_matches(name, BY_NAME, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


@dataclass
class _Rows:
    """Reads the table's rows into the reading, one at a time, remembering the keys of the rows before."""

    reading: Reading
    table: Table
    columns: dict[str, int]
    reference: Reference
    geocoder: Geocoder
    keys: dict[str, int] = field(default_factory=dict)

    async def read(self, row: TableRow) -> None:
        """The row's place into the reading, or a rejection for each of its cells that cannot be taken."""
        cells = Cells(self.table, self.columns, row)
        where = f"{self.table.name}:{row.line}"
        if cells.text("id").startswith(COMMENT):
            self.reading.skipped.append((where, "a comment: its id begins with #"))
            return
        cells.attempt(cells.check_headerless)
        key = cells.attempt(lambda: self._key(cells))
        found = await self._found(cells, key, where)
        if found is not None:
            self.reading.found.append(found)
        id_ = None if key is None else str(NodeRef("MeetingPlace", key))
        self.reading.rejected += [
            Rejection(f"{where}:{cells.letter(column)}", f"{column}: {reason}", id_)
            for column, reason in sorted(cells.errors.items(), key=lambda fault: self._order(fault[0]))
        ]

    def _order(self, column: str) -> int:
        """Where a column stands in the table, so that a row's faults are told left to right."""
        return self.columns.get(column, len(self.table.header))

    def _key(self, cells: Cells) -> str:
        own = cells.text("id")
        column = "id" if own else "name"
        ident = own or f"{cells.required('name')}-{cells.municipality(self.reference).key}"
        slug = _slug(ident)
        if not slug:
            raise CellError(column, f"{ident!r} has no letter or digit to make a key of")
        key = f"{_slug(self.table.name)}-{slug}"
        if key in self.keys:
            what = f"the id {own!r}" if own else "the same name in the same municipality"
            raise CellError(column, f"line {self.keys[key]} has {what} already (each place needs an id of its own)")
        self.keys[key] = cells.row.line
        return key

    async def _found(self, cells: Cells, key: str | None, where: str) -> Found | None:
        """The row's place, or None when a cell of it cannot be taken (`cells.errors` says which)."""
        name = cells.attempt(lambda: cells.required("name"))
        kind = cells.attempt(cells.kind)
        municipality = cells.attempt(lambda: cells.municipality(self.reference))
        postal_code = cells.attempt(cells.postal_code)
        schedules = cells.schedules()
        point = cells.attempt(cells.point)
        run_by = self._run_by(cells)
        if cells.errors:
            return None
        assert key and name and kind and municipality and postal_code is not None and schedules is not None
        street = cells.text("street_address")
        placed = await cells.attempt_async(self._place(point, municipality, street, postal_code))
        if placed is None:
            return None
        start = NodeRef("MeetingPlace", key)
        relationships = [Relationship("LOCATED_IN", start, NodeRef.of(municipality), self.reading.source, {})]
        relationships += [Relationship("RUN_BY", start, end, self.reading.source, {"role": r}) for end, r in run_by]
        node = MeetingPlace(
            key,
            self.reading.source,
            name,
            kind,
            placed[0],
            schedules,
            name_sv=cells.text("name_sv") or None,
            street_address=street or None,
            postal_code=postal_code or None,
            source_id=cells.text("id") or key.removeprefix(f"{_slug(self.table.name)}-"),
        )
        return Found(where, node, tuple(relationships), OWNS, tuple(placed[1]))

    def _run_by(self, cells: Cells) -> list[tuple[NodeRef, str]]:
        """The organiser and its role, none when the row names none."""
        organiser, role = cells.text("organiser"), cells.attempt(cells.role)
        if not organiser:
            if role:
                cells.fault(CellError("role", "a role without an organiser: name the organiser too"))
            return []
        try:
            return [(self.reference.organiser(organiser), role or ROLES[0])]
        except ValueError as exc:
            cells.fault(CellError("organiser", str(exc)))
            return []

    async def _place(
        self, point: Point | None, municipality: Municipality, street: str, postal_code: str
    ) -> tuple[Point, list[str]]:
        """The row's point and the warnings about it: its lat and lon, or else where the geocoder puts it."""
        if point is not None:
            try:
                warning = self.reference.check_point(point, municipality)
            except ValueError as exc:
                raise CellError("lat", str(exc)) from None
            return point, [warning] if warning else []
        address = normalise_address(", ".join(p for p in (street, f"{postal_code} {municipality.name_fi}") if p))
        if len(address) > MAX_ADDRESS_LENGTH:
            raise CellError("street_address", f"the address is over {MAX_ADDRESS_LENGTH} characters: give lat/lon")
        geocoding = await self.geocoder.geocode(address)
        for result in geocoding.results:
            try:
                warning = self.reference.check_point(result.location, municipality)
            except ValueError:
                continue
            return result.location, [w for w in (warning, _coarse(result.precision, result.label)) if w]
        found = f"only places outside {municipality.name_fi}" if geocoding.results else f"nothing ({geocoding.reason})"
        raise CellError("street_address", f"the geocoder found {found} for {address!r}: give lat and lon")


def _coarse(precision: Precision, label: str) -> str | None:
    """The warning for a geocoded point less precise than a street, or None."""
    if precision in PRECISE:
        return None
    if precision is Precision.MUNICIPALITY:
        return "placed at the municipality's centre only: give the street address or lat/lon"
    return f"placed at {label} only ({precision.value.lower().replace('_', ' ')} precision): give lat/lon"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
