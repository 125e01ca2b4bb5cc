"""The thesis comparison: TF-IDF vs the base model vs the fine-tuned model (and the offline model).

Usage:
  python -m training.compare --dataset out/pairs/val_pairs.csv [--finetuned models/finetuned] [--base MODEL]

Every system is scored by the engine on the same pairs; each one's threshold is chosen on the
train pairs (train_pairs.csv beside --dataset unless --train says otherwise). Writes to --output
(default out/compare-<time>): comparison.md and comparison.json (the table, plus a paired
bootstrap of F1(fine-tuned) − F1(TF-IDF) with a 95 % interval), pr_curves.png and
score_distributions.png (scores per label band).
"""
from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.metrics import precision_recall_curve  # noqa: E402

from shared.config import PROJECT_ROOT, get_settings  # noqa: E402
from shared.engine.encoders import OFFLINE_MODEL_NAME  # noqa: E402
from training.annotations import BANDS, Pair, read_pairs  # noqa: E402
from training.metrics import RELEVANT_CUT, best_threshold, bootstrap_f1_difference, evaluate_scores, markdown_table  # noqa: E402
from training.scoring import load_matcher, score_pairs  # noqa: E402
from training.train import default_base  # noqa: E402

logger = logging.getLogger("training.compare")
TFIDF = "TF-IDF (keyword_score)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", type=Path, required=True)
    parser.add_argument("--train", type=Path, help="default: train_pairs.csv beside --dataset")
    parser.add_argument("--base", help="base model (default: the paper's model if it loads, else the bundled MiniLM)")
    parser.add_argument("--finetuned", type=Path, default=PROJECT_ROOT / "models/finetuned")
    parser.add_argument("--relevant-cut", type=float, default=RELEVANT_CUT)
    parser.add_argument("--bootstrap", type=int, default=2000, help="bootstrap resamples")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    output = args.output or PROJECT_ROOT / "out" / time.strftime("compare-%Y%m%d-%H%M%S")
    train, dataset = read_pairs(args.train or args.dataset.with_name("train_pairs.csv")), read_pairs(args.dataset)

    # 1. Score train and evaluation pairs with every system.
    systems: dict[str, tuple[list[float], list[float]]] = {}
    settings = get_settings()
    offline = load_matcher(settings, OFFLINE_MODEL_NAME)
    offline_train, offline_eval = score_pairs(offline, train), score_pairs(offline, dataset)
    systems[TFIDF] = ([r.keyword_score for r in offline_train], [r.keyword_score for r in offline_eval])
    base = args.base or default_base()
    models = {f"base ({_short(base)})": base}
    if args.finetuned.is_dir():
        models[f"fine-tuned ({_short(str(args.finetuned))})"] = str(args.finetuned)
    else:
        logger.warning("no fine-tuned model at %s: the table has no fine-tuned row", args.finetuned)
    for name, model in models.items():
        matcher = load_matcher(settings, model)
        systems[name] = ([r.semantic_score for r in score_pairs(matcher, train)], [r.semantic_score for r in score_pairs(matcher, dataset)])
    systems[f"offline multilingual ({OFFLINE_MODEL_NAME})"] = (
        [r.semantic_score for r in offline_train], [r.semantic_score for r in offline_eval]
    )

    # 2. Metrics at thresholds chosen on train.
    train_relevant = [p.label >= args.relevant_cut for p in train]
    labels = [p.label for p in dataset]
    thresholds = {name: best_threshold(scores[0], train_relevant) for name, scores in systems.items()}
    table = {name: evaluate_scores(scores[1], labels, threshold=thresholds[name], relevant_cut=args.relevant_cut)
             for name, scores in systems.items()}
    report: dict[str, object] = {"dataset": str(args.dataset), "relevant_cut": args.relevant_cut, "systems": table}
    finetuned = next((name for name in systems if name.startswith("fine-tuned")), None)
    if finetuned is not None:
        report["f1_finetuned_minus_tfidf"] = bootstrap_f1_difference(
            systems[finetuned][1], thresholds[finetuned], systems[TFIDF][1], thresholds[TFIDF],
            [label >= args.relevant_cut for label in labels], resamples=args.bootstrap,
        )

    # 3. Write the table, the JSON and the plots.
    output.mkdir(parents=True, exist_ok=True)
    markdown = markdown_table(table)
    if finetuned is not None:
        b = report["f1_finetuned_minus_tfidf"]
        markdown += (f"\nF1(fine-tuned) − F1(TF-IDF) = {b['observed']:+.3f}, 95 % bootstrap interval "  # type: ignore[index]
                     f"[{b['ci95_low']:+.3f}, {b['ci95_high']:+.3f}], P(no gain) = {b['share_not_better']:.3f} "  # type: ignore[index]
                     f"({b['resamples']} paired resamples).\n")  # type: ignore[index]
    (output / "comparison.md").write_text(markdown, encoding="utf-8")
    (output / "comparison.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    _plot_pr_curves(output / "pr_curves.png", {n: s[1] for n, s in systems.items()}, labels, args.relevant_cut)
    _plot_distributions(output / "score_distributions.png", {n: s[1] for n, s in systems.items()}, dataset)
    print(markdown)
    print(f"written to {output}")
    return 0


def _short(model: str) -> str:
    """A readable model name: a hub id's last part, or a folder's last two parts."""
    path = Path(model)
    return "/".join(path.parts[-2:]) if path.exists() else model.split("/")[-1]


def _plot_pr_curves(path: Path, scores: dict[str, list[float]], labels: list[float], cut: float) -> None:
    truth = np.asarray(labels) >= cut
    figure, axis = plt.subplots(figsize=(7, 5))
    for name, values in scores.items():
        precision, recall, _ = precision_recall_curve(truth, values)
        axis.plot(recall, precision, label=name)
    axis.axhline(truth.mean(), color="grey", linestyle=":", label=f"chance ({truth.mean():.2f})")
    axis.set(xlabel="recall", ylabel="precision", title=f"Precision–recall, relevant = label ≥ {cut}", xlim=(0, 1), ylim=(0, 1.02))
    axis.legend(fontsize=8, loc="lower left")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def _plot_distributions(path: Path, scores: dict[str, list[float]], pairs: list[Pair]) -> None:
    bands = [name for name, _ in BANDS]
    figure, axes = plt.subplots(1, len(scores), figsize=(3.2 * len(scores), 4), sharey=True)
    for axis, (name, values) in zip(np.atleast_1d(axes), scores.items()):
        groups = [[v for v, p in zip(values, pairs) if p.band == band] for band in bands]
        axis.boxplot(groups, tick_labels=bands)
        for position, group in enumerate(groups, start=1):
            axis.scatter(np.full(len(group), position) + np.random.default_rng(position).uniform(-0.15, 0.15, len(group)),
                         group, s=8, alpha=0.5)
        axis.set_title(name, fontsize=8)
        axis.set_xlabel("label band")
    np.atleast_1d(axes)[0].set_ylabel("score (0–100)")
    figure.suptitle("Scores per annotated label band")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


if __name__ == "__main__":
    raise SystemExit(main())
