"""The primitives of the `ember` dialect; importing this package registers them all."""
from . import elementwise, reduction, structured
from . import indexing, nn, pooling, random

__all__ = ["elementwise", "reduction", "structured", "indexing", "nn", "pooling", "random"]
