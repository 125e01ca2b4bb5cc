"""The HTTP API: validates, authenticates, enqueues by task name, waits or answers, reads SQLite."""
