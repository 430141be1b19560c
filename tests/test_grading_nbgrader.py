"""The nbgrader round trip, with nbgrader itself (pinned in grading/requirements.txt and
installed in .venv-grading by `make grading-venv`): quickstart -> generate_assignment ->
autograde -> export on two chapters' graded assignments. The reference (the instructor's
source, handed in by a student "reference") gets every autograded point, the release handed in
untouched gets 0, and the release holds no solution, hidden test or written solution.

The notebooks run in the course's venv (this one), through a kernelspec written here; nbgrader
lives in its own venv. Skipped without .venv-grading, except in CI (CI=true), where it fails.
"""
import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grading import assignment as A  # noqa: E402
from grading import graded as GR  # noqa: E402

NBGRADER = Path(os.environ.get("IBIAS_GRADING_VENV", ROOT / ".venv-grading")) / "bin" / "nbgrader"
CHAPTERS = {"rates": ROOT / "book" / "linear" / "rates.md",
            "xor": ROOT / "book" / "nonlinear" / "xor.md"}

if not NBGRADER.exists():
    if os.environ.get("CI"):
        raise RuntimeError(f"{NBGRADER} is missing: make test installs it (make grading-venv)")
    pytest.skip(f"no grading venv ({NBGRADER}); run make grading-venv", allow_module_level=True)


def _nbgrader(course, *args, env):
    p = subprocess.run([str(NBGRADER), *args], cwd=course, env=env, capture_output=True,
                       text=True, timeout=600)
    errors = [line for line in p.stderr.splitlines() if "ERROR" in line or "Error" in line]
    assert p.returncode == 0, (args, errors[:20], p.stderr[-2000:])
    return p


def _env(tmp_path):
    """An isolated Jupyter home whose python3 kernel is this venv's Python."""
    jup = tmp_path / "jupyter"
    (jup / "kernels" / "python3").mkdir(parents=True)
    (jup / "kernels" / "python3" / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (ibias)", "language": "python"}))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "IPYTHON"))}
    env.update(PATH=f"{NBGRADER.parent}{os.pathsep}{env.get('PATH', '/usr/bin:/bin')}",
               HOME=str(tmp_path / "home"), JUPYTER_PATH=str(jup),   # (nbgrader runs alembic)
               JUPYTER_CONFIG_DIR=str(tmp_path / "home" / ".jupyter"),
               JUPYTER_DATA_DIR=str(tmp_path / "home" / "data"), JUPYTER_PLATFORM_DIRS="1",
               MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1")
    (tmp_path / "home").mkdir()
    return env


def _submit(nb, path, student_id):
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    for c in nb.cells:
        if GR.SEED_TAG in c.metadata.get("tags", []):
            c.source = c.source.replace("STUDENT_ID = ''", f"STUDENT_ID = {student_id!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))


def test_quickstart_generate_autograde(tmp_path):
    env = _env(tmp_path)
    _nbgrader(tmp_path, "quickstart", "course", env=env)
    course = tmp_path / "course"
    shutil.rmtree(course / "source")                           # the example assignment
    (course / "source").mkdir()
    (course / "nbgrader_config.py").write_text(
        'c = get_config()\nc.CourseDirectory.course_id = "ibias"\n'
        'c.IncludeHeaderFooter.header = ""\nc.Execute.timeout = 300\n')
    sources = {}
    for ch, md in CHAPTERS.items():
        sources[ch], _ = A.assignment(md, ch)
        (course / "source" / ch).mkdir(parents=True)
        nbformat.write(sources[ch], str(course / "source" / ch / f"{ch}.ipynb"))
    _nbgrader(course, "generate_assignment", "*", "--force", env=env)
    for ch in CHAPTERS:
        release = nbformat.read(str(course / "release" / ch / f"{ch}.ipynb"), 4)
        text = json.dumps([c.source for c in release.cells])
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", "judge_value",
                       "{solution}", "ns = {'EXERCISE_SEED'"):
            assert marker not in text, (ch, marker)
        written = [c for c in sources[ch].cells
                   if c.cell_type == "markdown" and A.BEGIN in c.source]
        assert written, ch                                     # 2 written exercises in each
        for c in written:
            assert c.metadata["nbgrader"]["grade_id"] in {
                r.metadata.get("nbgrader", {}).get("grade_id") for r in release.cells}
            body = [line for line in c.source.split("\n")[1:-1] if line.strip()]
            assert not any(json.dumps(line)[1:-1] in text for line in body if len(line) > 20)
        # our own handout is nbgrader's release, cell for cell
        assert [c.source for c in A.handout(sources[ch]).cells] == [c.source for c in release.cells]
        _submit(sources[ch], course / "submitted" / "reference" / ch / f"{ch}.ipynb", "reference")
        _submit(release, course / "submitted" / "empty" / ch / f"{ch}.ipynb", "")
    _nbgrader(course, "autograde", "*", "--create", "--force", env=env)
    _nbgrader(course, "export", env=env)
    with open(course / "grades.csv") as f:
        rows = {(r["assignment"], r["student_id"]): r for r in csv.DictReader(f)}
    for ch in CHAPTERS:
        auto = sum(ex.points for ex in GR.exercises(ch).values())
        written = sum(c.metadata["nbgrader"]["points"] for c in sources[ch].cells
                      if c.cell_type == "markdown" and "nbgrader" in c.metadata)
        ref, empty = rows[(ch, "reference")], rows[(ch, "empty")]
        assert float(ref["max_score"]) == auto + written
        assert float(ref["score"]) == auto, (ch, ref)          # written ones: for a person
        assert float(empty["score"]) == 0, (ch, empty)
