"""GGUF weights from the Hugging Face Hub, named ``hf:OWNER/REPO/FILE``.

A **hub reference** names one file of a model repository, optionally at a revision and pinned
to a sha256: ``hf:Qwen/Qwen2.5-0.5B-Instruct-GGUF/qwen2.5-0.5b-instruct-q4_k_m.gguf``,
``hf:OWNER/REPO/sub/dir/FILE.gguf@REVISION``, ``...FILE.gguf#sha256=HEX``. The file is fetched
with ``huggingface_hub`` into ``cache_dir/hub`` (its own layout, shared across runs, resumed
when cut) and read from there afterwards, offline. The endpoint is the Hub's unless one is
given (``HF_ENDPOINT``, read by ``Settings``): a mirror, or a local server in tests.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError

PREFIX = "hf:"
ETAG_TIMEOUT_S = 10  # the look-up before a download; the download itself has no limit
_REFERENCE = re.compile(
    r"hf:(?P<repo>[\w.-]+/[\w.-]+)/(?P<file>[^@#]+?)"
    r"(?:@(?P<revision>[\w./-]+))?(?:#sha256=(?P<sha256>[0-9a-fA-F]{64}))?"
)


@dataclass(frozen=True)
class HubReference:
    """One file of a Hub repository: ``repo_id`` (``OWNER/REPO``), ``filename`` (its path in the
    repository), ``revision`` (a branch, tag or commit; None for the default branch) and the
    ``sha256`` the file must have (None: not pinned)."""

    repo_id: str
    filename: str
    revision: str | None = None
    sha256: str | None = None

    def __str__(self) -> str:
        at = f"@{self.revision}" if self.revision else ""
        return f"{PREFIX}{self.repo_id}/{self.filename}{at}"


def is_hub_reference(spec: str | Path) -> bool:
    return str(spec).startswith(PREFIX)


def parse_reference(spec: str) -> HubReference:
    """``hf:OWNER/REPO/FILE[@REVISION][#sha256=HEX]`` as a ``HubReference``; ConfigError else."""
    match = _REFERENCE.fullmatch(spec.strip())
    if match is None:
        raise ConfigError(
            f"model reference {spec!r} is not of the form hf:OWNER/REPO/FILE[@REVISION]"
            "[#sha256=HEX]"
        )
    sha = match["sha256"]
    return HubReference(
        match["repo"], match["file"], match["revision"], sha.lower() if sha else None
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch(
    reference: HubReference,
    cache_dir: Path,
    *,
    endpoint: str | None = None,
    token: str | None = None,
) -> Path:
    """The local path of the referenced file, downloaded into ``cache_dir/hub`` on first use.

    Raises ConfigError (naming the reference, never the token) when the Hub does not have the
    file, cannot be reached, or the file's sha256 differs from the pinned one (then the bad copy
    is removed, so the next run downloads it again).
    """
    # on use only: huggingface_hub pulls in its HTTP stack, which only hf: references need
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError

    try:
        local = Path(
            hf_hub_download(
                reference.repo_id,
                reference.filename,
                revision=reference.revision,
                cache_dir=cache_dir / "hub",
                endpoint=endpoint,
                token=token or False,  # False: never read a token file the user did not pass
                etag_timeout=ETAG_TIMEOUT_S,
            )
        )
    except (HfHubHTTPError, LocalEntryNotFoundError) as exc:
        # the library wraps a failed look-up (a 404, a refused connection) in the local-cache miss
        cause: BaseException | None = exc
        while cause is not None and not isinstance(cause, HfHubHTTPError):
            cause = cause.__cause__
        if cause is not None and cause.response is not None:
            raise ConfigError(
                f"{reference}: the Hub answered HTTP {cause.response.status_code}"
            ) from None
        raise ConfigError(f"{reference}: the Hub cannot be reached and no copy is cached") from None
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{reference}: download failed ({type(exc).__name__})") from None
    if reference.sha256 and (actual := _sha256(local)) != reference.sha256:
        blob = local.resolve()  # the snapshot entry links to a blob: both go
        local.unlink(missing_ok=True)
        blob.unlink(missing_ok=True)
        raise ConfigError(
            f"{reference}: sha256 {actual[:12]}… does not match the pinned "
            f"{reference.sha256[:12]}…; the copy was removed"
        )
    return local


__all__ = ["HubReference", "fetch", "is_hub_reference", "parse_reference"]
