"""The columns of a partner's spreadsheet of meeting places, and how each of a row's cells is read.

`COLUMNS` lists them with what the template's instructions say of each; `Cells` reads one row's cells, each
parsed or a `CellError` naming its column (see `loaders.spreadsheet` for the rules as a whole).
"""

from __future__ import annotations

import datetime
import functools
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from graph_api.hours import Schedule, Weekday
from graph_api.models import MeetingPlaceKind, Municipality, Point
from graph_api.text import fold
from loaders.importing import ROLES, Reference, check_postal_code
from loaders.opening_hours import Range, parse_date, parse_ranges, weekly
from loaders.sheet_files import Table, TableRow, column_letter

DAYS = {day.name.lower(): day for day in Weekday}
COMMENT = "#"
"""An id or a header that begins with it marks the partner's own row or column, not imported."""
T = TypeVar("T")

KIND_WORDS = {
    "perhekahvila": MeetingPlaceKind.FAMILY_CAFE,
    "kohtaamispaikka": MeetingPlaceKind.MEETING_PLACE,
    "perhetalo": MeetingPlaceKind.FAMILY_HOUSE,
    "avoin päiväkoti": MeetingPlaceKind.OPEN_DAYCARE,
    "avoin varhaiskasvatus": MeetingPlaceKind.OPEN_DAYCARE,
    "familjecafé": MeetingPlaceKind.FAMILY_CAFE,
    "familjekafé": MeetingPlaceKind.FAMILY_CAFE,
    "mötesplats": MeetingPlaceKind.MEETING_PLACE,
    "familjehus": MeetingPlaceKind.FAMILY_HOUSE,
    "öppet daghem": MeetingPlaceKind.OPEN_DAYCARE,
    "öppen småbarnspedagogik": MeetingPlaceKind.OPEN_DAYCARE,
}
"""The words a district may write for a kind; the first of each kind is the template's drop-down choice."""
KINDS = {fold(word): kind for word, kind in KIND_WORDS.items()} | {fold(kind.value): kind for kind in MeetingPlaceKind}


def kind_choices() -> list[str]:
    """The word for each kind that the template offers: the first Finnish word `KIND_WORDS` gives it."""
    first: dict[MeetingPlaceKind, str] = {}
    for word, kind in KIND_WORDS.items():
        first.setdefault(kind, word)
    return [first[kind] for kind in MeetingPlaceKind if kind in first]


@dataclass(frozen=True, slots=True)
class Column:
    """A column of the spreadsheet, with what the template's instructions say of it and its example value."""

    name: str
    help: str
    example: object = None
    required: bool = False


DAY_NAMES = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")
COLUMNS = (
    Column("id", "Your own id of the place, unique in the file. Empty: the name and municipality identify it. "
           "A row whose id begins with # is not imported.", "#example"),
    Column("name", "The place's name (in Finnish).", "Perhekahvila Esimerkki", required=True),
    Column("name_sv", "Its name in Swedish, if it has one.", "Familjecafé Exempel"),
    Column("kind", "perhekahvila, kohtaamispaikka, perhetalo or avoin päiväkoti (also FAMILY_CAFE, MEETING_PLACE, "
           "FAMILY_HOUSE, OPEN_DAYCARE, or the Swedish word).", "perhekahvila", required=True),
    Column("organiser", "Who runs it: an id like District:uusimaa, LocalAssociation:la-091-1 or Organization:mll, "
           "or the exact name of a district, local association, organisation or family centre in the service.",
           "MLL:n Uudenmaan piiri"),
    Column("role", "The organiser's role: COORDINATOR (when empty) or PARTNER.", "COORDINATOR"),
    Column("street_address", "Street and number.", "Mannerheimintie 1"),
    Column("postal_code", "Five digits.", "00100"),
    Column("municipality", "The municipality's name in Finnish or Swedish, or its code (091).", "Helsinki",
           required=True),
    Column("lat", "Latitude in decimal degrees (60.1686 or 60,1686). With lon; when both are empty, the place is "
           "found by its address.", 60.1686),
    Column("lon", "Longitude in decimal degrees (24.9414).", 24.9414),
    *(Column(code, f"Opening hours on {days}: 9-11 or 09:30-11:30, several as 9-11, 13-15; empty when closed.",
             example) for code, days, example in zip(DAYS, DAY_NAMES, ("", "9-11", "", "9-11, 13-15", "", "", ""),
                                                      strict=True)),
    Column("valid_from", "The first day these hours apply (2026-01-31 or 31.1.2026); empty: always."),
    Column("valid_to", "The last day these hours apply; empty: until further notice."),
)  # fmt: skip
BY_NAME = {column.name: column for column in COLUMNS}


class CellError(ValueError):
    """A cell's value that cannot be taken, by its column's name."""

    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column = column


