"""The ``single`` strategy writes freely (strong models), under the faithfulness checks."""

from __future__ import annotations

from summarizer.schemas import SummaryDraft
from summarizer.strategies.single import Single

SOURCE = ("The mayor said the council would not close the Harbour Street library. "
          "Residents had collected 4,000 signatures to keep it open. "
          "The vote is due on Friday.")


def draft(headline: str, points: list[str]) -> SummaryDraft:
    return SummaryDraft(headline=headline, gist="The library stays open.",
                        abstract="The council will keep the library open.", key_points=points)


def test_a_key_point_that_drops_the_negation_or_the_speaker_is_an_error() -> None:
    errors = Single.unfaithful(draft("Mayor says library will stay open",
                                     ["The council would close the Harbour Street library.",
                                      "Residents collected 4,000 signatures to keep it open.",
                                      "The vote is due on Friday."]),
                               SOURCE)
    assert any(e.startswith("key point 1:") and "negation" in e for e in errors)
    assert any(e.startswith("key point 1:") and "attributes" in e for e in errors)
    assert not any(e.startswith("key point 2:") for e in errors)


def test_faithful_key_points_and_headline_pass() -> None:
    assert Single.unfaithful(draft("Mayor says council will not close library",
                                   ["The mayor said the council would not close the library.",
                                    "Residents had collected 4,000 signatures to keep it open.",
                                    "The vote is due on Friday."]), SOURCE) == []
