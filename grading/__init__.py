"""Coursework tools for the book: student notebooks and a hidden-check autograder.

* ``python -m grading.student``: every chapter of ``_toc.yml`` as a student notebook
  (solutions removed) and an nbgrader-ready instructor notebook, under ``student/``.
* ``python -m grading.grade submission.ipynb``: run a submission in a separate, time-limited
  process and score it with the checks of :mod:`ibias_lib.exercises`, evaluated in the
  grader's own process on plain values read back from the submission's kernel.

See ``grading/README.md``.
"""
