"""The study runner: same rows on every backend, resumable, failures recorded."""

import json

import numpy as np
import pandas as pd
import pytest

from labkit.study import DEFAULT_SEEDS, STUDIES, Study, claim_summary, load_study, run_study
from labkit.study.__main__ import main

NOISE = STUDIES["noise"]


def _comparable(rows):
    return rows.drop(columns=["wall_seconds", "peak_rss_mb"]).reset_index(drop=True)


def test_joblib_and_in_process_give_identical_rows():
    here = run_study(NOISE, range(6), n_jobs=1, progress=False)
    pool = run_study(NOISE, [5, 3, 1, 0, 2, 4], n_jobs=2, progress=False)
    pd.testing.assert_frame_equal(_comparable(here.rows), _comparable(pool.rows))
    assert list(here.rows["seed"]) == list(range(6)) and (here.rows["status"] == "ok").all()
    assert here.rows["fidelity"].eq(NOISE.fidelity).all()
    assert "pymc-marketing" in json.loads(here.rows["versions"][0])


def test_dask_local_cluster_gives_the_same_rows():
    distributed = pytest.importorskip("distributed")
    local = run_study(NOISE, range(4), n_jobs=1, progress=False)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        remote = run_study(NOISE, range(4), client=client, progress=False)
    pd.testing.assert_frame_equal(_comparable(local.rows), _comparable(remote.rows))


def _flaky(seed):
    if seed == 2:
        raise RuntimeError("no convergence")
    return {"value": seed * 1.5, "claim_small": seed < 3}


def _never(seed):
    raise AssertionError(f"seed {seed} should have been skipped")


def test_a_failing_seed_is_recorded_and_the_study_goes_on():
    result = run_study(Study("flaky", _flaky, "toy"), range(4), n_jobs=1, progress=False)
    failed = result.rows.set_index("seed").loc[2]
    assert failed["status"] == "error" and "RuntimeError: no convergence" in failed["error"]
    assert (result.rows["status"] == "ok").sum() == 3
    assert result.claims.loc["small", ["k", "n"]].tolist() == [2, 3]
    meta = result.metadata()
    assert meta["n_failed"] == 1 and meta["claims"]["small"] == {"k": 2, "n": 3, "share": 0.6667}


def test_a_rerun_skips_the_seeds_already_done(tmp_path):
    out = tmp_path / "toy.csv"
    first = run_study(Study("toy", _flaky, "toy"), [0, 1, 3], n_jobs=1, output=out, progress=False)
    assert out.exists() and not out.with_suffix(".partial.jsonl").exists()
    again = run_study(Study("toy", _never, "toy"), [0, 1, 3], n_jobs=1, output=out, progress=False)
    pd.testing.assert_frame_equal(
        _comparable(first.rows), _comparable(again.rows), check_dtype=False
    )
    # a run killed half-way left a journal: its finished seeds count as done
    out.unlink()
    journal = out.with_suffix(".partial.jsonl")
    journal.write_text(json.dumps(first.rows.iloc[0].to_dict(), default=str) + "\n")
    resumed = run_study(Study("toy", _flaky, "toy"), [0, 1], n_jobs=1, output=out, progress=False)
    assert list(resumed.rows["seed"]) == [0, 1] and not journal.exists()


def test_claims_must_be_booleans():
    bad = Study("bad", lambda seed: {"claim_x": 1}, "toy")
    row = run_study(bad, [0], n_jobs=1, progress=False).rows.iloc[0]
    assert row["status"] == "error" and "claims must be True or False" in row["error"]


def test_run_study_checks_its_arguments():
    with pytest.raises(ValueError, match="seeds must be distinct"):
        run_study(NOISE, [1, 1], progress=False)
    with pytest.raises(ValueError, match="seeds must not be empty"):
        run_study(NOISE, [], progress=False)
    with pytest.raises(ValueError, match=r"^seeds\[\] must be"):
        run_study(NOISE, [-1], progress=False)
    with pytest.raises(ValueError, match=r"^n_jobs must be"):
        run_study(NOISE, [0], n_jobs=0, progress=False)
    with pytest.raises(ValueError, match="name must be one of"):
        load_study("nope")


