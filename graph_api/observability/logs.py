"""Log lines as text or as one JSON object a line, each carrying the id of the request it belongs to."""

from __future__ import annotations

import datetime
import json
import logging
import sys
from typing import Literal, TextIO

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


class RequestIdFilter(logging.Filter):
    """Stamps each record with the current request's id (`-` outside a request), for either format."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request id, the record's extras, any traceback."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": current_request_id(),
        }
        line.update((key, value) for key, value in record.__dict__.items() if key not in STANDARD_ATTRIBUTES)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


def log_handler(log_format: LogFormat, stream: TextIO | None = None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    handler.addFilter(RequestIdFilter())
    return handler


def configure_logging(log_format: LogFormat, level: int = logging.INFO) -> None:
    """Send every logger's lines (uvicorn's included) to stderr in the format asked."""
    logging.basicConfig(level=level, handlers=[log_handler(log_format)], force=True)
