"""INT8 post-training quantisation of an ``ov.Model`` with NNCF (no torch).

* :func:`quantize_int8` — ``nncf.quantize`` calibrated on observations the policy itself met in the simulator
  (batch-1 items, at most :data:`CALIBRATION_SIZE`, evenly spaced through the drive).
* :func:`quantize_with_accuracy` — ``nncf.quantize_with_accuracy_control``: quantises, measures the metric on
  validation observations (the export passes the calibration drive, keeping the gate's held-out set unseen) and
  reverts the layers that cost the most to FP32 until the drop is within ``max_drop``.
  The metric is the gate's agreement with the torch reference (:func:`edge.gate.agreement`).
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterable
from typing import Any

import numpy as np

from edge.gate import Tolerance, agreement

CALIBRATION_SIZE = 300  # batch-1 samples NNCF collects statistics on (its default subset size)
VALIDATION_SIZE = 600  # validation samples the accuracy-aware search evaluates per candidate


def evenly(obs: np.ndarray, count: int) -> np.ndarray:
    """At most ``count`` rows of ``obs``, evenly spaced (keeps the whole drive represented)."""
    if len(obs) <= count:
        return obs
    index = np.linspace(0, len(obs) - 1, count).round().astype(int)
    picked: np.ndarray = obs[index]
    return picked


def _items(obs: np.ndarray) -> list[np.ndarray]:
    return [np.ascontiguousarray(row[None]) for row in obs]


def _quiet_nncf() -> None:
    import logging

    import nncf

    nncf.set_log_level(logging.ERROR)  # its INFO lines and progress bars would interleave with our output


def quantize_int8(model: Any, calibration: np.ndarray) -> Any:
    """INT8 ``ov.Model`` of ``model`` calibrated on ``calibration`` observations ``(m, *shape)``."""
    import nncf

    _quiet_nncf()

    samples = evenly(calibration, CALIBRATION_SIZE)
    dataset = nncf.Dataset(_items(samples))
    with contextlib.redirect_stdout(io.StringIO()):  # NNCF's progress bars print on stdout
        return nncf.quantize(model, dataset, subset_size=len(samples))


def quantize_with_accuracy(
    model: Any,
    calibration: np.ndarray,
    validation: np.ndarray,
    reference: np.ndarray,
    discrete: bool,
    tolerance: Tolerance,
    max_drop: float,
) -> Any:
    """Accuracy-aware INT8: the metric is the agreement of the candidate's outputs with ``reference`` (the torch
    outputs on ``validation``); NNCF keeps the metric's drop from the FP32 model within ``max_drop`` (absolute)."""
    import nncf

    _quiet_nncf()

    samples = evenly(calibration, CALIBRATION_SIZE)
    index = np.linspace(0, len(validation) - 1, min(len(validation), VALIDATION_SIZE)).round().astype(int)
    items = [(np.ascontiguousarray(validation[i][None]), reference[i]) for i in index]

    def validate(compiled: Any, data: Iterable[Any]) -> float:
        outs, refs = [], []
        for obs, ref in data:
            outs.append(np.asarray(compiled(obs)[0])[0])
            refs.append(ref)
        if not outs:
            return 1.0
        return agreement(np.stack(outs), np.stack(refs), discrete, tolerance).rate

    with contextlib.redirect_stdout(io.StringIO()):
        return nncf.quantize_with_accuracy_control(
            model,
            nncf.Dataset(_items(samples)),
            nncf.Dataset(items, lambda item: item[0]),
            validate,
            max_drop=max_drop,
            drop_type=nncf.DropType.ABSOLUTE,
            subset_size=len(samples),
        )