def test_claim_summary_interval():
    rows = pd.DataFrame({"status": ["ok"] * 10, "claim_a": [True] * 9 + [False]})
    summary = claim_summary(rows).loc["a"]
    assert (summary["k"], summary["n"]) == (9, 10) and summary["low"] < 0.9 < summary["high"] < 1


def test_cli_writes_csv_and_json(tmp_path, capsys):
    assert main(["noise", "--seeds", "0:3", "--n-jobs", "1", "--output", str(tmp_path)]) == 0
    rows, meta = load_study("noise", tmp_path)
    assert list(rows["seed"]) == [0, 1, 2] and meta["seeds"] == [0, 1, 2]
    assert "exact_keeps_the_level" in capsys.readouterr().out


@pytest.mark.parametrize("name", sorted(STUDIES))
def test_committed_studies_agree_with_their_sidecars(name):
    rows, meta = load_study(name)
    summary = claim_summary(rows)
    assert meta["seeds"] == rows["seed"].tolist() and meta["fidelity"] == STUDIES[name].fidelity
    for claim, counts in meta["claims"].items():
        assert (summary.loc[claim, "k"], summary.loc[claim, "n"]) == (counts["k"], counts["n"])
    assert rows["seed"].tolist() == list(DEFAULT_SEEDS[name])
    assert (rows["status"] == "ok").all(), rows.loc[rows["status"] != "ok", "error"].tolist()
    words = {"fast": "fast mode", "full": "full fidelity"}
    if STUDIES[name].sampling in words:
        assert words[STUDIES[name].sampling] in meta["fidelity"] and meta["peak_rss_mb"] > 0


CHEAP = [name for name in sorted(STUDIES) if STUDIES[name].sampling == "none"]
FITTED = [name for name in sorted(STUDIES) if STUDIES[name].sampling != "none"]


@pytest.mark.parametrize("name", CHEAP)
def test_every_cheap_study_reproduces_its_committed_rows(name):
    result = run_study(STUDIES[name], [0, 1], n_jobs=1, progress=False)
    assert (result.rows["status"] == "ok").all(), result.rows["error"].tolist()
    rows, _ = load_study(name)
    committed = rows[rows["seed"].isin([0, 1])].reset_index(drop=True)
    claims = [c for c in rows.columns if c.startswith("claim_")]
    np.testing.assert_array_equal(result.rows[claims].to_numpy(), committed[claims].to_numpy())


@pytest.mark.slow
@pytest.mark.parametrize("name", FITTED)
def test_every_fitted_study_runs_end_to_end_at_smoke_fidelity(name, monkeypatch):
    from labkit import sampling

    monkeypatch.setenv("LABKIT_SMOKE", "1")
    # at smoke fidelity the sampler is PyMC's, whose compiled modules are cached on disk,
    # even where a study asks for nutpie (a fresh numba compile per refit)
    mmm_fit_kwargs = sampling.mmm_fit_kwargs

    def pymc_at_smoke(*args, **kwargs):
        kwargs.pop("nuts_sampler", None)
        return mmm_fit_kwargs(*args, **kwargs)

    monkeypatch.setattr(sampling, "mmm_fit_kwargs", pymc_at_smoke)
    # one world: the runner's handling of several is tested on the cheap studies
    result = run_study(STUDIES[name], [0], n_jobs=1, progress=False)
    assert (result.rows["status"] == "ok").all(), result.rows["error"].tolist()
    rows, _ = load_study(name)
    assert set(result.rows.columns) == set(rows.columns), "the committed rows have every column"
    assert result.rows.filter(like="claim_").isin([True, False]).all().all()


