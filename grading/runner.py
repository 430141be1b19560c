"""Run one notebook in the sandbox and take back what it hands in (used by grading.grade).

The grader's side of the conversation with ``grading/_execute.py``, which runs inside the
bubblewrap sandbox (grading/sandbox.py). Nothing the sandbox sends is trusted:

* the only channel back is a pipe, read here in a thread with a size cap and a deadline
  (``_drain``); stdout/stderr of everything in the sandbox go to a second capped pipe;
* status lines (``S{json}``) are diagnostics; the values line (``V...``) is JSON parsed with
  ``json`` into plain data only (:func:`decode_values`), never ``pickle``;
* no file written inside the sandbox is read by the grader (no pid files, no status files):
  the grader knows the sandbox's process itself and, at the time limit, kills it, which ends
  the sandbox's PID namespace and so every process in it.
"""
from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import numpy as np

from grading import sandbox as _sandbox

HERE = Path(__file__).resolve().parent
MAX_VALUES_BYTES = 64_000_000
MAX_EXPORT_ITEMS = 2_000_000          # numbers exported in total over all graded variables
MAX_STATUS_BYTES = 2_000_000
MEMORY_MB = 2048                      # RLIMIT_AS of every process in the sandbox
NPROC = 128                           # processes + threads of the sandbox's uid
FSIZE_BYTES = 200_000_000             # largest file the sandbox may write
SANDBOX_UID_BASE = 3_000_000          # sandbox uids when the grader is root (not in /etc/passwd)


class SandboxUnavailable(RuntimeError):
    """bubblewrap is missing or cannot make namespaces here (pass ``sandbox=False``)."""


# --------------------------------------------------------------------------- the export cell
EXPORT = r'''
def _ibias_grader_export(names, path, budget):
    import json
    try:
        import numpy as np
    except BaseException:
        np = None
    left = [budget]

    def unsupported(what):
        return {"__unsupported__": str(what)[:200]}

    def enc(v, depth=0):
        if depth > 8:
            return unsupported("nested too deeply")
        t = type(v)
        if v is Ellipsis and depth == 0:
            return {"__unanswered__": True}
        if v is None or t is bool:
            return v
        if t is str:
            return v if len(v) <= 10_000 else unsupported("a very long string")
        if t is int:
            return v if abs(v) < 2 ** 63 else float(v)
        if t is float:
            return v
        if np is not None and isinstance(v, np.ndarray):
            if v.dtype.kind in "biuf" and v.size <= left[0]:
                left[0] -= v.size
                return {"__ndarray__": v.ravel().tolist(), "dtype": v.dtype.str,
                        "shape": list(v.shape)}
            return unsupported(f"array of dtype {v.dtype} and size {v.size}")
        if np is not None and isinstance(v, np.generic) and v.dtype.kind in "biuf":
            return {"__npscalar__": v.item(), "dtype": v.dtype.str}
        if t in (list, tuple):
            if len(v) > left[0]:
                return unsupported(f"{t.__name__} of length {len(v)}")
            left[0] -= len(v)
            items = [enc(x, depth + 1) for x in v]
            return items if t is list else {"__tuple__": items}
        if t is dict and all(type(k) is str for k in v) and len(v) <= left[0]:
            left[0] -= len(v)
            return {"__dict__": {k: enc(x, depth + 1) for k, x in v.items()}}
        return unsupported(t.__name__)

    out = {}
    g = globals()
    for n in names:
        if n not in g:
            out[n] = {"__missing__": True}
            continue
        try:
            out[n] = enc(g[n])
        except BaseException as exc:
            out[n] = unsupported(f"could not be exported ({type(exc).__name__})")
    with open(path, "w") as f:
        json.dump(out, f)


_ibias_grader_export(@ARGS@)
'''


class Unreadable:
    """A graded variable the grader could not take over (missing, or not plain data)."""

    def __init__(self, why):
        self.why = why

    def __repr__(self):
        return f"<{self.why}>"


