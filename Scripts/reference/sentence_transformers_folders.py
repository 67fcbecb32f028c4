"""Small random BERT sentence-transformers folders, saved and re-loaded by sentence-transformers, with the
embeddings its `encode` gives for a few texts: the reference for Kindling's SentenceEncoder, which must read
any BERT-family folder as sentence-transformers does (modules.json, the pooling modes, Normalize, the
tokenizer's casing, do_lower_case, max_seq_length and its fallbacks, the classic and the current layout).

Writes into Tests/KindlingTestSupport/Fixtures/:
  sentence_transformers/<name>/...            -- one folder per case (F32 weights, a vocabulary of ~70 tokens)
  sentence_transformers_folders.json          -- per folder: texts, the token ids, float32 and float64 embeddings
read by SentenceEncoderTests. Run: Scripts/reference/regenerate (or this file with the venv's python).

Cases (hidden sizes 8-16, 1-2 layers; long texts get truncated in every case):
  classic_mean_normalize   vocab.txt only, sentence_bert_config.json max_seq_length 12, pooling_mode_* booleans,
                           mean + Normalize, uncased tokenizer
  classic_cls_cased        cased tokenizer (do_lower_case false), CLS pooling, gelu_new, one token type
  current_max              the vocabulary only in tokenizer.json, pooling_mode "max" as one string, no
                           max_seq_length: tokenizer_config.json's model_max_length (10) decides
  positions_mean_sqrt      no max_seq_length and no model_max_length: max_position_embeddings (9) decides;
                           sentence-transformers' do_lower_case over a cased tokenizer; mean_sqrt_len_tokens
  concatenated_modes       pooling_mode ["cls", "mean", "max", "weightedmean", "lasttoken"] + Normalize
"""
import json
import pathlib
import shutil
import tempfile

import torch
from sentence_transformers import SentenceTransformer
from sentence_transformers.models import Normalize, Pooling, Transformer
from transformers import BertConfig, BertModel, BertTokenizer

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "Tests" / "KindlingTestSupport" / "Fixtures"
FOLDERS = FIXTURES / "sentence_transformers"
REFERENCE = FIXTURES / "sentence_transformers_folders.json"

WORDS = ["the", "a", "cat", "dog", "sat", "on", "mat", "ran", "in", "park", "is", "was", "happy", "small",
         "big", "house", "red", "tree", "bird", "sang", "and", "it", "he", "she", "caf", "##e", "##s", "##ed",
         "##ing", "un", "##believ", "##able", "The", "Cat", "Dog", "Paris", "Zurich", "Ca", "##f", "##é", "é",
         "café", "ran", ".", ",", "!", "?", "'", "-", "1", "2", "##0", "house", "Tree", "bird", "##ly"]
TEXTS = [
    "The cat sat on the mat.",
    "A dog ran in the park!",
    "The Cat and the Dog, unbelievable.",
    "Café in Paris, Zurich and the big red house; the small bird sang happily in the tree and it was happy.",
    "he ran",
    "cats dogs birds houses trees sang sat ran park mat the a the a the a the a 12 2020 - ' ? ! .",
    "CAFÉ, Cafe, café: ZURICH zurich",
]


def vocabulary():
    tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    for word in WORDS:
        if word not in tokens:
            tokens.append(word)
    return tokens


