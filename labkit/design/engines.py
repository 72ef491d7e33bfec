"""How the designer evaluates a channel's response to a spend path: two engines.

A lift test holds a channel's weekly spend at ``1 + change`` times its current
level for ``T`` weeks. Its lift, per posterior draw, is the channel's
contribution over those weeks minus the contribution had spend stayed where it
was, on a history held at the current level before the test. An engine
computes, per unit (a geo or ``"national"``) and draw, on the model scale:

- the weekly contribution at current spend in steady state
  (:meth:`~ResponseEngine.contribution`);
- the adstock ramp: the share of a held change that has reached the adstocked
  spend in each week of the test (:meth:`~ResponseEngine.ramp`), exactly 1 from
  week ``l_max - 1`` on;
- the total lift of each change held for each duration
  (:meth:`~ResponseEngine.lifts`).

:class:`KernelEngine` covers geometric adstock applied before a logistic,
Michaelis-Menten or Hill saturation with compiled scalar loops
(:mod:`labkit._kernels`). :class:`ComponentEngine` covers any adstock and
saturation of pymc-marketing, in either order: it evaluates the components' own
``function`` on the spend paths, compiled once with PyTensor and vectorised over
units, changes, weeks and draws, so a new pymc-marketing component needs no
labkit code. ``tests/test_design_engines.py`` pins both to the fitted MMM's own
counterfactual (``MMM.sample_posterior_predictive`` of ``channel_contribution``).

Both engines rely on what every pymc-marketing adstock is: a causal convolution
over a fixed number of lags (``ConvMode.After``; ``l_max`` lags for most
adstocks, measured by :attr:`ComponentEngine.n_lags`), so that a change held for
longer than that adds the lift of its last lag each further week.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Protocol

import numpy as np

from labkit import _kernels
from labkit._validate import check_bool, check_int
from labkit.response import Saturation, adstock_ramp, steady_state_multiplier

if TYPE_CHECKING:
    from pymc_marketing.mmm.components.adstock import AdstockTransformation
    from pymc_marketing.mmm.components.saturation import SaturationTransformation

__all__ = ["ComponentCurve", "ComponentEngine", "KernelEngine", "ResponseEngine"]

ParamDraws = Mapping[str, Mapping[str, np.ndarray]]
"""``{channel: {param: array (n_units, n_draws)}}``."""


class ResponseEngine(Protocol):
    """What :class:`~labkit.design.lift_model.LiftModel` asks of an engine."""

    @property
    def name(self) -> str:
        """``"kernel"`` or ``"components"``."""
        ...

    @property
    def l_max(self) -> int:
        """The adstock's ``l_max``."""
        ...

    @property
    def adstock_first(self) -> bool:
        """The model's order."""
        ...

    @property
    def saturation(self) -> Saturation | ComponentCurve:
        """The saturation curve, called as ``curve(x, **params)``."""
        ...

    @property
    def saturation_params(self) -> dict[str, dict[str, np.ndarray]]:
        """``{channel: {param: array (n_units, n_draws)}}``."""
        ...

    @property
    def adstock_params(self) -> dict[str, dict[str, np.ndarray]]:
        """``{channel: {param: array (n_units, n_draws)}}``."""
        ...

    def contribution(self, channel: str) -> np.ndarray:
        """Weekly contribution at current spend in steady state, ``(n_units, n_draws)``."""
        ...

    def operating_point(self, channel: str) -> np.ndarray:
        """Where the saturation curve is evaluated at current spend, ``(n_units, n_draws)``."""
        ...

    def ramp(self, channel: str) -> np.ndarray:
        """Adstock ramp of a held change, ``(n_units, n_lags, n_draws)``, 1 in its last week."""
        ...

    def lifts(
        self, channels: Sequence[str], changes: np.ndarray, durations: np.ndarray
    ) -> np.ndarray:
        """Total lifts ``(n_channels, n_units, n_changes, n_durations, n_draws)``."""
        ...


