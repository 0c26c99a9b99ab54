"""Mentions as the ``namebridge annotate`` command prints them: JSON lines or a listing."""

from __future__ import annotations

import json
from collections.abc import Iterator

from namebridge.annotation.mentions import Mention

#: the fields of one JSON line, in order (``path`` first)
JSON_FIELDS = ("path", "start", "end", "text", "entity_id", "canonical_name", "entity_type", "score",
               "language", "script", "kind", "matched_alias")


def json_lines(path: str, mentions: list[Mention]) -> Iterator[str]:
    """One JSON object per mention: ``path`` as given (``-`` for stdin), then the mention."""
    for m in mentions:
        record = {"path": path, **m.to_dict()}
        yield json.dumps({k: record[k] for k in JSON_FIELDS}, ensure_ascii=False)


def marked_text(text: str, mentions: list[Mention]) -> str:
    """The text with each mention written ``[mention]{n}`` (n: its line in the table)."""
    out: list[str] = []
    position = 0
    for n, m in enumerate(mentions, 1):
        out.append(text[position:m.start])
        out.append(f"[{m.text}]{{{n}}}")
        position = m.end
    out.append(text[position:])
    return "".join(out)


def listing(path: str, text: str, mentions: list[Mention]) -> str:
    """``== path ==``, the marked text, then a table of the mentions."""
    lines = [f"== {path}: {len(mentions)} mention(s) ==", marked_text(text, mentions).rstrip("\n"), ""]
    if mentions:
        lines.append("n\tstart\tend\tkind\tentity_id\tcanonical_name\tscore\ttext")
        lines += [f"{n}\t{m.start}\t{m.end}\t{m.kind}\t{m.entity_id}\t{m.canonical_name}\t{m.score:.3f}\t{m.text}"
                  for n, m in enumerate(mentions, 1)]
    return "\n".join(lines)
