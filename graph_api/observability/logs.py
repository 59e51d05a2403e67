"""Log lines as text or as one JSON object a line, each carrying the id of the request it belongs to."""

from __future__ import annotations

import datetime
import json
import logging
import os
import sys
import threading
import time
from collections.abc import Mapping
from typing import Any, Literal, TextIO

from graph_api.observability.requests import current_request_id

LogFormat = Literal["text", "json"]

TEXT_FORMAT = "%(levelname)s:     [%(request_id)s] %(message)s"
STANDARD_ATTRIBUTES = frozenset(logging.makeLogRecord({}).__dict__) | {
    "message",
    "asctime",
    "request_id",
    "color_message",
}
"""What every LogRecord has (and uvicorn's terminal-coloured copy of the message); anything else on a record
came as `extra=` and goes into the JSON object."""


ENCODER = json.JSONEncoder(default=str, ensure_ascii=False)
"""Made once: `json.dumps` with options builds an encoder each call (~5 µs, most of a line's cost)."""


class RequestIdFilter(logging.Filter):
    """Stamps each record with the current request's id (`-` outside a request), for either format."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request id, the record's extras, any traceback."""

    def __init__(self) -> None:
        super().__init__()
        self._second = -1
        self._second_text = ""

    def _time(self, created: float) -> str:
        """ISO 8601 in UTC to the millisecond; the text up to the second is made once a second, not once a line."""
        second = int(created)
        if second != self._second:
            moment = datetime.datetime.fromtimestamp(second, datetime.UTC)
            self._second, self._second_text = second, moment.isoformat(timespec="seconds").removesuffix("+00:00")
        return f"{self._second_text}.{int((created - second) * 1000):03d}+00:00"

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": self._time(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": current_request_id(),
        }
        line.update((key, value) for key, value in record.__dict__.items() if key not in STANDARD_ATTRIBUTES)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return ENCODER.encode(line)


class FieldLogger:
    """One logger's lines of fields, each `key=value` in the message and an attribute of the record (a key of the
    JSON line): the record is copied from a template of what stays the same in a process (its id and name, the call
    site) rather than made by `Logger.log`, which looks its caller up in the stack and asks the OS and
    `multiprocessing` for those each time (a text line ~21 -> ~10 µs; ~40 -> ~20 µs a cached answer, in place)."""

    def __init__(self, name: str) -> None:
        self.logger = logging.getLogger(name)
        self._template: dict[str, Any] = {}

    def log(self, level: int, what: str, fields: Mapping[str, object]) -> None:
        """`what`, then the fields that are not None; handled by the logger's handlers as any record is. No field
        is named as a `LogRecord` attribute is (`Logger.makeRecord` refuses those; this does not check)."""
        if not self.logger.isEnabledFor(level):
            return
        described = " ".join(f"{key}={value}" for key, value in fields.items() if value is not None)
        created = time.time()
        template = self._template
        if template.get("process") != os.getpid():  # made on the first line, again in a forked child
            made = self.logger.makeRecord(self.logger.name, logging.INFO, __file__, 0, "", (), None, "log")
            template = self._template = made.__dict__
        record = logging.LogRecord.__new__(logging.LogRecord)
        record.__dict__.update(template)
        record.__dict__.update(fields)
        record.levelno, record.levelname = level, logging.getLevelName(level)
        record.msg, record.args = f"{what} {described}", ()
        record.created, record.msecs = created, int((created - int(created)) * 1000) + 0.0
        record.relativeCreated = template["relativeCreated"] + (created - template["created"]) * 1000
        record.thread, record.threadName = threading.get_ident(), threading.current_thread().name
        self.logger.handle(record)


def log_handler(log_format: LogFormat, stream: TextIO | None = None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    handler.addFilter(RequestIdFilter())
    return handler


def configure_logging(log_format: LogFormat, level: int = logging.INFO) -> None:
    """Send every logger's lines (uvicorn's included) to stderr in the format asked."""
    logging.basicConfig(level=level, handlers=[log_handler(log_format)], force=True)
