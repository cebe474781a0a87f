"""Names and defaults of the eval command, in a module with no imports.

The main CLI imports ``evaluation.cli`` at start-up; keeping these here lets it
build the ``eval`` command's help without loading numpy, scipy, rouge-score or
the pipeline (and lets ``summarise run`` work where the eval extra is absent).
"""

TOOL = "tool"
LEAD = "lead3"
PUBLICATION_DATE = "publication_date"
DATED_SENTENCES = "dated_sentences"
BASELINES = (LEAD, PUBLICATION_DATE, DATED_SENTENCES)
SYSTEMS = (TOOL, *BASELINES)

# Documents in flight: remote backends overlap their waits; the embedded model serialises
# its calls anyway, so more only overlaps the code-side work.
DEFAULT_CONCURRENCY = 2
DEFAULT_MAX_DROP = 0.02  # absolute: two percentage points
