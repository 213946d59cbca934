"""Exception classes: one base class, input errors also subclass ValueError/TypeError."""


class DerivlabError(Exception):
    """Base class of every exception raised by derivlab."""


class InputError(DerivlabError, ValueError):
    """An argument has an invalid value; raised before ``f`` is evaluated."""


class InputTypeError(DerivlabError, TypeError):
    """An argument has an invalid type; raised before ``f`` is evaluated."""
