"""Bring back a few forms of a synthetic corpus whose images are gone.

    .venv/bin/python -m benchmarks.regenerate --seed 9060 --count 500 OUT NA-32_ps138 ...

A seed's run (`benchmarks.pipeline_run`) keeps its results and the corpus its images,
but only on the machine that made them. The forms a run got wrong are named in
RESULTS.md; this writes their constituencies again into OUT, byte for byte as the
generator wrote them (`synth.corpus.regenerate_forms`), with their truth, so that the
code as it is can read them again (`tallyscope inspect`, or `benchmarks.overwrite_cells
OUT` for the overwrite measures of every figure cell). Seconds a constituency, against
a quarter of an hour for a whole corpus.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.synth.corpus import regenerate_forms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("forms", nargs="+", help='file names without extension: "PP-226_ps108"')
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--count", type=int, default=500, help="the corpus's polling stations")
    args = parser.parse_args()
    names = set(args.forms)
    written = regenerate_forms(args.out, count=args.count, seed=args.seed, names=names)
    found = {Path(f).stem for f in written}
    for name in sorted(names - found):
        print(f"{name}: no such form in seed {args.seed}'s corpus of {args.count}", file=sys.stderr)
    for file in written:
        print(args.out / file)


if __name__ == "__main__":
    main()
