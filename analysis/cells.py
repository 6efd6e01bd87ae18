"""Cell values as results show them: a value longer than SHOWN_CHARS is cut there and says how long it was, so
one 300 KB cell (valid CSV) neither bloats a stored profile or finding nor fills a page."""
from __future__ import annotations

SHOWN_CHARS = 200


def shorten(text: str, limit: int = SHOWN_CHARS) -> str:
    """``text`` itself when it has at most ``limit`` characters, else its first ``limit`` characters, an
    ellipsis and its length: ``'xxxx… (300,000 characters)'``."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters)"
