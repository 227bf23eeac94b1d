"""`Callback`: hooks a model calls during `fit`, `evaluate` and `predict`."""
from __future__ import annotations


class Callback:
    """Base class of callbacks: override the hooks you need.

    A model calls `set_model(model)` and `set_params(params)` (e.g. `{"epochs": 10,
    "steps": 50, "verbose": 1}`) before training, then the hooks with `logs`, a dict of
    Python floats: at the end of an epoch it holds the epoch's training metrics (`loss`,
    `accuracy`, ...) and the validation ones (`val_loss`, ...); at the end of a batch the
    running metrics. `on_train_batch_*` default to the legacy `on_batch_*` hooks.

    Example:
        >>> import ember as em
        >>> class PrintLoss(em.keras.callbacks.Callback):
        ...     def on_epoch_end(self, epoch, logs=None):
        ...         print(f"epoch {epoch}: loss {logs['loss']:.3f}")
        >>> PrintLoss().on_epoch_end(0, {"loss": 0.5})
        epoch 0: loss 0.500
    """

    def __init__(self):
        self.params = None
        self._model = None

    def set_params(self, params) -> None:
        self.params = params

    def set_model(self, model) -> None:
        self._model = model

    @property
    def model(self):
        """The model being trained, evaluated or run (set with `set_model`)."""
        return self._model

    def on_batch_begin(self, batch, logs=None):
        """A backwards compatibility alias for `on_train_batch_begin`."""

    def on_batch_end(self, batch, logs=None):
        """A backwards compatibility alias for `on_train_batch_end`."""

    def on_epoch_begin(self, epoch, logs=None):
        """At the start of an epoch of `fit` (epochs count from 0)."""

    def on_epoch_end(self, epoch, logs=None):
        """At the end of an epoch of `fit`; `logs` holds its metrics and `val_` metrics."""

    def on_train_batch_begin(self, batch, logs=None):
        """Before a training batch (batches count from 0 in each epoch)."""
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        """After a training batch; `logs` holds the running metrics of the epoch."""
        self.on_batch_end(batch, logs=logs)

    def on_test_batch_begin(self, batch, logs=None):
        """Before a batch of `evaluate` (or of validation in `fit`)."""

    def on_test_batch_end(self, batch, logs=None):
        """After a batch of `evaluate` (or of validation in `fit`)."""

    def on_predict_batch_begin(self, batch, logs=None):
        """Before a batch of `predict`."""

    def on_predict_batch_end(self, batch, logs=None):
        """After a batch of `predict`; `logs["outputs"]` holds the batch's outputs."""

    def on_train_begin(self, logs=None):
        """At the start of `fit`."""

    def on_train_end(self, logs=None):
        """At the end of `fit`; `logs` holds the last epoch's metrics."""

    def on_test_begin(self, logs=None):
        """At the start of `evaluate` (or of validation in `fit`)."""

    def on_test_end(self, logs=None):
        """At the end of `evaluate` (or of validation in `fit`)."""

    def on_predict_begin(self, logs=None):
        """At the start of `predict`."""

    def on_predict_end(self, logs=None):
        """At the end of `predict`."""
