"""The guard measured: recall on hostile sentences by kind, false alarms on benign news.

Hostile set: ``eval/hostile/dev/<kind>.txt`` (written for this project; one item a
paragraph, every sentence of an item hostile), each item placed into a real article
named by id in ``dev/placements.json`` (the article's source, id, and the sentence
after which the item goes, as its own paragraph or joined to that sentence's
paragraph). FRANK and TBAQ articles are read in place from ``../shared/data`` at run
time; their texts are never stored here.

Benign set: every sentence of the FRANK, TimeBank, AQUAINT, Wikinews, CNN/DailyMail
(``news_summ_train``) and BBC articles (over 100,000 sentences), split by a hash of the
article id into a *tune* half (looked at while writing the guard) and a *check* half (only
counted), plus ``benign/quoted-orders.txt`` (news sentences that quote orders, notes, dates
and machines) and ``benign/written-news.txt`` (short articles of the kinds issue 29 found
ignored). A sentence is *ignored* (a sure finding) or *kept with a warning* (unsure); the
tables count both, per 1,000 benign sentences, by half and by corpus.

Hostile recall is per kind (sentences ignored, whole items held), on dev, check, check2
and probes (issue 29's misses). ``--loko`` adds the leave-one-kind-out check in both
directions, rule by rule (see ``leave_one_kind_out``). The shared data sets are read from
``../shared/data`` (or ``$SUMMARIZER_SHARED_DATA``).

    python eval/hostile/measure.py [--loko] [--show-misses] [--show-alarms N] [--no-benign]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
# the shared data sets; a worktree elsewhere names them with SUMMARIZER_SHARED_DATA
SHARED = Path(os.environ.get("SUMMARIZER_SHARED_DATA", REPO.parent / "shared" / "data"))
sys.path.insert(0, str(REPO))

from summarizer import guard  # noqa: E402
from summarizer.guard import assess, language, markers, signals  # noqa: E402
from summarizer.segment import Sentence, sentences  # noqa: E402

DEV = HERE / "dev"
CHECK = HERE / "check"  # written after round 1 froze; measured, then round 2 was tuned on it
CHECK2 = HERE / "check2"  # written before round 2 was run on anything; measured once after it
PROBES = HERE / "probes"  # issue 29's misses in new words, written before round 3's rules
WIKINEWS = REPO / "eval" / "datasets" / "wikinews.jsonl"
FRANK = SHARED / "frank" / "frank_docs.jsonl"
NEWS_SUMM = SHARED / "news_summ_train"
TBAQ = [
    SHARED / "tempeval3_tbaq" / "tbaq_timebank.timex.derived.jsonl",
    SHARED / "tempeval3_tbaq" / "tbaq_aquaint.timex.derived.jsonl",
]


@dataclass(frozen=True)
class Item:
    kind: str
    id: str
    text: str


@dataclass(frozen=True)
class Article:
    source: str  # wikinews | frank | tbaq
    id: str
    text: str


def items(directory: Path = DEV) -> list[Item]:
    """Every hostile item, kind by kind (a file's first paragraph is its heading)."""
    found = []
    for path in sorted(directory.glob("*.txt")):
        blocks = [b.strip("\n") for b in path.read_text(encoding="utf-8").split("\n\n")]
        blocks = [b for b in blocks[1:] if b.strip()]
        found += [Item(path.stem, f"{path.stem}-{n:02d}", b) for n, b in enumerate(blocks, 1)]
    return found


def benign_orders() -> list[str]:
    lines = (HERE / "benign" / "quoted-orders.txt").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def written_news() -> list[str]:
    """``benign/written-news.txt``: short articles written here, separated by a line "---"."""
    raw = (HERE / "benign" / "written-news.txt").read_text(encoding="utf-8")
    body = "\n".join(line for line in raw.splitlines() if not line.startswith("#"))
    return [piece.strip("\n") for piece in body.split("\n---\n") if piece.strip()]


def articles() -> Iterator[Article]:
    """Every article of the benign corpora that is present (Wikinews is shipped)."""
    for line in WIKINEWS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("//"):
            record = json.loads(line)
            yield Article("wikinews", record["id"], record["text"])
    if FRANK.is_file():
        for line in FRANK.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            yield Article("frank", record["hash"], record["article"])
    for path in TBAQ:
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                record = json.loads(line)
                yield Article("tbaq", record["doc_id"], record["text"])
    for source, name in (("cnndm", "cnndm_train_val.jsonl"), ("bbc", "bbc_news_summary.jsonl")):
        path = NEWS_SUMM / name
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                record = json.loads(line)
                yield Article(source, record["id"], record["article"])


def half(article: Article) -> str:
    digest = hashlib.sha256(f"{article.source}:{article.id}".encode()).digest()
    return "tune" if digest[0] % 2 == 0 else "check"


def host(placement: dict[str, object], library: dict[tuple[str, str], Article]) -> Article | None:
    return library.get((str(placement["source"]), str(placement["id"])))


def place(item: Item, article: Article, after: int, inline: bool) -> tuple[str, tuple[int, int]]:
    """The article with the item after its sentence ``after``: the text and the item's span."""
    sents = sentences(article.text)
    anchor = sents[min(after, len(sents) - 1)]
    cut = anchor.end
    joiner = " " if inline and "\n" not in item.text else "\n\n"
    head = article.text[:cut] + joiner
    tail = article.text[cut:]
    text = head + item.text + ("" if tail.startswith("\n") else "\n\n") + tail.lstrip(" ")
    return text, (len(head), len(head) + len(item.text))


def make_placements(all_items: list[Item], library: list[Article]) -> list[dict[str, object]]:
    """Draw a host article and an insertion point for every item (run once, then stored)."""
    rng = random.Random(16)
    hosts = [a for a in library if len(sentences(a.text)) >= 6]
    out = []
    for item in all_items:
        article = rng.choice(hosts)
        n = len(sentences(article.text))
        out.append(
            {
                "item": item.id,
                "source": article.source,
                "id": article.id,
                "after": rng.randrange(1, n - 2),
                "inline": rng.random() < 0.3,
            }
        )
    return out


def hostile_documents(
    library: dict[tuple[str, str], Article], directory: Path = DEV
) -> Iterator[tuple[Item, str, list[Sentence], set[int]]]:
    """Each item placed in its host: (item, text, sentences, indices of the item's sentences)."""
    stored = json.loads((directory / "placements.json").read_text(encoding="utf-8"))
    placements = {p["item"]: p for p in stored}
    for item in items(directory):
        placement = placements.get(item.id)
        article = host(placement, library) if placement else None
        if article is None:
            continue
        text, (start, end) = place(
            item, article, int(placement["after"]), bool(placement["inline"])
        )  # type: ignore[index]
        sents = sentences(text)
        hostile = {s.index for s in sents if s.start < end and start < s.end}
        yield item, text, sents, hostile


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--show-misses", action="store_true", help="print hostile sentences not flagged"
    )
    parser.add_argument(
        "--show-alarms",
        type=int,
        default=0,
        metavar="N",
        help="print up to N flagged benign sentences of the tune half",
    )
    parser.add_argument("--no-benign", action="store_true", help="hostile tables only (fast)")
    parser.add_argument(
        "--loko", action="store_true", help="also the leave-one-kind-out check (both directions)"
    )
    parser.add_argument(
        "--placements",
        action="store_true",
        help="draw dev/placements.json anew (only when items are added)",
    )
    args = parser.parse_args(argv)

    started = time.perf_counter()
    library = list(articles())
    for directory in (DEV, CHECK, CHECK2, PROBES):
        if args.placements or not (directory / "placements.json").is_file():
            (directory / "placements.json").write_text(
                json.dumps(make_placements(items(directory), library), indent=0) + "\n",
                encoding="utf-8",
            )
    by_key = {(a.source, a.id): a for a in library}
    misses: list[tuple[str, str]] = []
    for title, directory in (
        ("dev set (round 1 was tuned on it)", DEV),
        ("check set (held out from round 1; round 2 was tuned on it)", CHECK),
        ("check2 set (held out from both rounds)", CHECK2),
        ("probes (issue 29's misses; round 3 was written after them)", PROBES),
    ):
        print(title)
        misses += _hostile_table(by_key, directory)
        print()
    if args.loko:
        print("leave one kind out")
        leave_one_kind_out(by_key)
        print()
    if not args.no_benign:
        _benign_table(library, args.show_alarms)
    print(f"\n{time.perf_counter() - started:.1f} s")
    if args.show_misses:
        print("\nmissed hostile sentences / lost host sentences:")
        for name, text in misses:
            print(f"  {name}: {text[:160]!r}")
    return 0


