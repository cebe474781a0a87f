"""The guard's script detection, made fast, decides as naming every character did.

``markers`` caches each character's script, counts each distinct character once and
takes ASCII text at a glance. The reference here names every character with
``unicodedata`` in reading order, as the guard did before; random strings mix scripts
so that ties and mixed-alphabet words occur often.
"""

from __future__ import annotations

import json
import random
import re
import unicodedata

from support.paths import REPO

from summarizer.guard import markers

POOL = "abcXYZ абвгдРе αβγ אבג عرب 中文かなカナ한글 देव ไทย éüñß 123 .,“”'-_"


def script_by_name(ch: str) -> str | None:
    if not ch.isalpha():
        return None
    name = unicodedata.name(ch, "")
    return next((s for p, s in markers._SCRIPT_OF.items() if name.startswith(p)), "other")


def dominant_by_name(text: str) -> str | None:
    counts: dict[str, int] = {}
    for ch in text:
        script = script_by_name(ch)
        if script:
            counts[script] = counts.get(script, 0) + 1
    return max(counts, key=lambda k: counts[k]) if counts else None


def mixed_by_name(text: str) -> bool:
    for word in re.findall(r"\w{3,}", text):
        scripts = {s for s in map(script_by_name, word) if s not in (None, "other")}
        if len(scripts) > 1 and "CJK" not in scripts:
            return True
    return False


def texts() -> list[str]:
    rnd = random.Random(28)
    mixed = ["".join(rnd.choice(POOL) for _ in range(rnd.randint(0, 30))) for _ in range(5000)]
    rows = (REPO / "eval" / "datasets" / "wikinews.jsonl").read_text(encoding="utf-8")
    return mixed + [json.loads(line)["text"] for line in rows.splitlines()] + ["Рlеаsе help"]


def test_dominant_script_as_naming_every_character() -> None:
    found = [(markers.dominant_script(t), dominant_by_name(t)) for t in texts()]
    assert all(ours == reference for ours, reference in found)
    assert len({ours for ours, _ in found}) >= 8  # many scripts won somewhere


def test_mixed_alphabet_words_as_naming_every_character() -> None:
    found = [(markers._mixed_script_word(t), mixed_by_name(t)) for t in texts()]
    assert all(ours == reference for ours, reference in found)
    assert any(ours for ours, _ in found) and not all(ours for ours, _ in found)
