"""scikit-learn's side of bench/head.bench.mjs: multinomial LogisticRegression (lbfgs) on the split
that the bench wrote to FOLDER, at C = 1 on the train photos, and at the C of the given grid with the
lowest validation log-loss, refitted on train + validation (as Graft's convex head does). Prints one
JSON document: per model, the test logits, the fit time and C.
Usage: python3 bench/head_sklearn.py FOLDER   (python3-sklearn, python3-numpy)"""
import json
import sys
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss

folder = sys.argv[1]
meta = json.load(open(f"{folder}/meta.json"))


def load(name):
    features = np.fromfile(f"{folder}/{name}.features", dtype=np.float32).reshape(-1, meta["inputSize"]).astype(np.float64)
    return features, np.fromfile(f"{folder}/{name}.labels", dtype=np.int32)


(x_train, y_train), (x_validation, y_validation), (x_test, _) = load("train"), load("validation"), load("test")
classes = np.arange(meta["classCount"])


def model(C):
    # multi_class is explicit: for two classes 'auto' would fit a binary model, with a different penalty.
    return LogisticRegression(C=C, multi_class="multinomial", solver="lbfgs", max_iter=1000)


def logits(fitted, x):
    # A binary model gives one score per photo: the logit of class 1 against class 0.
    scores = fitted.decision_function(x)
    return (np.column_stack([np.zeros_like(scores), scores]) if scores.ndim == 1 else scores).ravel().tolist()


results = {}
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    started = time.perf_counter()
    at_one = model(1.0).fit(x_train, y_train)
    results["sklearn C=1"] = {"C": 1.0, "seconds": time.perf_counter() - started, "testLogits": logits(at_one, x_test)}

    started = time.perf_counter()
    best = None
    for C in meta["inverseStrengths"]:  # strongest first: an equal loss keeps the stronger
        loss = log_loss(y_validation, model(C).fit(x_train, y_train).predict_proba(x_validation), labels=classes)
        if best is None or loss < best[0]:
            best = (loss, C)
    refit = model(best[1]).fit(np.vstack([x_train, x_validation]), np.concatenate([y_train, y_validation]))
    results["sklearn C chosen"] = {"C": best[1], "seconds": time.perf_counter() - started, "testLogits": logits(refit, x_test)}

print(json.dumps(results))
