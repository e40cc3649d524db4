"""The batch engine: many lines at once, each line check run once per distinct input.

Claim files repeat themselves: a night of claims has a few hundred procedure codes, modifiers
and taxonomies and some thousands of diagnosis lists. The per-line engine judges every line;
this one runs each line check once per distinct ``memo_key`` (the fields its findings depend
on) and lays the findings out line by line with array operations. Lines that could not be read
cleanly, and claims a claim check watches, go through the per-line engine's own code, so the
findings are the ones ``check_claims`` gives (the differential tests hold us to that).
"""

from claimcheck.engine.batch.columns import FieldValues, LineBatch
from claimcheck.engine.batch.engine import BatchEngine, BatchFindings

__all__ = ["BatchEngine", "BatchFindings", "FieldValues", "LineBatch"]
