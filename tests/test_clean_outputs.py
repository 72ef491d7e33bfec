import importlib.util
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("clean_outputs", ROOT / "scripts/clean_outputs.py")
clean_outputs = importlib.util.module_from_spec(spec)
spec.loader.exec_module(clean_outputs)

WIDGET = "application/vnd.jupyter.widget-view+json"
VIEW = {"model_id": "abc", "version_major": 2, "version_minor": 0}


def _display(data):
    return nbformat.v4.new_output("display_data", data=data)


def test_removes_progress_leftovers_and_keeps_results(tmp_path):
    results = [
        nbformat.v4.new_output("stream", name="stdout", text="baseline divergences: 0\n"),
        _display({WIDGET: VIEW, "text/plain": "DesignerExplorer(children=(HBox(...),))"}),
        _display({"text/html": "<table></table>", "text/plain": "   a\n0  1"}),
        _display({"text/html": "<pre>ROAS 93.4</pre>", "text/plain": "ROAS 93.4"}),
    ]
    leftovers = [
        _display({WIDGET: VIEW, "text/plain": "Output()"}),
        _display({WIDGET: VIEW, "text/plain": "0it [00:00, ?it/s]"}),
        _display({WIDGET: VIEW, "text/plain": " 40%|####      | 2/5 [00:03<00:05, 1.6s/it]"}),
        _display({"text/html": '<pre style="white-space:pre"></pre>\n', "text/plain": ""}),
        nbformat.v4.new_output("stream", name="stderr", text=""),
    ]
    cell = nbformat.v4.new_code_cell("fit()", outputs=results[:2] + leftovers + results[2:])
    path = tmp_path / "nb.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), path)
    assert clean_outputs.clean(path) == len(leftovers)
    assert nbformat.read(path, as_version=4).cells[0].outputs == results
    assert clean_outputs.clean(path) == 0
