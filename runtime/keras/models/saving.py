"""Weight files (`.weights.npz`) and model files (`.keras`), written atomically.

A file is written to a temporary file in the same folder, flushed to disk, then renamed over
the target with `os.replace` (atomic on POSIX and Windows): a save that fails (an error, a
full disk, a kill) leaves the previous file as it was, never a half-written one.

Example:
    >>> model.save_weights("mlp.weights.npz")
    >>> model.load_weights("mlp.weights.npz")
"""
from __future__ import annotations

import contextlib
import json
import os
import tempfile
import warnings

import numpy as np

_NAMES = "__names__"
_CONFIG = "__config__"


def atomic_savez(path: str, arrays: dict) -> None:
    """np.savez(path, **arrays), all or nothing."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _check_path(filepath, suffixes: tuple[str, ...], what: str, overwrite: bool) -> str:
    path = os.fspath(filepath)
    if not path.endswith(suffixes):
        raise ValueError(f"The filename must end in {' or '.join(f'`{s}`' for s in suffixes)} "
                         f"({what}). Received: filepath={path}")
    if not overwrite and os.path.exists(path):
        raise ValueError(f"The file {path} exists and overwrite=False. Received: filepath={path}")
    return path


def _weight_arrays(model) -> dict:
    weights = model.weights
    if not weights and not model.built:
        raise ValueError(f"Model '{model.name}' has no weights yet: build it (call it on data, or "
                         f"model.build(input_shape)) before saving or loading weights.")
    arrays = {f"weight_{i:04d}": np.asarray(v.numpy()) for i, v in enumerate(weights)}
    arrays[_NAMES] = np.array([v.name for v in weights], dtype=str)
    return arrays


def save_weights(model, filepath, overwrite: bool = True) -> None:
    path = _check_path(filepath, (".weights.npz", ".npz"), "a NumPy .npz archive", overwrite)
    atomic_savez(path, _weight_arrays(model))


def _read(path: str) -> tuple[list, list, str | None]:
    if not os.path.exists(path):
        raise FileNotFoundError(f"No such weights file: {path}")
    with np.load(path, allow_pickle=False) as data:
        keys = sorted(k for k in data.files if k.startswith("weight_"))
        arrays = [data[k] for k in keys]
        names = [str(n) for n in data[_NAMES]] if _NAMES in data.files else [""] * len(keys)
        config = str(data[_CONFIG]) if _CONFIG in data.files else None
    return arrays, names, config


def _set(model, arrays, names, path: str) -> None:
    variables = model.weights
    if not variables and not model.built:
        raise ValueError(f"Model '{model.name}' is not built: call it on data (or "
                         f"model.build(input_shape)) before load_weights().")
    if len(arrays) != len(variables):
        raise ValueError(f"The file {path} holds {len(arrays)} weights but model '{model.name}' "
                         f"has {len(variables)}.")
    for variable, array, name in zip(variables, arrays, names):
        if tuple(array.shape) != tuple(variable.shape):
            raise ValueError(f"Cannot load {path} into model '{model.name}': weight "
                             f"'{variable.name}' has shape {variable.shape}, but the file's "
                             f"weight '{name}' has shape {array.shape}.")
    model.set_weights(arrays)


def load_weights(model, filepath) -> None:
    path = os.fspath(filepath)
    arrays, names, _ = _read(path)
    _set(model, arrays, names, path)


def save_model(model, filepath, overwrite: bool = True) -> None:
    """Config (JSON, when the model has one) and weights in one `.keras` file."""
    from ..layers import serialize

    path = _check_path(filepath, (".keras",), "a model file", overwrite)
    arrays = _weight_arrays(model)
    try:
        config = json.dumps(serialize(model))
    except NotImplementedError as err:
        warnings.warn(f"{err} The file holds the weights only: rebuild the model in code and "
                      f"call load_weights, or give it get_config/from_config.", stacklevel=3)
        config = ""
    arrays[_CONFIG] = np.array(config)
    atomic_savez(path, arrays)


def load_model(filepath, custom_objects: dict | None = None):
    """A model saved with `model.save(filepath)`: rebuilt from its config, then its weights
    loaded. (Subclassed models need get_config/from_config and `custom_objects`.)

    Example:
        >>> model.save("digits.keras")
        >>> restored = em.keras.models.load_model("digits.keras")
    """
    from ..layers import deserialize

    path = os.fspath(filepath)
    if not path.endswith(".keras"):
        raise ValueError(f"load_model() reads `.keras` files written by model.save(). "
                         f"Received: filepath={path}")
    arrays, names, config = _read(path)
    if not config:
        raise ValueError(f"{path} was saved from a model without get_config(): rebuild the model "
                         f"in code and use model.load_weights() on a weights file instead.")
    model = deserialize(json.loads(config), custom_objects=custom_objects)
    _set(model, arrays, names, path)
    return model
