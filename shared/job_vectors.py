"""Job embeddings kept in the database, so every worker process and host embeds a job once per model."""
from __future__ import annotations

import base64
import json
import logging

import numpy as np
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from shared.db import write_transaction

logger = logging.getLogger(__name__)


class DatabaseJobVectors:
    """The engine's JobVectorStore on the `job_embeddings` table; a database error only costs a re-embedding."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def load(self, key: str) -> dict[str, np.ndarray] | None:
        try:
            with self._engine.connect() as connection:
                raw = connection.execute(text("SELECT vectors FROM job_embeddings WHERE cache_key = :k"), {"k": key}).scalar()
        except SQLAlchemyError as error:
            logger.warning("job embedding cache unavailable: %s", type(error).__name__)
            return None
        if raw is None:
            return None
        return {name: np.frombuffer(base64.b64decode(value), dtype=np.float32) for name, value in json.loads(raw).items()}

    def save(self, key: str, model_name: str, vectors: dict[str, np.ndarray]) -> None:
        payload = json.dumps({name: base64.b64encode(np.asarray(v, dtype=np.float32).tobytes()).decode() for name, v in vectors.items()})
        try:
            with write_transaction(self._engine) as connection:
                connection.execute(
                    text(
                        "INSERT INTO job_embeddings (cache_key, model_name, vectors) VALUES (:k, :m, :v) "
                        "ON CONFLICT (cache_key) DO NOTHING"
                    ),
                    {"k": key, "m": model_name, "v": payload},
                )
        except SQLAlchemyError as error:
            logger.warning("could not store a job embedding: %s", type(error).__name__)
