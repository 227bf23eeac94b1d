"""What `compile(loss=..., metrics=..., loss_weights=...)` means for a model's outputs.

Names are checked at compile() (an unknown one fails there, listing the valid ones); the
objects are made on the first batch, when the shapes of the targets and outputs are known
("accuracy" picks binary, sparse or categorical accuracy from them, as Keras does). One
loss (or metric list) applies to every output; a list or dict gives one per output (dict
keys are the output names).
"""
from __future__ import annotations

from ....frontend import tree
from .. import losses as losses_module
from .. import metrics as metrics_module


def _shape_dependent(identifier) -> bool:
    """Names resolved from the shapes of targets and outputs (on the first batch)."""
    return isinstance(identifier, str) and identifier.lower() in ("crossentropy", "ce", "accuracy", "acc")


def _leaves(spec) -> list:
    if isinstance(spec, dict):
        spec = list(spec.values())
    if isinstance(spec, (list, tuple)):
        return [x for item in spec for x in _leaves(item)]
    return [spec]


def _per_output(value, output_names: list[str], what: str) -> list:
    """`value` spread over the outputs: one for all, a list of one per output, or a dict."""
    n = len(output_names)
    if isinstance(value, dict):
        unknown = sorted(set(value) - set(output_names))
        if unknown:
            raise ValueError(f"In compile(), the `{what}` dict has keys {unknown} that are not "
                             f"output names of the model. Output names: {output_names}. "
                             f"Received: {what}={value!r}")
        return [value.get(name) for name in output_names]
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(f"In compile(), `{what}` has {len(value)} entries but the model has "
                             f"{n} outputs {output_names}. Received: {what}={value!r}")
        return list(value)
    return [value] * n


def check_structure(y_true_leaves, y_pred_leaves, output_names) -> None:
    if len(y_true_leaves) != len(y_pred_leaves):
        raise ValueError(f"The model has {len(y_pred_leaves)} outputs {output_names}, but the "
                         f"targets `y` have {len(y_true_leaves)} arrays. Pass one target array "
                         f"per output (a list, or a dict keyed by output name).")


def flatten_targets(y, output_names: list[str]) -> list:
    """The targets in the order of the outputs (a dict is read by output name)."""
    if isinstance(y, dict):
        missing = [n for n in output_names if n not in y]
        if missing:
            raise ValueError(f"The targets dict has no entry for the outputs {missing}. Output "
                             f"names: {output_names}. Received keys: {sorted(y)}")
        return [y[n] for n in output_names]
    return tree.flatten(y)[0]


class CompileLoss:
    """The total loss: the sum over outputs of loss_weight * loss(y_true, y_pred, sample_weight).

    Args:
        loss: a loss identifier, or a list / dict of them (one per output).
        loss_weights: None, a list or a dict of floats (one per output).
    """

    def __init__(self, loss, loss_weights=None):
        for identifier in _leaves(loss):
            if identifier is not None and not _shape_dependent(identifier):
                losses_module.get(identifier)  # NOTE: fails early on an unknown name
        for w in _leaves(loss_weights):
            if w is not None and (isinstance(w, bool) or not isinstance(w, (int, float))):
                raise ValueError(f"In compile(), `loss_weights` must be numbers (a list or a dict "
                                 f"of them). Received: loss_weights={loss_weights!r}")
        self._loss, self._loss_weights = loss, loss_weights
        self.losses: list = []
        self.loss_weights: list[float] = []
        self.built = False

    def build(self, y_true_leaves, y_pred_leaves, output_names: list[str]) -> None:
        check_structure(y_true_leaves, y_pred_leaves, output_names)
        identifiers = _per_output(self._loss, output_names, "loss")
        self.losses = [None if l is None else losses_module.get_loss(l, t, p)
                       for l, t, p in zip(identifiers, y_true_leaves, y_pred_leaves)]
        weights = ([1.0] * len(output_names) if self._loss_weights is None
                   else _per_output(self._loss_weights, output_names, "loss_weights"))
        self.loss_weights = [1.0 if w is None else float(w) for w in weights]
        self.built = True

    def __call__(self, y_true_leaves, y_pred_leaves, sample_weight=None):
        """The weighted total (None when no output has a loss)."""
        total = None
        for loss, weight, t, p in zip(self.losses, self.loss_weights, y_true_leaves, y_pred_leaves):
            if loss is None:
                continue
            value = loss(t, p, sample_weight=sample_weight)
            value = value if weight == 1.0 else value * weight
            total = value if total is None else total + value
        return total


class CompileMetrics:
    """The compiled metrics of every output; with several outputs, each name is prefixed by
    its output's name ("digit_accuracy").

    Args:
        metrics: None, a list of identifiers (for every output), a list of lists (one per
            output) or a dict {output name: identifier or list}.
    """

    def __init__(self, metrics):
        if metrics is not None and not isinstance(metrics, (list, tuple, dict)):
            raise ValueError(f"In compile(), `metrics` must be a list (or a dict keyed by output "
                             f"name). Received: metrics={metrics!r}")
        for identifier in _leaves(metrics):
            if identifier is not None and not _shape_dependent(identifier):
                metrics_module.get(identifier)  # NOTE: fails early on an unknown name
        self._spec = metrics
        self.metrics: list = []
        self._outputs: list[int] = []
        self.built = False

    def _identifiers(self, output_names: list[str]) -> list[list]:
        """One list of metric identifiers per output."""
        n, spec = len(output_names), self._spec
        if spec is None:
            return [[] for _ in range(n)]
        if isinstance(spec, dict):
            per = _per_output(spec, output_names, "metrics")
            return [[] if m is None else (list(m) if isinstance(m, (list, tuple)) else [m]) for m in per]
        if n > 1 and len(spec) == n and all(isinstance(m, (list, tuple)) or m is None for m in spec):
            return [list(m or []) for m in spec]
        return [list(spec) for _ in range(n)]

    def build(self, y_true_leaves, y_pred_leaves, output_names: list[str]) -> None:
        check_structure(y_true_leaves, y_pred_leaves, output_names)
        for i, identifiers in enumerate(self._identifiers(output_names)):
            for identifier in identifiers:
                metric = metrics_module.get_metric(identifier, y_true_leaves[i], y_pred_leaves[i])
                if len(output_names) > 1:
                    metric.name = f"{output_names[i]}_{metric.name}"
                self.metrics.append(metric)
                self._outputs.append(i)
        names = [m.name for m in self.metrics]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"In compile(), several metrics are named {duplicates}: give each a "
                             f"distinct `name`.")
        self.built = True

    def update_state(self, y_true_leaves, y_pred_leaves, sample_weight=None) -> None:
        for metric, i in zip(self.metrics, self._outputs):
            metric.update_state(y_true_leaves[i], y_pred_leaves[i], sample_weight=sample_weight)

    def reset_state(self) -> None:
        for metric in self.metrics:
            metric.reset_state()

    def result(self) -> dict:
        return {metric.name: metric.result() for metric in self.metrics}