def _hostile_table(
    by_key: dict[tuple[str, str], Article], directory: Path
) -> list[tuple[str, str]]:
    rows: dict[
        str, list[int]
    ] = {}  # kind -> [sentences, ignored, items, items held, collateral, warned]
    misses = []
    collateral_total = host_sentences = 0
    for item, text, sents, hostile in hostile_documents(by_key, directory):
        findings = assess(text, sents)
        reasons = [f.reason if f and f.sure else None for f in findings]
        row = rows.setdefault(item.kind, [0, 0, 0, 0, 0, 0])
        row[5] += sum(1 for i in hostile if findings[i] is not None and not findings[i].sure)
        caught = [i for i in hostile if reasons[i] is not None]
        row[0] += len(hostile)
        row[1] += len(caught)
        row[2] += 1
        row[3] += len(caught) == len(hostile)
        others = [i for i in range(len(sents)) if i not in hostile]
        lost = [i for i in others if reasons[i] is not None]
        row[4] += len(lost)
        collateral_total += len(lost)
        host_sentences += len(others)
        misses += [(item.id, sents[i].text) for i in sorted(hostile) if reasons[i] is None]
        misses += [(item.id + " (host)", sents[i].text + f"  <- {reasons[i]}") for i in lost]

    print(
        f"{'kind':22} {'sentences':>9} {'ignored':>8} {'recall':>7} {'items held':>11} {'host lost':>9}"
        f" {'kept, warned':>12}"
    )
    total = [0, 0, 0, 0]
    for kind, (n, hit, n_items, held, lost, warned) in sorted(rows.items()):
        print(
            f"{kind:22} {n:9d} {hit:8d} {hit / n:7.1%} {held:5d}/{n_items:<5d} {lost:9d} {warned:12d}"
        )
        total = [total[0] + n, total[1] + hit, total[2] + n_items, total[3] + held]
    print(
        f"{'all kinds':22} {total[0]:9d} {total[1]:8d} {total[1] / max(1, total[0]):7.1%} "
        f"{total[3]:5d}/{total[2]:<5d} {collateral_total:9d}"
    )
    macro = sum(hit / n for n, hit, *_ in rows.values()) / max(1, len(rows))
    print(
        f"macro recall over {len(rows)} kinds: {macro:.1%}; host sentences lost beside the items: "
        f"{collateral_total} of {host_sentences}"
    )
    return misses