def test_plot_claims():
    import matplotlib.pyplot as plt

    from labkit.study.plots import plot_claims

    rows = pd.DataFrame(
        {
            "status": ["ok"] * 10,
            "claim_a": [True] * 9 + [False],
            "claim_b": [True] * 5 + [False] * 5,
        }
    )
    fig = plot_claims(claim_summary(rows))
    ax = fig.axes[0]
    assert len(ax.patches) == 2 and [t.get_text() for t in ax.get_yticklabels()] == ["a", "b"]
    plt.close(fig)
    with pytest.raises(ValueError, match="no claims"):
        plot_claims(claim_summary(pd.DataFrame({"status": ["ok"]})))


def test_plot_predicted_vs_realised():
    import matplotlib.pyplot as plt

    from labkit.study.plots import plot_predicted_vs_realised

    fig = plot_predicted_vs_realised(
        {"tv": (np.array([0.2, 0.4]), np.array([0.25, 0.3])), "social": (np.ones(3), np.ones(3))}
    )
    ax = fig.axes[0]
    assert [len(c.get_offsets()) for c in ax.collections[1:]] == [2, 3]  # after the band
    assert ax.get_xlim() == ax.get_ylim() and ax.get_xlim()[1] == pytest.approx(1.1)
    assert ax.get_title() == "5 refits in simulated worlds"
    plt.close(fig)
    with pytest.raises(ValueError, match="one length"):
        plot_predicted_vs_realised({"tv": (np.ones(2), np.ones(3))})
    with pytest.raises(ValueError, match="at least one"):
        plot_predicted_vs_realised({})
    with pytest.raises(ValueError, match=r"^band"):
        plot_predicted_vs_realised({"tv": (np.ones(2), np.ones(2))}, band=-0.1)


def test_model_spec_tells_models_apart():
    from pymc_extras.prior import Prior

    from labkit.study.elicitation import build_elicitation_mmm, generic_priors
    from labkit.study.spec import model_spec

    same = model_spec(build_elicitation_mmm(generic_priors())) == model_spec(
        build_elicitation_mmm(generic_priors())
    )
    wider = generic_priors() | {"alpha": Prior("HalfNormal", sigma=2, dims="channel")}
    assert same and model_spec(build_elicitation_mmm(generic_priors())) != model_spec(
        build_elicitation_mmm(wider)
    )


def test_a_fast_study_runs_in_fast_mode_and_restores_the_environment(monkeypatch):
    import os

    monkeypatch.delenv("LABKIT_FAST", raising=False)

    def mode(seed):
        return {"fast": os.environ.get("LABKIT_FAST"), "claim_ran": True}

    row = run_seed_of(Study("mode", mode, fidelity="fast", sampling="fast"))
    assert row["fast"] == "1" and "LABKIT_FAST" not in os.environ
    assert row["peak_rss_mb"] > 0
    # a full-fidelity study ignores LABKIT_FAST and leaves it as it was
    monkeypatch.setenv("LABKIT_FAST", "1")
    row = run_seed_of(Study("mode", mode, fidelity="full", sampling="full"))
    assert row["fast"] is None and os.environ["LABKIT_FAST"] == "1"
    with pytest.raises(ValueError, match=r"^sampling must be one of"):
        Study("mode", mode, fidelity="fast", sampling="quick")


def run_seed_of(study):
    from labkit.study.runner import run_seed

    return run_seed(study, 0)


def test_assert_general_uses_the_jeffreys_lower_bound():
    from labkit.study import GENERAL_LOWER_BOUND, assert_general

    rows = pd.DataFrame(
        {
            "status": ["ok"] * 40,
            "claim_sixteen": [True] * 16 + [False] * 4 + [None] * 20,
            "claim_thirty_six": [True] * 36 + [False] * 4,
        }
    )
    summary = claim_summary(rows)
    assert summary.loc["sixteen", "low"] < GENERAL_LOWER_BOUND <= summary.loc["thirty_six", "low"]
    assert_general(summary, ["thirty_six"])
    with pytest.raises(AssertionError, match=r"sixteen \(16/20, lower bound 0\.63\)"):
        assert_general(summary)
    with pytest.raises(ValueError, match=r"claims \['nope'\] are not in the summary"):
        assert_general(summary, ["nope"])
