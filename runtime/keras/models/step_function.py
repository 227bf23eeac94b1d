"""`model.train_function`, `test_function`, `predict_function`: one step each, compiled.

Each wraps the model's step (`train_step`: forward, loss, gradients, optimizer update and
metric updates) in one `@em.function`, traced once per input signature, so the whole
step, backward pass included, is one compiled function. Before the first call the model,
its compiled loss and metrics and the optimizer are built from the batch's shapes (their
Variables must exist before tracing). With `run_eagerly=True` the same step runs eagerly.

Example:
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> print(model.train_function.lower(x[:32], y[:32]).as_text("fused"))   # the fused step
"""
from __future__ import annotations

import ember as em

from .data_adapter import to_arrays


class StepFunction:
    """A model's step for one kind ("train", "test" or "predict"), compiled unless eager."""

    def __init__(self, model, kind: str, eager: bool):
        self.model, self.kind, self.eager = model, kind, bool(eager)
        step = getattr(model, f"{kind}_step")

        def run_step(x, y=None, sample_weight=None):
            return step((x, y, sample_weight))

        run_step.__name__ = run_step.__qualname__ = f"{kind}_function"
        self._step = run_step
        self._function = None if self.eager else em.function(run_step)

    def _arguments(self, x, y, sample_weight) -> tuple:
        x, y = to_arrays(x, "x"), to_arrays(y, "y")
        sample_weight = to_arrays(sample_weight, "sample_weight")
        self.model._prepare_step(self.kind, x, y)
        return x, y, sample_weight

    def __call__(self, x, y=None, sample_weight=None):
        args = self._arguments(x, y, sample_weight)
        return (self._step if self.eager else self._function)(*args)

    def lower(self, x, y=None, sample_weight=None):
        """The IR of the compiled step for this batch, at every stage (`.as_text("fused")`)."""
        if self.eager:
            raise ValueError(f"The model was compiled with run_eagerly=True: its "
                             f"{self.kind}_function runs eagerly and has no IR to lower. "
                             f"Compile with run_eagerly=False.")
        return self._function.lower(*self._arguments(x, y, sample_weight))

    def get_concrete_function(self, x, y=None, sample_weight=None):
        if self.eager:
            raise ValueError("The model was compiled with run_eagerly=True: nothing is traced.")
        return self._function.get_concrete_function(*self._arguments(x, y, sample_weight))

    @property
    def trace_count(self) -> int:
        """How many input signatures were traced (0 when eager)."""
        return 0 if self.eager else self._function._trace_count

    def __repr__(self) -> str:
        mode = "eager" if self.eager else "compiled"
        return f"<StepFunction {self.kind}_function ({mode}) of model '{self.model.name}'>"
