"""Two generated notebooks run in a fresh virtual environment that has only what Colab has
(numpy, scipy, matplotlib, ipykernel) plus a wheel of ibias_lib with its ``[book]`` extras: the
package declares every dependency the chapters import, and the set-up cell does not get in
the way when ibias_lib is already installed.

Slow (a venv and a pip install, from pip's cache when warm); ``make test`` runs it.
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ["book/linear/proofs.md", "book/nonlinear/near_init.md"]
BASE = ["numpy", "scipy", "matplotlib", "ipykernel", "nbclient", "nbformat"]


def _run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


@pytest.mark.slow
def test_generated_notebooks_run_with_only_the_declared_dependencies(tmp_path):
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)])
    py = venv / "bin" / "python"
    wheels, src = tmp_path / "wheels", tmp_path / "src"     # build from a copy: no build/
    shutil.copytree(ROOT / "ibias_lib", src / "ibias_lib",  # folder left in the repository
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", src)
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir",
          str(wheels), str(src)], cwd=tmp_path)
    wheel = next(wheels.glob("ibias_lib-*.whl"))
    _run([str(py), "-m", "pip", "install", "--quiet", *BASE, f"{wheel}[book]"])
    out = tmp_path / "nb"
    _run([sys.executable, str(ROOT / "book/_ext/notebook_links.py"), "--config",
          str(ROOT / "_config.yml"), "--out", str(out), *[str(ROOT / c) for c in CHAPTERS]],
         cwd=ROOT)
    script = (
        "import sys, nbformat\n"
        "from nbclient import NotebookClient\n"
        "for path in sys.argv[1:]:\n"
        "    nb = nbformat.read(path, as_version=4)\n"
        "    NotebookClient(nb, timeout=300, kernel_name='python3').execute()\n"
        "    print('ran', path)\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{venv / 'bin'}:{env.get('PATH', '')}"
    _run([str(py), "-m", "ipykernel", "install", "--sys-prefix", "--name", "python3"], env=env)
    nbs = [str(out / Path(c).with_suffix(".ipynb")) for c in CHAPTERS]
    res = subprocess.run([str(py), "-c", script, *nbs], capture_output=True, text=True,
                         env=env, cwd=tmp_path)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    assert res.stdout.count("ran ") == len(CHAPTERS)
    # the repository is not what the notebooks imported: the wheel in the fresh venv was
    check = _run([str(py), "-c", "import ibias_lib, sys; print(ibias_lib.__file__)"],
                 env=env, cwd=tmp_path).stdout
    assert str(venv) in check
