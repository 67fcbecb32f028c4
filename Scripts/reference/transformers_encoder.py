"""Last hidden states and sentence embeddings of all-MiniLM-L6-v2 (Scripts/fetch-encoder) for 24
sentences in one padded batch, from transformers' BertModel and BertTokenizer loaded offline, in float32
and in float64 (the same weights converted). Sentence embeddings as sentence-transformers computes them:
mean of the last hidden states over the attention mask, then L2 normalization.

Writes Tests/KindlingTestSupport/Fixtures/transformers_encoder.safetensors (read by SentenceEmbeddingTests):
ids and mask (I64); hidden32/hidden64 = last hidden state at every 16th/64th feature (to keep the
fixture small); pooled32/pooled64 = normalized sentence embeddings; pooler32 = BertModel's pooler_output
(tanh of a dense layer on [CLS]); the sentences in the metadata.
Run: Scripts/reference/regenerate (or this file with the venv's python).
"""
import json
import pathlib
import subprocess

import torch
import torch.nn.functional as F
from safetensors.torch import save_file
from transformers import BertModel, BertTokenizer

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "Tests" / "KindlingTestSupport" / "Fixtures" / "transformers_encoder.safetensors"
FOLDER = subprocess.run([str(ROOT / "Scripts" / "fetch-encoder")], check=True, capture_output=True,
                        text=True).stdout.strip()

SENTENCES = [
    "A man is eating food.",
    "A man is eating a piece of bread.",
    "The girl is carrying a baby.",
    "A man is riding a horse.",
    "A woman is playing violin.",
    "Two men pushed carts through the woods.",
    "A man is riding a white horse on an enclosed ground.",
    "A monkey is playing drums.",
    "Someone in a gorilla costume is playing a set of drums.",
    "Initialization matters: Xavier and He schemes keep the variance of activations stable across layers.",
    "Hello!",
    "Café au lait, s'il vous plaît.",
    "北京是中国的首都。",
    "Emoji 🚀 and numbers 3.14159 and 1,000,000.",
    "The quick brown fox jumps over the lazy dog.",
    "What is the capital of France?",
    "Paris is the capital and most populous city of France.",
    "Neural networks learn representations from data.",
    "I love this movie, it was fantastic!",
    "This was the worst film I have ever seen.",
    "The stock market fell sharply on Monday.",
    "Rain is expected tomorrow afternoon.",
    "ok",
    "A very long sentence that goes on and on, listing apples, oranges, pears, plums, cherries, grapes, "
    "lemons, limes, mangoes, papayas, kiwis and bananas, to make the padded batch noticeably wider.",
]


def embed(model, batch):
    with torch.no_grad():
        outputs = model(**batch)
    hidden = outputs.last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * mask).sum(1) / torch.clamp(mask.sum(1), min=1e-9)
    return hidden, F.normalize(pooled, p=2, dim=1), outputs.pooler_output


def main():
    tokenizer = BertTokenizer.from_pretrained(FOLDER, local_files_only=True)
    batch = tokenizer(SENTENCES, padding=True, truncation=True, return_tensors="pt")
    batch = {"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"],
             "token_type_ids": batch["token_type_ids"]}
    model = BertModel.from_pretrained(FOLDER, local_files_only=True, attn_implementation="eager").eval()
    hidden32, pooled32, pooler32 = embed(model, batch)
    hidden64, pooled64, _ = embed(model.double(), batch)
    save_file({
        "ids": batch["input_ids"].contiguous(), "mask": batch["attention_mask"].contiguous(),
        "hidden32": hidden32[:, :, ::16].contiguous(), "pooled32": pooled32.contiguous(), "pooler32": pooler32.contiguous(),
        "hidden64": hidden64[:, :, ::64].contiguous(), "pooled64": pooled64.contiguous(),
    }, str(OUTPUT), metadata={"source": "Scripts/reference/transformers_encoder.py",
                              "sentences": json.dumps(SENTENCES, ensure_ascii=False)})
    print(f"wrote {OUTPUT.relative_to(ROOT)}: batch {tuple(batch['input_ids'].shape)}")


if __name__ == "__main__":
    main()
