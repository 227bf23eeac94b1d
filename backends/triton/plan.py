"""Kernel planning: which ops of the fused graph run together in one generated kernel.

The `ember.fused` groups of the `fused` stage are the seeds. On top of them:
  - a matmul takes the first elementwise group consuming its result (same shape) as its
    epilogue (bias, activation), computed on the accumulator before the store;
  - groups over one iteration shape merge into one pointwise kernel, and groups over one
    reduction domain (shape D reduced over `axes`) into one row kernel, so softmax,
    log_softmax and layernorm (several reductions and the elementwise ops between them)
    are one kernel each;
  - reshape/transpose/broadcast_to/slice are views (static strides, no copy);
  - every other op falls back to its NumPy kernel on the host, visibly (`FallbackStep`).
A merge is refused when it would make a cycle between kernels.
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass, field

from ...dialects.primitive import ELEMENTWISE, REDUCTION
from .graph import Graph, Node, Value
from .layout import Layout

VIEW_OPS = ("reshape", "transpose", "broadcast_to", "slice")


@dataclass(eq=False)
class Kernel:
    """One generated kernel: kind 'pointwise' (over `shape`), 'reduction' (over `shape`
    reduced on `axes`) or 'matmul' (`matmul` node plus elementwise epilogue `nodes`)."""

    kind: str
    nodes: list
    shape: tuple
    axes: tuple = ()
    matmul: Node | None = None
    name: str = ""
    inputs: list = field(default_factory=list)
    outputs: list = field(default_factory=list)

    @property
    def first(self) -> int:
        return min(n.index for n in self.all_nodes)

    @property
    def all_nodes(self) -> list:
        return ([self.matmul] if self.matmul is not None else []) + self.nodes

    @property
    def keep_shape(self) -> tuple:
        return tuple(1 if i in self.axes else d for i, d in enumerate(self.shape))

    @property
    def kept_shape(self) -> tuple:
        return tuple(d for i, d in enumerate(self.shape) if i not in self.axes)


@dataclass(eq=False)
class ViewStep:
    node: Node
    layout: Layout
    copy: bool = False     # a reshape of a non-dense view: copied first


@dataclass(eq=False)
class FallbackStep:
    node: Node


@dataclass
class Plan:
    graph: Graph
    steps: list
    layouts: dict            # Value -> Layout


def plan(graph: Graph) -> Plan:
    members = _cluster(graph)
    kernels = _merge(graph, members)
    steps = kernels + [ViewStep(n, None) if n.name in VIEW_OPS else FallbackStep(n)
                       for n in graph.nodes if not _kernel_op(n)]
    steps = _schedule(graph, steps)
    layouts = {v: Layout.contiguous(v.aval.shape) for v in graph.inputs + graph.constants}
    outputs = set(graph.outputs)
    counts: dict = {}
    for step in steps:
        if isinstance(step, Kernel):
            _finish(step, outputs, counts)
            layouts.update({v: Layout.contiguous(v.aval.shape) for v in step.outputs})
        elif isinstance(step, ViewStep):
            step.layout, step.copy = _view_layout(step.node, layouts[step.node.inputs[0]])
            layouts[step.node.out] = step.layout
        else:
            layouts[step.node.out] = Layout.contiguous(step.node.out.aval.shape)
    return Plan(graph, steps, layouts)


def _kernel_op(node: Node) -> bool:
    return node.prim.kind in (ELEMENTWISE, REDUCTION) or node.name == "matmul"


# -- clusters and merging -------------------------------------------------------------------
def _cluster(graph: Graph) -> list[list[Node]]:
    """The fused groups and the lone kernel ops, in program order."""
    clusters, by_group = [], {}
    for node in graph.nodes:
        if not _kernel_op(node):
            continue
        if node.group is None:
            clusters.append([node])
        elif node.group in by_group:
            by_group[node.group].append(node)
        else:
            by_group[node.group] = [node]
            clusters.append(by_group[node.group])
    return clusters


def _domain(nodes) -> tuple[str, tuple, tuple]:
    reductions = [n for n in nodes if n.prim.kind == REDUCTION]
    if reductions:
        r = reductions[-1]
        return "reduction", r.inputs[0].aval.shape, tuple(r.attrs["axes"])
    return "pointwise", nodes[-1].out.aval.shape, ()


def _merge(graph: Graph, clusters) -> list[Kernel]:
    epilogues = _epilogues(clusters)
    taken = {id(c) for c in epilogues.values()}
    kernels: list[Kernel] = []
    for cluster in clusters:
        if id(cluster) in taken:
            continue
        if cluster[0].name == "matmul":
            epilogue = epilogues.get(cluster[0])
            kernels.append(Kernel("matmul", list(epilogue or []), cluster[0].out.aval.shape,
                                  matmul=cluster[0]))
            continue
        kind, shape, axes = _domain(cluster)
        for kernel in reversed(kernels[-8:]):
            merged = _try_merge(kernel, cluster, kind, shape, axes)
            if merged:
                break
        else:
            kernels.append(Kernel(kind, list(cluster), shape, axes))
    return kernels


def _epilogues(clusters) -> dict:
    """matmul node -> the elementwise cluster fused after it (the first that consumes it)."""
    found = {}
    for cluster in clusters:
        if cluster[0].name != "matmul":
            continue
        mm = cluster[0]
        for other in clusters:
            if (other[0].name != "matmul" and id(other) not in {id(c) for c in found.values()}
                    and all(n.prim.kind == ELEMENTWISE and n.out.aval.shape == mm.out.aval.shape
                            for n in other)
                    and any(mm.out in n.inputs for n in other)
                    and not _depends_outside(other, {mm}, mm.index)):
                found[mm] = other
                break
    return found


def _try_merge(kernel: Kernel, cluster, kind, shape, axes) -> bool:
    if kernel.kind == "matmul":
        return False
    if kernel.kind == "pointwise" and kind == "pointwise":
        if shape != kernel.shape:
            return False
        new = ("pointwise", shape, ())
    elif kind == "reduction" and kernel.kind == "reduction":
        if (shape, axes) != (kernel.shape, kernel.axes):
            return False
        new = ("reduction", shape, axes)
    elif kind == "reduction":      # a pointwise kernel over the reduction's input shape
        if kernel.shape != shape:
            return False
        new = ("reduction", shape, axes)
    else:                          # a pointwise cluster joining a reduction kernel
        new = ("reduction", kernel.shape, kernel.axes)
    nodes = kernel.nodes + list(cluster)
    if not _valid(nodes, *new) or _depends_outside(cluster, set(kernel.nodes), kernel.first):
        return False
    kernel.kind, kernel.shape, kernel.axes = new
    kernel.nodes = nodes
    return True


def _valid(nodes, kind, shape, axes) -> bool:
    """Every node fits the kernel's tiles: full tiles over `shape`, row vectors over the
    kept dims (keepdims or not) of a reduction."""
    inside = {n.out for n in nodes}
    keep = tuple(1 if i in axes else d for i, d in enumerate(shape))
    kept = tuple(d for i, d in enumerate(shape) if i not in axes)
    for n in nodes:
        if n.prim.kind == REDUCTION:
            if kind != "reduction" or n.inputs[0].aval.shape != shape or tuple(n.attrs["axes"]) != axes:
                return False
            continue
        out = n.out.aval.shape
        internal = [v.aval.shape for v in n.inputs if v in inside]
        if out == shape:
            if any(s != shape and (kind == "pointwise" or s != keep) for s in internal):
                return False
        elif kind == "reduction" and out in (keep, kept):
            if any(s != out for s in internal):
                return False
        else:
            return False
    return True


def _depends_outside(cluster, group: set, first: int) -> bool:
    """Whether an input of `cluster` is computed, outside `group`, from a node of `group`."""
    inside = set(cluster) | group
    stack = [v.producer for n in cluster for v in n.inputs
             if v.producer is not None and v.producer not in inside]
    seen = set()
    while stack:
        node = stack.pop()
        if node in seen or node.index < first:
            continue
        seen.add(node)
        for v in node.inputs:
            if v.producer is None:
                continue
            if v.producer in group:
                return True
            stack.append(v.producer)
    return False


# -- order, inputs and outputs ----------------------------------------------------------------
def _step_nodes(step) -> list:
    return step.all_nodes if isinstance(step, Kernel) else [step.node]


def _schedule(graph: Graph, steps) -> list:
    """Steps in an order where each runs after the steps computing its inputs."""
    owner = {n: i for i, s in enumerate(steps) for n in _step_nodes(s)}
    deps = [set() for _ in steps]
    users = [set() for _ in steps]
    for i, s in enumerate(steps):
        for n in _step_nodes(s):
            for v in n.inputs:
                j = owner.get(v.producer)
                if j is not None and j != i:
                    deps[i].add(j)
                    users[j].add(i)
    key = [min(n.index for n in _step_nodes(s)) for s in steps]
    ready = [(key[i], i) for i in range(len(steps)) if not deps[i]]
    heapq.heapify(ready)
    order = []
    while ready:
        _, i = heapq.heappop(ready)
        order.append(steps[i])
        for j in users[i]:
            deps[j].discard(i)
            if not deps[j]:
                heapq.heappush(ready, (key[j], j))
    if len(order) != len(steps):
        raise RuntimeError("kernel planning made a cycle between kernels")
    return order


def _finish(kernel: Kernel, outputs: set, counts: dict) -> None:
    nodes = kernel.all_nodes
    inside = {n.out for n in nodes}
    kernel.inputs = []
    for n in nodes:
        for v in n.inputs:
            if v not in inside and v not in kernel.inputs and v.splat is None:
                kernel.inputs.append(v)
    kernel.outputs = [n.out for n in nodes
                      if n.out in outputs or any(u not in nodes for u in n.out.users)]
    prefix = {"pointwise": "pointwise", "reduction": "reduce", "matmul": "matmul"}[kernel.kind]
    names = []
    for n in kernel.nodes:
        short = n.name.replace("reduce_", "")
        if short not in names and n.name != "matmul":
            names.append(short)
    base = "_".join([prefix] + names[:4])
    counts[base] = counts.get(base, -1) + 1
    kernel.name = f"{base}_{counts[base]}"


def _view_layout(node: Node, source: Layout):
    a = node.attrs
    out = node.out.aval.shape
    if node.name == "transpose":
        return source.transpose(a["perm"]), False
    if node.name == "broadcast_to":
        return source.broadcast_to(out), False
    if node.name == "slice":
        return source.slice(a["start"], a["stride"], out), False
    view = source.reshape(out)
    return (view, False) if view is not None else (Layout.contiguous(out), True)
