"""Line checks, one module per check; importing this package registers every implementation."""

from claimcheck.engine.checks import (  # noqa: F401  (imported to register the kinds)
    dates,
    diagnosis,
    input,
    modifier,
    place_of_service,
    procedure,
    provider,
    specialty,
    units,
)
from claimcheck.engine.checks.base import KIND_IMPLEMENTATIONS, LineCheck, LineContext

__all__ = ["KIND_IMPLEMENTATIONS", "LineCheck", "LineContext"]
