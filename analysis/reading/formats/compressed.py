"""gzip-compressed CSV: decompressed in steps, with a limit on the size it grows to."""
from __future__ import annotations

import gzip
import io
import zlib

from analysis.errors import ReadError

GZIP_MAGIC = b"\x1f\x8b"
STEP_BYTES = 8 * 2**20


def gunzip(data: bytes, max_bytes: int, size_text) -> bytes:
    """The bytes inside a gzip file (all members); ReadError when it is cut short, damaged, or unpacks to more than
    ``max_bytes`` (``size_text`` writes a byte count for people)."""
    parts, total = [], 0
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            while part := stream.read(STEP_BYTES):
                total += len(part)
                if total > max_bytes:
                    raise ReadError(
                        f"The gzip file unpacks to more than {size_text(max_bytes)}, over the limit for one dataset. "
                        "Upload a sample of the rows, or fewer columns."
                    )
                parts.append(part)
    except EOFError:
        raise ReadError(
            "The gzip file is truncated: it ends before its end-of-stream marker (the download or copy was cut "
            "short). Compress or download it again, then upload it."
        ) from None
    except (gzip.BadGzipFile, zlib.error, OSError) as error:
        raise ReadError(
            f"The gzip file is damaged ({error}). Compress the CSV again (for example with gzip) and upload it."
        ) from None
    return b"".join(parts)