def _decode(obj):
    if "__missing__" in obj:
        return Unreadable("not defined")
    if "__unanswered__" in obj:
        return Unreadable("left unanswered (still `...`)")
    if "__unsupported__" in obj:
        return Unreadable(f"not plain data: {str(obj['__unsupported__'])[:200]}")
    if "__tuple__" in obj:
        return tuple(obj["__tuple__"])
    if "__dict__" in obj:
        return dict(obj["__dict__"])
    if "__ndarray__" in obj or "__npscalar__" in obj:
        try:
            dtype = np.dtype(str(obj["dtype"]))
            if dtype.kind not in "biuf":
                raise ValueError(dtype)
            if "__npscalar__" in obj:
                return dtype.type(obj["__npscalar__"])
            shape = tuple(int(s) for s in obj["shape"])
            return np.asarray(obj["__ndarray__"], dtype=dtype).reshape(shape)
        except Exception:  # noqa: BLE001
            return Unreadable("a malformed array")
    return obj


def decode_values(raw, names):
    """The graded variables from the raw bytes the sandbox sent (None: nothing came), as plain
    Python/numpy values or :class:`Unreadable`."""
    if raw is None:
        return {n: Unreadable("not available (the notebook did not run to its end)")
                for n in names}
    if len(raw) > MAX_VALUES_BYTES:
        return {n: Unreadable("not available (exported values too large)") for n in names}
    try:
        data = json.loads(bytes(raw).decode("utf-8", errors="replace"), object_hook=_decode)
    except Exception:  # noqa: BLE001
        data = {}
    if not isinstance(data, dict):
        data = {}
    return {n: data.get(n, Unreadable("not available (export failed)")) for n in names}


# --------------------------------------------------------------------------- helpers
def _drain(fd, keep, out, deadline):
    """Read ``fd`` until EOF or ``deadline``; keep the first ``keep`` bytes in ``out``."""
    total = 0
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            r, _, _ = select.select([fd], [], [], min(left, 1.0))
            if not r:
                continue
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            if total < keep:
                out.append(chunk[:keep - total])
            total += len(chunk)
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            os.close(fd)


_uid_lock = threading.Lock()
_uid_next = [0]


def _sandbox_uid():
    """An unprivileged uid of its own for each sandbox when the grader is root: distinct for
    concurrent grader processes (their pids differ) and for 64 sandboxes in a row in one."""
    if os.geteuid() != 0:
        return None
    with _uid_lock:
        _uid_next[0] += 1
        return SANDBOX_UID_BASE + os.getpid() * 64 + _uid_next[0] % 64


def _user_processes(uid):
    n = 0
    for d in os.listdir("/proc"):
        if d.isdigit():
            with contextlib.suppress(OSError, StopIteration, ValueError):
                if os.stat(f"/proc/{d}").st_uid == uid:
                    with open(f"/proc/{d}/status") as f:
                        n += int(next(line.split()[1] for line in f
                                      if line.startswith("Threads:")))
    return n


def _kill_group(pgid):
    if not pgid or pgid == os.getpgrp():
        return
    with contextlib.suppress(ProcessLookupError, PermissionError, OSError):
        os.killpg(pgid, signal.SIGKILL)


def _parse(raw):
    """``(last status dict or None, values bytes or None)`` from the pipe's bytes."""
    status, values = None, None
    for line in raw.split(b"\n"):
        if line[:1] == b"S" and len(line) < MAX_STATUS_BYTES:
            with contextlib.suppress(Exception):
                st = json.loads(line[1:])
                if isinstance(st, dict):
                    status = st
        elif line[:1] == b"V":
            values = line[1:]
    return status, values


def _diagnostics(info, status, state, timeout, log):
    """Fill ``info`` from the (untrusted) status: cell errors, truncation, a dead kernel."""
    try:
        if status is None:
            raise ValueError("no status")
        info["cell_errors"] = [{k: str(e.get(k, ""))[:300] for k in ("cell", "ename", "evalue")}
                               for e in list(status.get("errors", []))[:50]
                               if isinstance(e, dict)]
        info["output_dropped"] = bool(status.get("output_dropped"))
        if state == "timeout" and isinstance(status.get("running"), int):
            info["cell_errors"].append({"cell": str(status["running"]), "ename": "Timeout",
                                        "evalue": f"still running at the {timeout:g} s limit"})
        if status.get("dead_kernel"):
            info["status"] = "kernel died"
    except Exception:  # noqa: BLE001
        if state == "finished":
            info["status"] = "runner failed"
            info["log_tail"] = b"".join(log)[-2000:].decode("utf-8", "replace")


