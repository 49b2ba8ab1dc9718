"""One local Ray for the sweep tests (≈ 5 s to start, ≈ 730 MiB), shut down at the end with every process it
started checked gone."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

pytest.importorskip("ray")
pytest.importorskip("yaml")


@pytest.fixture(scope="session")
def local_ray() -> Iterator[None]:
    """Ray on 2 CPUs for the whole session; afterwards no process it started (raylet, GCS, workers, sandbox
    workers of trials) is left."""
    import psutil
    import ray

    from sweep.runner import start_ray

    assert start_ray(None)  # the sweep's own local start (every core: 2 in CI)
    assert not start_ray(None)  # running already: a sweep reuses it and leaves it running
    try:
        yield
    finally:
        started = psutil.Process().children(recursive=True)
        ray.shutdown()
        deadline = time.monotonic() + 20.0
        alive = started
        while alive and time.monotonic() < deadline:
            alive = [p for p in alive if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
            time.sleep(0.2)
        assert not alive, f"processes left after ray.shutdown(): {[(p.pid, p.name()) for p in alive]}"
