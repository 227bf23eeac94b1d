"""`SGD`: gradient descent with optional (Nesterov) momentum."""
from __future__ import annotations

from .optimizer import Optimizer, is_number


class SGD(Optimizer):
    """Gradient descent with momentum (Keras 3's update rule).

    Without momentum: `w -= lr * g`. With momentum: `m = momentum * m - lr * g`, then
    `w += m`, or with `nesterov=True`: `w += momentum * m - lr * g`.

    Args:
        learning_rate: a float or a `LearningRateSchedule`.
        momentum: a float >= 0 accelerating descent along consistent directions.
        nesterov: whether to apply Nesterov momentum.
        **kwargs: the base `Optimizer` arguments (clipnorm, clipvalue, global_clipnorm,
            weight_decay, name).

    Example:
        >>> import ember as em, numpy as np
        >>> w = em.Variable(np.ones(2, np.float32))
        >>> opt = em.keras.optimizers.SGD(learning_rate=0.1, momentum=0.9)
        >>> opt.apply([np.ones(2, np.float32)], [w])
        >>> w.numpy()
        array([0.9, 0.9], dtype=float32)
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        if not is_number(momentum) or momentum < 0 or momentum > 1:
            raise ValueError(f"`momentum` must be a float between [0, 1]. Received: momentum={momentum!r}")
        self.momentum = momentum
        self.nesterov = nesterov
        self.momentums: list = []

    def build(self, variables) -> None:
        if self.built:
            return
        super().build(variables)
        if self.momentum != 0:
            self.momentums = self.add_optimizer_variables(self._trainable_variables, "momentum")

    def update_step(self, gradient, variable, learning_rate) -> None:
        if self.momentum == 0:
            variable.assign_sub(gradient * learning_rate)
            return
        m = self._slot(self.momentums, variable)
        momentum = float(self.momentum)
        m.assign(m.value() * momentum - gradient * learning_rate)
        if self.nesterov:
            variable.assign_add(m.value() * momentum - gradient * learning_rate)
        else:
            variable.assign_add(m.value())

    def get_config(self) -> dict:
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
