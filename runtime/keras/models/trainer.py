"""`Trainer`: compile, fit, evaluate, predict and the *_on_batch methods of `Model`.

fit runs `model.train_function` per batch: one compiled `@em.function` (forward, loss,
gradients, optimizer update and metric updates) traced once per batch shape, so an epoch
with a short last batch traces twice. Metrics are reset at the start of each epoch; the
logs of a batch are the epoch's running values.
"""
from __future__ import annotations

import numpy as np

import ember as em

from ....frontend import tree
from .. import callbacks as callbacks_module
from .. import metrics as metrics_module
from .. import optimizers as optimizers_module
from ..layers.keras_tensor import KerasTensor, eval_output_spec
from .compile_utils import CompileLoss, CompileMetrics, flatten_targets
from .data_adapter import (ArrayDataAdapter, train_validation_split, unpack_validation_data)
from .progress import ProgressBar
from .step_function import StepFunction


def _verbosity(verbose) -> int:
    if verbose == "auto":
        return 1
    if verbose not in (0, 1, 2) or isinstance(verbose, bool):
        raise ValueError(f"`verbose` must be 'auto', 0, 1 or 2. Received: verbose={verbose!r}")
    return int(verbose)


def _python_logs(logs: dict, order: list[str]) -> dict:
    """Step outputs as Python floats, in the order of the model's metrics."""
    keys = [k for k in order if k in logs] + [k for k in logs if k not in order]
    return {k: float(np.asarray(logs[k])) for k in keys}


def _spec_of(x):
    """KerasTensors with the shapes and dtypes of the arrays in `x`."""
    leaves, structure = tree.flatten(x)
    return tree.unflatten(structure, [KerasTensor(a.shape, a.dtype) for a in leaves])


