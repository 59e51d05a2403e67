"""The files of an Open Referral HSDS 3.0 tabular data package: the tables this service reads and writes,
their columns, and reading them with the place of every problem (`file:line:column`).

Table names, file names and columns, in the standard's order, are those of HSDS 3.0's `datapackage.json` and
`schema/<table>.json` (github.com/openreferral/specification, tag v3.0): `organizations.csv`, `locations.csv`,
`addresses.csv`, `services.csv`, `service_at_location.csv`, `schedules.csv`, `attributes.csv`,
`taxonomy_terms.csv`, `organization_identifiers.csv`. A file named as its table (`organization.csv`) is read too.
Files are UTF-8 (a byte-order mark is allowed), with a header row.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from loaders.csvfiles import write_rows
from loaders.importing import Rejection


@dataclass(frozen=True, slots=True)
class Table:
    """One HSDS table: its file, its columns, those this service cannot read it without, and whether a package
    may leave the file out."""

    name: str
    path: str
    columns: tuple[str, ...]
    required: tuple[str, ...]
    optional: bool = False


ORGANIZATION = Table(
    "organization",
    "organizations.csv",
    (
        "id",
        "name",
        "alternate_name",
        "description",
        "email",
        "website",
        "tax_status",
        "tax_id",
        "year_incorporated",
        "legal_status",
        "logo",
        "uri",
        "parent_organization_id",
    ),
    ("id", "name"),
)
ORGANIZATION_IDENTIFIER = Table(
    "organization_identifier",
    "organization_identifiers.csv",
    ("id", "organization_id", "identifier_scheme", "identifier_type", "identifier"),
    ("id", "organization_id", "identifier_type", "identifier"),
    optional=True,
)
LOCATION = Table(
    "location",
    "locations.csv",
    (
        "id",
        "location_type",
        "url",
        "organization_id",
        "name",
        "alternate_name",
        "description",
        "transportation",
        "latitude",
        "longitude",
        "external_identifier",
        "external_identifier_type",
    ),
    ("id", "name", "latitude", "longitude"),
)
ADDRESS = Table(
    "address",
    "addresses.csv",
    (
        "id",
        "location_id",
        "attention",
        "address_1",
        "address_2",
        "city",
        "region",
        "state_province",
        "postal_code",
        "country",
        "address_type",
    ),
    ("id", "location_id", "address_1", "city", "postal_code"),
)
SERVICE = Table(
    "service",
    "services.csv",
    (
        "id",
        "organization_id",
        "program_id",
        "name",
        "alternate_name",
        "description",
        "url",
        "email",
        "status",
        "interpretation_services",
        "application_process",
        "fees_description",
        "wait_time",
        "fees",
        "accreditations",
        "eligibility_description",
        "minimum_age",
        "maximum_age",
        "assured_date",
        "assurer_email",
        "licenses",
        "alert",
        "last_modified",
    ),
    ("id", "organization_id"),
)
SERVICE_AT_LOCATION = Table(
    "service_at_location",
    "service_at_location.csv",
    ("id", "service_id", "location_id", "description"),
    ("id", "service_id", "location_id"),
)
SCHEDULE = Table(
    "schedule",
    "schedules.csv",
    (
        "id",
        "service_id",
        "location_id",
        "service_at_location_id",
        "valid_from",
        "valid_to",
        "dtstart",
        "timezone",
        "until",
        "count",
        "wkst",
        "freq",
        "interval",
        "byday",
        "byweekno",
        "bymonthday",
        "byyearday",
        "description",
        "opens_at",
        "closes_at",
        "schedule_link",
        "attending_type",
        "notes",
    ),
    ("id", "location_id", "freq", "byday", "opens_at", "closes_at", "timezone"),
)
TAXONOMY_TERM = Table(
    "taxonomy_term",
    "taxonomy_terms.csv",
    ("id", "code", "name", "description", "parent_id", "taxonomy", "language", "taxonomy_id", "term_uri"),
    ("id", "code", "taxonomy"),
    optional=True,
)
ATTRIBUTE = Table(
    "attribute",
    "attributes.csv",
    ("id", "link_id", "taxonomy_term_id", "link_type", "link_entity", "value"),
    ("id", "link_id", "taxonomy_term_id", "link_entity"),
    optional=True,
)
TABLES = (
    ORGANIZATION,
    ORGANIZATION_IDENTIFIER,
    LOCATION,
    ADDRESS,
    SERVICE,
    SERVICE_AT_LOCATION,
    SCHEDULE,
    TAXONOMY_TERM,
    ATTRIBUTE,
)

FOREIGN_KEYS = (
    (ORGANIZATION, "parent_organization_id", ORGANIZATION),
    (ORGANIZATION_IDENTIFIER, "organization_id", ORGANIZATION),
    (LOCATION, "organization_id", ORGANIZATION),
    (ADDRESS, "location_id", LOCATION),
    (SERVICE, "organization_id", ORGANIZATION),
    (SERVICE_AT_LOCATION, "service_id", SERVICE),
    (SERVICE_AT_LOCATION, "location_id", LOCATION),
    (SCHEDULE, "location_id", LOCATION),
    (SCHEDULE, "service_id", SERVICE),
    (SCHEDULE, "service_at_location_id", SERVICE_AT_LOCATION),
    (ATTRIBUTE, "taxonomy_term_id", TAXONOMY_TERM),
)
"""The columns that hold the `id` of a row of another table: the standard's `foreignKeys`, and the parent
organisation's id."""


