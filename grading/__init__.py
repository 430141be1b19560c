"""Coursework tools for the book: practice notebooks, graded assignments and a sandboxed
autograder (the instructor's side; nothing here is installed with ``ibias_lib``).

* ``python -m grading.student``: practice notebooks of every chapter (solutions removed) and,
  per chapter with graded exercises (``grading/graded/``), an nbgrader source and a handout.
* ``python -m grading.grade submission.ipynb --student ID`` (or ``--batch FOLDER``): run each
  submission in a bubblewrap sandbox and score its answers against the reference solutions for
  the student's seed, computed in the grader's own process.

See ``grading/README.md``.
"""