def _as_units(values: np.ndarray) -> np.ndarray:
    """Posterior draws as a C-contiguous float (n_units, n_draws) array."""
    return np.ascontiguousarray(np.atleast_2d(np.asarray(values, dtype=float)))


class KernelEngine:
    """Geometric adstock, then a logistic, Michaelis-Menten or Hill curve: compiled loops.

    Parameters
    ----------
    saturation : Saturation
        The family (:func:`labkit.response.get_saturation`).
    params : dict
        ``{channel: {param: array (n_units, n_draws)}}`` of saturation parameters.
    adstock_alpha : dict
        ``{channel: array (n_units, n_draws)}``, in [0, 1).
    current_spend : dict
        ``{channel: array (n_units,)}`` weekly spend on the model scale.
    l_max : int
    normalize : bool
    """

    name = "kernel"
    adstock_first = True

    def __init__(
        self,
        *,
        saturation: Saturation,
        params: ParamDraws,
        adstock_alpha: Mapping[str, np.ndarray],
        current_spend: Mapping[str, np.ndarray],
        l_max: int,
        normalize: bool,
    ) -> None:
        self.saturation = saturation
        self.l_max = check_int("l_max", l_max, minimum=1, unit="weeks")
        self.normalize = check_bool("normalize", normalize)
        self.saturation_params = {
            c: {p: _as_units(params[c][p]) for p in saturation.params} for c in params
        }
        self.adstock_params = {c: {"alpha": _as_units(adstock_alpha[c])} for c in params}
        self.current_spend = {c: np.asarray(current_spend[c], dtype=float) for c in params}
        self._stacked: dict[tuple[str, ...], tuple[np.ndarray, ...]] = {}

    @cached_property
    def _steady(self) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
        out = {}
        for c, alpha in ((c, p["alpha"]) for c, p in self.adstock_params.items()):
            x = steady_state_multiplier(alpha, self.l_max, self.normalize)
            x = x * self.current_spend[c][:, None]
            ramp = np.ascontiguousarray(
                np.moveaxis(adstock_ramp(alpha, self.l_max, self.l_max), -1, 1)
            )
            out[c] = (x, self.saturation(x, **self.saturation_params[c]), ramp)
        return out

    def contribution(self, channel: str) -> np.ndarray:
        """Weekly contribution at current spend in steady state, ``(n_units, n_draws)``."""
        return self._steady[channel][1]

    def operating_point(self, channel: str) -> np.ndarray:
        """Steady-state adstocked spend at current spend, ``(n_units, n_draws)``."""
        return self._steady[channel][0]

    def ramp(self, channel: str) -> np.ndarray:
        """Adstock ramp ``(n_units, l_max, n_draws)`` (:func:`labkit.response.adstock_ramp`)."""
        return self._steady[channel][2]

    def _inputs(self, channels: tuple[str, ...]) -> tuple[np.ndarray, ...]:
        """Parameters (three, padded), spend, contribution and ramp, channels stacked as units."""
        if channels not in self._stacked:
            steady = [self._steady[c] for c in channels]
            pars = [
                np.concatenate([self.saturation_params[c][p] for c in channels])
                for p in self.saturation.params
            ]
            self._stacked[channels] = (
                *pars,
                *[pars[0]] * (3 - len(pars)),
                *(np.concatenate([s[i] for s in steady]) for i in range(3)),
            )
        return self._stacked[channels]

    def lifts(
        self, channels: Sequence[str], changes: np.ndarray, durations: np.ndarray
    ) -> np.ndarray:
        """Total lifts ``(n_channels, n_units, n_changes, n_durations, n_draws)``.

        Per draw, a change of ``change * x`` held for ``t`` weeks enters the
        adstocked spend through the adstock ramp; the weekly lifts through the
        saturation curve are summed (:func:`labkit._kernels.lift_grid`).
        """
        # same signature; _inputs gives six arrays (a variadic tuple to the checker)
        grid: Callable[..., np.ndarray] = (
            _kernels.lift_grid if _kernels.compiled() else _kernels.lift_grid_numpy
        )
        lifts = grid(
            _kernels.SATURATION_CODES[self.saturation.name],
            *self._inputs(tuple(channels)),
            np.asarray(changes, dtype=float),
            np.asarray(durations, dtype=np.int64),
        )
        return lifts.reshape(len(channels), -1, *lifts.shape[1:])


