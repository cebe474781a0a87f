"""Evaluation: reference sets, metrics and baselines (see ``eval/README.md``)."""

from .references import Reference, ReferenceEvent, load_frank, load_references

__all__ = ["Reference", "ReferenceEvent", "load_frank", "load_references"]
