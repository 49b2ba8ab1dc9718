# Type stub of the Cython extension reward_sdk/_geometry_kernel.pyx (see its docstrings).
from typing import Any

import numpy as np

def classify_cells(
    status: np.ndarray,
    edges: np.ndarray,
    band_offsets: np.ndarray,
    band_items: np.ndarray,
    origin_x: float,
    origin_y: float,
    cell: float,
    columns: int,
    rows: int,
) -> None: ...
def core_columns(*args: Any) -> tuple[np.ndarray, ...]: ...
def road_contains(
    x: np.ndarray,
    y: np.ndarray,
    status: np.ndarray,
    edges: np.ndarray,
    band_offsets: np.ndarray,
    band_items: np.ndarray,
    origin_x: float,
    origin_y: float,
    cell: float,
    columns: int,
    rows: int,
) -> np.ndarray: ...
