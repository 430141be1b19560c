"""Time to a *certified* relative margin gap: ib.max_margin and ib.fast_margin against the
quadratic-programming solvers a practitioner would reach for.

For linearly separable data (rows a_i = y_i x_i, max ||a_i|| = 1) every solver is timed until
it can show a direction u and nonnegative dual weights q with

    (U - L) / U <= tol,    L = min_i a_i.u / ||u||  <=  max margin  <=  U = ||A^T q|| / sum(q),

for tol = 1e-3 and 1e-6. Both bounds are computed in float64 on all the data, after the
clock stops, from the solver's own primal solution and its own dual multipliers. The problem
given to the QP solvers is the hard-margin SVM through the origin,

    min ||w||^2 / 2   subject to   A w >= 1,

whose multipliers are such weights q (Lagrangian duality). Solvers:

The project's (the subject is ``max_margin``):

* ``max_margin``          ib.max_margin(X, y): working-set rounds with an exact solve on the
                          working set (interior point for d > 100, DAQP below), certified on
                          all rows; exact, so one time serves both targets;
* ``fast_margin``         ib.fast_margin(tol, float32=True): Ji, Srebro & Telgarsky's dual
                          acceleration, stopping on its own certificate;
* ``fast_margin+polish``  the same, finishing with an exact solve on its working set.

The peers, each through its own Python API, dense where the solver offers it, at its own
tolerance settings ``tol * 1e-3`` for the iterative ones (one run per target) or exact:

* ``PIQP``       piqp.DenseSolver (proximal interior point); multipliers ``result.z_u``;
* ``DAQP``       daqp.solve (dual active set, exact); multipliers ``-info["lam"]``;
* ``ProxQP``     proxsuite.proxqp.dense.QP (proximal augmented Lagrangian); ``-results.z``;
* ``Clarabel``   clarabel.DefaultSolver (interior point, sparse CSC input); ``solution.z``;
* ``OSQP``       osqp.OSQP with polishing (ADMM, sparse CSC input); ``-results.y``;
* ``HiGHS``      highspy.Highs with a Hessian (active-set QP, exact); ``row_dual``;
* ``LinearSVC``  scikit-learn's liblinear dual coordinate descent, hinge loss,
                 fit_intercept=False, C in 10, 1e2, 1e3, 1e4 (each fit timed alone; the fastest
                 fit that reaches the gap counts). It returns no dual weights: its upper bound
                 is borrowed from the best dual certificate any solver found;
* ``scipy_nnls`` scipy.optimize.nnls on the Lawson-Hanson least-distance form of the dual,
                 called directly (what ib.max_margin did before the working set).

Each solver runs in a forked child process, single-threaded (threadpoolctl, and the solvers'
own thread settings), killed at its cap: ``max_margin`` 120 s, the fast_margin variants 40 s,
the peers ``--cap`` seconds (default 20) raised to 2.5 times max_margin's time when that is
longer, so that a factor of 2 is seen rather than cut off. A run shorter than 5 s is repeated,
at least ``--repeat`` times (default 3) and until the runs total 1 s (a fresh process needs a
few runs to reach its steady state: page faults, lazy initialization), and the best counts. A solver that hit the cap c (or did not reach the
gap) at some n is not run again with a cap of at most c at a larger n with the same d, nor at
the tighter target ("> c*"). For max_margin the peak of the memory it allocates beyond its
input is measured in a separate, untimed run (tracemalloc, which numpy reports to).

Planted data come from ib.planted_data(n, d, margin=0.5/sqrt(d), seed=0); the real data are
scikit-learn's bundled digits (8x8 images, d = 64) and wine (d = 13), as problems separable
through the origin.

Usage::

    .venv/bin/pip install -r benchmarks/requirements.txt
    .venv/bin/python benchmarks/margin_solvers.py            # full run (see README.md)
    .venv/bin/python benchmarks/margin_solvers.py --quick    # small run, a few minutes

Results go to benchmarks/results/margin_solvers.{md,csv} (``--quick``: *_quick.{md,csv}).
"""
from __future__ import annotations

