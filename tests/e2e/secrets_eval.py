"""secrets_eval.py - recall, precision and path accuracy of the secret scan on the independent
evaluation set tests/cases/secrets-eval/ (realistic manifests labelled per the spec's rule:
every `leak-*` case carries `expect.paths`, every `safe-*` case is allowed). Each object goes
through `schemagate review`; the numbers are printed and must each be at least 0.97.
`python3 tests/e2e/secrets_eval.py -v` also lists every miss, false positive and path error."""
import glob
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import sgtest  # noqa: E402

THRESHOLD = 0.97
# A field path as fieldpath.c writes it: identifiers, [N] and ["key"] segments.
PATH_RE = re.compile(r'(?<!\S)(?:spec|metadata|data|binaryData)(?:\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\]|\["(?:[^"\\]|\\.)*"\])*')

report = sgtest.Report()
verbose = "-v" in sys.argv
files = sorted(glob.glob(os.path.join(sgtest.ROOT, "tests/cases/secrets-eval/*.json")))
report.check(len(files) >= 100, f"evaluation set has {len(files)} cases")

tp = fn = fp = tn = 0
paths_named = paths_exact = 0
problems = []
for path in files:
    name = os.path.basename(path)[:-5]
    with open(path) as f:
        case = json.load(f)
    exp = case["expect"]
    leak = not exp["allowed"]
    report.check(name.startswith("leak-" if leak else "safe-"), f"{name}: label matches the file name")
    proc = subprocess.run([os.path.join(sgtest.BIN, "schemagate"), "review", "-o", "json", "-"],
                          input=sgtest.case_review_text(path), capture_output=True, text=True, timeout=60)
    if proc.returncode not in (0, 1):
        report.check(False, f"{name}: review runs", proc.stderr[:500])
        continue
    resp = json.loads(proc.stdout)[0]["review"]["response"]
    message = resp.get("status", {}).get("message", "")
    # Only the secret findings: "plaintext credential in PATH (...)" segments.
    reported = set()
    for part in message.split("; "):
        if "plaintext credential" in part:
            # drop the "(NAME)" / "(copy of PATH)" notes, keep the paths themselves
            reported.update(PATH_RE.findall(re.sub(r" \((?:[^()]|\([^()]*\))*\)", "", part)))
    denied = not resp.get("allowed", True)
    if leak and denied:
        tp += 1
        want = set(exp["paths"])
        if want <= reported:
            paths_named += 1
        if want == reported:
            paths_exact += 1
        else:
            problems.append(f"PATH {name}: expected {sorted(want)}, reported {sorted(reported)}")
    elif leak:
        fn += 1
        problems.append(f"MISS {name}: {case['description']}")
    elif denied:
        fp += 1
        problems.append(f"FP   {name}: {message[:400]}")
    else:
        tn += 1

recall = tp / (tp + fn) if tp + fn else 1.0
precision = tp / (tp + fp) if tp + fp else 1.0
named = paths_named / tp if tp else 1.0
exact = paths_exact / tp if tp else 1.0
print(f"# secrets-eval: {tp + fn} leaks, {fp + tn} safe; tp={tp} fn={fn} fp={fp} tn={tn}")
print(f"# recall={recall:.3f} precision={precision:.3f} "
      f"path accuracy: expected paths named={named:.3f}, exactly those paths={exact:.3f}")
if verbose or recall < THRESHOLD or precision < THRESHOLD or named < THRESHOLD:
    for p in problems:
        print("# " + p)
report.check(recall >= THRESHOLD, f"recall {recall:.3f} >= {THRESHOLD}")
report.check(precision >= THRESHOLD, f"precision {precision:.3f} >= {THRESHOLD}")
report.check(named >= THRESHOLD, f"every expected path named in {named:.3f} >= {THRESHOLD} of the detected leaks")
report.check(exact >= THRESHOLD, f"exactly the expected paths in {exact:.3f} >= {THRESHOLD} of the detected leaks")
report.finish()
