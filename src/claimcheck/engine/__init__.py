"""The engine: rule packs compiled to checks (``ruleset``) and run over claims (``run``).

It never imports I/O: readers hand it parsed claims, writers take its reports.
"""
