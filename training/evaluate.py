"""Evaluate one model's semantic score on a pair file: P/R/F1, ROC-AUC, average precision, Spearman.

Usage:
  python -m training.evaluate --dataset out/pairs/val_pairs.csv --model models/finetuned [--train out/pairs/train_pairs.csv]

"Relevant" means label >= 0.5 (annotators' mean grade 3, partial fit, or better). The decision
threshold on semantic_score is the one with the best F1 on the TRAIN pairs, never on the data
being evaluated. Writes metrics.json and metrics.md to --output.
"""
from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path

from shared.config import PROJECT_ROOT, get_settings
from training.annotations import read_pairs
from training.metrics import RELEVANT_CUT, best_threshold, evaluate_scores, markdown_table
from training.scoring import load_matcher, score_pairs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", type=Path, required=True, help="pairs to evaluate (e.g. val_pairs.csv)")
    parser.add_argument("--model", required=True, help="hub id, model folder or use-multilingual-v3")
    parser.add_argument("--train", type=Path, help="pairs to choose the threshold on (default: train_pairs.csv beside --dataset)")
    parser.add_argument("--relevant-cut", type=float, default=RELEVANT_CUT)
    parser.add_argument("--output", type=Path, help="default: out/evaluate-<time>")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    train_path = args.train or args.dataset.with_name("train_pairs.csv")
    output = args.output or PROJECT_ROOT / "out" / time.strftime("evaluate-%Y%m%d-%H%M%S")

    matcher = load_matcher(get_settings(), args.model)
    train, dataset = read_pairs(train_path), read_pairs(args.dataset)
    train_scores = [r.semantic_score for r in score_pairs(matcher, train)]
    threshold = best_threshold(train_scores, [p.label >= args.relevant_cut for p in train])
    scores = [r.semantic_score for r in score_pairs(matcher, dataset)]
    metrics = evaluate_scores(scores, [p.label for p in dataset], threshold=threshold, relevant_cut=args.relevant_cut)

    output.mkdir(parents=True, exist_ok=True)
    report = {"model": matcher.encoder.name, "dataset": str(args.dataset), "threshold_from": str(train_path),
              "relevant_cut": args.relevant_cut, "metrics": metrics}
    (output / "metrics.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    table = markdown_table({matcher.encoder.name: metrics})
    (output / "metrics.md").write_text(table, encoding="utf-8")
    print(table)
    print(f"written to {output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
