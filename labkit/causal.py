"""Reading effects out of CausalPy experiments, with explicit units.

CausalPy's ``SyntheticControl`` reports the impact as observed minus the
posterior *expected* synthetic outcome (``mu``), so its posterior holds the
uncertainty of the counterfactual's mean but not the observation noise of the
weeks actually measured. :func:`total_effect_draws` sums the weekly impacts of
the post-period per draw and, optionally, adds that noise back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from labkit._validate import check_bool, check_int

if TYPE_CHECKING:
    import causalpy as cp

__all__ = ["WindowEffect", "total_effect_draws"]


@dataclass(frozen=True)
class WindowEffect:
    """Draws of the total effect over a post-treatment window.

    Attributes
    ----------
    total : numpy.ndarray
        Posterior draws of the sum of the weekly effects over the window.
    window : pandas.Index
        The window's dates (CausalPy's post-period).
    unit : str
        The treated unit.
    includes_noise : bool
        Whether observation noise was added (see :func:`total_effect_draws`).
    """

    total: np.ndarray
    window: pd.Index
    unit: str
    includes_noise: bool

    @property
    def n_weeks(self) -> int:
        """Length of the window."""
        return len(self.window)

    @property
    def weekly(self) -> np.ndarray:
        """Draws of the mean weekly effect: the total divided by n (its sd is the total's / n)."""
        return self.total / self.n_weeks


def total_effect_draws(
    result: cp.SyntheticControl,
    *,
    treated_unit: str | None = None,
    include_noise: bool = True,
    random_seed: int | None = 0,
) -> WindowEffect:
    """Total effect of a CausalPy synthetic control over its post-period, per draw.

    Parameters
    ----------
    result : causalpy.SyntheticControl
        A fitted experiment with a Bayesian model.
    treated_unit : str, optional
        Default: the first treated unit.
    include_noise : bool
        Add ``N(0, sqrt(n) sigma)`` to each draw, with ``sigma`` that draw's
        likelihood sd: the noise of a *sum* of n observed weeks, which CausalPy's
        ``mu``-based impact leaves out.
    random_seed : int, optional
        Seed of the added noise.

    Returns
    -------
    WindowEffect
    """
    include_noise = check_bool("include_noise", include_noise)
    if random_seed is not None:
        random_seed = check_int("random_seed", random_seed, minimum=0)
    if treated_unit is not None and not isinstance(treated_unit, str):
        raise TypeError(f"treated_unit must be a unit name (str) or None, got {treated_unit!r}")
    post = result.post_impact
    units = [str(u) for u in post.coords["treated_units"].to_numpy()]
    unit = units[0] if treated_unit is None else treated_unit
    if unit not in units:
        raise ValueError(f"treated_unit must be one of {units}, got {unit!r}")
    impact = post.sel(treated_units=unit)
    obs_dim = next(d for d in impact.dims if d not in ("chain", "draw"))
    window = pd.Index(impact.coords[obs_dim].to_numpy())
    total = impact.sum(obs_dim).stack(sample=("chain", "draw")).to_numpy().reshape(-1)
    if include_noise:
        posterior = result.model.idata.posterior
        sigma_name = next((v for v in posterior.data_vars if "sigma" in v), None)
        if sigma_name is None:
            raise ValueError("the experiment's posterior has no likelihood sigma to add noise with")
        sigma = posterior[sigma_name]
        if "treated_units" in sigma.dims:
            sigma = sigma.sel(treated_units=unit)
        sigma = sigma.stack(sample=("chain", "draw")).to_numpy().reshape(-1)
        rng = np.random.default_rng(random_seed)
        total = total + rng.normal(0.0, np.sqrt(len(window)) * sigma)
    return WindowEffect(total, window, unit, include_noise)
