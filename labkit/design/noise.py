"""The noise of a lift test's read-out, checked against simulated residual series.

The designer measures a test's total lift against residuals that follow a
stationary AR(1) process; :func:`labkit.stats.effective_sigma` gives the exact
sd of their sum over a short test. :func:`noise_model_check` simulates the
residual series themselves and compares the exact sd, and the familiar
large-``T`` limit, with what the series produce, including the false-positive
rate of the z-test each sd implies.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.special import ndtri

from labkit._validate import check_int, check_number, check_probability, check_values
from labkit.stats import credited_autocorr, effective_sigma, simulate_ar1

__all__ = ["limit_sigma", "noise_model_check"]


def limit_sigma(
    residual_std: float, residual_autocorr: float, duration: np.ndarray | int
) -> np.ndarray:
    """Return the large-``T`` limit ``sigma sqrt(T (1 + rho) / (1 - rho))``, ``rho`` in [0, 0.99].

    It overstates the sd of short tests; kept to show by how much.
    """
    rho = float(credited_autocorr(residual_autocorr))
    return residual_std * np.sqrt(np.asarray(duration, dtype=float) * (1 + rho) / (1 - rho))


def noise_model_check(
    autocorrelations: Sequence[float] = (0.0, 0.3, 0.5, 0.7),
    durations: Sequence[int] = tuple(range(2, 17)),
    *,
    residual_std: float = 1.0,
    baseline_weeks: int | None = None,
    n_series: int = 20_000,
    significance_level: float = 0.05,
    random_seed: int = 0,
) -> pd.DataFrame:
    """Exact and large-``T`` noise sd against simulated AR(1) residual series.

    For each autocorrelation and duration ``T``, simulates ``n_series`` stationary
    AR(1) residual series (plus ``baseline_weeks`` weeks before the test when the
    read-out is against an estimated baseline), sums them the way a test reads
    them, and compares.

    Parameters
    ----------
    autocorrelations : sequence of float
        Lag-1 autocorrelations in [0, 1).
    durations : sequence of int
        Test weeks (>= 1).
    residual_std : float
        Marginal sd of the residuals (> 0).
    baseline_weeks : int, optional
        Pre-period weeks of an estimated baseline.
    n_series : int
        Simulated series per cell (>= 100).
    significance_level : float
        Level of the two-sided z-test, in (0, 1).
    random_seed : int

    Returns
    -------
    pandas.DataFrame
        One row per (``rho``, ``weeks``): ``sd_simulated``, ``sd_exact``,
        ``sd_limit``, ``limit_overstates`` (``sd_limit / sd_exact - 1``) and the
        false-positive rates ``fpr_exact`` and ``fpr_limit`` of the z-test on the
        simulated series.
    """
    rhos = [
        check_number(f"autocorrelations[{i}]", r, low=0.0, high=1.0, high_open=True)
        for i, r in enumerate(check_values("autocorrelations", autocorrelations))
    ]
    weeks_list = [
        check_int(f"durations[{i}]", w, minimum=1, unit="weeks")
        for i, w in enumerate(check_values("durations", durations))
    ]
    residual_std = check_number("residual_std", residual_std, low=0.0, low_open=True)
    n_series = check_int("n_series", n_series, minimum=100)
    z = ndtri(1 - check_probability("significance_level", significance_level) / 2)
    rng = np.random.default_rng(random_seed)
    pre = 0 if baseline_weeks is None else baseline_weeks
    rows = []
    for rho in rhos:
        for weeks in weeks_list:
            series = simulate_ar1(residual_std, rho, pre + weeks, n_series, rng)
            total = series[:, pre:].sum(axis=1)
            if pre:
                total -= weeks / pre * series[:, :pre].sum(axis=1)
            exact = float(effective_sigma(residual_std, rho, weeks, baseline_weeks))
            limit = float(limit_sigma(residual_std, rho, weeks))
            rows.append(
                {
                    "rho": rho,
                    "weeks": weeks,
                    "sd_simulated": float(total.std()),
                    "sd_exact": exact,
                    "sd_limit": limit,
                    "limit_overstates": limit / exact - 1,
                    "fpr_exact": float(np.mean(np.abs(total) > z * exact)),
                    "fpr_limit": float(np.mean(np.abs(total) > z * limit)),
                }
            )
    return pd.DataFrame(rows)
