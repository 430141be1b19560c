"""The grader against a hostile class (grading/README.md, "Threat model").

Each test grades a submission that attacks the grader, the machine or the next student, and
checks that the grader survives within its time limit, that the repository, the venv and the
exercises are as they were, that no process of the submission is left, and that no mark is
unearned. Needs bubblewrap (apt-get install bubblewrap); skipped without it.
"""
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import ibias_lib  # noqa: E402
from grading import assignment as A  # noqa: E402
from grading import grade as G  # noqa: E402
from grading import graded as GR  # noqa: E402
from grading import sandbox as SB  # noqa: E402

pytestmark = pytest.mark.skipif(SB.why_unavailable() is not None,
                                reason=f"no sandbox: {SB.why_unavailable()}")

VAR = "answer_deep_linear_fro2"
IMPORTS = "import numpy as np\nimport ibias_lib as ib"
SECRET = "ibias-grader-secret-" + hashlib.sha256(os.urandom(8)).hexdigest()[:12]
SITE = Path(next(p for p in sys.path if p.endswith("site-packages")))
PKG = Path(ibias_lib.__file__).resolve().parent        # the ibias_lib the grader (and sandbox) use
# The top-level directories the sandboxed Python needs (the checkout may live anywhere, e.g.
# /check/work/main in CI): those of the interpreter, the venv and the package, nothing else.
PYTHON_TOPS = {Path(p).parts[1] for p in (sys.base_prefix, sys.prefix, sys.executable,
                                          Path(sys.executable).resolve(), PKG)}
SMALL_MD = ROOT / "book" / "nonlinear" / "deep_linear.md"