import argparse
import csv
import datetime
import importlib.metadata
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
SUBJECT = "max_margin"
OURS = ("max_margin", "fast_margin", "fast_margin+polish")
PEERS = ("PIQP", "DAQP", "ProxQP", "Clarabel", "OSQP", "HiGHS", "LinearSVC", "scipy_nnls")
SOLVERS = OURS + PEERS
FULL = [(1_000, 50), (10_000, 50), (100_000, 50), (1_000_000, 50),
        (1_000, 1_000), (10_000, 200), (100_000, 200), (10_000, 1_000), (10_000, 2_000)]
QUICK = [(1_000, 50), (10_000, 50)]
SVC_CS = (1e1, 1e2, 1e3, 1e4)
CAPS = {"max_margin": 120.0, "fast_margin": 40.0, "fast_margin+polish": 40.0}
PEER_FACTOR = 2.5          # peers get at least this many times max_margin's time
REPEAT_BELOW = 5.0         # seconds: runs shorter than this are repeated ...
REPEAT_FOR = 1.0           # ... at least --repeat times and until they total this long
MAX_RUNS = 1000            # (a fresh process needs a few runs to reach its steady state)
PACKAGES = ("numpy", "scipy", "scikit-learn", "piqp", "daqp", "proxsuite", "clarabel", "osqp",
            "highspy", "threadpoolctl")


# ---------------------------------------------------------------- certificates (float64)

def bounds(A, u, q):
    """Certified (lower, upper) from a direction u and nonnegative weights q (float64)."""
    lower = -np.inf
    u = np.asarray(u, dtype=float)
    nu = np.linalg.norm(u)
    if nu > 0 and np.all(np.isfinite(u)):
        lower = float((A @ u).min() / nu)
    upper = np.inf
    q = np.maximum(np.nan_to_num(np.asarray(q, dtype=float)), 0.0)
    if q.sum() > 0:
        upper = float(np.linalg.norm(q @ A) / q.sum())
    return lower, upper


def rows_of(X, y):
    return y[:, None] * X


# ---------------------------------------------------------------- the project's solvers

def run_max_margin(X, y, tol, emit):
    t0 = time.perf_counter()
    res = ib.max_margin(X, y)
    dt = time.perf_counter() - t0
    emit(dict(seconds=dt, u=res.direction, q=res.dual,
              note=f"{res.method}, {res.rounds} rounds, W={res.n_working}, "
                   f"{len(res.support)} SV"))


def memory_max_margin(X, y):
    """Peak bytes allocated by ib.max_margin beyond its input (tracemalloc; untimed)."""
    import tracemalloc
    tracemalloc.start()
    ib.max_margin(X, y)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def run_fast(X, y, tol, emit, *, polish=False):
    t0 = time.perf_counter()
    res = ib.fast_margin(X, y, tol=tol, max_iter=10**8, float32=True, polish=polish)
    dt = time.perf_counter() - t0
    emit(dict(seconds=dt, lower=res.margin, upper=res.upper,
              note=f"{res.n_iter} it, {res.passes:.0f} passes"))


# ---------------------------------------------------------------- the peers

def _eps(tol):
    return 1e-10 if tol is None else tol * 1e-3


def run_piqp(X, y, tol, emit):
    import piqp
    t0 = time.perf_counter()
    A = rows_of(X, y)
    n, d = A.shape
    s = piqp.DenseSolver()
    s.settings.verbose = False
    s.settings.num_threads = 1
    s.settings.eps_abs = s.settings.eps_rel = _eps(tol)
    s.setup(np.eye(d), np.zeros(d), None, None, np.asfortranarray(-A), None, -np.ones(n))
    status = s.solve()
    dt = time.perf_counter() - t0
    emit(dict(seconds=dt, u=np.array(s.result.x), q=np.array(s.result.z_u),
              note=f"{status.name}, {s.result.info.iter} it"))