class ComponentCurve:
    """A pymc-marketing saturation evaluated in numpy through its own compiled ``function``.

    Called like :class:`labkit.response.Saturation`: ``curve(x, **params)`` with
    arrays that broadcast together.

    Parameters
    ----------
    saturation : pymc_marketing SaturationTransformation
    """

    def __init__(self, saturation: SaturationTransformation) -> None:
        self.component = saturation
        self.name = str(saturation.lookup_name)
        self.params = tuple(saturation.default_priors)
        self.library_class = type(saturation).__name__

    @cached_property
    def _function(self) -> Callable[..., np.ndarray]:
        import pytensor
        import pytensor.tensor as pt

        from labkit._pytensor import xtensor

        x = pt.vector("x", dtype="float64")
        pars = [pt.vector(p, dtype="float64") for p in self.params]
        with xtensor() as as_x:
            out = self.component.function(
                as_x(x, ("batch",)),
                **{p: as_x(v, ("batch",)) for p, v in zip(self.params, pars, strict=True)},
            )
            out = as_x(out, ("batch",)).values
        return pytensor.function([x, *pars], out, on_unused_input="ignore")

    def __call__(self, x: np.ndarray, **params: np.ndarray) -> np.ndarray:
        """Evaluate the curve at ``x`` (arrays broadcast together)."""
        arrays = np.broadcast_arrays(np.asarray(x, float), *(params[p] for p in self.params))
        shape = arrays[0].shape
        flat = [np.ascontiguousarray(a, dtype=float).reshape(-1) for a in arrays]
        return np.asarray(self._function(*flat)).reshape(shape)

    def __repr__(self) -> str:
        return f"ComponentCurve({self.library_class})"


