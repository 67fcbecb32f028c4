"""Writes tables as users have them, for `kindling train/evaluate/predict` on messy files
(Tests/KindlingCommandLineTests/TableCommandTests.swift), and scikit-learn's accuracy on each.

Writes into Tests/KindlingTestSupport/Fixtures/datasets/tables/:
- wine-semicolon.csv: load_wine with ';' between fields and a decimal comma ("14,23"), label "class" last;
- cancer-categorical.csv: load_breast_cancer with an ID column "id" first ("P0001", ...), "mean radius" replaced
  by "size", the feature binned at its quartiles into the named categories small / medium / large / very large,
  label "diagnosis" (benign / malignant) last;
- cancer-missing.csv: load_breast_cancer with 5% of the feature cells left empty (RandomState(1)), label last;
- cancer-few-missing.csv: the same with 1% of the cells empty (RandomState(4)), for dropping rows;
- wine-missing.csv: load_wine with 2% of the feature cells left empty (RandomState(2)), label last;
- wine-reordered.csv: wine.csv's rows with the feature columns in another order, the label column in the middle
  and an extra column "note" (for evaluate's schema check);
and Tests/KindlingTestSupport/Fixtures/sklearn_tables.json: for each training setup, the split (as
`kindling train` makes it: train_test_split(test_size=0.2, random_state=0) of the rows, after rows with an empty
cell are dropped for "drop") and the validation accuracy of the scikit-learn pipeline
ColumnTransformer(numeric: SimpleImputer(strategy) + StandardScaler, categorical: SimpleImputer(most_frequent) +
OneHotEncoder(handle_unknown="ignore")) + MLPClassifier(hidden_layer_sizes=(64, 32), random_state=0,
max_iter=500), fitted on the training split.
"""
import csv
import io
import json
import pathlib

import numpy as np
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_breast_cancer, load_wine
from sklearn.impute import SimpleImputer
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "Tests" / "KindlingTestSupport" / "Fixtures"
TABLES = FIXTURES / "datasets" / "tables"
TABLES.mkdir(parents=True, exist_ok=True)


def write_csv(name, header, rows, delimiter=","):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    (TABLES / name).write_text(buffer.getvalue())


def number(value, decimal="."):
    return repr(float(value)).replace(".", decimal)


def accuracy(features, labels, categorical=(), strategy="mean", drop=False):
    """The pipeline's validation accuracy on kindling's split; features is a list of rows (None = missing)."""
    rows = list(range(len(labels)))
    if drop:
        rows = [r for r in rows if all(v is not None for v in features[r])]
    width = len(features[0])
    numeric = [j for j in range(width) if j not in categorical]
    table = np.empty((len(rows), width), dtype=object)
    for i, r in enumerate(rows):
        for j in range(width):
            value = features[r][j]
            table[i, j] = (np.nan if value is None else float(value)) if j in numeric else value
    y = np.asarray([labels[r] for r in rows])
    X_train, X_valid, y_train, y_valid = train_test_split(table, y, test_size=0.2, random_state=0)
    transformers = [("numeric", make_pipeline(SimpleImputer(strategy=strategy), StandardScaler()), numeric)]
    if categorical:
        transformers.append(("categorical", make_pipeline(
            SimpleImputer(strategy="most_frequent", missing_values=None),
            OneHotEncoder(handle_unknown="ignore")), list(categorical)))
    model = make_pipeline(
        ColumnTransformer(transformers),
        MLPClassifier(hidden_layer_sizes=(64, 32), random_state=0, max_iter=500))
    model.fit(X_train, y_train)
    return {"rows": len(rows), "validationRows": len(y_valid), "accuracy": float(model.score(X_valid, y_valid))}


reference = {"generator": "Scripts/reference/sklearn_tables.py",
             "versions": {"numpy": np.__version__, "scikit-learn": sklearn.__version__},
             "pipeline": "ColumnTransformer(SimpleImputer + StandardScaler | SimpleImputer(most_frequent) + "
                         "OneHotEncoder(handle_unknown='ignore')) + MLPClassifier(hidden_layer_sizes=(64, 32), "
                         "random_state=0, max_iter=500), fitted on train_test_split(test_size=0.2, random_state=0)",
             "setups": {}}