def run_daqp(X, y, tol, emit):
    import daqp
    t0 = time.perf_counter()
    A = np.ascontiguousarray(rows_of(X, y))
    n, d = A.shape
    x, _, flag, info = daqp.solve(np.eye(d), np.zeros(d), A, np.full(n, 1e30), np.ones(n))
    dt = time.perf_counter() - t0
    emit(dict(seconds=dt, u=np.array(x), q=-np.asarray(info["lam"]),
              note=f"exitflag {flag}, {info['iterations']} it"))


def run_proxqp(X, y, tol, emit):
    import proxsuite
    t0 = time.perf_counter()
    A = rows_of(X, y)
    n, d = A.shape
    qp = proxsuite.proxqp.dense.QP(d, 0, n)
    qp.settings.eps_abs = _eps(tol)
    qp.settings.eps_rel = 0.0
    qp.settings.verbose = False
    qp.init(np.eye(d), np.zeros(d), None, None, A, np.ones(n), np.full(n, 1e20))
    qp.solve()
    dt = time.perf_counter() - t0
    emit(dict(seconds=dt, u=np.array(qp.results.x), q=-np.array(qp.results.z),
              note=f"{qp.results.info.status.name}, {qp.results.info.iter} it"))


def run_clarabel(X, y, tol, emit):
    import clarabel
    import scipy.sparse as sp
    t0 = time.perf_counter()
    A = rows_of(X, y)
    n, d = A.shape
    st = clarabel.DefaultSettings()
    st.verbose = False
    st.max_threads = 1
    st.tol_gap_abs = st.tol_gap_rel = st.tol_feas = _eps(tol)
    solver = clarabel.DefaultSolver(sp.identity(d, format="csc"), np.zeros(d),
                                    sp.csc_matrix(-A), -np.ones(n),
                                    [clarabel.NonnegativeConeT(n)], st)
    sol = solver.solve()
    dt = time.perf_counter() - t0
    emit(dict(seconds=dt, u=np.array(sol.x), q=np.array(sol.z),
              note=f"{sol.status}, {sol.iterations} it"))


def run_osqp(X, y, tol, emit):
    import osqp
    import scipy.sparse as sp
    t0 = time.perf_counter()
    A = rows_of(X, y)
    n, d = A.shape
    m = osqp.OSQP()
    m.setup(P=sp.identity(d, format="csc"), q=np.zeros(d), A=sp.csc_matrix(A), l=np.ones(n),
            u=np.full(n, np.inf), eps_abs=_eps(tol), eps_rel=_eps(tol), polishing=True,
            verbose=False, max_iter=10**7)
    r = m.solve()
    dt = time.perf_counter() - t0
    emit(dict(seconds=dt, u=np.array(r.x), q=-np.array(r.y),
              note=f"{r.info.status}, polish {r.info.status_polish}, {r.info.iter} it"))


def run_highs(X, y, tol, emit):
    import highspy
    import scipy.sparse as sp
    t0 = time.perf_counter()
    A = rows_of(X, y)
    n, d = A.shape
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = d, n
    lp.col_cost_ = np.zeros(d)
    lp.col_lower_ = np.full(d, -highspy.kHighsInf)
    lp.col_upper_ = np.full(d, highspy.kHighsInf)
    lp.row_lower_ = np.ones(n)
    lp.row_upper_ = np.full(n, highspy.kHighsInf)
    M = sp.csc_matrix(A)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = M.indptr, M.indices, M.data
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = d, n
    H = highspy.HighsHessian()
    H.dim_ = d
    H.format_ = highspy.HessianFormat.kTriangular
    H.start_, H.index_, H.value_ = np.arange(d + 1), np.arange(d), np.ones(d)
    model = highspy.HighsModel()
    model.lp_, model.hessian_ = lp, H
    h.passModel(model)
    h.run()
    sol = h.getSolution()
    dt = time.perf_counter() - t0
    emit(dict(seconds=dt, u=np.array(sol.col_value), q=np.array(sol.row_dual),
              note=h.modelStatusToString(h.getModelStatus())))


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
    t0 = time.perf_counter()
    A = rows_of(X, y)
    n, d = A.shape
    E = np.vstack([A.T, np.ones((1, n))])
    f = np.zeros(d + 1)
    f[-1] = 1.0
    alpha, _ = nnls(E, f, maxiter=50 * (n + d + 1))
    r = E @ alpha - f
    w = -r[:d] / r[-1]
    dt = time.perf_counter() - t0
    emit(dict(seconds=dt, u=w, q=alpha, note=""))


