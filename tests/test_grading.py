"""The coursework tools: student notebooks (grading/student.py) and the autograder
(grading/grade.py), including submissions that misbehave or try to cheat."""
import json
import os
import sys
import time
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grading import grade as G  # noqa: E402
from grading import student as S  # noqa: E402
from ibias_lib.exercises import all_checks  # noqa: E402

# The chapter whose one exercise the small notebooks below answer (2 points).
SMALL = "deep_linear"
SMALL_MD = ROOT / "book" / "nonlinear" / "deep_linear.md"
VAR = "answer_deep_linear_fro2"
REF_MD = ROOT / "book" / "linear" / "explicit_implicit.md"


def chapters():
    return [(ROOT / e).with_suffix(".md") for e in S.toc_chapters(ROOT / "_toc.yml")
            if (ROOT / e).with_suffix(".md").exists() and S.is_jupytext((ROOT / e).with_suffix(".md"))]


def _solution_region(md):
    """The reference code between the markers of the chapter's first solution cell."""
    inst, _ = S.convert(md)
    cell = next(c for c in inst.cells if "solution" in c.metadata.get("tags", []))
    return S.split_solution(cell.source)[1]


def tiny(path, *sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nb.metadata["ibias"] = {"chapter": SMALL}
    nbformat.write(nb, str(path))
    return path


IMPORTS = "import numpy as np\nimport ibias_lib as ib"


# --------------------------------------------------------------------------- conversion
def test_markdown_directives():
    src = ("Intro.\n\n```{exercise} Title\n:label: ex-a\n\nDo it.\n```\n\n"
           "````{solution} ex-a\n:class: dropdown\n\nSecret one.\n```{math}\nx\n```\nStill.\n````\n"
           "\n:::{solution} ex-b\nSecret two.\n:::\nAfter.")
    out = S.student_markdown(src)
    assert "Secret" not in out and "Still" not in out and "{solution}" not in out
    assert "**Exercise: Title** (`ex-a`)" in out and "Do it." in out
    assert out.startswith("Intro.") and out.endswith("After.")


def test_every_chapter_converts_without_solutions(tmp_path):
    assert S.main(["--out", str(tmp_path)]) == 0
    checks = all_checks()
    seen = set()
    for md in chapters():
        name = S.notebook_name(md.relative_to(ROOT))
        stud = nbformat.read(str(tmp_path / f"{name}.ipynb"), 4)
        inst = nbformat.read(str(tmp_path / "instructor" / f"{name}.ipynb"), 4)
        nbformat.validate(stud)
        text = json.dumps([c.source for c in stud.cells])
        assert "BEGIN SOLUTION" not in text and "{solution}" not in text
        for c in inst.cells:
            if "solution" in c.metadata.get("tags", []) and c.cell_type == "code":
                assert S.BEGIN in c.source and S.END in c.source
                body = S.split_solution(c.source)[1]
                code = json.dumps([c.source for c in stud.cells if c.cell_type == "code"])
                for line in body.splitlines():   # no solution line survives in the code
                    if "answer_" in line and "=" in line and not line.rstrip().endswith("= ..."):
                        assert json.dumps(line)[1:-1] not in code, line
        ids = [c.metadata["nbgrader"]["grade_id"] for c in stud.cells if "nbgrader" in c.metadata]
        graded = {c.metadata["nbgrader"]["grade_id"] for c in stud.cells
                  if c.metadata.get("nbgrader", {}).get("grade")}
        assert graded == set(S.chapter_checks(md.stem)), md     # every registered check, once
        assert len(ids) == len(set(ids))
        for c in stud.cells:
            nbg = c.metadata.get("nbgrader")
            tags = c.metadata.get("tags", [])
            if "solution" in tags:
                assert nbg["solution"] and not nbg["grade"] and not nbg["locked"]
                assert nbg["schema_version"] == 3
                assert "raise NotImplementedError" in c.source
            if "check" in tags:
                assert nbg["grade"] and nbg["locked"] and not nbg["solution"]
                label = nbg["grade_id"]
                assert nbg["points"] == checks[label].points
                assert checks[label].variable in c.source
                seen.add(label)
                # the stub before it keeps the variable name
                assert f"{checks[label].variable} = ..." in text
# --------------------------------------------------------------------------- grading
def test_reference_solutions_score_full_marks(tmp_path):
    """The whole chapter as written (one of the fastest with two computational exercises,
    one of them a tuple answer), converted to its instructor notebook."""
    inst, _ = S.convert(REF_MD)
    nbformat.write(inst, str(tmp_path / "ref.ipynb"))
    r = G.grade(tmp_path / "ref.ipynb", timeout=240)
    assert r["chapter"] == "explicit_implicit" and len(r["exercises"]) == 2
    assert r["max_score"] > 0 and r["score"] == r["max_score"], G.format_report(r)
    assert r["execution"]["status"] == "finished" and not r["execution"]["cell_errors"]


def test_untouched_student_notebook_scores_zero(tmp_path):
    _, stud = S.convert(SMALL_MD)
    # only the exercise cells (after the imports): the chapter's other cells take time and
    # cannot change what an untouched stub scores
    stud.cells = [nbformat.v4.new_code_cell(IMPORTS)] + [
        c for c in stud.cells if {"solution", "check"} & set(c.metadata.get("tags", []))]
    nbformat.write(stud, str(tmp_path / "deep_linear.ipynb"))
    out = tmp_path / "rep"
    assert G.main([str(tmp_path / "deep_linear.ipynb"), "--out", str(out)]) == 0
    r = json.loads(Path(f"{out}.json").read_text())
    assert r["score"] == 0 and r["max_score"] > 0
    assert {e["status"] for e in r["exercises"]} == {"failed"}
    assert any(e["ename"] == "NotImplementedError" for e in r["execution"]["cell_errors"])
    assert "Score:      0 / 2" in Path(f"{out}.txt").read_text()


def test_correct_answer_among_garbage_output_earns_its_points(tmp_path):
    nb = tiny(tmp_path / "g.ipynb", IMPORTS,
              "import os, sys\nprint('x' * 5_000_000)\nos.write(1, bytes(range(256)) * 4000)\n"
              "sys.stdout.buffer.write(b'\\xff\\xfe\\x00' * 100000); sys.stdout.flush()\n"
              "from IPython.display import HTML, display\nfor _ in range(20): display(HTML('<b>' * 100000))",
              _solution_region(SMALL_MD),
              "raise ValueError('\\x00\\xff garbage' * 1000)")
    r = G.grade(nb, timeout=120)
    assert r["score"] == 2, G.format_report(r)
    assert r["execution"]["output_dropped"]


def test_a_raising_submission_scores_zero(tmp_path):
    nb = tiny(tmp_path / "raise.ipynb", IMPORTS, "raise RuntimeError('boom')",
              f"{VAR} = 1.0", "import os\nos._exit(3)")
    r = G.grade(nb, timeout=120)
    assert r["score"] == 0
    assert r["execution"]["status"] == "kernel died"
    assert any(e["ename"] == "RuntimeError" for e in r["execution"]["cell_errors"])


def test_wrong_answer_and_tampering_earn_nothing(tmp_path):
    sneaky = f"""
import builtins, json, numpy as np
import ibias_lib.exercises as E
import ibias_lib.exercises.deep_linear as r
from ibias_lib.exercises import Check
ok = lambda *a, **k: "Correct"
r.check_fro2 = ok
r.CHECKS = {{k: Check(c.variable, ok, 100) for k, c in r.CHECKS.items()}}
E.all_checks = lambda: r.CHECKS
E.ExerciseError = type("ExerciseError", (Exception,), {{}})
E.Check = lambda *a, **k: None
np.isclose = lambda *a, **k: True
np.allclose = lambda *a, **k: True
print(r.check_fro2(None))
{VAR} = 123.0
"""
    nb = tiny(tmp_path / "sneaky.ipynb", IMPORTS, sneaky)
    r = G.grade(nb, timeout=120)
    assert r["score"] == 0 and r["max_score"] == 2, G.format_report(r)
    assert "does not match" in r["exercises"][0]["message"]
    # tampering with builtins breaks at most the submission's own kernel
    broken = ("import builtins\nbuiltins.isinstance = lambda *a: True\n"
              "builtins.type = lambda *a: float\nbuiltins.open = None\n"
              f"{VAR} = 'Correct'")
    r = G.grade(tiny(tmp_path / "builtins.ipynb", IMPORTS, broken), timeout=20, cell_timeout=5)
    assert r["score"] == 0 and r["exercises"][0]["status"] == "failed", G.format_report(r)


def _export(tmp_path, **variables):
    """Run the grader's export cell on ``variables`` (here, not in a kernel) and read back."""
    path = tmp_path / "values.json"
    src = G._EXPORT.replace("@ARGS@", f"{list(variables) + ['nope']!r}, {str(path)!r}, 1000")
    exec(compile(src, "export", "exec"), dict(variables))
    return G.read_values(path, list(variables) + ["nope"])


def test_export_keeps_plain_data_only(tmp_path):
    import numpy as np

    class Liar(float):
        def __eq__(self, other):
            return True

        def __float__(self):
            return 1e300

    v = _export(tmp_path, liar=Liar(5.0), fn=lambda: 1, arr=np.arange(6.0).reshape(2, 3),
                big=np.zeros(5000), obj=np.array([None, 1]), tup=(np.int64(3), [1.5, "s"]),
                d={"k": np.float32(2.5)}, x=float("nan"))
    for name in ("liar", "fn", "big", "obj"):
        assert isinstance(v[name], G.Unreadable), name
    assert "not defined" in v["nope"].why
    assert v["arr"].shape == (2, 3) and v["arr"][1, 2] == 5.0
    assert v["tup"] == (3, [1.5, "s"]) and type(v["tup"][0]) is np.int64
    assert v["d"] == {"k": 2.5} and np.isnan(v["x"])
    ok, msg = G.run_check(all_checks()["ex-deep-linear-fro"], v["liar"])
    assert not ok and "not plain data" in msg


def test_infinite_loops_are_stopped(tmp_path):
    pidfile = tmp_path / "kernel_pid"
    nb = tiny(tmp_path / "loop.ipynb", IMPORTS,
              f"import os\nopen({str(pidfile)!r}, 'w').write(str(os.getpid()))",
              "while True:\n    pass",                      # interruptible: per-cell limit
              f"{VAR} = 1.0",
              "while True:\n    try:\n        while True:\n            pass\n"
              "    except BaseException:\n        pass")       # ignores interrupts: wall clock
    t0 = time.monotonic()
    r = G.grade(nb, timeout=25, cell_timeout=3)
    assert time.monotonic() - t0 < 60
    assert r["score"] == 0 and r["execution"]["status"] in ("timeout", "finished")
    assert "not available" in r["exercises"][0]["message"]
    pid = int(pidfile.read_text())
    for _ in range(50):                  # SIGKILL was sent; the kernel is gone, or a zombie
        try:                             # waiting for init to reap it, within a few seconds
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            state = "gone"
        if state in ("gone", "Z", "X"):
            break
        time.sleep(0.1)
    assert state in ("gone", "Z", "X")


@pytest.mark.parametrize("payload", [
    '{"%s": {"__ndarray__": [1, 2], "dtype": "|O", "shape": [2]}}' % VAR,
    '{"%s": {"__ndarray__": [1, 2], "dtype": "<f8", "shape": [3]}}' % VAR,
    '{"%s": {"__npscalar__": "x", "dtype": "<V8"}}' % VAR,
    '{"%s": {"__unsupported__": "Liar"}}' % VAR,
    '[1, 2, 3]', '\x00\xff not json',
])
def test_read_values_never_trusts_the_file(tmp_path, payload):
    p = tmp_path / "v.json"
    p.write_text(payload, encoding="utf-8", errors="replace")
    v = G.read_values(p, [VAR])[VAR]
    assert isinstance(v, G.Unreadable)
    ok, msg = G.run_check(all_checks()["ex-deep-linear-fro"], v)
    assert not ok and msg


def test_read_values_rebuilds_arrays(tmp_path):
    p = tmp_path / "v.json"
    p.write_text('{"a": {"__ndarray__": [1.5, 2, 3, 4], "dtype": "<f8", "shape": [2, 2]},'
                 ' "b": {"__tuple__": [1, {"__npscalar__": 7, "dtype": "<i8"}]}}')
    v = G.read_values(p, ["a", "b", "c"])
    assert v["a"].shape == (2, 2) and v["a"][0, 0] == 1.5 and v["a"].dtype.kind == "f"
    assert v["b"] == (1, 7) and isinstance(v["b"], tuple)
    assert isinstance(v["c"], G.Unreadable)


def test_a_file_that_is_not_a_notebook_scores_zero(tmp_path):
    p = tmp_path / "deep_linear.ipynb"
    p.write_bytes(bytes(range(256)) * 10)
    r = G.grade(p, timeout=30)
    assert r["score"] == 0 and r["max_score"] == 2
    assert r["execution"]["status"].startswith("unreadable")
    assert "could not be read" in r["exercises"][0]["message"]
    assert "Score:      0 / 2" in G.format_report(r)
