"""Arguments of the windowed ops (conv2d, pooling) in TensorFlow's spellings, made explicit.

Strides, dilations and window sizes are ints or (height, width) pairs (or TensorFlow's
4-lists [1, h, w, 1]); padding is "same"/"valid" (any case) or explicit pairs. "same"
pads as TensorFlow does: the output has ceil(size / stride) elements, and the total
padding max((out - 1) * stride + (window - 1) * dilation + 1 - size, 0) is split with the
smaller half before (top/left) and the larger after (bottom/right).
"""
from __future__ import annotations

from .errors import at_user_line


def pair(op: str, name: str, value) -> tuple[int, int]:
    """(h, w) from an int, a pair, or a 4-list [1, h, w, 1]."""
    if isinstance(value, int) and not isinstance(value, bool):
        items = (value, value)
    else:
        try:
            items = tuple(int(v) for v in value)
        except (TypeError, ValueError):
            items = ()
        if len(items) == 4 and items[0] == items[3] == 1:
            items = items[1:3]
    if len(items) != 2 or any(v < 1 for v in items):
        raise ValueError(at_user_line(f"{op}: {name} must be an int >= 1 or a pair of them, "
                                      f"received {name}={value!r}"))
    return items


def explicit_padding(op: str, padding, in_hw, window, strides, dilations=(1, 1)) -> tuple[int, ...]:
    """(top, bottom, left, right) from "same", "valid" or explicit (before, after) pairs:
    ((top, bottom), (left, right)), or TensorFlow's 4 pairs for NHWC."""
    if isinstance(padding, str):
        mode = padding.lower()
        if mode == "valid":
            return (0, 0, 0, 0)
        if mode == "same":
            pads = []
            for size, k, s, d in zip(in_hw, window, strides, dilations):
                out = -(-size // s)
                total = max((out - 1) * s + (k - 1) * d + 1 - size, 0)
                pads += [total // 2, total - total // 2]
            return tuple(pads)
    else:
        try:
            pairs = [(int(lo), int(hi)) for lo, hi in padding]
        except (TypeError, ValueError):
            pairs = []
        if len(pairs) == 4 and pairs[0] == pairs[3] == (0, 0):
            pairs = pairs[1:3]
        if len(pairs) == 2 and all(v >= 0 for p in pairs for v in p):
            return pairs[0] + pairs[1]
    raise ValueError(at_user_line(
        f'{op}: padding must be "same", "valid" or ((top, bottom), (left, right)) with '
        f"amounts >= 0, received padding={padding!r}"))
