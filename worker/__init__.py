"""The Celery worker: loads the model once per child process and scores CVs."""
