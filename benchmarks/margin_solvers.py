"""Time to a *certified* relative margin gap: ib.fast_margin against its peers.

For linearly separable data (rows a_i = y_i x_i, max ||a_i|| = 1) every solver is timed until
it can show a direction u and nonnegative dual weights q with

    (U - L) / U <= tol,    L = min_i a_i.u / ||u||  <=  max margin  <=  U = ||A^T q|| / sum(q),

for tol = 1e-3 and 1e-6. Both bounds are computed in float64 on all the data, after the
clock stops. Peers:

* ``fast_margin``        ib.fast_margin (Ji, Srebro & Telgarsky's dual acceleration), float32
                         products, screening, stops on its own certificate;
* ``fast_margin+polish`` the same, finishing with an exact solve on the working set;
* ``normalized_gd``      ib.fast_margin(momentum=False): normalized GD with the same
                         certificate and engineering;
* ``LinearSVC``          scikit-learn's liblinear dual coordinate descent, hinge loss,
                         fit_intercept=False, C in 10, 1e2, 1e3, 1e4 (each fit timed alone; the
                         fastest fit that reaches the gap counts). It returns no dual weights:
                         its upper bound is borrowed from the best dual certificate any solver
                         found, so its gap is certified, but not by itself;
* ``scipy_nnls``         scipy.optimize.nnls on the Lawson-Hanson least-distance form of the
                         dual (the same reduction ib.max_margin uses), called directly;
* ``max_margin``         ib.max_margin (that NNLS plus a polish on the support);
* ``ipm_trust_constr``   scipy.optimize.minimize(method='trust-constr'), whose inequality
                         handling is an interior-point (barrier) method, on
                         min ||w||^2/2 s.t. A w >= 1; its multipliers give the dual weights.
                         (No dedicated interior-point QP solver is a dependency of the book.)

Each solver runs in a forked child process, single-threaded (threadpoolctl), killed at
``--cap`` seconds (default 20; at least 2.5 times the better fast_margin variant's time on
that problem; the two fast_margin variants themselves get 40 s): reported as "> cap". A
solver that hit the cap c (or did not reach the gap) at some n is not run again with a cap of
at most c at a larger n with the same d, nor at the tighter target ("> c*"). Planted data come from
ib.planted_data(n, d, margin=0.5/sqrt(d), seed=0); the real data are scikit-learn's bundled
digits (8x8 images, d = 64), as two problems separable through the origin.

Usage::

    .venv/bin/python benchmarks/margin_solvers.py            # full run, about 15 minutes
    .venv/bin/python benchmarks/margin_solvers.py --quick    # small run, about a minute

Results go to benchmarks/results/margin_solvers.{md,csv} (``--quick``: *_quick.{md,csv}).
"""
from __future__ import annotations

import argparse
import csv
import datetime
import multiprocessing as mp
import os
import platform
import queue
import sys
import time
import warnings

import numpy as np

import ibias_lib as ib

TOLS = (1e-3, 1e-6)
SOLVERS = ("fast_margin", "fast_margin+polish", "normalized_gd", "LinearSVC", "scipy_nnls",
           "max_margin", "ipm_trust_constr")
FULL = [(1_000, 50), (10_000, 50), (100_000, 50), (1_000, 1_000), (10_000, 200),
        (10_000, 1_000), (100_000, 200)]
QUICK = [(1_000, 50), (10_000, 50)]
SVC_CS = (1e1, 1e2, 1e3, 1e4)
OURS_CAP = 40.0          # the two fast_margin variants: the subject, a longer fixed cap


# ---------------------------------------------------------------- certificates (float64)

def bounds(A, u, q):
    """Certified (lower, upper) from a direction u and nonnegative weights q (float64)."""
    lower = -np.inf
    nu = np.linalg.norm(u)
    if nu > 0:
        lower = float((A @ u).min() / nu)
    upper = np.inf
    q = np.maximum(np.asarray(q, dtype=float), 0.0)
    if q.sum() > 0:
        upper = float(np.linalg.norm(q @ A) / q.sum())
    return lower, upper


# ---------------------------------------------------------------- the solvers (run in a child)

def run_fast(X, y, tol, emit, *, momentum=True, polish=False):
    t0 = time.perf_counter()
    res = ib.fast_margin(X, y, tol=tol, max_iter=10**8, momentum=momentum, float32=True,
                         polish=polish)
    dt = time.perf_counter() - t0
    emit(dict(seconds=dt, lower=res.margin, upper=res.upper, tol=tol,
              note=f"{res.n_iter} it, {res.passes:.0f} passes"))


