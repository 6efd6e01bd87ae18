"""The sign-in settings, read once at the boundary from what `.streamlit/secrets.toml` holds (a plain dict)
into a checked SignInSettings, or a SignInSettingsError whose message lists every problem and what to set.

    [blueprint]
    sign_in = "local"                    # "local" (default) | "oidc" | "header"
    user_header = "X-Forwarded-Email"    # header mode: the header the sign-in proxy puts the email in
    name_header = "X-Forwarded-User"     # header mode, optional: the header with the display name
    sign_out_url = "/oauth2/sign_out"    # header mode, optional: where the sidebar's Sign out goes
    admins = ["ana@example.org"]         # oidc and header modes: exactly the people who manage every project
    project_creators = ["everyone"]      # who may create projects (default: everyone signed in; store.grants)

OpenID Connect mode uses Streamlit's own ``[auth]`` section (redirect_uri, cookie_secret, and client_id,
client_secret, server_metadata_url either in ``[auth]`` itself or in named providers ``[auth.NAME]``).
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from store.grants import EVERYONE, Grant, read_creators

MODES = ("local", "oidc", "header")
# the last three: data sources, checked by analysis.sources.settings
BLUEPRINT_KEYS = ("sign_in", "user_header", "name_header", "sign_out_url", "admins", "project_creators",
                  "data_folders", "sql", "mlflow")
PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")
# [auth] keys that are Streamlit's own settings, not named providers
AUTH_OWN_KEYS = ("redirect_uri", "cookie_secret", *PROVIDER_KEYS, "client_kwargs", "expose_tokens")
CALLBACK_PATH = "/oauth2callback"
_HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")      # an HTTP field name (RFC 9110 token)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")

OIDC_EXAMPLE = """[blueprint]
sign_in = "oidc"
admins = ["you@example.org"]

[auth]
redirect_uri = "https://blueprint.example.org/oauth2callback"
cookie_secret = "a long random string: python3 -c 'import secrets; print(secrets.token_hex(32))'"
client_id = "the client id your provider gave Blueprint"
client_secret = "the client secret your provider gave Blueprint"
server_metadata_url = "https://YOUR-PROVIDER/.well-known/openid-configuration\""""

HEADER_EXAMPLE = """[blueprint]
sign_in = "header"
user_header = "X-Forwarded-Email"
admins = ["you@example.org"]"""


class SignInSettingsError(ValueError):
    """The sign-in settings are wrong; the message says every problem and what to set."""

    HEADLINE = "Blueprint cannot start: the sign-in settings in .streamlit/secrets.toml need fixing."

    def __init__(self, problems: list[str], example: str | None = None) -> None:
        self.problems = list(problems)
        self.example = example          # a complete working section for the mode asked for, or None
        text = self.HEADLINE + "\n" + "\n".join(f"- {p}" for p in self.problems)
        if example:
            text += "\n\nA complete example:\n\n" + example
        super().__init__(text)


@dataclass(frozen=True)
class SignInSettings:
    """The checked sign-in settings.

    mode: "local" | "oidc" | "header".
    providers (oidc): the names to pass to st.login, in the order written; "default" is the provider written in
        ``[auth]`` itself (st.login() with no name).
    user_header, name_header, sign_out_url (header mode): header names as written (lookups ignore case).
    admins: lower-cased emails of the people listed as admins.
    project_creators: who may create projects besides admins (store.grants; everyone signed in by default).
    """

    mode: str = "local"
    providers: tuple[str, ...] = ()
    user_header: str | None = None
    name_header: str | None = None
    sign_out_url: str | None = None
    admins: frozenset[str] = frozenset()
    project_creators: Grant = EVERYONE


def read_settings(secrets: Mapping | None) -> SignInSettings:
    """Check ``secrets`` (the dict that st.secrets holds; None or {} when there is no secrets file) and return
    the settings, or raise SignInSettingsError listing every problem with what to set."""
    secrets = secrets or {}
    problems: list[str] = []
    blueprint = secrets.get("blueprint", {})
    if not isinstance(blueprint, Mapping):
        raise SignInSettingsError(['"blueprint" must be a section: write [blueprint] on its own line, then '
                                   'sign_in = "local", "oidc" or "header" below it.'])
    unknown = sorted(set(blueprint) - set(BLUEPRINT_KEYS))
    if unknown:
        problems.append(f"[blueprint] has unknown settings {', '.join(unknown)}; the known ones are "
                        f"{', '.join(BLUEPRINT_KEYS)} (check the spelling).")
    mode = blueprint.get("sign_in")
    if mode is None:
        mode = "local"
        if "auth" in secrets:
            problems.append('There is an [auth] section but [blueprint] sign_in is not set, so Blueprint would '
                            'run in local mode without sign-in. To sign people in with it, set sign_in = "oidc" '
                            'under [blueprint]; for local mode, set sign_in = "local".')
    if not isinstance(mode, str) or mode.strip().lower() not in MODES:
        raise SignInSettingsError([*problems, f'[blueprint] sign_in = {_shown(mode)} is not a mode: set sign_in = '
                                              '"local" (one person on this machine, no sign-in), "oidc" '
                                              '(OpenID Connect sign-in) or "header" (behind a sign-in proxy).'])
    mode = mode.strip().lower()
    admins = _admins(blueprint.get("admins"), problems)
    creators = read_creators(blueprint.get("project_creators"), problems)
    providers: tuple[str, ...] = ()
    user_header = name_header = sign_out_url = None
    if mode == "oidc":
        providers = _oidc(secrets.get("auth"), problems)
    elif mode == "header":
        user_header = _header(blueprint, "user_header", problems, required=True)
        name_header = _header(blueprint, "name_header", problems, required=False)
        sign_out_url = _text(blueprint, "sign_out_url", problems)
    if mode != "local" and "admins" not in blueprint:
        problems.append(f'sign_in = "{mode}" needs [blueprint] admins: the people who manage every project, e.g. '
                        'admins = ["you@example.org"]. With sign-in, admins are exactly this list (checked on '
                        'every visit); nobody becomes one by signing in first.')
    elif mode != "local" and blueprint.get("admins") in ([], ""):
        problems.append('[blueprint] admins is empty: list at least one person who manages every project, e.g. '
                        'admins = ["you@example.org"].')
    for key in ("user_header", "name_header", "sign_out_url"):
        if mode != "header" and key in blueprint:
            problems.append(f'[blueprint] {key} is used only with sign_in = "header"; this server runs with '
                            f'sign_in = "{mode}": remove {key}, or set sign_in = "header".')
    if problems:
        raise SignInSettingsError(problems, {"oidc": OIDC_EXAMPLE, "header": HEADER_EXAMPLE}.get(mode))
    return SignInSettings(mode=mode, providers=providers, user_header=user_header, name_header=name_header,
                          sign_out_url=sign_out_url, admins=admins, project_creators=creators)


