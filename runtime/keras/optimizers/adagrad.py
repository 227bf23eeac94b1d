"""`Adagrad`: per-parameter learning rates from the sum of squared gradients."""
from __future__ import annotations

import ember as em

from .optimizer import Optimizer, is_number


class Adagrad(Optimizer):
    """Adagrad (Duchi et al., 2011), with Keras 3's update rule.

    `acc += g^2`, then `w -= lr * g / sqrt(acc + epsilon)`.

    Args:
        learning_rate: a float or a `LearningRateSchedule`.
        initial_accumulator_value: the starting value of the accumulators; must be >= 0.
        epsilon: a small constant for numerical stability (inside the square root).
        **kwargs: the base `Optimizer` arguments.

    Example:
        >>> import ember as em, numpy as np
        >>> w = em.Variable(np.ones(2, np.float32))
        >>> em.keras.optimizers.Adagrad(learning_rate=0.1).apply([np.ones(2, np.float32)], [w])
        >>> w.numpy().round(4)
        array([0.9047, 0.9047], dtype=float32)
    """

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        if not is_number(initial_accumulator_value) or initial_accumulator_value < 0:
            raise ValueError(f"`initial_accumulator_value` must be a float >= 0. Received: "
                             f"initial_accumulator_value={initial_accumulator_value!r}")
        if not is_number(epsilon) or epsilon < 0:
            raise ValueError(f"`epsilon` must be a non-negative float. Received: epsilon={epsilon!r}")
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon
        self._accumulators: list = []

    def build(self, variables) -> None:
        if self.built:
            return
        super().build(variables)
        self._accumulators = self.add_optimizer_variables(
            self._trainable_variables, "accumulator", initializer=self.initial_accumulator_value)

    def update_step(self, gradient, variable, learning_rate) -> None:
        accumulator = self._slot(self._accumulators, variable)
        accumulator.assign_add(em.square(gradient))
        variable.assign_sub(learning_rate * gradient / em.sqrt(accumulator.value() + self.epsilon))

    def get_config(self) -> dict:
        return {**super().get_config(),
                "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}