def run_svc(X, y, tol, emit):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.svm import LinearSVC
    warnings.simplefilter("ignore", ConvergenceWarning)
    for C in SVC_CS:
        t0 = time.perf_counter()
        clf = LinearSVC(loss="hinge", dual=True, fit_intercept=False, C=C, tol=1e-10,
                        max_iter=100_000).fit(X, y)
        dt = time.perf_counter() - t0
        w = clf.coef_.ravel()
        emit(dict(seconds=dt, lower=ib.margin(X, y, w) if np.any(w) else -np.inf,
                  upper=np.inf, note=f"C={C:g}"))


def run_nnls(X, y, tol, emit):
    from scipy.optimize import nnls
    A = y[:, None] * X
    n, d = A.shape
    t0 = time.perf_counter()
    E = np.vstack([A.T, np.ones((1, n))])
    f = np.zeros(d + 1)
    f[-1] = 1.0
    alpha, _ = nnls(E, f, maxiter=50 * (n + d + 1))
    r = E @ alpha - f
    w = -r[:d] / r[-1]
    dt = time.perf_counter() - t0
    emit(dict(seconds=dt, u=w, q=alpha, note=""))


def run_max_margin(X, y, tol, emit):
    t0 = time.perf_counter()
    res = ib.max_margin(X, y)
    dt = time.perf_counter() - t0
    emit(dict(seconds=dt, u=res.direction, q=res.dual, note=f"{len(res.support)} SV"))


def run_ipm(X, y, tol, emit):
    from scipy.optimize import LinearConstraint, minimize
    A = y[:, None] * X
    n, d = A.shape
    spent = [0.0]                       # time inside the callback, not charged
    t0 = time.perf_counter()

    def callback(x, state):
        c0 = time.perf_counter()
        v = None if state.v is None else -np.asarray(state.v[0])
        lower, upper = bounds(A, x, v if v is not None else np.zeros(n))
        emit(dict(seconds=c0 - t0 - spent[0], lower=lower, upper=upper,
                  note=f"{state.nit} it"))
        spent[0] += time.perf_counter() - c0

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        minimize(lambda w: 0.5 * w @ w, np.zeros(d), jac=lambda w: w,
                 hess=lambda w: np.eye(d), method="trust-constr",
                 constraints=[LinearConstraint(A, lb=np.ones(n), ub=np.inf)],
                 options=dict(gtol=1e-13, xtol=1e-15, barrier_tol=1e-13, maxiter=10_000),
                 callback=callback)


RUNNERS = {
    "fast_margin": (run_fast, {}),
    "fast_margin+polish": (run_fast, dict(polish=True)),
    "normalized_gd": (run_fast, dict(momentum=False)),
    "LinearSVC": (run_svc, {}),
    "scipy_nnls": (run_nnls, {}),
    "max_margin": (run_max_margin, {}),
    "ipm_trust_constr": (run_ipm, {}),
}
PER_TOL = {"fast_margin", "fast_margin+polish", "normalized_gd"}   # one run per tolerance


def _child(name, X, y, tol, q):
    from threadpoolctl import threadpool_limits
    fn, kw = RUNNERS[name]
    with threadpool_limits(1):
        try:
            fn(X, y, tol, q.put, **kw)
        except Exception as exc:                          # reported, not raised
            q.put(dict(error=f"{type(exc).__name__}: {exc}"))
    q.put(None)


def run_capped(name, X, y, tol, cap):
    """Run one solver in a forked child for at most ``cap`` seconds; return its events."""
    ctx = mp.get_context("fork")
    q = ctx.Queue()
    p = ctx.Process(target=_child, args=(name, X, y, tol, q))
    t_end = time.monotonic() + cap + 2.0
    p.start()
    events, finished = [], False
    while time.monotonic() < t_end:
        try:
            ev = q.get(timeout=0.2)
        except queue.Empty:
            if not p.is_alive() and q.empty():
                break
            continue
        if ev is None:
            finished = True
            break
        events.append(ev)
    if p.is_alive():
        p.terminate()
    p.join()
    late = [e for e in events if "error" not in e and e["seconds"] > cap]
    events = [e for e in events if "error" in e or e["seconds"] <= cap]
    return events, finished and not late


# ---------------------------------------------------------------- one dataset