RUNNERS = {
    "max_margin": (run_max_margin, {}),
    "fast_margin": (run_fast, {}),
    "fast_margin+polish": (run_fast, dict(polish=True)),
    "PIQP": (run_piqp, {}),
    "DAQP": (run_daqp, {}),
    "ProxQP": (run_proxqp, {}),
    "Clarabel": (run_clarabel, {}),
    "OSQP": (run_osqp, {}),
    "HiGHS": (run_highs, {}),
    "LinearSVC": (run_svc, {}),
    "scipy_nnls": (run_nnls, {}),
}
#: one run per target (tolerance settings); the others are exact (one run serves both)
PER_TOL = {"fast_margin", "fast_margin+polish", "PIQP", "ProxQP", "Clarabel", "OSQP"}


# ---------------------------------------------------------------- running one solver

def _child(name, X, y, tol, q, repeat):
    from threadpoolctl import threadpool_limits
    fn, kw = RUNNERS[name]
    with threadpool_limits(1):
        try:
            spent = 0.0
            for r in range(MAX_RUNS):
                t0 = time.perf_counter()
                fn(X, y, tol, lambda ev, r=r: q.put(dict(ev, run=r)), **kw)
                spent += time.perf_counter() - t0
                # steady state: at least `repeat` runs and REPEAT_FOR seconds, unless slow
                if spent > REPEAT_BELOW or (r + 1 >= repeat and spent >= REPEAT_FOR):
                    break
            if name == SUBJECT:
                q.put(dict(memory=memory_max_margin(X, y)))
        except Exception as exc:                          # reported, not raised
            q.put(dict(error=f"{type(exc).__name__}: {exc}"))
    q.put(None)


def run_capped(name, X, y, tol, cap, repeat):
    """Run one solver in a forked child for at most ``cap`` seconds; return its events."""
    ctx = mp.get_context("fork")
    q = ctx.Queue()
    p = ctx.Process(target=_child, args=(name, X, y, tol, q, repeat))
    # the first run gets the cap; repeats only follow runs shorter than REPEAT_BELOW
    t_end = time.monotonic() + cap + REPEAT_BELOW + min(cap, REPEAT_BELOW) + 2.0
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
        first = [e for e in events if e.get("run") == 0]
        if first and first[0]["seconds"] > cap:           # the first run alone overran
            break
    killed = p.is_alive()
    if killed:
        p.terminate()
    p.join()
    if not finished and not killed and p.exitcode != 0:
        # the solver's process died on its own (a C++ abort, an allocation it cannot make):
        # that is a failure, not a run cut off at its cap
        how = (f"signal {-p.exitcode}" if p.exitcode < 0 else f"exit code {p.exitcode}")
        events.append(dict(error=f"its process died ({how})"))
    memory = [e["memory"] for e in events if "memory" in e]
    events = [e for e in events if "memory" not in e]
    late = [e for e in events if "error" not in e and e["seconds"] > cap]
    events = [e for e in events if "error" in e or e["seconds"] <= cap]
    return events, finished and not late, (memory[0] if memory else np.nan)


# ---------------------------------------------------------------- one dataset

def _cap_for(name, raw, cap):
    if name in CAPS:
        return CAPS[name]
    ours = [e["seconds"] for e in raw.get((SUBJECT, None), ("", []))[1]]
    return max(cap, PEER_FACTOR * min(ours)) if ours else cap


