"""Writes safetensors files with the Python `safetensors` library (save_file) for SafeTensorsTests.swift:

- Tests/KindlingTestSupport/Fixtures/safetensors_dtypes.safetensors: one tensor of every dtype Kindling reads
  (F64, F32, F16, BF16, I64, I32, U8, and the other integer types and BOOL), metadata with one key whose
  value needs escaping, names that sort differently by bytes and by number. Its values, as float64 repr strings, are
  in safetensors_dtypes.json (with the file's expected header order).
- Tests/KindlingTestSupport/Fixtures/safetensors_layout.safetensors: F32, F64 and I64 tensors whose elements
  follow the formulas below, so that the Swift test builds the same tensors and compares bytes:
  float tensors: element i (row-major) = (i - 3) * 0.375; the I64 tensor: i * 1000003 - 7, then 2**40.
Run: Scripts/reference/regenerate"""
import json
import pathlib

import numpy as np
import torch
from safetensors.torch import save_file

fixtures = pathlib.Path(__file__).resolve().parents[2] / "Tests/KindlingTestSupport/Fixtures"


def ramp(shape, dtype):
    count = int(np.prod(shape)) if shape else 1
    return torch.tensor([(i - 3) * 0.375 for i in range(count)], dtype=dtype).reshape(shape)


values = {
    "f64": torch.tensor([[1.5, -2.25], [1e-300, 3.141592653589793]], dtype=torch.float64),
    "f32": torch.tensor([0.1, -7.5, 3.4e38], dtype=torch.float32),
    "f16": torch.tensor([1.0, -0.333251953125, 6e-8, 65504.0, 0.0], dtype=torch.float16),
    "bf16": torch.tensor([1.0, -3.140625, 1e-39, 3.0e38], dtype=torch.bfloat16),
    "i64": torch.tensor([-9007199254740993, 0, 42], dtype=torch.int64),
    "i32": torch.tensor([[-2147483648], [2147483647]], dtype=torch.int32),
    "u8": torch.tensor([0, 255, 7], dtype=torch.uint8),
    "i16": torch.tensor([-32768, 5], dtype=torch.int16),
    "i8": torch.tensor([-128, 127], dtype=torch.int8),
    "u16": torch.tensor([65535], dtype=torch.uint16),
    "u32": torch.tensor([4294967295], dtype=torch.uint32),
    "u64": torch.tensor([12345], dtype=torch.uint64),
    "bool": torch.tensor([True, False, True]),
    "a.10": torch.zeros(0, 3, dtype=torch.float32),
    "a.2": torch.tensor(2.5, dtype=torch.float32),
    "B": torch.ones(1, dtype=torch.float32),
}
metadata = {"note": 'line\n"quoted" \\ é \x01\ttab'}
save_file(values, fixtures / "safetensors_dtypes.safetensors", metadata=metadata)
reference = {
    "generator": "Scripts/reference/safetensors_files.py",
    "file": "safetensors_dtypes.safetensors",
    "metadata": metadata,
    "tensors": {
        name: {
            "dtype": {torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
                      torch.int64: "I64", torch.int32: "I32", torch.uint8: "U8", torch.int16: "I16",
                      torch.int8: "I8", torch.uint16: "U16", torch.uint32: "U32", torch.uint64: "U64",
                      torch.bool: "BOOL"}[t.dtype],
            "shape": list(t.shape),
            "values": [repr(v) for v in t.to(torch.float64).flatten().tolist()],
            "integers": t.to(torch.int64).flatten().tolist() if not t.dtype.is_floating_point else None,
        }
        for name, t in values.items()
    },
}
(fixtures / "safetensors_dtypes.json").write_text(json.dumps(reference, indent=1))

layout = {
    "layer.weight": ramp([3, 4], torch.float32),
    "layer.bias": ramp([3], torch.float32),
    "double.weight": ramp([2, 2, 2], torch.float64),
    "scalar": ramp([], torch.float64),
    "bn.num_batches_tracked": torch.tensor(12, dtype=torch.int64),
    "counts": torch.tensor([i * 1000003 - 7 for i in range(5)] + [2**40], dtype=torch.int64),
    "empty": torch.zeros(2, 0, dtype=torch.float32),
}
save_file(layout, fixtures / "safetensors_layout.safetensors", metadata={"format": "pt"})
print("wrote", fixtures / "safetensors_dtypes.safetensors", fixtures / "safetensors_layout.safetensors")
