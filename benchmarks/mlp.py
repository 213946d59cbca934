"""Gradients of small neural-network losses (the seeds' world) against PyTorch autograd.

Random two-layer networks (2-5 inputs, 2-7 hidden units with tanh, ReLU, sigmoid or
softplus, 2-3 classes, 1-4 samples), softmax cross-entropy computed in numpy the usual way
(logits shifted by their maximum, log-sum-exp minus the true logit), weights drawn at
scales 0.1 to 5: ``derivlab.gradient`` of the loss in all weights against
``torch.autograd`` in float64 (exact to rounding; softplus as logaddexp(0, z), not torch's
thresholded softplus). Losses exactly 0.0 (saturated: log(1 + tiny) rounded to 0) are
skipped: f carries nothing there. Prints the counts per weight (successes within their bar,
confident-wrong, failures by status), each confident-wrong weight, and evaluations per weight.

    python benchmarks/mlp.py [--seeds 1 2 3 4 5] [--trials 40] [--method central]
"""

import argparse
import collections

import numpy as np

import derivlab


def _networks(seed, trials):
    import torch

    rng = np.random.default_rng(seed)
    acts = {"tanh": (np.tanh, torch.tanh), "relu": (lambda z: np.maximum(z, 0), torch.relu),
            "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), torch.sigmoid),
            "softplus": (lambda z: np.logaddexp(0, z),
                         lambda z: torch.logaddexp(torch.zeros_like(z), z))}
    for trial in range(trials):
        nin, nh, nout, nb = (int(rng.integers(*r)) for r in ((2, 6), (2, 8), (2, 4), (1, 5)))
        X, y = rng.normal(size=(nb, nin)), rng.integers(0, nout, nb)
        name = list(acts)[rng.integers(len(acts))]
        a_np, a_t = acts[name]
        shapes = [(nin, nh), (nh,), (nh, nout), (nout,)]
        sizes = [int(np.prod(s)) for s in shapes]
        w0 = rng.normal(size=sum(sizes)) * float(10 ** rng.uniform(-1, 0.7))

        def unpack(w, shapes=shapes, sizes=sizes):
            out, i = [], 0
            for s, n in zip(shapes, sizes):
                out.append(w[i:i + n].reshape(s))
                i += n
            return out

        def loss(w, X=X, y=y, a=a_np, unpack=unpack):
            W1, b1, W2, b2 = unpack(w)
            z = a(X @ W1 + b1) @ W2 + b2
            z = z - z.max(axis=1, keepdims=True)
            return float(np.mean(np.log(np.exp(z).sum(axis=1)) - z[np.arange(len(y)), y]))

        wt = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
        W1, b1, W2, b2 = unpack(wt)
        z = a_t(torch.as_tensor(X) @ W1 + b1) @ W2 + b2
        torch.nn.functional.cross_entropy(z, torch.as_tensor(y)).backward()
        yield trial, name, loss, w0, wt.grad.numpy()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--trials", type=int, default=40)
    parser.add_argument("--method", default="central")
    args = parser.parse_args()
    counts, wrong, evals = collections.Counter(), [], []
    for seed in args.seeds:
        for trial, name, loss, w0, truth in _networks(seed, args.trials):
            if loss(w0) == 0.0:
                counts["skipped (loss exactly 0)"] += 1
                continue
            res = derivlab.gradient(loss, w0, method=args.method)
            evals.append(res.nfev / w0.size)
            status = np.asarray(res.status, dtype=object).reshape(w0.shape)
            for i in range(w0.size):
                err = abs(res.value[i] - truth[i])
                if status[i] < 0:
                    counts[status[i].name] += 1
                elif err <= res.error[i]:
                    counts["ok"] += 1
                else:
                    counts["confident_wrong"] += 1
                    wrong.append((seed, trial, name, i, res.value[i], res.error[i], truth[i],
                                  err / res.error[i] if res.error[i] else np.inf))
    print(f"seeds {args.seeds}, {args.trials} networks each, method {args.method}: "
          f"{dict(counts)}; {np.mean(evals):.1f} evaluations per weight")
    for w in wrong:
        print("  confident-wrong: seed %d network %d (%s) weight %d: %.16g +- %.2g for %.16g "
              "(%.1fx its bar)" % w)


if __name__ == "__main__":
    main()
