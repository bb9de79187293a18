"""Theme quality on labelled real short texts that no one on the team wrote: Debian's fortune cookies by category.

    apt-get install fortunes fortunes-pl          # Debian's packages: /usr/share/games/fortunes/
    .venv/bin/python benchmarks/theme_quality.py [--seed 0]

Each fortune file holds short texts by many authors on one subject ("food", "law", "medicine"; Polish "sport",
"milosc", "komputery"). The texts go through analysis.themes.discover_themes as open answers would (language detected
with the file's language as the hint) and the main themes are compared with the files they came from: adjusted Rand
index (ARI, 0 = chance, 1 = the categories exactly) and normalised mutual information (NMI), on the texts that got a
theme; the share of texts that got one; and topic coherence, the mean normalised pointwise mutual information (NPMI,
-1..1, above 0 = a theme's top words occur together more than by chance) of each theme's top-word pairs over the
texts themselves. Once with the number of themes chosen automatically (stability, within the default 3..8), once with
k = the number of categories, and a chance baseline (texts shuffled over the same theme sizes).

Fortunes are jokes and aphorisms, not answers to a survey question, and their subjects overlap ("work" jokes about
computers): the figures are a floor on real data, not a promise. Nothing is downloaded: without the packages the
script says how to install them and stops.
"""

from __future__ import annotations

import argparse
import itertools
import math
import re
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.textnorm import tokens  # noqa: E402
from analysis.themes import discover_themes  # noqa: E402

FORTUNES = Path("/usr/share/games/fortunes")
SETS = {
    "en": (
        FORTUNES,
        ("computers", "food", "law", "love", "medicine", "sports", "education", "politics", "drugs", "pets"),
    ),
    "pl": (FORTUNES / "pl", ("komputery", "milosc", "sport", "matura", "dzieci", "nauka")),
}
SHORTEST, LONGEST = 20, 400  # characters: the length of an open answer, not of a story


def read_category(path: Path) -> list[str]:
    """The fortunes of one file, whitespace collapsed, without ascii art and long stories."""
    texts = []
    for entry in path.read_text(encoding="utf-8", errors="replace").split("\n%\n"):
        text = re.sub(r"\s+", " ", entry).strip()
        letters = sum(character.isalpha() for character in text)
        if SHORTEST <= len(text) <= LONGEST and letters >= 0.6 * len(text):
            texts.append(text)
    return texts


def npmi_coherence(terms_per_theme: list[tuple[str, ...]], texts: list[str], language: str, top: int = 8) -> float:
    """Mean NPMI of the pairs of single-word top terms of each theme, from how often they share a text."""
    documents = [set(tokens(text, language)) for text in texts]
    total = len(documents)
    scores = []
    for terms in terms_per_theme:
        words = [term for term in terms if " " not in term][:top]
        pairs = []
        for first, second in itertools.combinations(words, 2):
            both = sum(1 for document in documents if first in document and second in document)
            p_first = sum(1 for document in documents if first in document) / total
            p_second = sum(1 for document in documents if second in document) / total
            if both == 0 or p_first == 0 or p_second == 0:
                pairs.append(-1.0)
                continue
            p_both = both / total
            pairs.append(1.0 if p_both == 1 else math.log(p_both / (p_first * p_second)) / -math.log(p_both))
        if pairs:
            scores.append(float(np.mean(pairs)))
    return float(np.mean(scores)) if scores else float("nan")


def evaluate(language: str, texts: list[str], labels: np.ndarray, themes: str | int, seed: int) -> dict[str, Any]:
    started = time.perf_counter()
    result = discover_themes(texts, hints=[language] * len(texts), themes=themes, seed=seed, min_answers=50)
    seconds = time.perf_counter() - started
    themed = result.answers["theme"].notna().to_numpy()
    predicted = result.answers["theme"][themed].astype(str).to_numpy()
    truth = labels[themed]
    model = result.models.get(language)
    rng = np.random.default_rng(seed)
    shuffled = rng.permutation(predicted)
    return {
        "k": model.k if model else 0,
        "themed": themed.mean(),
        "ari": adjusted_rand_score(truth, predicted),
        "nmi": normalized_mutual_info_score(truth, predicted),
        "chance_ari": adjusted_rand_score(truth, shuffled),
        "chance_nmi": normalized_mutual_info_score(truth, shuffled),
        "npmi": npmi_coherence([theme.top_terms for theme in model.themes], texts, language) if model else math.nan,
        "seconds": seconds,
        "labels": [theme.label for theme in model.themes] if model else [],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if not FORTUNES.is_dir():
        print("Debian's fortune files are not installed: apt-get install fortunes fortunes-pl", file=sys.stderr)
        return 2
    for language, (folder, categories) in SETS.items():
        present = [category for category in categories if (folder / category).is_file()]
        if not present:
            print(f"{language}: no fortune files in {folder} (apt-get install fortunes-{language})")
            continue
        texts: list[str] = []
        labels: list[str] = []
        for category in present:
            found = read_category(folder / category)
            texts.extend(found)
            labels.extend([category] * len(found))
        truth = np.array(labels, dtype=object)
        sizes = ", ".join(f"{category} {int((truth == category).sum())}" for category in present)
        print(f"\n{language}: {len(texts)} texts in {len(present)} categories ({sizes})")
        print(
            f"  {'themes':<14}{'k':>4}{'themed':>9}{'ARI':>8}{'NMI':>8}{'NPMI':>8}"
            f"{'chance ARI':>12}{'chance NMI':>12}{'seconds':>9}"
        )
        for themes in ("auto", len(present)):
            figures = evaluate(language, texts, truth, themes, args.seed)
            print(
                f"  {themes!s:<14}{figures['k']:>4}{figures['themed']:>9.0%}{figures['ari']:>8.3f}"
                f"{figures['nmi']:>8.3f}{figures['npmi']:>8.3f}{figures['chance_ari']:>12.3f}"
                f"{figures['chance_nmi']:>12.3f}{figures['seconds']:>9.1f}"
            )
            print("    " + "; ".join(figures["labels"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
