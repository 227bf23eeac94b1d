"""`RMSprop`: gradients divided by a moving root mean square of their magnitude."""
from __future__ import annotations

import ember as em

from .optimizer import Optimizer, is_number


class RMSprop(Optimizer):
    """RMSprop (Hinton), with Keras 3's update rule.

    `v = rho * v + (1 - rho) * g^2`; with `centered=True` also `a = rho * a + (1 - rho) * g`
    and the denominator `v - a^2 + epsilon`, else `v + epsilon`; `inc = lr * g / sqrt(den)`.
    Then `w -= inc`, or with momentum `mom = momentum * mom + inc; w -= mom`.

    Args:
        learning_rate: a float or a `LearningRateSchedule`.
        rho: the discounting factor of the moving average of squared gradients.
        momentum: a float >= 0; if > 0, a momentum slot is used.
        epsilon: a small constant for numerical stability (inside the square root).
        centered: normalize by the estimated variance of the gradient instead of its
            second moment.
        **kwargs: the base `Optimizer` arguments.

    Example:
        >>> import ember as em, numpy as np
        >>> w = em.Variable(np.ones(2, np.float32))
        >>> em.keras.optimizers.RMSprop(learning_rate=0.01).apply([np.ones(2, np.float32)], [w])
        >>> w.numpy().round(4)
        array([0.9684, 0.9684], dtype=float32)
    """

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
                 centered=False, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        if not is_number(rho) or not 0 <= rho < 1:
            raise ValueError(f"`rho` must be a float in [0, 1). Received: rho={rho!r}")
        if not is_number(momentum) or momentum < 0:
            raise ValueError(f"`momentum` must be a float >= 0. Received: momentum={momentum!r}")
        if not is_number(epsilon) or epsilon < 0:
            raise ValueError(f"`epsilon` must be a non-negative float. Received: epsilon={epsilon!r}")
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered
        self._velocities: list = []
        self._momentums: list = []
        self._average_gradients: list = []

    def build(self, variables) -> None:
        if self.built:
            return
        super().build(variables)
        variables = self._trainable_variables
        self._velocities = self.add_optimizer_variables(variables, "velocity")
        if self.momentum > 0:
            self._momentums = self.add_optimizer_variables(variables, "momentum")
        if self.centered:
            self._average_gradients = self.add_optimizer_variables(variables, "average_gradient")

    def update_step(self, gradient, variable, learning_rate) -> None:
        rho = float(self.rho)
        velocity = self._slot(self._velocities, variable)
        velocity.assign(rho * velocity.value() + (1 - rho) * em.square(gradient))
        if self.centered:
            average = self._slot(self._average_gradients, variable)
            average.assign(rho * average.value() + (1 - rho) * gradient)
            denominator = velocity.value() - em.square(average.value()) + self.epsilon
        else:
            denominator = velocity.value() + self.epsilon
        increment = learning_rate * gradient / em.sqrt(denominator)
        if self.momentum > 0:
            momentum = self._slot(self._momentums, variable)
            momentum.assign(float(self.momentum) * momentum.value() + increment)
            variable.assign_sub(momentum.value())
        else:
            variable.assign_sub(increment)

    def get_config(self) -> dict:
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}
