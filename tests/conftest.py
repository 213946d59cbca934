"""Shared test configuration: the deterministic hypothesis profile "ci"; matplotlib's Agg
backend (no windows: derivlab.plot's tests and docstring examples draw off screen)."""

import os

from hypothesis import settings

os.environ.setdefault("MPLBACKEND", "Agg")  # read when matplotlib is first imported

settings.register_profile("ci", derandomize=True, max_examples=40, deadline=None)
settings.load_profile("ci")