class Trainer:
    """The training API of a Model (mixed into `Model`)."""

    def _init_trainer(self) -> None:
        self.compiled = False
        self.optimizer = None
        self.loss = None
        self.stop_training = False
        self.history = None
        self.train_function = self.test_function = self.predict_function = None
        self._run_eagerly = False
        self._compile_loss = None
        self._compile_metrics = None
        self._loss_tracker = None
        self._ready = False
        self._output_names = None

    # -- compile -------------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None,
                run_eagerly=False, **kwargs):
        """Configures training.

        Args:
            optimizer: an optimizer or its name ("sgd", "adam", "rmsprop", ...).
            loss: a loss or its name, or a list / dict of them (one per output).
            loss_weights: a list / dict of floats weighting the losses of several outputs.
            metrics: a list of metrics or names ("accuracy" picks binary, sparse or
                categorical accuracy from the shapes), or a list of lists / dict per output.
            run_eagerly: run the steps eagerly instead of compiling them (for debugging).

        Example:
            >>> model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
            ...               metrics=["accuracy"])
        """
        if kwargs:
            raise ValueError(f"Unrecognized arguments passed to compile(): {sorted(kwargs)}. "
                             f"Received: {kwargs}")
        self.optimizer = optimizers_module.get(optimizer)
        self._compile_loss = CompileLoss(loss, loss_weights) if loss is not None else None
        self._compile_metrics = CompileMetrics(metrics)
        self._loss_tracker = metrics_module.Mean(name="loss")
        self.loss = loss
        self.compiled = True
        self._ready = False
        self.run_eagerly = run_eagerly

    @property
    def run_eagerly(self) -> bool:
        return self._run_eagerly

    @run_eagerly.setter
    def run_eagerly(self, value) -> None:
        """Switching between eager and compiled steps makes new step functions."""
        self._run_eagerly = bool(value)
        self.predict_function = StepFunction(self, "predict", self._run_eagerly)
        if self.compiled:
            self.train_function = StepFunction(self, "train", self._run_eagerly)
            self.test_function = StepFunction(self, "test", self._run_eagerly)

    def _assert_compiled(self, method: str) -> None:
        if not self.compiled:
            raise ValueError(f"You must call compile() before {method}(): the model "
                             f"'{self.name}' has no optimizer, loss or metrics yet.")

    @property
    def metrics(self) -> list:
        """The loss tracker, then the compiled metrics (those built on the first batch)."""
        if not self.compiled:
            return []
        return [self._loss_tracker] + list(self._compile_metrics.metrics)

    @property
    def metrics_names(self) -> list[str]:
        return [m.name for m in self.metrics]

    def reset_metrics(self) -> None:
        for metric in self.metrics:
            metric.reset_state()

    # -- building before the first step --------------------------------------------------------
    def _prepare_step(self, kind: str, x, y) -> None:
        """Builds, before the first trace, what the step's Variables belong to: the model,
        the compiled loss and metrics (from the shapes of y and the outputs) and the
        optimizer's slots."""
        if self._ready or (kind == "predict" and self.built):
            return
        y_pred = eval_output_spec(lambda inputs: self(inputs, training=False), (_spec_of(x),), {})
        if kind == "predict":
            return
        names = self.output_names_for(y_pred)
        y_pred_leaves = tree.flatten(y_pred)[0]
        if y is None and self._compile_loss is not None:
            raise ValueError(f"The model '{self.name}' was compiled with a loss, but no targets "
                             f"`y` were given. Received: y=None")
        y_leaves = flatten_targets(y, names) if y is not None else []
        if self._compile_loss is not None:
            self._compile_loss.build(y_leaves, y_pred_leaves, names)
        if y is not None:
            self._compile_metrics.build(y_leaves, y_pred_leaves, names)
        if not self.optimizer.built:
            self.optimizer.build(self.trainable_variables)
        self._output_names = names
        self._ready = True

    def output_names_for(self, y_pred) -> list[str]:
        """The output names: the output layers' (functional, Sequential), a dict's keys, or
        "output" / "output_1", "output_2", ... (subclassed models)."""
        names = getattr(self, "output_names", None)
        if names:
            return list(names)
        if isinstance(y_pred, dict):
            return sorted(y_pred)
        n = len(tree.flatten(y_pred)[0])
        return ["output"] if n == 1 else [f"output_{i + 1}" for i in range(n)]

    # -- steps ---------------------------------------------------------------------------------
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The compiled loss of (y, y_pred) plus the losses the layers added (`add_loss`)."""
        total = None
        if self._compile_loss is not None:
            total = self._compile_loss(flatten_targets(y, self._output_names),
                                       tree.flatten(y_pred)[0], sample_weight)
        for extra in self.losses:
            total = extra if total is None else total + extra
        if total is None:
            raise ValueError(f"No loss to compute for model '{self.name}': pass a `loss` to "
                             f"compile(), or add losses in call() with add_loss().")
        return total

    def compute_metrics(self, x, y, y_pred, sample_weight=None) -> dict:
        """Updates the compiled metrics; returns every metric's current result."""
        self._compile_metrics.update_state(flatten_targets(y, self._output_names),
                                           tree.flatten(y_pred)[0], sample_weight)
        return self.get_metrics_result()

    def get_metrics_result(self) -> dict:
        return {"loss": self._loss_tracker.result(), **self._compile_metrics.result()}

    def _track_loss(self, loss, x) -> None:
        self._loss_tracker.update_state(loss, sample_weight=tree.flatten(x)[0][0].shape[0])

    def train_step(self, data) -> dict:
        """One step of training on a batch (x, y, sample_weight): forward pass, loss,
        gradients, optimizer update and metric updates. Override it to customise fit."""
        x, y, sample_weight = data
        with em.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x, y, y_pred, sample_weight, training=True)
        variables = self.trainable_variables
        grads = tape.gradient(loss, variables)
        pairs = [(g, v) for g, v in zip(grads, variables) if g is not None]
        self.optimizer.apply([g for g, _ in pairs], [v for _, v in pairs])
        self._track_loss(loss, x)
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def test_step(self, data) -> dict:
        """Loss and metric updates on a batch, in inference mode."""
        x, y, sample_weight = data
        y_pred = self(x, training=False)
        loss = self.compute_loss(x, y, y_pred, sample_weight, training=False)
        self._track_loss(loss, x)
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def predict_step(self, data):
        x, _, _ = data
        return self(x, training=False)

    # -- fit -----------------------------------------------------------------------------------
    def _callbacks(self, callbacks, verbose: int, epochs, steps, history: bool):
        user = list(callbacks or [])
        cbs = callbacks_module.CallbackList(user, model=self, add_history=history,
                                            add_progbar=False, verbose=verbose, epochs=epochs,
                                            steps=steps)
        if verbose and not any(isinstance(cb, callbacks_module.ProgbarLogger) for cb in user):
            cbs.append(ProgressBar(verbose, epochs, steps))
            cbs.callbacks[-1].set_model(self)
        return cbs

    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, initial_epoch=0,
            steps_per_epoch=None, sample_weight=None, validation_batch_size=None,
            validation_freq=1):
        """Trains the model for `epochs` passes over (x, y); returns the `History`.

        Args:
            x, y: inputs and targets (NumPy arrays or tensors; lists/dicts for several).
            batch_size: samples per step (32).
            epochs: the epoch to stop before (training runs epochs initial_epoch..epochs-1).
            verbose: "auto" or 1 (progress bar), 2 (a line per epoch), 0 (silent).
            callbacks: a list of `em.keras.callbacks.Callback`.
            validation_split: the fraction of the data (its end, before shuffling) to
                evaluate on after each epoch instead of training on.
            validation_data: (x_val, y_val) or (x_val, y_val, sample_weight) to evaluate on.
            shuffle: reshuffle the training data each epoch.
            initial_epoch: the epoch to start at (resuming).
            steps_per_epoch: batches per epoch (the data is then cycled through).
            sample_weight: a weight per sample.
            validation_batch_size: batch size of validation (default batch_size).
            validation_freq: validate every this many epochs.

        Example:
            >>> history = model.fit(x_train, y_train, epochs=5, validation_split=0.1)
            >>> history.history["val_accuracy"][-1]
        """
        self._assert_compiled("fit")
        verbose = _verbosity(verbose)
        for arg, value, low in (("epochs", epochs, 0), ("initial_epoch", initial_epoch, 0),
                                ("validation_freq", validation_freq, 1)):
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ValueError(f"fit(): `{arg}` must be an int >= {low}. Received: {arg}={value!r}")
        train = (x, y, sample_weight)
        val = None
        if validation_data is not None:
            val = unpack_validation_data(validation_data)
        elif validation_split:
            from .data_adapter import to_arrays

            arrays = (to_arrays(x, "x"), to_arrays(y, "y"), to_arrays(sample_weight, "sample_weight"))
            train, val = train_validation_split(arrays, validation_split)
        adapter = ArrayDataAdapter(*train, batch_size=batch_size, shuffle=shuffle,
                                   steps=steps_per_epoch)
        cbs = self._callbacks(callbacks, verbose, epochs, adapter.num_batches, history=True)
        self.stop_training = False
        cbs.on_train_begin()
        epoch_logs: dict = {}
        for epoch in range(initial_epoch, epochs):
            self.reset_metrics()
            cbs.on_epoch_begin(epoch)
            logs: dict = {}
            for step, batch in enumerate(adapter.epoch()):
                cbs.on_train_batch_begin(step)
                logs = _python_logs(self.train_function(*batch), self.metrics_names)
                cbs.on_train_batch_end(step, logs)
                if self.stop_training:
                    break
            epoch_logs = dict(logs)
            if val is not None and (epoch + 1) % validation_freq == 0:
                val_logs = self.evaluate(*val[:2], sample_weight=val[2], verbose=0,
                                         batch_size=validation_batch_size or adapter.batch_size,
                                         return_dict=True)
                epoch_logs.update({f"val_{k}": v for k, v in val_logs.items()})
            cbs.on_epoch_end(epoch, epoch_logs)
            if self.stop_training:
                break
        cbs.on_train_end(epoch_logs)
        return cbs.history

    # -- evaluate / predict ----------------------------------------------------------------------
    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False):
        """The loss and metrics on (x, y), in inference mode.

        Returns:
            a dict {name: value} with return_dict=True, else the values in the order of
            `metrics_names` (a float when there is only the loss).

        Example:
            >>> loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
        """
        self._assert_compiled("evaluate")
        verbose = _verbosity(verbose)
        adapter = ArrayDataAdapter(x, y, sample_weight, batch_size=batch_size, steps=steps)
        cbs = self._callbacks(callbacks, verbose, None, adapter.num_batches, history=False)
        self.reset_metrics()
        cbs.on_test_begin()
        logs: dict = {}
        for step, batch in enumerate(adapter.epoch()):
            cbs.on_test_batch_begin(step)
            logs = _python_logs(self.test_function(*batch), self.metrics_names)
            cbs.on_test_batch_end(step, logs)
        cbs.on_test_end(logs)
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """The model's outputs for `x` as NumPy arrays (in inference mode), batch by batch.

        Example:
            >>> probabilities = model.predict(x_test, verbose=0)
        """
        verbose = _verbosity(verbose)
        if self.predict_function is None:
            self.run_eagerly = self._run_eagerly
        adapter = ArrayDataAdapter(x, batch_size=batch_size, steps=steps)
        cbs = self._callbacks(callbacks, verbose, None, adapter.num_batches, history=False)
        cbs.on_predict_begin()
        outputs = []
        for step, batch in enumerate(adapter.epoch()):
            cbs.on_predict_batch_begin(step)
            out = self.predict_function(batch[0])
            outputs.append(tree.flatten(out))
            cbs.on_predict_batch_end(step, {"outputs": out})
        cbs.on_predict_end()
        structure = outputs[0][1]
        columns = zip(*[leaves for leaves, _ in outputs])
        return tree.unflatten(structure, [np.concatenate([np.asarray(a) for a in col]) for col in columns])

    # -- single batches ----------------------------------------------------------------------------
    def _batch_logs(self, logs, return_dict: bool):
        logs = _python_logs(logs, self.metrics_names)
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    def train_on_batch(self, x, y=None, sample_weight=None, reset_metrics=True, return_dict=False):
        """One training step on one batch; returns the loss and metrics (as evaluate)."""
        self._assert_compiled("train_on_batch")
        if reset_metrics:
            self.reset_metrics()
        return self._batch_logs(self.train_function(x, y, sample_weight), return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, reset_metrics=True, return_dict=False):
        """The loss and metrics of one batch, in inference mode."""
        self._assert_compiled("test_on_batch")
        if reset_metrics:
            self.reset_metrics()
        return self._batch_logs(self.test_function(x, y, sample_weight), return_dict)

    def predict_on_batch(self, x):
        """The outputs for one batch, as NumPy arrays."""
        if self.predict_function is None:
            self.run_eagerly = self._run_eagerly
        out = self.predict_function(x)
        leaves, structure = tree.flatten(out)
        return tree.unflatten(structure, [np.array(leaf) for leaf in leaves])
