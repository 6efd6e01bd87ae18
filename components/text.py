"""Text from people and from data, shown by Streamlit elements that render Markdown.

st.title, st.header, st.subheader, st.markdown, st.caption, st.write (of a string), st.info / st.success /
st.warning / st.error, st.spinner, st.progress text, st.metric labels, widget labels (buttons, expanders,
tabs, radio options) all render Markdown, Streamlit's flavour included: a value like
``![t](http://host/x)`` fetches an image, ``[x](javascript:...)`` becomes a link, ``:red[...]`` a coloured
span and ``$...$`` a formula. Any such text goes through plain() on its way in:

    st.title(f"Explore · {plain(project.name)}")
    st.error(plain(str(error)))

Text the app writes itself (its own Markdown) stays as it is around the plain() part. A bare address
(``http://...``, ``www....``, ``name@host``) is still shown as a link to itself, as in any Markdown viewer:
Streamlit finds those in the text after escapes are read, and such a link shows where it goes.
"""
from __future__ import annotations

import re

# Every ASCII punctuation character: CommonMark lets each be escaped with a backslash, and an escaped one
# is always shown as itself (no link, image, emphasis, HTML, directive or formula can start from it).
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def plain(text) -> str:
    """``text`` (any value, as str) escaped so that Markdown shows it exactly as it is."""
    return _PUNCTUATION.sub(r"\\\1", str(text))
