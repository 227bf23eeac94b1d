"""Primitives: the closed set of ops of the `ember` dialect, each with all its rules in one place.

A primitive declares its operands and attributes (from which the IRDL definition is
generated), its shape/dtype rule, its eager NumPy kernel, and how it lowers: elementwise
ops give one scalar body (`scalar`), reductions a combiner, the others a `lower` rule.
Canonicalisation rules (`simplify`) sit next to them. Everything else in ember
(softmax, layers, losses) is a composite of primitives.

Example:
    relu = unary("relu", "max(x, 0)", NUMERIC, lambda x: np.maximum(x, 0),
                 lambda b, x: b.maximum(x, b.zero(x)))
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..frontend import dtypes
from ..frontend.dtypes import DType
from ..frontend.errors import DTypeError, EmberError, ShapeError

ELEMENTWISE = "elementwise"
REDUCTION = "reduction"
STRUCTURED = "structured"

REGISTRY: dict[str, "Primitive"] = {}


@dataclass(frozen=True)
class AVal:
    """An abstract value: what the compiler knows of a tensor (static shape, dtype)."""

    shape: tuple[int, ...]
    dtype: DType

    @property
    def rank(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    def mlir_type(self):
        from mlir import ir

        return ir.RankedTensorType.get(list(self.shape), self.dtype.mlir_type(), loc=ir.Location.unknown())

    @staticmethod
    def of_type(type_) -> "AVal":
        from mlir import ir

        if not isinstance(type_, ir.RankedTensorType):
            raise DTypeError(f"expected a ranked tensor type, received {type_}")
        ranked = ir.RankedTensorType(type_)
        if not ranked.has_static_shape:
            raise ShapeError(f"expected a tensor with a static shape, received {type_}")
        return AVal(tuple(ranked.shape), dtypes.from_mlir(ranked.element_type))

    def __str__(self) -> str:
        return f"{self.dtype.name}{list(self.shape)}"


class Attr:
    """One attribute kind of the dialect: Python value <-> MLIR attribute, and its IRDL base."""

    def __init__(self, kind: str, irdl_base: str, doc: str):
        self.kind, self.irdl_base, self.doc = kind, irdl_base, doc

    def encode(self, value):
        from mlir import ir

        if self.kind == "int":
            return ir.IntegerAttr.get(ir.IntegerType.get_signless(64), int(value))
        if self.kind == "ints":
            return ir.DenseI64ArrayAttr.get([int(v) for v in value])
        if self.kind == "bool":
            return ir.BoolAttr.get(bool(value))
        if self.kind == "str":
            return ir.StringAttr.get(str(value))
        return ir.TypeAttr.get(dtypes.as_dtype(value).mlir_type())

    def decode(self, attr):
        from mlir import ir

        if self.kind == "int" and isinstance(attr, ir.IntegerAttr):
            return ir.IntegerAttr(attr).value
        if self.kind == "ints" and isinstance(attr, ir.DenseI64ArrayAttr):
            return tuple(ir.DenseI64ArrayAttr(attr))
        if self.kind == "bool" and isinstance(attr, ir.BoolAttr):
            return ir.BoolAttr(attr).value
        if self.kind == "str" and isinstance(attr, ir.StringAttr):
            return ir.StringAttr(attr).value
        if self.kind == "dtype" and isinstance(attr, ir.TypeAttr):
            return dtypes.from_mlir(ir.TypeAttr(attr).value)
        raise DTypeError(f"expected {self.doc}, received {attr}")


INT = Attr("int", "#builtin.integer", "an integer attribute (i64)")
INTS = Attr("ints", "#builtin.dense_array", "an array<i64: ...> attribute")
BOOL = Attr("bool", "#builtin.integer", "a boolean attribute")
STR = Attr("str", "#builtin.string", "a string attribute")
TYPE = Attr("dtype", "#builtin.type", "an element type attribute")


class Primitive:
    """One op of the dialect. Rules are attached with decorators or keyword arguments."""

    def __init__(self, name: str, *, kind: str, operands: tuple[str, ...], doc: str,
                 shape: Callable[..., AVal], attrs: dict[str, Attr] | None = None,
                 eager: Callable | None = None, scalar: Callable | None = None,
                 lower: Callable | None = None, cheap: bool = False):
        if name in REGISTRY:
            raise ValueError(f"primitive 'ember.{name}' is already registered")
        self.name = name
        self.kind = kind
        # NOTE: an elementwise op about as cheap as reading its result back from memory: it
        # is computed again in each fusion group that reads it (`ember-fuse`), not stored.
        self.cheap = cheap
        self.operands = tuple(operands)
        self.attrs = dict(attrs or {})
        self.doc = doc
        self.shape_rule = shape
        self.eager_rule = eager
        self.scalar_rule = scalar
        self.lower_rule = lower
        self.vjp_rule: Callable | None = None
        self.simplify_rules: list[Callable] = []
        REGISTRY[name] = self

    @property
    def op_name(self) -> str:
        return f"ember.{self.name}"

    # -- rule decorators ---------------------------------------------------------------
    def eager(self, fn):
        self.eager_rule = fn
        return fn

    def scalar(self, fn):
        self.scalar_rule = fn
        return fn

    def lower(self, fn):
        self.lower_rule = fn
        return fn

    def vjp(self, fn):
        """The gradient rule: fn(g, out, *operands, **attrs) -> one cotangent per operand.

        `g` is the cotangent of the result, `out` the result itself, `operands` the op's
        inputs, all em Tensors (eager or symbolic alike: the rule is written with ember ops,
        so a backward pass traced inside @em.function is compiled with the forward one).
        Each returned entry is a Tensor of that operand's shape and dtype, or None where the
        operand has no gradient (integers, bools, conditions).
        """
        self.vjp_rule = fn
        return fn

    def simplify(self, fn):
        """A canonicalisation rule: fn(op: OpView) -> replacement ir.Value or None."""
        self.simplify_rules.append(fn)
        return fn

    # -- using the rules -------------------------------------------------------------
    def infer(self, avals: tuple[AVal, ...], attrs: dict) -> AVal:
        """The result's abstract value; raises ShapeError/DTypeError prefixed with the op name."""
        if len(avals) != len(self.operands):
            raise ShapeError(f"{self.name}: expected {len(self.operands)} operands "
                             f"({', '.join(self.operands)}), received {len(avals)}")
        missing = set(self.attrs) - set(attrs)
        if missing:
            raise ShapeError(f"{self.name}: missing attributes {sorted(missing)}")
        try:
            return self.shape_rule(*avals, **attrs)
        except EmberError as err:
            raise type(err)(f"{self.name}: {err}") from None

    def bind(self, *operands, **attrs):
        """Applies the op: computes now (eager) or records it (inside a trace)."""
        from ..frontend import dispatch

        return dispatch.bind(self, operands, attrs)

    def __call__(self, *operands, **attrs):
        return self.bind(*operands, **attrs)

    def __repr__(self) -> str:
        return f"<primitive {self.op_name}>"


