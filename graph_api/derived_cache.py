"""What the service derives from seed files (the gazetteer, the populated places by municipality), kept on disk
between runs, so that its first use after a restart reads it instead of building it again.

Each is a pickle this module wrote itself, named by a key: a SHA-256 of the content of the seed files it derives
from and of the service's own code, so a changed seed file or a new version of the code makes a new file, and an
old one is never read for new files (and is removed once the new one is written). The pickle is read only when the
SHA-256 of its bytes stored before it matches: a file cut short or changed on disk is built anew and written again,
never trusted. A cache folder that cannot be written is no error: the value is built, as without a cache.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import pickle
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

FORMAT = b"graph-api derived v1\n"
"""The first bytes of every file: a file of another format (or none of ours) is built anew."""
DIGEST_BYTES = hashlib.sha256().digest_size
CODE = (Path(__file__).resolve().parent, Path(__file__).resolve().parent.parent / "loaders")
"""The service's own code: graph_api and loaders (which reads the seeds)."""

logger = logging.getLogger(__name__)


def derived(name: str, seeds_dir: Path, sources: Sequence[Path], build: Callable[[], T], cache_dir: Path | None) -> T:
    """`build()`, or what it returned before for the same content of `sources` (paths in `seeds_dir`), read from
    `cache_dir`; without a `cache_dir`, or a source, it is built (and says what is missing)."""
    files = [seeds_dir / source for source in sources]
    if cache_dir is None or not all(path.is_file() for path in files):
        return build()
    key = content_key(name, files)
    path = cache_dir / f"{name}-{key}.pickle"
    try:
        return read(path)  # type: ignore[no-any-return]
    except FileNotFoundError:
        pass
    except Exception as exc:  # anything a damaged pickle raises: it is rebuilt, never trusted
        logger.warning("the cached %s at %s is unreadable (%s): building it anew", name, path, exc)
    value = build()
    try:
        write(path, value)
    except OSError as exc:
        logger.warning("could not keep the %s in %s (%s): it is built again at the next start", name, cache_dir, exc)
        return value
    for stale in cache_dir.glob(f"{name}-*.pickle"):
        if stale != path:
            stale.unlink(missing_ok=True)
    return value


def content_key(name: str, files: Sequence[Path]) -> str:
    """The SHA-256 of the format, the name, the service's code and each file's name and content, in hex."""
    digest = hashlib.sha256(FORMAT + name.encode() + code_digest())
    for path in files:
        digest.update(path.name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


@functools.cache
def code_digest() -> bytes:
    """The SHA-256 of the service's Python files: a change to how anything is derived makes every key new."""
    digest = hashlib.sha256()
    for package in CODE:
        for path in sorted(package.rglob("*.py")):
            name = str(path.relative_to(package.parent)).encode()
            digest.update(name + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.digest()


def read(path: Path) -> object:
    data = path.read_bytes()
    start = len(FORMAT) + DIGEST_BYTES
    head, digest, payload = data[: len(FORMAT)], data[len(FORMAT) : start], data[start:]
    if head != FORMAT or hashlib.sha256(payload).digest() != digest:
        raise ValueError("not a whole cache file of this format")
    return pickle.loads(payload)


def write(path: Path, value: object) -> None:
    """Written whole or not at all: into a file beside it, then renamed over it."""
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(FORMAT + hashlib.sha256(payload).digest() + payload)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
