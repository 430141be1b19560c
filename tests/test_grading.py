"""The coursework tools: practice notebooks and graded assignments (grading/student.py,
grading/assignment.py), per-student references (grading/graded/) and the autograder
(grading/grade.py) on submissions that are right, wrong, copied or broken. The attacks are in
tests/test_grading_attacks.py, the nbgrader round trip in tests/test_grading_nbgrader.py."""
import json
import os
import sys
import time
from pathlib import Path

import nbformat
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grading import assignment as A  # noqa: E402
from grading import grade as G  # noqa: E402
from grading import graded as GR  # noqa: E402
from grading import runner as R  # noqa: E402
from grading import sandbox as SB  # noqa: E402
from grading import student as S  # noqa: E402

needs_sandbox = pytest.mark.skipif(SB.why_unavailable() is not None,
                                   reason=f"no sandbox: {SB.why_unavailable()}")

# The chapter whose one graded exercise the small notebooks below answer (2 points).
SMALL = "deep_linear"
SMALL_MD = ROOT / "book" / "nonlinear" / "deep_linear.md"
VAR = "answer_deep_linear_fro2"
IMPORTS = "import numpy as np\nimport ibias_lib as ib"


def chapters():
    return [(ROOT / e).with_suffix(".md") for e in S.toc_chapters(ROOT / "_toc.yml")
            if (ROOT / e).with_suffix(".md").exists() and S.is_jupytext((ROOT / e).with_suffix(".md"))]


