"""Reading a user's files safely: points, labels and network weights; nothing in them is ever executed.

Points: ``.npy`` (a 2-D float array, inputs only), ``.npz`` (arrays ``X`` and optionally ``y``), ``.csv``
(numbers separated by commas, one row per point, an optional header line). NumPy files are read with
``allow_pickle=False``: an object array is refused, not unpickled.

Networks: a ``FullyConnected`` state dict written by ``torch.save(net.state_dict(), path)``, read with
``torch.load(path, weights_only=True)`` — the restricted unpickler that builds only tensors and plain
containers, so a file carrying pickled objects (a whole module, or a payload) is refused before any of it
runs, and so is a TorchScript archive (its code would be compiled and run). Only with
``allow_unsafe_load=True`` — a flag the user types on the command line, never a field of a claim file — is a
pickled ``FullyConnected`` (``torch.load(weights_only=False)``) or a TorchScript archive (``torch.jit.load``)
accepted; either way only its state dict is used.
"""
from __future__ import annotations

import pickle
import warnings
import zipfile
from pathlib import Path

import numpy as np
import torch

from numerics.network.data import UNIT_NORM_TOL, check_inputs
from numerics.network.nets import FullyConnected
from theory.errors import InputError

POINT_SUFFIXES = (".npy", ".npz", ".csv")
UNSAFE_FLAG = "--allow-unsafe-load"


def _existing(path: Path) -> Path:
    if not path.is_file():
        raise InputError(f"file {str(path)!r} does not exist" if not path.exists() else f"{str(path)!r} is not a file")
    return path


def _csv(path: Path) -> np.ndarray:
    try:
        return np.loadtxt(path, delimiter=",", ndmin=2, dtype=np.float64)
    except ValueError:
        try:  # one header line
            return np.loadtxt(path, delimiter=",", ndmin=2, dtype=np.float64, skiprows=1)
        except ValueError as exc:
            raise InputError(f"{str(path)!r} is not a CSV table of numbers ({exc})") from None


def _npy(path: Path) -> np.ndarray | dict[str, np.ndarray]:
    with open(path, "rb") as fh:
        head = fh.read(6)
    if not (head == b"\x93NUMPY" or (path.suffix.lower() == ".npz" and zipfile.is_zipfile(path))):
        raise InputError(f"{str(path)!r} is not a NumPy {path.suffix.lower()} file (no NumPy header)")
    try:
        loaded = np.load(path, allow_pickle=False)
    except ValueError as exc:
        if "allow_pickle" in str(exc):
            raise InputError(f"{str(path)!r} holds pickled Python objects; refused (only numeric arrays are read)") \
                from None
        raise InputError(f"{str(path)!r} is not a NumPy file ({exc})") from None
    except (OSError, EOFError, zipfile.BadZipFile) as exc:
        raise InputError(f"{str(path)!r} is not a NumPy file ({exc})") from None
    if isinstance(loaded, np.lib.npyio.NpzFile):
        with loaded:
            return {k: loaded[k] for k in loaded.files}
    return loaded


def _numeric(a: np.ndarray, path: Path, what: str) -> np.ndarray:
    if not np.issubdtype(a.dtype, np.number) or np.iscomplexobj(a):
        raise InputError(f"{what} in {str(path)!r} must be real numbers, got dtype {a.dtype}")
    return a.astype(np.float64)


def read_table(path: str | Path) -> tuple[np.ndarray, np.ndarray | None]:
    """(X, y or None) from a points file (module docstring); InputError naming the problem otherwise."""
    path = _existing(Path(path))
    if path.suffix.lower() not in POINT_SUFFIXES:
        raise InputError(f"{str(path)!r}: unknown file type (expected {', '.join(POINT_SUFFIXES)})")
    if path.suffix.lower() == ".csv":
        return _csv(path), None
    loaded = _npy(path)
    if isinstance(loaded, dict):
        if "X" not in loaded:
            raise InputError(f"{str(path)!r} must hold an array named 'X' (and optionally 'y'); it has "
                             f"{', '.join(sorted(loaded)) or 'none'}")
        y = loaded.get("y")
        return _numeric(loaded["X"], path, "X"), None if y is None else _numeric(y, path, "y")
    return _numeric(loaded, path, "the array"), None


def read_labels(path: str | Path) -> np.ndarray:
    """A 1-D label vector from a .npy or .csv file (a single row or a single column)."""
    X, y = read_table(path)
    if y is not None:
        return y
    if X.ndim == 2 and 1 in X.shape:
        return X.reshape(-1)
    if X.ndim == 1:
        return X
    raise InputError(f"{str(path)!r}: labels must be one row or one column, got shape {X.shape}")


