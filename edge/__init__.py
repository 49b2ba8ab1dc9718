"""Edge stage: a trained policy leaves the trainer for the car.

Modules, one job each:

* :mod:`edge.simdrive` — drive the simulator with any ``predict`` (features or camera observations), from chosen
  starts, optionally recording the observations (no torch).
* :mod:`edge.policy` — load a run's SB3 checkpoint and wrap its deterministic actor as a torch module.
* :mod:`edge.onnx_export` — the actor → ONNX (fixed opset, dynamic batch).
* :mod:`edge.ir` — OpenVINO IR: convert, save (FP32/FP16), load and run (no torch).
* :mod:`edge.quantize` — NNCF INT8 post-training quantisation (plain and accuracy-aware).
* :mod:`edge.gate` — the accuracy gate (action agreement on held-out observations, same laps complete).
* :mod:`edge.export` — ``reward edge export``: all of the above, written atomically with ``report.json``.
* :mod:`edge.bench` — ``reward edge bench``: latency and throughput of torch, ONNX Runtime, OpenVINO.
* :mod:`edge.drive` — ``reward edge drive``: the simulator driven by the exported IR alone.
* :mod:`edge.car_package` — ``reward edge car-package``: the TensorFlow frozen graph a physical car loads.

``edge`` imports ``reward_sdk`` and ``trainer``; neither imports ``edge``.
"""
