import numpy as np
import pandas as pd
import pytest

from labkit.data import DATA_DIR, DATASETS, dataset_bytes, load_dataset, loaded, write_datasets


@pytest.mark.parametrize("name", sorted(DATASETS))
@pytest.mark.slow
def test_committed_files_regenerate_byte_for_byte(name):
    csv, truth = dataset_bytes(DATASETS[name].simulate())
    assert (DATA_DIR / f"{name}.csv").read_bytes() == csv
    assert (DATA_DIR / f"{name}.json").read_bytes() == truth


def test_unknown_name_lists_known_names():
    with pytest.raises(ValueError, match="known data sets are") as err:
        load_dataset("geo-panel")
    for name in DATASETS:
        assert name in str(err.value)


def test_missing_file_says_how_to_regenerate(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"python -m labkit\.data"):
        load_dataset("confounded", directory=tmp_path)


def test_write_then_load_round_trip(tmp_path):
    write_datasets(tmp_path, ["two_countries"])
    ds = load_dataset("two_countries", directory=tmp_path)
    assert pd.api.types.is_datetime64_any_dtype(ds.data["date"])
    assert ds.truth["channels"]["meta"]["saturation_alpha"] == 2.75


@pytest.mark.parametrize("name", ["geo_panel", "two_countries"])
def test_loaded_equals_what_load_dataset_reads(tmp_path, name):
    write_datasets(tmp_path, [name])
    on_disk = load_dataset(name, directory=tmp_path)
    in_memory = loaded(DATASETS[name].simulate())
    pd.testing.assert_frame_equal(in_memory.data, on_disk.data)
    assert in_memory.truth == on_disk.truth
    assert in_memory.description == on_disk.description


def test_loaded_rejects_other_objects():
    with pytest.raises(TypeError, match="dataset must be a SimulatedDataset"):
        loaded(load_dataset("confounded"))


def test_geo_panel_properties():
    ds = load_dataset("geo_panel")
    df, truth = ds.data, ds.truth
    assert df["geo"].nunique() == 8 and df["date"].nunique() == 104
    pre = df[~df["experiment"]]
    assert pre[["channel_1", "channel_2"]].corr().iloc[0, 1] > 0.98
    treated = df["geo"].isin(truth["treated_geos"]) & df["experiment"]
    jump = df.loc[treated, "channel_1"] - df.loc[treated, "channel_1_counterfactual"]
    # +0.15 everywhere, except where the 1.2 spend cap clips it
    assert (jump <= 0.15 + 1e-9).all() and (jump > 0).all()
    assert (np.isclose(jump, 0.15)).mean() > 0.9
    untreated = ~treated
    assert np.array_equal(
        df.loc[untreated, "channel_1"], df.loc[untreated, "channel_1_counterfactual"]
    )
    assert df.loc[df["experiment"], "date"].nunique() == 8
    assert truth["adstock_alpha"] == {"channel_1": 0.5, "channel_2": 0.5}


def test_confounded_truth_is_exact_and_ordered():
    ds = load_dataset("confounded")
    df, roas = ds.data, ds.truth["true_roas"]
    assert len(df) == 131
    for ch, cf in (("x1", "y01"), ("x2", "y02")):
        exact = (df["y"] - df[cf]).sum() / df[ch].sum()
        assert exact == pytest.approx(roas[ch], rel=1e-8)
        effect = 100 * df[f"{ch}_effect"]
        np.testing.assert_allclose(df["y"] - df[cf], effect, atol=1e-6)
    assert roas["x2"] > roas["x1"]
    assert np.corrcoef(df["x1"], df["z"])[0, 1] > 0.3
    assert abs(np.corrcoef(df["x2"], df["z"])[0, 1]) < 0.2


def test_two_countries_cut():
    ds = load_dataset("two_countries")
    df, truth = ds.data, ds.truth
    assert len(df) == 150
    window = df["treatment"]
    assert window.sum() == truth["treatment_weeks"] == 10
    ratio = df.loc[window, "meta"] / df.loc[window, "meta_counterfactual"]
    np.testing.assert_allclose(ratio, 0.1)
    assert (df.loc[~window, "meta"] == df.loc[~window, "meta_counterfactual"]).all()
    assert truth["true_lost_sales_in_window"] > 0


# --------------------------------------------------------------------------- argument checks


def test_write_datasets_takes_one_name_and_rejects_an_empty_list(tmp_path, monkeypatch):
    from labkit import data
    from labkit.data.simulate import SimulatedDataset

    tiny = SimulatedDataset("confounded", pd.DataFrame({"a": [1.0, 2.0]}), {"seed": 1})
    monkeypatch.setitem(
        data.DATASETS, "confounded", data._Entry(lambda: tiny, ("date",), "tiny stand-in")
    )
    written = write_datasets(tmp_path, "confounded")  # one name, not its characters
    assert sorted(p.name for p in written) == ["confounded.csv", "confounded.json"]
    with pytest.raises(ValueError, match=r"^names must not be empty"):
        write_datasets(tmp_path, [])
    with pytest.raises(ValueError, match=r"^unknown data set 'nope'"):
        write_datasets(tmp_path, "nope")
    with pytest.raises(ValueError, match=r"^names repeats"):
        write_datasets(tmp_path, ["confounded", "confounded"])


def test_loaders_name_the_argument():
    from labkit.data import truth_frame

    with pytest.raises(TypeError, match=r"^directory must be a str or Path"):
        load_dataset("confounded", directory=3)
    with pytest.raises(TypeError, match=r"^dataset must be a loaded data set"):
        truth_frame({"seed": 1})
    with pytest.raises(TypeError, match=r"^dataset must be a SimulatedDataset"):
        dataset_bytes(pd.DataFrame())


def test_cli_checks_the_committed_files_without_writing(tmp_path, capsys):
    from labkit.data.__main__ import _main

    assert _main(["--check", "confounded", "two_countries"]) == 0
    assert "all 2 data sets match" in capsys.readouterr().out
    assert _main(["--check", "--dir", str(tmp_path), "two_countries"]) == 1
    assert "two_countries.csv" in capsys.readouterr().out
    assert not list(tmp_path.iterdir())
    assert _main(["--dir", str(tmp_path), "two_countries"]) == 0
    assert (tmp_path / "two_countries.csv").read_bytes() == (
        DATA_DIR / "two_countries.csv"
    ).read_bytes()


def test_cli_help_describes_the_command(capsys):
    from labkit.data.__main__ import _main

    with pytest.raises(SystemExit):
        _main(["--help"])
    out = capsys.readouterr().out
    assert "Regenerate the book's simulated data sets" in out and "--check" in out
    assert "TODO" not in out


def test_simulators_share_the_response_curves():
    """The numpy curves reproduce the committed effects: one home for adstock and saturation."""
    from labkit.response import geometric_adstock, logistic

    ds = load_dataset("confounded")
    for ch in ("x1", "x2"):
        p = ds.truth["channels"][ch]
        ad = geometric_adstock(ds.data[ch].to_numpy(), p["adstock_alpha"], ds.truth["l_max"])
        np.testing.assert_allclose(ds.data[f"{ch}_adstock"], ad, rtol=1e-9)
        effect = p["beta"] * logistic(ad, p["saturation_lam"], 1.0)
        np.testing.assert_allclose(ds.data[f"{ch}_effect"], effect, rtol=1e-9)
