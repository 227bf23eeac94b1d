"""`ember-to-linalg`: the ember dialect to linalg/tensor/arith/math on tensors.

Elementwise ops and reductions, alone or as an `ember.fused` group, become ONE
`linalg.generic` each: the group's outside operands are its inputs (broadcast through
their indexing maps), and its body is the members' scalar bodies in order, ending in the
root's value or, for a reduction, the combiner. Other ops use their own `lower` rule,
given this module's `Lowerer` for building linalg and tensor ops.
"""
from __future__ import annotations

from ..dialects.locations import walk
from ..dialects.primitive import ELEMENTWISE, REDUCTION, AVal, OpView, lookup
from ..dialects.values import producer
from ..frontend.errors import CompileError
from .arith_builder import ArithBuilder
from . import linalg_ops
from .fuse_elementwise import is_fusion_group
from .registry import register_pass


@register_pass("ember-to-linalg", "Lower ember ops and fused groups to linalg on tensors")
def ember_to_linalg(module_op) -> None:
    from mlir import ir

    for op in list(walk(module_op)):
        if is_fusion_group(op):
            members, root = _group_members(op)
            if root is None:  # canonicalised away: the group now yields a value from outside
                op.results[0].replace_all_uses_with(op.regions[0].blocks[0].operations[-1].operands[0])
                op.erase()
                continue
        elif lookup(op.name) is not None and op.parent is not None and not is_fusion_group(op.parent):
            members, root = [op], op
        else:
            continue
        with op.location, ir.InsertionPoint(op):
            lw = Lowerer()
            if lookup(root.name).kind in (ELEMENTWISE, REDUCTION):
                value = lw.group([OpView(m) for m in members])
            else:
                view = OpView(root)
                if view.prim.lower_rule is None:
                    raise CompileError(f"{root.name} has no lowering rule")
                value = view.prim.lower_rule(lw, view, view.operands)
        op.results[0].replace_all_uses_with(value)
        op.erase()


def _group_members(group):
    """(ember ops in order, root) of a fusion group. Other ops that canonicalisation left in
    the region (folded constants) move out in front of it; root is None when the yielded
    value is no longer computed inside."""
    body = [m.operation for m in group.regions[0].blocks[0].operations]
    for m in body[:-1]:
        if lookup(m.name) is None:
            m.move_before(group)
    members = [m for m in body[:-1] if lookup(m.name) is not None]
    root = producer(body[-1].operands[0])
    return members, (root if root in members else None)


def generic_op(inputs, input_maps, init, out_map, iterators, body):
    """A linalg.generic with one output at the insertion point; `body(*input_scalars,
    out_scalar)` builds its block and returns the value it yields."""
    from mlir import ir

    op = linalg_ops.generic(inputs, [init], list(input_maps) + [out_map], iterators)
    block = op.regions[0].blocks[0]
    with ir.InsertionPoint(block):
        linalg_ops.yield_([body(*block.arguments)])
    return op


