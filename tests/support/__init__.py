"""Helpers that start and stop real processes (Redis, Celery workers) for integration and e2e tests."""
