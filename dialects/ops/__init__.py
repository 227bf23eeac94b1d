"""The primitives of the `ember` dialect; importing this package registers them all."""
from . import elementwise, reduction, structured

__all__ = ["elementwise", "reduction", "structured"]