@dataclass(frozen=True, slots=True)
class Record:
    """One row of a table, and where it was read."""

    file: str
    line: int
    values: Mapping[str, str]

    def __getitem__(self, column: str) -> str:
        return self.values.get(column) or ""

    @property
    def id(self) -> str:
        return self["id"]

    def at(self, column: str | None = None) -> str:
        """Where the row (or one of its cells) is: `file:line` or `file:line:column`."""
        return f"{self.file}:{self.line}" + (f":{column}" if column else "")


@dataclass
class Package:
    """The tables read from a package folder, each row once by its id, and what was wrong with them.

    `readable` is False when a table could not be read at all (missing, too large, not CSV, a required column
    missing); `whole` is False when some row of a table was left out (too few or many cells, no id, an id used
    before), so that the reading does not know every node the package lists.
    """

    records: dict[str, list[Record]] = field(default_factory=dict)
    rejected: list[Rejection] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    readable: bool = True
    whole: bool = True

    def rows(self, table: Table) -> list[Record]:
        return self.records.get(table.name, [])

    def by_id(self, table: Table) -> dict[str, Record]:
        return {record.id: record for record in self.rows(table)}


def read_tables(folder: Path, max_bytes: int) -> Package:
    """Every table of the package folder; a file larger than `max_bytes` is not read."""
    package = Package()
    for table in TABLES:
        _read_table(package, folder, table, max_bytes)
    return package


def write_table(folder: Path, table: Table, rows: Iterable[Mapping[str, object]]) -> int:
    """Write a table's file with all its HSDS columns, in the standard's order; returns the number of rows."""
    return write_rows(folder / table.path, table.columns, rows)


def _read_table(package: Package, folder: Path, table: Table, max_bytes: int) -> None:
    path = _path_of(package, folder, table)
    if path is None:
        return
    if path.stat().st_size > max_bytes:
        _unreadable(package, path.name, f"is larger than the limit of {max_bytes / 1e6:g} MB")
        return
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        _unreadable(package, f"{path.name}:{line}", f"is not UTF-8 text (byte {data[exc.start]:#04x})")
        return
    try:
        rows = list(_lines(text))
    except csv.Error as exc:
        _unreadable(package, path.name, f"is not CSV: {exc}")
        return
    if not rows:
        _unreadable(package, f"{path.name}:1", "is empty: it has no header row")
        return
    header = rows[0][1]
    if _header_fits(package, path.name, table, header):
        package.records[table.name] = _records(package, path.name, table, header, rows[1:])


def _path_of(package: Package, folder: Path, table: Table) -> Path | None:
    """The table's file: the standard's name, else the table's own; a missing one is a problem unless optional."""
    for name in (table.path, f"{table.name}.csv"):
        if (folder / name).is_file():
            return folder / name
    if not table.optional:
        _unreadable(package, table.path, f"is missing: an HSDS package for this service has a {table.name} table")
    return None


def _lines(text: str) -> Iterator[tuple[int, list[str]]]:
    """Each non-blank row with the line it starts on (a quoted cell may run over several lines)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    for cells in reader:
        if cells:
            yield start, cells
        start = reader.line_num + 1


def _header_fits(package: Package, file: str, table: Table, header: list[str]) -> bool:
    """Whether the header has the columns this service needs; columns HSDS does not name only warn."""
    for column in sorted({c for c in header if header.count(c) > 1}):
        _unreadable(package, f"{file}:1:{column}", "is a column name used twice")
    for column in header:
        if column not in table.columns:
            package.warnings.append((f"{file}:1:{column}", f"is no column of HSDS {table.name}: ignored"))
    for column in table.required:
        if column not in header:
            _unreadable(package, f"{file}:1:{column}", f"is missing: {table.name} needs the column {column!r}")
    return package.readable


def _records(
    package: Package, file: str, table: Table, header: list[str], rows: list[tuple[int, list[str]]]
) -> list[Record]:
    """The rows as records, each id once; rows that cannot be taken are rejected here."""
    records: list[Record] = []
    first: dict[str, Record] = {}
    for line, cells in rows:
        record = Record(file, line, dict(zip(header, cells, strict=False)))
        if len(cells) != len(header):
            problem = Rejection(record.at(), f"has {len(cells)} cells where the header has {len(header)}")
        elif not record.id:
            problem = Rejection(record.at("id"), "is empty: every row has an id")
        elif record.id in first:
            problem = Rejection(record.at("id"), f"the id {record.id!r} is used before, at {first[record.id].at()}")
        else:
            first[record.id] = record
            records.append(record)
            continue
        package.rejected.append(problem)
        package.whole = False
    return records


def _unreadable(package: Package, ref: str, reason: str) -> None:
    package.rejected.append(Rejection(ref, reason))
    package.readable = False
