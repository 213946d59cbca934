"""A griffe extension: Sphinx roles in docstrings (``:func:`x```) become mkdocstrings cross-references.

derivlab's docstrings are numpydoc and cite other objects the Sphinx way
(``:func:`derivlab.parse```, ``:class:`~derivlab.Formula```, ``:attr:`variables```).
mkdocstrings would show these verbatim, so this extension rewrites each one, when griffe has
loaded the package, into an *optional* autorefs link to the object's canonical path: a link
where that object is rendered somewhere in the site, plain code where it is not (a private
helper), never a broken reference or a ``--strict`` warning. Names are resolved like Sphinx
does: relative to the object, then its parents, then the package; ``~`` shows the last
component only; a leading ``.`` is relative to the current module.

It also mends three things griffe's numpydoc parser gets wrong in the Parameters sections of
public functions and classes, both valid numpydoc: a line naming several parameters
(``method, step, rtol``) gave each of them the first one's default (and a type of choices
its first choice as default), a type of choices with more after it
(``{"central", "forward"} or Stencil``) lost the rest, and a type listing alternatives
(``callable, str or Formula``) was shown as a parenthesised tuple. Each parameter's default
is now its own, from the signature, a type of choices is shown as written, and a list of
alternatives without parentheses.

A doctest outside an Examples section (``>>> Stencil.central(2, 2).weights`` under a
summary) would read as a Markdown quote: it is fenced as a ``pycon`` block.

And it reads Sphinx's documentation comments of attributes, ``NAME = value  #: what it is``
or ``#:`` lines just above the assignment (derivlab documents enum members and constants
so), which griffe ignores.

Used from mkdocs.yml: ``plugins: mkdocstrings: handlers: python: options: extensions``.
"""

from __future__ import annotations

import html
import re
from typing import Any

from griffe import (Alias, Attribute, Docstring, DocstringSectionKind, ExprTuple, Extension, GriffeLoader,
                    Module, Object)

CHOICES = re.compile(r"^\s*(?P<names>\*{0,2}\w+(?:,\s*\*{0,2}\w+)*)\s:\s"
                     r"(?P<type>\{.*?)(?:,\s*optional)?\s*$", re.MULTILINE)
TYPE_LINE = re.compile(r"^\*{0,2}\w+(?:,\s*\*{0,2}\w+)*\s:\s")
COMMENT = re.compile(r"\s#:\s?(?P<text>.*)$")
ROLE = re.compile(r":(?:py:)?(?:func|meth|class|attr|data|const|mod|obj|exc|ref):`(?P<target>[^`]+)`")


def _canonical(loader: GriffeLoader, path: str) -> str | None:
    try:
        obj = loader.modules_collection[path]
    except (KeyError, ValueError, AttributeError):
        return None
    if isinstance(obj, Alias):
        try:
            return obj.final_target.path
        except Exception:  # noqa: BLE001 - an alias griffe cannot follow: link the name as written
            return obj.path
    return obj.path


def _candidates(obj: Object, target: str):
    if target.startswith("."):
        module = obj.module
        base = module.path if module.is_init_module else module.path.rpartition(".")[0]
        dots = len(target) - len(target.lstrip("."))
        for _ in range(dots - 1):
            base = base.rpartition(".")[0]
        yield f"{base}.{target.lstrip('.')}"
        return
    scope: Object | None = obj
    while scope is not None:
        yield f"{scope.path}.{target}"
        scope = scope.parent
    yield target


def _rewrite(loader: GriffeLoader, obj: Object, text: str) -> str:
    def link(match: re.Match) -> str:
        raw = match["target"].strip()
        title = None
        if "<" in raw and raw.endswith(">"):  # :func:`title <target>`
            title, raw = raw[:-1].split("<", 1)
            title = title.strip()
        short = raw.startswith("~")
        target = raw.lstrip("~")
        shown = title or (target.rsplit(".", 1)[-1] if short else target.lstrip("."))
        code = f"<code>{html.escape(shown)}</code>"
        path = next((p for p in map(lambda c: _canonical(loader, c), _candidates(obj, target)) if p), None)
        if path is None:
            return code
        return f'<autoref identifier="{html.escape(path)}" optional>{code}</autoref>'

    def plain(match: re.Match) -> str:
        raw = match["target"].strip()
        if "<" in raw and raw.endswith(">"):
            return raw.split("<", 1)[0].strip()
        return raw.lstrip("~").rsplit(".", 1)[-1] if raw.startswith("~") else raw.lstrip(".")

    # a numpydoc "name : type" line is shown as code: a role there becomes its plain name
    return "\n".join(ROLE.sub(plain if TYPE_LINE.match(line) else link, line) for line in text.split("\n"))


