"""`ember-own-fills`: a zero fill that CSE made the init of several ops is one fill per
writer, so no fill is left whole ahead of its writers and none is copied; results stay
right at 1 and 2 threads."""
from __future__ import annotations

import numpy as np
import pytest

import ember as em
from conftest import TOLERANCES, rng_for, using_threads
from ember.backends.cpu.backend import STAGES
from ember.passes import run_passes
from ember.runtime.lowered import parse


def _two_products(x, y, z):
    return (x @ y) * 2.0 + em.tanh(x @ z)


def _args():
    rng = rng_for("own_fills")
    return [rng.standard_normal(s).astype(np.float32) for s in [(131, 67), (67, 129), (67, 129)]]


def _fills_and_uses(text: str) -> list[int]:
    """How many ops read each linalg.fill's result, in a module's text."""
    module = parse(text)
    with module.context:
        fills = [op for op in module.body.operations[0].regions[0].blocks[0].operations
                 if op.operation.name == "linalg.fill"]
        return [len(list(f.results[0].uses)) for f in fills]


def test_each_product_gets_its_own_fill():
    text = em.function(_two_products).lower(*_args()).as_text("linalg")
    assert _fills_and_uses(text) == [2]   # one fill after CSE, read by both products
    passes = list(STAGES[-1].passes)
    module = parse(text)
    with module.context:
        run_passes(module, passes[:passes.index("ember-own-fills") + 1])
    assert _fills_and_uses(str(module)) == [1, 1]


@pytest.mark.parametrize("threads", [1, 2])
def test_products_sharing_a_fill_are_right(threads):
    args = _args()
    with using_threads(threads):
        got = em.function(_two_products)(*args).numpy()
    x, y, z = args
    np.testing.assert_allclose(got, (x @ y) * 2.0 + np.tanh(x @ z), **TOLERANCES["float32"])
