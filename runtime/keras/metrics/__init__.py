"""`em.keras.metrics`: Keras 3's metrics with state in `em.Variable`s, updated with ember ops
(eagerly or inside a compiled training step), and `get` to resolve a metric by name.

Example:
    >>> import ember as em
    >>> m = em.keras.metrics.get("sparse_categorical_accuracy")
    >>> float(m([1, 0], [[0.2, 0.8], [0.3, 0.7]]))
    0.5
"""
from __future__ import annotations

import inspect

from .accuracy import Accuracy, accuracy
from .auc import AUC
from .binary_accuracy import BinaryAccuracy, binary_accuracy
from .categorical_accuracy import CategoricalAccuracy, categorical_accuracy
from .mean import Mean
from .mean_absolute_error import MeanAbsoluteError
from .mean_metric_wrapper import MeanMetricWrapper
from .mean_squared_error import MeanSquaredError
from .metric import Metric
from .precision import Precision
from .recall import Recall
from .sparse_categorical_accuracy import SparseCategoricalAccuracy, sparse_categorical_accuracy

ALL_OBJECTS = (Mean, Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
               MeanSquaredError, MeanAbsoluteError, Precision, Recall, AUC)
ALL_OBJECTS_DICT = {cls.__name__: cls for cls in ALL_OBJECTS}
ALL_OBJECTS_DICT.update({
    "mean": Mean, "accuracy": Accuracy, "acc": Accuracy, "binary_accuracy": BinaryAccuracy,
    "categorical_accuracy": CategoricalAccuracy,
    "sparse_categorical_accuracy": SparseCategoricalAccuracy,
    "mean_squared_error": MeanSquaredError, "mse": MeanSquaredError, "MSE": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError, "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError,
    "precision": Precision, "recall": Recall, "auc": AUC,
})

__all__ = ["Metric", "Mean", "MeanMetricWrapper", "Accuracy", "BinaryAccuracy",
           "CategoricalAccuracy", "SparseCategoricalAccuracy", "MeanSquaredError",
           "MeanAbsoluteError", "Precision",
           "Recall", "AUC", "accuracy", "binary_accuracy", "categorical_accuracy",
           "sparse_categorical_accuracy", "get", "get_metric", "serialize", "deserialize"]


def serialize(metric: Metric) -> dict:
    """`{"class_name": ..., "config": ...}` describing a built-in metric (no state)."""
    return {"class_name": type(metric).__name__, "config": metric.get_config()}


def deserialize(config: dict, custom_objects: dict | None = None) -> Metric:
    """A new metric from a `serialize` dict; `custom_objects` maps names to Metric classes."""
    known = {**ALL_OBJECTS_DICT, **(custom_objects or {})}
    name = config.get("class_name") if isinstance(config, dict) else None
    if name not in known:
        raise ValueError(f"Unknown metric: {name!r}. Valid names are: {sorted(known)}. "
                         f"Received: config={config!r}")
    return known[name].from_config(dict(config.get("config") or {}))


def get(identifier) -> Metric | None:
    """A `Metric` from an instance (returned as is), a name ("accuracy", "mse", "auc",
    "SparseCategoricalAccuracy", ...), a config dict `{"class_name": ..., "config": {...}}`,
    a Metric class, or a function `fn(y_true, y_pred) -> per-sample values` (wrapped in a
    `MeanMetricWrapper`). "accuracy" is exact-match `Accuracy`; a model picking the
    accuracy that fits its targets uses `get_metric`.

    Example:
        >>> import ember as em
        >>> em.keras.metrics.get({"class_name": "AUC", "config": {"curve": "PR"}}).curve
        'PR'
    """
    if identifier is None:
        return None
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        if identifier not in ALL_OBJECTS_DICT:
            raise ValueError(f"Unknown metric: '{identifier}'. Valid names are: "
                             f"{sorted(ALL_OBJECTS_DICT)}. Received: identifier={identifier!r}")
        return ALL_OBJECTS_DICT[identifier]()
    if inspect.isclass(identifier) and issubclass(identifier, Metric):
        return identifier()
    if callable(identifier):
        return MeanMetricWrapper(identifier)
    raise ValueError(f"Could not interpret metric identifier: expected a Metric, a name, a "
                     f"config dict or a function. Received: identifier={identifier!r}")


def get_metric(identifier, y_true, y_pred) -> Metric:
    """The metric `compile(metrics=[...])` means for targets like `y_true` and outputs like
    `y_pred` (anything with `.shape`), as Keras' compile does: "accuracy"/"acc" becomes
    BinaryAccuracy (one output column), SparseCategoricalAccuracy (integer labels) or
    CategoricalAccuracy (one-hot labels); other identifiers go through `get`. A string
    identifier names the metric (its key in the training logs).

    Example:
        >>> import ember as em, numpy as np
        >>> em.keras.metrics.get_metric("accuracy", np.zeros(8), np.zeros((8, 10))).__class__.__name__
        'SparseCategoricalAccuracy'
    """
    if identifier is None:
        raise ValueError("Expected a metric, received `None`.")
    if str(identifier).lower() in ("accuracy", "acc"):
        from ..losses import is_binary_or_sparse_categorical

        is_binary, is_sparse = is_binary_or_sparse_categorical(y_true, y_pred)
        cls = (BinaryAccuracy if is_binary else
               SparseCategoricalAccuracy if is_sparse else CategoricalAccuracy)
        metric = cls(name=str(identifier))
    else:
        metric = get(identifier)
    if isinstance(identifier, str):
        metric.name = identifier
    return metric
