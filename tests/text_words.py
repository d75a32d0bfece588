"""
Find English words in text that people read on a Chinese screen.

The pages speak Chinese; an ASCII word on them is almost always a msgid that
missed the catalogue, a raw code (``lobby``, ``true``) or a template that was
never translated. Tests render a page (server-side or in the browser), take the
text a person reads and ask :func:`english_words` what is left once what may
stay in Latin letters is taken out:

- URLs, site paths (``/join/``), e-mail addresses and placeholders (``{team}``,
  ``%(name)s``), removed before looking;
- :data:`ALLOWED`: PIN, file types (xlsx, xls, csv, PDF) and size units;
- ``allow``: what the test knows is data, such as people's or units' names.

The comparison ignores case (``PIN``, ``pin`` and ``Pin`` are one word), and a
word is two or more letters (single letters such as option keys A–D and
numbers are fine). :func:`visible_text` gives the text of an HTML document the
way these tests read it: no scripts or styles, plus ``title``, ``aria-label``,
``placeholder`` and ``alt`` attributes, and the ``data-*`` attributes of
``<template>`` elements (the texts a page's script shows later; of a JSON
object or list, its strings only, not its keys).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from html.parser import HTMLParser

ALLOWED = frozenset({"pin", "xlsx", "xls", "csv", "pdf", "kb", "mb", "gb"})

WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]|[A-Za-z]{2}")
_NOT_WORDS = re.compile(
    r"""
      [\w.+-]+@[\w-]+(?:\.[\w-]+)+            # e-mail address
    | (?:https?|wss?)://\S+                   # absolute URL
    | www\.\S+
    | \b[\w-]+(?:\.[\w-]+)*\.(?:com|cn|net|org|gov|edu|local|localhost|test)\b(?::\d+)?\S*
    | \b(?:localhost|testserver|[\w-]+(?:\.[\w-]+)+)(?::\d+)?/\S*   # host/path (no scheme)
    | (?<![\w/])/[\w\-./?=&%#:]+              # a site path such as /join/ or /c/1234
    | \{[\w.]*\} | %\(\w+\)[sd]                # a placeholder the script fills: {team}
    """,
    re.VERBOSE,
)

#: Attributes whose values a person sees or hears (screen readers read aria-label).
READ_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")


def english_words(text: str, allow: Iterable[str] = ()) -> list[str]:
    """
    Return the English words of ``text``, in order, repeats kept.

    ``allow`` adds words (names, usually) to :data:`ALLOWED`; an entry of
    several words (``"Li Lei"``) allows each of them.
    """
    allowed = set(ALLOWED)
    for entry in allow:
        allowed.update(word.lower() for word in WORD.findall(entry))
    cleaned = _NOT_WORDS.sub(" ", text)
    return [word for word in WORD.findall(cleaned) if word.lower() not in allowed]


def _json_strings(value: str) -> list[str]:
    """The strings of a JSON object or list (its values, not its keys), else the value."""
    if not value.lstrip().startswith(("{", "[")):
        return [value]
    try:
        data = json.loads(value)
    except ValueError:
        return [value]
    found: list[str] = []
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict):
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))
    return found


class _TextCollector(HTMLParser):
    SKIPPED = {"script", "style", "noscript"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping: list[str] = []
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIPPED:
            self._skipping.append(tag)
            return
        for name, value in attrs:
            if not value:
                continue
            if name in READ_ATTRIBUTES:
                self.parts.append(value)
            elif tag == "template" and name.startswith("data-"):
                self.parts.extend(_json_strings(value))
            elif tag == "input" and name == "value":
                kind = dict(attrs).get("type", "text")
                if kind in {"submit", "button", "reset"}:
                    self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if self._skipping and self._skipping[-1] == tag:
            self._skipping.pop()

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def visible_text(html: str) -> str:
    """The text of an HTML page as :func:`english_words` should judge it."""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return " ".join(" ".join(part.split()) for part in collector.parts if part.strip())