def check_labels(y: np.ndarray, n: int) -> np.ndarray:
    """Labels as float64 of shape (n,), every one −1 or +1."""
    y = np.asarray(y, dtype=np.float64).reshape(-1) if np.ndim(y) <= 1 else np.asarray(y, dtype=np.float64)
    if y.shape != (n,):
        raise InputError(f"need {n} labels (one per point), got shape {y.shape}")
    if not np.all(np.isfinite(y)):
        raise InputError("labels contain NaN or infinite values")
    bad = sorted({float(v) for v in y if v not in (-1.0, 1.0)})
    if bad:
        raise InputError(f"labels must be −1 or +1, got {', '.join(f'{v:g}' for v in bad[:3])}"
                         f"{' …' if len(bad) > 3 else ''}")
    return y


def to_sphere(X: np.ndarray, *, normalize: bool) -> np.ndarray:
    """Rows on the unit sphere: scaled there with ``normalize``, else checked (InputError suggesting it)."""
    X = check_inputs(X, name="points")
    norms = np.linalg.norm(X, axis=1)
    if normalize:
        if np.any(norms == 0):
            raise InputError(f"point {int(np.argmin(norms))} is zero and cannot be normalized onto the sphere")
        return X / norms[:, None]
    dev = float(np.max(np.abs(norms - 1.0)))
    if dev > UNIT_NORM_TOL:
        raise InputError(f"points must lie on the unit sphere (max |‖x‖−1| = {dev:.3g}); set normalize = true "
                         "to scale each row to unit norm")
    return X


# --- networks -------------------------------------------------------------------------------------------------

def _is_torchscript(path: Path) -> bool:
    if not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as z:
        return any("/code/" in name or name.endswith("constants.pkl") for name in z.namelist())


def read_state_dict(path: str | Path, *, allow_unsafe_load: bool = False) -> dict[str, torch.Tensor]:
    """The tensors of a saved state dict (module docstring); InputError for anything else."""
    path = _existing(Path(path))
    if _is_torchscript(path):
        if not allow_unsafe_load:
            raise InputError(f"{str(path)!r} is a TorchScript archive, whose code would run on loading; refused "
                             f"(save net.state_dict() instead, or pass {UNSAFE_FLAG} for a file you trust)")
        with warnings.catch_warnings():   # torch deprecates TorchScript; the user asked for it explicitly
            warnings.simplefilter("ignore", DeprecationWarning)
            module = torch.jit.load(str(path), map_location="cpu")
        return _tensors(module.state_dict(), path)
    try:
        state = torch.load(path, map_location="cpu", weights_only=not allow_unsafe_load)
    except pickle.UnpicklingError:
        raise InputError(f"{str(path)!r} is not a plain tensor state dict (it holds pickled objects, which are "
                         f"never executed); save net.state_dict(), or pass {UNSAFE_FLAG} for a file you trust") \
            from None
    except (RuntimeError, OSError, EOFError, ValueError, zipfile.BadZipFile) as exc:
        raise InputError(f"{str(path)!r} is not a torch.save file ({str(exc).splitlines()[0][:120]})") from None
    if isinstance(state, torch.nn.Module):  # only reachable with allow_unsafe_load
        state = state.state_dict()
    if not isinstance(state, dict):
        raise InputError(f"{str(path)!r} holds a {type(state).__name__}, not a state dict (name → tensor)")
    return _tensors(state, path)


def _tensors(state: dict, path: Path) -> dict[str, torch.Tensor]:
    bad = [k for k, v in state.items() if not isinstance(k, str) or not isinstance(v, torch.Tensor)]
    if bad:
        raise InputError(f"{str(path)!r}: entry {bad[0]!r} is not a tensor; a state dict maps names to tensors")
    return dict(state)


def network_from_state(state: dict[str, torch.Tensor], *, d: int, width: int, depth: int, activation: str,
                       train_output: bool = False) -> FullyConnected:
    """A FullyConnected of the declared architecture holding these weights; InputError naming the first mismatch."""
    net = FullyConnected(d, width, depth, activation, train_output=train_output)
    expected = net.state_dict()
    missing = [k for k in expected if k not in state]
    extra = [k for k in state if k not in expected]
    if missing or extra:
        what = f"lacks {missing[0]!r}" if missing else f"has the unexpected entry {extra[0]!r}"
        raise InputError(f"the state dict {what}: it does not match FullyConnected(d={d}, width={width}, "
                         f"depth={depth}, train_output={str(train_output).lower()}) (entries: "
                         f"{', '.join(expected)})")
    for key, ref in expected.items():
        got = state[key]
        if tuple(got.shape) != tuple(ref.shape):
            raise InputError(f"entry {key!r} has shape {tuple(got.shape)}, the declared architecture needs "
                             f"{tuple(ref.shape)}")
        if not got.is_floating_point():
            raise InputError(f"entry {key!r} has dtype {got.dtype}, expected floating point")
        if not bool(torch.isfinite(got).all()):
            raise InputError(f"entry {key!r} contains NaN or infinite values")
    net.load_state_dict({k: v.to(torch.float64) for k, v in state.items()}, strict=True)
    return net
