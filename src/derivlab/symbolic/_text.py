"""Reading formula text without executing it: size limits, Python's parser, a whitelist.

The text is only *read*: a linear pre-scan bounds its size, nesting and numbers; Python's
parser (``ast.parse``, which builds a tree and runs nothing) turns it into a syntax tree; a
walk over that tree refuses every node outside a small whitelist. No SymPy yet: what is
refused here is refused before SymPy is even imported. Every refusal is an
:class:`~derivlab.InputError` that names the problem and shows its column with a caret.
"""

from __future__ import annotations

import ast
import math
import re
import warnings

from .._errors import InputError

#: Longest text accepted (characters).
MAX_LENGTH = 10_000
#: Deepest nesting: of brackets in the text, and of the tree (a chain such as a + b + c + ...
#: or a * b / c counts once).
MAX_DEPTH = 100
#: Most operators and brackets in the text (Python's parser recurses once per link of a chain).
MAX_OPERATORS = 1_000
#: Most nodes of the syntax tree.
MAX_NODES = 5_000
#: Most digits of an integer literal.
MAX_DIGITS = 100

#: name -> (SymPy builder, accepted argument counts). Builders get the sympy module.
FUNCTIONS = {
    "sin": (lambda sp: sp.sin, (1,)), "cos": (lambda sp: sp.cos, (1,)),
    "tan": (lambda sp: sp.tan, (1,)), "asin": (lambda sp: sp.asin, (1,)),
    "acos": (lambda sp: sp.acos, (1,)), "atan": (lambda sp: sp.atan, (1,)),
    "atan2": (lambda sp: sp.atan2, (2,)), "sinh": (lambda sp: sp.sinh, (1,)),
    "cosh": (lambda sp: sp.cosh, (1,)), "tanh": (lambda sp: sp.tanh, (1,)),
    "asinh": (lambda sp: sp.asinh, (1,)), "acosh": (lambda sp: sp.acosh, (1,)),
    "atanh": (lambda sp: sp.atanh, (1,)), "exp": (lambda sp: sp.exp, (1,)),
    "log": (lambda sp: _log(sp), (1, 2)), "ln": (lambda sp: sp.log, (1,)),
    "log10": (lambda sp: lambda a, **kw: _log(sp)(a, 10, **kw), (1,)),
    "log2": (lambda sp: lambda a, **kw: _log(sp)(a, 2, **kw), (1,)),
    "sqrt": (lambda sp: sp.sqrt, (1,)), "cbrt": (lambda sp: sp.cbrt, (1,)),
    "abs": (lambda sp: sp.Abs, (1,)), "sign": (lambda sp: sp.sign, (1,)),
    "erf": (lambda sp: sp.erf, (1,)), "gamma": (lambda sp: sp.gamma, (1,)),
    "cot": (lambda sp: sp.cot, (1,)), "sec": (lambda sp: sp.sec, (1,)),
    "csc": (lambda sp: sp.csc, (1,)), "coth": (lambda sp: sp.coth, (1,)),
    "sech": (lambda sp: sp.sech, (1,)), "csch": (lambda sp: sp.csch, (1,)),
}
for _np_name, _name in (("arcsin", "asin"), ("arccos", "acos"), ("arctan", "atan"),
                        ("arctan2", "atan2"), ("arcsinh", "asinh"), ("arccosh", "acosh"),
                        ("arctanh", "atanh")):
    FUNCTIONS[_np_name] = FUNCTIONS[_name]



def _log(sp):
    """log(a) or log(a, b) = log(a)/log(b), passing ``evaluate`` on."""
    def log(a, b=None, **kw):
        return sp.log(a, **kw) if b is None else sp.Mul(sp.log(a, **kw), sp.Pow(sp.log(b, **kw), -1))
    return log


