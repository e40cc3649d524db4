"""Claim checks, one module per check; importing this package registers every implementation."""

from claimcheck.engine.claim_checks import components, duplicates, pairs, units  # noqa: F401  (registers the kinds)
from claimcheck.engine.claim_checks.base import ClaimCheck, ClaimContext, ClaimLineRef

__all__ = ["ClaimCheck", "ClaimContext", "ClaimLineRef"]
