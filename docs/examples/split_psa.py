"""Turn a run's per-sample table into the CSV layout ``peer-econ analyse`` reads.

Usage: ``python docs/examples/split_psa.py RUN_FOLDER/psa_samples.parquet OUT_FOLDER``

Writes ``cost.csv`` and ``effect.csv`` (one column per strategy, one row per PSA sample) and
``draws.csv`` (the parameter draws of the same rows), the layout of any PSA exported from another
model (dampack's ``make_psa_obj``, BCEA's ``e`` and ``c`` matrices).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd


def main(samples_file: str, out_folder: str) -> None:
    samples = pd.read_parquet(samples_file)
    out = Path(out_folder)
    out.mkdir(parents=True, exist_ok=True)
    cost = [c for c in samples.columns if c.startswith("cost_")]
    qaly = [c for c in samples.columns if c.startswith("qaly_")]
    draws = [c for c in samples.columns if c not in {"sample", *cost, *qaly}]
    samples[cost].rename(columns=lambda c: c.removeprefix("cost_")).to_csv(
        out / "cost.csv", index=False
    )
    samples[qaly].rename(columns=lambda c: c.removeprefix("qaly_")).to_csv(
        out / "effect.csv", index=False
    )
    samples[draws].to_csv(out / "draws.csv", index=False)
    print(f"wrote {out}/cost.csv, effect.csv, draws.csv ({len(samples)} samples)")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
