"""Tab logic: draws, allocation, results, standings and the break.

Plain Python over simple data. Nothing in this package may import Flask, SQLAlchemy or
any other part of `debate` (tests/tab/test_boundary.py checks it), so it stays fast and
testable on its own. The web layer loads rows, builds these inputs, calls in and stores
the outcome.
"""
