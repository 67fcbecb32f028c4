"""torch.matmul on 1-D and N-D operands (values and gradients), for Tests/KindlingUnitTests/MatmulRulesTests.swift.

Writes Tests/KindlingTestSupport/Fixtures/torch_matmul.json (float64).

For each pair of shapes, lhs and rhs are drawn from numpy.random.RandomState(0).standard_normal in order;
the product is torch.matmul(op(lhs), op(rhs)), where op transposes the last two axes when the case asks
(`.mT`, Kindling's transposingLeft/Right), and the gradients are those of sum(product²).
"""
import json
import pathlib

import numpy as np
import torch

CASES = [  # lhs shape, rhs shape, transpose lhs, transpose rhs
    ([4], [4], False, False),
    ([3], [3, 5], False, False),
    ([2, 3], [3], False, False),
    ([2, 4, 3], [3], False, False),
    ([4], [2, 4, 5], False, False),
    ([3], [2, 2, 3, 4], False, False),
    ([2, 3, 4], [4, 5], False, False),
    ([2, 3, 4], [2, 5, 4], False, True),
    ([3, 4], [2, 2, 4, 5], False, False),
    ([2, 1, 3, 4], [5, 4, 2], False, False),
    ([2, 3, 4, 5], [2, 3, 5, 2], False, False),
    ([1, 3, 4], [2, 4, 2], False, False),
    ([2, 3, 2, 4], [1, 1, 4, 3], False, False),
    ([2, 3, 4, 2], [3, 4, 5], True, False),
    ([3, 1, 4, 2], [2, 5, 4], True, True),
    ([2, 2, 3], [2, 1, 3, 4], False, False),
]

rng = np.random.RandomState(0)
cases = []
for lhs_shape, rhs_shape, transpose_lhs, transpose_rhs in CASES:
    lhs = torch.tensor(rng.standard_normal(lhs_shape), requires_grad=True)
    rhs = torch.tensor(rng.standard_normal(rhs_shape), requires_grad=True)
    product = torch.matmul(lhs.mT if transpose_lhs else lhs, rhs.mT if transpose_rhs else rhs)
    (product ** 2).sum().backward()
    cases.append({"lhs_shape": lhs_shape, "rhs_shape": rhs_shape,
                  "transpose_lhs": transpose_lhs, "transpose_rhs": transpose_rhs,
                  "lhs": lhs.detach().flatten().tolist(), "rhs": rhs.detach().flatten().tolist(),
                  "product_shape": list(product.shape), "product": product.detach().flatten().tolist(),
                  "lhs_gradient": lhs.grad.flatten().tolist(), "rhs_gradient": rhs.grad.flatten().tolist()})

root = pathlib.Path(__file__).resolve().parents[2]
output = root / "Tests" / "KindlingTestSupport" / "Fixtures" / "torch_matmul.json"
output.write_text(json.dumps({"generator": "Scripts/reference/torch_matmul.py", "torch_version": torch.__version__,
                              "cases": cases}) + "\n")
print(f"wrote {output.relative_to(root)}")
