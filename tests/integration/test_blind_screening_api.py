"""Blind screening through the API and a real worker: results list kinds, never values; the batch audit counts them."""
from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient

from shared import batch_store
from shared.config import Settings
from shared.db import create_db_engine, write_transaction
from shared.engine.personal_data import KINDS
from tests.integration.test_api_basics import assert_error
from tests.integration.test_batches import wait_finished

pytestmark = pytest.mark.usefixtures("worker")

CANDIDATES = [
    {
        "candidate_id": "blind-1",
        "candidate_name": "Wulan Sekarsari",
        "cv_text": "Wulan Sekarsari\nwulan.sekarsari@mail.example\nJenis Kelamin : Perempuan\nAgama : Islam\n"
        "Status Pernikahan : Menikah\nPENGALAMAN KERJA\nStaf Gudang, PT Karya Logistik (2020 - sekarang)\n"
        "- Mencatat barang masuk dan keluar, stock opname bulanan.\nKEAHLIAN\nMicrosoft Excel, FIFO",
    },
    {
        "candidate_id": "blind-2",
        "candidate_name": "Benediktus Lamahoda",
        "cv_text": "Benediktus Lamahoda\nSUMMARY\nI am a 33-year-old married Catholic man born in Larantuka.\n"
        "Warehouse supervisor with six years of inbound, putaway and cycle counting.\nSKILLS\nInventory control, WMS, Excel",
    },
    {
        "candidate_id": "blind-3",
        "candidate_name": "Rudi Hartono",
        "cv_text": "PENGALAMAN KERJA\nAdmin gudang di CV Maju Terus, 2019 - 2023: input data stok dan surat jalan.\n"
        "KEAHLIAN\nMicrosoft Excel, administrasi gudang",
    },
]
VALUES = ("Wulan", "Sekarsari", "Perempuan", "Islam", "Menikah", "Benediktus", "Catholic", "Larantuka", "33-year-old")


def test_a_batch_audit_counts_the_kinds_and_results_hold_no_values(client: FlaskClient, auth: dict[str, str]) -> None:
    accepted = client.post("/api/batches", headers=auth, json={"job_id": "J09", "candidates": CANDIDATES}).get_json()
    state = wait_finished(client, auth, accepted["status_url"])
    by_id = {result["candidate_id"]: result for result in state["results"]}
    assert by_id["blind-1"]["personal_data"] == {"blind_screening": True, "attributes": ["name", "gender", "religion", "marital_status"]}
    assert by_id["blind-2"]["personal_data"]["attributes"] == ["name", "gender", "religion", "marital_status", "birth_place", "age"]
    assert by_id["blind-3"]["personal_data"] == {"blind_screening": True, "attributes": []}
    for result in state["results"]:
        scored = json.dumps({key: value for key, value in result.items() if key != "candidate_name"})
        assert not [value for value in VALUES if value in scored], result["candidate_id"]

    audit = client.get(f"{accepted['status_url']}/audit", headers=auth)
    assert audit.status_code == 200
    counts = {kind: 0 for kind in KINDS} | {"name": 2, "gender": 2, "religion": 2, "marital_status": 2, "birth_place": 1, "age": 1}
    assert audit.get_json() == {"batch_id": accepted["batch_id"], "blind_screening": True, "scored": 3, "failed": 0, "attributes": counts}


def test_the_audit_waits_for_the_batch_and_knows_no_other(client: FlaskClient, auth: dict[str, str], settings: Settings) -> None:
    # A batch stored but never enqueued stays queued for as long as this test needs it to.
    engine = create_db_engine(settings.database_url)
    item = batch_store.NewItem(0, "blind-q", "Q", CANDIDATES[2]["cv_text"], "0" * 64)
    with write_transaction(engine) as connection:
        batch_store.create_batch(connection, batch_id="blind-queued", job_id="J09", job={"title": "Gudang"}, items=[item], chunk_size=8)
    try:
        assert_error(client.get("/api/batches/blind-queued/audit", headers=auth), 409, "batch_not_finished")
    finally:
        with write_transaction(engine) as connection:
            batch_store.delete_batch(connection, "blind-queued")
    assert_error(client.get("/api/batches/nope/audit", headers=auth), 404, "batch_not_found")


def test_a_single_match_reports_its_personal_data(client: FlaskClient, auth: dict[str, str]) -> None:
    body = {"job_id": "J09", **CANDIDATES[0]}
    result = client.post("/api/match", headers=auth, json=body).get_json()
    assert result["personal_data"] == {"blind_screening": True, "attributes": ["name", "gender", "religion", "marital_status"]}
