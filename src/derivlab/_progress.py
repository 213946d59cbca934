"""A progress bar for long work: rich's, on a terminal, once the work has taken a while."""

from __future__ import annotations

import sys
import time

#: Seconds of work before a bar appears (short calls never show one).
DELAY = 1.0
#: Seconds between two redraws for the count of evaluations (f may take microseconds).
REFRESH = 0.1


class Progress:
    """``progress=None``: a bar on stderr if it is a terminal (and rich is installed), once
    the work has lasted :data:`DELAY` seconds; True: a bar from the start, wherever stderr
    goes; False: silent. The bar counts ``total`` items done (:meth:`update`) and, where the
    work reports them (:meth:`evaluated`), f's evaluations so far: those move while a level
    of an expensive f is still running, point by point or task by task."""

    def __init__(self, progress, total, label):
        if progress not in (None, True, False):
            from ._errors import InputTypeError

            raise InputTypeError(f"progress must be True, False or None (automatic), got {progress!r}")
        self.total, self.label, self.bar, self.task = max(int(total), 1), label, None, None
        self.done, self.nfev, self.shown = 0, None, 0.0
        self.wanted = progress is True or (progress is None and _terminal())
        self.delay = 0.0 if progress is True else DELAY
        self.t0 = time.perf_counter()

    def update(self, done):
        """``done`` of ``total`` finished."""
        self.done = done
        self._show()

    def evaluated(self, nfev):
        """f has been evaluated ``nfev`` times so far (shown at most every REFRESH s)."""
        self.nfev = nfev
        now = time.perf_counter()
        if now - self.shown >= REFRESH:
            self.shown = now
            self._show()

    def _show(self):
        if not self.wanted:
            return
        if self.bar is None:
            if time.perf_counter() - self.t0 < self.delay or not self._start():
                return
        self.bar.update(self.task, completed=min(self.done, self.total), evals=self._evals())

    def _evals(self):
        return "" if self.nfev is None else f"{self.nfev} evaluations of f"

    def _start(self):
        try:
            from rich.console import Console
            from rich.progress import BarColumn, Progress as Bar, TextColumn, TimeElapsedColumn
        except ImportError:  # no rich: no bar
            self.wanted = False
            return False
        self.bar = Bar(TextColumn("derivlab: {task.description}"), BarColumn(),
                       TextColumn("{task.completed}/{task.total}"),
                       TextColumn("{task.fields[evals]}"), TimeElapsedColumn(),
                       console=Console(file=sys.stderr), transient=False)
        self.task = self.bar.add_task(self.label, total=self.total, evals=self._evals())
        self.bar.start()
        return True

    def close(self, done=None):
        if self.bar is not None:
            if done is not None:
                self.done = done
            self.bar.update(self.task, completed=min(self.done, self.total), evals=self._evals())
            self.bar.stop()
            self.bar = None


def _terminal():
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False