def _fence_doctests(text: str) -> str:
    """Fence doctest paragraphs outside a numpydoc Examples section as ``pycon`` code."""
    lines = text.split("\n")
    out: list[str] = []
    section = ""
    i = 0
    while i < len(lines):
        line = lines[i]
        if i + 1 < len(lines) and line.strip() and set(lines[i + 1].strip()) == {"-"} \
                and len(lines[i + 1].strip()) >= 3:
            section = line.strip().lower()
        starts = line.lstrip().startswith(">>>") and (i == 0 or not lines[i - 1].strip())
        if starts and section != "examples":
            indent = line[: len(line) - len(line.lstrip())]
            end = i
            while end < len(lines) and lines[end].strip():
                end += 1
            out += [f"{indent}```pycon", *lines[i:end], f"{indent}```"]
            i = end
            continue
        out.append(line)
        i += 1
    return "\n".join(out)


def _walk(obj: Object, seen: set[str]):
    if obj.path in seen:
        return
    seen.add(obj.path)
    yield obj
    for member in obj.members.values():
        if not isinstance(member, Alias):
            yield from _walk(member, seen)


def _fix_sections(obj: Object) -> None:
    """Each documented parameter's default from the signature; types shown as written."""
    if obj.docstring is None or (obj.name.startswith("_") and obj.name != "__init__"):
        return  # private: never rendered, so not parsed either
    try:
        signature = {p.name: p for p in obj.parameters}  # type: ignore[attr-defined]
    except (AttributeError, TypeError):
        signature = {}
    written = {name.strip().lstrip("*"): m["type"] for m in CHOICES.finditer(obj.docstring.value)
               for name in m["names"].split(",")}
    for section in obj.docstring.parsed:
        if not isinstance(section.value, list):
            continue
        for item in section.value:
            annotation = getattr(item, "annotation", None)
            if isinstance(annotation, ExprTuple) and not annotation.implicit \
                    and str(annotation) not in obj.docstring.value:
                annotation.implicit = True  # "callable, str or Formula", not "(callable, str or Formula)"
            if section.kind is DocstringSectionKind.parameters:
                name = item.name.lstrip("*")
                if name in signature:
                    item.value = signature[name].default
                if name in written:
                    item.annotation = written[name]


def _comment_docstring(lines: list[str], lineno: int) -> tuple[str, int] | None:
    """The ``#:`` documentation of the assignment on line ``lineno`` (1-based), and its line."""
    own = COMMENT.search(lines[lineno - 1])
    if own:
        return own["text"].strip(), lineno
    above: list[str] = []
    k = lineno - 2
    while k >= 0 and lines[k].lstrip().startswith("#:"):
        above.insert(0, lines[k].lstrip()[2:].strip())
        k -= 1
    return ("\n".join(above), k + 2) if above else None


class SphinxRoles(Extension):
    """Sphinx roles and ``#:`` comments for mkdocstrings; numpydoc parameters mended."""

    def on_attribute_instance(self, *, node: Any, attr: Attribute, agent: Any, **kwargs: Any) -> None:
        if attr.docstring is not None or not attr.lineno:
            return
        try:
            lines = agent.lines_collection[attr.filepath]
        except (AttributeError, KeyError, TypeError):
            return
        found = _comment_docstring(lines, attr.lineno)
        if found:
            attr.docstring = Docstring(found[0], lineno=found[1], endlineno=attr.lineno, parent=attr,
                                       parser=agent.docstring_parser, parser_options=agent.docstring_options)

    def on_package(self, *, pkg: Module, loader: GriffeLoader, **kwargs: Any) -> None:
        for obj in _walk(pkg, set()):
            if obj.docstring is not None:
                if ":" in obj.docstring.value:
                    obj.docstring.value = _rewrite(loader, obj, obj.docstring.value)
                if ">>>" in obj.docstring.value:
                    obj.docstring.value = _fence_doctests(obj.docstring.value)
            if obj.is_function or obj.is_class:
                _fix_sections(obj)
