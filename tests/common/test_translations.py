"""The Chinese catalogue is complete and its compiled .mo matches the .po."""

import ast
import gettext
import re
from pathlib import Path

from django.conf import settings

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"


def parse_po(text: str) -> list[dict]:
    entries = []
    for block in text.strip().split("\n\n"):
        entry: dict = {"flags": ""}
        key = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] = line
            elif line.startswith("#"):
                continue
            elif match := re.match(
                r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (".*")$', line
            ):
                key = match.group(1)
                entry[key] = ast.literal_eval(match.group(2))
            elif line.startswith('"') and key:
                entry[key] += ast.literal_eval(line)
        entries.append(entry)
    return entries


def test_every_message_is_translated_and_compiled():
    entries = [e for e in parse_po((CATALOGUE / "django.po").read_text("utf-8")) if e.get("msgid")]
    assert len(entries) > 100
    with (CATALOGUE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in entries:
        translated = entry.get("msgstr", entry.get("msgstr[0]", ""))
        assert "fuzzy" not in entry["flags"], entry["msgid"]
        assert translated, f"untranslated: {entry['msgid']!r}"
        if "msgid_plural" in entry:
            assert compiled.ngettext(entry["msgid"], entry["msgid_plural"], 2) == translated
        elif "msgctxt" in entry:
            got = compiled.pgettext(entry["msgctxt"], entry["msgid"])
            assert got == translated, "run `make messages`"
        else:
            assert compiled.gettext(entry["msgid"]) == translated, "run `make messages`"
        for placeholder in re.findall(r"%\(\w+\)[sd]", entry["msgid"]):
            assert placeholder in translated, (entry["msgid"], translated)
