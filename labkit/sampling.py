"""Fast mode: the one place where ``LABKIT_FAST`` becomes sampler settings.

Every notebook asks this module how hard to sample. Without the environment
variable the settings are full fidelity (4 chains x 1000 draws after 1000 tuning
steps, nutpie for pymc-marketing fits); with ``LABKIT_FAST=1`` they shrink so that
CI can execute every notebook on a 2-core machine in minutes.

In fast mode pymc-marketing fits use PyMC's own NUTS with the C backend: its
compiled modules are cached on disk across runs, whereas nutpie's numba
compilation costs 15-30 s per model every time, which dominates a tiny fit.

Examples
--------
>>> from labkit.sampling import mmm_fit_kwargs
>>> kwargs = mmm_fit_kwargs(random_seed=1)
>>> sorted(kwargs)[:3]
['chains', 'draws', 'nuts_sampler']
"""

from __future__ import annotations

import logging
import os
import warnings
from dataclasses import dataclass
from typing import Any

__all__ = [
    "FAST",
    "FAST_ENV_VAR",
    "FULL",
    "PROGRESS_ENV_VAR",
    "SMOKE",
    "SMOKE_ENV_VAR",
    "SMOKE_MAX_TREEDEPTH",
    "SamplerSettings",
    "fit_settings",
    "is_fast",
    "mmm_fit_kwargs",
    "mode_banner",
    "n_folds",
    "pm_sample_kwargs",
    "setup_notebook",
    "show_progress",
]

FAST_ENV_VAR = "LABKIT_FAST"
SMOKE_ENV_VAR = "LABKIT_SMOKE"
PROGRESS_ENV_VAR = "LABKIT_PROGRESS"
_TRUTHY = {"1", "true", "yes", "on"}
_FALSY = {"", "0", "false", "no", "off"}


def _flag(name: str) -> bool | None:
    """Parse a boolean environment variable; ``None`` when it is unset or empty."""
    raw = os.environ.get(name, "").strip().lower()
    if raw == "":
        return None
    if raw in _TRUTHY:
        return True
    if raw in _FALSY:
        return False
    raise ValueError(
        f"{name}={os.environ[name]!r} is not understood; use one of {sorted(_TRUTHY)} "
        f"or {sorted(_FALSY - {''})} (or leave it unset)."
    )


def is_fast() -> bool:
    """Return whether fast mode is on.

    Returns
    -------
    bool
        ``True`` when the environment variable ``LABKIT_FAST`` is one of
        ``1, true, yes, on`` (case-insensitive), ``False`` when it is unset or one of
        ``0, false, no, off``.

    Raises
    ------
    ValueError
        If ``LABKIT_FAST`` holds anything else, so a typo never silently runs
        a 40-minute notebook in CI.
    """
    return bool(_flag(FAST_ENV_VAR))


def show_progress() -> bool:
    """Return whether samplers should draw progress bars.

    Returns
    -------
    bool
        The value of ``LABKIT_PROGRESS`` when it is set (``make execute`` sets it to
        ``0`` so that committed notebook outputs carry no progress bars); otherwise
        ``True`` at full fidelity and ``False`` in fast mode, where nobody watches.

    Raises
    ------
    ValueError
        If ``LABKIT_PROGRESS`` holds something other than a boolean word.
    """
    explicit = _flag(PROGRESS_ENV_VAR)
    return (not is_fast()) if explicit is None else explicit


@dataclass(frozen=True)
class SamplerSettings:
    """Sampler settings for one fidelity level.

    Attributes
    ----------
    chains, draws, tune : int
        Passed to the sampler as is.
    target_accept : float
        NUTS target acceptance rate.
    mmm_sampler : str
        ``nuts_sampler`` used for pymc-marketing fits.
    cv_folds : int
        Number of time-slice cross-validation folds notebooks should run.
    fast : bool
        Whether these are the fast-mode settings.
    """

    chains: int
    draws: int
    tune: int
    target_accept: float
    mmm_sampler: str
    cv_folds: int
    fast: bool


