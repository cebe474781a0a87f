"""The summary wing: which sentences make the abstract and how lines are shortened and checked.

``selection`` picks the abstract's sentences (learned weights, ``selection_weights.json``);
``pruning`` deletes whole asides; ``compression`` checks a model's deletion-only shortening;
``faithfulness`` checks any model-written line against the sentences it cites.
"""
