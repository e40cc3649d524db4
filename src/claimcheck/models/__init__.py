"""Claim models (``claim``, ``parse``), findings (``finding``) and reports (``report``).

Import from the submodules: this package stays empty so that importing ``finding`` alone does
not pull in pydantic.
"""
