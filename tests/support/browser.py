"""Headless Chromium for tests that look at a page as a person would."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from .paths import REPO

CHROMIUM = "/usr/bin/chromium"


def chromium() -> str:
    """The browser's path; installed as `make chromium` does when we are root, else a skip."""
    found = shutil.which("chromium") or (CHROMIUM if os.path.exists(CHROMIUM) else None)
    if found:
        return found
    if os.geteuid() != 0:
        pytest.skip("chromium is not installed and installing it needs root (run `make chromium`)")
    subprocess.run(["make", "-C", str(REPO), "chromium"], check=True, timeout=900)
    return CHROMIUM


def screenshot(page: Path, shot: Path, *, width: int = 1280, height: int = 2000) -> Path:
    """A PNG of ``page`` as headless Chromium draws it (no network, a throwaway profile)."""
    subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={shot.parent / 'chromium-profile'}",
            f"--screenshot={shot}",
            f"--window-size={width},{height}",
            page.as_uri(),
        ],
        check=True,
        timeout=120,
        capture_output=True,
    )
    return shot


def png_pixels(path: Path) -> tuple[int, int, int, bytes]:
    """Width, height, bytes per pixel and the decompressed (still filtered) scanlines of a PNG."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width, height, channels = 8, b"", 0, 0, 3
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8, f"unexpected bit depth {depth}"
            channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour]
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    return width, height, channels, zlib.decompress(idat)
