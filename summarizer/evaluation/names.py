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

# One document at a time by default: summarizer.segment shares one pysbd Segmenter across
# threads and it is not thread-safe (two threads get each other's sentence spans; measured).
# Raise it once the segmenter is per thread; the embedded model serialises calls anyway.
DEFAULT_CONCURRENCY = 1
DEFAULT_MAX_DROP = 0.02  # absolute: two percentage points
