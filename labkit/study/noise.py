"""Study of chapter 1's noise model: the z-test's level on simulated residual series.

Each seed picks an autocorrelation in [0, 0.8] and a test length of 2 to 16 weeks,
simulates 4000 stationary AR(1) residual series, and runs the z-test of a test
with no effect using the exact noise sd and the large-``T`` one. The claim is
against the simulated series: the exact sd keeps the test's level. That the
large-``T`` sd is never smaller for ``rho >= 0`` is a property of the formula
(:func:`labkit.stats.effective_sigma`), tested there, not measured here.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from labkit.design.noise import noise_model_check

__all__ = ["noise_study"]


def noise_study(seed: int) -> dict[str, Any]:
    """False-positive rates of the exact and the large-T noise sd for one random setting."""
    rng = np.random.default_rng(seed)
    rho = float(np.round(rng.uniform(0.0, 0.8), 3))
    weeks = int(rng.integers(2, 17))
    row = noise_model_check((rho,), (weeks,), n_series=4000, random_seed=seed).iloc[0]
    return {
        "rho": rho,
        "weeks": weeks,
        "fpr_exact": float(row["fpr_exact"]),
        "fpr_limit": float(row["fpr_limit"]),
        "limit_overstates": float(row["limit_overstates"]),
        # 4000 series: the binomial sd of a 5 % rate is 0.34 points; 0.012 is 3.5 sd
        "claim_exact_keeps_the_level": bool(abs(row["fpr_exact"] - 0.05) < 0.012),
    }