class Lowerer:
    """Builds linalg/tensor ops at the current insertion point and location."""

    # -- affine maps ---------------------------------------------------------------------------
    @staticmethod
    def dims_map(ndims: int, dims):
        from mlir import ir

        return ir.AffineMap.get(ndims, 0, [ir.AffineDimExpr.get(d) for d in dims])

    @staticmethod
    def broadcast_map(shape, domain):
        """Reads an operand of `shape` inside a loop nest over `domain` (NumPy broadcasting:
        right-aligned, size-1 dims read index 0)."""
        from mlir import ir

        offset = len(domain) - len(shape)
        exprs = [ir.AffineConstantExpr.get(0) if d == 1 and domain[offset + i] != 1
                 else ir.AffineDimExpr.get(offset + i) for i, d in enumerate(shape)]
        return ir.AffineMap.get(len(domain), 0, exprs)

    @staticmethod
    def batch_map(batch_shape, out_batch, ndims: int, tail_dims):
        """Broadcast batch dims (aligned to the first dims of the domain) then `tail_dims`."""
        from mlir import ir

        offset = len(out_batch) - len(batch_shape)
        exprs = [ir.AffineConstantExpr.get(0) if d == 1 and out_batch[offset + i] != 1
                 else ir.AffineDimExpr.get(offset + i) for i, d in enumerate(batch_shape)]
        exprs += [ir.AffineDimExpr.get(d) for d in tail_dims]
        return ir.AffineMap.get(ndims, 0, exprs)

    # -- tensors -------------------------------------------------------------------------------
    @staticmethod
    def empty(aval: AVal):
        from mlir.dialects import tensor

        return tensor.EmptyOp(list(aval.shape), aval.dtype.mlir_type()).result

    def filled(self, aval: AVal, value):
        init = self.empty(aval)
        return linalg_ops.fill(self._scalar_const(value, aval), init)

    @staticmethod
    def _scalar_const(value, aval: AVal):
        from mlir import ir
        from mlir.dialects import arith

        type_ = aval.dtype.mlir_type()
        if aval.dtype.is_float:
            attr = ir.FloatAttr.get(type_, float(value))
        else:
            attr = ir.IntegerAttr.get(type_, int(value))
        return arith.ConstantOp(type_, attr).result

    def generic(self, inputs, input_maps, init, out_map, iterators, body):
        """One linalg.generic; `body(builder, *input_scalars, out_scalar)` returns the yield."""
        return generic_op(inputs, input_maps, init, out_map, iterators,
                          lambda *args: body(ArithBuilder(), *args)).results[0]

    def transpose(self, x, out: AVal, perm):
        return linalg_ops.transpose(x, self.empty(out), perm)

    def reshape(self, x, src: AVal, dst: AVal):
        """Row-major reshape: collapse to 1-D, then expand (0-D tensors use empty groups)."""
        if src.shape == dst.shape:
            return x
        if dst.rank == 0:
            return self._collapse(x, dst, [])
        if src.rank == 0:
            return self._expand(x, dst, [])
        flat = AVal((src.size,), src.dtype)
        if src.rank != 1:
            x = self._collapse(x, flat, [list(range(src.rank))])
        return x if dst.rank == 1 else self._expand(x, dst, [list(range(dst.rank))])

    @staticmethod
    def _collapse(x, dst: AVal, reassoc):
        from mlir.dialects import tensor

        return tensor.CollapseShapeOp(dst.mlir_type(), x, _reassociation(reassoc)).result

    @staticmethod
    def _expand(x, dst: AVal, reassoc):
        from mlir.dialects import tensor

        return tensor.ExpandShapeOp(dst.mlir_type(), x, _reassociation(reassoc), [],
                                    list(dst.shape)).result

    def insert_slice(self, src, dest, offsets, sizes, strides=None):
        from mlir.dialects import tensor

        strides = [1] * len(sizes) if strides is None else list(strides)
        return tensor.InsertSliceOp(src, dest, [], [], [], list(offsets), list(sizes), strides).result

    def copy_into(self, src, dest, offsets, strides):
        """`dest` with `src` written at `offsets` (every `strides`-th element) by a
        linalg.copy into that slice of it. NOTE: not an insert_slice of `src`, which
        bufferizes to a memref.copy into a strided view: MLIR's runtime copies those one
        element at a time (a padded conv input: 6 ms of a 20 ms conv)."""
        src_aval = AVal.of_type(src.type)
        window = self.extract_slice(dest, src_aval, offsets, strides)
        copied = linalg_ops.copy(src, window)
        return self.insert_slice(copied, dest, offsets, src_aval.shape, strides)

    def extract_slice(self, src, out: AVal, start, stride):
        from mlir.dialects import tensor

        return tensor.ExtractSliceOp(out.mlir_type(), src, [], [], [], list(start),
                                     list(out.shape), list(stride)).result

    # -- padding, windows and loops (dialects/ops: nn, pooling, indexing, random) -----------------
    def pad(self, x, src: AVal, low, high, value, interior=None):
        """x with `low`/`high` elements of `value` before/after each dim and `interior` ones
        between neighbours (dilation). Negative `low`/`high` crop instead."""
        interior = [0] * src.rank if interior is None else list(interior)
        dilated = [d + max(d - 1, 0) * it for d, it in zip(src.shape, interior)]
        grow_lo, grow_hi = [max(v, 0) for v in low], [max(v, 0) for v in high]
        grown = AVal(tuple(d + lo + hi for d, lo, hi in zip(dilated, grow_lo, grow_hi)), src.dtype)
        if any(interior):
            x = self.copy_into(x, self.filled(grown, value), grow_lo, [it + 1 for it in interior])
        elif any(grow_lo) or any(grow_hi):
            x = self.copy_into(x, self._filled_border(grown, grow_lo, dilated, value), grow_lo,
                               [1] * src.rank)
        if all(v >= 0 for v in list(low) + list(high)):
            return x
        out = AVal(tuple(d + lo + hi for d, lo, hi in zip(dilated, low, high)), src.dtype)
        return self.extract_slice(x, out, [max(-v, 0) for v in low], [1] * src.rank)

    def _filled_border(self, aval: AVal, low, inner, value):
        """A tensor of `aval`'s shape whose elements outside the box at `low` of shape
        `inner` are `value` (those inside are left for a copy). NOTE: only the border is
        written, slab by slab (each dim's low and high slabs, within the box in the dims
        before it): a padded conv input (64x30x30x32 around 28x28) fills 0.95 MB of its
        7.4 MB."""
        out = self.empty(aval)
        offsets, sizes = [0] * aval.rank, list(aval.shape)
        for d in range(aval.rank):
            high = low[d] + inner[d]
            for start, size in ((0, low[d]), (high, aval.shape[d] - high)):
                if size == 0:
                    continue
                slab_offsets, slab_sizes = list(offsets), list(sizes)
                slab_offsets[d], slab_sizes[d] = start, size
                slab = AVal(tuple(slab_sizes), aval.dtype)
                part = self.extract_slice(out, slab, slab_offsets, [1] * aval.rank)
                part = linalg_ops.fill(self._scalar_const(value, slab), part)
                out = self.insert_slice(part, out, slab_offsets, slab_sizes)
            offsets[d], sizes[d] = low[d], inner[d]
        return out

    def conv2d(self, x, filter_, init, strides, dilations):
        """linalg.conv_2d_nhwc_hwcf's computation (NHWC input, already padded; HWIO filter)
        as a generic looping (n, oh, kh, kw, c, ow, f).

        NOTE: the named op loops (n, oh, ow, f, kh, kw, c): its innermost loop reduces over c
        with strided filter reads and does not vectorize. Here the two inner loops walk an
        output row and the filter contiguously: they vectorize, and consecutive iterations
        update different outputs, so no chain of dependent updates stalls them (3x3 filter,
        32 -> 64 channels, batch 32 of 13x13: 60 ms -> 4 ms on the CPU)."""
        from mlir import ir

        (sh, sw), (dh, dw) = strides, dilations
        n, oh, kh, kw, c, ow, f = [ir.AffineDimExpr.get(i) for i in range(7)]
        x_map = ir.AffineMap.get(7, 0, [n, oh * sh + kh * dh, ow * sw + kw * dw, c])
        f_map = ir.AffineMap.get(7, 0, [kh, kw, c, f])
        out_map = ir.AffineMap.get(7, 0, [n, oh, ow, f])
        iterators = ["parallel"] * 2 + ["reduction"] * 3 + ["parallel"] * 2
        out = self.generic([x, filter_], [x_map, f_map], init, out_map, iterators,
                           lambda b, xv, fv, acc: b.add(acc, b.mul(xv, fv)))
        out.owner.attributes["ember.convolution"] = ir.UnitAttr.get()   # for ember-tile-conv
        return out

    @staticmethod
    def index(dim: int):
        """The iteration index of loop `dim` inside a linalg.generic body (type index)."""
        return linalg_ops.index(dim)

    @staticmethod
    def index_const(value: int):
        from mlir import ir
        from mlir.dialects import arith

        return arith.constant(ir.IndexType.get(), int(value))

    def loop_nest(self, shape, init, body):
        """scf.for loops over every index of `shape`, carrying the tensor `init`;
        `body(indices, acc)` returns the next acc. Returns the final tensor."""
        from mlir import ir
        from mlir.dialects import scf

        if not shape:
            return body([], init)
        zero, one = self.index_const(0), self.index_const(1)
        loop = scf.ForOp(zero, self.index_const(shape[0]), one, [init])
        with ir.InsertionPoint(loop.body):
            inner = self.loop_nest(
                shape[1:], loop.inner_iter_args[0],
                lambda indices, acc: body([loop.induction_variable] + indices, acc))
            scf.YieldOp([inner])
        return loop.results[0]

    # -- elementwise groups and reductions -----------------------------------------------------
    def group(self, members: list[OpView]):
        """One linalg.generic computing a chain of elementwise ops, optionally ending in a
        reduction (the last member)."""
        root = members[-1]
        reduction = root.prim.kind == REDUCTION
        domain = root.in_avals[0].shape if reduction else root.out_aval.shape
        produced = {m.result for m in members}
        inputs = []
        for m in members:
            for v in m.operands:
                if v not in produced and v not in inputs:
                    inputs.append(v)
        maps = [self.broadcast_map(AVal.of_type(v.type).shape, domain) for v in inputs]
        if reduction:
            axes = root.attrs["axes"]
            kept = [i for i in range(len(domain)) if i not in axes]
            dtype = root.out_aval.dtype
            out = AVal(tuple(domain[i] for i in kept), dtype)
            init = self.filled(out, root.prim.identity(dtype))
            out_map = self.dims_map(len(domain), kept)
            iterators = ["reduction" if i in axes else "parallel" for i in range(len(domain))]
        else:
            out = root.out_aval
            init = self.empty(out)
            out_map = self.dims_map(len(domain), range(len(domain)))
            iterators = ["parallel"] * len(domain)

        def body(b, *args):
            scalars = dict(zip(inputs, args[:-1]))
            for m in (members[:-1] if reduction else members):
                scalars[m.result] = m.prim.scalar_rule(b, *[scalars[v] for v in m.operands], **m.attrs)
            if reduction:
                return root.prim.combine(b, args[-1], scalars[root.operands[0]])
            return scalars[root.result]

        value = self.generic(inputs, maps, init, out_map, iterators, body)
        if reduction and root.prim.mean:
            count = 1
            for a in root.attrs["axes"]:
                count *= domain[a]
            scale = 1.0 / count if count else float("nan")
            identity = self.dims_map(out.rank, range(out.rank))
            value = self.generic([value], [identity], self.empty(out), identity,
                                 ["parallel"] * out.rank, lambda b, x, _: b.mul(x, b.const(scale, x)))
        if reduction:
            value = self.reshape(value, out, root.out_aval)
        return value


def _reassociation(groups):
    from mlir import ir

    return ir.ArrayAttr.get([
        ir.ArrayAttr.get([ir.IntegerAttr.get(ir.IntegerType.get_signless(64), i) for i in g])
        for g in groups])
