"""The bubblewrap sandbox one submission runs in (used by :mod:`grading.grade`).

``command(...)`` returns the ``bwrap`` argument list; ``limits(...)`` the ``preexec_fn`` that
sets the resource limits. What the sandbox sees:

* its own PID, IPC, UTS, network (loopback only) and mount namespaces, and a fresh ``/proc``
  that shows only the sandbox's processes; ``--die-with-parent`` and the PID namespace mean
  that when the grader kills ``bwrap`` (time limit) or the runner ends, every process in the
  sandbox ends too, whatever ``setsid``/``setpgid``/double forks it did;
* read-only: the system (``/usr``, ``/lib*``, ``/bin``, a few files of ``/etc``), the Python
  installation, the venv and the ``ibias_lib`` package directory; read-only ``/grader`` holding
  the runner and the notebook to run (a copy made by the grader);
* writable: ``/scratch`` (the working directory, HOME) and ``/tmp``, both size-limited tmpfs
  that vanish with the sandbox;
* not at all: the rest of the repository (``grading/``, ``book/``, ``student/``, tests), the
  instructor's files, the grader's output folder and temporary files, other submissions, the
  grader's environment (``--clearenv``; a fixed minimal environment is set).

When the grader runs as root, the runner drops to an unprivileged uid of its own before the
kernel starts (bwrap keeps CAP_SETUID/CAP_SETGID for that one step; ``setuid`` clears every
capability), so RLIMIT_NPROC applies and files owned by root are read-only by permission too.
"""
from __future__ import annotations

import os
import resource
import shutil
import sys
from pathlib import Path

import ibias_lib

ETC_FILES = ["/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/localtime", "/etc/passwd",
             "/etc/group", "/etc/nsswitch.conf", "/etc/hosts", "/etc/mime.types"]
SYSTEM_DIRS = ["/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc/alternatives",
               "/etc/fonts", "/etc/ssl/certs"]
SANDBOX_ENV_PATH = "/usr/local/bin:/usr/bin:/bin"


def bwrap():
    """The bubblewrap executable, or None."""
    return shutil.which("bwrap")