def _shown(value) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)


def _filled(value) -> bool:
    return isinstance(value, str) and value.strip() != ""


def _text(section: Mapping, key: str, problems: list[str]) -> str | None:
    value = section.get(key)
    if value is None:
        return None
    if not _filled(value):
        problems.append(f"[blueprint] {key} must be a non-empty text in quotes, or left out.")
        return None
    return value.strip()


def _header(section: Mapping, key: str, problems: list[str], required: bool) -> str | None:
    value = section.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.append('sign_in = "header" needs the header in which your sign-in proxy passes the email: '
                            'set user_header = "X-Forwarded-Email" under [blueprint] (the name your proxy uses; '
                            'oauth2-proxy sends X-Forwarded-Email).')
        elif value is not None:
            problems.append(f"[blueprint] {key} is empty: set a header name, or leave {key} out.")
        return None
    if not isinstance(value, str) or not _HEADER_NAME.match(value.strip()):
        problems.append(f"[blueprint] {key} = {_shown(value)} is not a header name: use letters, digits and "
                        'dashes, e.g. "X-Forwarded-Email".')
        return None
    return value.strip()


def _admins(value, problems: list[str]) -> frozenset[str]:
    if value is None:
        return frozenset()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        problems.append('[blueprint] admins must be a list of emails, e.g. admins = ["ana@example.org"].')
        return frozenset()
    bad = [item for item in value if not isinstance(item, str) or not _EMAIL.match(item.strip())]
    if bad:
        problems.append(f"[blueprint] admins must hold emails; these are not: {', '.join(_shown(b) for b in bad)}. "
                        'Write them as admins = ["ana@example.org", "ben@example.org"].')
    return frozenset(item.strip().lower() for item in value if item not in bad)


def _oidc(auth, problems: list[str]) -> tuple[str, ...]:
    if auth is None:
        problems.append('sign_in = "oidc" needs Streamlit\'s [auth] section with your OpenID Connect provider\'s '
                        "settings: redirect_uri, cookie_secret, client_id, client_secret and server_metadata_url.")
        return ()
    if not isinstance(auth, Mapping):
        problems.append("auth must be a section: write [auth] on its own line, then its settings below it.")
        return ()
    redirect = auth.get("redirect_uri")
    if not _filled(redirect):
        problems.append("[auth] redirect_uri is missing: set redirect_uri = "
                        '"https://YOUR-HOST/oauth2callback" (this server\'s address as people reach it, ending in '
                        f"{CALLBACK_PATH}; register the same address with your provider).")
    elif not redirect.strip().rstrip("/").endswith(CALLBACK_PATH):
        problems.append(f"[auth] redirect_uri = {_shown(redirect)} must end in {CALLBACK_PATH} (Streamlit's "
                        "sign-in callback), e.g. \"https://YOUR-HOST/oauth2callback\".")
    if not _filled(auth.get("cookie_secret")):
        problems.append("[auth] cookie_secret is missing: set cookie_secret = a long random text that stays the "
                        "same across restarts (it signs the sign-in cookie), e.g. the output of "
                        "python3 -c 'import secrets; print(secrets.token_hex(32))'.")
    named = {name: section for name, section in auth.items()
             if name not in AUTH_OWN_KEYS and isinstance(section, Mapping)}
    providers: list[str] = []
    if any(key in auth for key in PROVIDER_KEYS) or not named:
        _provider_keys(auth, "[auth]", problems)
        providers.append("default")
    for name, section in named.items():
        if "_" in name:
            problems.append(f"[auth.{name}]: a provider name cannot contain '_' (Streamlit's rule); "
                            f"rename it, e.g. [auth.{name.replace('_', '-')}].")
            continue
        _provider_keys(section, f"[auth.{name}]", problems)
        providers.append(name)
    return tuple(providers)


def _provider_keys(section: Mapping, where: str, problems: list[str]) -> None:
    missing = [key for key in PROVIDER_KEYS if not _filled(section.get(key))]
    hints = {
        "client_id": 'client_id = "the client id your provider gave Blueprint"',
        "client_secret": 'client_secret = "the client secret your provider gave Blueprint"',
        "server_metadata_url": 'server_metadata_url = "https://YOUR-PROVIDER/.well-known/openid-configuration"',
    }
    for key in missing:
        problems.append(f"{where} {key} is missing: set {hints[key]} under {where}"
                        + (" (or name a provider: [auth.google] with client_id, client_secret and "
                           "server_metadata_url)." if where == "[auth]" else "."))
