"""The thesis comparison: TF-IDF vs the base model vs the fine-tuned model (and the offline model).

Usage:
  python -m training.compare --dataset out/pairs/val_pairs.csv [--finetuned models/finetuned] [--base MODEL]
  python -m training.compare --dataset ../shared/realworld [--train out/pairs/train_pairs.csv] [--k 6]

Nothing is fitted on what it is judged on: every system's calibration (the model's section
curves; for TF-IDF the keyword curve) and its decision threshold (the best F1) are fitted on the
training pairs only (--train: train_pairs.csv beside a pair-file --dataset, out/pairs/train_pairs.csv
for a folder), and the engine then scores the evaluation set under that calibration. A pair that
is both a training and an evaluation pair stops the run.

--dataset is a pair file from prepare_data (relevant: label >= 0.5, a mean grade of 3 or more) or a
labelled folder with jobs.json, cvs.json and labels.json graded 0/1/2, like ../shared/devset
(relevant: grade >= 1, a partial or strong fit; see training/labelled_folder.py). --relevant-cut
sets the cut on the evaluation set's own scale; the training threshold is chosen for
label >= --train-relevant-cut (default 0.5: the same "partial fit or better").

Writes to --output (default out/compare-<time>): comparison.md and comparison.json (per system:
precision, recall and F1 at its threshold, ROC-AUC, average precision, NDCG@k per job, Spearman,
and the paired bootstrap 95 % interval of its F1 and ROC-AUC difference against TF-IDF),
pr_curves.png and score_distributions.png (scores per label band).
"""
from __future__ import annotations

import argparse
import json
import logging
import textwrap
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from sklearn.metrics import precision_recall_curve  # noqa: E402

from shared.config import PROJECT_ROOT, get_settings  # noqa: E402
from shared.engine.encoders import OFFLINE_MODEL_NAME  # noqa: E402
from shared.engine.jobs import JobPosting  # noqa: E402
from training.annotations import BANDS, Pair, read_pairs  # noqa: E402
from training.labelled_folder import FOLDER_RELEVANT_CUT, GradedPair, is_labelled_folder, read_labelled_folder  # noqa: E402
from training.metrics import NDCG_K, RELEVANT_CUT, best_threshold, bootstrap_differences, evaluate_scores, markdown_table  # noqa: E402
from training.scoring import fit_pair_calibration, load_matcher, score_pairs  # noqa: E402
from training.train import default_base  # noqa: E402

logger = logging.getLogger("training.compare")
TFIDF = "TF-IDF (keyword_score)"
DEFAULT_TRAIN = PROJECT_ROOT / "out" / "pairs" / "train_pairs.csv"
# Figures fit the text width of an A4 thesis page; each band and each system keeps one colour
# in every figure (Okabe–Ito colours, told apart with the common kinds of colour-blindness).
FIGURE_SIZE, DPI = (6.3, 4.0), 200
BAND_COLOURS = {"low": "#BBBBBB", "partial": "#E69F00", "strong": "#0072B2"}
SYSTEM_STYLES = {"TF-IDF": ("#000000", "--"), "base": ("#D55E00", "-"), "fine-tuned": ("#CC79A7", "-"), "offline": ("#009E73", "-")}
BAND_LABELS = {
    "pair file": {"low": "low (mean grade < 2.5)", "partial": "partial (2.5 to < 4)", "strong": "strong (≥ 4)"},
    "labelled folder": {"low": "grade 0 (no fit)", "partial": "grade 1 (partial fit)", "strong": "grade 2 (strong fit)"},
}
COLUMNS = (
    ("precision", "Precision"), ("recall", "Recall"), ("f1", "F1"), ("roc_auc", "ROC-AUC"), ("average_precision", "AP"),
    ("ndcg", "NDCG@{k}"), ("spearman", "Spearman"), ("threshold", "threshold"),
    ("f1_vs_tfidf", "ΔF1 vs TF-IDF [95 % CI]"), ("roc_auc_vs_tfidf", "ΔAUC vs TF-IDF [95 % CI]"),
)


