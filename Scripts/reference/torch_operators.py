"""Reference values and gradients of Kindling's activations, softmax, losses, batch normalization and the
BatchNorm1d/BatchNorm2d layers, computed by PyTorch in float64.

Writes Tests/KindlingTestSupport/Fixtures/torch_operators.json, read by ActivationTests, LossTests and
BatchNormTests. Every tensor is stored flat in row-major order with its shape. Gradients are
vector-Jacobian products with the stored `upstream` (or 1 for a reduced loss).
Run: Scripts/reference/regenerate (or this file with the venv's python).
"""
import json
import pathlib

import torch
import torch.nn.functional as F

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "Tests" / "KindlingTestSupport" / "Fixtures" / "torch_operators.json"
GENERATOR = torch.Generator().manual_seed(2024)


def randn(*shape):
    return torch.randn(*shape, generator=GENERATOR, dtype=torch.float64)


def rand(*shape):
    return torch.rand(*shape, generator=GENERATOR, dtype=torch.float64)


def flat(tensor):
    return tensor.detach().reshape(-1).tolist()


def activation_case(name, function, x, **arguments):
    x = x.clone().requires_grad_(True)
    y = function(x)
    upstream = randn(*y.shape)
    y.backward(upstream)
    return {"name": name, "arguments": arguments, "shape": list(x.shape), "input": flat(x),
            "upstream": flat(upstream), "output": flat(y), "gradient": flat(x.grad)}


def activations():
    extremes = torch.tensor([-1000.0, -40.0, -1.0, -1e-3, 0.5, 40.0, 1000.0], dtype=torch.float64)
    stable = torch.tensor([1000.0, 0.0, -1000.0], dtype=torch.float64)
    cases = [
        activation_case("relu", F.relu, randn(3, 4)),
        activation_case("sigmoid", torch.sigmoid, randn(2, 3)),
        activation_case("sigmoid", torch.sigmoid, extremes),
        activation_case("leakyReLU", lambda x: F.leaky_relu(x, 0.01), randn(3, 4), negativeSlope=0.01),
        activation_case("leakyReLU", lambda x: F.leaky_relu(x, 0.2), randn(2, 3, 2), negativeSlope=0.2),
        activation_case("elu", lambda x: F.elu(x, 1.0), randn(3, 4), alpha=1.0),
        activation_case("elu", lambda x: F.elu(x, 0.5), extremes, alpha=0.5),
        activation_case("selu", F.selu, randn(3, 4)),
        activation_case("selu", F.selu, extremes),
    ]
    for name, function in [("softmax", torch.softmax), ("logSoftmax", torch.log_softmax)]:
        cases += [
            activation_case(name, lambda x: function(x, 0), randn(3, 4), axis=0),
            activation_case(name, lambda x: function(x, 1), randn(3, 4), axis=1),
            activation_case(name, lambda x: function(x, 1), randn(2, 3, 4), axis=1),
            activation_case(name, lambda x: function(x, -1), randn(2, 3, 4), axis=-1),
            activation_case(name, lambda x: function(x, 0), stable, axis=0),
            activation_case(name, lambda x: function(x, 1), 300 * randn(2, 5), axis=1),
        ]
    return cases


def pairwise_loss_case(name, function, x, t, reduction, target_gradient=True):
    x = x.clone().requires_grad_(True)
    t = t.clone().requires_grad_(target_gradient)
    loss = function(x, t, reduction=reduction)
    upstream = randn(*loss.shape) if reduction == "none" else torch.ones((), dtype=torch.float64)
    loss.backward(upstream)
    case = {"name": name, "reduction": reduction, "shape": list(x.shape), "input": flat(x), "target": flat(t),
            "upstream": flat(upstream), "loss": flat(loss), "inputGradient": flat(x.grad)}
    if target_gradient:
        case["targetGradient"] = flat(t.grad)
    return case


def class_loss_case(name, function, x, classes, reduction):
    x = x.clone().requires_grad_(True)
    loss = function(x, torch.tensor(classes), reduction=reduction)
    upstream = randn(*loss.shape) if reduction == "none" else torch.ones((), dtype=torch.float64)
    loss.backward(upstream)
    return {"name": name, "reduction": reduction, "shape": list(x.shape), "input": flat(x), "classes": classes,
            "upstream": flat(upstream), "loss": flat(loss), "inputGradient": flat(x.grad)}