def tiny(path, *sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nb.metadata["ibias"] = {"chapter": "deep_linear"}
    nbformat.write(nb, str(path))
    return path


def fingerprint():
    """``{path: digest}`` of the grader, the exercises and the venv's import hooks (a dropped
    .pth, a new module). Only files no other process of the test run edits."""
    out = {}
    files = [*ROOT.glob("grading/**/*"), *PKG.glob("exercises/*.py"), PKG / "__init__.py",
             Path(sys.executable)]
    for p in files:
        if p.is_file() and "__pycache__" not in p.parts:
            out[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest()
    for p in SITE.iterdir():
        st = p.lstat()
        out[str(p)] = f"{st.st_size} {st.st_mtime_ns}"
        if p.suffix == ".pth" or p.name.startswith(("sitecustomize", "usercustomize")):
            out[str(p)] += hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def leftovers(marker):
    """Host processes whose command line contains ``marker``."""
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                cmd = Path(f"/proc/{d}/cmdline").read_bytes()
                state = Path(f"/proc/{d}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if marker.encode() in cmd and state not in "ZX":
                out.append(int(d))
    return out


def wait_gone(marker, seconds=5):
    t = time.monotonic() + seconds
    while leftovers(marker) and time.monotonic() < t:
        time.sleep(0.1)
    return leftovers(marker)


# What a hostile submission looks for; it raises what it found, so it ends up in the report.
SNOOP = r'''
import os, json, glob
found = []
secret = @SECRET@
if any(secret in v for v in os.environ.values()):
    found.append("environ")
for p in glob.glob("/proc/[0-9]*/environ") + glob.glob("/proc/[0-9]*/cmdline"):
    try:
        data = open(p, "rb").read()
    except OSError:
        continue
    if secret.encode() in data or b"--out" in data or b"grading.grade" in data:
        found.append(p)
for p in ["@ROOT@/grading/grade.py", "@ROOT@/grading/graded/deep_linear.py",
          "@ROOT@/grading/README.md", "@ROOT@/book/linear/rates.md", "@ROOT@/student/source",
          "@ROOT@/tests/test_grading.py", "@ROOT@/.git/config", "@TMP@", "@TMP@/source.ipynb",
          "/root/.bashrc", "/etc/shadow", "../kernel.json", "/work/shared"]:
    if os.path.exists(p):
        found.append(p)
if os.path.isdir("@ROOT@"):                  # of the checkout: the venv and ibias_lib only
    found += [f"@ROOT@:{n}" for n in os.listdir("@ROOT@") if n not in {".venv", "ibias_lib"}]
try:                                         # the grader's references are not importable
    import grading.graded
    found.append("import grading.graded")
except ImportError:
    pass
import ibias_lib.exercises.deep_linear as D   # the self-check has numbers for seed 0 only
found += [n for n in dir(D) if "reference" in n]
found += [f"/:{n}" for n in os.listdir("/") if n not in
          {"bin", "dev", "etc", "grader", "lib", "lib32", "lib64", "proc", "root", "sbin",
           "scratch", "tmp", "usr"} | @PYTHON_TOPS@]
found += [f"/grader:{n}" for n in os.listdir("/grader")
          if n not in {"_execute.py", "submission.ipynb"}]
raise RuntimeError("FOUND " + json.dumps(found))
'''

TAMPER = r'''
import os, glob, site
done = []
targets = ["@ROOT@/grading/grade.py", "@ROOT@/grading/graded/deep_linear.py",
           "@PKG@/exercises/deep_linear.py", "@PKG@/__init__.py", "@SITE@/zz_evil.pth",
           "@SITE@/sitecustomize.py", "@EXE@", "/scratch/../work/main/Makefile",
           "@ROOT@/Makefile"]
for t in targets:
    try:
        with open(t, "a") as f:
            f.write("\nimport os; os.environ['EVIL'] = '1'\n")
        done.append(t)
    except OSError:
        pass
for t in glob.glob("@PKG@/exercises/*.py"):
    try:
        os.utime(t, (0, 0)); done.append("utime " + t)
    except OSError:
        pass
try:
    import ibias_lib.exercises.deep_linear as D
    D.CHECKS.clear()
except Exception:
    pass
raise RuntimeError("TAMPERED " + repr(done))
'''

ESCAPE = r'''
import os, subprocess, time
a = subprocess.Popen(["/bin/sleep", "@MARK@1"], start_new_session=True)      # setsid
b = subprocess.Popen(["/bin/sleep", "@MARK@2"], process_group=0)             # setpgid(0, 0)
if os.fork() == 0:                                                           # double fork
    os.setsid()
    if os.fork() == 0:
        os.execv("/bin/sleep", ["/bin/sleep", "@MARK@3"])
    os._exit(0)
time.sleep(0.5)
'''

BOMBS = r'''
import os, time, signal
errors = []
try:
    big = bytearray(2_500_000_000)           # 2.5 GB
    big[::4096] = b"x" * len(big[::4096])
    errors.append("allocated 2.5 GB")
except MemoryError:
    pass
kids = []
try:                                         # fork bomb: children park; the limit stops it
    for _ in range(5000):
        pid = os.fork()
        if pid == 0:
            time.sleep(600)
            os._exit(0)
        kids.append(pid)
    errors.append(f"forked {len(kids)}")
except OSError:
    pass
for pid in kids:                             # (then frees them, so that the kernel goes on)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
try:
    with open("/scratch/huge", "wb") as f:   # file size limit
        f.write(b"\0" * 300_000_000)
    errors.append("wrote 300 MB")
except OSError:
    pass
blob = b"\xff" * (1 << 20)
for _ in range(512):                         # 1 GB on the raw stdout/stderr of the kernel
    os.write(1, blob)
    os.write(2, blob)
for _ in range(100):                         # and 100 MB through Jupyter's output messages
    print("y" * (1 << 20))
if errors:
    raise RuntimeError("LIMITS " + repr(errors))
'''


def _src(template, **kw):
    for k, v in kw.items():
        template = template.replace(f"@{k}@", str(v))
    return template


def test_a_hostile_submission_sees_nothing_changes_nothing_and_leaves_nothing(tmp_path,
                                                                             monkeypatch):
    monkeypatch.setenv("IBIAS_SECRET_TOKEN", SECRET)
    source, handout = A.assignment(SMALL_MD, "deep_linear")
    nbformat.write(source, str(tmp_path / "source.ipynb"))     # an instructor file near by
    before = fingerprint()
    mark = f"99{os.getpid()}{int(time.time()) % 1000}"
    nb = tiny(tmp_path / "hostile.ipynb", IMPORTS,
              _src(SNOOP, SECRET=repr(SECRET), ROOT=ROOT, TMP=tmp_path,
                       PYTHON_TOPS=repr(PYTHON_TOPS)),
              _src(TAMPER, ROOT=ROOT, SITE=SITE, PKG=PKG, EXE=sys.executable),
              _src(ESCAPE, MARK=mark),
              BOMBS,
              f"{VAR} = 3.0")                   # a wrong answer
    t0 = time.monotonic()
    r = G.grade(nb, student="mallory", timeout=90, cell_timeout=60)
    assert time.monotonic() - t0 < 95 + 30     # the limit, plus the grader's own references
    errs = {e["ename"] + ": " + e["evalue"] for e in r["execution"]["cell_errors"]}
    assert 'RuntimeError: FOUND []' in errs, errs                 # saw nothing of ours
    assert SECRET not in json.dumps(r)
    assert "RuntimeError: TAMPERED []" in errs, errs               # could write nothing
    assert not any(e.startswith("RuntimeError: LIMITS") for e in errs), errs
    assert r["score"] == 0 and r["max_score"] == 2, G.format_report(r)
    assert r["execution"]["status"] == "finished"
    assert r["exercises"][0]["message"] == "incorrect"            # no hint to bisect on
    assert not wait_gone(mark), "a setsid/setpgid/double-forked child survived the grader"
    after = fingerprint()
    assert after == before, {k for k in set(after) | set(before) if after.get(k) != before.get(k)}
    # the next student's untouched notebook still scores 0
    nbformat.write(handout, str(tmp_path / "next.ipynb"))
    assert G.grade(tmp_path / "next.ipynb", student="next", timeout=60)["score"] == 0


def test_children_die_at_the_time_limit_too(tmp_path):
    mark = f"98{os.getpid()}{int(time.time()) % 1000}"
    nb = tiny(tmp_path / "hang.ipynb", IMPORTS, _src(ESCAPE, MARK=mark),
              "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
              "while True:\n    pass")
    t0 = time.monotonic()
    r = G.grade(nb, timeout=12, cell_timeout=4)
    assert time.monotonic() - t0 < 20
    assert r["execution"]["status"] == "timeout" and r["score"] == 0
    assert not wait_gone(mark)


FORGE = r'''
import os, json, signal, glob
report = {"score": 2, "max_score": 2, "exercises": []}
for p in glob.glob("/proc/[0-9]*/cmdline"):          # find --out, forge, kill the grader
    argv = open(p, "rb").read().split(b"\0")
    if b"--out" in argv:
        out = argv[argv.index(b"--out") + 1].decode()
        for suf in (".json", ".txt"):
            try:
                open(out + suf, "w").write(json.dumps(report))
            except OSError:
                pass
        os.kill(int(p.split("/")[2]), signal.SIGKILL)
for path in (glob.glob("/scratch/**/kernel*.json", recursive=True)
             + ["../kernel.json", "/grader/kernel.json", "/grader/x", "/grader/_execute.py"]):
    try:                                             # the old control files, the runner
        open(path, "w").write('{"pid": 1, "pgid": 1}')
    except OSError:
        pass
'''

# The values file the export cell writes, replaced by a FIFO (the exporter and the runner
# would block) or a symlink to something the runner might read.
VALUES_TRAP = r'''
import os
os.mkfifo("/scratch/values.json")
os.symlink("/grader/submission.ipynb", "/scratch/values.link")
'''


def test_forged_report_control_files_fifo_and_killing(tmp_path):
    out = tmp_path / "reports" / "stud"
    # a process of ours in a process group of its own: a hijacked kill would end it
    sentinel = subprocess.Popen(["/bin/sleep", "300"], start_new_session=True)
    try:
        nb = tiny(tmp_path / "forge.ipynb", IMPORTS, f"{VAR} = 3.0", FORGE, VALUES_TRAP,
                  "import os, signal\nos.kill(-1, signal.SIGKILL)")  # all it can see
        t0 = time.monotonic()
        p = subprocess.run([sys.executable, "-m", "grading.grade", str(nb), "--out", str(out),
                            "--timeout", "60", "--cell-timeout", "5"], cwd=ROOT,
                           capture_output=True, text=True, timeout=120)
        assert time.monotonic() - t0 < 100
        assert p.returncode == 0, p.stderr
        assert sentinel.poll() is None, "the grader killed a process group not its own"
    finally:
        sentinel.kill()
        sentinel.wait()
    r = json.loads(Path(f"{out}.json").read_text())
    assert r["score"] == 0 and r["exercises"] and r["student"] == "forge", r  # the grader's own
    assert "Score:      0 / 2" in Path(f"{out}.txt").read_text()
    assert sorted(x.name for x in out.parent.iterdir()) == ["stud.json", "stud.txt"]
    assert (ROOT / "grading" / "_execute.py").read_text().startswith('"""Execute one notebook')


def _unreadable(tmp_path):
    p = tmp_path / "deep_linear.ipynb"
    p.write_bytes(b"\0\xff not a notebook")
    return p


def test_report_paths_symlink_directory_fifo(tmp_path):
    sub = _unreadable(tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    out = tmp_path / "a"
    os.symlink(victim, f"{out}.txt")
    assert G.main([str(sub), "--out", str(out)]) == 2
    assert victim.read_text() == "precious\n" and not Path(f"{out}.json").exists()

    out = tmp_path / "b"
    os.mkdir(f"{out}.json")
    assert G.main([str(sub), "--out", str(out)]) == 2
    assert not Path(f"{out}.txt").exists()               # nothing half-written

    out = tmp_path / "c"
    os.mkfifo(f"{out}.json")
    t0 = time.monotonic()
    assert G.main([str(sub), "--out", str(out)]) == 2     # refuses, does not block
    assert time.monotonic() - t0 < 10 and not Path(f"{out}.txt").exists()

    out = tmp_path / "d"                                  # a normal path still works
    assert G.main([str(sub), "--out", str(out)]) == 0
    assert json.loads(Path(f"{out}.json").read_text())["score"] == 0


def test_without_bubblewrap_the_grader_refuses(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(SB, "bwrap", lambda: None)
    sub = _unreadable(tmp_path)
    assert G.main([str(sub), "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert "bubblewrap" in err and "--no-sandbox" in err
    assert G.main([str(sub), "--out", str(tmp_path / "r"), "--no-sandbox"]) == 0


def test_bisection_on_the_feedback_learns_nothing():
    """An integer answer (the first certified step) guessed from far below to far above: the
    graded feedback is the same word for every wrong guess, so no sequence of submissions
    narrows the interval; and the self-check of the book (with hints) is for seed 0 only."""
    ex = GR.exercises("proofs")["ex-proofs-certify"]
    seed = GR.student_seed("mallory")
    t = GR.reference(ex, seed)
    msgs = {G.judge(ex, guess, t)[1] for guess in range(1, 400) if guess != t}
    assert msgs == {"incorrect"}
    assert G.judge(ex, t, t) == (True, "correct")
    from ibias_lib.exercises import ExerciseError, proofs
    book = GR.reference(ex, 0)
    assert book != t
    with pytest.raises(ExerciseError, match=r"t = \d+ is"):
        proofs.check_certified_step(t)           # hints about the book's data, not hers
    # a typed-in slope in the theory's range earns nothing: the graded check is the student's
    # own number, to 1e-3
    slope = GR.exercises("rates")["ex-rates-logistic"]
    assert {G.judge(slope, s, -0.8765)[1] for s in (-1.0, -0.9, -0.85, -0.8)} == {"incorrect"}
