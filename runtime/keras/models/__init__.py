"""`em.keras.models`: `Model` (subclassed or functional), `Sequential`, and `load_model`.

Example:
    >>> import ember as em
    >>> model = em.keras.models.Sequential([em.keras.Input((4,)), em.keras.layers.Dense(2)])
    >>> model.compile(optimizer="sgd", loss="mse")
"""
from .functional import Functional
from .model import Model
from .saving import load_model
from .sequential import Sequential

__all__ = ["Functional", "Model", "Sequential", "load_model"]
