"""scikit-learn side of `npm run bench:train`: a model on a split written by cpd.

Reads <dir>/<tag>-{train,test}-x.f64 (row-major float64) and -y.u8, fits for each seed
--model rf: RandomForestClassifier(n_estimators=100, n_jobs=2, random_state=seed), or
--model hgb: HistGradientBoostingClassifier(random_state=seed) (defaults: early stopping 'auto'),
and prints one JSON line: fit/predict seconds of the first seed, ROC-AUC on test per seed and their
mean (and, for hgb, the rounds it ran). hgb's first seed is fitted twice, with OpenMP's default
threads (the machine's cores) and with one thread, and fitSeconds is the faster: on a loaded
machine OpenMP's spinning threads can make the default 10x slower than one thread, and cpd's
ratio must be against scikit-learn at its best, not at its worst.
Needs Debian's scikit-learn for /usr/bin/python3: apt-get install -y python3-sklearn
"""
import argparse
import json
import os
import sys
import time

try:
    import numpy as np
    import sklearn
    from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
    from sklearn.metrics import roc_auc_score
    from threadpoolctl import threadpool_limits
except ImportError:
    sys.exit("scikit-learn is missing: apt-get update && apt-get install -y python3-sklearn")


def load(d, name, n_features):
    x = np.fromfile(os.path.join(d, name + "-x.f64"), dtype="<f8").reshape(-1, n_features)
    y = np.fromfile(os.path.join(d, name + "-y.u8"), dtype=np.uint8)
    return x, y


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dir", required=True)
    p.add_argument("--tag", required=True)
    p.add_argument("--features", type=int, required=True)
    p.add_argument("--seeds", default="0")
    p.add_argument("--model", choices=["rf", "hgb"], default="rf")
    a = p.parse_args()
    xtr, ytr = load(a.dir, a.tag + "-train", a.features)
    xte, yte = load(a.dir, a.tag + "-test", a.features)
    xall = np.vstack([xtr, xte])
    aucs = []
    fit_s = predict_s = None
    rounds = []
    for seed in [int(s) for s in a.seeds.split(",")]:
        if a.model == "hgb":
            rf = HistGradientBoostingClassifier(random_state=seed)
        else:
            rf = RandomForestClassifier(n_estimators=100, n_jobs=2, random_state=seed)
        t0 = time.perf_counter()
        c0 = time.process_time()
        rf.fit(xtr, ytr)
        t1 = time.perf_counter()
        c1 = time.process_time()
        rf.predict_proba(xall)
        t2 = time.perf_counter()
        if fit_s is None:
            fit_s, predict_s = t1 - t0, t2 - t1
            if a.model == "hgb":
                fit_default, cpu_default = fit_s, c1 - c0
                with threadpool_limits(limits=1, user_api="openmp"):
                    one = HistGradientBoostingClassifier(random_state=seed)
                    t3 = time.perf_counter()
                    c3 = time.process_time()
                    one.fit(xtr, ytr)
                    fit_one = time.perf_counter() - t3
                    cpu_one = time.process_time() - c3
                fit_s = min(fit_default, fit_one)
                # CPU seconds of all threads: OpenMP's spinning inflates the default's, so the lower.
                fit_cpu = min(cpu_default, cpu_one)
        aucs.append(float(roc_auc_score(yte, rf.predict_proba(xte)[:, 1])))
        if a.model == "hgb":
            rounds.append(int(rf.n_iter_))
    out = {"sklearn": sklearn.__version__, "fitSeconds": fit_s, "predictSeconds": predict_s,
           "auc": sum(aucs) / len(aucs), "aucs": aucs}
    if rounds:
        out["rounds"] = rounds
        out["fitSecondsDefaultThreads"] = fit_default
        out["fitSecondsOneThread"] = fit_one
        out["fitCpuSeconds"] = fit_cpu
    print(json.dumps(out))


if __name__ == "__main__":
    main()