def evaluate(X, y, cap, skip, log):
    """Run every solver on (X, y); return rows of results, one per (solver, tol)."""
    A = y[:, None] * X
    raw, caps = {}, {}
    peer_cap = cap
    for name in SOLVERS:
        if not name.startswith("fast_margin"):
            # the others get at least 2.5x the time the better fast_margin variant needed,
            # so that a speedup of 2 can be observed rather than cut off by the cap
            ours = [min([e["seconds"] for k in ("fast_margin", "fast_margin+polish")
                         for e in raw[k, t][1] if e["upper"] - e["lower"] <= t * e["upper"]]
                        + [np.inf]) for t in TOLS]
            ours = [o for o in ours if np.isfinite(o)]
            peer_cap = max(cap, 2.5 * max(ours)) if ours else cap
        caps[name] = peer_cap if not name.startswith("fast_margin") else OURS_CAP
        for tol in (TOLS if name in PER_TOL else (None,)):
            looser_capped = (tol is not None and tol < TOLS[0]
                             and raw[name, TOLS[0]][0] in ("capped", "skipped"))
            failed_under = [skip.get((name, t), 0.0) for t in ((tol,) if tol else TOLS)]
            if looser_capped or min(failed_under) >= caps[name]:
                raw[name, tol] = ("skipped", [])
                continue
            t0 = time.perf_counter()
            events, finished = run_capped(name, X, y, tol, caps[name])
            for e in events:                              # certificates in float64
                if "u" in e:
                    e["lower"], e["upper"] = bounds(A, e.pop("u"), e.pop("q"))
            status = "finished" if finished else "capped"
            if any("error" in e for e in events):
                status = "error: " + next(e["error"] for e in events if "error" in e)
            raw[name, tol] = (status, [e for e in events if "error" not in e])
            log(f"    {name:20s} tol={tol}: {status} after {time.perf_counter() - t0:.1f}s")
    # the best dual certificate any solver found certifies the solvers without one
    U = min([e["upper"] for _, evs in raw.values() for e in evs] + [np.inf])
    L = max([e["lower"] for _, evs in raw.values() for e in evs] + [-np.inf])
    rows = []
    for name in SOLVERS:
        for tol in TOLS:
            key = (name, tol) if name in PER_TOL else (name, None)
            status, evs = raw[key]
            hit, best_gap = None, np.inf
            for e in evs:
                up = e["upper"] if name != "LinearSVC" else U
                gap = (up - e["lower"]) / up
                best_gap = min(best_gap, gap)
                if gap <= tol and (hit is None or e["seconds"] < hit["seconds"]):
                    hit = dict(e, gap=gap)
            if status == "skipped":
                state = "skipped"
            elif hit is not None:
                state = "ok"
            elif status == "capped":
                state = "capped"
            elif status.startswith("error"):
                state = status
            else:
                state = "not reached"
            used_cap = caps[name]
            if state == "skipped":             # the cap under which it failed before
                used_cap = skip.get((name, tol), caps[name])
                if used_cap is True:
                    used_cap = caps[name]
            rows.append(dict(solver=name, tol=tol, state=state, cap=used_cap,
                             seconds=hit["seconds"] if hit else np.nan,
                             gap=hit["gap"] if hit else best_gap,
                             note=hit["note"] if hit else (evs[-1]["note"] if evs else "")))
            if state in ("capped", "not reached", "skipped"):
                skip[name, tol] = min(skip.get((name, tol), np.inf), used_cap)
    return rows, L, U


def datasets(configs, quick):
    for n, d in configs:
        X, y = ib.planted_data(n, d, margin=0.5 / np.sqrt(d), seed=0)
        yield f"planted n={n} d={d}", f"planted-{d}", X, y
    from sklearn.datasets import load_digits
    Xd, lab = load_digits(return_X_y=True)
    m = (lab == 1) | (lab == 8)
    yield "digits 1 vs 8", "digits-1v8", Xd[m], np.where(lab[m] == 1, 1.0, -1.0)
    if not quick:
        yield "digits 5 vs rest", "digits-5vr", Xd, np.where(lab == 5, 1.0, -1.0)


