"""A tiny random BertModel (hidden 8, 2 heads, intermediate 16, 2 layers, vocabulary 20, 10 positions) in
float64 with transformers, and the encoder's parts with torch.nn.functional, for checking Kindling's
Embedding, LayerNorm, GELU, multi-head self-attention with a mask, BERT layer and stack against PyTorch.

Writes into Tests/KindlingTestSupport/Fixtures/:
  tiny_bert/config.json, tiny_bert/model.safetensors  -- the model folder (F64 weights, Hugging Face keys)
  tiny_bert_reference.safetensors                      -- inputs, outputs and gradients (F64, I64)
read by EncoderLayerTests. Gradients are of sum(output * upstream).
Run: Scripts/reference/regenerate (or this file with the venv's python).
"""
import json
import pathlib

import torch
import torch.nn.functional as F
from safetensors.torch import save_file
from transformers import BertConfig, BertModel

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "Tests" / "KindlingTestSupport" / "Fixtures"
FOLDER = FIXTURES / "tiny_bert"
REFERENCE = FIXTURES / "tiny_bert_reference.safetensors"


def main():
    torch.manual_seed(7)
    FOLDER.mkdir(exist_ok=True)
    config = BertConfig(vocab_size=20, hidden_size=8, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=16, max_position_embeddings=10, type_vocab_size=2,
                        layer_norm_eps=1e-12, hidden_act="gelu", pad_token_id=0)
    model = BertModel(config, add_pooling_layer=False).double().eval()
    # Non-trivial LayerNorm parameters (they start at 1 and 0).
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if "LayerNorm" in name:
                parameter.add_(0.1 * torch.randn_like(parameter))
    state = {k: v.contiguous() for k, v in model.state_dict().items()}
    save_file(state, str(FOLDER / "model.safetensors"), metadata={"format": "pt"})
    (FOLDER / "config.json").write_text(json.dumps(config.to_dict(), indent=2, sort_keys=True) + "\n")

    ids = torch.tensor([[2, 5, 7, 9, 3, 0, 0], [2, 11, 4, 13, 17, 8, 3], [2, 6, 3, 0, 0, 0, 0]])
    mask = (ids != 0).long()
    output = model(input_ids=ids, attention_mask=mask).last_hidden_state
    upstream = torch.randn_like(output)
    (output * upstream).sum().backward()
    reference = {
        "ids": ids, "mask": mask, "output": output.detach(), "upstream": upstream,
        "grad.query": model.encoder.layer[0].attention.self.query.weight.grad,
        "grad.word": model.embeddings.word_embeddings.weight.grad,
        "grad.ln": model.encoder.layer[1].output.LayerNorm.weight.grad,
        "grad.intermediate": model.encoder.layer[1].intermediate.dense.bias.grad,
    }

    # The parts one by one (float64), with input gradients.
    x = torch.randn(3, 5, 8, dtype=torch.float64, requires_grad=True)
    w = torch.randn(8, dtype=torch.float64, requires_grad=True)
    b = torch.randn(8, dtype=torch.float64, requires_grad=True)
    y = F.layer_norm(x, (8,), w, b, eps=1e-5)
    g = torch.randn_like(y)
    (y * g).sum().backward()
    reference.update({"ln.x": x.detach(), "ln.w": w.detach(), "ln.b": b.detach(), "ln.y": y.detach(), "ln.g": g,
                      "ln.dx": x.grad, "ln.dw": w.grad, "ln.db": b.grad})
    for approximate in ["none", "tanh"]:
        x = (3 * torch.randn(4, 6, dtype=torch.float64)).requires_grad_()
        y = F.gelu(x, approximate=approximate)
        g = torch.randn_like(y)
        (y * g).sum().backward()
        reference.update({f"gelu.{approximate}.x": x.detach(), f"gelu.{approximate}.y": y.detach(),
                          f"gelu.{approximate}.g": g, f"gelu.{approximate}.dx": x.grad})
    table = torch.randn(6, 3, dtype=torch.float64, requires_grad=True)
    lookup = torch.tensor([[1, 0, 4], [4, 4, 2]])
    y = F.embedding(lookup, table, padding_idx=4)
    g = torch.randn_like(y)
    (y * g).sum().backward()
    reference.update({"embedding.table": table.detach(), "embedding.ids": lookup, "embedding.y": y.detach(),
                      "embedding.g": g, "embedding.dtable": table.grad})
    save_file({k: v.contiguous() for k, v in reference.items()}, str(REFERENCE),
              metadata={"source": "Scripts/reference/transformers_tiny_bert.py"})
    print(f"wrote {FOLDER.relative_to(ROOT)} and {REFERENCE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
