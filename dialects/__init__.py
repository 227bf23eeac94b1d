"""The `ember` MLIR dialect: primitives, their IRDL definition, verifier and contexts."""
from .context import make_context
from .primitive import REGISTRY, AVal, OpView, Primitive, lookup
from .verifier import verify

__all__ = ["make_context", "REGISTRY", "AVal", "OpView", "Primitive", "lookup", "verify"]