def _benign_table(library: list[Article], show_alarms: int) -> None:
    """Ignored (and kept-with-a-warning) benign sentences per 1,000, by half and by corpus,
    and the guard's speed over them."""
    counts: dict[tuple[str, str], list[int]] = {}  # (half, source) -> [sentences, ignored, warned]
    alarms = []
    seconds = 0.0
    for article in library:
        sents = sentences(article.text)
        started = time.perf_counter()
        findings = assess(article.text, sents)
        seconds += time.perf_counter() - started
        part = half(article)
        row = counts.setdefault((part, article.source), [0, 0, 0])
        row[0] += len(sents)
        row[1] += sum(1 for f in findings if f is not None and f.sure)
        row[2] += sum(1 for f in findings if f is not None and not f.sure)
        if part == "tune":
            alarms += [
                (article.source, article.id, s.text, f.reason)
                for s, f in zip(sents, findings)
                if f is not None and f.sure
            ]
    own = [(line, "quoted orders (own)") for line in benign_orders()]
    own += [(text, "written news (own)") for text in written_news()]
    own_rows: dict[str, list[int]] = {}
    own_hits = []
    for text, name in own:
        sents = sentences(text)
        findings = assess(text, sents)
        row = own_rows.setdefault(name, [0, 0, 0])
        row[0] += len(sents)
        row[1] += sum(1 for f in findings if f is not None and f.sure)
        row[2] += sum(1 for f in findings if f is not None and not f.sure)
        own_hits += [
            (s.text, f.reason) for s, f in zip(sents, findings) if f is not None and f.sure
        ]

    def line(name: str, n: int, ignored: int, warned: int) -> None:
        print(
            f"{name:24} {n:9d} {ignored:8d} {1000 * ignored / max(1, n):9.2f} "
            f"{warned:7d} {1000 * warned / max(1, n):9.2f}"
        )

    print(
        f"{'benign':24} {'sentences':>9} {'ignored':>8} {'per 1,000':>9} {'warned':>7} {'per 1,000':>9}"
    )
    total = [0, 0, 0]
    for part in ("tune", "check"):
        rows = {src: r for (p, src), r in counts.items() if p == part}
        n, ignored, warned = (sum(r[k] for r in rows.values()) for k in range(3))
        total = [total[0] + n, total[1] + ignored, total[2] + warned]
        line(f"news, {part} half", n, ignored, warned)
        for source, r in sorted(rows.items()):
            line(f"  {source}", *r)
    line("news, both halves", *total)
    for name, r in own_rows.items():
        line(name, *r)
    for text, reason in own_hits:
        print(f"  own benign sentence ignored: {text!r} <- {reason}")
    print(f"guard speed: {total[0] / max(seconds, 1e-9):,.0f} sentences per second (one core)")
    for source, doc, text, reason in alarms[:show_alarms]:
        print(f"  {source}:{doc[:12]}: {text[:150]!r} <- {reason}")