def _summarize(name, tol, raw, caps, skip, U):
    """The row of results of one solver at one target."""
    key = (name, tol) if name in PER_TOL else (name, None)
    status, evs = raw[key]
    hit, best_gap = None, np.inf
    for e in evs:
        up = e["upper"] if name != "LinearSVC" else U
        gap = (up - e["lower"]) / up if np.isfinite(up) and up > 0 else np.inf
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
    if state == "skipped":
        used_cap = skip.get((name, tol), caps[name])
    if state in ("capped", "not reached", "skipped"):
        skip[name, tol] = min(skip.get((name, tol), np.inf), used_cap)
    return dict(solver=name, tol=tol, state=state, cap=used_cap,
                seconds=hit["seconds"] if hit else np.nan,
                gap=hit["gap"] if hit else best_gap,
                note=hit["note"] if hit else (evs[-1]["note"] if evs else ""))


def evaluate(X, y, cap, skip, log, repeat):
    """Run every solver on (X, y); return rows of results (one per solver and target), the
    best bounds found, and max_margin's extra memory."""
    A = rows_of(X, y)
    raw, caps, memory = {}, {}, np.nan
    for name in SOLVERS:
        caps[name] = _cap_for(name, raw, cap)
        for tol in (TOLS if name in PER_TOL else (None,)):
            looser_failed = (tol is not None and tol < TOLS[0]
                             and raw[name, TOLS[0]][0] in ("capped", "skipped"))
            failed_under = [skip.get((name, t), 0.0) for t in ((tol,) if tol else TOLS)]
            if looser_failed or min(failed_under) >= caps[name]:
                raw[name, tol] = ("skipped", [])
                continue
            t0 = time.perf_counter()
            events, finished, mem = run_capped(name, X, y, tol, caps[name], repeat)
            if name == SUBJECT:
                memory = mem
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
    rows = [_summarize(name, tol, raw, caps, skip, U) for name in SOLVERS for tol in TOLS]
    return rows, L, U, memory


def datasets(configs, quick):
    for n, d in configs:
        X, y = ib.planted_data(n, d, margin=0.5 / np.sqrt(d), seed=0)
        yield f"planted n={n} d={d}", f"planted-{d}", X, y
    from sklearn.datasets import load_digits, load_wine
    Xd, lab = load_digits(return_X_y=True)
    m = (lab == 1) | (lab == 8)
    yield "digits 1 vs 8", "digits-1v8", Xd[m], np.where(lab[m] == 1, 1.0, -1.0)
    Xw, lw = load_wine(return_X_y=True)
    yield "wine 1 vs rest", "wine-1vr", Xw, np.where(lw == 1, 1.0, -1.0)
    if not quick:
        yield "digits 5 vs rest", "digits-5vr", Xd, np.where(lab == 5, 1.0, -1.0)


# ---------------------------------------------------------------- output