#: Names that are functions elsewhere but refused here, with the reason.
UNSUPPORTED = {
    **dict.fromkeys(("floor", "ceil", "round", "trunc", "frac", "mod", "heaviside"),
                    "is a step function (not differentiable)"),
    **dict.fromkeys(("max", "min", "maximum", "minimum"),
                    "is not supported (not differentiable where its arguments cross)"),
    "pow": "is not supported: write a**b or a^b",
}

#: Python builtins that run or inspect code: neither functions nor variable names here.
RESERVED = frozenset(("eval", "exec", "compile", "open", "input", "print", "getattr", "setattr",
                      "delattr", "hasattr", "globals", "locals", "vars", "dir", "breakpoint",
                      "exit", "quit", "help", "type", "object", "super", "memoryview"))

#: Constant names -> builders.
CONSTANTS = {"pi": lambda sp: sp.pi, "e": lambda sp: sp.E, "E": lambda sp: sp.E}

_MODULES = ("np", "numpy", "math", "sympy", "sp", "cmath", "scipy")
_DESCRIBE = {
    ast.Lambda: "lambda expressions are", ast.IfExp: "conditional expressions (if ... else) are",
    ast.BoolOp: "boolean operators (and, or) are", ast.NamedExpr: "assignments (:=) are",
    ast.ListComp: "comprehensions are", ast.SetComp: "comprehensions are",
    ast.DictComp: "comprehensions are", ast.GeneratorExp: "comprehensions are",
    ast.List: "lists [...] are", ast.Tuple: "tuples (a comma outside a function call) are",
    ast.Set: "sets {...} are", ast.Dict: "dictionaries {...} are", ast.JoinedStr: "f-strings are",
    ast.Await: "'await' is", ast.Starred: "'*' unpacking is", ast.Slice: "slices are",
    ast.Subscript: "subscripts x[...] are",
}
_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_REFUSED_BINOPS = {
    ast.FloorDiv: ("//", "floor division '//' is not supported (not differentiable): use /"),
    ast.Mod: ("%", "modulo '%' is not supported (not differentiable)"),
    ast.MatMult: ("@", "matrix product '@' is not supported"),
    ast.LShift: ("<<", "bit shift '<<' is not an arithmetic operator"),
    ast.RShift: (">>", "bit shift '>>' is not an arithmetic operator"),
    ast.BitOr: ("|", "bitwise '|' is not an arithmetic operator"),
    ast.BitAnd: ("&", "bitwise '&' is not an arithmetic operator"),
    ast.BitXor: ("^", "bitwise '^' is not an arithmetic operator"),
}
_CMP = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
        ast.Is: "is", ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in"}
_OPERATOR = re.compile(r"[-+*/^%@&|~<>=!,(\[{]|\.(?=[A-Za-z_])")
_NUMBER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|[0-9][0-9_]*")
_OPEN, _CLOSE = "([{", ")]}"


class _Refusal(Exception):
    """A problem at [start, end) of the parsed source."""

    def __init__(self, message, start, end=None):
        super().__init__(message)
        self.message, self.start, self.end = message, start, end


# -- showing where --------------------------------------------------------------------------

def refuse(text, message, start=None, end=None):
    """The InputError for ``message`` at columns [start, end) of ``text`` (0-based)."""
    if start is None:
        return InputError(message)
    start = max(0, min(start, len(text)))
    end = start + 1 if end is None or end <= start else min(end, max(len(text), start + 1))
    lo = max(0, min(start - 30, len(text) - 70))
    hi = min(len(text), max(end + 10, lo + 70))
    shown = ("..." if lo else "") + text[lo:hi] + ("..." if hi < len(text) else "")
    pad = (3 if lo else 0) + start - lo
    carets = "^" * max(1, min(end, hi) - start)
    return InputError(f"{message} (at column {start + 1})\n  {shown}\n  {' ' * pad}{carets}")


# -- 1. the pre-scan: linear, before Python's parser sees anything ----------------------------

