"""Shared test configuration: a non-interactive matplotlib backend, fast mode off by default."""

import matplotlib

matplotlib.use("Agg")

import pytest


@pytest.fixture
def full_mode(monkeypatch):
    """Run a test with LABKIT_FAST unset (full fidelity)."""
    monkeypatch.delenv("LABKIT_FAST", raising=False)


@pytest.fixture
def fast_mode(monkeypatch):
    """Run a test with LABKIT_FAST=1."""
    monkeypatch.setenv("LABKIT_FAST", "1")