wine = load_wine()
wine_names = [f"class_{k}" for k in wine.target]
wine_columns = list(wine.feature_names)
cancer = load_breast_cancer()
cancer_names = [str(cancer.target_names[k]) for k in cancer.target]

# Semicolons and decimal commas.
write_csv("wine-semicolon.csv", wine_columns + ["class"],
          [[number(v, ",") for v in row] + [name] for row, name in zip(wine.data, wine_names)], delimiter=";")
reference["setups"]["wine-semicolon"] = accuracy(wine.data.tolist(), wine_names)

# A categorical column (quartile bins of "mean radius") and an ID column.
radius = cancer.data[:, 0]
edges = np.quantile(radius, [0.25, 0.5, 0.75])
sizes = np.asarray(["small", "medium", "large", "very large"])[np.searchsorted(edges, radius, side="right")]
features = [[size] + [float(v) for v in row[1:]] for size, row in zip(sizes, cancer.data)]
write_csv("cancer-categorical.csv", ["id", "size"] + list(cancer.feature_names[1:]) + ["diagnosis"],
          [[f"P{i + 1:04d}", row[0]] + [number(v) for v in row[1:]] + [name]
           for i, (row, name) in enumerate(zip(features, cancer_names))])
reference["setups"]["cancer-categorical"] = accuracy(features, cancer_names, categorical=(0,))


def with_missing(data, fraction, seed):
    mask = np.random.RandomState(seed).random_sample(data.shape) < fraction
    return [[None if mask[i, j] else float(data[i, j]) for j in range(data.shape[1])] for i in range(len(data))]


cancer_missing = with_missing(cancer.data, 0.05, 1)
write_csv("cancer-missing.csv", list(cancer.feature_names) + ["diagnosis"],
          [["" if v is None else number(v) for v in row] + [name] for row, name in zip(cancer_missing, cancer_names)])
for strategy in ["mean", "median"]:
    reference["setups"][f"cancer-missing-{strategy}"] = accuracy(cancer_missing, cancer_names, strategy=strategy)

# Fewer missing cells (1%), for dropping the rows that have one (about a quarter of them).
cancer_few_missing = with_missing(cancer.data, 0.01, 4)
write_csv("cancer-few-missing.csv", list(cancer.feature_names) + ["diagnosis"],
          [["" if v is None else number(v) for v in row] + [name]
           for row, name in zip(cancer_few_missing, cancer_names)])
reference["setups"]["cancer-few-missing-drop"] = accuracy(cancer_few_missing, cancer_names, drop=True)

wine_missing = with_missing(wine.data, 0.02, 2)
write_csv("wine-missing.csv", wine_columns + ["class"],
          [["" if v is None else number(v) for v in row] + [name] for row, name in zip(wine_missing, wine_names)])
reference["setups"]["wine-missing-mean"] = accuracy(wine_missing, wine_names)

# Evaluate's schema check: the columns of wine.csv in another order, the label in the middle, one extra column.
order = list(np.random.RandomState(3).permutation(len(wine_columns)))
header = [wine_columns[j] for j in order[:6]] + ["class"] + [wine_columns[j] for j in order[6:]] + ["note"]
write_csv("wine-reordered.csv", header,
          [[number(row[j]) for j in order[:6]] + [name] + [number(row[j]) for j in order[6:]] + [f"bottle {i + 1}"]
           for i, (row, name) in enumerate(zip(wine.data, wine_names))])

(FIXTURES / "sklearn_tables.json").write_text(json.dumps(reference, indent=1) + "\n")
for path in sorted(TABLES.iterdir()):
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size} bytes)")
print(f"wrote {(FIXTURES / 'sklearn_tables.json').relative_to(ROOT)}")
print(json.dumps(reference["setups"], indent=1))
