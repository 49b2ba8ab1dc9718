"""Two ways to place a racing line inside a :class:`~reward_sdk.raceline.corridor.Corridor`.

Both move the points of a reference line sideways along its normals by offsets ``α_i`` bounded by the room on each
side minus a safety margin: ``-(right_i - margin) ≤ α_i ≤ left_i - margin``.

* :func:`min_curvature`: minimise the sum of squared curvatures. The curvature of point ``i`` of the line
  ``p_j = r_j + α_j n_j`` is linearised as ``κ_i ≈ n_i · (p_{i-1} − 2 p_i + p_{i+1}) / h²`` (``h`` the spacing),
  which is affine in ``α``, so each round is a bounded linear least-squares problem (``scipy.optimize.lsq_linear``).
  The solution becomes the next reference (resampled evenly, new normals and room) for a few rounds. Points whose
  curvature exceeds the peak bound get a larger weight and the round is solved again.
* :func:`k1999`: Rémi Coulom's K1999 smoothing: every sweep moves each point sideways so that its curvature
  approaches the mean of its neighbours' (Jacobi updates, clipped to the bounds), until nothing moves.

Curvatures in 1/m, signed (+ = turning left).
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import lsq_linear

from reward_sdk.raceline.corridor import Corridor, FloatArray

MIN_CURVATURE_ROUNDS = 5  # re-linearisations around the previous solution
PEAK_REWEIGHT_ROUNDS = 8  # re-solves per round with heavier weights where the peak bound is exceeded
PEAK_WEIGHT_FACTOR = 4.0  # weight multiplier of a point over the peak bound
K1999_SWEEPS = 4000  # most K1999 sweeps
K1999_GAIN = 0.25  # share of the wanted lateral move taken per sweep
K1999_TOLERANCE_M = 1e-6  # K1999 stops when no point moves more than this in a sweep


def bounds(corridor: Corridor, margin: float) -> tuple[FloatArray, FloatArray]:
    """``(low, high)`` offsets in m allowed at each point: the room on each side minus ``margin`` (a point with
    less room than ``2 · margin`` gets the middle of what there is)."""
    low = -(corridor.right - margin)
    high = corridor.left - margin
    squeezed = low > high
    middle = 0.5 * (corridor.left - corridor.right)
    low = np.where(squeezed, middle, low)
    high = np.where(squeezed, middle, high)
    return low, high


def menger_curvature(points: FloatArray, is_loop: bool) -> FloatArray:
    """(N,) signed curvature of the circle through each point and its two neighbours (0 at open ends)."""
    prev = np.roll(points, 1, axis=0)
    nxt = np.roll(points, -1, axis=0)
    a = points - prev
    b = nxt - points
    c = nxt - prev
    cross = a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]
    lengths = np.hypot(*a.T) * np.hypot(*b.T) * np.hypot(*c.T)
    curvature = 2.0 * cross / np.maximum(lengths, 1e-12)
    if not is_loop:
        curvature[0] = curvature[-1] = 0.0
    return np.asarray(curvature, dtype=float)


def _second_difference(corridor: Corridor) -> tuple[NDArray[np.float64], FloatArray, float]:
    """``(A, b, h)`` with ``κ ≈ A α + b`` (the linearised curvature of the offset line, see the module doc)."""
    points, normals = corridor.points, corridor.normals
    n = len(points)
    h = float(np.mean(np.hypot(*np.diff(points, axis=0).T)))
    matrix = np.zeros((n, n))
    index = np.arange(n)
    prev, nxt = (index - 1) % n, (index + 1) % n
    matrix[index, index] = -2.0
    matrix[index, prev] = np.sum(normals * normals[prev], axis=1)
    matrix[index, nxt] = np.sum(normals * normals[nxt], axis=1)
    second = np.roll(points, 1, axis=0) - 2.0 * points + np.roll(points, -1, axis=0)
    offset = np.sum(normals * second, axis=1)
    if not corridor.is_loop:  # no curvature term at the open ends
        matrix[[0, -1], :] = 0.0
        offset[[0, -1]] = 0.0
    return matrix / h**2, offset / h**2, h


def min_curvature_offsets(corridor: Corridor, margin: float, peak_curvature: float) -> FloatArray:
    """Offsets ``α`` (m) of one round of :func:`min_curvature` around ``corridor``'s reference line."""
    matrix, offset, _ = _second_difference(corridor)
    low, high = bounds(corridor, margin)
    weights = np.ones(len(offset))
    alpha = np.clip(np.zeros(len(offset)), low, high)
    for _ in range(PEAK_REWEIGHT_ROUNDS):
        with _one_thread():
            result = lsq_linear(weights[:, None] * matrix, -weights * offset, bounds=(low, high + 1e-12))
        alpha = np.asarray(result.x, dtype=float)
        over = np.abs(matrix @ alpha + offset) > peak_curvature
        if not np.any(over):
            break
        weights = np.where(over, weights * PEAK_WEIGHT_FACTOR, weights)
    return alpha


def _one_thread() -> AbstractContextManager[object]:
    """Limit BLAS to one thread while solving: these small dense problems get slower, not faster, with more
    threads on a busy machine (threadpoolctl when installed, else nothing)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with the scientific stack
        return nullcontext()
    limits: AbstractContextManager[object] = threadpool_limits(limits=1, user_api="blas")
    return limits


def k1999_offsets(corridor: Corridor, margin: float, start: FloatArray | None = None) -> FloatArray:
    """Offsets ``α`` (m) that K1999 sweeps settle on around ``corridor``'s reference line, from ``start``
    (default: the reference line itself)."""
    low, high = bounds(corridor, margin)
    points, normals = corridor.points, corridor.normals
    alpha = np.clip(np.zeros(len(points)) if start is None else start, low, high)
    for _ in range(K1999_SWEEPS):
        line = points + alpha[:, None] * normals
        curvature = menger_curvature(line, corridor.is_loop)
        target = 0.5 * (np.roll(curvature, 1) + np.roll(curvature, -1))
        # dκ_i/dα_i ≈ -2 / h_i² (h_i² the product of the point's two segment lengths): moving a point outwards
        # of its turn straightens it
        before = np.hypot(*(line - np.roll(line, 1, axis=0)).T)
        after = np.hypot(*(np.roll(line, -1, axis=0) - line).T)
        step = -K1999_GAIN * (target - curvature) * before * after / 2.0
        if not corridor.is_loop:
            step[[0, -1]] = 0.0
        updated = np.clip(alpha + step, low, high)
        moved = float(np.max(np.abs(updated - alpha)))
        alpha = updated
        if moved < K1999_TOLERANCE_M:
            break
    return alpha
