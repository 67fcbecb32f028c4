"""The regression baseline for `kindling train` on scikit-learn's diabetes set (issue 20, defect 11).

Five-fold cross-validation (KFold(5, shuffle=True, random_state=0) over the rows of datasets/diabetes.csv,
which are load_diabetes()'s in order): each fold's test indices and LinearRegression's R^2 on it, and their
mean, which the test compares with `kindling train` + `evaluate` on the same folds.

Also splits load_diabetes() with train_test_split(test_size=0.2, random_state=0) and writes the two parts as CSV
files with a header (the ten feature names, then "target"; floats written with repr) into
Tests/KindlingTestSupport/Fixtures/datasets/diabetes_train.csv and diabetes_test.csv, then fits
scikit-learn's LinearRegression on the training part and writes its R^2 (and MSE, MAE) on the test part into
Tests/KindlingTestSupport/Fixtures/sklearn_diabetes_regression.json, which
Tests/KindlingCommandLineTests/RegressionCommandTests.swift compares `kindling evaluate`'s R^2 with.

Run with the reference environment: Scripts/reference/.venv/bin/python Scripts/reference/sklearn_diabetes_regression.py
"""
import csv
import json
import pathlib

import numpy as np
import sklearn
from sklearn.datasets import load_diabetes
from sklearn.linear_model import LinearRegression
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score
from sklearn.model_selection import KFold, train_test_split

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "Tests" / "KindlingTestSupport" / "Fixtures"
DATA = FIXTURES / "datasets"

diabetes = load_diabetes()
train_x, test_x, train_y, test_y = train_test_split(
    diabetes.data, diabetes.target, test_size=0.2, random_state=0)


def write(name, features, targets):
    with open(DATA / name, "w", newline="") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(list(diabetes.feature_names) + ["target"])
        for row, target in zip(features, targets):
            writer.writerow([repr(float(v)) for v in row] + [repr(float(target))])


write("diabetes_train.csv", train_x, train_y)
write("diabetes_test.csv", test_x, test_y)

linear = LinearRegression().fit(train_x, train_y)
predicted = linear.predict(test_x)
reference = {
    "generator": "Scripts/reference/sklearn_diabetes_regression.py",
    "sklearn": sklearn.__version__,
    "numpy": np.__version__,
    "train_rows": int(len(train_y)),
    "test_rows": int(len(test_y)),
    "linear_r2": float(r2_score(test_y, predicted)),
    "linear_mse": float(mean_squared_error(test_y, predicted)),
    "linear_mae": float(mean_absolute_error(test_y, predicted)),
    "target_mean_train": float(train_y.mean()),
    "target_std_train": float(train_y.std()),
}
folds = []
for train_rows, test_rows in KFold(5, shuffle=True, random_state=0).split(diabetes.data):
    fitted = LinearRegression().fit(diabetes.data[train_rows], diabetes.target[train_rows])
    r2 = r2_score(diabetes.target[test_rows], fitted.predict(diabetes.data[test_rows]))
    folds.append({"test_rows": [int(i) for i in test_rows], "linear_r2": float(r2)})
reference["cross_validation"] = {"folds": folds, "linear_r2_mean": float(np.mean([f["linear_r2"] for f in folds]))}
(FIXTURES / "sklearn_diabetes_regression.json").write_text(json.dumps(reference, sort_keys=True) + "\n")
print("held-out R^2 of LinearRegression:", reference["linear_r2"], "five-fold mean:",
      reference["cross_validation"]["linear_r2_mean"])
