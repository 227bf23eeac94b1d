"""`MultiHeadAttention`: scaled dot-product attention over several heads, as in Keras."""
from __future__ import annotations

import math

import numpy as np

import ember as em

from .. import initializers
from ..random import SeedGenerator
from .dense import check_positive_int
from .keras_tensor import eval_output_spec
from .layer import Layer

# NOTE: Keras' large negative for masked logits (float32): exp of it is exactly 0.
_MASKED = -1e9


class MultiHeadAttention(Layer):
    """Attention of `query` (batch, T, dim) over `value` (batch, S, dim_v) with `num_heads`
    heads, each projecting to `key_dim` (query, key) and `value_dim` (value).

    The weights have Keras' shapes: query/key/value kernels (dim, heads, key_dim or
    value_dim) with (heads, key_dim) biases, and an output kernel (heads, value_dim, out)
    with an (out,) bias, where out is `output_shape` or the query's last dim.

    Args:
        num_heads: the number of heads.
        key_dim: the size of each head of query and key.
        value_dim: the size of each head of value (default key_dim).
        dropout: dropout rate on the attention probabilities (training only).
        use_bias: whether the projections have biases.
        output_shape: the last dim of the output (default: the query's).
        kernel_initializer, bias_initializer: of the projections.
        seed: for the dropout masks.

    Call args:
        query: (batch, T, dim). value: (batch, S, dim_v). key: (batch, S, dim_k), default value.
        attention_mask: (batch, T, S) booleans (or 0/1): True where a query may attend.
        return_attention_scores: also return the (batch, heads, T, S) probabilities.
        use_causal_mask: query i attends to keys j <= i only.

    Example:
        >>> mha = em.keras.layers.MultiHeadAttention(num_heads=2, key_dim=16)
        >>> x = np.random.rand(4, 8, 32).astype(np.float32)
        >>> mha(x, x).shape
        (4, 8, 32)
        >>> mha.count_params()                # 3 * (32 * 2 * 16 + 2 * 16) + 2 * 16 * 32 + 32
        4224
    """

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True,
                 output_shape=None, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 seed=None, **kwargs):
        super().__init__(**kwargs)
        self.num_heads = check_positive_int("MultiHeadAttention", "num_heads", num_heads)
        self.key_dim = check_positive_int("MultiHeadAttention", "key_dim", key_dim)
        self.value_dim = (self.key_dim if value_dim is None
                          else check_positive_int("MultiHeadAttention", "value_dim", value_dim))
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout < 1:
            raise ValueError(f"MultiHeadAttention: `dropout` must be in [0, 1). "
                             f"Received: dropout={dropout!r}")
        self.dropout = float(dropout)
        self.use_bias = bool(use_bias)
        self._output_dim = (None if output_shape is None
                            else check_positive_int("MultiHeadAttention", "output_shape",
                                                    output_shape[-1] if isinstance(output_shape, (tuple, list))
                                                    else output_shape))
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.seed = seed
        self.seed_generator = SeedGenerator(seed, name=f"{self.name}/seed_generator_state")

    def build(self, query_shape, value_shape, key_shape=None):
        key_shape = value_shape if key_shape is None else key_shape
        for arg, shape in (("query", query_shape), ("value", value_shape), ("key", key_shape)):
            if len(shape) != 3 or shape[-1] is None:
                raise ValueError(f"MultiHeadAttention '{self.name}': `{arg}` must have shape "
                                 f"(batch, length, features) with known features. Received: "
                                 f"{arg}_shape={tuple(shape)}")
        h = self.num_heads
        out_dim = self._output_dim or query_shape[-1]
        for part, dim, size in (("query", query_shape[-1], self.key_dim),
                                ("key", key_shape[-1], self.key_dim),
                                ("value", value_shape[-1], self.value_dim)):
            kernel = self.add_weight((dim, h, size), self.kernel_initializer, name=f"{part}/kernel")
            bias = (self.add_weight((h, size), self.bias_initializer, name=f"{part}/bias")
                    if self.use_bias else None)
            setattr(self, f"_{part}_kernel", kernel)
            setattr(self, f"_{part}_bias", bias)
        self._output_kernel = self.add_weight((h, self.value_dim, out_dim), self.kernel_initializer,
                                              name="attention_output/kernel")
        self._output_bias = (self.add_weight((out_dim,), self.bias_initializer,
                                             name="attention_output/bias") if self.use_bias else None)

    def _project(self, x, part: str, size: int):
        """(batch, L, dim) -> (batch, heads, L, size)."""
        kernel, bias = getattr(self, f"_{part}_kernel"), getattr(self, f"_{part}_bias")
        b, length, dim = x.shape
        y = em.reshape(x, (b * length, dim)) @ em.reshape(kernel, (dim, self.num_heads * size))
        if bias is not None:
            y = y + em.reshape(bias, (self.num_heads * size,))
        return em.transpose(em.reshape(y, (b, length, self.num_heads, size)), (0, 2, 1, 3))

    def _mask(self, attention_mask, use_causal_mask: bool, t: int, s: int, batch: int):
        """A bool (batch or 1, 1, T, S) mask, or None."""
        mask = None
        if attention_mask is not None:
            mask = em.cast(attention_mask, "bool") if not attention_mask.dtype.is_bool else attention_mask
            if mask.ndim == 2:
                mask = em.reshape(mask, (1,) + mask.shape)
            if mask.ndim != 3 or mask.shape[1:] != (t, s) or mask.shape[0] not in (1, batch):
                raise ValueError(f"MultiHeadAttention '{self.name}': `attention_mask` must have "
                                 f"shape (batch, {t}, {s}). Received: attention_mask shape "
                                 f"{tuple(attention_mask.shape)}")
            mask = em.reshape(mask, (mask.shape[0], 1, t, s))
        if use_causal_mask:
            causal = em.constant(np.tril(np.ones((t, s), bool), s - t).reshape(1, 1, t, s))
            mask = causal if mask is None else em.logical_and(mask, causal)
        return mask

    def call(self, query, value, key=None, attention_mask=None, return_attention_scores=False,
             training=None, use_causal_mask=False):
        key = value if key is None else key
        b, t, _ = query.shape
        s = value.shape[1]
        if key.shape[1] != s:
            raise ValueError(f"MultiHeadAttention '{self.name}': key and value must have the same "
                             f"length. Received: key shape {key.shape}, value shape {value.shape}")
        q = self._project(query, "query", self.key_dim) * (1.0 / math.sqrt(self.key_dim))
        k = self._project(key, "key", self.key_dim)
        v = self._project(value, "value", self.value_dim)
        logits = q @ em.transpose(k, (0, 1, 3, 2))                     # (b, h, t, s)
        mask = self._mask(attention_mask, use_causal_mask, t, s, b)
        if mask is not None:
            logits = em.where(mask, logits, _MASKED)
        scores = em.nn.softmax(logits, axis=-1)
        probs = scores
        if training and self.dropout > 0:
            probs = em.nn.dropout(scores, self.dropout, seed=self.seed_generator.next())
        context = em.transpose(probs @ v, (0, 2, 1, 3))               # (b, t, h, value_dim)
        out_dim = self._output_kernel.shape[-1]
        flat = em.reshape(context, (b * t, self.num_heads * self.value_dim))
        out = flat @ em.reshape(self._output_kernel, (self.num_heads * self.value_dim, out_dim))
        if self._output_bias is not None:
            out = out + self._output_bias
        out = em.reshape(out, (b, t, out_dim))
        return (out, scores) if return_attention_scores else out

    def compute_output_shape(self, query_shape, value_shape, key_shape=None):
        return tuple(query_shape[:-1]) + (self._output_dim or query_shape[-1],)

    def compute_output_spec(self, *args, **kwargs):
        if kwargs.get("return_attention_scores"):
            return eval_output_spec(self.call, args, kwargs)
        return super().compute_output_spec(*args, **kwargs)

    def get_config(self):
        return {**super().get_config(), "num_heads": self.num_heads, "key_dim": self.key_dim,
                "value_dim": self.value_dim, "dropout": self.dropout, "use_bias": self.use_bias,
                "output_shape": self._output_dim,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "seed": self.seed}
