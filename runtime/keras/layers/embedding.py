"""`Embedding`: a learned vector per integer index."""
from __future__ import annotations

import ember as em

from .. import initializers
from .dense import check_positive_int
from .layer import Layer


class Embedding(Layer):
    """Maps integer indices in [0, input_dim) to rows of an (input_dim, output_dim) matrix.

    Args:
        input_dim: the vocabulary size.
        output_dim: the size of each vector.
        embeddings_initializer: initializer of the matrix (Keras: uniform in [-0.05, 0.05]).

    Example:
        >>> emb = em.keras.layers.Embedding(100, 8)
        >>> emb(np.array([[1, 2, 3]], np.int32)).shape
        (1, 3, 8)
    """

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform", **kwargs):
        super().__init__(**kwargs)
        self.input_dim = check_positive_int("Embedding", "input_dim", input_dim)
        self.output_dim = check_positive_int("Embedding", "output_dim", output_dim)
        self.embeddings_initializer = initializers.get(embeddings_initializer)

    def build(self, input_shape):
        self.embeddings = self.add_weight((self.input_dim, self.output_dim),
                                          self.embeddings_initializer, name="embeddings")

    def call(self, inputs):
        if inputs.dtype.is_float:  # NOTE: Keras accepts float indices and truncates them
            inputs = em.cast(inputs, "int32")
        if not inputs.dtype.is_int:
            raise ValueError(f"Embedding '{self.name}' expects integer indices. Received: "
                             f"dtype={inputs.dtype.name}")
        return em.gather(self.embeddings, inputs, axis=0)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def output_dtype(self, input_dtype):
        return self.dtype

    def get_config(self):
        return {**super().get_config(), "input_dim": self.input_dim, "output_dim": self.output_dim,
                "embeddings_initializer": initializers.serialize(self.embeddings_initializer)}
