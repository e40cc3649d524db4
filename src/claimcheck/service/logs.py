"""JSON logs on stderr, one object per line, that never carry claim content.

Access records put their fields under ``extra={"fields": {...}}``; the formatter merges them into
the object. An exception is logged as its type and stack frames only: its message may quote the
data that caused it, and that data is patient data.
"""

from __future__ import annotations

import json
import logging
import traceback
from datetime import UTC, datetime
from typing import Any

__all__ = ["ACCESS_LOGGER", "EVENT_LOGGER", "JsonFormatter", "log_config"]

ACCESS_LOGGER = "claimcheck.service.access"
EVENT_LOGGER = "claimcheck.service"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        data.update(getattr(record, "fields", {}))
        if record.exc_info and record.exc_info[0] is not None:
            kind, _, tb = record.exc_info
            frames = traceback.extract_tb(tb)
            data["error"] = {
                "type": kind.__qualname__,
                "frames": [f"{frame.filename}:{frame.lineno} in {frame.name}" for frame in frames],
            }
        return json.dumps(data, default=str)


def log_config(level: str = "INFO") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for uvicorn's ``log_config``: uvicorn's own messages and ours,
    all as JSON on stderr. uvicorn's access log is left off; the service writes its own."""
    json_handler = {"handlers": ["stderr"], "level": level, "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
        "loggers": {"uvicorn": json_handler, "claimcheck": json_handler},
    }
