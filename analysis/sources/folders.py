"""The path rules of data folders: a person picks a folder an admin listed and a file under it, never a path
outside it.

    path = resolve_file(settings.data_folders, folder, "2024/train.parquet")   # a Path, or PathRefused
    names = list_files(folder)                                                # what the folder offers

A relative path is joined to the folder and resolved (links followed, ``..`` folded), then kept only when it is
still inside the resolved folder; absolute paths and ``..`` parts are refused before that, so the message names
what was wrong. Only the data files the reader takes are offered or accepted.
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

SUFFIXES = (".parquet", ".csv", ".csv.gz", ".tsv", ".txt", ".xlsx", ".xlsm")
MAX_LISTED = 2000          # files listed per folder (the first ones in name order)
MAX_DEPTH = 4              # sub-folder levels listed


class PathRefused(ValueError):
    """A path that is not a readable data file under a data folder; the message says why and what to do."""


def data_file_name(name: str) -> bool:
    """Whether ``name`` ends like a file the reader takes (Parquet, CSV, gzip CSV, Excel)."""
    return name.lower().endswith(SUFFIXES)


def resolve_folder(folders: Iterable[Path], folder: str | Path) -> Path:
    """The resolved data folder ``folder``, which must be one of ``folders`` as the settings list them."""
    listed = {str(Path(f)): Path(f) for f in folders}
    if str(Path(folder)) not in listed:
        raise PathRefused(f"'{folder}' is not one of the data folders the settings list "
                          f"({', '.join(listed) or 'none'}). Pick one of them.")
    return listed[str(Path(folder))].resolve(strict=False)


def resolve_file(folders: Iterable[Path], folder: str | Path, relative: str) -> Path:
    """The file ``relative`` under data folder ``folder``, resolved; PathRefused when it is absolute, climbs out
    with ``..``, leads outside the folder through a link, is missing, is not a file, or is not a data file."""
    root = resolve_folder(folders, folder)
    text = (relative or "").strip()
    if not text:
        raise PathRefused("Pick a file in the folder.")
    if "\x00" in text:
        raise PathRefused("The path holds a NUL character; pick a file from the list.")
    if text.startswith(("/", "\\", "~")) or PurePosixPath(text).is_absolute() or (len(text) > 1 and text[1] == ":"):
        raise PathRefused(f"'{text}' is an absolute path; pick a file inside {folder} (a path relative to it).")
    if ".." in PurePosixPath(text.replace("\\", "/")).parts:
        raise PathRefused(f"'{text}' climbs out of the folder with '..'; pick a file inside {folder}.")
    path = (root / text).resolve(strict=False)
    if not path.is_relative_to(root):
        raise PathRefused(f"'{text}' leads outside {folder} (through a link); only files inside the data folders "
                          "can be read.")
    if not path.exists():
        raise PathRefused(f"There is no file '{text}' in {folder}. Pick one from the list.")
    if not path.is_file():
        raise PathRefused(f"'{text}' in {folder} is a folder, not a file. Pick a file.")
    if not data_file_name(path.name):
        raise PathRefused(f"'{text}' is not a data file Blueprint reads: pick a Parquet, CSV (.csv, .csv.gz, .tsv) "
                          "or Excel (.xlsx) file.")
    return path


def list_files(folder: Path, limit: int = MAX_LISTED) -> list[str]:
    """The data files under ``folder`` (resolved) as paths relative to it, in name order, sub-folders up to
    MAX_DEPTH levels; files reached through links that lead outside the folder, and hidden entries, are left out."""
    root = Path(folder).resolve(strict=False)
    found: list[str] = []
    for current, dirs, files in os.walk(root, followlinks=False):
        depth = len(Path(current).relative_to(root).parts)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and depth < MAX_DEPTH)
        for name in sorted(files):
            if name.startswith(".") or not data_file_name(name):
                continue
            path = Path(current) / name
            if not path.resolve(strict=False).is_relative_to(root) or not path.is_file():
                continue
            found.append(path.relative_to(root).as_posix())
            if len(found) >= limit:
                return sorted(found)
    return sorted(found)
