"""The designer's compiled kernels equal labkit.response and labkit.stats.

labkit.response is itself pinned to pymc-marketing's transformations to 1e-10
(tests/test_response.py), so these tests tie the fused loops to the library too.
"""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from scipy.special import ndtr

from labkit import _kernels, response
from labkit.design.designer import ExperimentDesigner
from labkit.stats import assurance, power

FAMILIES = [
    ("logistic", {"lam": 1.7, "beta": 0.9}),
    ("michaelis_menten", {"alpha": 2.75, "lam": 2.5}),
    ("hill", {"slope": 1.8, "kappa": 0.6, "beta": 1.2}),
]


# ----------------------------------------------------------------- normal CDF and assurance


def test_fast_normal_cdf_matches_scipy():
    x = np.linspace(-10, 10, 20_001)
    ours = np.array([_kernels.phi(v) for v in x])
    assert np.abs(ours - ndtr(x)).max() < 1e-9
    assert _kernels.phi(_kernels.PHI_LOW) == 0.0 and _kernels.phi(-40.0) == 0.0
    assert _kernels.phi(_kernels.PHI_HIGH) == 1.0 and _kernels.phi(40.0) == 1.0


@pytest.mark.parametrize("one_sided", [False, True])
@pytest.mark.usefixtures("kernels")
def test_assurance_kernel_matches_numpy_power(one_sided):
    rng = np.random.default_rng(3)
    lifts = rng.normal([[0.5], [-1.0], [2.0]], 0.6, size=(3, 5000))
    sigma = np.array([0.4, 0.5, 0.3])
    plain, tempered = assurance(lifts, sigma, 0.05, one_sided=one_sided, prior_trust=2.5)
    sign = np.where(lifts.mean(axis=1) < 0, -1.0, 1.0)[:, None] if one_sided else 1.0
    expected = power(lifts * sign, sigma[:, None], 0.05, one_sided).mean(axis=1)
    np.testing.assert_allclose(plain, expected, atol=1e-9)
    spread = lifts.mean(1, keepdims=True) + 2.5 * (lifts - lifts.mean(1, keepdims=True))
    expected_t = power(spread * sign, sigma[:, None], 0.05, one_sided).mean(axis=1)
    np.testing.assert_allclose(tempered, expected_t, atol=1e-9)


# ----------------------------------------------------------------- saturation and lift


@pytest.mark.parametrize(("sat", "params"), FAMILIES)
def test_scalar_saturation_equals_response(sat, params):
    x = np.concatenate([np.linspace(0, 3, 31), [0.01, 0.37, 7.5, 12.0, 40.0]])
    values = list(params.values())
    padded = values + [0.0] * (3 - len(values))
    scalar = getattr(_kernels, sat)
    ours = np.array([scalar(v, *padded) for v in x])
    want = response.get_saturation(sat)(x, **params)
    np.testing.assert_allclose(ours, want, rtol=1e-10, atol=1e-12)


def _brute_force_lift(sat, params, alpha, x, change, weeks, l_max, normalize):
    """Simulate spend x for a long burn-in, then x * (1 + change) for `weeks` weeks."""
    burn = 3 * l_max
    base = np.full(burn + weeks, x)
    test = base.copy()
    test[burn:] = x * (1 + change)
    f = response.get_saturation(sat)
    ad_b = response.geometric_adstock(base, alpha, l_max, normalize)
    ad_t = response.geometric_adstock(test, alpha, l_max, normalize)
    return float((f(ad_t, **params) - f(ad_b, **params))[burn:].sum())


def _single(sat, params, *, normalize=True, alpha=0.6, x=0.8, l_max=8, n_draws=1):
    """A designer whose posterior is ``n_draws`` copies of one point."""
    return ExperimentDesigner(
        params={"c": {k: np.full((1, n_draws), v) for k, v in params.items()}},
        adstock_alpha={"c": np.full((1, n_draws), alpha)},
        current_spend={"c": np.array([x])},
        residual_std=np.array([0.1]),
        residual_autocorr=np.array([0.0]),
        l_max=l_max,
        normalize=normalize,
        saturation=sat,
    )


@pytest.mark.parametrize(("sat", "params"), FAMILIES)
@pytest.mark.parametrize("normalize", [True, False])
@pytest.mark.parametrize(("change", "weeks"), [(0.2, 4), (-0.5, 12), (-1.0, 6), (0.3, 1)])
@pytest.mark.usefixtures("kernels")
def test_lift_equals_simulated_spend_series(sat, params, normalize, change, weeks):
    got = _single(sat, params, normalize=normalize).lift_draws("c", change, weeks)[0]
    want = _brute_force_lift(sat, params, 0.6, 0.8, change, weeks, 8, normalize)
    assert got == pytest.approx(want, rel=1e-10, abs=1e-12)