def prescan(text):
    """Refuse text that is too long, has odd characters, quotes-with-brackets aside too deep
    nesting or too many operators, or an absurd number; return it with whitespace as spaces."""
    if len(text) > MAX_LENGTH:
        raise InputError(f"formula is {len(text):,} characters long; the limit is {MAX_LENGTH:,}")
    if not text.strip():
        raise InputError("formula is empty")
    for i, ch in enumerate(text):
        if ord(ch) > 126 or (ord(ch) < 32 and ch not in "\t\n\r\x0b\x0c"):
            what = "non-ASCII" if ord(ch) > 126 else "control"
            raise refuse(text, f"{what} character {ch!r} is not allowed (formulas are written "
                         "with ASCII letters, digits and + - * / ^ ( ) , .)", i)
    line = re.sub(r"[\t\n\r\x0b\x0c]", " ", text)
    _scan_brackets(line)
    ops = len(_OPERATOR.findall(line))
    if ops > MAX_OPERATORS:
        raise InputError(f"formula has {ops:,} operators and brackets; the limit is "
                         f"{MAX_OPERATORS:,}")
    for m in _NUMBER.finditer(line):
        digits = m.group().replace("_", "")
        if m.group()[0].isdigit() and len(digits) > MAX_DIGITS:
            raise refuse(line, f"number with {len(digits)} digits; the limit is {MAX_DIGITS}",
                         m.start(), m.end())
    return line


def _scan_brackets(line):
    stack = []
    i, n = 0, len(line)
    while i < n:
        ch = line[i]
        if ch in "'\"":  # a string: refused later; its brackets are not counted
            j = line.find(ch, i + 1)
            i = n if j < 0 else j + 1
            continue
        if ch == "#":
            raise refuse(line, "comments ('#') are not allowed", i)
        if ch in _OPEN:
            stack.append(i)
            if len(stack) > MAX_DEPTH:
                raise refuse(line, f"brackets nested more than {MAX_DEPTH} deep", i)
        elif ch in _CLOSE:
            if not stack or _OPEN.index(line[stack[-1]]) != _CLOSE.index(ch):
                raise refuse(line, f"unmatched {ch!r}", i)
            stack.pop()
        i += 1
    if stack:
        raise refuse(line, f"{line[stack[-1]]!r} is never closed", stack[-1])


# -- 2. Python's parser, positions mapped back to the user's text -----------------------------

def syntax_tree(line):
    """``ast.parse`` of ``line`` with ^ read as **; returns (tree, column map to ``line``)."""
    source, cols = [], []
    for i, ch in enumerate(line):
        source.append("**" if ch == "^" else ch)
        cols.extend((i, i) if ch == "^" else (i,))
    source = "".join(source)
    lead = len(source) - len(source.lstrip(" "))
    cols = cols[lead:] + [len(line)]
    try:
        with warnings.catch_warnings():  # Python's own warnings about odd code are not ours
            warnings.simplefilter("ignore")
            tree = ast.parse(source[lead:], mode="eval")
    except SyntaxError as exc:
        raise _syntax_error(line, exc, cols) from None
    except (RecursionError, MemoryError):
        raise InputError("formula is nested too deeply for Python's parser; split it into "
                         "smaller formulas") from None
    return tree.body, cols


def _syntax_error(line, exc, cols):
    col = cols[min(max((exc.offset or 1) - 1, 0), len(cols) - 1)]
    msg = exc.msg
    if "decimal literal" in msg or "imaginary literal" in msg:
        msg += " (implicit multiplication like 2x is not supported: write 2*x)"
    elif msg == "invalid syntax":
        # an operator with nothing after it ('x**2 + y**', 'f(x +)'): Python points at the
        # start of the line, or at what follows
        stop = len(line.rstrip()) if (exc.offset or 0) <= 1 else col
        before = line[:stop].rstrip()
        if before and before[-1] in "+-*/^%" and (stop == len(line.rstrip()) or line[stop] in ",)]"):
            op = "**" if before.endswith("**") else before[-1]
            return refuse(line, f"invalid formula: a term is missing after {op!r}", len(before) - len(op))
        ch = line[col] if col < len(line) else ""
        msg += " (a missing operator? write 2*x, not 2 x)" if ch.isalnum() or ch in "_(" else \
            f": unexpected {ch!r}" if ch else ": the formula ends too early"
    return refuse(line, f"invalid formula: {msg}", col)


