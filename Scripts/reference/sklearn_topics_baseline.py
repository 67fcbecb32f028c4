"""The baseline for `kindling transfer` on datasets/topics: a bag-of-words logistic regression
(scikit-learn CountVectorizer with its default word tokenization, lower-cased, unigrams; LogisticRegression
with its defaults, lbfgs, C=1, max_iter raised to 1000) trained on train.tsv, accuracy on test.tsv.

Writes Tests/KindlingTestSupport/Fixtures/sklearn_topics_baseline.json (read by TextClassificationTests).
Run: Scripts/reference/regenerate (or this file with the venv's python).
"""
import json
import pathlib

from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression

ROOT = pathlib.Path(__file__).resolve().parents[2]
DATA = ROOT / "datasets" / "topics"
OUTPUT = ROOT / "Tests" / "KindlingTestSupport" / "Fixtures" / "sklearn_topics_baseline.json"


def read(name):
    rows = [line.split("\t", 1) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line]
    return [text for _, text in rows], [label for label, _ in rows]


def main():
    train_texts, train_labels = read("train.tsv")
    test_texts, test_labels = read("test.tsv")
    vectorizer = CountVectorizer()
    features = vectorizer.fit_transform(train_texts)
    classifier = LogisticRegression(max_iter=1000).fit(features, train_labels)
    accuracy = classifier.score(vectorizer.transform(test_texts), test_labels)
    OUTPUT.write_text(json.dumps({
        "source": "Scripts/reference/sklearn_topics_baseline.py",
        "train": len(train_texts), "test": len(test_texts), "vocabulary": len(vectorizer.vocabulary_),
        "testAccuracy": accuracy,
        "trainAccuracy": classifier.score(features, train_labels),
    }, indent=2) + "\n")
    print(f"bag-of-words logistic regression: test accuracy {accuracy:.4f} "
          f"({round(accuracy * len(test_texts))}/{len(test_texts)})")


if __name__ == "__main__":
    main()
