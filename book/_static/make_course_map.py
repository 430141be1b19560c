"""Draw the course map of the landing page: book/_static/course_map.svg (HTML) and
course_map.pdf (the PDF book; Sphinx picks one per builder from ``course_map.*``).

Run from the repository root:  .venv/bin/python book/_static/make_course_map.py
The parts and chapters follow _toc.yml (edit PARTS when chapters are added). The SVG is
deterministic (fixed hash salt, no dates), so re-running it leaves git clean.
"""
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch  # noqa: E402

PARTS = [
    ("The linear case", "C0", ["Rates $1/\\ln t$ and $1/t$", "Explicit vs implicit bias",
                               "Rates via duality", "Benchmark"]),
    ("Proof techniques", "C2", ["$\\ln\\sum\\exp$ and its dual"]),
    ("Open problems", "C3", ["1. Regularization path", "2. Logistic vs exponential"]),
    ("Nonlinear cases", "C4", ["Homogeneous networks", "Deep linear networks",
                               "2XOR: network vs kernel", "Mass concentrates",
                               "Near initialization", "Beyond homogeneity"]),
]


def draw(path):
    plt.rcParams.update({"svg.hashsalt": "ibias-course-map", "svg.fonttype": "none",
                         "font.size": 9})
    rows = max(len(chapters) for _, _, chapters in PARTS)
    fig, ax = plt.subplots(figsize=(11, 0.5 + 0.42 * rows + 0.3))
    ax.set_xlim(0, 11)
    top = 3.0
    ax.set_ylim(top - 0.55 - 0.42 * rows, top + 0.1)
    ax.axis("off")
    width, gap = 2.45, 0.35
    for k, (title, color, chapters) in enumerate(PARTS):
        x = 0.1 + k * (width + gap)
        height = 0.5 + 0.42 * rows
        ax.add_patch(FancyBboxPatch((x, top - height), width, height,
                                    boxstyle="round,pad=0.02,rounding_size=0.08",
                                    fc=color, ec=color, alpha=0.12))
        ax.add_patch(FancyBboxPatch((x, top - height), width, height,
                                    boxstyle="round,pad=0.02,rounding_size=0.08",
                                    fc="none", ec=color, lw=1.5))
        ax.text(x + width / 2, top - 0.25, title, ha="center", va="center",
                fontweight="bold", fontsize=10, color=color)
        for j, chapter in enumerate(chapters):
            ax.text(x + 0.15, top - 0.68 - 0.42 * j, chapter, ha="left", va="center")
        if k + 1 < len(PARTS):
            ax.add_patch(FancyArrowPatch((x + width + 0.04, top - 0.25),
                                         (x + width + gap - 0.04, top - 0.25),
                                         arrowstyle="-|>", mutation_scale=14, color="0.3"))
    fig.savefig(path, bbox_inches="tight", metadata={"Date": None})
    fig.savefig(path.with_suffix(".pdf"), bbox_inches="tight",
                metadata={"CreationDate": None, "ModDate": None})
    plt.close(fig)


if __name__ == "__main__":
    draw(Path(__file__).with_name("course_map.svg"))