def fmt_cell(r, fastest):
    cap = r["cap"]
    if r["state"] == "ok":
        ratio = r["seconds"] / fastest
        return f"{r['seconds']:.3g} s ({ratio:.1f}x)" if ratio > 1.0001 else \
            f"**{r['seconds']:.3g} s**"
    if r["state"] == "capped":
        return f"> {cap:.3g} s"
    if r["state"] == "skipped":
        return f"> {cap:.3g} s*"
    if r["state"] == "not reached":
        return f"gap {r['gap']:.1e}"
    return "error"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="small run (about a minute)")
    ap.add_argument("--cap", type=float, default=None,
                    help="seconds per run of the other solvers (default 20, quick 10)")
    ap.add_argument("--out", default=None, help="output path without extension")
    args = ap.parse_args(argv)
    cap = args.cap or (10.0 if args.quick else 20.0)
    here = os.path.dirname(os.path.abspath(__file__))
    out = args.out or os.path.join(here, "results",
                                   "margin_solvers_quick" if args.quick else "margin_solvers")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    started = datetime.datetime.now()
    load_start = os.getloadavg()
    log = lambda s: print(s, flush=True)                  # noqa: E731
    csv_rows, md_blocks, skip_by_d = [], [], {}
    for title, family, X, y in datasets(QUICK if args.quick else FULL, args.quick):
        X = X / np.linalg.norm(X, axis=1).max()           # common scaling: max ||x_i|| = 1
        load = os.getloadavg()[0]
        log(f"{title} (load {load:.2f})")
        t0 = time.perf_counter()
        rows, L, U = evaluate(X, y, cap, skip_by_d.setdefault(family, {}), log)
        log(f"  done in {time.perf_counter() - t0:.0f}s, max margin in [{L:.9g}, {U:.9g}]")
        n, d = X.shape
        for tol in TOLS:
            sel = [r for r in rows if r["tol"] == tol]
            done = [r["seconds"] for r in sel if r["state"] == "ok"]
            fastest = min(done) if done else np.nan
            peers = [r["seconds"] for r in sel if r["state"] == "ok"
                     and not r["solver"].startswith("fast_margin")]
            for r in sel:
                csv_rows.append(dict(dataset=title, n=n, d=d, gamma_lower=L, gamma_upper=U,
                                     tol=tol, solver=r["solver"], state=r["state"],
                                     seconds=r["seconds"], certified_gap=r["gap"],
                                     ratio_to_fastest=r["seconds"] / fastest,
                                     fastest_peer_seconds=min(peers) if peers else np.nan,
                                     note=r["note"], load1=load, cap=r["cap"]))
        md_blocks.append((title, n, d, L, U, load, rows))
    load_end = os.getloadavg()
    write_csv(out + ".csv", csv_rows)
    write_md(out + ".md", md_blocks, cap, started, load_start, load_end, args.quick)
    log(f"wrote {out}.csv and {out}.md")


def write_csv(path, rows):
    with open(path, "w", newline="") as fh:
        wr = csv.DictWriter(fh, fieldnames=list(rows[0]))
        wr.writeheader()
        for r in rows:
            wr.writerow({k: (f"{v:.6g}" if isinstance(v, float) else v) for k, v in r.items()})


def write_md(path, blocks, cap, started, load_start, load_end, quick):
    import scipy
    import sklearn
    lines = [f"# Margin solvers: time to a certified relative gap{' (quick run)' if quick else ''}",
             "",
             f"Generated by `benchmarks/margin_solvers.py{' --quick' if quick else ''}` on "
             f"{started:%Y-%m-%d %H:%M}. Machine: {platform.machine()}, {os.cpu_count()} "
             f"cores, Python {platform.python_version()}, numpy {np.__version__}, scipy "
             f"{scipy.__version__}, scikit-learn {sklearn.__version__}; every solver "
             f"single-threaded. Load average (1, 5, 15 min) at the start "
             f"{', '.join(f'{x:.2f}' for x in load_start)}, at the end "
             f"{', '.join(f'{x:.2f}' for x in load_end)} (other jobs shared the machine; "
             f"the load at each dataset is in the CSV). Cap {OURS_CAP:g} s per run for the two "
             f"fast_margin variants; {cap:g} s for the other solvers, raised to 2.5 times the "
             f"slower of the two targets' best fast_margin time when that is longer (so that a "
             f"speedup of 2 can be seen).",
             "",
             "Cells: seconds until the certified relative gap (U - L)/U is at most the target, "
             "and in parentheses the ratio to the fastest solver of the row (bold: fastest). "
             "`> c s`: killed at the cap c; `> c s*`: not run, because it hit the cap c "
             "at a smaller n with the same d, or at the looser target; `gap x`: finished without reaching the "
             "target. LinearSVC's gap uses the best dual bound found by any solver.", ""]
    head = "| data | n | d | target | " + " | ".join(SOLVERS) + " |"
    lines += [head, "|" + "---|" * (4 + len(SOLVERS))]
    for title, n, d, L, U, load, rows in blocks:
        for tol in TOLS:
            sel = {r["solver"]: r for r in rows if r["tol"] == tol}
            done = [r["seconds"] for r in sel.values() if r["state"] == "ok"]
            fastest = min(done) if done else np.nan
            cells = [fmt_cell(sel[s], fastest) for s in SOLVERS]
            lines.append(f"| {title} | {n} | {d} | {tol:g} | " + " | ".join(cells) + " |")
    lines.append("")
    with open(path, "w") as fh:
        fh.write("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
