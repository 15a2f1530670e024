"""Regenerates the files that examples/claims/robust_loss.toml reads (run from the repository root):

    PYTHONPATH=. python examples/claims/make_example_files.py

- data/breast_cancer_d4.csv  32 points of the built-in breast_cancer task on S³ (numerics.network.datasets, seed 0),
                             a header line, the ±1 label in the last column;
- networks/relu_d4_m8.pt     a FullyConnected(d=4, width=8, depth=1, relu) state dict, trained by Algorithm 1
                             (PGD attack in ℓ∞ balls of radius 0.05, hinge loss, R = 2, 150 steps) on those points,
                             saved with torch.save(net.state_dict(), …) — plain tensors, no pickled objects.
"""
from pathlib import Path

import numpy as np
import torch

from numerics.adversarial.attacks import PGD
from numerics.network.datasets import load_dataset
from numerics.network.nets import FullyConnected
from numerics.network.perturbations import PerturbationSet
from numerics.training.algorithm import adversarial_training, set_weights

HERE = Path(__file__).resolve().parent

X, y = load_dataset("breast_cancer", n=32, d=4, seed=0)
np.savetxt(HERE / "data" / "breast_cancer_d4.csv", np.column_stack([X, y]), delimiter=",", fmt="%.17g",
           header="x1,x2,x3,x4,label", comments="")
net = FullyConnected(4, 8, 1, "relu", seed=0)
pset = PerturbationSet("linf", 0.05)
run = adversarial_training(net, torch.tensor(X), torch.tensor(y), attack=PGD(pset, "hinge", 10), loss="hinge",
                           step_size=0.05, iterations=150, radius=2.0, seed=0)
torch.save(set_weights(net, run.final_weights).state_dict(), HERE / "networks" / "relu_d4_m8.pt")
print(f"L_A: {run.log.surrogate_loss[0]:.4f} → {run.log.surrogate_loss[-1]:.4f} ({run.status})")