def _alternatives(pattern: re.Pattern[str]) -> list[re.Pattern[str]]:
    """A regex's top-level alternatives, each compiled alone: one rule each."""
    parts, depth, klass, escaped, last = [], 0, False, False, 0
    source = pattern.pattern
    for i, ch in enumerate(source):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif klass:
            klass = ch != "]"
        elif ch == "[":
            klass = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(source[last:i])
            last = i + 1
    parts.append(source[last:])
    return [re.compile(part, pattern.flags) for part in parts]


_RULES = {
    name: _alternatives(regex)
    for name, regex in (
        ("markers.chat", markers._CHAT_MARKUP),
        ("markers.addressing", markers._ADDRESSING_MODEL),
        ("signals.address", signals._ADDRESS),
        ("signals.directive", signals._DIRECTIVE),
        ("signals.meta", signals._META),
        ("signals.role", signals._ROLE),
        ("signals.control", signals._CONTROL),
        ("signals.tool_call", signals._TOOL_CALL),
        ("signals.markup", signals._MARKUP),
        ("signals.turn", signals._TURN),
        ("signals.broad", signals._BROAD),
    )
}


def families(sentence: str, script: str | None, lang: str | None) -> set[str]:
    """Every rule that fires on a sentence by itself: each top-level alternative of the
    guard's regexes, and the detectors that are one rule each (encodings, language, ...)."""
    found = {
        f"{name}#{k}"
        for name, alternatives in _RULES.items()
        for k, rule in enumerate(alternatives)
        if rule.search(sentence)
    }
    whole = {
        "markup only": markers._MARKUP_ONLY.match(sentence),
        "json shape": len(markers._JSON_SHAPED.findall(sentence)) >= 2,
        "hidden characters": markers._HIDING.search(sentence),
        "mixed alphabets": markers._mixed_script_word(sentence),
        "other script": script and markers.dominant_script(sentence) not in (None, script),
        "request": signals._REQUEST.search(sentence) and signals._REQUEST_OBJECT.search(sentence),
        "order about the output": signals.broad(sentence)
        == "orders about the summary or the output",
        "capitals": signals.broad(sentence) == "a control notice in capitals",
        "encoded": signals.encoded(sentence),
        "language": guard.other_language(sentence, lang),
        "opening order": markers._ORDER.search(sentence),
    }
    found |= {name for name, hit in whole.items() if hit}
    return found or {"context (carried on, corroborated)"}


def leave_one_kind_out(by_key: dict[tuple[str, str], Article]) -> None:
    """Both directions, over every hostile set, rule by rule (``families``). Held out: a kind's
    sentence counts as caught only when a rule that fires on it also fires on a caught
    sentence of another kind (the rules the other kinds needed would catch it). Alone: only
    the rules that fire on the kind's own caught sentences, on every other kind."""
    caught: dict[str, list[set[str]]] = {}  # kind -> families of each ignored sentence
    totals: dict[str, int] = {}
    for directory in (DEV, CHECK, CHECK2, PROBES):
        for item, text, sents, hostile in hostile_documents(by_key, directory):
            kind = f"{directory.name}/{item.kind}" if directory in (CHECK2, PROBES) else item.kind
            script = markers.dominant_script(text)
            lang = language.majority([s.text for s in sents]) if script == "Latin" else None
            findings = assess(text, sents)
            totals[kind] = totals.get(kind, 0) + len(hostile)
            for i in hostile:
                if findings[i] is not None and findings[i].sure:
                    caught.setdefault(kind, []).append(families(sents[i].text, script, lang))
    print(f"{'kind':26} {'held out':>9} {'alone -> others':>16}  (recall; sentences)")
    for kind in sorted(totals):
        mine = caught.get(kind, [])
        others = set().union(*(f for k, fs in caught.items() if k != kind for f in fs))
        held_out = sum(1 for f in mine if f & others)
        own = set().union(*mine) if mine else set()
        rest_total = sum(n for k, n in totals.items() if k != kind)
        alone = sum(1 for k, fs in caught.items() if k != kind for f in fs if f & own)
        print(
            f"{kind:26} {held_out / max(1, totals[kind]):9.1%} {alone / max(1, rest_total):16.1%}"
            f"  ({held_out}/{totals[kind]}; {alone}/{rest_total})"
        )


if __name__ == "__main__":
    raise SystemExit(main())
