"""``reward sweep``: reward variants × tracks × algorithms × hyperparameters as Ray Tune trials.

The only package that imports ``ray`` (the ``[sweep]`` extra). Modules, in the order a sweep uses them:

* :mod:`sweep.spec` — the YAML spec, validated by pydantic (one-line errors);
* :mod:`sweep.variants` — reward variants from module-level constants (``ast`` rewrite);
* :mod:`sweep.prepare` — checks before Ray starts, and the sweep folder;
* :mod:`sweep.trainable` — one trial: ``trainer.train.train`` reporting to Tune, checkpoints, resume;
* :mod:`sweep.runner` — local Ray or a cluster, the ``tune.Tuner`` with ASHA, ``--resume``;
* :mod:`sweep.results` — ranking, ``results.csv``, the table, ``best/``.
"""
