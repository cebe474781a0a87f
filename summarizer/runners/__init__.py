"""The runners: many documents through one pipeline.

``local`` runs a batch on this machine, ``ray`` on a Ray cluster, ``batch_api`` writes and
reads provider batch files; ``core`` holds what they share (the record format, ids, resume,
failure tally, atomic writes).
"""