def why_unavailable():
    """None when bubblewrap can make the sandbox here, else the reason (a sentence)."""
    exe = bwrap()
    if exe is None:
        return ("bubblewrap (bwrap) is not installed: apt-get install bubblewrap "
                "(Debian/Ubuntu) or dnf install bubblewrap")
    import subprocess
    try:
        r = subprocess.run([exe, "--unshare-all", "--share-net", "--die-with-parent",
                            "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "true"],
                           capture_output=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bwrap could not be started ({exc})"
    if r.returncode:
        return ("bwrap cannot create namespaces here (" + r.stderr.decode(errors="replace")
                .strip()[:300] + "); in a container, allow user namespaces or run as root")
    return None


def python_roots():
    """Directories the sandboxed Python needs: the installation, the venv, ibias_lib."""
    roots = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(),
             Path(sys.prefix), Path(ibias_lib.__file__).resolve().parent}
    exe = Path(sys.executable)
    roots.add(exe.resolve().parent.parent)
    return sorted(roots, key=lambda p: (len(p.parts), str(p)))


def _mkdirs(args, path, made):
    """``--dir`` (mode 0755) for every ancestor of ``path`` not made yet."""
    for parent in reversed(Path(path).parents):
        p = str(parent)
        if p != "/" and p not in made:
            made.add(p)
            args += ["--perms", "0755", "--dir", p]


def _inside(path, dirs):
    return any(path == Path(d) or Path(d) in path.parents for d in dirs)


def command(*, grader_dir, argv, uid=None, scratch_bytes=512 * 2**20):
    """``bwrap ... argv``: ``grader_dir`` (host) is mounted read-only at ``/grader``; ``argv``
    runs inside with cwd ``/scratch``. With ``uid`` (grader is root) the sandbox keeps
    CAP_SETUID/CAP_SETGID so that the runner can drop to ``uid`` before any submission code.

    Order matters: bwrap applies mounts in sequence, so the private ``/tmp`` (and ``/scratch``)
    tmpfs are mounted *before* the Python roots are bound read-only at their real paths. A
    checkout or venv that lives under ``/tmp`` (a fresh clone in CI) is then visible on top of
    the empty tmpfs, and nothing else of the host's ``/tmp`` is."""
    args = [bwrap(), "--unshare-pid", "--unshare-ipc", "--unshare-net", "--unshare-uts",
            "--unshare-cgroup-try", "--die-with-parent", "--new-session",
            "--hostname", "sandbox", "--clearenv"]
    made = {"/tmp", "/scratch"}
    system = [d for d in SYSTEM_DIRS if os.path.isdir(d)]
    for d in system:
        _mkdirs(args, d, made)
        args += ["--ro-bind", d, d]
        made.add(d)
    for f in ETC_FILES:
        if os.path.exists(f):
            _mkdirs(args, f, made)
            args += ["--ro-bind", f, f]
    args += ["--perms", "1777", "--size", str(scratch_bytes), "--tmpfs", "/tmp",
             "--perms", "1777", "--size", str(scratch_bytes), "--tmpfs", "/scratch"]
    bound = []
    for root in python_roots():
        if _inside(root, system) or any(root == b or b in root.parents for b in bound):
            continue            # already visible (system directory or a bound root)
        if _inside(root, ["/proc", "/dev", "/grader", "/scratch"]):
            raise RuntimeError(f"cannot sandbox a Python installation under {root}")
        bound.append(root)
        _mkdirs(args, root, made)
        args += ["--ro-bind", str(root), str(root)]
        made.add(str(root))
    args += ["--proc", "/proc", "--dev", "/dev",
             "--perms", "0755", "--dir", "/grader", "--ro-bind", str(grader_dir), "/grader",
             "--chdir", "/scratch"]
    package_parent = Path(ibias_lib.__file__).resolve().parent.parent
    env = {"PATH": f"{Path(sys.prefix) / 'bin'}:{SANDBOX_ENV_PATH}", "HOME": "/scratch",
           # the grader's own ibias_lib (bound alone at its real path), whatever the venv's
           # editable install points to
           "PYTHONPATH": str(package_parent),
           "LANG": "C.UTF-8", "MPLBACKEND": "Agg", "PYTHONDONTWRITEBYTECODE": "1",
           "MPLCONFIGDIR": "/scratch/.matplotlib", "IPYTHONDIR": "/scratch/.ipython",
           "JUPYTER_RUNTIME_DIR": "/scratch/.jupyter/runtime",
           "JUPYTER_CONFIG_DIR": "/scratch/.jupyter", "JUPYTER_DATA_DIR": "/scratch/.jupyter/data",
           "JUPYTER_PLATFORM_DIRS": "1", "XDG_CACHE_HOME": "/scratch/.cache",
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "PYDEVD_DISABLE_FILE_VALIDATION": "1", "VIRTUAL_ENV": sys.prefix}
    for k, v in env.items():
        args += ["--setenv", k, v]
    if uid is not None:
        args += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    return args + ["--"] + list(argv)


def limits(*, memory_bytes, cpu_seconds, nproc, fsize_bytes, nofile=1024):
    """A ``preexec_fn`` applying the resource limits (inherited by everything in the sandbox).

    RLIMIT_AS bounds each process's address space (so a 2.5 GB allocation fails with
    MemoryError), RLIMIT_CPU each process's CPU time, RLIMIT_NPROC the processes and threads of
    the sandbox's uid, RLIMIT_FSIZE the size of any file written, RLIMIT_CORE = 0."""
    def apply():
        for res, val in [(resource.RLIMIT_AS, memory_bytes), (resource.RLIMIT_CPU, cpu_seconds),
                         (resource.RLIMIT_NPROC, nproc), (resource.RLIMIT_FSIZE, fsize_bytes),
                         (resource.RLIMIT_NOFILE, nofile), (resource.RLIMIT_CORE, 0)]:
            resource.setrlimit(res, (int(val), int(val)))
    return apply
