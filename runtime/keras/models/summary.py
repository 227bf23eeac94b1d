"""`Model.summary()`: the Keras table of layers, output shapes and parameter counts.

    Model: "sequential"
    ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━┓
    ┃ Layer (type)                         ┃ Output Shape                  ┃        Param # ┃
    ┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━┩
    │ dense (Dense)                        │ (None, 64)                    │          4,160 │
    └──────────────────────────────────────┴───────────────────────────────┴────────────────┘
     Total params: 4,160 (16.25 KB)
     Trainable params: 4,160 (16.25 KB)
     Non-trainable params: 0 (0.00 B)
"""
from __future__ import annotations

import math


def count_params(variables) -> int:
    return int(sum(math.prod(v.shape) for v in {id(v): v for v in variables}.values()))


def memory_size(variables) -> float:
    unique = {id(v): v for v in variables}.values()
    return float(sum(math.prod(v.shape) * v.dtype.numpy.itemsize for v in unique))


def readable_size(size: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} TB"


def format_shape(shape) -> str:
    if shape is None:
        return "?"
    leaves = [s for s in _shape_leaves(shape)]
    text = [f"({', '.join(str(d) for d in s)}{',' if len(s) == 1 else ''})" for s in leaves]
    return text[0] if len(text) == 1 else f"[{', '.join(text)}]"


def _shape_leaves(shape) -> list[tuple]:
    if isinstance(shape, tuple) and all(d is None or isinstance(d, int) for d in shape):
        return [shape]
    if isinstance(shape, dict):
        shape = list(shape.values())
    return [s for item in shape for s in _shape_leaves(item)]


def _sequential_like(model) -> bool:
    nodes = getattr(model, "_nodes", None)
    if nodes is None:
        return True
    consumers: dict[int, int] = {}
    for node in nodes:
        if len(node.input_tensors) > 1:
            return False
        for t in node.input_tensors:
            consumers[id(t)] = consumers.get(id(t), 0) + 1
    return all(n <= 1 for n in consumers.values()) and len(model.inputs) == 1


def _connections(model, layer) -> str:
    own = set(map(id, getattr(model, "_nodes", [])))
    out = []
    for node in layer._inbound_nodes:
        if id(node) not in own:
            continue
        for t in node.input_tensors:
            history = t._keras_history
            out.append(f"{history.layer.name}[{history.node_index}][{history.tensor_index}]")
    return ", ".join(out) or "-"


def _params(layer) -> str:
    if not layer.built:
        return "0 (unbuilt)"
    return f"{layer.count_params():,}"


def _cells(text: str, width: int) -> list[str]:
    """`text` cut into lines of at most `width` characters (at ", " where possible)."""
    lines, line = [], ""
    for word in text.replace(", ", ",\0").split("\0"):
        word = word if not word.endswith(",") else word + " "
        if len(line) + len(word.rstrip()) > width and line:
            lines.append(line.rstrip())
            line = ""
        while len(word.rstrip()) > width:
            lines.append(word[:width])
            word = word[width:]
        line += word
    lines.append(line.rstrip())
    return lines


def _row(cells: list[str], widths: list[int], aligns: list[str], bar: str = "│") -> list[str]:
    split = [_cells(c, w) for c, w in zip(cells, widths)]
    height = max(len(s) for s in split)
    out = []
    for i in range(height):
        parts = []
        for s, w, a in zip(split, widths, aligns):
            text = s[i] if i < len(s) else ""
            parts.append(f" {text.rjust(w) if a == 'right' else text.ljust(w)} ")
        out.append(bar + bar.join(parts) + bar)
    return out


def _rule(widths, left: str, mid: str, right: str, fill: str) -> str:
    return left + mid.join(fill * (w + 2) for w in widths) + right


def summary_lines(model, line_length=None, positions=None) -> list[str]:
    """The lines of the summary table of `model`."""
    sequential_like = _sequential_like(model)
    header = ["Layer (type)", "Output Shape", "Param #"]
    aligns = ["left", "left", "right"]
    if sequential_like:
        line_length, positions = line_length or 88, positions or [0.45, 0.80, 1.0]
    else:
        line_length, positions = line_length or 108, positions or [0.30, 0.56, 0.74, 1.0]
        header.append("Connected to")
        aligns.append("left")
    if len(positions) != len(header):
        raise ValueError(f"summary(): `positions` needs {len(header)} entries. "
                         f"Received: positions={positions}")
    ends = [int(p * line_length) if p <= 1 else int(p) for p in positions]
    widths = [max(4, end - start - 3) for start, end in zip([0] + ends[:-1], ends)]
    lines = [f'Model: "{model.name}"', _rule(widths, "┏", "┳", "┓", "━")]
    lines += _row(header, widths, aligns, bar="┃")
    lines.append(_rule(widths, "┡", "╇", "┩", "━"))
    rows = []
    for layer in model.layers:
        cells = [f"{layer.name} ({type(layer).__name__})", format_shape(layer.output_shape),
                 _params(layer)]
        if not sequential_like:
            cells.append(_connections(model, layer))
        rows.append(_row(cells, widths, aligns))
    for i, row in enumerate(rows):
        lines += row
        if i < len(rows) - 1:
            lines.append(_rule(widths, "├", "┼", "┤", "─"))
    lines.append(_rule(widths, "└", "┴", "┘", "─"))
    trainable, frozen = model.trainable_weights, model.non_trainable_weights
    optimizer = getattr(model, "optimizer", None)
    opt_vars = list(getattr(optimizer, "variables", []) or []) if getattr(optimizer, "built", False) else []
    total = count_params(trainable) + count_params(frozen) + count_params(opt_vars)
    total_size = memory_size(trainable) + memory_size(frozen) + memory_size(opt_vars)
    lines.append(f" Total params: {total:,} ({readable_size(total_size)})")
    lines.append(f" Trainable params: {count_params(trainable):,} ({readable_size(memory_size(trainable))})")
    lines.append(f" Non-trainable params: {count_params(frozen):,} ({readable_size(memory_size(frozen))})")
    if opt_vars:
        lines.append(f" Optimizer params: {count_params(opt_vars):,} ({readable_size(memory_size(opt_vars))})")
    return lines


def print_summary(model, line_length=None, positions=None, print_fn=None) -> None:
    text = "\n".join(summary_lines(model, line_length, positions))
    (print_fn or print)(text)
