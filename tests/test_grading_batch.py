"""Batch grading (python -m grading.grade --batch): a folder of submissions, graded in
parallel, one report per student and a CSV gradebook, going on past submissions that hang,
crash, attack or are not there."""
import csv
import json
import os
import sys
import time
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grading import assignment as A  # noqa: E402
from grading import grade as G  # noqa: E402
from grading import sandbox as SB  # noqa: E402

pytestmark = pytest.mark.skipif(SB.why_unavailable() is not None,
                                reason=f"no sandbox: {SB.why_unavailable()}")

CHAPTER = "deep_linear"
MD = ROOT / "book" / "nonlinear" / "deep_linear.md"


def _with(nb, *sources):
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    nb.cells += [nbformat.v4.new_code_cell(s) for s in sources]
    return nb


def test_batch_grades_every_student_and_keeps_going(tmp_path):
    source, handout = A.assignment(MD, CHAPTER)
    subs = tmp_path / "submitted"
    # nbgrader's layout for two students, a flat file for the others
    for student, nb in [("alice", source), ("bob", handout)]:
        d = subs / student / CHAPTER
        d.mkdir(parents=True)
        nbformat.write(nb, str(d / f"{CHAPTER}.ipynb"))
    hang = ("import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n"
            "    pass")                                 # ignores the per-cell interrupt
    nbformat.write(_with(source, hang), str(subs / "carol.ipynb"))
    nbformat.write(_with(source, "import os\nos._exit(1)"), str(subs / "dave.ipynb"))   # crashes
    (subs / "erin.ipynb").write_bytes(b"\xff\x00 not a notebook")
    os.symlink(subs / "alice", subs / "frank")                 # not followed
    (subs / "bad name").mkdir()                                # not a plain id, no notebook
    out = tmp_path / "reports"
    t0 = time.monotonic()
    assert G.main(["--batch", str(subs), "--chapter", CHAPTER, "--out", str(out), "-j", "2",
                   "--timeout", "25", "--cell-timeout", "10"]) == 0
    assert time.monotonic() - t0 < 150
    with open(out / "gradebook.csv") as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    assert set(rows) == {"alice", "bob", "carol", "dave", "erin", "frank", "bad name"}
    assert rows["alice"]["score"] == "2" and rows["alice"]["ex-deep-linear-fro"] == "2"
    for s in ("bob", "carol", "dave", "erin", "frank", "bad name"):
        assert rows[s]["score"] == "0", (s, rows[s])
    assert rows["carol"]["status"] == "timeout" and rows["dave"]["status"] == "kernel died"
    assert "symbolic link" in rows["frank"]["status"]
    assert rows["bad name"]["status"].startswith("not graded")
    alice = json.loads((out / "alice.json").read_text())
    assert alice["seed"] != json.loads((out / "bob.json").read_text())["seed"]
    names = sorted(p.name for p in out.iterdir())
    assert "gradebook.csv" in names and "alice.txt" in names and "frank.json" in names
    assert not any(n.startswith(".") for n in names)            # no temporary file left


def test_generated_notebooks_carry_no_path_of_this_machine(tmp_path):
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parents[1]
    subprocess.run([sys.executable, "-m", "grading.student", "--out", str(tmp_path / "s")],
                   cwd=root, check=True, capture_output=True)
    found = [p for p in (tmp_path / "s").rglob("*.ipynb")
             if str(root) in p.read_text() or str(tmp_path) in p.read_text()]
    assert not found, f"absolute paths in {found[:3]}"
