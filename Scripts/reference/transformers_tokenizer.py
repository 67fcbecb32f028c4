"""Token ids of BERT's uncased WordPiece tokenizer for 330 varied strings (punctuation, accents, CJK,
Hangul, emoji, numbers, control characters, very long words, empty and whitespace-only strings, special
tokens written in the text), from
transformers' BertTokenizer loaded offline from all-MiniLM-L6-v2's folder (Scripts/fetch-encoder).

Writes Tests/KindlingTestSupport/Fixtures/transformers_tokenizer.json, read by TokenizerTests: for each string
the ids with [CLS]/[SEP]; and one padded batch truncated to 12 tokens with its attention mask.
The legacy pure-Python tokenizer (tokenization_bert_legacy) is run on the same strings and must agree.
Run: Scripts/reference/regenerate (or this file with the venv's python).
"""
import json
import pathlib
import random
import subprocess

from transformers import BertTokenizer

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "Tests" / "KindlingTestSupport" / "Fixtures" / "transformers_tokenizer.json"
FOLDER = subprocess.run([str(ROOT / "Scripts" / "fetch-encoder")], check=True, capture_output=True,
                        text=True).stdout.strip()

HANDWRITTEN = [
    "", " ", "   ", "\t\n\r ", "\u00a0\u2003\u3000", "\u2028\u2029", "Hello, world!", "hello world",
    "HELLO WORLD", "Héllo wörld", "café naïve résumé façade", "Ærøskøbing Ångström", "ÇA VA? Ça va!",
    "Straße ẞTRASSE", "İstanbul ıi", "ΣΊΣΥΦΟΣ σίσυφος", "Привет, мир!", "Ελληνικά: αβγ",
    "unaffable", "unbelievably", "supercalifragilisticexpialidocious", "a" * 100, "a" * 101,
    "b" * 250 + " ok", "antidisestablishmentarianism" * 4, "你好，世界", "我爱自然语言处理。",
    "日本語のテキスト", "カタカナ ひらがな", "한국어 텍스트", "中文English混合", "𠀀𠀁 extension B",
    "豈 compatibility", "emoji 😀😃🎉", "👍🏽 thumbs", "👨‍👩‍👧 family", "❤️ heart", "flag 🇫🇷",
    "3.14159", "1,000,000", "$100.00", "50% off!!!", "2024-12-01T19:00:00Z", "+1 (555) 123-4567",
    "user@example.com", "https://example.org/path?q=1&x=2#frag", "C++ and C# and F#",
    "don't won't can't", "\"quoted\" 'single'", "«guillemets» „low“", "em—dash en–dash", "ellipsis…",
    "tab\tseparated\tvalues", "line\nbreaks\r\nhere", "zero\u200bwidth", "soft\u00adhyphen",
    "control\x00\x01\x1fchars", "replacement\ufffdchar", "bell\x07char", "mixed ca\u0301fe combining",
    "e\u0301\u0302\u0303 stacked", "ﬁ ligature", "ｆｕｌｌｗｉｄｔｈ", "①②③", "x² + y² = z²", "½ ¼ ¾",
    "~`!@#$%^&*()_+-={}[]|\\:;\"'<>,.?/", "¿Qué? ¡Sí!", "…", "·", "§ ¶ † ‡", "© ® ™",
    "naïve café in the Zürich Hauptbahnhof", "The quick brown fox jumps over the lazy dog.",
    "[CLS] text with a literal special", "tokenization of unknownish wordz like qwxzv",
    "##hashes ##", "under_score snake_case", "CamelCaseIdentifiers", "MiXeD CaSe",
    "Wi-Fi e-mail co-operate", "4x4 3D 5G 10k", "0.000001 1e-10 6.02e23", "ⅰⅱⅲ Ⅳ", "Ⓐ Ⓑ",
    "ไทย ภาษา", "עברית", "العربية", "हिन्दी", "தமிழ்", "ქართული", "አማርኛ",
    "[SEP][SEP]", "a[MASK]b", "[[SEP]]", "[SE[SEP]P", "[sep] [Sep] [MASK", "x[PAD]y[UNK]z[CLS]",
    "café[SEP]naïve [MASK] end", "[SEP]" * 40 + "tail",
]

FRAGMENTS = [
    "the", "model", "Initialization", "matters", "a lot", "Xavier", "He", "LeCun", "orthogonal",
    "naïve", "CAFÉ", "résumé", "Ångström", "über", "señor", "jalapeño", "coöperate", "东京", "北京",
    "学习", "ひらがな", "한국", "😀", "🚀", "🤖", "✨", "42", "3.5", "1,234", "-7", "100%", "$9.99",
    ",", ".", "!", "?", ";", ":", "(", ")", "[", "]", "{", "}", "\"", "'", "-", "--", "...", "/",
    "\\", "@", "#", "&", "*", "^", "~", "`", "|", "<", ">", "=", "+", "_", "€", "£", "¥", "°",
    "—", "“", "”", "‘", "’", "\t", "\n", "  ", "\u00a0", "unaffable", "transformers", "tokenizer",
    "preprocessing", "xylophone", "qzxwv", "ZZZZZZZZ", "pneumonoultramicroscopicsilicovolcanoconiosis",
]


def generated(count, seed=13):
    rng = random.Random(seed)
    result = []
    for _ in range(count):
        pieces = [rng.choice(FRAGMENTS) for _ in range(rng.randint(1, 9))]
        joiners = [rng.choice(["", " ", " ", " ", "  "]) for _ in pieces]
        result.append("".join(p + j for p, j in zip(pieces, joiners)))
    return result


def main():
    tokenizer = BertTokenizer.from_pretrained(FOLDER, local_files_only=True)
    texts = HANDWRITTEN + generated(330 - len(HANDWRITTEN))
    cases = [{"text": t, "ids": tokenizer(t)["input_ids"]} for t in texts]

    from transformers.models.bert.tokenization_bert_legacy import BertTokenizerLegacy as LegacyBertTokenizer
    legacy = LegacyBertTokenizer(str(pathlib.Path(FOLDER) / "vocab.txt"), do_lower_case=True)
    disagreements = [c["text"] for c in cases if legacy(c["text"])["input_ids"] != c["ids"]]
    print(f"{len(cases)} strings; the legacy Python tokenizer disagrees on {len(disagreements)}: {disagreements!r}")

    batch_texts = ["Short one.", "A somewhat longer sentence that will be truncated at twelve tokens for sure.",
                   "", "naïve café", "你好世界 hello"]
    batch = tokenizer(batch_texts, padding=True, truncation=True, max_length=12)
    OUTPUT.write_text(json.dumps({
        "source": "Scripts/reference/transformers_tokenizer.py",
        "cases": cases,
        "batch": {"texts": batch_texts, "maximumLength": 12, "ids": batch["input_ids"],
                  "attentionMask": batch["attention_mask"]},
    }, ensure_ascii=True, indent=None) + "\n")
    print(f"wrote {OUTPUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
