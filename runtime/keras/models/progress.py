"""The progress bar of fit / evaluate / predict: a callback drawing `progbar.Progbar`s.

fit prints `Epoch 1/5`, then a bar updated in place on a terminal, ending with the epoch's
time per step and its metrics (validation ones included).
"""
from __future__ import annotations

from ..callbacks import Callback
from ..progbar import Progbar


class ProgressBar(Callback):
    """Draws a Keras-style progress bar per epoch (fit) or per run (evaluate, predict).

    Args:
        verbose: 1 (a bar, in place on a terminal) or 2 (one line per epoch).
        epochs: the number of epochs of fit.
        steps: batches per epoch (or per evaluate/predict run).
    """

    def __init__(self, verbose: int, epochs: int | None, steps: int | None, stream=None):
        super().__init__()
        self.verbose, self.epochs, self.steps, self.stream = verbose, epochs, steps, stream
        self._bar = None
        self._training = False
        self._seen = 0

    def _new_bar(self):
        self._seen = 0
        self._bar = Progbar(self.steps, verbose=self.verbose, stream=self.stream)

    def on_train_begin(self, logs=None):
        self._training = True

    def on_train_end(self, logs=None):
        self._training = False

    def on_epoch_begin(self, epoch, logs=None):
        self._new_bar()
        self._bar.stream.write(f"Epoch {epoch + 1}/{self.epochs}\n")

    def on_train_batch_end(self, batch, logs=None):
        self._seen = batch + 1
        self._bar.update(self._seen, list((logs or {}).items()), finalize=False)

    def on_epoch_end(self, epoch, logs=None):
        self._bar.update(self._seen, list((logs or {}).items()), finalize=True)

    def on_test_begin(self, logs=None):
        if not self._training:
            self._new_bar()

    def on_test_batch_end(self, batch, logs=None):
        if not self._training:
            self._seen = batch + 1
            self._bar.update(self._seen, list((logs or {}).items()), finalize=False)

    def on_test_end(self, logs=None):
        if not self._training:
            self._bar.update(self._seen, list((logs or {}).items()), finalize=True)

    def on_predict_begin(self, logs=None):
        self._new_bar()

    def on_predict_batch_end(self, batch, logs=None):
        self._seen = batch + 1
        self._bar.update(self._seen, finalize=False)

    def on_predict_end(self, logs=None):
        self._bar.update(self._seen, finalize=True)
