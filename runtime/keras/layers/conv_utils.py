"""Argument checks and output sizes shared by the 2-D convolution and pooling layers."""
from __future__ import annotations

import math


def normalize_tuple(value, layer: str, arg: str, allow_zero: bool = False) -> tuple[int, int]:
    """(h, w) from an int or a pair of positive ints; ValueError naming the argument."""
    values = (value, value) if isinstance(value, int) and not isinstance(value, bool) else value
    try:
        pair = tuple(values)
    except TypeError:
        pair = ()
    low = 0 if allow_zero else 1
    if len(pair) != 2 or any(isinstance(v, bool) or not isinstance(v, int) or v < low for v in pair):
        raise ValueError(f"{layer}: `{arg}` must be an int or a tuple of 2 ints >= {low}. "
                         f"Received: {arg}={value!r}")
    return pair


def normalize_padding(value, layer: str) -> str:
    padding = value.lower() if isinstance(value, str) else value
    if padding not in ("valid", "same"):
        raise ValueError(f"{layer}: `padding` must be 'valid' or 'same'. Received: padding={value!r}")
    return padding


def check_data_format(value, layer: str) -> str:
    if value not in (None, "channels_last"):
        raise ValueError(f"{layer}: only data_format='channels_last' (NHWC) is supported. "
                         f"Received: data_format={value!r}")
    return "channels_last"


def output_size(size, window: int, stride: int, padding: str, dilation: int = 1):
    """The output length of windows over `size` (None stays None), as Keras computes it."""
    if size is None:
        return None
    if padding == "same":
        return math.ceil(size / stride)
    span = size - (window - 1) * dilation
    return max(0, (span - 1) // stride + 1) if span > 0 else 0
