"""Shared test helpers."""
import numpy as np


def fd_gradient(f, w, h=1e-4):
    """Fourth-order central finite differences of a scalar function."""
    g = np.zeros_like(w)
    for j in range(w.size):
        e = np.zeros_like(w)
        e[j] = h
        g[j] = (-f(w + 2 * e) + 8 * f(w + e) - 8 * f(w - e) + f(w - 2 * e)) / (12 * h)
    return g
