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

import warnings
from importlib.metadata import PackageNotFoundError, version

# Notices that say nothing about a reader's results, silenced by their exact
# text before PyMC is imported:
# - PyTensor installed from PyPI finds no BLAS to link its C code against and says
#   so. labkit's models are small; its samplers (nutpie, numba) and CI's fast-mode
#   runs work without it, only some C ops are slower.
# - pymc-marketing imports PyTensor's experimental xtensor module, which announces
#   itself; labkit does not use it directly.
# - PreliZ evaluates densities with PyTensor's numba backend, which notes once that it
#   runs one op (XlogY0) in Python object mode: slower, same numbers.
# And ArviZ's notice of its coming refactor, printed once a day on first import
# (labkit pins ArviZ 0.23).
warnings.filterwarnings("ignore", message="PyTensor could not link to a BLAS", category=UserWarning)
warnings.filterwarnings("ignore", message="Numba will use object mode", category=UserWarning)
warnings.filterwarnings("ignore", message="xtensor module is experimental", category=UserWarning)
warnings.filterwarnings("ignore", message=r"\s*ArviZ is undergoing", category=FutureWarning)

from labkit import sampling  # noqa: E402
from labkit.data import load_dataset  # noqa: E402
from labkit.sampling import is_fast, mode_banner, setup_notebook  # noqa: E402

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
