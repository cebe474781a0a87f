"""Headless Chromium for tests that look at a page as a person would."""

from __future__ import annotations

import os
import shutil
import subprocess
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
