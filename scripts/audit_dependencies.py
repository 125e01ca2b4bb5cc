"""Audit the installed Python packages for known vulnerabilities, from PyPI's JSON API.

  .venv/bin/python scripts/audit_dependencies.py [--known requirements/known-vulnerabilities.tsv]

PyPI lists each release's known vulnerabilities (the PyPA advisory database, pip-audit's default
source) in its JSON API. Every distribution installed in this environment (make install puts exactly
what requirements/dev.txt resolves to there, transitive dependencies included) is looked up at
/pypi/<name>/<version>/json. Where PyPI answers that per-version URL with 404 (as its mirror in this
workplace does) the project URL /pypi/<name>/json still answers for the latest release: a package
installed at its latest release is checked through it, an older one is reported as unverified.

Findings listed in the known-vulnerabilities file (id, package, why it does not apply or is
accepted) are reported but pass. Exit status: 0 no new finding; 1 a new finding; 2 PyPI could not
be asked about any package.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
KNOWN_FILE = PROJECT_ROOT / "requirements" / "known-vulnerabilities.tsv"
PYPI = "https://pypi.org/pypi"
TIMEOUT_SECONDS = 15

# Returns the decoded JSON, None for a 404; raises OSError when PyPI cannot be reached.
Fetch = Callable[[str], "dict[str, Any] | None"]


class PyPIUnreachable(OSError):
    """PyPI did not answer (network, DNS, timeout, 5xx)."""


@dataclass(frozen=True)
class Finding:
    package: str
    version: str
    vulnerability_id: str
    aliases: tuple[str, ...]
    fixed_in: tuple[str, ...]
    summary: str

    @property
    def ids(self) -> set[str]:
        return {self.vulnerability_id, *self.aliases}


@dataclass
class AuditReport:
    """What the audit found: new and known findings, and the packages it could not check."""

    checked: list[str] = field(default_factory=list)
    new: list[Finding] = field(default_factory=list)
    known: list[tuple[Finding, str]] = field(default_factory=list)
    unverified: list[tuple[str, str]] = field(default_factory=list)
    unreachable: list[str] = field(default_factory=list)

    @property
    def exit_status(self) -> int:
        if self.new:
            return 1
        if not self.checked:
            return 2
        return 0


def canonical_name(name: str) -> str:
    """PEP 503 normalisation: "Flask_Cors" -> "flask-cors"."""
    return re.sub(r"[-_.]+", "-", name).lower()


def installed_packages(*, exclude: Iterable[str] = ("cv-match",)) -> dict[str, str]:
    """Every distribution in this environment as name -> version, without the project itself."""
    skipped = {canonical_name(name) for name in exclude}
    packages = {canonical_name(dist.metadata["Name"]): dist.version for dist in metadata.distributions()}
    return {name: version for name, version in sorted(packages.items()) if name not in skipped}


def read_known(path: Path) -> dict[str, tuple[str, str]]:
    """The known-vulnerabilities file as id -> (package, justification); `#` starts a comment."""
    known: dict[str, tuple[str, str]] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split(None, 2)
        if len(parts) < 3:
            raise ValueError(f"{path.name}:{number}: expected 'id package justification', got {line!r}")
        known[parts[0]] = (canonical_name(parts[1]), parts[2])
    return known


def fetch_json(url: str) -> dict[str, Any] | None:
    """GET a PyPI JSON URL: the document, or None for 404; PyPIUnreachable for anything else."""
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:
            return json.load(response)  # type: ignore[no-any-return]
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return None
        raise PyPIUnreachable(f"{url}: HTTP {error.code}") from error
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise PyPIUnreachable(f"{url}: {error}") from error


def release_vulnerabilities(name: str, version: str, fetch: Fetch) -> list[dict[str, Any]] | str:
    """The release's vulnerability records, or why they cannot be known here."""
    public_version = version.split("+", 1)[0]  # "2.13.0+cpu": advisories name the public release
    answer = fetch(f"{PYPI}/{name}/{public_version}/json")
    if answer is None:
        answer = fetch(f"{PYPI}/{name}/json")
        if answer is None:
            return "not on PyPI"
        latest = answer["info"]["version"]
        if latest != public_version:
            return f"PyPI has no per-version record here and {public_version} is not the latest release ({latest})"
    if "vulnerabilities" not in answer:
        return "PyPI's answer carries no vulnerability data"  # a mirror that strips it must not pass as clean
    return list(answer["vulnerabilities"])


def audit(packages: dict[str, str], known: dict[str, tuple[str, str]], fetch: Fetch = fetch_json, workers: int = 16) -> AuditReport:
    """Look every package up on PyPI and sort what it says into new, known and unverified."""
    report = AuditReport()

    def look_up(item: tuple[str, str]) -> tuple[str, str, list[dict[str, Any]] | str | PyPIUnreachable]:
        name, version = item
        try:
            return name, version, release_vulnerabilities(name, version, fetch)
        except PyPIUnreachable as error:
            return name, version, error

    with ThreadPoolExecutor(max_workers=workers) as pool:
        answers = list(pool.map(look_up, packages.items()))
    for name, version, answer in answers:
        if isinstance(answer, PyPIUnreachable):
            report.unreachable.append(f"{name} {version}: {answer}")
            continue
        if isinstance(answer, str):
            report.unverified.append((f"{name} {version}", answer))
            continue
        report.checked.append(f"{name} {version}")
        reported: set[str] = set()
        for record in answer:
            if record.get("withdrawn"):
                continue
            finding = Finding(
                package=name,
                version=version,
                vulnerability_id=str(record["id"]),
                aliases=tuple(record.get("aliases") or ()),
                fixed_in=tuple(record.get("fixed_in") or ()),
                summary=_first_line(record.get("summary") or record.get("details") or ""),
            )
            if finding.ids & reported:
                continue  # the same advisory under another database's id (PYSEC-…, GHSA-…)
            reported |= finding.ids
            accepted = next((known[i] for i in sorted(finding.ids) if i in known and known[i][0] == name), None)
            if accepted is None:
                report.new.append(finding)
            else:
                report.known.append((finding, accepted[1]))
    return report


def _first_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0][:120] if lines else ""


def render(report: AuditReport) -> str:
    """A short human report, new findings first."""
    lines = [
        f"audited {len(report.checked)} packages; {len(report.new)} new findings, {len(report.known)} known, "
        f"{len(report.unverified)} unverified, {len(report.unreachable)} unreachable"
    ]
    for finding in report.new:
        fixed = ", ".join(finding.fixed_in) or "no fix yet"
        lines.append(f"NEW     {finding.vulnerability_id} {finding.package} {finding.version} (fixed in {fixed}): {finding.summary}")
    for finding, why in report.known:
        lines.append(f"known   {finding.vulnerability_id} {finding.package} {finding.version}: {why}")
    for package, why in report.unverified:
        lines.append(f"unverified {package}: {why}")
    for problem in report.unreachable:
        lines.append(f"unreachable {problem}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--known", type=Path, default=KNOWN_FILE, help="known vulnerabilities: id, package, justification")
    args = parser.parse_args(argv)
    report = audit(installed_packages(), read_known(args.known))
    print(render(report))
    return report.exit_status


if __name__ == "__main__":
    sys.exit(main())
