import pytest

import ember as em
from ember.runtime import config


@pytest.fixture(autouse=True)
def _restore_threads(monkeypatch):
    saved = config._threads
    yield
    config._threads = saved


def test_set_threads_wins_over_the_environment(monkeypatch):
    monkeypatch.setenv("EMBER_NUM_THREADS", "3")
    em.config.set_threads(1)
    assert em.config.get_threads() == 1


def test_environment_variable_sets_the_default(monkeypatch):
    config._threads = None
    monkeypatch.setenv("EMBER_NUM_THREADS", "3")
    assert em.config.get_threads() == 3


def test_default_is_every_usable_core(monkeypatch):
    import os

    config._threads = None
    monkeypatch.delenv("EMBER_NUM_THREADS", raising=False)
    assert em.config.get_threads() == len(os.sched_getaffinity(0))


@pytest.mark.parametrize("bad", [0, -2, 1.5, "2", True])
def test_bad_thread_counts_are_refused(bad):
    with pytest.raises(em.EmberError, match=r"expected a positive int thread count, received"):
        em.config.set_threads(bad)


def test_bad_environment_value_names_the_variable(monkeypatch):
    config._threads = None
    monkeypatch.setenv("EMBER_NUM_THREADS", "many")
    with pytest.raises(em.EmberError, match="EMBER_NUM_THREADS.*'many'"):
        em.config.get_threads()