# -- 3. the whitelist walk: no SymPy yet -----------------------------------------------------

def check_tree(root, line, cols):
    """Refuse a tree that is too big, too deep, or holds anything outside the whitelist. The
    problem reported is a dunder name if any, else the leftmost."""
    problems = []
    stack, count = [(root, 1)], 0
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise InputError(f"formula has more than {MAX_NODES:,} parts; the limit is "
                             f"{MAX_NODES:,}")
        if depth > MAX_DEPTH:
            raise _at(line, cols, _Refusal(f"formula is nested more than {MAX_DEPTH} deep",
                                           node.col_offset, node.end_col_offset))
        try:
            children = _check_node(node, line, cols)
        except _Refusal as r:
            problems.append((not r.message.startswith("'__"), r.start, len(problems), r))
            children = [c for c in ast.iter_child_nodes(node) if isinstance(c, ast.expr)
                        and not (isinstance(node, ast.Call) and c is node.func
                                 and isinstance(c, ast.Name))]
            if isinstance(node, ast.Call):
                children += [k.value for k in node.keywords]
        for child in reversed(children):
            stack.append((child, depth if _same_chain(node, child) else depth + 1))
    if problems:
        raise _at(line, cols, min(problems)[3])


def _same_chain(parent, child):
    """A left operand continuing parent's chain of + - or * / (not a level deeper)."""
    group = lambda n: (isinstance(n, ast.BinOp) and  # noqa: E731
                       (1 if isinstance(n.op, (ast.Add, ast.Sub)) else
                        2 if isinstance(n.op, (ast.Mult, ast.Div)) else 0))
    return child is getattr(parent, "left", None) and group(parent) and group(parent) == group(child)


def _at(line, cols, r):
    start = cols[min(r.start, len(cols) - 1)]
    end = None if r.end is None else cols[min(max(r.end - 1, 0), len(cols) - 1)] + 1
    return refuse(line, r.message, start, end)


def _check_node(node, line, cols):
    """Children to visit, or a _Refusal."""
    if isinstance(node, ast.Constant):
        _check_constant(node)
        return []
    if isinstance(node, ast.Name):
        _check_name(node.id, node, call=False)
        return []
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _BINOPS:
            token, msg = _REFUSED_BINOPS.get(type(node.op), ("", "operator not allowed"))
            start = _find_between(line, cols, node.left, node.right, token)
            raise _Refusal(msg, start, start + len(token))
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, (ast.UAdd, ast.USub)):
            word = "'not'" if isinstance(node.op, ast.Not) else "bitwise '~'"
            raise _Refusal(f"{word} is not an arithmetic operator", node.col_offset,
                           node.operand.col_offset)
        return [node.operand]
    if isinstance(node, ast.Call):
        return _check_call(node)
    if isinstance(node, ast.Attribute):
        start = node.end_col_offset - len(node.attr) - 1
        if node.attr.startswith("__"):
            raise _Refusal(f"'{node.attr}' is not allowed (attribute access, and names "
                           "starting with '__')", start + 1, node.end_col_offset)
        hint = ""
        if isinstance(node.value, ast.Name) and node.value.id in _MODULES and node.attr in FUNCTIONS:
            hint = f": write {node.attr}(...) without '{node.value.id}.'"
        raise _Refusal(f"attribute access '.{node.attr}' is not allowed{hint}", start,
                       node.end_col_offset)
    if isinstance(node, ast.Compare):
        op = _CMP.get(type(node.ops[0]), "?")
        start = _find_between(line, cols, node.left, node.comparators[0], op.split()[0])
        raise _Refusal(f"comparison '{op}' is not allowed", start, start + len(op))
    what = _DESCRIBE.get(type(node), f"'{type(node).__name__}' expressions are")
    raise _Refusal(f"{what} not allowed", node.col_offset, node.end_col_offset)