FULL = SamplerSettings(
    chains=4,
    draws=1000,
    tune=1000,
    target_accept=0.9,
    mmm_sampler="nutpie",
    cv_folds=8,
    fast=False,
)
FAST = SamplerSettings(
    chains=2,
    draws=150,
    tune=150,
    target_accept=0.9,
    mmm_sampler="pymc",
    cv_folds=2,
    fast=True,
)


SMOKE = SamplerSettings(
    chains=2,
    draws=20,
    tune=20,
    target_accept=0.8,
    mmm_sampler="pymc",
    cv_folds=2,
    fast=True,
)
"""Tiny draws that only check a study runs end to end (``LABKIT_SMOKE=1``, in CI)."""
SMOKE_MAX_TREEDEPTH = 5
"""PyMC NUTS tree depth at smoke fidelity (at most 31 leapfrog steps per draw)."""


def fit_settings() -> SamplerSettings:
    """Return the settings for the current mode.

    Returns
    -------
    SamplerSettings
        :data:`SMOKE` under ``LABKIT_SMOKE=1`` (studies' end-to-end check),
        :data:`FAST` under ``LABKIT_FAST=1``, :data:`FULL` otherwise.
    """
    if _flag(SMOKE_ENV_VAR):
        return SMOKE
    return FAST if is_fast() else FULL


def _check_seed(random_seed: int | None) -> None:
    if random_seed is not None and (
        isinstance(random_seed, bool) or not isinstance(random_seed, int) or random_seed < 0
    ):
        raise TypeError(f"random_seed must be a non-negative int or None, got {random_seed!r}")


def pm_sample_kwargs(
    random_seed: int | None = None, *, small: bool = False, **overrides: Any
) -> dict[str, Any]:
    """Keyword arguments for :func:`pymc.sample` in the current mode.

    Parameters
    ----------
    random_seed : int, optional
        Seed passed through to the sampler.
    small : bool
        A model with a handful of parameters that samples in seconds (such as an
        elicitation model): both modes then take 4 chains x 5000 draws, because
        compilation, not sampling, is its cost and its tail quantiles are compared.
    **overrides
        Any setting to replace (for example ``target_accept=0.95``).

    Returns
    -------
    dict
        ``chains``, ``draws``, ``tune``, ``target_accept``, ``random_seed`` and
        ``progressbar`` (see :func:`show_progress`); at smoke fidelity, for
        PyMC's own NUTS, the target acceptance moves into ``nuts`` with
        ``max_treedepth`` (:data:`SMOKE_MAX_TREEDEPTH`).
    """
    _check_seed(random_seed)
    s = fit_settings()
    big = small and s is not SMOKE  # smoke fidelity keeps even small models tiny
    kwargs: dict[str, Any] = {
        "chains": FULL.chains if big else s.chains,
        "draws": 5000 if big else s.draws,
        "tune": FULL.tune if big else s.tune,
        "target_accept": s.target_accept,
        "random_seed": random_seed,
        "progressbar": show_progress(),
    }
    kwargs.update(overrides)
    if s is SMOKE and kwargs.get("nuts_sampler", "pymc") == "pymc":
        # a smoke run checks the pipeline, not the posterior: with 20 tuning steps the
        # step size stays small and NUTS would build trees of up to 1023 leapfrog steps.
        # PyMC takes target_accept either here or in `nuts`, not in both.
        kwargs["nuts"] = {
            "target_accept": kwargs.pop("target_accept"),
            "max_treedepth": SMOKE_MAX_TREEDEPTH,
        }
    return kwargs