def losses():
    cases = []
    reductions = ["mean", "sum", "none"]
    for reduction in reductions:
        cases.append(pairwise_loss_case("meanSquaredError", F.mse_loss, randn(3, 4), randn(3, 4), reduction))
        cases.append(pairwise_loss_case("binaryCrossEntropy", F.binary_cross_entropy,
                                        torch.sigmoid(randn(3, 4)), rand(3, 4), reduction))
        cases.append(pairwise_loss_case("binaryCrossEntropyWithLogits", F.binary_cross_entropy_with_logits,
                                        3 * randn(2, 5), rand(2, 5), reduction))
        cases.append(class_loss_case("crossEntropy", F.cross_entropy, randn(4, 5), [0, 4, 2, 4], reduction))
        cases.append(class_loss_case("negativeLogLikelihood", F.nll_loss,
                                     torch.log_softmax(randn(4, 5), 1), [1, 3, 0, 1], reduction))
    # Probabilities at 0 and 1 exercise the clamp of the logarithms at -100 (the target's gradient is
    # infinite there, so only the input's is compared).
    cases.append(pairwise_loss_case("binaryCrossEntropy", F.binary_cross_entropy,
                                    torch.tensor([0.0, 1.0, 1e-50, 0.5, 1.0]), torch.tensor([1.0, 0.0, 1.0, 0.5, 1.0]),
                                    "none", target_gradient=False))
    extreme_logits = torch.tensor([1000.0, -1000.0, 1000.0, -1000.0, 0.0, 1000.0])
    extreme_targets = torch.tensor([1.0, 1.0, 0.0, 0.0, 0.5, 0.3])
    for reduction in reductions:
        cases.append(pairwise_loss_case("binaryCrossEntropyWithLogits", F.binary_cross_entropy_with_logits,
                                        extreme_logits, extreme_targets, reduction))
        cases.append(class_loss_case("crossEntropy", F.cross_entropy,
                                     torch.tensor([[1000.0, 0.0, -1000.0], [-1000.0, 1000.0, 0.0], [0.0, 0.0, 1000.0]]),
                                     [0, 2, 0], reduction))
    return cases


def batch_normalization_case(shape, training, momentum=0.1, epsilon=1e-5):
    channels = shape[1]
    x = randn(*shape).mul(2).add(0.5).requires_grad_(True)
    weight = randn(channels).requires_grad_(True)
    bias = randn(channels).requires_grad_(True)
    running_mean = randn(channels)
    running_var = rand(channels) + 0.5
    case = {"shape": list(shape), "training": training, "momentum": momentum, "epsilon": epsilon,
            "input": flat(x), "weight": flat(weight), "bias": flat(bias),
            "runningMean": flat(running_mean), "runningVariance": flat(running_var)}
    y = F.batch_norm(x, running_mean, running_var, weight, bias, training, momentum, epsilon)
    upstream = randn(*shape)
    y.backward(upstream)
    case.update({"upstream": flat(upstream), "output": flat(y), "inputGradient": flat(x.grad),
                 "weightGradient": flat(weight.grad), "biasGradient": flat(bias.grad),
                 "runningMeanAfter": flat(running_mean), "runningVarianceAfter": flat(running_var)})
    return case


def layer_trajectory(layer, shapes):
    """Runs `layer` in train mode over one batch per shape but the last, then in eval mode on the last."""
    with torch.no_grad():
        layer.weight.copy_(randn(*layer.weight.shape))
        layer.bias.copy_(randn(*layer.bias.shape))
    record = {"features": layer.num_features, "weight": flat(layer.weight), "bias": flat(layer.bias), "steps": []}
    for index, shape in enumerate(shapes):
        training = index < len(shapes) - 1
        layer.train(training)
        layer.zero_grad()
        x = (randn(*shape) * 3 - 1).requires_grad_(True)
        y = layer(x)
        upstream = randn(*shape)
        y.backward(upstream)
        record["steps"].append({
            "training": training, "shape": list(shape), "input": flat(x), "upstream": flat(upstream),
            "output": flat(y), "inputGradient": flat(x.grad), "weightGradient": flat(layer.weight.grad),
            "biasGradient": flat(layer.bias.grad), "runningMean": flat(layer.running_mean),
            "runningVariance": flat(layer.running_var), "batchesTracked": int(layer.num_batches_tracked)})
    record["stateDictionaryKeys"] = list(layer.state_dict().keys())
    return record


def main():
    torch.set_default_dtype(torch.float64)
    fixture = {
        "generator": "Scripts/reference/torch_operators.py",
        "torch": torch.__version__,
        "activations": activations(),
        "losses": losses(),
        "batchNormalization": [
            batch_normalization_case((5, 3), training=True),
            batch_normalization_case((4, 3, 6), training=True, momentum=0.3),
            batch_normalization_case((2, 3, 4, 5), training=True),
            batch_normalization_case((5, 3), training=False),
            batch_normalization_case((2, 3, 4, 5), training=False, epsilon=1e-3),
        ],
        "batchNorm2d": layer_trajectory(torch.nn.BatchNorm2d(3), [(2, 3, 4, 4), (3, 3, 4, 4), (2, 3, 4, 4), (2, 3, 4, 4)]),
        "batchNorm1d": layer_trajectory(torch.nn.BatchNorm1d(4), [(6, 4), (5, 4), (6, 4), (3, 4)]),
    }
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(fixture, indent=None, separators=(",", ":")) + "\n")
    print(f"wrote {OUTPUT.relative_to(ROOT)} ({OUTPUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
