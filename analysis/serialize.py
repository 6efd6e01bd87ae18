"""Frozen result dataclasses to plain JSON-ready dicts and back, driven by their type hints.

    plain = to_plain(profile)           # dicts, lists, str, int, float, bool, None
    again = from_plain(Profile, plain)  # the same nested dataclasses, tuples restored

Supported field types: str, int, float, bool, None, nested dataclasses, ``X | None``, ``tuple[X, ...]``,
fixed ``tuple[X, Y]``, ``dict[str, X]``; a union of plain types (``float | str``) is taken as stored.
"""
from __future__ import annotations

import dataclasses
import math
import types
import typing
from functools import cache
from typing import Any, Union


def to_plain(value: Any) -> Any:
    """``value`` as dicts, lists and JSON scalars (NaN and infinities become None)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def from_plain(cls: type, data: dict) -> Any:
    """Rebuild dataclass ``cls`` from ``to_plain`` output; raise ValueError naming a missing or unknown field."""
    hints = _hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    problems = []
    if set(data) - names:
        problems.append(f"unknown fields {sorted(set(data) - names)}")
    missing = [f.name for f in dataclasses.fields(cls) if f.name not in data and _required(f)]
    if missing:
        problems.append(f"missing fields {missing}")
    if problems:
        raise ValueError(f"Cannot rebuild {cls.__name__}: {'; '.join(problems)}.")
    return cls(**{name: _convert(hints[name], value) for name, value in data.items()})


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _required(field: dataclasses.Field) -> bool:
    return field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING


def _convert(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        return _convert(options[0], value) if len(options) == 1 else value
    if dataclasses.is_dataclass(hint):
        return from_plain(hint, value)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_convert(args[0], v) for v in value)
        return tuple(_convert(a, v) for a, v in zip(args, value, strict=True))
    if origin is dict:
        return {k: _convert(args[1], v) for k, v in value.items()}
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def to_versioned(value: Any, version: int) -> dict:
    """``to_plain(value)`` tagged ``"format": version``, so a later layout can refuse it with a clear message."""
    return {"format": version, **to_plain(value)}


def from_versioned(cls: type, data: dict, version: int, what: str, redo: str) -> Any:
    """Rebuild ``cls`` from to_versioned() output; ValueError saying ``redo`` when it has another format."""
    data = dict(data)
    found = data.pop("format", None)
    if found != version:
        raise ValueError(f"This {what} was stored in format {found}; this version reads format {version}. {redo}")
    return from_plain(cls, data)
