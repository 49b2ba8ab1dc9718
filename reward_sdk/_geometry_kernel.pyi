# Type stub of the Cython extension reward_sdk/_geometry_kernel.pyx (see its docstrings).
import numpy as np

class CompiledTrack:
    def __init__(
        self,
        *,
        centre: np.ndarray,
        centre_grid_offsets: np.ndarray,
        centre_grid_items: np.ndarray,
        centre_origin_x: float,
        centre_origin_y: float,
        centre_cell: float,
        centre_columns: int,
        centre_rows: int,
        inner: np.ndarray,
        inner_offsets: np.ndarray,
        inner_items: np.ndarray,
        outer: np.ndarray,
        outer_offsets: np.ndarray,
        outer_items: np.ndarray,
        waypoint_ndists: np.ndarray,
        wheel_forward: np.ndarray,
        wheel_lateral: np.ndarray,
        road_status: np.ndarray,
        road_edges: np.ndarray,
        road_band_offsets: np.ndarray,
        road_band_items: np.ndarray,
        road_origin_x: float,
        road_origin_y: float,
        road_cell: float,
        road_columns: int,
        road_rows: int,
        length: float,
        is_ccw: bool,
    ) -> None: ...
    def road_contains(self, x: np.ndarray, y: np.ndarray) -> np.ndarray: ...
    def core_columns(self, x: np.ndarray, y: np.ndarray, heading: np.ndarray) -> tuple[np.ndarray, ...]: ...
