"""`AdamW`: Adam with decoupled weight decay."""
from __future__ import annotations

from .adam import Adam


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019), as Keras 3's AdamW.

    Before each Adam step, every variable not excluded with `exclude_from_weight_decay`
    decays as `w -= w * weight_decay * lr`, independently of the gradient.

    Args:
        learning_rate: a float or a `LearningRateSchedule`.
        weight_decay: the decay rate; must be set (not None).
        beta_1, beta_2, epsilon, amsgrad: as `Adam`.
        **kwargs: the base `Optimizer` arguments.

    Example:
        >>> import ember as em, numpy as np
        >>> w = em.Variable(np.ones(2, np.float32))
        >>> opt = em.keras.optimizers.AdamW(learning_rate=0.1, weight_decay=0.5)
        >>> opt.apply([np.zeros(2, np.float32)], [w])
        >>> w.numpy()
        array([0.95, 0.95], dtype=float32)
    """

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad=False, **kwargs):
        if weight_decay is None:
            raise ValueError("Argument `weight_decay` must be a float. Received: weight_decay=None")
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2,
                         epsilon=epsilon, amsgrad=amsgrad, weight_decay=weight_decay, **kwargs)
