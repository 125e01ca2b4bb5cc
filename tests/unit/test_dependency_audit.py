"""The dependency audit's rules, on a fake PyPI: what fails, what passes, what is only reported."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from scripts.audit_dependencies import PYPI, PyPIUnreachable, audit, read_known


class FakePyPI:
    """PyPI's JSON API as a dict of URL -> answer; unknown URLs are 404, `down` makes every call fail."""

    def __init__(self, answers: dict[str, dict[str, Any]], *, down: bool = False) -> None:
        self.answers = answers
        self.down = down
        self.asked: list[str] = []

    def __call__(self, url: str) -> dict[str, Any] | None:
        self.asked.append(url)
        if self.down:
            raise PyPIUnreachable(f"{url}: connection refused")
        return self.answers.get(url)


def vulnerability(vulnerability_id: str, *aliases: str, withdrawn: str | None = None) -> dict[str, Any]:
    return {"id": vulnerability_id, "aliases": list(aliases), "fixed_in": ["9.9"], "summary": "bad\nmore", "withdrawn": withdrawn}


def release(*vulnerabilities: dict[str, Any]) -> dict[str, Any]:
    return {"info": {"version": "x"}, "vulnerabilities": list(vulnerabilities)}


def test_a_finding_not_in_the_known_list_fails() -> None:
    pypi = FakePyPI({f"{PYPI}/flask/3.0.0/json": release(vulnerability("PYSEC-1", "CVE-2099-1"))})
    report = audit({"flask": "3.0.0"}, {}, pypi)
    assert report.exit_status == 1
    assert [(f.package, f.vulnerability_id, f.summary) for f in report.new] == [("flask", "PYSEC-1", "bad")]


def test_a_known_finding_passes_by_any_of_its_ids_but_only_for_its_package() -> None:
    pypi = FakePyPI({
        f"{PYPI}/flask/3.0.0/json": release(vulnerability("PYSEC-1", "CVE-2099-1")),
        f"{PYPI}/jinja2/3.1.0/json": release(vulnerability("PYSEC-2", "CVE-2099-2")),
    })
    known = {"CVE-2099-1": ("flask", "only in the debugger, which we never run"), "CVE-2099-2": ("werkzeug", "wrong package")}
    report = audit({"flask": "3.0.0", "jinja2": "3.1.0"}, known, pypi)
    assert [(f.vulnerability_id, why) for f, why in report.known] == [("PYSEC-1", "only in the debugger, which we never run")]
    assert [f.package for f in report.new] == ["jinja2"] and report.exit_status == 1


def test_withdrawn_advisories_and_duplicate_ids_are_not_counted_twice() -> None:
    pypi = FakePyPI({f"{PYPI}/ecdsa/0.19.2/json": release(
        vulnerability("PYSEC-3", "GHSA-x", "CVE-2099-3"), vulnerability("GHSA-x", "PYSEC-3", "CVE-2099-3"),
        vulnerability("PYSEC-4", withdrawn="2099-01-01"),
    )})
    report = audit({"ecdsa": "0.19.2"}, {}, pypi)
    assert [f.vulnerability_id for f in report.new] == ["PYSEC-3"]


def test_without_per_version_answers_only_the_latest_release_can_be_checked() -> None:
    pypi = FakePyPI({
        f"{PYPI}/flask/json": {"info": {"version": "3.1.3"}, "vulnerabilities": []},
        f"{PYPI}/numpy/json": {"info": {"version": "2.5.5"}, "vulnerabilities": [vulnerability("PYSEC-5")]},
    })
    report = audit({"flask": "3.1.3", "numpy": "2.4.6"}, {}, pypi)
    assert report.checked == ["flask 3.1.3"] and report.exit_status == 0
    assert report.unverified == [("numpy 2.4.6", "PyPI has no per-version record here and 2.4.6 is not the latest release (2.5.5)")]


def test_local_version_labels_are_looked_up_as_the_public_release() -> None:
    pypi = FakePyPI({f"{PYPI}/torch/2.13.0/json": release(vulnerability("PYSEC-6"))})
    report = audit({"torch": "2.13.0+cpu"}, {}, pypi)
    assert [f.version for f in report.new] == ["2.13.0+cpu"]


def test_an_answer_without_vulnerability_data_is_not_taken_as_clean() -> None:
    pypi = FakePyPI({f"{PYPI}/flask/3.1.3/json": {"info": {"version": "3.1.3"}}})
    report = audit({"flask": "3.1.3"}, {}, pypi)
    assert report.checked == [] and report.unverified == [("flask 3.1.3", "PyPI's answer carries no vulnerability data")]
    assert report.exit_status == 2


def test_unreachable_pypi_is_its_own_exit_status() -> None:
    report = audit({"flask": "3.1.3", "six": "1.17.0"}, {}, FakePyPI({}, down=True))
    assert report.exit_status == 2 and len(report.unreachable) == 2 and report.checked == []


def test_known_file_lines_need_id_package_and_a_reason(tmp_path: Path) -> None:
    known = tmp_path / "known.tsv"
    known.write_text("# comment\n\nCVE-2099-1\tFlask_Cors\tnot reachable: we never call it  # trailing\n")
    assert read_known(known) == {"CVE-2099-1": ("flask-cors", "not reachable: we never call it")}
    known.write_text("CVE-2099-1 flask\n")
    with pytest.raises(ValueError, match="expected 'id package justification'"):
        read_known(known)