def make_folder(name, *, hidden, layers, heads, intermediate, positions, cased, act="gelu", types=2,
                max_seq_length=None, model_max_length=None, do_lower_case=False, pooling, normalize,
                tokenizer_json_only=False, seed):
    torch.manual_seed(seed)
    folder = FOLDERS / name
    shutil.rmtree(folder, ignore_errors=True)
    with tempfile.TemporaryDirectory() as scratch:
        scratch = pathlib.Path(scratch)
        (scratch / "vocab.txt").write_text("\n".join(vocabulary()) + "\n", encoding="utf-8")
        tokenizer = BertTokenizer(vocab=str(scratch / "vocab.txt"), do_lower_case=not cased)
        tokenizer.model_max_length = model_max_length if model_max_length is not None else int(1e30)
        config = BertConfig(vocab_size=len(vocabulary()), hidden_size=hidden, num_hidden_layers=layers,
                            num_attention_heads=heads, intermediate_size=intermediate,
                            max_position_embeddings=positions, type_vocab_size=types, hidden_act=act,
                            pad_token_id=0)
        model = BertModel(config, add_pooling_layer=False).eval()
        with torch.no_grad():  # weights large enough that the layers matter, LayerNorm away from 1 and 0
            for parameter_name, parameter in model.named_parameters():
                if "LayerNorm" in parameter_name:
                    parameter.add_(0.2 * torch.randn_like(parameter))
                else:
                    parameter.normal_(0, 0.3)
        model.save_pretrained(scratch / "bert")
        tokenizer.save_pretrained(scratch / "bert")
        transformer = Transformer(str(scratch / "bert"), max_seq_length=max_seq_length, do_lower_case=do_lower_case)
        modules = [transformer, Pooling(hidden, pooling_mode=pooling)]
        if normalize:
            modules.append(Normalize())
        SentenceTransformer(modules=modules).save(str(folder))
    (folder / "README.md").unlink(missing_ok=True)
    modes = [pooling] if isinstance(pooling, str) else list(pooling)
    if tokenizer_json_only:
        return folder
    # The classic layout, as sentence-transformers 2 saved it: vocab.txt, the old module type names,
    # sentence_bert_config.json with max_seq_length and do_lower_case, one pooling boolean per mode.
    (folder / "tokenizer.json").unlink(missing_ok=True)
    (folder / "vocab.txt").write_text("\n".join(vocabulary()) + "\n", encoding="utf-8")
    tokenizer_config = {"do_lower_case": not cased, "unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]",
                        "cls_token": "[CLS]", "mask_token": "[MASK]", "tokenize_chinese_chars": True,
                        "strip_accents": None, "tokenizer_class": "BertTokenizer"}
    if model_max_length is not None:
        tokenizer_config["model_max_length"] = model_max_length
    (folder / "tokenizer_config.json").write_text(json.dumps(tokenizer_config, indent=2) + "\n")
    (folder / "sentence_bert_config.json").write_text(
        json.dumps({"max_seq_length": max_seq_length, "do_lower_case": do_lower_case}, indent=2) + "\n")
    module_list = json.loads((folder / "modules.json").read_text())
    for module in module_list:
        module["type"] = "sentence_transformers.models." + module["type"].rsplit(".", 1)[1]
    (folder / "modules.json").write_text(json.dumps(module_list, indent=2) + "\n")
    legacy = {"cls": "pooling_mode_cls_token", "max": "pooling_mode_max_tokens", "mean": "pooling_mode_mean_tokens",
              "mean_sqrt_len_tokens": "pooling_mode_mean_sqrt_len_tokens",
              "weightedmean": "pooling_mode_weightedmean_tokens", "lasttoken": "pooling_mode_lasttoken"}
    pooling_config = {"word_embedding_dimension": hidden, **{key: mode in modes for mode, key in legacy.items()}}
    (folder / "1_Pooling" / "config.json").write_text(json.dumps(pooling_config, indent=2) + "\n")
    return folder


def reference(folder):
    model = SentenceTransformer(str(folder), device="cpu")
    ids = [model.tokenize([text])["input_ids"][0].tolist() for text in TEXTS]
    single = model.encode(TEXTS, convert_to_numpy=True, batch_size=3)
    double = SentenceTransformer(str(folder), device="cpu").double().encode(TEXTS, convert_to_numpy=True,
                                                                             batch_size=3)
    return {"max_seq_length": model.max_seq_length, "ids": ids,
            "float32": single.astype("float64").tolist(), "float64": double.tolist()}


def main():
    FOLDERS.mkdir(parents=True, exist_ok=True)
    cases = [
        make_folder("classic_mean_normalize", hidden=8, layers=2, heads=2, intermediate=16, positions=32,
                    cased=False, max_seq_length=12, model_max_length=512, pooling="mean", normalize=True, seed=1),
        make_folder("classic_cls_cased", hidden=12, layers=1, heads=3, intermediate=20, positions=24, cased=True,
                    act="gelu_new", types=1, max_seq_length=16, pooling="cls", normalize=False, seed=2),
        make_folder("current_max", hidden=16, layers=2, heads=4, intermediate=24, positions=40, cased=False,
                    model_max_length=10, pooling="max", normalize=False, tokenizer_json_only=True, seed=3),
        make_folder("positions_mean_sqrt", hidden=8, layers=1, heads=1, intermediate=8, positions=9, cased=True,
                    do_lower_case=True, pooling="mean_sqrt_len_tokens", normalize=False, seed=4),
        make_folder("concatenated_modes", hidden=8, layers=2, heads=4, intermediate=12, positions=20,
                    cased=False, max_seq_length=14, pooling=["cls", "mean", "max", "weightedmean", "lasttoken"],
                    normalize=True, tokenizer_json_only=True, seed=5),
    ]
    result = {"source": "Scripts/reference/sentence_transformers_folders.py", "texts": TEXTS,
              "folders": {folder.name: reference(folder) for folder in cases}}
    REFERENCE.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {FOLDERS.relative_to(ROOT)} and {REFERENCE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
