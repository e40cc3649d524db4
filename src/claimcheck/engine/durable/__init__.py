"""The durable-rules executor: the same rule set, matched and joined by durable-rules' Rete engine.

Optional (``pip install 'claimcheck[durable]'``, Python < 3.13; durable is imported only when an
executor is made) and several times slower than the compiled executor; it gives the same line
results, which makes it a cross-check of the compiled one.

How the unsafe modes of durable-rules 2.0.28 are kept out:

- ``post`` consumes an event at its first rule: only facts are asserted (``assert_fact``);
- batched ``assert_facts`` loses findings: facts are asserted one at a time;
- two threads on one host lose findings: one host per executor, every use under its lock; and
  the host's own dispatch threads, which run actions behind the caller's back, are never started;
- ``delete_state`` may crash: never called; a claim's facts are retracted after it instead;
- a fact no rule matches raises ``MessageNotHandledException``: caught, precisely, and ignored;
- exceptions in actions are swallowed: every action catches, keeps and re-raises them;
- no ``in`` operator, ``$iall`` false over an empty list: membership is precomputed on the facts
  (flags, numbers) or written as an anchored regular expression;
- two memory bugs (reading past expression arrays and past freed action frames): see
  ``executor`` and ``conditions.all_of``.

Modules: ``line_rules`` (one rule per line check), ``claim_rules`` (joins for claim checks),
``conditions`` (condition JSON), ``model`` (rule specs, claim state), ``executor``.
"""

from claimcheck.engine.durable.executor import DurableExecutor, check_claims_durable, validate_with_durable

__all__ = ["DurableExecutor", "check_claims_durable", "validate_with_durable"]
