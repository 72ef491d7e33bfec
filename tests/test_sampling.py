import pytest

from labkit import sampling


def test_full_fidelity_by_default(full_mode):
    assert not sampling.is_fast()
    kw = sampling.mmm_fit_kwargs(random_seed=3)
    assert kw["chains"] == 4 and kw["draws"] == 1000 and kw["tune"] == 1000
    assert kw["nuts_sampler"] == "nutpie"
    assert kw["random_seed"] == 3
    assert "full fidelity" in sampling.mode_banner()
    assert sampling.n_folds(6) == 6


def test_fast_mode_is_smaller(fast_mode):
    assert sampling.is_fast()
    fast = sampling.pm_sample_kwargs()
    assert fast["chains"] * fast["draws"] < sampling.FULL.chains * sampling.FULL.draws / 10
    assert fast["progressbar"] is False
    assert "nuts_sampler" not in fast
    assert sampling.mmm_fit_kwargs()["nuts_sampler"] == "pymc"
    assert "FAST MODE" in sampling.mode_banner()
    assert sampling.n_folds(6) == 2
    assert sampling.n_folds(1) == 1


def test_overrides_win(full_mode):
    kw = sampling.mmm_fit_kwargs(target_accept=0.97, draws=10)
    assert kw["target_accept"] == 0.97 and kw["draws"] == 10


@pytest.mark.parametrize("value", ["1", "true", "YES", " on "])
def test_truthy_values(monkeypatch, value):
    monkeypatch.setenv("LABKIT_FAST", value)
    assert sampling.is_fast()


@pytest.mark.parametrize("value", ["0", "false", "", "off"])
def test_falsy_values(monkeypatch, value):
    monkeypatch.setenv("LABKIT_FAST", value)
    assert not sampling.is_fast()


def test_unknown_value_is_an_error(monkeypatch):
    monkeypatch.setenv("LABKIT_FAST", "fastish")
    with pytest.raises(ValueError, match="LABKIT_FAST"):
        sampling.is_fast()


@pytest.mark.parametrize("seed", [-1, 1.5, "7", True])
def test_bad_seed(seed, full_mode):
    with pytest.raises(TypeError, match="random_seed"):
        sampling.pm_sample_kwargs(random_seed=seed)


@pytest.mark.parametrize("folds", [0, -2, 2.5])
def test_bad_folds(folds, full_mode):
    with pytest.raises(ValueError, match="full"):
        sampling.n_folds(folds)


def test_small_models_keep_enough_draws_in_fast_mode(fast_mode):
    kw = sampling.pm_sample_kwargs(small=True)
    assert kw["draws"] == 5000 and kw["chains"] == sampling.FULL.chains


def test_gaussian_process_and_hierarchical_models_use_nutpie_in_fast_mode(fast_mode):
    assert sampling.mmm_fit_kwargs(gaussian_process=True)["nuts_sampler"] == "nutpie"
    assert sampling.mmm_fit_kwargs(hierarchical=True)["nuts_sampler"] == "nutpie"
    assert sampling.mmm_fit_kwargs()["nuts_sampler"] == "pymc"


def test_progress_follows_mode_unless_set(monkeypatch):
    monkeypatch.delenv("LABKIT_PROGRESS", raising=False)
    monkeypatch.setenv("LABKIT_FAST", "1")
    assert not sampling.show_progress()
    assert sampling.pm_sample_kwargs()["progressbar"] is False
    monkeypatch.setenv("LABKIT_FAST", "0")
    assert sampling.show_progress()
    monkeypatch.setenv("LABKIT_PROGRESS", "0")  # what `make execute` sets
    assert not sampling.show_progress()
    assert sampling.mmm_fit_kwargs()["progressbar"] is False
    monkeypatch.setenv("LABKIT_PROGRESS", "maybe")
    with pytest.raises(ValueError, match="LABKIT_PROGRESS"):
        sampling.show_progress()


def test_setup_notebook_prints_warnings_without_paths(monkeypatch):
    import logging
    import warnings

    monkeypatch.setenv("LABKIT_PROGRESS", "0")
    monkeypatch.setattr(warnings, "formatwarning", warnings.formatwarning)
    pymc_logger = logging.getLogger("pymc")
    monkeypatch.setattr(pymc_logger, "level", pymc_logger.level)
    with warnings.catch_warnings():
        banner = sampling.setup_notebook()
        text = warnings.formatwarning("too wide", UserWarning, "/opt/lib/site-packages/x.py", 3)
    assert banner == sampling.mode_banner()
    assert text == "UserWarning: too wide\n" and "site-packages" not in text
    assert pymc_logger.getEffectiveLevel() >= logging.WARNING


def test_smoke_fidelity_overrides_fast_and_full(monkeypatch):
    monkeypatch.setenv("LABKIT_SMOKE", "1")
    for fast in ("1", "0"):
        monkeypatch.setenv("LABKIT_FAST", fast)
        assert sampling.fit_settings() is sampling.SMOKE
        kwargs = sampling.pm_sample_kwargs(0, small=True)
        assert (kwargs["chains"], kwargs["draws"], kwargs["tune"]) == (2, 20, 20)
        nuts = {"target_accept": 0.95, "max_treedepth": sampling.SMOKE_MAX_TREEDEPTH}
        assert sampling.mmm_fit_kwargs(target_accept=0.95)["nuts"] == nuts
        assert "target_accept" not in sampling.pm_sample_kwargs(0, target_accept=0.95)
        external = sampling.mmm_fit_kwargs(nuts_sampler="nutpie", target_accept=0.95)
        assert external["target_accept"] == 0.95 and "nuts" not in external
        for model in ({"gaussian_process": True}, {"hierarchical": True}, {}):
            assert sampling.mmm_fit_kwargs(**model)["nuts_sampler"] == "pymc"
    monkeypatch.setenv("LABKIT_SMOKE", "0")
    assert sampling.fit_settings() is sampling.FULL
    assert "nuts" not in sampling.pm_sample_kwargs(0)
    monkeypatch.setenv("LABKIT_SMOKE", "sometimes")
    with pytest.raises(ValueError, match="LABKIT_SMOKE"):
        sampling.fit_settings()