def _check_constant(node):
    v = node.value
    span = (node.col_offset, node.end_col_offset)
    if isinstance(v, bool) or v is None or v is Ellipsis:
        raise _Refusal(f"{v!r} is not a number", *span)
    if isinstance(v, (str, bytes)):
        raise _Refusal(f"strings are not allowed (got {_short(repr(v))})", *span)
    if isinstance(v, complex):
        raise _Refusal("imaginary numbers (like 1j) are not supported", *span)
    if isinstance(v, int) and v.bit_length() > MAX_DIGITS * 3.33:
        raise _Refusal(f"integer with more than {MAX_DIGITS} digits", *span)
    if isinstance(v, float) and not math.isfinite(v):
        raise _Refusal("number too large for float64 (at most about 1.8e308)", *span)
    if not isinstance(v, (int, float)):
        raise _Refusal(f"{type(v).__name__} constants are not allowed", *span)


def _check_name(name, node, call):
    span = (node.col_offset, node.end_col_offset)
    if name.startswith("__"):
        raise _Refusal(f"'{name}' is not allowed (names starting with '__')", *span)
    if name in RESERVED:
        raise _Refusal(f"'{name}' is not allowed (a Python builtin that runs or inspects code; "
                       "it is neither a function nor a variable of a formula)", *span)
    if not call and (name in FUNCTIONS or name in UNSUPPORTED):
        raise _Refusal(f"'{name}' is a function: call it, as in {name}(x)", *span)


def _check_call(node):
    func = node.func
    if not isinstance(func, ast.Name):
        if isinstance(func, (ast.Attribute, ast.Subscript)):
            return [func, *node.args, *(k.value for k in node.keywords)]  # the callee reports
        if isinstance(func, ast.Constant) and isinstance(func.value, (int, float)):
            raise _Refusal(f"{func.value!r} is not a function (for a product write "
                           f"{func.value!r}*(...))", func.col_offset, node.end_col_offset)
        raise _Refusal("only named functions can be called (for a product write a*(b))",
                       node.col_offset, node.end_col_offset)
    name, span = func.id, (func.col_offset, func.end_col_offset)
    _check_name(name, func, call=True)
    if name in UNSUPPORTED:
        raise _Refusal(f"'{name}' {UNSUPPORTED[name]}", *span)
    if name in CONSTANTS:
        raise _Refusal(f"'{name}' is a constant, not a function (for a product write "
                       f"{name}*(...))", *span)
    if name not in FUNCTIONS:
        raise _Refusal(f"unknown function '{name}' (known: {', '.join(sorted(FUNCTIONS))}; for "
                       f"a product write {name}*(...))", *span)
    if node.keywords:
        kw = node.keywords[0]
        raise _Refusal(f"keyword arguments are not allowed (got {kw.arg or '**'}=... in "
                       f"{name}(...))", kw.col_offset, kw.end_col_offset)
    for a in node.args:
        if isinstance(a, ast.Starred):
            raise _Refusal("'*' unpacking is not allowed", a.col_offset, a.end_col_offset)
    arities = FUNCTIONS[name][1]
    if len(node.args) not in arities:
        want = " or ".join(map(str, arities))
        raise _Refusal(f"{name} takes {want} argument{'s' if arities[-1] > 1 else ''}, got "
                       f"{len(node.args)}", node.col_offset, node.end_col_offset)
    return list(node.args)


def _find_between(line, cols, left, right, token):
    """Column (in the parsed source) of ``token`` between two operands, for the caret."""
    lo, hi = left.end_col_offset, right.col_offset
    where = line[cols[min(lo, len(cols) - 1)]:cols[min(hi, len(cols) - 1)]].find(token)
    if where < 0 or not token:
        return lo
    target = cols[min(lo, len(cols) - 1)] + where
    return next((k for k in range(lo, hi + 1) if cols[k] >= target), lo)


def _short(text):
    return text if len(text) <= 30 else text[:27] + "..."
