"""Symbolic differentiation: formulas read safely from text into SymPy.

SymPy is imported when first needed (the first formula parsed), not with ``derivlab``.
"""

from .adapter import as_callable
from .formulas import Formula, parse

__all__ = ["Formula", "parse", "as_callable"]
