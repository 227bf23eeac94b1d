"""`Metric`: the base class of ember's Keras metrics.

A metric keeps its running state in non-trainable `em.Variable`s created in `__init__`.
`update_state` changes them with ember ops and `assign_add`, so it runs eagerly or inside a
compiled `@em.function` step (where the variables become inputs and outputs of the
compiled code); `result()` reads them.
"""
from __future__ import annotations

import numbers
import re

import numpy as np

import ember as em
from ember.frontend.dtypes import as_dtype


class Metric:
    """Base metric: subclasses create state with `add_variable` in `__init__` and implement
    `update_state(...)` and `result()`.

    Args:
        name: the metric's name (default: the class name in snake_case); it names the
            value in training logs.
        dtype: the dtype of the state and the result (default float32).

    Example:
        >>> import ember as em
        >>> class Total(em.keras.metrics.Metric):
        ...     def __init__(self, name="total", dtype=None):
        ...         super().__init__(name=name, dtype=dtype)
        ...         self.total = self.add_variable((), "zeros", name="total")
        ...     def update_state(self, values):
        ...         self.total.assign_add(em.reduce_sum(em.cast(values, self.dtype)))
        ...     def result(self):
        ...         return self.total.value()
        >>> m = Total()
        >>> m.update_state([1.0, 2.0]); float(m.result())
        3.0
    """

    direction = None  # NOTE: "up" or "down": which way is better (EarlyStopping's mode="auto")

    def __init__(self, name=None, dtype=None):
        self.name = name or _snake_case(type(self).__name__)
        self.dtype = em.float32 if dtype is None else as_dtype(dtype)
        if not self.dtype.is_float:
            raise ValueError(f"A metric's dtype must be a float dtype. Received: dtype={dtype!r}")
        self._variables: list = []

    def add_variable(self, shape, initializer="zeros", dtype=None, name=None) -> em.Variable:
        """A new non-trainable state Variable of `shape`, filled with `initializer`
        ("zeros", "ones" or a number); its dtype defaults to the metric's."""
        if initializer == "zeros":
            fill = 0
        elif initializer == "ones":
            fill = 1
        elif isinstance(initializer, numbers.Real) and not isinstance(initializer, bool):
            fill = initializer
        else:
            raise ValueError(f"Unknown initializer: expected 'zeros', 'ones' or a number. "
                             f"Received: initializer={initializer!r}")
        dtype = self.dtype if dtype is None else as_dtype(dtype)
        value = np.full(tuple(shape), fill, dtype=dtype.numpy)
        variable = em.Variable(value, trainable=False, name=f"{self.name}/{name or 'variable'}")
        self._variables.append(variable)
        return variable

    @property
    def variables(self) -> list:
        """The state Variables, in creation order."""
        return list(self._variables)

    def reset_state(self) -> None:
        """Sets every state Variable to zeros (called at the start of each epoch)."""
        for v in self._variables:
            v.assign(np.zeros(v.shape, v.dtype.numpy))

    def update_state(self, *args, **kwargs) -> None:
        raise NotImplementedError(f"{type(self).__name__} must implement `update_state`.")

    def result(self):
        raise NotImplementedError(f"{type(self).__name__} must implement `result`.")

    def __call__(self, *args, **kwargs):
        """`update_state(...)`, then `result()`."""
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype.name}

    @classmethod
    def from_config(cls, config: dict) -> "Metric":
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"


def _snake_case(name: str) -> str:
    """Keras' to_snake_case: "MeanSquaredError" -> "mean_squared_error", "AUC" -> "auc"."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()