def mmm_fit_kwargs(
    random_seed: int | None = None,
    *,
    gaussian_process: bool = False,
    hierarchical: bool = False,
    **overrides: Any,
) -> dict[str, Any]:
    """Keyword arguments for a pymc-marketing ``MMM.fit`` in the current mode.

    Parameters
    ----------
    random_seed : int, optional
        Seed passed through to the sampler.
    gaussian_process : bool
        The model has an HSGP component (a time-varying intercept). PyMC's own
        NUTS is slow on those (measured here: 194 s for 2 x 300 draws of the
        confounder chapter's model, against 32-51 s with nutpie for 2 x 150
        draws, compilation included), so fast mode uses nutpie for them too.
    hierarchical : bool
        A multidimensional model with geo x channel parameters. Measured here
        on the geo chapter's model, 2 x 150 draws: PyMC's NUTS 184 s, nutpie
        76 s (numba compilation included), so fast mode uses nutpie for it too.
    **overrides
        Any setting to replace (for example ``target_accept=0.95``).

    Returns
    -------
    dict
        :func:`pm_sample_kwargs` plus ``nuts_sampler`` (nutpie at full fidelity,
        PyMC's C-backed NUTS in fast mode unless ``gaussian_process`` or
        ``hierarchical``, and always at smoke fidelity, where 20 draws make the
        compilation the whole cost and PyMC's compiled modules are cached on disk).
    """
    s = fit_settings()
    # at smoke fidelity compilation is the whole cost, and only PyMC's is cached on disk
    nutpie = (gaussian_process or hierarchical) and s is not SMOKE
    sampler = {"nuts_sampler": "nutpie" if nutpie else s.mmm_sampler}
    return pm_sample_kwargs(random_seed, **(sampler | overrides))


def n_folds(full: int | None = None) -> int:
    """Return the number of cross-validation folds to run in the current mode.

    Parameters
    ----------
    full : int, optional
        Folds wanted at full fidelity; defaults to :attr:`SamplerSettings.cv_folds`.

    Returns
    -------
    int
        ``full`` at full fidelity, at most 2 in fast mode.
    """
    s = fit_settings()
    wanted = FULL.cv_folds if full is None else full
    if isinstance(wanted, bool) or not isinstance(wanted, int) or wanted < 1:
        raise ValueError(f"full must be a positive int, got {full!r}")
    return min(wanted, FAST.cv_folds) if s.fast else wanted


def mode_banner() -> str:
    """One line saying which mode a notebook ran in, for its committed output.

    Returns
    -------
    str
        For example ``"labkit full fidelity: 4 chains x 1000 draws (tune 1000), MMM
        sampler nutpie"``.
    """
    s = fit_settings()
    name = "FAST MODE (LABKIT_FAST=1)" if s.fast else "full fidelity"
    return (
        f"labkit {name}: {s.chains} chains x {s.draws} draws (tune {s.tune}), "
        f"MMM sampler {s.mmm_sampler}"
    )


def _short_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    line: str | None = None,
) -> str:
    return f"{category.__name__}: {message}\n"


def setup_notebook() -> str:
    """Prepare a notebook's output for reading and return its mode banner.

    Warnings print as ``Category: message``, without the file path and source
    line of the library that raised them (the book is read on other machines).
    When progress is off (:func:`show_progress`), PyMC's ``Sampling: [...]``
    log lines are silenced too: they are progress, not results.

    Returns
    -------
    str
        :func:`mode_banner`.
    """
    warnings.formatwarning = _short_warning
    # pymc-marketing's time-slice cross-validation concatenates fold results with
    # xarray's current default join; xarray announces a future change of that
    # default on every call. It concerns pymc-marketing's code, not the reader's.
    warnings.filterwarnings(
        "ignore",
        message="In a future version of xarray the default value for join",
        category=FutureWarning,
    )
    # A synthetic control with one donor has its weight fixed at 1: ArviZ's r-hat of a
    # constant divides zero by zero and warns, while the summary rightly shows NaN.
    warnings.filterwarnings(
        "ignore",
        message="invalid value encountered in scalar divide",
        category=RuntimeWarning,
        module=r"arviz\.",
    )
    if not show_progress():
        # PyMC sets its logger's level when it is first imported: import it first so
        # that the level set here is not reset by a later import.
        import pymc  # noqa: F401

        logging.getLogger("pymc").setLevel(logging.WARNING)
    return mode_banner()
