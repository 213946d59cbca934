"""MkDocs hook: the home page is the README (one source of truth, no copy in docs/).

A page line ``<!-- include README.md -->`` is replaced by the repository's README.md, with
its ``docs/`` links made relative to the docs folder (the README's pictures live in docs/img).
"""

from __future__ import annotations

import re
from pathlib import Path

MARKER = re.compile(r"^<!-- include (?P<name>[\w.-]+) -->$", re.MULTILINE)


def on_page_markdown(markdown, page, config, files, **kwargs):
    root = Path(config["config_file_path"]).parent

    def include(match):
        text = (root / match["name"]).read_text(encoding="utf-8")
        return re.sub(r"\]\(docs/", "](", text)

    return MARKER.sub(include, markdown)
