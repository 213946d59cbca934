"""derivlab: derivatives of Python functions you can trust.

``import derivlab`` loads numpy only; optional backends load when first used.
"""

from ._errors import DerivlabError, InputError, InputTypeError
from .api import derivative, gradient, hessian, jacobian
from .check import GradCheck, check_grad
from .compare import Comparison, compare
from .explore import Explorer, explore
from .ops import hvp, jvp
from .optimize import Descent, gradient_descent
from .sparse import sparsity
from .result import LevelRecord, Result, Status, Trace, TraceRecord
from .stencils import Stencil
from .symbolic import Formula, parse

__all__ = ["derivative", "gradient", "jacobian", "hessian", "jvp", "hvp", "compare", "Comparison",
           "sparsity", "explore", "Explorer", "gradient_descent", "Descent",
           "check_grad", "GradCheck", "parse", "Formula", "Stencil", "Result", "Status", "Trace",
           "TraceRecord", "LevelRecord", "DerivlabError", "InputError", "InputTypeError"]
__version__ = "0.1.0"