class ComponentEngine:
    """Any pymc-marketing adstock and saturation, in either order: their own functions.

    The spend path of a test (:attr:`n_lags` - 1 weeks at current spend, then
    the changed spend for as many weeks as the longest test needs, at most
    :attr:`n_lags`) goes through the model's forward pass, the components'
    ``function`` composed in the model's order, compiled once with PyTensor;
    units, changes, weeks and draws are one batched call.

    Parameters
    ----------
    adstock, saturation : pymc-marketing transformations
        The fitted model's components (``mmm.adstock``, ``mmm.saturation``).
    adstock_first : bool
        The model's order (``mmm.adstock_first``).
    adstock_params, saturation_params : dict
        ``{channel: {param: array (n_units, n_draws)}}``, every parameter of each
        component's ``function``.
    current_spend : dict
        ``{channel: array (n_units,)}`` weekly spend on the model scale.
    """

    name = "components"

    def __init__(
        self,
        *,
        adstock: AdstockTransformation,
        saturation: SaturationTransformation,
        adstock_first: bool,
        adstock_params: ParamDraws,
        saturation_params: ParamDraws,
        current_spend: Mapping[str, np.ndarray],
    ) -> None:
        self.adstock = adstock
        self.saturation = ComponentCurve(saturation)
        self.adstock_first = check_bool("adstock_first", adstock_first)
        self.l_max = check_int("l_max", adstock.l_max, minimum=1, unit="weeks")
        self._adstock_names = tuple(adstock.default_priors)
        self.adstock_params = {
            c: {p: _as_units(adstock_params[c][p]) for p in self._adstock_names}
            for c in adstock_params
        }
        self.saturation_params = {
            c: {p: _as_units(saturation_params[c][p]) for p in self.saturation.params}
            for c in adstock_params
        }
        self.current_spend = {c: np.asarray(current_spend[c], dtype=float) for c in adstock_params}
        self._cache: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._saturations: dict[tuple[str, ...], Callable[..., np.ndarray]] = {}
        self._adstocked: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    # ------------------------------------------------------------------ compiled graphs

    @cached_property
    def _forward(self) -> Callable[..., np.ndarray]:
        """``f(x[date, unit, change], *params[unit, draw]) -> (unit, change, date, draw)``."""
        import pytensor
        import pytensor.tensor as pt

        from labkit._pytensor import xtensor

        x = pt.tensor3("x", dtype="float64")
        a = [pt.matrix(f"adstock_{p}", dtype="float64") for p in self._adstock_names]
        s = [pt.matrix(f"saturation_{p}", dtype="float64") for p in self.saturation.params]
        with xtensor() as as_x:
            xx = as_x(x, ("date", "unit", "change"))
            ka = {p: as_x(v, ("unit", "draw")) for p, v in zip(self._adstock_names, a, strict=True)}
            ks = {
                p: as_x(v, ("unit", "draw")) for p, v in zip(self.saturation.params, s, strict=True)
            }
            sat = self.saturation.component
            if self.adstock_first:
                out = sat.function(self.adstock.function(xx, dim="date", **ka), dim="date", **ks)
            else:
                out = self.adstock.function(sat.function(xx, dim="date", **ks), dim="date", **ka)
            out = as_x(out, None).transpose("unit", "change", "date", "draw").values
        return pytensor.function([x, *a, *s], out, on_unused_input="ignore")

    @cached_property
    def _adstock_only(self) -> Callable[..., np.ndarray]:
        """``g(x[date, unit], *params[unit, draw]) -> (unit, date, draw)``: the adstock alone."""
        import pytensor
        import pytensor.tensor as pt

        from labkit._pytensor import xtensor

        x = pt.matrix("x", dtype="float64")
        a = [pt.matrix(f"adstock_{p}", dtype="float64") for p in self._adstock_names]
        with xtensor() as as_x:
            ka = {p: as_x(v, ("unit", "draw")) for p, v in zip(self._adstock_names, a, strict=True)}
            out = as_x(self.adstock.function(as_x(x, ("date", "unit")), dim="date", **ka), None)
            out = out.transpose("unit", "date", *(["draw"] if "draw" in out.dims else [])).values
        f = pytensor.function([x, *a], out, on_unused_input="ignore")
        n_draws = self._n_draws

        def adstock(x: np.ndarray, *pars: np.ndarray) -> np.ndarray:
            y = np.asarray(f(x, *pars))
            return y if y.ndim == 3 else np.repeat(y[..., None], n_draws, axis=-1)

        return adstock

    def _saturate(self, x: np.ndarray, dims: tuple[str, ...], pars: list[np.ndarray]) -> np.ndarray:
        """Evaluate the saturation at ``x`` (named ``dims``), parameters over ``(unit, draw)``.

        Returns ``x``'s dims in order, then ``draw`` if ``x`` has none.
        """
        if dims not in self._saturations:
            import pytensor
            import pytensor.tensor as pt

            from labkit._pytensor import xtensor

            xs = pt.tensor("x", dtype="float64", shape=(None,) * len(dims))
            ps = [pt.matrix(p, dtype="float64") for p in self.saturation.params]
            with xtensor() as as_x:
                kw = {
                    p: as_x(v, ("unit", "draw"))
                    for p, v in zip(self.saturation.params, ps, strict=True)
                }
                out = as_x(self.saturation.component.function(as_x(xs, dims), **kw), None)
                order = [*dims, *(["draw"] if "draw" not in dims else [])]
                out = out.transpose(*[d for d in order if d in out.dims]).values
            self._saturations[dims] = pytensor.function([xs, *ps], out, on_unused_input="ignore")
        return np.asarray(self._saturations[dims](np.ascontiguousarray(x), *pars))

    @cached_property
    def linear(self) -> bool:
        """Whether the adstock is linear in spend (every pymc-marketing adstock is).

        Checked on random spend paths for every channel, unit and draw. A linear
        adstock of ``x (1 + change * step)`` is ``x A(1) + x change A(step)``, so
        the lifts need the adstock of two paths and the saturation of the
        result; a nonlinear one goes through the whole forward pass per path.
        """
        channels = list(self.adstock_params)
        n_units = self.current_spend[channels[0]].size * len(channels)
        rng = np.random.default_rng(0)
        a, b = rng.uniform(0.5, 1.5, size=(2, 2 * self.l_max + 2, n_units))
        pars = self._params(channels)[: len(self._adstock_names)]
        left = self._adstock_only(np.ascontiguousarray(a + 2.0 * b), *pars)
        right = self._adstock_only(a, *pars) + 2.0 * self._adstock_only(b, *pars)
        return bool(np.allclose(left, right, rtol=1e-10, atol=1e-12 * np.abs(right).max()))

    def _linear_lifts(
        self, channels: Sequence[str], changes: np.ndarray, n_weeks: int
    ) -> np.ndarray:
        """Weekly lifts ``(n_channels * n_units, n_changes, n_weeks, n_draws)``, linear adstock."""
        spend = np.concatenate([self.current_spend[c] for c in channels])  # (CU,)
        pars = self._params(channels)
        n_a = len(self._adstock_names)
        level, rise, past = (
            np.concatenate([self._responses(c)[i] for c in channels])[:, :n_weeks] for i in range(3)
        )
        changes = np.asarray(changes, dtype=float)
        if self.adstock_first:
            # the history's carry-over plus the changed spend's: exactly 0 when a go-dark
            # test has drained the history, as in the model's own forward pass
            base = spend[:, None, None] * level
            moved = spend[:, None, None, None] * (
                past[:, None] + (1.0 + changes)[None, :, None, None] * rise[:, None]
            )
            dims = ("unit", "change", "date", "draw")
            after = self._saturate(moved, dims, pars[n_a:])
            before = self._saturate(base[:, None], dims, pars[n_a:])
            return after - before
        x = spend[:, None, None] * np.concatenate([[1.0], 1.0 + changes])[None, :, None]
        curve = self._saturate(x, ("unit", "change", "date"), pars[n_a:])[:, :, 0, :]  # (CU,1+K,D)
        return (curve[:, 1:] - curve[:, :1])[:, :, None, :] * rise[:, None]

    def _responses(self, channel: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Adstock constant, stepped and stopped unit spend: ``(n_units, n_lags, n_draws)`` each.

        Weeks of the test only (after ``n_lags - 1`` weeks of history); a causal
        adstock's first ``W`` weeks do not depend on later ones, so one
        evaluation per channel serves every duration.
        """
        if channel not in self._adstocked:
            warm = self.n_lags - 1
            n_units = self.current_spend[channel].size
            ones = np.ones((warm + self.n_lags, n_units))
            step = ones.copy()
            step[:warm] = 0.0
            pars = self._params([channel])[: len(self._adstock_names)]
            level, rise, past = (
                np.ascontiguousarray(self._adstock_only(path, *pars)[:, warm:, :])
                for path in (ones, step, ones - step)
            )
            self._adstocked[channel] = (level, rise, past)
        return self._adstocked[channel]

    @cached_property
    def _n_draws(self) -> int:
        c = next(iter(self.saturation_params))
        first = self.adstock_params[c] or self.saturation_params[c]
        return next(iter(first.values())).shape[-1]

    @cached_property
    def n_lags(self) -> int:
        """Weeks of spend a week's adstock reads (``l_max`` for most adstocks).

        Measured on a unit impulse over every channel, unit and draw: the last
        lag with any weight, plus one (WeibullCDF, for one, reads ``l_max + 1``).
        """
        channels = list(self.adstock_params)
        n_units = self.current_spend[channels[0]].size * len(channels)
        impulse = np.zeros((3 * self.l_max + 3, n_units))
        impulse[0] = 1.0
        pars = self._params(channels)[: len(self._adstock_names)]
        weights = np.abs(self._adstock_only(impulse, *pars)).max(axis=(0, 2))
        return int(np.flatnonzero(weights > 0).max()) + 1 if np.any(weights > 0) else 1

    def _params(self, channels: Sequence[str]) -> list[np.ndarray]:
        """Each component's parameters, channels stacked as units."""
        a = [
            np.concatenate([self.adstock_params[c][p] for c in channels])
            for p in self._adstock_names
        ]
        s = [
            np.concatenate([self.saturation_params[c][p] for c in channels])
            for p in self.saturation.params
        ]
        return [*a, *s]

    def _paths(self, channels: Sequence[str], changes: np.ndarray, n_weeks: int) -> np.ndarray:
        """Contributions ``(n_channels * n_units, 1 + n_changes, n_weeks, n_draws)`` of a test.

        Change index 0 is the unchanged history; the others hold ``1 + change``
        times current spend from week 0 on, after ``l_max - 1`` weeks at current spend.
        """
        warm = self.n_lags - 1
        spend = np.concatenate([self.current_spend[c] for c in channels])  # (CU,)
        level = np.concatenate([[1.0], 1.0 + np.asarray(changes, dtype=float)])  # (1 + K,)
        step = np.concatenate([np.zeros(warm), np.ones(n_weeks)])  # (warm + W,)
        factor = 1.0 + step[:, None] * (level[None, :] - 1.0)  # (date, 1 + K)
        x = np.ascontiguousarray(factor[:, None, :] * spend[None, :, None])
        out = np.asarray(self._forward(x, *self._params(channels)))
        return out[:, :, warm:, :]

    def _steady(self, channel: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if channel not in self._cache:
            contribution = self._paths([channel], np.zeros(0), 1)[:, 0, 0, :]
            spend = self.current_spend[channel]
            level, rise, _ = self._responses(channel)
            level = level * spend[:, None, None]
            full = rise[:, -1:, :]
            with np.errstate(invalid="ignore", divide="ignore"):
                ramp = np.where(full > 0, rise / full, 1.0)
            point = (
                level[:, -1, :]
                if self.adstock_first
                else np.repeat(spend[:, None], level.shape[-1], axis=1)
            )
            self._cache[channel] = (contribution, point, np.ascontiguousarray(ramp))
        return self._cache[channel]

    def contribution(self, channel: str) -> np.ndarray:
        """Weekly contribution at current spend in steady state, ``(n_units, n_draws)``."""
        return self._steady(channel)[0]

    def operating_point(self, channel: str) -> np.ndarray:
        """Where the saturation curve sits at current spend, ``(n_units, n_draws)``.

        The steady-state adstocked spend when the adstock comes first, the weekly
        spend itself when the saturation does.
        """
        return self._steady(channel)[1]

    def ramp(self, channel: str) -> np.ndarray:
        """Adstock ramp ``(n_units, n_lags, n_draws)``: a step's adstock over its steady state."""
        return self._steady(channel)[2]

    def lifts(
        self, channels: Sequence[str], changes: np.ndarray, durations: np.ndarray
    ) -> np.ndarray:
        """Total lifts ``(n_channels, n_units, n_changes, n_durations, n_draws)``.

        The weekly lifts of the model's forward pass on the changed path minus
        the unchanged one, summed over each duration; past :attr:`n_lags` weeks
        every week adds the lift of the last of them.
        """
        weeks = np.asarray(durations, dtype=np.int64)
        n_w = int(min(weeks.max(), self.n_lags))
        if self.linear:
            weekly = self._linear_lifts(channels, changes, n_w)
        else:
            paths = self._paths(channels, changes, n_w)
            weekly = paths[:, 1:] - paths[:, :1]  # (CU, K, W, D)
        cum = np.cumsum(weekly, axis=2)
        shown = np.minimum(weeks, n_w)
        total = (
            cum[:, :, shown - 1, :] + (weeks - shown)[None, None, :, None] * weekly[:, :, -1:, :]
        )
        return total.reshape(len(channels), -1, *total.shape[1:])
