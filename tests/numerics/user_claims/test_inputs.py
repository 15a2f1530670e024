"""Reading a user's files: points, labels and networks; nothing in them is executed."""
import os
import pickle

import numpy as np
import pytest
import torch

from numerics.network.nets import FullyConnected
from numerics.user_claims.inputs import (check_labels, network_from_state, read_labels, read_state_dict, read_table,
                                         to_sphere)
from theory.errors import InputError


class Payload:
    """Unpickling this would run `touch <marker>`."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_points_from_npy_npz_and_csv_with_a_header(tmp_path):
    X = np.arange(12.0).reshape(4, 3)
    np.save(tmp_path / "x.npy", X)
    np.savez(tmp_path / "xy.npz", X=X, y=np.array([1.0, -1, 1, -1]))
    (tmp_path / "t.csv").write_text("a,b,c\n" + "\n".join(",".join(map(str, r)) for r in X))
    assert np.array_equal(read_table(tmp_path / "x.npy")[0], X) and read_table(tmp_path / "x.npy")[1] is None
    Xz, yz = read_table(tmp_path / "xy.npz")
    assert np.array_equal(Xz, X) and yz.tolist() == [1, -1, 1, -1]
    assert np.array_equal(read_table(tmp_path / "t.csv")[0], X)
    np.save(tmp_path / "y.npy", np.array([[1.0], [-1.0]]))
    assert read_labels(tmp_path / "y.npy").tolist() == [1, -1]


@pytest.mark.parametrize("make, needle", [
    (lambda p: np.save(p / "f.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True), "pickled Python objects"),
    (lambda p: (p / "f.npy").write_text("not numpy"), "no NumPy header"),
    (lambda p: np.savez(p / "f.npz", Z=np.zeros(3)), "must hold an array named 'X'"),
    (lambda p: (p / "f.csv").write_text("a,b\nx,y\n"), "not a CSV table of numbers"),
    (lambda p: np.save(p / "f.npy", np.array(["a", "b"])), "must be real numbers"),
    (lambda p: (p / "f.txt").write_text("1,2"), "unknown file type"),
])
def test_bad_point_files_are_refused(tmp_path, make, needle):
    make(tmp_path)
    path = next(tmp_path.iterdir())
    with pytest.raises(InputError, match=needle):
        read_table(path)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        read_table(tmp_path / "nope.npy")


def test_labels_must_be_pm1_and_one_per_point():
    assert check_labels(np.array([1, -1.0]), 2).tolist() == [1, -1]
    with pytest.raises(InputError, match="must be −1 or \\+1, got 0, 2"):
        check_labels(np.array([0, 2, 1.0]), 3)
    with pytest.raises(InputError, match="need 3 labels"):
        check_labels(np.array([1.0, -1]), 3)
    with pytest.raises(InputError, match="NaN"):
        check_labels(np.array([1.0, np.nan]), 2)


def test_points_off_the_sphere_are_refused_unless_normalized():
    X = np.array([[3.0, 4.0], [0.0, 2.0]])
    with pytest.raises(InputError, match="set normalize = true"):
        to_sphere(X, normalize=False)
    assert np.allclose(to_sphere(X, normalize=True), [[0.6, 0.8], [0, 1]])
    with pytest.raises(InputError, match="NaN"):
        to_sphere(np.array([[np.nan, 1.0]]), normalize=True)
    with pytest.raises(InputError, match="zero"):
        to_sphere(np.array([[0.0, 0.0]]), normalize=True)


def test_a_state_dict_loads_into_the_declared_architecture(tmp_path):
    net = FullyConnected(3, 5, 2, "tanh", seed=4)
    torch.save(net.state_dict(), tmp_path / "net.pt")
    loaded = network_from_state(read_state_dict(tmp_path / "net.pt"), d=3, width=5, depth=2, activation="tanh")
    X = torch.randn(4, 3, dtype=torch.float64)
    assert torch.equal(loaded(X), net(X))


@pytest.mark.parametrize("kwargs, needle", [
    ({"width": 6}, "has shape \\(5, 3\\), the declared architecture needs \\(6, 3\\)"),
    ({"depth": 3}, "lacks 'initial_weight_3': it does not match FullyConnected\\(d=3, width=5, depth=3"),
    ({"train_output": True}, "lacks 'initial_output'"),
    ({"d": 4}, "has shape \\(5, 3\\), the declared architecture needs \\(5, 4\\)"),
])
def test_a_network_that_does_not_match_its_declared_architecture_is_refused(tmp_path, kwargs, needle):
    torch.save(FullyConnected(3, 5, 2, "tanh").state_dict(), tmp_path / "net.pt")
    arch = {"d": 3, "width": 5, "depth": 2, "activation": "tanh", **kwargs}
    with pytest.raises(InputError, match=needle):
        network_from_state(read_state_dict(tmp_path / "net.pt"), **arch)


def test_non_finite_weights_are_refused(tmp_path):
    state = FullyConnected(3, 5, 1, "relu").state_dict()
    state["weights.0"][0, 0] = float("nan")
    with pytest.raises(InputError, match="'weights.0' contains NaN"):
        network_from_state(state, d=3, width=5, depth=1, activation="relu")


@pytest.mark.parametrize("save", [
    lambda obj, path: torch.save({"weights.0": obj}, path),       # a payload inside a torch.save state dict
    lambda obj, path: path.write_bytes(pickle.dumps(obj)),          # a bare pickle
])
def test_a_malicious_pickle_is_refused_without_being_executed(tmp_path, save):
    marker = tmp_path / "PWNED"
    save(Payload(marker), tmp_path / "net.pt")
    with pytest.raises(InputError, match="pickled objects, which are never executed"):
        read_state_dict(tmp_path / "net.pt")
    assert not marker.exists()


def test_a_whole_pickled_module_needs_the_unsafe_flag(tmp_path):
    net = FullyConnected(2, 4, 1, "relu")
    torch.save(net, tmp_path / "net.pt")
    with pytest.raises(InputError, match="--allow-unsafe-load"):
        read_state_dict(tmp_path / "net.pt")
    assert set(read_state_dict(tmp_path / "net.pt", allow_unsafe_load=True)) == set(net.state_dict())


def test_torchscript_is_refused_unless_allowed(tmp_path):
    net = FullyConnected(2, 4, 1, "relu")
    traced = torch.jit.trace(net, torch.randn(3, 2, dtype=torch.float64))
    traced.save(str(tmp_path / "net.ts"))
    with pytest.raises(InputError, match="TorchScript archive"):
        read_state_dict(tmp_path / "net.ts")
    state = read_state_dict(tmp_path / "net.ts", allow_unsafe_load=True)
    assert torch.equal(state["weights.0"], net.state_dict()["weights.0"])


def test_a_non_dict_is_not_a_state_dict(tmp_path):
    torch.save([torch.zeros(2)], tmp_path / "net.pt")
    with pytest.raises(InputError, match="holds a list, not a state dict"):
        read_state_dict(tmp_path / "net.pt")