@pytest.mark.parametrize(("sat", "params"), FAMILIES)
@pytest.mark.usefixtures("kernels")
def test_grid_of_lifts_equals_one_at_a_time(sat, params):
    """Unsorted durations around l_max, several changes: each cell equals its own simulation."""
    d = _single(sat, params, l_max=5, n_draws=20)
    changes, weeks = [0.5, -1.0, 0.1], [7, 2, 5, 3]
    recs = d.recommend(changes, weeks, min_snr=0.0)
    assert recs.n_evaluated == len(changes) * len(weeks)
    for r in recs:
        want = _brute_force_lift(sat, params, 0.6, 0.8, r.spend_change, r.duration, 5, True)
        assert r.expected_lift == pytest.approx(want, rel=1e-10, abs=1e-12)


def test_ramp_fraction_is_the_mean_adstock_ramp(designer):
    for weeks in (1, 4, 8, 12):
        alpha = designer.adstock_draws("tv")["alpha"]
        ramp = response.adstock_ramp(alpha, designer.l_max, weeks).mean()
        assert designer.evaluate("tv", 0.2, weeks).ramp_fraction == pytest.approx(ramp, rel=1e-12)


def test_go_dark_lift_is_minus_the_contribution_once_ramped(designer):
    # beyond l_max weeks every extra week of go-dark removes exactly the steady-state contribution
    contrib = designer.steady_state_contribution("tv")[0]
    extra = designer.lift_draws("tv", -1.0, 13) - designer.lift_draws("tv", -1.0, 12)
    np.testing.assert_allclose(extra, -contrib, rtol=1e-10)


def test_truncated_ramp_vs_untruncated_overstatement(designer):
    """The untruncated ramp (1 - a**(t+1)) / (1 - a) keeps growing past l_max.

    For the fixture's tv channel (alpha 0.7, l_max 8) at its true lam/beta, the untruncated
    ramp overstates a +20% test by 1.3 % at 12 weeks and 2.5 % at 16 weeks (in the linear limit
    the ratio of ramp sums gives 1.34 % and 2.51 %).
    """
    lam, beta, a, x, l_max = 0.5, 3.0, 0.7, designer.current_spend["tv"][0], 8

    def total(weeks, truncate):
        t = np.arange(weeks)
        partial = (1 - a ** (np.minimum(t, l_max - 1) + 1 if truncate else t + 1)) / (1 - a)
        ramp = partial / ((1 - a**l_max) / (1 - a))
        return (
            response.logistic(x * (1 + 0.2 * ramp), lam, beta) - response.logistic(x, lam, beta)
        ).sum()

    over12 = total(12, False) / total(12, True) - 1
    over16 = total(16, False) / total(16, True) - 1
    assert over12 == pytest.approx(0.014, abs=0.002)
    assert 0.022 < over16 < 0.03
    single = _single("logistic", {"lam": lam, "beta": beta}, alpha=a, x=x, l_max=l_max)
    assert single.lift_draws("c", 0.2, 16)[0] == pytest.approx(total(16, True), rel=1e-10)


# ----------------------------------------------------------------- compiled once, then cached


@pytest.mark.slow
def test_kernels_are_cached_on_disk(tmp_path):
    """A second process loads the compiled kernels instead of compiling them again."""
    code = textwrap.dedent(
        """
        import numpy as np
        from labkit import _kernels
        from labkit.design.learning import expected_sd_reduction
        from labkit.stats import assurance
        from labkit._reweighting import reweighted_moments

        rng = np.random.default_rng(0)
        p = rng.uniform(0.5, 2.0, (2, 50))
        ramp = np.ascontiguousarray(np.ones((2, 4, 50)))
        _kernels.lift_grid(
            0, p, p, p, p, p, ramp, np.array([0.2, -1.0]), np.array([2, 6], dtype=np.int64)
        )
        assurance(rng.normal(size=(3, 50)), np.ones(3), 0.05)
        expected_sd_reduction(p, np.ones(2), p, rng=rng)
        for kernel in (_kernels.lift_grid, _kernels.assurance_rows, reweighted_moments):
            print(kernel.__name__, len(kernel.stats.cache_hits), len(kernel.stats.cache_misses))
        """
    )
    env = os.environ | {"NUMBA_CACHE_DIR": str(tmp_path)}
    runs = [
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
        ).stdout.split()
        for _ in range(2)
    ]
    names = ["lift_grid", "assurance_rows", "reweighted_moments"]
    assert runs[0] == [x for name in names for x in (name, "0", "1")]  # compiled
    assert runs[1] == [x for name in names for x in (name, "1", "0")]  # loaded
