"""The book's experiments, one module per chapter, each defining ``EXPERIMENTS``.

Every experiment is a function of ``seed`` and ``size`` that the chapter calls (``seed=0``, the
chapter's size) and the tests sweep (:mod:`ibias_lib.claims`). Modules import ``ibias_lib``
lazily inside functions where needed, so this package stays cheap to import.
"""
