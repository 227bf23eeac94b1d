import pytest

import ember as em
from ember.runtime import config


@pytest.fixture(autouse=True)
def _restore_settings(monkeypatch):
    saved = config._threads, config._vector_width
    yield
    config._threads, config._vector_width = saved


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


def test_vector_width_set_wins_over_the_environment_which_wins_over_the_host(monkeypatch):
    from ember.passes.tile_matmul import target_vector_bytes

    monkeypatch.delenv("EMBER_VECTOR_WIDTH", raising=False)
    config._vector_width = None
    assert em.config.get_vector_width() is None
    host = target_vector_bytes()
    assert host in (16, 32, 64)
    monkeypatch.setenv("EMBER_VECTOR_WIDTH", "256")
    assert em.config.get_vector_width() == 256 and target_vector_bytes() == 32
    em.config.set_vector_width(128)
    assert em.config.get_vector_width() == 128 and target_vector_bytes() == 16
    em.config.set_vector_width(None)
    assert em.config.get_vector_width() == 256


@pytest.mark.parametrize("bad", [64, 0, "256", 256.0, True])
def test_bad_vector_widths_are_refused(bad, monkeypatch):
    with pytest.raises(em.EmberError, match=r"expected a vector width in bits, one of 128, "
                                            r"256, 512, received"):
        em.config.set_vector_width(bad)
    monkeypatch.setenv("EMBER_VECTOR_WIDTH", "wide")
    with pytest.raises(em.EmberError, match=r"environment variable EMBER_VECTOR_WIDTH: expected"):
        em.config.get_vector_width()
