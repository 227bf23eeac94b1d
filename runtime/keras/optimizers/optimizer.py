"""`Optimizer`: the base class of ember's Keras optimizers.

Every piece of state that changes between training steps is an `em.Variable`: the step
counter `iterations`, the learning rate, and the slots (momenta, velocities). Inside an
`@em.function` training step, `apply` reads them as inputs of the compiled function and
writes their new values as outputs, so the whole update runs compiled and the step is
traced once: setting `optimizer.learning_rate` between steps assigns the learning rate
Variable and needs no retrace, and a schedule is evaluated from `iterations` in the step.
"""
from __future__ import annotations

import numbers
import re
import warnings

import numpy as np

import ember as em
from ember.frontend.dtypes import as_dtype

from .schedules import LearningRateSchedule
from .schedules import deserialize as deserialize_schedule
from .schedules import serialize as serialize_schedule


class Optimizer:
    """Base optimizer: gradient clipping, decoupled weight decay, the step counter, the
    learning rate (a float or a `LearningRateSchedule`) and the slot variables.

    Subclasses implement `build(variables)` (calling `super().build(variables)` first, then
    `add_variable_from_reference` for their slots), `update_step(gradient, variable,
    learning_rate)` with ember ops and Variable assignments, and `get_config`.

    Args:
        learning_rate: a float, or a `LearningRateSchedule` called with `iterations`.
        weight_decay: if set, each step first applies `variable -= variable * weight_decay * lr`.
        clipnorm: if set, each gradient is rescaled so that its L2 norm is at most this.
        clipvalue: if set, each gradient is clipped elementwise to [-clipvalue, clipvalue].
        global_clipnorm: if set, all gradients are rescaled together so that the L2 norm of
            their concatenation is at most this. At most one of the three clip options.
        name: the optimizer's name (prefixes its variables' names).

    Example:
        >>> import ember as em, numpy as np
        >>> w = em.Variable(np.ones(3, np.float32))
        >>> opt = em.keras.optimizers.SGD(learning_rate=0.1)
        >>> opt.apply([em.constant(np.ones(3, np.float32))], [w])
        >>> w.numpy()
        array([0.9, 0.9, 0.9], dtype=float32)
    """

    def __init__(self, learning_rate=0.001, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name=None, **kwargs):
        if kwargs:
            raise ValueError(f"Argument(s) not recognized: {kwargs}")
        clips = {"clipnorm": clipnorm, "clipvalue": clipvalue, "global_clipnorm": global_clipnorm}
        if sum(v is not None for v in clips.values()) > 1:
            raise ValueError(f"Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be "
                             f"set. Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
                             f"global_clipnorm={global_clipnorm}")
        for arg, value in {**clips, "weight_decay": weight_decay}.items():
            if value is not None and (not is_number(value) or value < 0):
                raise ValueError(f"Argument `{arg}` must be a non-negative number or None. "
                                 f"Received: {arg}={value!r}")
        self.name = name or type(self).__name__.lower()
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self.built = False
        self._variables: list = []
        self._trainable_variables: list = []
        self._index: dict[int, int] = {}
        self._exclude_ids: set[int] = set()
        self._exclude_pattern = None
        self._iterations = self._track(em.Variable(np.int64(0), trainable=False,
                                                   name=f"{self.name}/iteration"))
        if isinstance(learning_rate, LearningRateSchedule):
            self._learning_rate = learning_rate
        elif is_number(learning_rate) and learning_rate >= 0:
            self._learning_rate = self._track(em.Variable(
                np.float32(learning_rate), trainable=False, name=f"{self.name}/learning_rate"))
        else:
            raise ValueError(f"Argument `learning_rate` should be a non-negative float or an "
                             f"instance of LearningRateSchedule. Received: "
                             f"learning_rate={learning_rate!r}")

    # -- state -------------------------------------------------------------------------------
    @property
    def iterations(self) -> em.Variable:
        """The number of `apply` calls so far (an int64 Variable)."""
        return self._iterations

    @property
    def variables(self) -> list:
        """The optimizer's own variables: iterations, the learning rate (unless a schedule),
        then the slots in build order."""
        return list(self._variables)

    @property
    def learning_rate(self) -> float:
        """The current learning rate as a Python float (a schedule is evaluated at the
        current `iterations`). Read it outside traced code; the training step reads the
        learning rate Variable (or evaluates the schedule) itself."""
        if isinstance(self._learning_rate, LearningRateSchedule):
            return float(self._learning_rate(em.constant(self._iterations.numpy())))
        return float(self._learning_rate.numpy())

    @learning_rate.setter
    def learning_rate(self, value) -> None:
        if isinstance(self._learning_rate, LearningRateSchedule):
            raise TypeError("This optimizer was created with a `LearningRateSchedule` object as "
                            "its `learning_rate` constructor argument, hence its learning rate is "
                            "not settable. If you need the learning rate to be settable, you "
                            "should instantiate the optimizer with a float `learning_rate`.")
        if not is_number(value) or value < 0:
            raise ValueError(f"The learning rate must be set to a non-negative float (to change "
                             f"to a schedule, create a new optimizer). Received: "
                             f"learning_rate={value!r}")
        self._learning_rate.assign(np.float32(value))

    def current_learning_rate(self):
        """The learning rate as a float32 tensor: the schedule at `iterations`, or the value
        of the learning rate Variable (symbolic inside a trace)."""
        if isinstance(self._learning_rate, LearningRateSchedule):
            return em.cast(self._learning_rate(self._iterations), "float32")
        return self._learning_rate.value()

    def _track(self, variable):
        self._variables.append(variable)
        return variable

    # -- building ----------------------------------------------------------------------------
    def build(self, variables) -> None:
        """Records the variables this optimizer updates; subclasses add their slots after
        calling this. Called by the first `apply` if needed (also inside `@em.function`)."""
        variables = list(variables)
        for i, variable in enumerate(variables):
            if not isinstance(variable, em.Variable):
                raise ValueError(f"Optimizer '{self.name}' can only update em.Variable objects. "
                                 f"Received: variables[{i}] of type {type(variable).__name__}")
            self._index[id(variable)] = i
        self._trainable_variables = variables
        self.built = True

    def add_variable(self, shape, dtype="float32", initializer="zeros", name=None) -> em.Variable:
        """A new non-trainable Variable of the optimizer, filled with `initializer`
        ("zeros", "ones" or a number)."""
        if initializer == "zeros":
            fill = 0
        elif initializer == "ones":
            fill = 1
        elif is_number(initializer):
            fill = initializer
        else:
            raise ValueError(f"Unknown initializer: expected 'zeros', 'ones' or a number. "
                             f"Received: initializer={initializer!r}")
        value = np.full(tuple(shape), fill, dtype=as_dtype(dtype).numpy)
        return self._track(em.Variable(value, trainable=False, name=f"{self.name}/{name}"))

    def add_variable_from_reference(self, reference, name, initializer="zeros") -> em.Variable:
        """A slot Variable with the shape and dtype of `reference`."""
        return self.add_variable(reference.shape, reference.dtype, initializer,
                                 f"{reference.name}_{name}")

    def add_optimizer_variables(self, variables, name, initializer="zeros") -> list:
        """One slot per variable in `variables`."""
        return [self.add_variable_from_reference(v, name, initializer) for v in variables]

    def _slot(self, slots: list, variable):
        return slots[self._index[id(variable)]]

    def exclude_from_weight_decay(self, var_list=None, var_names=None) -> None:
        """Exempts `var_list` and variables whose name contains one of `var_names` from
        weight decay; call before the optimizer is built."""
        if self.built:
            raise ValueError("`exclude_from_weight_decay()` can only be configured before the "
                             "optimizer is built.")
        self._exclude_ids = {id(v) for v in (var_list or [])}
        self._exclude_pattern = re.compile("|".join(map(re.escape, var_names))) if var_names else None

    def _use_weight_decay(self, variable) -> bool:
        if id(variable) in self._exclude_ids:
            return False
        return self._exclude_pattern is None or self._exclude_pattern.search(variable.name) is None

    # -- applying ----------------------------------------------------------------------------
    def apply_gradients(self, grads_and_vars):
        """Applies `(gradient, variable)` pairs; returns `iterations`."""
        pairs = list(grads_and_vars)
        if not pairs:
            return self._iterations
        grads, variables = zip(*pairs)
        self.apply(list(grads), list(variables))
        return self._iterations

    def apply(self, grads, trainable_variables=None) -> None:
        """Updates `trainable_variables` (default: those the optimizer was built with) from
        `grads`, one per variable; a None gradient leaves its variable unchanged. Builds the
        optimizer on the first call. Works eagerly and inside `@em.function`."""
        grads = list(grads)
        if not grads:
            return
        if trainable_variables is None:
            if not self.built:
                raise ValueError("When passing `grads` without `variables`, the optimizer must "
                                 "already be built on a list of variables. Call "
                                 "`optimizer.build(trainable_variables)` first.")
            trainable_variables = self._trainable_variables
        else:
            trainable_variables = list(trainable_variables)
            if not self.built:
                self.build(trainable_variables)
        if len(grads) != len(trainable_variables):
            raise ValueError(f"Expected one gradient per variable: received {len(grads)} "
                             f"gradients for {len(trainable_variables)} variables.")
        self._check_variables_are_known(trainable_variables)
        grads, trainable_variables = self._filter_empty_gradients(grads, trainable_variables)
        grads = [em.cast(g, v.dtype) for g, v in zip(grads, trainable_variables)]
        for g, v in zip(grads, trainable_variables):
            if g.shape != v.shape:
                raise ValueError(f"Gradient of shape {g.shape} does not match variable "
                                 f"'{v.name}' of shape {v.shape}.")
        learning_rate = self.current_learning_rate()
        grads = self._clip_gradients(grads)
        self._apply_weight_decay(trainable_variables, learning_rate)
        for grad, variable in zip(grads, trainable_variables):
            self.update_step(grad, variable, em.cast(learning_rate, variable.dtype))
        self._iterations.assign_add(1)

    def update_step(self, gradient, variable, learning_rate) -> None:
        raise NotImplementedError(f"{type(self).__name__} must implement `update_step`.")

    def _check_variables_are_known(self, variables) -> None:
        for v in variables:
            if id(v) not in self._index:
                raise ValueError(f"Unknown variable: '{getattr(v, 'name', v)}'. This optimizer "
                                 f"can only be called for the variables it was originally built "
                                 f"with. When working with a new set of variables, you should "
                                 f"recreate a new optimizer instance.")

    @staticmethod
    def _filter_empty_gradients(grads, variables):
        kept = [(g, v) for g, v in zip(grads, variables) if g is not None]
        if not kept:
            raise ValueError("No gradients provided for any variable.")
        if len(kept) < len(grads):
            missing = [v.name for g, v in zip(grads, variables) if g is None]
            warnings.warn(f"Gradients do not exist for variables {missing} when minimizing the "
                          f"loss. If using `model.compile()`, did you forget to provide a "
                          f"`loss` argument?", stacklevel=3)
        return [g for g, _ in kept], [v for _, v in kept]

    def _clip_gradients(self, grads: list) -> list:
        if self.clipnorm:
            return [self._clip_by_norm(g) for g in grads]
        if self.global_clipnorm:
            return clip_by_global_norm(grads, self.global_clipnorm)
        if self.clipvalue:
            v = float(self.clipvalue)
            return [em.minimum(em.maximum(g, -v), v) for g in grads]
        return grads

    def _clip_by_norm(self, values):
        l2sum = em.reduce_sum(em.square(values))
        # NOTE: the two-sided where keeps sqrt away from 0, as Keras does (a NaN-free gradient).
        positive = l2sum > 0
        l2norm = em.where(positive, em.sqrt(em.where(positive, l2sum, 1.0)), l2sum)
        return values * float(self.clipnorm) / em.maximum(l2norm, float(self.clipnorm))

    def _apply_weight_decay(self, variables, learning_rate) -> None:
        if self.weight_decay is None:
            return
        for variable in variables:
            if self._use_weight_decay(variable):
                lr = em.cast(learning_rate, variable.dtype)
                variable.assign(variable.value() - variable.value() * float(self.weight_decay) * lr)

    # -- serialization -----------------------------------------------------------------------
    def get_config(self) -> dict:
        """The constructor arguments (the learning rate as a float or a serialized schedule)."""
        if isinstance(self._learning_rate, LearningRateSchedule):
            learning_rate = serialize_schedule(self._learning_rate)
        else:
            learning_rate = float(self._learning_rate.numpy())
        return {"name": self.name, "learning_rate": learning_rate,
                "weight_decay": self.weight_decay, "clipnorm": self.clipnorm,
                "global_clipnorm": self.global_clipnorm, "clipvalue": self.clipvalue}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None) -> "Optimizer":
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = deserialize_schedule(config["learning_rate"], custom_objects)
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name='{self.name}' built={self.built}>"


def global_norm(values: list):
    """The L2 norm of the concatenation of `values` (None entries skipped)."""
    return em.sqrt(sum(em.reduce_sum(em.square(v)) for v in values if v is not None))


def clip_by_global_norm(values: list, clip_norm) -> list:
    """`values` rescaled together so that their global norm is at most `clip_norm`
    (Keras' formula: an infinite or NaN norm makes every value NaN)."""
    norm = global_norm(values)
    scale = float(clip_norm) * em.minimum(1.0 / norm, 1.0 / float(clip_norm)) + (norm - norm)
    return [None if v is None else v * scale for v in values]


def is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)

