"""The matching engine: pure text-in, results-out code shared by the worker, the CLI and training.

Stages: `text_cleaning` -> `language` -> `sections` -> `skills` and `profile` -> `encoders`
-> `matcher` (section scores through `calibration`, the `keywords` baseline, `scoring`).
Nothing here imports Flask, Celery or a database; build a ready `Matcher` with
`shared.bootstrap.build_matcher(settings)`.
"""