# --------------------------------------------------------------------------- execution
def _prepare(tmp, run_nb, names, sandbox):
    """Write the runner and the notebook (plus the export cell) into ``tmp/grader``; return
    ``(grader dir, values path as seen by the runner, scratch dir as seen by the runner)``."""
    gdir = tmp / "grader"            # mounted read-only at /grader; nothing else is shared
    gdir.mkdir()
    shutil.copy2(HERE / "_execute.py", gdir / "_execute.py")
    if sandbox:
        values_path, scratch = "/scratch/values.json", "/scratch"
    else:
        (tmp / "cwd").mkdir()
        values_path, scratch = str(tmp / "cwd" / "values.json"), str(tmp / "cwd")
    run_nb.cells.append(nbformat.v4.new_code_cell(EXPORT.replace(
        "@ARGS@", f"{names!r}, {values_path!r}, {MAX_EXPORT_ITEMS!r}")))
    nbformat.write(run_nb, str(gdir / "submission.ipynb"))
    for f in (tmp, gdir, *gdir.iterdir()):
        os.chmod(f, 0o755 if f.is_dir() else 0o644)
    return gdir, values_path, scratch


def _command(gdir, values_path, scratch, wfd, *, sandbox, timeout, cell_timeout, max_output,
             memory_mb):
    """``(argv, preexec_fn, env, cwd)`` of the runner, sandboxed or not."""
    uid = _sandbox_uid() if sandbox else None
    runner_dir = "/grader" if sandbox else str(gdir)
    argv = [sys.executable, f"{runner_dir}/_execute.py", f"{runner_dir}/submission.ipynb",
            values_path, "--pipe-fd", str(wfd), "--cell-timeout", str(cell_timeout),
            "--max-output", str(max_output), "--max-values", str(MAX_VALUES_BYTES),
            "--cwd", scratch] + (["--uid", str(uid)] if uid is not None else [])
    if not sandbox:
        env = dict(os.environ, MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1")
        return argv, None, env, scratch
    own = 0 if uid is not None else _user_processes(os.getuid())
    preexec = _sandbox.limits(memory_bytes=memory_mb * 2**20, cpu_seconds=int(timeout) + 30,
                              nproc=own + NPROC, fsize_bytes=FSIZE_BYTES)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    return _sandbox.command(grader_dir=gdir, argv=argv, uid=uid), preexec, env, "/"


def execute(run_nb, names, *, timeout, cell_timeout, max_output=1_000_000, sandbox=True,
            memory_mb=MEMORY_MB, workdir=None):
    """Run the notebook ``run_nb`` (nbformat object) in the sandbox; return
    ``(diagnostics, raw values bytes or None)``. Nothing of it is trusted."""
    t0 = time.monotonic()
    deadline = t0 + timeout
    msgs, log = [], []
    with tempfile.TemporaryDirectory(prefix="ibias-grade-", dir=workdir) as tmp:
        gdir, values_path, scratch = _prepare(Path(tmp), run_nb, names, sandbox)
        rfd, wfd = os.pipe()            # values and status, sandbox -> grader
        lfd, lwfd = os.pipe()           # stdout/stderr of everything in the sandbox
        try:
            cmd, preexec, env, cwd = _command(
                gdir, values_path, scratch, wfd, sandbox=sandbox, timeout=timeout,
                cell_timeout=cell_timeout, max_output=max_output, memory_mb=memory_mb)
            proc = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=lwfd,
                                    stderr=lwfd, env=env, pass_fds=(wfd,),
                                    start_new_session=True, preexec_fn=preexec)
        except BaseException:
            for fd in (rfd, lfd):
                os.close(fd)
            raise
        finally:
            os.close(wfd)
            os.close(lwfd)
        readers = [threading.Thread(target=_drain, daemon=True,
                                    args=(rfd, MAX_VALUES_BYTES + MAX_STATUS_BYTES, msgs,
                                          deadline + 5)),
                   threading.Thread(target=_drain, daemon=True,
                                    args=(lfd, 4000, log, deadline + 5))]
        for th in readers:
            th.start()
        state = "finished"
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            state = "timeout"
        finally:
            # bwrap's PID namespace: killing it ends every process of the sandbox
            _kill_group(proc.pid)
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            proc.wait()
        for th in readers:
            th.join(timeout=max(0.1, deadline + 5 - time.monotonic()))
    info = {"status": state, "seconds": round(time.monotonic() - t0, 2),
            "returncode": proc.returncode, "sandbox": bool(sandbox), "cell_errors": [],
            "output_dropped": False}
    status, values = _parse(b"".join(msgs))
    _diagnostics(info, status, state, timeout, log)
    return info, values
