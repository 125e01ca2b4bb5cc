"""The bilingual skill catalog and the phrase-matcher extractor."""
from __future__ import annotations

from collections import Counter

import pytest

from shared.engine.matcher import EngineResources
from shared.engine.skills import Skill, SkillCatalog, SkillExtractor

INDUSTRIES = {"it", "healthcare", "finance", "marketing", "engineering", "education", "hospitality", "logistics"}


@pytest.fixture(scope="module")
def extractor(resources: EngineResources) -> SkillExtractor:
    return resources.extractor


def names(extractor: SkillExtractor, text: str) -> list[str]:
    return [m.name for m in extractor.extract(text)]


def test_catalog_is_large_and_covers_the_industries(extractor: SkillExtractor) -> None:
    catalog = extractor.catalog
    per_industry = Counter(skill.industry for skill in catalog.skills.values())
    assert len(catalog) >= 400
    assert INDUSTRIES <= set(per_industry)
    assert all(per_industry[industry] >= 20 for industry in INDUSTRIES)


def test_every_surface_form_maps_to_one_skill(extractor: SkillExtractor) -> None:
    forms = Counter(form.lower() for skill in extractor.catalog.skills.values() for form in set(f.lower() for f in skill.forms))
    assert [form for form, count in forms.items() if count > 1] == []


@pytest.mark.parametrize(
    ("indonesian", "english", "canonical_word"),
    [
        ("manajemen proyek", "project management", "Project"),
        ("analisis data", "data analysis", "Data"),
        ("asuhan keperawatan", "nursing care", "Nursing"),
        ("akuntansi keuangan", "financial accounting", "Accounting"),
        ("pemasaran digital", "digital marketing", "Marketing"),
        ("pergudangan", "warehousing", "Wareh"),
    ],
)
def test_indonesian_and_english_forms_meet_on_one_name(
    extractor: SkillExtractor, indonesian: str, english: str, canonical_word: str
) -> None:
    from_indonesian = names(extractor, f"Berpengalaman dalam {indonesian} selama 3 tahun.")
    from_english = names(extractor, f"Three years of {english.upper()} experience.")
    assert from_indonesian == from_english
    assert len(from_indonesian) == 1 and canonical_word in from_indonesian[0]


def test_surface_form_is_kept_as_written(extractor: SkillExtractor) -> None:
    mention = extractor.extract("Keahlian: Manajemen Proyek")[0]
    assert mention.surface == "Manajemen Proyek"
    assert mention.industry


@pytest.mark.parametrize(
    "prose",
    [
        "Go to the office and let me know. I like to go hiking.",
        "Saya suka C dan R itu huruf. Grade C for the exam.",
        "He will ML the stuff? No: the ML-based approach.",
        "Jl. R. Suprapto No. 5, Kota C",
    ],
)
def test_risky_short_aliases_do_not_match_ordinary_words(extractor: SkillExtractor, prose: str) -> None:
    found = names(extractor, prose)
    assert not {"R", "C", "Go"} & {n for n in found if len(n) <= 2 or n in {"Go", "Golang"}}
    assert all(len(m.surface) > 2 for m in extractor.extract(prose) if m.surface.isupper() or m.surface == "Go")


def test_short_aliases_match_in_skill_lists(extractor: SkillExtractor) -> None:
    found = extractor.extract("Skills: Python, R, C, Go, SQL")
    surfaces = {m.surface for m in found}
    assert {"R", "C", "Go"} <= surfaces
    assert len({m.name for m in found}) == 5


def test_each_skill_is_reported_once_in_order(extractor: SkillExtractor) -> None:
    assert names(extractor, "Python, SQL, python, PYTHON, sql")[:2] == [
        extractor.catalog.lookup("python").name,  # type: ignore[union-attr]
        extractor.catalog.lookup("sql").name,  # type: ignore[union-attr]
    ]
    assert len(names(extractor, "Python, SQL, python, PYTHON, sql")) == 2


def test_longest_form_wins_over_its_parts() -> None:
    catalog = SkillCatalog(
        [
            Skill("Machine Learning", "data", ("machine learning", "pembelajaran mesin"), ("ML",)),
            Skill("Machine Operation", "engineering", ("machine operation",), ()),
        ]
    )
    assert [m.name for m in SkillExtractor(catalog).extract("pembelajaran mesin, machine learning")] == ["Machine Learning"]


def test_text_without_skills_gives_nothing(extractor: SkillExtractor) -> None:
    assert extractor.extract("") == []
    assert extractor.extract("Halo, nama saya Budi dan saya suka bersepeda di pagi hari.") == []