def lookup(op_name: str) -> Primitive | None:
    """The primitive of an MLIR op name such as 'ember.add', or None."""
    if not op_name.startswith("ember."):
        return None
    return REGISTRY.get(op_name[len("ember."):])


class OpView:
    """An `ember.*` MLIR operation seen through its primitive: decoded attributes, avals."""

    def __init__(self, op):
        self.op = op.operation if hasattr(op, "operation") else op
        prim = lookup(self.op.name)
        if prim is None:
            raise ValueError(f"not an ember op: {self.op.name}")
        self.prim = prim

    @property
    def operands(self) -> list:
        return list(self.op.operands)

    @property
    def result(self):
        return self.op.results[0]

    @property
    def attrs(self) -> dict:
        out = {}
        for name, spec in self.prim.attrs.items():
            if name not in self.op.attributes:
                raise DTypeError(f"missing attribute '{name}' ({spec.doc})")
            out[name] = spec.decode(self.op.attributes[name])
        return out

    @property
    def in_avals(self) -> tuple[AVal, ...]:
        return tuple(AVal.of_type(v.type) for v in self.op.operands)

    @property
    def out_aval(self) -> AVal:
        return AVal.of_type(self.op.results[0].type)


def create(prim: Primitive, operands, attrs: dict, out: AVal | None = None, loc=None, ip=None):
    """Builds `ember.<prim>` on SSA values (at the current insertion point); returns its result."""
    from mlir import ir

    if out is None:
        out = prim.infer(tuple(AVal.of_type(v.type) for v in operands), attrs)
    op = ir.Operation.create(
        prim.op_name, results=[out.mlir_type()], operands=list(operands),
        attributes={k: prim.attrs[k].encode(v) for k, v in attrs.items()}, loc=loc, ip=ip)
    return op.result


# -- shared shape rules ------------------------------------------------------------------
def broadcast_shapes(*shapes: tuple[int, ...]) -> tuple[int, ...]:
    """NumPy broadcasting; raises ShapeError naming every shape."""
    rank = max(len(s) for s in shapes)
    out = []
    for i in range(rank):
        dims = {s[len(s) - rank + i] for s in shapes if len(s) - rank + i >= 0}
        dims.discard(1)
        if len(dims) > 1:
            names = " and ".join(str(tuple(s)) for s in shapes)
            raise ShapeError(f"shapes {names} cannot be broadcast together")
        out.append(dims.pop() if dims else 1)
    return tuple(out)


def normalize_axes(axes, rank: int, what: str = "axis") -> tuple[int, ...]:
    """Sorted non-negative axes; None means all. Raises ShapeError when out of range."""
    if axes is None:
        return tuple(range(rank))
    if isinstance(axes, (int, np.integer)):
        axes = (int(axes),)
    out = []
    for a in axes:
        if not -rank <= a < rank:
            raise ShapeError(f"{what} {a} is out of range for a tensor of rank {rank}")
        out.append(a % rank if rank else 0)
    if len(set(out)) != len(out):
        raise ShapeError(f"{what} {tuple(axes)} repeats an axis")
    return tuple(sorted(out))
