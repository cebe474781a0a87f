"""The guard's first markers: orders, chat-template turns, role labels, markup comments,
JSON shaped like the tool's own output, invisible or direction-reversing characters,
words spelt in mixed alphabets, and the script a text is written in."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter

_ADDRESSING_MODEL = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b[^.]{0,60}\b(?:instructions?|prompts?|the task|"
    r"the article|the above)\b"
    r"|\b(?:ignore|disregard|forget)\s+(?:everything|all|anything|whatever|what)\s+(?:(?:that )?you\b|above\b|before\b|"
    r"(?:that )?(?:was|has been|is) (?:said|written|stated)|(?:in )?(?:this|the) (?:article|page|text))"
    r"|\byou are now\b|\bfrom now on,? you\b|\bnew (?:task|instructions?)\s*(?:from\b|:)"
    # news reports that a chatbot revealed its system prompt: only the order to do it counts
    r"|(?:^\W{0,4}|[,;:]\s*|\b(?:please|now|and|then|you|must|should|first)\s+)(?:reveal|print|repeat|include)\b"
    r"[^.]{0,40}\b(?:prompt|instructions|"
    r"api[ _-]?key|environment variable|bearer token|token you)\b"
    r"|\bopenai_api_key\b|\b(?:note|message) to the (?:ai|model|assistant)\b"
    r"|\b(?:write|output|make|set)\b[^.]{0,30}\b(?:the headline|the gist|the summary|every "
    r"(?:event|headline)|all events)\b"
    r"|\banswer (?:only |again )?with\b|\bcorrect summary of this article\b"
    r"|\bdecode and follow\b|\byour answer had these problems\b"
    # talk about the output itself: "every headline you write", "the headline must be"
    r"|\b(?:headlines?|summary|gist|answer|output)\s+you\b|\byour (?:headline|summary|"
    r"output|instructions)\b|\b(?:headline|gist|summary|event)s?\b[^.]{0,20}\bmust be\b"
    # a reply in an assistant's voice
    r"|^\W{0,3}(?:sure|certainly|of course)\s*!|^\W{0,3}here is (?:a|your) \w+ about\b",
    re.IGNORECASE,
)
# an order at the start of a sentence or list item ("3. Add an event", "Now write a poem");
# not a name that happens to be a verb ("Mark Papermaster"), hence the case-sensitive look-ahead
_ORDER = re.compile(
    r"^\W{0,3}(?:\d+[.)]\s*)?(?i:now\s+|please\s+)?(?i:say|write|answer|output|print|repeat|"
    r"add|call|respond|reply|list|include|mark|do not summari[sz]e|don't summari[sz]e)\b"
    r"(?!\s+[A-Z][a-z])"
)
_CHAT_MARKUP = re.compile(
    r"<\|[a-z_]+\|>|\[/?inst\]|<<\s*/?sys\s*>>|<!--|-->|\[/?(?:admin|system)\]"
    r"|^\s*#{1,6}\s*(?:new )?instructions\b"
    r"|^\s*(?:system|assistant|user|system notice)\s*:",
    re.IGNORECASE | re.MULTILINE,
)
_MARKUP_ONLY = re.compile(r"^\s*(?:</?\w+[^<>]*>|<!?-*)\s*$")
_JSON_SHAPED = re.compile(r"\{\s*\"|\"\s*\}|\"\s*:\s*[\[\"{]")
# zero-width characters inside words and direction overrides hide or reverse text; the plain
# left/right marks web pages often carry (U+200E, U+200F) are left alone
_HIDING = re.compile(r"\w[\u200b\u200c\u200d\u2060\ufeff]\w|[\u202a-\u202e\u2066-\u2069]")
_SCRIPT_OF = {
    "LATIN": "Latin",
    "CYRILLIC": "Cyrillic",
    "GREEK": "Greek",
    "ARABIC": "Arabic",
    "HEBREW": "Hebrew",
    "CJK": "CJK",
    "HIRAGANA": "CJK",
    "KATAKANA": "CJK",
    "HANGUL": "CJK",
    "DEVANAGARI": "Devanagari",
    "THAI": "Thai",
}


@functools.lru_cache(maxsize=8192)  # the characters a run meets; a name lookup is slow
def _script(ch: str) -> str | None:
    if not ch.isalpha():
        return None
    name = unicodedata.name(ch, "")
    for prefix, script in _SCRIPT_OF.items():
        if name.startswith(prefix):
            return script
    return "other"


_WORD = re.compile(r"\w{3,}")


def _mixed_script_word(text: str) -> bool:
    """A word spelt in two alphabets ('Рlеаsе' with Cyrillic letters) is a homoglyph trick."""
    if not _other_letters(text):  # every ASCII letter is Latin
        return False
    for word in _WORD.findall(text):
        scripts = {s for s in map(_script, word) if s not in (None, "other")}
        if len(scripts) > 1 and "CJK" not in scripts:
            return True
    return False


def _other_letters(text: str) -> bool:
    """Whether the text has a letter outside ASCII (curly quotes and dashes are no letters)."""
    return not text.isascii() and any(ch.isalpha() for ch in text.translate(_WITHOUT_ASCII))


_WITHOUT_ASCII = dict.fromkeys(range(128))


def dominant_script(text: str) -> str | None:
    if not _other_letters(text):  # the letters, if any, are all Latin
        return "Latin" if any(ch.isalpha() for ch in text) else None
    counts: dict[str, int] = {}
    # each character once, in the order of its first appearance: scripts are counted in
    # the order the text meets them, so a tie goes to the same script as reading it would
    for ch, times in Counter(text).items():
        script = _script(ch)
        if script:
            counts[script] = counts.get(script, 0) + times
    return max(counts, key=lambda k: counts[k]) if counts else None
