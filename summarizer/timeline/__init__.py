"""The timeline wing: events found in the text and the dates they are given.

``events`` finds candidate clauses and their date expressions; ``dating`` chooses each event's
date among a few candidates with learned weights (``event_dates.json``).
"""
