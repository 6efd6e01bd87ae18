"""Who the person at the page is, from what the sign-in gave: the local account, a sign-in proxy's header, or an
OpenID Connect provider's claims. Plain data in, an Identity out, or NotSignedIn whose message says why.

The email is the person's key in the store (store.people): lower-cased, so that Ana@Example.org and
ana@example.org are one person. The name is the display name a new user starts with.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from signin.settings import SignInSettings
from store.people import MAX_NAME_CHARS

MAX_EMAIL_CHARS = 254
_EMAIL = re.compile(r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+$")


class NotSignedIn(Exception):
    """Nobody can be named from this request; the message says why and what to do."""


@dataclass(frozen=True)
class Identity:
    email: str     # the store's key: "local:<account>" in local mode, else the lower-cased email
    name: str      # the display name a new user starts with


def local(account: str) -> Identity:
    """The one person of local mode: the operating-system account."""
    return Identity(email=f"local:{account}", name=_name(account, account))


def _email(raw) -> str | None:
    if not isinstance(raw, str):
        return None
    email = raw.strip().lower()
    if not email or len(email) > MAX_EMAIL_CHARS or not _EMAIL.match(email):
        return None
    return email


def _name(raw, email: str) -> str:
    """A usable display name: ``raw`` with whitespace collapsed and cut to the store's length, or, when empty,
    the part of the email before the @."""
    name = " ".join(raw.split()) if isinstance(raw, str) else ""
    name = "".join(ch for ch in name if ch.isprintable())
    if not name:
        name = email.split("@")[0] or email
    return name[:MAX_NAME_CHARS]


def _values(headers: Mapping, name: str) -> list[str]:
    """Every value of header ``name`` (case-insensitive) in ``headers``: a mapping of names to one value or to a
    list of values (as st.context.headers.get_all gives)."""
    found: list[str] = []
    for key, value in headers.items():
        if key.lower() == name.lower():
            found.extend(value if isinstance(value, (list, tuple)) else [value])
    return found


def from_headers(settings: SignInSettings, headers: Mapping) -> Identity:
    """The person a trusted sign-in proxy names in the request ``headers`` (header mode only).

    Raises NotSignedIn when the header is missing (the proxy did not pass it: the request did not come through
    it, or it is configured to send another header), sent twice, or not an email. In the other modes this is
    never called, so a header a visitor sends names nobody there."""
    if settings.mode != "header" or not settings.user_header:
        raise NotSignedIn("Blueprint does not read sign-in headers in this mode.")
    values = _values(headers, settings.user_header)
    if not values:
        raise NotSignedIn(f"The sign-in proxy did not pass the {settings.user_header} header, so Blueprint cannot "
                          "tell who you are. Open Blueprint through the sign-in proxy's address; if you did, the "
                          f"proxy must be set to send the signed-in email in {settings.user_header} (or set "
                          "[blueprint] user_header to the header it sends).")
    if len(values) > 1:
        raise NotSignedIn(f"The request carries the {settings.user_header} header {len(values)} times, so "
                          "Blueprint cannot tell who you are. The sign-in proxy must replace that header, not "
                          "add to it.")
    email = _email(values[0])
    if email is None:
        raise NotSignedIn(f"The {settings.user_header} header the sign-in proxy passed is not an email address "
                          f"(at most {MAX_EMAIL_CHARS} characters, one @). Set the proxy to send the signed-in "
                          "email in it.")
    names = _values(headers, settings.name_header) if settings.name_header else []
    return Identity(email=email, name=_name(names[-1] if names else "", email))


def from_claims(claims: Mapping) -> Identity:
    """The person an OpenID Connect provider signed in, from the claims Streamlit keeps in st.user.

    Raises NotSignedIn when the provider sent no usable email, or says the email is not verified: people are
    known by their email, and an unverified one could be anybody's."""
    email = _email(claims.get("email"))
    if email is None:
        raise NotSignedIn("Your sign-in provider did not send an email address, and Blueprint knows people by "
                          "their email. Ask whoever runs Blueprint to let the provider release the email "
                          "(the 'email' scope) to it, then sign in again.")
    verified = claims.get("email_verified")
    if verified is False or (isinstance(verified, str) and verified.strip().lower() == "false"):
        raise NotSignedIn(f"Your sign-in provider says the email {email} is not verified. Verify it with the "
                          "provider, then sign in again.")
    name = claims.get("name")
    if not (isinstance(name, str) and name.strip()):
        parts = [claims.get("given_name"), claims.get("family_name")]
        name = " ".join(p for p in parts if isinstance(p, str) and p.strip())
    if not name:
        name = claims.get("preferred_username") or ""
    return Identity(email=email, name=_name(name, email))
