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

from grading import grade as G  # noqa: E402
from grading import sandbox as SB  # noqa: E402

pytestmark = pytest.mark.skipif(SB.why_unavailable() is not None,
                                reason=f"no sandbox: {SB.why_unavailable()}")

VAR = "answer_deep_linear_fro2"
IMPORTS = "import numpy as np\nimport ibias_lib as ib"
SECRET = "ibias-grader-secret-" + hashlib.sha256(os.urandom(8)).hexdigest()[:12]
SITE = Path(next(p for p in sys.path if p.endswith("site-packages")))


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
    files = [*ROOT.glob("grading/**/*"), *ROOT.glob("ibias_lib/exercises/*.py"),
             ROOT / "ibias_lib" / "__init__.py", ROOT / ".venv" / "bin" / "python"]
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
for p in ["@ROOT@/grading/grade.py", "@ROOT@/grading/README.md", "@ROOT@/book/linear/rates.md",
          "@ROOT@/student/instructor", "@ROOT@/tests/test_grading.py", "@ROOT@/.git/config",
          "@TMP@", "/root/.bashrc", "/etc/shadow", "../kernel.json", "/work/shared"]:
    if os.path.exists(p):
        found.append(p)
found += [f"/:{n}" for n in os.listdir("/") if n not in
          {"bin", "dev", "etc", "grader", "lib", "lib32", "lib64", "proc", "root", "sbin",
           "scratch", "tmp", "usr", "work"}]
found += [f"/grader:{n}" for n in os.listdir("/grader")
          if n not in {"_execute.py", "submission.ipynb"}]
raise RuntimeError("FOUND " + json.dumps(found))
'''

TAMPER = r'''
import os, glob, site
done = []
targets = ["@ROOT@/grading/grade.py", "@ROOT@/ibias_lib/exercises/deep_linear.py",
           "@ROOT@/ibias_lib/__init__.py", "@SITE@/zz_evil.pth", "@SITE@/sitecustomize.py",
           "@ROOT@/.venv/bin/python", "/scratch/../work/main/Makefile"]
for t in targets:
    try:
        with open(t, "a") as f:
            f.write("\nimport os; os.environ['EVIL'] = '1'\n")
        done.append(t)
    except OSError:
        pass
for t in glob.glob("@ROOT@/ibias_lib/exercises/*.py"):
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
    before = fingerprint()
    mark = f"99{os.getpid()}{int(time.time()) % 1000}"
    nb = tiny(tmp_path / "hostile.ipynb", IMPORTS,
              _src(SNOOP, SECRET=repr(SECRET), ROOT=ROOT, TMP=tmp_path),
              _src(TAMPER, ROOT=ROOT, SITE=SITE),
              _src(ESCAPE, MARK=mark),
              BOMBS,
              f"{VAR} = 3.0")                   # a wrong answer
    t0 = time.monotonic()
    r = G.grade(nb, timeout=90, cell_timeout=60)
    assert time.monotonic() - t0 < 95
    errs = {e["ename"] + ": " + e["evalue"] for e in r["execution"]["cell_errors"]}
    assert 'RuntimeError: FOUND []' in errs, errs                 # saw nothing of ours
    assert SECRET not in json.dumps(r)
    assert "RuntimeError: TAMPERED []" in errs, errs               # could write nothing
    assert not any(e.startswith("RuntimeError: LIMITS") for e in errs), errs
    assert r["score"] == 0 and r["max_score"] == 2, G.format_report(r)
    assert r["execution"]["status"] == "finished"
    assert r["exercises"][0]["message"] == G.GRADED_FAILURE       # no hint to bisect on
    assert not wait_gone(mark), "a setsid/setpgid/double-forked child survived the grader"
    after = fingerprint()
    assert after == before, {k for k in set(after) | set(before) if after.get(k) != before.get(k)}
    # the next student's untouched notebook still scores 0, the correct one full marks
    nxt = tiny(tmp_path / "next.ipynb", IMPORTS, f"{VAR} = ...\nraise NotImplementedError()")
    assert G.grade(nxt, timeout=60)["score"] == 0


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
hit = []
for p in glob.glob("/proc/[0-9]*/cmdline"):          # find --out, forge, kill the grader
    argv = open(p, "rb").read().split(b"\0")
    if b"--out" in argv:
        out = argv[argv.index(b"--out") + 1].decode()
        for suf in (".json", ".txt"):
            try:
                open(out + suf, "w").write(json.dumps(report)); hit.append(out)
            except OSError:
                pass
        os.kill(int(p.split("/")[2]), signal.SIGKILL)
for path in (glob.glob("/scratch/**/kernel*.json", recursive=True)
             + ["../kernel.json", "/grader/kernel.json", "/grader/x"]):
    try:                                             # the old control files
        open(path, "w").write('{"pid": 1, "pgid": 1}'); hit.append(path)
    except OSError:
        pass
try:                                                 # forge the runner's pipe: values only
    for fd in glob.glob("/proc/[0-9]*/fd/*"):
        pass
except OSError:
    pass
os.kill(-1, signal.SIGKILL)                          # kill everything it can see
'''


def test_forged_report_and_killing_the_grader(tmp_path):
    out = tmp_path / "reports" / "stud"
    nb = tiny(tmp_path / "forge.ipynb", IMPORTS, f"{VAR} = 3.0", FORGE)
    t0 = time.monotonic()
    p = subprocess.run([sys.executable, "-m", "grading.grade", str(nb), "--out", str(out),
                        "--timeout", "60"], cwd=ROOT, capture_output=True, text=True,
                       timeout=90)
    assert time.monotonic() - t0 < 90
    assert p.returncode == 0, p.stderr
    r = json.loads(Path(f"{out}.json").read_text())
    assert r["score"] == 0 and r["exercises"], r               # the grader's own report
    assert "Score:      0 / 2" in Path(f"{out}.txt").read_text()
    assert sorted(x.name for x in out.parent.iterdir()) == ["stud.json", "stud.txt"]


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


def test_graded_feedback_gives_no_direction():
    from ibias_lib.exercises import Check, ExerciseError

    def check(v):
        raise ExerciseError("t_const = 3 is too early. Use the first t ...")

    ok, msg = G.run_check(Check("x", check, 2), 3)
    assert not ok and "too early" in msg                  # the self-check's own hint
    # but the graded report replaces it (test_grading_attacks' hostile run shows it too)
    assert "early" not in G.GRADED_FAILURE and "late" not in G.GRADED_FAILURE
