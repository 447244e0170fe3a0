"""review_bench.py - the review benchmark's cell, small (bench/review/run --sizes 300,600 --runs
1, into TEST_TMP): the generator writes a Helm-style stream of many charts with planted leaks,
and `schemagate review` must review every object of it, as YAML and as a JSON List, and deny
exactly the planted ones (bench/review/run exits 1 on any other answer); policy.rego's logic,
transcribed, must flag the same objects. Keeps the cell from rotting between benchmark runs.
Env: SCHEMAGATE_BIN_DIR, SCHEMAGATE_ROOT, TEST_TMP."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import sgtest  # noqa: E402

report = sgtest.Report()
run = os.path.join(sgtest.ROOT, "bench", "review", "run")
p = subprocess.run(["/usr/bin/python3", run, "--sizes", "300,600", "--runs", "1", "--opa", "",
                    "--binary", os.path.join(sgtest.BIN, "schemagate"), "--out", os.path.join(sgtest.TMP, "out")],
                   capture_output=True, text=True, timeout=300)
report.check(p.returncode == 0, "bench/review/run over 300 and 600 objects: every answer right (exit 0)",
             (p.stdout + p.stderr)[-2000:])
report.check("WRONG" not in p.stderr and "denied objects = the planted ones (all runs)" in p.stdout,
             "every run's objects reviewed, the denied ones exactly the planted leaks", p.stdout[-1500:])
report.check("flags exactly the planted objects too" in p.stdout and "NOT the planted" not in p.stdout,
             "policy.rego's logic (transcribed) flags exactly the planted objects", p.stdout[-800:])
report.check("| YAML stream | 600 |" in p.stdout and "| JSON List | 600 |" in p.stdout,
             "both forms measured at both sizes", p.stdout[-1500:])
report.check("OPA side not measured" in p.stdout and "Against OPA (" not in p.stdout,
             "without opa the OPA side says it was not measured, and no figure is given", p.stdout[-800:])
planted = [int(line.split("|")[4]) for line in p.stdout.splitlines() if line.startswith("| YAML stream | 600 |")]
report.check(planted and planted[0] > 0, "the 600-object stream has planted leaks to find", planted)
report.finish()