def tiny(path, *sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nb.metadata["ibias"] = {"chapter": SMALL}
    nbformat.write(nb, str(path))
    return path


def small_solution():
    return GR.exercises(SMALL)["ex-deep-linear-fro"].solution


# --------------------------------------------------------------------------- conversion
def test_markdown_directives():
    src = ("Intro.\n\n```{exercise} Title\n:label: ex-a\n\nDo it.\n```\n\n"
           "````{solution} ex-a\n:class: dropdown\n\nSecret one.\n```{math}\nx\n```\nStill.\n````\n"
           "\n:::{solution} ex-b\nSecret two.\n:::\nAfter.")
    out = S.student_markdown(src)
    assert "Secret" not in out and "Still" not in out and "{solution}" not in out
    assert "**Exercise: Title** (`ex-a`)" in out and "Do it." in out
    assert out.startswith("Intro.") and out.endswith("After.")


def test_practice_notebooks_and_assignments(tmp_path):
    """Every chapter: a practice notebook without solutions; every graded chapter: an nbgrader
    source with each graded exercise once (answer, locked test with hidden tests, points) and
    each written exercise as a manually graded answer, and a handout with none of it."""
    assert S.main(["--out", str(tmp_path)]) == 0
    for md in chapters():
        name = S.notebook_name(md.relative_to(ROOT))
        stud = nbformat.read(str(tmp_path / f"{name}.ipynb"), 4)
        nbformat.validate(stud)
        text = json.dumps([c.source for c in stud.cells])
        assert "BEGIN SOLUTION" not in text and "{solution}" not in text, md
    assert sorted(p.stem for p in (tmp_path / "handout").iterdir()) == GR.chapters()
    for ch in GR.chapters():
        src = nbformat.read(str(tmp_path / "source" / ch / f"{ch}.ipynb"), 4)
        hand = nbformat.read(str(tmp_path / "handout" / f"{ch}.ipynb"), 4)
        nbformat.validate(src)
        meta = {c.metadata["nbgrader"]["grade_id"]: (c.cell_type, c.metadata["nbgrader"])
                for c in src.cells if "nbgrader" in c.metadata}
        for label, ex in GR.exercises(ch).items():
            kind, test = meta[label]
            assert kind == "code" and test["grade"] and test["locked"] and not test["solution"]
            assert test["points"] == ex.points
            kind, ans = meta[f"{label}-answer"]
            assert kind == "code" and ans["solution"] and not ans["grade"]
        written = [m for k, m in meta.values() if k == "markdown"]
        assert all(m["solution"] and m["grade"] and m["points"] > 0 for m in written)
        seed_cells = [c for c in hand.cells if GR.SEED_TAG in c.metadata.get("tags", [])]
        assert len(seed_cells) == 1 and "STUDENT_ID = ''" in seed_cells[0].source
        hand_text = json.dumps([c.source for c in hand.cells])
        for marker in ("BEGIN SOLUTION", "HIDDEN TESTS", "judge_value", "{solution}"):
            assert marker not in hand_text, (ch, marker)
        statements = " ".join(ex.statement for ex in GR.exercises(ch).values())
        for ex in GR.exercises(ch).values():      # no line of a reference solution survives
            for line in ex.solution.splitlines():  # (but the data, which the statement gives)
                if "=" in line and len(line.strip()) > 25 and line.strip() not in statements:
                    assert json.dumps(line.strip())[1:-1] not in hand_text, (ch, line)
        for c in src.cells:                       # nor of a written solution
            if c.cell_type == "markdown" and A.BEGIN in c.source:
                first = next(line for line in c.source.split("\n")[1:] if line.strip())
                assert json.dumps(first)[1:-1] not in hand_text, (ch, first)


def test_no_reference_computation_ships_with_the_package():
    """The installed ibias_lib.exercises keeps seed-0 self-checks that compare with stored
    numbers: no module imports ibias_lib or calls into it, so no solution ships."""
    import ast

    import ibias_lib.exercises as E
    for path in Path(E.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                assert not any(a.name.startswith("ibias_lib") for a in node.names), path
            if isinstance(node, ast.ImportFrom):
                assert node.module in ("__future__", "typing") or \
                    (node.level == 1 and node.module is None), \
                    (path, node.module)
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                assert node.value.id != "ib", (path, node.attr)
            if isinstance(node, ast.FunctionDef):
                assert "reference" not in node.name, (path, node.name)
    with pytest.raises(ImportError):
        exec("from ibias_lib.exercises.xor import _reference_svm_error", {})


# --------------------------------------------------------------------------- seeds and references
def test_student_seeds():
    seeds = {GR.student_seed(s) for s in ("alice", "bob", "carol", " alice ")}
    assert len(seeds) == 3 and 0 not in seeds
    assert GR.student_seed("alice", "course-a") != GR.student_seed("alice", "course-b")
    ns = {"print": lambda *a: None}
    exec(GR.seed_cell_source("alice", "course-a"), ns)
    assert ns["EXERCISE_SEED"] == GR.student_seed("alice", "course-a")
    with pytest.raises(ValueError, match="student id"):
        exec(GR.seed_cell_source("", ""), {})
    with pytest.raises(ValueError):
        GR.student_seed("  ")


@pytest.mark.parametrize("chapter", GR.chapters())
def test_references_differ_between_students_and_from_the_book(chapter):
    """For two students and the book's seed 0, each reference is defined, accepted by judge,
    and rejected for the others: a value copied from a classmate or the book earns nothing.
    Values one step off (integers) or 1% off (numbers) are rejected with the same message."""
    seeds = [GR.student_seed("alice"), GR.student_seed("bob"), 0]
    for ex in GR.exercises(chapter).values():
        refs = [GR.reference(ex, s) for s in seeds]
        for i, r in enumerate(refs):
            assert GR.judge(ex, r, r) == (True, "correct"), ex.label
            for j, other in enumerate(refs):
                if i != j:
                    assert GR.judge(ex, other, r) == (False, "incorrect"), (ex.label, i, j)
        msgs = {GR.judge(ex, v, refs[0])[1] for v in _neighbours(ex, refs[0])}
        assert msgs == {"incorrect"}, (ex.label, msgs)     # no "too early" / "too late"


def _neighbours(ex, value):
    """Values just outside the tolerance on either side."""
    up, down = 1 + max(0.01, 3 * ex.rtol), 1 - max(0.01, 3 * ex.rtol)
    eps = 3 * ex.atol + 1e-6
    if ex.kind == "int":
        return [value - 1, value + 1]
    if ex.kind == "ints":
        return [tuple(v - 1 for v in value), tuple(v + 1 for v in value)]
    if ex.kind == "int_float":
        return [(value[0], value[1] * up + eps), (value[0] + 1, value[1])]
    if ex.kind == "floats":
        return [[v * up + eps for v in value], [v * down - eps for v in value]]
    return [value * up + eps, value * down - eps]


def test_judge_wants_the_right_type():
    ex = GR.Graded("x", "v", 1, "", "", kind="ints", length=2)
    assert GR.judge(ex, (3, np.int64(4)), (3, 4))[0]
    for bad in [(3.0, 4), (True, 4), (3,), "34", None, [[3, 4]]]:
        ok, msg = GR.judge(ex, bad, (3, 4))
        assert not ok and msg == "incorrect (expected a tuple of 2 integers)"
    ex = GR.Graded("x", "v", 1, "", "", kind="float", rtol=1e-6)
    assert GR.judge(ex, np.float32(2.0), 2.0)[0] and not GR.judge(ex, float("nan"), 2.0)[0]
    assert not GR.judge(ex, True, 1.0)[0] and not GR.judge(ex, "2.0", 2.0)[0]


# --------------------------------------------------------------------------- grading
@needs_sandbox
def test_reference_scores_full_marks_handout_zero_copies_nothing(tmp_path):
    src, hand = A.assignment(SMALL_MD, SMALL)
    nbformat.write(src, str(tmp_path / "src.ipynb"))
    nbformat.write(hand, str(tmp_path / "hand.ipynb"))
    r = G.grade(tmp_path / "src.ipynb", student="alice", timeout=120)
    assert r["score"] == r["max_score"] == 2, G.format_report(r)
    assert r["seed"] == GR.student_seed("alice") and r["execution"]["status"] == "finished"
    r = G.grade(tmp_path / "hand.ipynb", student="alice", timeout=120)
    assert r["score"] == 0 and r["exercises"][0]["message"] == "answer variable not defined."
    assert any(e["ename"] == "NotImplementedError" for e in r["execution"]["cell_errors"])
    # alice's data typed into bob's notebook (her seed hard-coded, or her number) earn nothing
    alice = GR.reference(GR.exercises(SMALL)["ex-deep-linear-fro"], GR.student_seed("alice"))
    hard = small_solution().replace("EXERCISE_SEED", str(GR.student_seed("alice")))
    nb = tiny(tmp_path / "copy.ipynb", IMPORTS, hard, f"copied = {alice!r}")
    r = G.grade(nb, student="bob", timeout=120)
    assert r["score"] == 0 and r["exercises"][0]["message"] == "incorrect", G.format_report(r)
    # and a seed cell claiming to be alice is replaced by the grader's
    fake = tiny(tmp_path / "fake.ipynb", IMPORTS, small_solution())
    nb = nbformat.read(str(fake), 4)
    nb.cells[0].metadata["tags"] = [GR.SEED_TAG]
    nb.cells[0].source = "EXERCISE_SEED = %d\n" % GR.student_seed("alice") + IMPORTS
    nb.cells.insert(1, nbformat.v4.new_code_cell(IMPORTS))
    nbformat.write(nb, str(fake))
    r = G.grade(fake, student="bob", timeout=120)
    assert r["score"] == 2, G.format_report(r)       # bob's own answer, from bob's seed


@needs_sandbox
def test_correct_answer_among_garbage_output_earns_its_points(tmp_path):
    nb = tiny(tmp_path / "g.ipynb", IMPORTS,
              "import os, sys\nprint('x' * 5_000_000)\nos.write(1, bytes(range(256)) * 4000)\n"
              "sys.stdout.buffer.write(b'\\xff\\xfe\\x00' * 100000); sys.stdout.flush()\n"
              "from IPython.display import HTML, display\nfor _ in range(20): display(HTML('<b>' * 100000))",
              small_solution(),
              "raise ValueError('\\x00\\xff garbage' * 1000)",
              "import os\nos._exit(3)")
    r = G.grade(nb, student="carol", timeout=120)
    assert r["score"] == 0, G.format_report(r)          # the kernel died before the export
    assert r["execution"]["status"] == "kernel died"
    nb = tiny(tmp_path / "g2.ipynb", *[c.source for c in nbformat.read(str(nb), 4).cells[:-1]])
    r = G.grade(nb, student="carol", timeout=120)
    assert r["score"] == 2, G.format_report(r)
    assert r["execution"]["output_dropped"]
    assert any(e["ename"] == "ValueError" for e in r["execution"]["cell_errors"])


@needs_sandbox
def test_infinite_loops_are_stopped(tmp_path):
    mark = f"97{os.getpid()}{int(time.time()) % 1000}"
    nb = tiny(tmp_path / "loop.ipynb", IMPORTS,
              f"import subprocess\nsubprocess.Popen(['/bin/sleep', '{mark}'])",
              "while True:\n    pass",                      # interruptible: per-cell limit
              f"{VAR} = 1.0",
              "while True:\n    try:\n        while True:\n            pass\n"
              "    except BaseException:\n        pass")       # ignores interrupts: wall clock
    t0 = time.monotonic()
    r = G.grade(nb, student="dave", timeout=15, cell_timeout=3)
    assert time.monotonic() - t0 < 45
    # the wall clock, or nbclient giving up on the kernel after the interrupt: no values either way
    assert r["score"] == 0 and r["execution"]["status"] in ("timeout", "finished")
    assert "not available" in r["exercises"][0]["message"]
    for _ in range(50):                  # the sandbox (PID namespace) is gone, its child too
        alive = [d for d in os.listdir("/proc") if d.isdigit() and _cmd(d, mark)]
        if not alive:
            break
        time.sleep(0.1)
    assert not alive


def _cmd(pid, mark):
    try:
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return mark.encode() in Path(f"/proc/{pid}/cmdline").read_bytes() and stat not in "ZX"
    except OSError:
        return False


@needs_sandbox
def test_a_file_that_is_not_a_notebook_scores_zero(tmp_path):
    p = tmp_path / "deep_linear.ipynb"
    p.write_bytes(bytes(range(256)) * 10)
    r = G.grade(p, timeout=30)
    assert r["score"] == 0 and r["max_score"] == 2 and r["student"] == "deep_linear"
    assert r["execution"]["status"].startswith("unreadable")
    assert "could not be read" in r["exercises"][0]["message"]
    assert "Score:      0 / 2" in G.format_report(r)
    os.symlink(p, tmp_path / "link.ipynb")
    r = G.grade(tmp_path / "link.ipynb", SMALL, timeout=30)
    assert r["execution"]["status"].startswith("unreadable")       # not followed
    with pytest.raises(ValueError, match="student id"):
        G.grade(p, student="../../etc", timeout=30)


# --------------------------------------------------------------------------- values
def _export(tmp_path, **variables):
    """Run the grader's export cell on ``variables`` (here, not in a kernel) and read back."""
    path = tmp_path / "values.json"
    src = R.EXPORT.replace("@ARGS@", f"{list(variables) + ['nope']!r}, {str(path)!r}, 1000")
    exec(compile(src, "export", "exec"), dict(variables))
    return R.decode_values(path.read_bytes(), list(variables) + ["nope"])


def test_export_keeps_plain_data_only(tmp_path):
    class Liar(float):
        def __eq__(self, other):
            return True

        def __float__(self):
            return 1e300

    v = _export(tmp_path, liar=Liar(5.0), fn=lambda: 1, arr=np.arange(6.0).reshape(2, 3),
                big=np.zeros(5000), obj=np.array([None, 1]), tup=(np.int64(3), [1.5, "s"]),
                d={"k": np.float32(2.5)}, x=float("nan"), todo=...)
    for name in ("liar", "fn", "big", "obj"):
        assert isinstance(v[name], R.Unreadable), name
    assert "not defined" in v["nope"].why
    assert isinstance(v["todo"], R.Unreadable) and "unanswered" in v["todo"].why
    assert v["arr"].shape == (2, 3) and v["arr"][1, 2] == 5.0
    assert v["tup"] == (3, [1.5, "s"]) and type(v["tup"][0]) is np.int64
    assert v["d"] == {"k": 2.5} and np.isnan(v["x"])
    ok, msg = G.judge(GR.exercises(SMALL)["ex-deep-linear-fro"], v["liar"], 5.0)
    assert not ok and "not plain data" in msg


@pytest.mark.parametrize("payload", [
    '{"%s": {"__ndarray__": [1, 2], "dtype": "|O", "shape": [2]}}' % VAR,
    '{"%s": {"__ndarray__": [1, 2], "dtype": "<f8", "shape": [3]}}' % VAR,
    '{"%s": {"__npscalar__": "x", "dtype": "<V8"}}' % VAR,
    '{"%s": {"__unsupported__": "Liar"}}' % VAR,
    '[1, 2, 3]', '\x00\xff not json',
])
def test_values_from_the_pipe_are_never_trusted(payload):
    v = R.decode_values(payload.encode("utf-8", errors="replace"), [VAR])[VAR]
    assert isinstance(v, R.Unreadable)
    ok, msg = G.judge(GR.exercises(SMALL)["ex-deep-linear-fro"], v, 5.0)
    assert not ok and msg
    assert isinstance(R.decode_values(None, [VAR])[VAR], R.Unreadable)
    assert isinstance(R.decode_values(b"x" * (R.MAX_VALUES_BYTES + 1), [VAR])[VAR], R.Unreadable)


def test_values_rebuild_arrays():
    raw = (b'{"a": {"__ndarray__": [1.5, 2, 3, 4], "dtype": "<f8", "shape": [2, 2]},'
           b' "b": {"__tuple__": [1, {"__npscalar__": 7, "dtype": "<i8"}]}}')
    v = R.decode_values(raw, ["a", "b", "c"])
    assert v["a"].shape == (2, 2) and v["a"][0, 0] == 1.5 and v["a"].dtype.kind == "f"
    assert v["b"] == (1, 7) and isinstance(v["b"], tuple)
    assert isinstance(v["c"], R.Unreadable)