class Cells:
    """One row's cells by column name, each parsed or a CellError naming its column."""

    def __init__(self, table: Table, columns: dict[str, int], row: TableRow) -> None:
        self.table, self.columns, self.row = table, columns, row
        self.errors: dict[str, str] = {}
        """The reason for each column's first fault."""

    def fault(self, exc: CellError) -> None:
        self.errors.setdefault(exc.column, str(exc))

    def attempt(self, parse: Callable[[], T]) -> T | None:
        """What `parse` gives, or None with its CellError kept in `errors`: a row's faults are told together."""
        try:
            return parse()
        except CellError as exc:
            self.fault(exc)
            return None

    async def attempt_async(self, parse: Awaitable[T]) -> T | None:
        try:
            return await parse
        except CellError as exc:
            self.fault(exc)
            return None

    def letter(self, column: str) -> str:
        index = self.columns.get(column)
        return column_letter(index) if index is not None else column

    def raw(self, column: str) -> object:
        index = self.columns.get(column)
        return self.row.cells[index] if index is not None and index < len(self.row.cells) else None

    def text(self, column: str) -> str:
        value = self.raw(column)
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip()

    def required(self, column: str) -> str:
        text = self.text(column)
        if not text:
            raise CellError(column, "is empty, and it is required")
        return text

    def check_headerless(self) -> None:
        """A value under a column without a header would be lost: an error."""
        for index, value in enumerate(self.row.cells):
            header = self.table.header[index].strip() if index < len(self.table.header) else ""
            if not header and value is not None and str(value).strip():
                letter = column_letter(index)
                raise CellError(letter, f"{value!r} is in a column without a header (name the column, or # it)")

    def municipality(self, reference: Reference) -> Municipality:
        text = self.required("municipality")
        found = reference.municipality(text)
        if found is None:
            raise CellError("municipality", f"{text!r} is no Finnish municipality's name or code")
        return found

    def kind(self) -> MeetingPlaceKind:
        text = self.required("kind")
        kind = KINDS.get(fold(" ".join(text.split())))
        if kind is None:
            raise CellError("kind", f"{text!r} is not a kind: write one of {', '.join(kind_choices())}")
        return kind

    def role(self) -> str:
        role = self.text("role").upper()
        if role and role not in ROLES:
            raise CellError("role", f"{role!r} is not one of {', '.join(ROLES)}")
        return role

    def postal_code(self) -> str:
        """The postal code by `check_postal_code`, or empty; a number (Excel drops leading zeros) has them back."""
        value = self.raw("postal_code")
        text = f"{value:05d}" if isinstance(value, int) and 0 <= value < 100_000 else self.text("postal_code")
        try:
            return check_postal_code(text) if text else ""
        except ValueError as exc:
            raise CellError("postal_code", str(exc)) from None

    def point(self) -> Point | None:
        lat, lon = self._degrees("lat"), self._degrees("lon")
        if lat is None and lon is None:
            return None
        if lat is None or lon is None:
            raise CellError("lat" if lat is None else "lon", "is empty: give both lat and lon, or neither")
        return Point(lat, lon)

    def _degrees(self, column: str) -> float | None:
        value = self.raw(column)
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = float(value)
        else:
            text = self.text(column).replace(",", ".")
            if not text:
                return None
            try:
                number = float(text)
            except ValueError:
                raise CellError(column, f"{self.text(column)!r} is not decimal degrees like 60.1699") from None
        if not math.isfinite(number):
            raise CellError(column, f"{number} is not decimal degrees")
        return number

    def schedules(self) -> tuple[Schedule, ...] | None:
        """The weekly hours, or None when a cell of them is at fault: each such cell's fault is kept."""
        before = len(self.errors)
        days = {day: self.attempt(functools.partial(self._ranges, code)) or [] for code, day in DAYS.items()}
        valid_from = self.attempt(functools.partial(self._date, "valid_from"))
        valid_to = self.attempt(functools.partial(self._date, "valid_to"))
        if len(self.errors) > before:
            return None
        if not any(days.values()):
            if valid_from or valid_to:
                column = "valid_from" if valid_from else "valid_to"
                self.fault(CellError(column, "dates of hours, but the row has no hours"))
                return None
            return ()
        return self.attempt(lambda: self._weekly(days, valid_from, valid_to))

    def _ranges(self, code: str) -> list[Range]:
        value = self.raw(code)
        if not isinstance(value, str | int | float | None):
            raise CellError(code, f"{value!r} is not hours (Excel took it for a date?): format the column as text "
                            "and write 9-11")  # fmt: skip
        try:
            return parse_ranges(self.text(code))
        except ValueError as exc:
            raise CellError(code, str(exc)) from None

    @staticmethod
    def _weekly(
        days: dict[Weekday, list[Range]], valid_from: datetime.date | None, valid_to: datetime.date | None
    ) -> tuple[Schedule, ...]:
        try:
            return weekly(days, valid_from, valid_to)
        except ValueError as exc:
            raise CellError("valid_to", str(exc)) from None

    def _date(self, column: str) -> datetime.date | None:
        value = self.raw(column)
        if value is None or not self.text(column):
            return None
        try:
            return parse_date(value)
        except ValueError as exc:
            raise CellError(column, str(exc)) from None
