"""Execute one notebook in a fresh ``python3`` kernel; used by :mod:`grading.grade`.

Run as a script in its own process group by the grader, which enforces the wall-clock limit
and kills this process group and the kernel's (whose ids are written to ``pidfile`` as soon
as the kernel is up). Cells run one by one with ``allow_errors`` and a per-cell timeout that
interrupts the kernel and goes on with the next cell; outputs are capped in size and only a
small JSON status (cells run, their errors) is written. The grader does not believe anything
in it beyond diagnostics.

    python _execute.py notebook.ipynb status.json pidfile --cell-timeout 120 --max-output 1000000
"""
import argparse
import json
import os
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
        size = len(json.dumps(msg.get("content", {}), default=str))
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
    ap.add_argument("status")
    ap.add_argument("pidfile")
    ap.add_argument("--cell-timeout", type=float, default=300)
    ap.add_argument("--max-output", type=int, default=1_000_000)
    ap.add_argument("--cwd", default=None)
    args = ap.parse_args()

    status = {"cells": 0, "executed": 0, "errors": [], "dead_kernel": False,
              "output_dropped": False}
    nb = nbformat.read(args.notebook, as_version=4)
    client = CappedClient(nb, timeout=int(args.cell_timeout), interrupt_on_timeout=True,
                          error_on_timeout={"ename": "CellTimeoutError",
                                            "evalue": f"cell exceeded {args.cell_timeout:g} s",
                                            "traceback": []},
                          allow_errors=True, kernel_name="python3", record_timing=False,
                          shutdown_kernel="immediate",
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
        with open(args.status + ".tmp", "w") as f:
            json.dump(status, f)
        os.replace(args.status + ".tmp", args.status)

    status["cells"] = len(code)
    t0 = time.monotonic()
    with client.setup_kernel():
        prov = getattr(client.km, "provisioner", None)
        with open(args.pidfile, "w") as f:
            json.dump({"pid": getattr(prov, "pid", None), "pgid": getattr(prov, "pgid", None)}, f)
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
