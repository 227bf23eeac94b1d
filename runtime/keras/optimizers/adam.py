"""`Adam`: adaptive moment estimation, with the AMSGrad variant."""
from __future__ import annotations

import ember as em

from .optimizer import Optimizer, is_number


class Adam(Optimizer):
    """Adam (Kingma & Ba), with Keras 3's update rule.

    With `t = iterations + 1`: `m += (g - m) * (1 - beta_1)`, `v += (g^2 - v) * (1 - beta_2)`,
    `alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)` and
    `w -= m * alpha / (sqrt(v) + epsilon)` (epsilon is "epsilon hat", added outside the
    bias correction). With `amsgrad=True`, `v_hat = max(v_hat, v)` replaces `v`.

    Args:
        learning_rate: a float or a `LearningRateSchedule`.
        beta_1: the decay rate of the first moment estimates.
        beta_2: the decay rate of the second moment estimates.
        epsilon: a small constant for numerical stability.
        amsgrad: whether to apply AMSGrad (Reddi et al., 2018).
        **kwargs: the base `Optimizer` arguments.

    Example:
        >>> import ember as em, numpy as np
        >>> w = em.Variable(np.ones(2, np.float32))
        >>> em.keras.optimizers.Adam(learning_rate=0.1).apply([np.ones(2, np.float32)], [w])
        >>> w.numpy().round(4)
        array([0.9, 0.9], dtype=float32)
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        for arg, value in (("beta_1", beta_1), ("beta_2", beta_2)):
            if not is_number(value) or not 0 <= value < 1:
                raise ValueError(f"`{arg}` must be a float in [0, 1). Received: {arg}={value!r}")
        if not is_number(epsilon) or epsilon < 0:
            raise ValueError(f"`epsilon` must be a non-negative float. Received: epsilon={epsilon!r}")
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.amsgrad = amsgrad
        self._momentums: list = []
        self._velocities: list = []
        self._velocity_hats: list = []

    def build(self, variables) -> None:
        if self.built:
            return
        super().build(variables)
        self._momentums = self.add_optimizer_variables(self._trainable_variables, "momentum")
        self._velocities = self.add_optimizer_variables(self._trainable_variables, "velocity")
        if self.amsgrad:
            self._velocity_hats = self.add_optimizer_variables(self._trainable_variables,
                                                               "velocity_hat")

    def update_step(self, gradient, variable, learning_rate) -> None:
        local_step = em.cast(self.iterations + 1, variable.dtype)
        beta_1_power = em.pow(em.constant(self.beta_1, variable.dtype), local_step)
        beta_2_power = em.pow(em.constant(self.beta_2, variable.dtype), local_step)
        m = self._slot(self._momentums, variable)
        v = self._slot(self._velocities, variable)
        alpha = learning_rate * em.sqrt(1 - beta_2_power) / (1 - beta_1_power)
        m.assign_add((gradient - m.value()) * (1 - self.beta_1))
        v.assign_add((em.square(gradient) - v.value()) * (1 - self.beta_2))
        v_value = v.value()
        if self.amsgrad:
            v_hat = self._slot(self._velocity_hats, variable)
            v_hat.assign(em.maximum(v_hat.value(), v_value))
            v_value = v_hat.value()
        variable.assign_sub(m.value() * alpha / (em.sqrt(v_value) + self.epsilon))

    def get_config(self) -> dict:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}
