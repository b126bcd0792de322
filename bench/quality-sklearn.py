"""scikit-learn side of `npm run bench:quality`: three reference models on cpd's own rows.

Reads <dir>/<tag>-{train,valid}-x.f64 (row-major float64, NaN = missing) and -y.u8 written by
bench/quality.ts, with --categorical a string of 0/1 per feature (1: the value is a category code).
Fits on train, scores the validation rows, and prints one JSON list: per model ROC-AUC, PR-AUC
(average precision), Brier and ECE (10 equal-width bins, as cpd's ml/calibration/ece.ts).
  RandomForestClassifier(n_estimators=100, n_jobs=2, random_state=0), missing values imputed by
  the median when this scikit-learn cannot take NaN;
  LogisticRegression (median imputation + StandardScaler for numbers, one-hot for categories);
  HistGradientBoostingClassifier (defaults, categories native when they fit its bins).
Needs Debian's scikit-learn for /usr/bin/python3: apt-get install -y python3-sklearn
"""
import argparse
import json
import os
import sys

try:
    import numpy as np
    import sklearn
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler
except ImportError:
    sys.exit("scikit-learn is missing: apt-get update && apt-get install -y python3-sklearn")


def load(d, name, n_features):
    x = np.fromfile(os.path.join(d, name + "-x.f64"), dtype="<f8").reshape(-1, n_features)
    y = np.fromfile(os.path.join(d, name + "-y.u8"), dtype=np.uint8)
    return x, y


def ece(y, p, bins=10):
    b = np.clip(np.floor(p * bins).astype(int), 0, bins - 1)
    total = 0.0
    for k in range(bins):
        m = b == k
        if m.any():
            total += abs(p[m].sum() - y[m].sum())
    return total / len(p)


def version_at_least(major, minor):
    parts = sklearn.__version__.split(".")
    return (int(parts[0]), int(parts[1])) >= (major, minor)


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--dir", required=True)
    a.add_argument("--tag", required=True)
    a.add_argument("--features", type=int, required=True)
    a.add_argument("--categorical", required=True)
    args = a.parse_args()
    xtr, ytr = load(args.dir, args.tag + "-train", args.features)
    xva, yva = load(args.dir, args.tag + "-valid", args.features)
    cat = [i for i, c in enumerate(args.categorical) if c == "1"]
    num = [i for i in range(args.features) if i not in cat]

    forest = RandomForestClassifier(n_estimators=100, n_jobs=2, random_state=0)
    if not version_at_least(1, 4):
        forest = make_pipeline(SimpleImputer(strategy="median"), forest)
    onehot = OneHotEncoder(handle_unknown="ignore")
    logistic = make_pipeline(
        ColumnTransformer(
            [
                ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), num),
                ("cat", make_pipeline(SimpleImputer(strategy="constant", fill_value=-1), onehot), cat),
            ]
        ),
        LogisticRegression(max_iter=2000),
    )
    # Native categories need codes below max_bins (255); wider ones stay ordinal numbers.
    native = [i for i in cat if np.nanmax(np.concatenate([xtr[:, i], xva[:, i]])) < 255]
    mask = [i in native for i in range(args.features)]
    boost = HistGradientBoostingClassifier(categorical_features=mask if native else None, random_state=0)

    out = []
    for name, model in [
        ("sklearn RandomForest", forest),
        ("sklearn LogisticRegression", logistic),
        ("sklearn HistGradientBoosting", boost),
    ]:
        model.fit(xtr, ytr)
        p = model.predict_proba(xva)[:, 1]
        out.append(
            {
                "engine": name,
                "auc": float(roc_auc_score(yva, p)),
                "prAuc": float(average_precision_score(yva, p)),
                # Not calibrated: its one ECE is the raw model's.
                "eceBefore": float(ece(yva, p)),
                "eceAfter": None,
                "brier": float(brier_score_loss(yva, p)),
            }
        )
    print("scikit-learn " + sklearn.__version__, file=sys.stderr)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
