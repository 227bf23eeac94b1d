"""`em.keras.layers`: Keras layers on ember, one per file.

Example:
    >>> import ember as em, numpy as np
    >>> layer = em.keras.layers.Dense(4, activation="relu")
    >>> layer(np.ones((2, 3), np.float32)).shape
    (2, 4)
"""
from . import activations
from .activation import Activation
from .add import Add
from .average_pooling2d import AveragePooling2D
from .batch_normalization import BatchNormalization
from .concatenate import Concatenate
from .conv2d import Conv2D
from .dense import Dense
from .dropout import Dropout
from .embedding import Embedding
from .flatten import Flatten
from .global_average_pooling2d import GlobalAveragePooling2D
from .input_layer import Input, InputLayer
from .keras_tensor import KerasTensor
from .layer import InputSpec, Layer
from .layer_normalization import LayerNormalization
from .max_pooling2d import MaxPooling2D
from .multi_head_attention import MultiHeadAttention
from .reshape import Reshape

# NOTE: Keras' short aliases
MaxPool2D = MaxPooling2D
AvgPool2D = AveragePooling2D
GlobalAvgPool2D = GlobalAveragePooling2D

__all__ = ["Activation", "Add", "AveragePooling2D", "AvgPool2D", "BatchNormalization",
           "Concatenate", "Conv2D", "Dense", "Dropout", "Embedding", "Flatten",
           "GlobalAveragePooling2D", "GlobalAvgPool2D", "Input", "InputLayer", "InputSpec",
           "KerasTensor", "Layer", "LayerNormalization", "MaxPool2D", "MaxPooling2D",
           "MultiHeadAttention", "Reshape", "activations", "deserialize", "serialize"]


def serialize(layer) -> dict:
    """{"class_name": ..., "config": ...} of a layer."""
    return {"class_name": type(layer).__name__, "config": layer.get_config()}


def deserialize(config: dict, custom_objects: dict | None = None):
    """A layer from `serialize`'s output (built-in classes, or those in custom_objects)."""
    known = {name: obj for name, obj in globals().items()
             if isinstance(obj, type) and issubclass(obj, Layer)}
    known.update(custom_objects or {})
    from ..models import Functional, Sequential  # NOTE: models nest in models

    known.setdefault("Sequential", Sequential)
    known.setdefault("Functional", Functional)
    cls = known.get(config.get("class_name"))
    if cls is None:
        raise ValueError(f"Unknown layer class {config.get('class_name')!r}: pass it in "
                         f"custom_objects. Received: config={config!r}")
    if issubclass(cls, (Sequential, Functional)):
        return cls.from_config(config["config"], custom_objects)
    return cls.from_config(config["config"])