@dataclass(frozen=True)
class ScoredSystem:
    """One system's scores on the training and the evaluation pairs, under a calibration fitted on the training pairs."""

    model: str
    train: list[float]
    evaluation: list[float]
    fit_rmse_points: dict[str, float]


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    started = time.monotonic()
    output = args.output or PROJECT_ROOT / "out" / time.strftime("compare-%Y%m%d-%H%M%S")

    # 1. The training pairs, the evaluation set and what "relevant" means on each.
    folder = is_labelled_folder(args.dataset)
    kind = "labelled folder" if folder else "pair file"
    train_path = args.train or (DEFAULT_TRAIN if folder else args.dataset.with_name("train_pairs.csv"))
    train = read_pairs(train_path)
    dataset: Sequence[Pair | GradedPair] = read_labelled_folder(args.dataset) if folder else read_pairs(args.dataset)
    overlap = _shared_pairs(train, dataset)
    if overlap:
        parser.error(f"{overlap} evaluation pair(s) are also training pairs: a system would be judged on what it was fitted on")
    cut = args.relevant_cut if args.relevant_cut is not None else (FOLDER_RELEVANT_CUT if folder else RELEVANT_CUT)
    train_cut = args.train_relevant_cut if args.train_relevant_cut is not None else (RELEVANT_CUT if folder else cut)

    # 2. Every system calibrated on the training pairs, then both sets scored under that calibration.
    systems = _score_systems(_models(args), train, dataset, fitted_on=f"{train_path.name}: {len(train)} training pairs")

    # 3. Thresholds on the training pairs; metrics and the bootstrap against TF-IDF on the evaluation set.
    train_relevant = [p.label >= train_cut for p in train]
    labels = [p.label for p in dataset]
    relevant = [label >= cut for label in labels]
    groups, relevance = [_job_text(p.job) for p in dataset], [p.relevance for p in dataset]
    thresholds = {name: best_threshold(system.train, train_relevant) for name, system in systems.items()}
    table = {
        name: evaluate_scores(
            system.evaluation, labels, threshold=thresholds[name], relevant_cut=cut, groups=groups, relevance=relevance, k=args.k
        )
        for name, system in systems.items()
    }
    tfidf = systems[TFIDF]
    versus = {
        name: bootstrap_differences(
            system.evaluation, thresholds[name], tfidf.evaluation, thresholds[TFIDF], relevant, resamples=args.bootstrap
        )
        for name, system in systems.items() if name != TFIDF
    }
    seconds = round(time.monotonic() - started, 1)

    # 4. Write the table, the JSON and the figures.
    output.mkdir(parents=True, exist_ok=True)
    report = {
        "fitted_on": {"path": str(train_path), "pairs": len(train), "relevant": _relevant_text("pair file", train_cut),
                      "what": "calibration and threshold of every system"},
        "evaluated_on": {"path": str(args.dataset), "kind": kind, "pairs": len(dataset), "jobs": len(set(groups)),
                         "relevant": _relevant_text(kind, cut), "relevant_pairs": int(sum(relevant))},
        "ndcg": {"k": args.k, "gain": "2^relevance - 1", "relevance": _relevance_text(kind), "mean_over": "jobs where some CV has relevance above 0"},
        "bootstrap": {"resamples": args.bootstrap, "unit": "pair", "interval": "95 % percentile"},
        "systems": {name: {**table[name], "model": system.model, "calibration_rmse_points": system.fit_rmse_points}
                    for name, system in systems.items()},
        "versus_tfidf": versus,
        "seconds": seconds,
    }
    markdown = _markdown(report, table, versus, k=args.k)
    (output / "comparison.md").write_text(markdown, encoding="utf-8")
    (output / "comparison.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    evaluation = {name: system.evaluation for name, system in systems.items()}
    subject = f"{args.dataset.name}, relevant: {_relevant_text(kind, cut)}"
    _plot_pr_curves(output / "pr_curves.png", evaluation, thresholds, np.asarray(relevant), subject)
    _plot_distributions(output / "score_distributions.png", evaluation, [p.band for p in dataset], BAND_LABELS[kind], args.dataset.name)
    print(markdown)
    print(f"written to {output}; scored and measured in {seconds} s")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", type=Path, required=True, help="a pair file (val_pairs.csv) or a labelled folder")
    parser.add_argument(
        "--train", type=Path, help="training pairs (default: train_pairs.csv beside a pair file; out/pairs/train_pairs.csv)"
    )
    parser.add_argument("--base", help="base model (default: the paper's model if it loads, else the bundled MiniLM)")
    parser.add_argument("--finetuned", type=Path, default=PROJECT_ROOT / "models/finetuned")
    parser.add_argument(
        "--relevant-cut", type=float,
        help=f"relevant at or above this label of the evaluation set (default {RELEVANT_CUT}; {FOLDER_RELEVANT_CUT:g} for a folder)",
    )
    parser.add_argument(
        "--train-relevant-cut", type=float, help=f"the same on the training pairs (default {RELEVANT_CUT}; --relevant-cut for a pair file)"
    )
    parser.add_argument("--k", type=int, default=NDCG_K, help="NDCG cut-off per job")
    parser.add_argument("--bootstrap", type=int, default=2000, help="bootstrap resamples")
    parser.add_argument("--output", type=Path)
    return parser


def _score_systems(
    models: dict[str, str], train: Sequence[Pair], dataset: Sequence[Pair | GradedPair], *, fitted_on: str
) -> dict[str, ScoredSystem]:
    """TF-IDF and every model, each calibrated on the training pairs and then scored by the engine on both sets."""
    settings = get_settings()
    systems: dict[str, ScoredSystem] = {}
    for name, model in models.items():
        matcher = load_matcher(settings, model)
        calibration, rmse = fit_pair_calibration(matcher, train, fitted_on=fitted_on)
        logger.info("%s: calibration fitted on %s (RMSE in points: %s)", name, fitted_on, rmse)
        fitted = matcher.with_calibration(calibration)
        on_train, on_eval = score_pairs(fitted, train), score_pairs(fitted, dataset)
        if model == OFFLINE_MODEL_NAME:  # the keyword curve does not depend on the model: take it from one
            systems[TFIDF] = ScoredSystem(
                "TF-IDF", [r.keyword_score for r in on_train], [r.keyword_score for r in on_eval], {"keyword": rmse["keyword"]}
            )
        sections = {section: points for section, points in rmse.items() if section != "keyword"}
        systems[name] = ScoredSystem(model, [r.semantic_score for r in on_train], [r.semantic_score for r in on_eval], sections)
    return {TFIDF: systems.pop(TFIDF), **systems}


def _models(args: argparse.Namespace) -> dict[str, str]:
    """Row name -> model: the base, the fine-tuned model when there is one, and the offline model (which also gives TF-IDF)."""
    base = args.base or default_base()
    models = {} if base == OFFLINE_MODEL_NAME else {f"base ({_short(base)})": base}
    if args.finetuned.is_dir():
        models[f"fine-tuned ({_short(str(args.finetuned))})"] = str(args.finetuned)
    else:
        logger.warning("no fine-tuned model at %s: the table has no fine-tuned row", args.finetuned)
    models[f"offline multilingual ({OFFLINE_MODEL_NAME})"] = OFFLINE_MODEL_NAME
    return models


def _shared_pairs(train: Sequence[Pair], dataset: Sequence[Pair | GradedPair]) -> int:
    """How many evaluation pairs put the same CV text against the same job text as a training pair."""
    seen = {(p.cv_text.strip(), _job_text(p.job)) for p in train}
    return sum((p.cv_text.strip(), _job_text(p.job)) in seen for p in dataset)


def _job_text(job: dict[str, Any]) -> str:
    """A job's text, which identifies it across files (ids differ between a pair file and a folder)."""
    return JobPosting.from_dict(job).full_text.strip()


def _relevant_text(kind: str, cut: float) -> str:
    """What "relevant" means at `cut` on a set of this kind, in words."""
    if kind == "labelled folder":
        return f"grade ≥ {cut:g}" + {1.0: " (partial or strong fit)", 2.0: " (strong fit)"}.get(cut, "")
    return f"label ≥ {cut:g} (mean grade ≥ {1 + 4 * cut:g})"


def _relevance_text(kind: str) -> str:
    return "the grade (0, 1, 2)" if kind == "labelled folder" else "2 x label (mean grade 1 -> 0, 3 -> 1, 5 -> 2)"


def _markdown(report: dict[str, Any], table: dict[str, dict[str, Any]], versus: dict[str, dict[str, dict[str, Any]]], *, k: int) -> str:
    """The table with what it was fitted and evaluated on, and how each column is defined."""
    fitted, evaluated = report["fitted_on"], report["evaluated_on"]
    rows = {
        name: {**metrics, **{f"{metric}_vs_tfidf": _interval(versus[name][metric]) if name in versus else "—" for metric in ("f1", "roc_auc")}}
        for name, metrics in table.items()
    }
    columns = [(key, header.format(k=k)) for key, header in COLUMNS]
    ndcg_jobs = next(iter(table.values())).get("ndcg_jobs", 0)
    return "\n".join([
        f"Calibration and threshold of every system fitted on {fitted['pairs']} training pairs ({fitted['path']}); "
        f"evaluated on {evaluated['pairs']} pairs ({evaluated['path']}, a {evaluated['kind']}, {evaluated['jobs']} jobs).",
        "",
        markdown_table(rows, columns),
        f"- Relevant: {evaluated['relevant']} on the evaluation set ({evaluated['relevant_pairs']} of {evaluated['pairs']} pairs); "
        f"the threshold (best F1) was chosen for {fitted['relevant']} on the training pairs.",
        f"- NDCG@{k}: each job's ranking of its CVs, gain 2^relevance − 1 with relevance {report['ndcg']['relevance']}, "
        f"mean over the {ndcg_jobs} jobs where some CV has relevance above 0. Spearman: scores against the labels over all pairs.",
        f"- Δ vs TF-IDF: system − TF-IDF on the same pairs, paired bootstrap over pairs ({report['bootstrap']['resamples']} "
        "resamples, 95 % percentile interval). Pairs sharing a CV or a job are not independent: the interval is if anything too narrow.",
        "",
    ])


def _interval(difference: dict[str, Any]) -> str:
    if difference["observed"] is None:
        return "n/a"
    return f"{difference['observed']:+.3f} [{difference['ci95_low']:+.3f}, {difference['ci95_high']:+.3f}]"


def _short(model: str) -> str:
    """A readable model name: a hub id's last part, or a folder's last two parts."""
    path = Path(model)
    return "/".join(path.parts[-2:]) if path.exists() else model.split("/")[-1]


def _system_style(name: str) -> tuple[str, str]:
    """The colour and line style of a system, by its role (the start of its row name)."""
    return next((style for role, style in SYSTEM_STYLES.items() if name.startswith(role)), ("#56B4E9", "-"))


def _plot_pr_curves(path: Path, scores: dict[str, list[float]], thresholds: dict[str, float], truth: np.ndarray, subject: str) -> None:
    """Precision against recall per system, each with a dot at its threshold from the training pairs."""
    figure, axis = plt.subplots(figsize=FIGURE_SIZE, layout="constrained")
    for name, values in scores.items():
        colour, style = _system_style(name)
        precision, recall, _ = precision_recall_curve(truth, values)
        axis.plot(recall, precision, color=colour, linestyle=style, linewidth=1.6, label=name)
        predicted = np.asarray(values) >= thresholds[name]
        hits = float(np.sum(predicted & truth))
        axis.plot(hits / max(truth.sum(), 1), hits / max(predicted.sum(), 1), marker="o", markersize=6, color=colour, markeredgecolor="white")
    axis.axhline(truth.mean(), color="grey", linestyle=":", linewidth=1, label=f"chance (precision {truth.mean():.2f})")
    handles, _ = axis.get_legend_handles_labels()
    handles.append(Line2D([], [], marker="o", color="grey", linestyle="none", label="threshold chosen on training pairs"))
    axis.set(xlabel="Recall", ylabel="Precision", xlim=(0, 1.01), ylim=(0, 1.03))
    axis.set_title(f"Precision–recall on {subject}", fontsize=10)
    axis.grid(alpha=0.3)
    figure.legend(handles=handles, loc="outside lower center", ncol=2, fontsize=8, frameon=False)
    figure.savefig(path, dpi=DPI)
    plt.close(figure)


def _plot_distributions(
    path: Path, scores: dict[str, list[float]], bands: list[str], band_labels: dict[str, str], set_name: str
) -> None:
    """One group of boxes per system, one box per label band (its fixed colour), every pair as a dot."""
    present = [name for name, _ in BANDS if name in bands]
    width = 0.8 / len(present)
    rng = np.random.default_rng(0)
    figure, axis = plt.subplots(figsize=FIGURE_SIZE, layout="constrained")
    for index, values in enumerate(scores.values()):
        for offset, band in enumerate(present):
            group = [value for value, b in zip(values, bands) if b == band]
            position = index + (offset - (len(present) - 1) / 2) * width
            boxes = axis.boxplot([group], positions=[position], widths=width * 0.85, patch_artist=True, showfliers=False,
                                 medianprops={"color": "black"})
            boxes["boxes"][0].set(facecolor=BAND_COLOURS[band], edgecolor="black")
            jitter = rng.uniform(-0.3, 0.3, len(group)) * width
            axis.scatter(position + jitter, group, s=3, color="black", alpha=0.3, linewidths=0, zorder=3)
    names = [textwrap.fill(name, 22, break_on_hyphens=False, break_long_words=False) for name in scores]
    axis.set_xticks(range(len(scores)), names, fontsize=7)
    axis.set_xlim(-0.5, len(scores) - 0.5)
    axis.set(ylim=(-2, 102), ylabel="score (0–100)", xlabel="system (TF-IDF: keyword_score; models: semantic_score)")
    axis.set_title(f"Scores per label band on {set_name}, calibrated on the training pairs", fontsize=10)
    axis.grid(axis="y", alpha=0.3)
    counts = {band: bands.count(band) for band in present}
    handles = [Patch(facecolor=BAND_COLOURS[b], edgecolor="black", label=f"{band_labels[b]}, n = {counts[b]}") for b in present]
    figure.legend(handles=handles, loc="outside lower center", ncol=len(present), fontsize=8, frameon=False)
    figure.savefig(path, dpi=DPI)
    plt.close(figure)


if __name__ == "__main__":
    raise SystemExit(main())
