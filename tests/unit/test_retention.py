"""The pure parts of privacy handling: the retention cutoff and what a match task returns."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from shared.config import Settings
from shared.matching import error_outcome, outcome_summary
from shared.retention import retention_cutoff

NOW = datetime(2026, 3, 31, 12, 30, 45, tzinfo=timezone.utc)


def test_cutoff_is_the_stored_timestamp_that_many_days_ago() -> None:
    assert retention_cutoff(30, now=NOW) == "2026-03-01 12:30:45"
    assert retention_cutoff(1, now=NOW) == "2026-03-30 12:30:45"


def test_cutoff_is_in_utc_whatever_the_clock_zone() -> None:
    jakarta = NOW.astimezone(timezone(timedelta(hours=7)))
    assert retention_cutoff(30, now=jakarta) == retention_cutoff(30, now=NOW)


def test_stored_timestamps_compare_in_time_order_against_the_cutoff() -> None:
    cutoff = retention_cutoff(30, now=NOW)
    assert cutoff is not None
    assert "2026-02-28 23:59:59" < cutoff < "2026-03-01 12:30:46"
    assert "2026-03-01 12:30:44.999+00" < cutoff  # PostgreSQL's CURRENT_TIMESTAMP text of older rows compares too


def test_zero_days_keeps_everything_and_negative_days_are_refused() -> None:
    assert retention_cutoff(0, now=NOW) is None
    with pytest.raises(ValueError):
        retention_cutoff(-1, now=NOW)
    with pytest.raises(ValidationError):
        Settings(_env_file=None, retention_days=-1)


def test_privacy_defaults() -> None:
    settings = Settings(_env_file=None)
    assert settings.keep_cv_text is False
    assert settings.retention_days == 30
    assert settings.result_ttl_seconds == 3_600


def test_a_match_task_returns_no_candidate_data() -> None:
    outcome = {
        "candidate_id": "c-1",
        "candidate_name": "Siti Rahayu",
        "grade": "High Match",
        "breakdown": {"skills": {"evidence": [{"text": "Mengelola gudang PT Maju", "similarity": 0.8}]}},
    }
    assert outcome_summary(outcome) == {"status": "done", "grade": "High Match"}
    assert outcome_summary(error_outcome("cv_text_empty", "the CV text is empty")) == {"status": "failed", "error": "cv_text_empty"}
