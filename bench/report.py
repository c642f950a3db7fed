#!/usr/bin/python3
"""Renders a saved benchmarks.json again, without measuring (scripts/bench calls the same code):

  /usr/bin/python3 bench/report.py docs/benchmarks.json              # writes docs/benchmarks.md and .png
  /usr/bin/python3 bench/report.py RESULTS.json --md X.md --png X.png --no-png

Python 3 standard library, plus matplotlib for the chart only.
"""

import argparse
import json
import os
import sys

sys.dont_write_bytecode = True
from harness import chart, report_md, targets  # noqa: E402


def render(results_path, md_path=None, png_path=None, png=True):
    with open(results_path, encoding="utf-8") as f:
        doc = json.load(f)
    base = os.path.splitext(results_path)[0]
    md_path = md_path or base + ".md"
    png_path = png_path or base + ".png"
    png_name = os.path.relpath(png_path, os.path.dirname(os.path.abspath(md_path)))
    with open(md_path, "w", encoding="utf-8") as f:
        f.write(report_md.render(doc, png_name, os.path.join(os.path.dirname(os.path.abspath(md_path)), "bench")))
    if png:
        chart.render(doc, png_path)
    return doc


def print_targets(doc):
    for text, state, detail in targets.evaluate(doc):
        print(f"  {state:>12}  {text}: {detail}", file=sys.stderr)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("results")
    p.add_argument("--md")
    p.add_argument("--png")
    p.add_argument("--no-png", action="store_true")
    args = p.parse_args()
    print_targets(render(args.results, args.md, args.png, png=not args.no_png))


if __name__ == "__main__":
    main()
