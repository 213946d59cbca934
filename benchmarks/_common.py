"""Pieces the benchmark scripts share: markdown tables and optional methods."""

import math

import numpy as np


def fmt(v, digits=2):
    """A table cell: yes/no, ints plainly, floats with ``digits`` decimals or in e-notation."""
    if v is None:
        return "-"
    if isinstance(v, str):
        return v
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else "no"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if math.isnan(v):
        return "nan"
    if v != 0 and (abs(v) < 1e-2 or abs(v) >= 1e5):
        return f"{v:.1e}"
    return f"{v:.{digits}f}"


def table(cols, rows):
    """Print a markdown table."""
    print("| " + " | ".join(cols) + " |")
    print("|---" * len(cols) + "|")
    for r in rows:
        print("| " + " | ".join(fmt(c) for c in r) + " |")


def load_methods(names, factories):
    """Build the runnable methods, printing a note for each whose package is missing."""
    runs = {}
    for name in names:
        try:
            runs[name] = factories[name]()
        except (ImportError, AttributeError) as exc:
            print(f"note: dropping {name!r} ({type(exc).__name__}: {exc})")
    return runs


def jax_x64():
    """Import JAX with 64-bit floats enabled; returns ``(jax, jax.numpy)``.

    Raises ImportError when JAX is missing (for :func:`load_methods` and the callers' notes).
    """
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    return jax, jnp
