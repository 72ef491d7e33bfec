"""labkit: notebook-first Bayesian marketing measurement.

One subpackage per question the book answers, each holding its maths, its
figures (``plots``) and its widget (``widgets``):

- :mod:`labkit.design`: which lift test to run next (chapter 1);
- :mod:`labkit.geo`: geo lift tests calibrating a hierarchical MMM (chapter 2);
- :mod:`labkit.roas`: ROAS against the truth, lift tests against a confounder (chapter 3);
- :mod:`labkit.elicitation`: from an experiment to priors (chapter 4);
- :mod:`labkit.data`: the simulated data sets, their truth and their registry.

Shared: :mod:`labkit.stats` (HDIs, power, assurance, divergences),
:mod:`labkit.response` (adstock and saturation curves), :mod:`labkit.causal`
(CausalPy effect draws), :mod:`labkit.sampling` (fast mode and sampler settings).

Top level: :func:`load_dataset`, :func:`setup_notebook`, :func:`is_fast`,
:func:`mode_banner`.
"""

from importlib.metadata import PackageNotFoundError, version

from labkit import _notices, sampling
from labkit.data import load_dataset
from labkit.sampling import is_fast, mode_banner, setup_notebook

# third-party notices raised while PyTensor and ArviZ are imported are silenced
# there, not in the process (labkit._notices); none of the imports above loads them
_notices.install()

try:
    __version__ = version("labkit")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "__version__",
    "is_fast",
    "load_dataset",
    "mode_banner",
    "sampling",
    "setup_notebook",
]
