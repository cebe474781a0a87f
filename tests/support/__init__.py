"""What the tests share, importable from every test module (``tests/`` is on pytest's path).

- ``support.paths``: where the repository, the shared data and the sample article are.
- ``support.fakes``: ``FakeBackend``, the one in-process stand-in for a model backend.
- ``support.cli``: ``summarise`` run in this process through the console entry, and the
  checks of its one-line refusals.
- ``support.sample``: what every real model must get right on the sample article.

The scripted HTTP server stays in ``tests/scripted_server.py`` and Ray's faults in
``tests/ray_faults.py`` (Ray's worker processes import that module by name).
"""
