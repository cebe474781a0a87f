"""The regression gate: thresholds (``--fail-under``) and comparison with a baseline report.

Terms:

* **threshold**: ``METRIC=VALUE`` or ``SYSTEM.METRIC=VALUE``; the run fails
  when that aggregate (over all documents) is below ``VALUE``. Without a
  system it names the *primary* system (the tool; in a baselines-only run the
  dated-sentence baseline, see ``harness.primary_system``). Only higher-is-better metrics take a threshold.
* **baseline report**: the ``report.json`` of an earlier run. Each quality
  metric of each system present in both is compared; the primary system
  *regressed* when a metric dropped by more than ``max_drop`` (absolute: 0.02
  is two percentage points).
* **not comparable**: the two runs scored different documents; deltas are
  still shown, with a note, since a changed set moves the numbers by itself.

Gates read report dictionaries (``report.build_report``), so an old report
from disk and the new run are compared in one shape.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from .names import DEFAULT_MAX_DROP
from .scoring import BY_KEY, QUALITY


@dataclass(frozen=True)
class Threshold:
    metric: str
    value: float
    system: str | None = None

    def __str__(self) -> str:
        return f"{self.system + '.' if self.system else ''}{self.metric}={self.value:g}"


def parse_threshold(spec: str) -> Threshold:
    """``[SYSTEM.]METRIC=VALUE`` -> ``Threshold``; ``ValueError`` with a readable reason."""
    name, sep, raw = spec.partition("=")
    if not sep:
        raise ValueError(f"--fail-under {spec!r}: expected METRIC=VALUE")
    system, _, metric = name.strip().rpartition(".")
    if metric not in BY_KEY:
        raise ValueError(
            f"--fail-under {spec!r}: unknown metric {metric!r}; choose from {', '.join(QUALITY)}"
        )
    if not BY_KEY[metric].higher_is_better:
        raise ValueError(
            f"--fail-under {spec!r}: {metric} is lower-is-better; only quality metrics take a floor"
        )
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"--fail-under {spec!r}: {raw!r} is not a number") from None
    return Threshold(metric, value, system or None)


@dataclass(frozen=True)
class Delta:
    system: str
    metric: str
    old: float | None
    new: float | None

    @property
    def change(self) -> float | None:
        if self.old is None or self.new is None:
            return None
        return self.new - self.old


@dataclass
class Verdict:
    """What the gate decided: failures make the run exit non-zero; notes only inform."""

    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    deltas: list[Delta] = field(default_factory=list)
    checks: int = 0  # thresholds plus compared metrics: 0 means the gate had nothing to do

    @property
    def passed(self) -> bool:
        return not self.failures


def _value(report: dict[str, Any], system: str, metric: str) -> float | None:
    value = report.get("aggregates", {}).get("all", {}).get(system, {}).get(metric)
    return (
        None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)
    )


def compare(new: dict[str, Any], old: dict[str, Any]) -> list[Delta]:
    """Deltas of every metric for every system in both reports (aggregate over all documents)."""
    systems = [s for s in new["systems"] if s in old["systems"]]
    return [
        Delta(s, m.key, _value(old, s, m.key), _value(new, s, m.key))
        for s in systems
        for m in BY_KEY.values()
    ]


def _document_ids(report: dict[str, Any]) -> set[str]:
    return {f"{d.get('dataset')}/{d.get('id')}" for d in report.get("documents", [])}


def check(
    report: dict[str, Any],
    thresholds: list[Threshold],
    baseline: dict[str, Any] | None,
    max_drop: float = DEFAULT_MAX_DROP,
) -> Verdict:
    """Apply the thresholds and the regression check to a report dictionary."""
    verdict = Verdict()
    primary = report["primary_system"]
    verdict.checks = len(thresholds)
    for t in thresholds:
        system = t.system or primary
        if system not in report["systems"]:
            verdict.failures.append(f"{t}: system {system!r} did not run")
            continue
        value = _value(report, system, t.metric)
        if value is None:
            verdict.failures.append(f"{t}: {system} has no {t.metric} (nothing to score)")
        elif value < t.value:
            verdict.failures.append(f"{system}.{t.metric} = {value:.3f} is below {t.value:g}")
    if baseline is None:
        return verdict
    verdict.deltas = compare(report, baseline)
    if _document_ids(report) != _document_ids(baseline):
        verdict.notes.append(
            "the baseline report scored other documents: deltas mix a change "
            "of data with a change of system"
        )
    for d in verdict.deltas:
        change = d.change
        if d.system != primary or d.metric not in QUALITY or change is None:
            continue
        verdict.checks += 1
        if change < -max_drop - 1e-12:  # the epsilon keeps a drop of exactly max_drop allowed
            verdict.failures.append(
                f"{d.system}.{d.metric} regressed: {d.old or 0:.3f} -> "
                f"{d.new or 0:.3f} ({change:+.3f}, allowed -{max_drop:g})"
            )
    return verdict


__all__ = [
    "DEFAULT_MAX_DROP",
    "Delta",
    "Threshold",
    "Verdict",
    "check",
    "compare",
    "parse_threshold",
]
