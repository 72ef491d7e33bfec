"""A practitioner's pymc-marketing MMM: the one check of what labkit can read, and its refusals.

Every labkit function that takes a fitted model calls :func:`check_mmm` first:
it accepts a pymc-marketing multidimensional ``MMM``
(``pymc_marketing.mmm.multidimensional.MMM``) and refuses, with one clear
error, what labkit cannot use: another object, the legacy
``pymc_marketing.mmm.MMM`` (pymc-marketing deprecates it in favour of the
multidimensional class), a model that is not built or not fitted, dims other
than those the caller supports.

:func:`check_response_settings` refuses the model settings that change a lift
and that labkit does not compute: a time-varying media multiplier, a
convolution mode other than ``After``, channel data in units other than
spend (``cost_per_unit``) and channel scales that differ between geos.
:data:`SUPPORT` lists what labkit computes and what it refuses, row by row, as
chapter 6 shows it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["SUPPORT", "check_mmm", "check_response_settings", "is_legacy_mmm"]

MIGRATION = (
    "labkit reads pymc-marketing's multidimensional MMM "
    "(from pymc_marketing.mmm.multidimensional import MMM); the legacy "
    "pymc_marketing.mmm.MMM is deprecated and goes in pymc-marketing 0.20. Refit the "
    "model with the multidimensional class (the same adstock, saturation and priors; "
    "dims=() for a national model): pymc-marketing's migration notes list the steps"
)

SUPPORT: dict[str, tuple[str, str, str]] = {
    "geometric_kernel": (
        "GeometricAdstock, then Logistic, MichaelisMenten or Hill saturation",
        "computed",
        "compiled kernel",
    ),
    "every_adstock": (
        "Binomial, Delayed, Geometric, WeibullCDF, WeibullPDF or No adstock",
        "computed",
        "the model's own components",
    ),
    "every_saturation": (
        "Hill, HillSigmoid, InverseScaledLogistic, Logistic, MichaelisMenten, No, Root, Tanh "
        "or TanhBaselined saturation",
        "computed",
        "the model's own components",
    ),
    "saturation_first": ("adstock_first=False", "computed", "the model's own components"),
    "geo_dims": ("dims=('geo',)", "computed", "per geo and summed over geos"),
    "time_varying_intercept": (
        "time_varying_intercept=True",
        "computed",
        "a lift does not depend on the intercept",
    ),
    "additive_effects": (
        "controls, yearly seasonality, events and trends",
        "computed",
        "a lift does not depend on them",
    ),
    "other_dims": ("dims other than () and ('geo',)", "refused", "ValueError"),
    "time_varying_media": ("time_varying_media=True", "refused", "NotImplementedError"),
    "conv_mode": ("adstock mode Before or Overlap", "refused", "NotImplementedError"),
    "cost_per_unit": ("cost_per_unit (channel data not spend)", "refused", "NotImplementedError"),
    "scaling_per_geo": (
        "channel scales per geo (scaling.channel.dims without 'geo')",
        "refused",
        "NotImplementedError",
    ),
    "legacy_mmm": ("legacy pymc_marketing.mmm.MMM", "refused", "TypeError naming the migration"),
    "not_fitted": ("a model that is not fitted", "refused", "ValueError"),
    "idle_channel": ("a channel with no spend in the last weeks", "refused", "ValueError"),
}
"""``{key: (model setting, "computed" or "refused", how)}``: chapter 6's support table.

``tests/test_mmm_support.py`` has one test per key.
"""


def _class_in_mro(obj: object, module: str, name: str) -> bool:
    return any(c.__module__ == module and c.__name__ == name for c in type(obj).__mro__)


def is_legacy_mmm(mmm: object) -> bool:
    """Whether ``mmm`` is (a subclass of) the legacy ``pymc_marketing.mmm.MMM``."""
    return _class_in_mro(mmm, "pymc_marketing.mmm.mmm", "MMM")


def check_mmm(
    mmm: object,
    name: str = "mmm",
    *,
    fitted: bool = True,
    dims: tuple[tuple[str, ...], ...] = ((), ("geo",)),
) -> Any:
    """Return ``mmm`` if labkit can read it; raise one clear error otherwise.

    Parameters
    ----------
    mmm : object
        Should be a pymc-marketing multidimensional ``MMM``.
    name : str
        The argument's name in messages.
    fitted : bool
        Require a posterior (``mmm.idata.posterior``); otherwise a built model
        (``mmm.model``).
    dims : tuple of tuples
        The model dims the caller supports.

    Returns
    -------
    pymc_marketing.mmm.multidimensional.MMM

    Raises
    ------
    TypeError
        Not a multidimensional MMM (the legacy class names the migration).
    ValueError
        Not built or not fitted, or dims the caller does not support.
    """
    if is_legacy_mmm(mmm):
        raise TypeError(f"{name} is a legacy pymc_marketing.mmm.MMM: {MIGRATION}")
    if not _class_in_mro(mmm, "pymc_marketing.mmm.multidimensional", "MMM"):
        raise TypeError(
            f"{name} must be a pymc-marketing multidimensional MMM "
            f"(pymc_marketing.mmm.multidimensional.MMM), got {type(mmm).__name__}"
        )
    if fitted:
        idata = getattr(mmm, "idata", None)
        if idata is None or "posterior" not in idata:
            raise ValueError(
                f"{name} is not fitted: call {name}.fit(X, y) first ({name}.idata has no posterior)"
            )
    elif getattr(mmm, "model", None) is None:
        raise ValueError(f"{name} is not built: call {name}.build_model(X, y) first")
    model_dims = tuple(getattr(mmm, "dims", None) or ())
    if model_dims not in dims:
        allowed = " or ".join(f"dims={d}" for d in dims)
        raise ValueError(f"{name} must have {allowed}, got dims={model_dims}")
    return mmm


def check_response_settings(mmm: Any, name: str = "mmm") -> None:
    """Refuse the model settings that change a lift and that labkit does not compute.

    Raises
    ------
    NotImplementedError
        Naming the setting: ``time_varying_media``, an adstock ``mode`` other
        than ``After``, ``cost_per_unit``, or ``scaling.channel.dims`` without
        the model's dims (channel scales that differ between geos).
    """
    if getattr(mmm, "time_varying_media", False):
        raise NotImplementedError(
            f"{name}.time_varying_media is set: the media multiplier at the weeks of a future "
            "test is an extrapolation of the latent process, which labkit does not compute; "
            "refit with time_varying_media=False to design tests"
        )
    mode = getattr(getattr(mmm.adstock, "mode", None), "name", "After")
    if mode != "After":
        raise NotImplementedError(
            f"{name}.adstock.mode is {mode!r}: labkit computes lifts for causal adstock "
            "(ConvMode.After, pymc-marketing's default) only"
        )
    if getattr(mmm, "_cost_per_unit_input", None) is not None:
        raise NotImplementedError(
            f"{name} has cost_per_unit: its channel data are not spend, and labkit prices "
            "tests in the units of the channel data; fit on spend to design tests"
        )
    scaling = getattr(mmm, "scaling", None)
    model_dims = set(getattr(mmm, "dims", None) or ())
    channel_dims = set(getattr(getattr(scaling, "channel", None), "dims", ()) or ())
    if model_dims - channel_dims:
        raise NotImplementedError(
            f"{name}.scaling.channel.dims={tuple(channel_dims)} scales each geo's spend "
            "separately; labkit prices tests with one scale per channel "
            f"(scaling.channel.dims={tuple(sorted(model_dims))}, pymc-marketing's default)"
        )
