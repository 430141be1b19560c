"""Execute one notebook in a fresh ``python3`` kernel; used by :mod:`grading.grade`.

Run by the grader inside the bubblewrap sandbox (grading/sandbox.py), which enforces the
wall-clock limit by killing the sandbox. Cells run one by one with ``allow_errors`` and a
per-cell timeout that interrupts the kernel and goes on with the next cell; outputs are capped.
Everything goes back to the grader over one pipe (``--pipe-fd``), as lines:
``S{json}`` status messages (diagnostics only) and, at the end, ``V`` followed by the
contents of the values file the grader's export cell wrote. The grader reads the pipe with
size and time limits and believes nothing in it: the values are re-checked by its own checks.

    python _execute.py notebook.ipynb values.json --pipe-fd 3 [--uid 123456]
                       --cell-timeout 120 --max-output 1000000
"""
import argparse
import json
import os
import stat
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError


class CappedClient(NotebookClient):
    """A NotebookClient that keeps at most ``max_output`` characters of outputs in total."""

    max_output_chars = 1_000_000
    _kept = 0
    _dropped = False

    def output(self, outs, msg, display_id, cell_index):
        content = msg.get("content", {})
        if msg.get("msg_type") == "stream" and isinstance(content.get("text"), str):
            size = len(content["text"])
        else:
            size = len(json.dumps(content, default=str))
        if msg.get("msg_type") != "error" and self._kept + size > self.max_output_chars:
            if not self._dropped:
                self._dropped = True
                outs.append(nbformat.v4.new_output(
                    "stream", name="stderr", text="[grader: further output dropped]\n"))
            return None
        self._kept += min(size, self.max_output_chars)
        return super().output(outs, msg, display_id, cell_index)


def _short(text, n=500):
    text = str(text)
    return text if len(text) <= n else text[:n] + "..."


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("notebook")
    ap.add_argument("values")
    ap.add_argument("--pipe-fd", type=int, required=True)
    ap.add_argument("--uid", type=int, default=None)
    ap.add_argument("--max-values", type=int, default=64_000_000)
    ap.add_argument("--cell-timeout", type=float, default=300)
    ap.add_argument("--max-output", type=int, default=1_000_000)
    ap.add_argument("--cwd", default=None)
    args = ap.parse_args()
    pipe = os.fdopen(args.pipe_fd, "wb", buffering=0)
    os.set_inheritable(args.pipe_fd, False)     # the kernel does not get the pipe
    if args.uid is not None:                    # grader is root: drop before any kernel code
        os.setgroups([])
        os.setgid(args.uid)
        os.setuid(args.uid)                     # clears every capability
        if os.getuid() == 0 or os.geteuid() == 0:
            raise SystemExit("could not drop privileges")

    status = {"cells": 0, "executed": 0, "errors": [], "dead_kernel": False,
              "output_dropped": False}
    nb = nbformat.read(args.notebook, as_version=4)
    client = CappedClient(nb, timeout=int(args.cell_timeout), interrupt_on_timeout=True,
                          error_on_timeout={"ename": "CellTimeoutError",
                                            "evalue": f"cell exceeded {args.cell_timeout:g} s",
                                            "traceback": []},
                          allow_errors=True, kernel_name="python3", record_timing=False,
                          shutdown_kernel="immediate",
                          # output written to fd 1/2 (os.write, C code) goes straight to the
                          # grader's capped pipe instead of through Jupyter messages
                          extra_arguments=["--IPKernelApp.capture_fd_output=False"],
                          resources={"metadata": {"path": args.cwd or os.getcwd()}})
    client.max_output_chars = args.max_output

    def on_error(cell, cell_index, execute_reply, **kwargs):
        content = (execute_reply or {}).get("content", {})
        status["errors"].append({"cell": cell_index, "ename": _short(content.get("ename"), 100),
                                 "evalue": _short(content.get("evalue"))})

    client.on_cell_error = on_error
    code = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]

    def save():
        status["output_dropped"] = client._dropped
        status["seconds"] = round(time.monotonic() - t0, 2)
        pipe.write(b"S" + json.dumps(status).encode() + b"\n")

    status["cells"] = len(code)
    t0 = time.monotonic()
    with client.setup_kernel():
        for i, cell in code:
            status["running"] = i
            save()
            try:
                client.execute_cell(cell, i)
            except DeadKernelError as exc:
                status["dead_kernel"] = True
                status["errors"].append({"cell": i, "ename": "DeadKernelError",
                                         "evalue": _short(exc)})
                break
            except Exception as exc:  # noqa: BLE001 - report and go on with the next cell
                status["errors"].append({"cell": i, "ename": type(exc).__name__,
                                         "evalue": _short(exc)})
                continue
            status["executed"] += 1
        status.pop("running", None)
        save()
    try:                                        # not a FIFO, not a symlink: never blocks
        fd = os.open(args.values, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as f:
            if stat.S_ISREG(os.fstat(fd).st_mode):
                data = f.read(args.max_values + 1)
                if len(data) <= args.max_values:
                    pipe.write(b"V" + data.replace(b"\n", b" ") + b"\n")
    except OSError:
        pass
    pipe.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