def fmt_cell(r, fastest):
    if r["state"] == "ok":
        ratio = r["seconds"] / fastest
        return f"{r['seconds']:.3g} s ({ratio:.1f}x)" if ratio > 1.0001 else \
            f"**{r['seconds']:.3g} s**"
    if r["state"] == "capped":
        return f"> {r['cap']:.3g} s"
    if r["state"] == "skipped":
        return f"> {r['cap']:.3g} s*"
    if r["state"] == "not reached":
        return f"gap {r['gap']:.1e}"
    return "crashed" if "died" in r["state"] else "error"


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next(line.split(":", 1)[1].strip() for line in fh
                       if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    versions = []
    for p in PACKAGES:
        try:
            versions.append(f"{p} {importlib.metadata.version(p)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{p} (missing)")
    return cpu, versions


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="small run (a few minutes)")
    ap.add_argument("--cap", type=float, default=None,
                    help="seconds per run of the peers (default 20, quick 10)")
    ap.add_argument("--repeat", type=int, default=3, help="short runs: best of at least this many (and of 1 s of runs)")
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
    csv_rows, md_blocks, skip_by_family = [], [], {}
    for title, family, X, y in datasets(QUICK if args.quick else FULL, args.quick):
        X = X / np.linalg.norm(X, axis=1).max()           # common scaling: max ||x_i|| = 1
        load = os.getloadavg()[0]
        log(f"{title} (load {load:.2f})")
        t0 = time.perf_counter()
        rows, L, U, memory = evaluate(X, y, cap, skip_by_family.setdefault(family, {}), log,
                                      args.repeat)
        log(f"  done in {time.perf_counter() - t0:.0f}s, max margin in [{L:.9g}, {U:.9g}]")
        n, d = X.shape
        for tol in TOLS:
            sel = [r for r in rows if r["tol"] == tol]
            done = [r["seconds"] for r in sel if r["state"] == "ok"]
            fastest = min(done) if done else np.nan
            peers = [r["seconds"] for r in sel if r["state"] == "ok" and r["solver"] in PEERS]
            for r in sel:
                csv_rows.append(dict(dataset=title, n=n, d=d, gamma_lower=L, gamma_upper=U,
                                     tol=tol, solver=r["solver"], state=r["state"],
                                     seconds=r["seconds"], certified_gap=r["gap"],
                                     ratio_to_fastest=r["seconds"] / fastest,
                                     fastest_peer_seconds=min(peers) if peers else np.nan,
                                     note=r["note"], load1=load, cap=r["cap"],
                                     memory_mb=(memory / 2**20 if r["solver"] == SUBJECT
                                                else np.nan),
                                     data_mb=X.nbytes / 2**20))
        md_blocks.append((title, n, d, rows))
    load_end = os.getloadavg()
    write_csv(out + ".csv", csv_rows)
    write_md(out + ".md", md_blocks, cap, started, load_start, load_end, args)
    log(f"wrote {out}.csv and {out}.md")


def write_csv(path, rows):
    with open(path, "w", newline="") as fh:
        wr = csv.DictWriter(fh, fieldnames=list(rows[0]))
        wr.writeheader()
        for r in rows:
            wr.writerow({k: (f"{v:.6g}" if isinstance(v, float) else v) for k, v in r.items()})


def write_md(path, blocks, cap, started, load_start, load_end, args):
    cpu, versions = machine()
    quick = " --quick" if args.quick else ""
    lines = [f"# Margin solvers: time to a certified relative gap{' (quick run)' if quick else ''}",
             "",
             f"Generated by `benchmarks/margin_solvers.py{quick}` on {started:%Y-%m-%d %H:%M}. "
             f"Machine: {cpu}, {os.cpu_count()} cores, {platform.machine()}, Python "
             f"{platform.python_version()}; {', '.join(versions)}; every solver single-threaded. "
             f"Load average (1, 5, 15 min) at the start "
             f"{', '.join(f'{x:.2f}' for x in load_start)}, at the end "
             f"{', '.join(f'{x:.2f}' for x in load_end)} (the load at each dataset is in the "
             f"CSV). Caps: max_margin {CAPS['max_margin']:g} s, fast_margin "
             f"{CAPS['fast_margin']:g} s, the peers {cap:g} s raised to {PEER_FACTOR:g} times "
             f"max_margin's time when that is longer. Runs under {REPEAT_BELOW:g} s: best of "
             f"at least {args.repeat} and of {REPEAT_FOR:g} s of runs.",
             "",
             "Cells: seconds until the certified relative gap (U - L)/U is at most the target, "
             "and in parentheses the ratio to the fastest solver of the row (bold: fastest). "
             "`> c s`: killed at the cap c; `> c s*`: not run, because it hit the cap c "
             "at a smaller n with the same d, or at the looser target; `gap x`: finished "
             "without reaching the target; `crashed`: the solver's process died on its own (an abort "
             "or an allocation it could not make), `error`: it raised an error (both in the "
             "CSV's state column). LinearSVC's gap uses the best dual bound found by "
             "any solver.", ""]
    head = "| data | n | d | target | " + " | ".join(SOLVERS) + " |"
    lines += [head, "|" + "---|" * (4 + len(SOLVERS))]
    for title, n, d, rows in blocks:
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
