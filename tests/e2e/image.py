#!/usr/bin/env python3
"""image.py - the image `make image` builds (scripts/build-image.sh) is a working image, and the
Dockerfile's: built from the binaries under test, twice, byte for byte the same; the archive is an
OCI image layout whose blobs match their digests, tagged schemagate:VERSION; its config has the
Dockerfile runtime stage's user, ports, entrypoint, command and labels, and the Makefile's
version; umoci, an independent reader, unpacks it. In the unpacked root filesystem, as
65532:65532 with the environment umoci derives (chroot as root, else a user namespace):
`schemagate version`, `schemagate-certs`, `config check`, `review --check secrets`, the schema
gate against unreachable PostgreSQL and MySQL databases (libpq and libmariadb opened with dlopen
and connecting; with either library removed, review fails to start), and the image's own
entrypoint and command serving HTTPS, health and a denial. packages.txt names each package at
the version dpkg has here. Env: SCHEMAGATE_ROOT, SCHEMAGATE_BIN_DIR, TEST_TMP.

The image is built from a plain build only (the script refuses a sanitizer build, whose runtimes
are no package of the image); under the sanitizers (SCHEMAGATE_SANITIZED) this suite says so and
passes, and the same commands run sanitized in config_check.sh, review_cli.py and server.py.
"""
import glob
import hashlib
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from sgtest import Report, TMP, free_port  # noqa: E402
from dockerfile import apt_installed, arguments, dockerfile_stages, exec_form, global_args, labels  # noqa: E402

ROOT = os.environ["SCHEMAGATE_ROOT"]
BIN = os.environ["SCHEMAGATE_BIN_DIR"]
REPORT = Report()
NONROOT = 65532
# A credential planted in the objects: it must never appear in what schemagate prints.
PLANTED = "Tr0ub4dor-and-3"


def check(what, cond, detail=""):
    return REPORT.check(bool(cond), what, str(detail)[-2000:])


def makefile_version():
    with open(os.path.join(ROOT, "Makefile")) as f:
        return re.search(r"^VERSION\s*\?=\s*(\S+)", f.read(), re.M).group(1)


def build(out, version):
    return subprocess.run([os.path.join(ROOT, "scripts", "build-image.sh"), "--version", version, "--bin", BIN,
                           "--out", out], capture_output=True, text=True, timeout=300)


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def check_layout(layout, version):
    """The OCI layout's index, manifest and config; returns the config (or None)."""
    with open(os.path.join(layout, "oci-layout")) as f:
        check("oci-layout says imageLayoutVersion 1.0.0", json.load(f).get("imageLayoutVersion") == "1.0.0")
    blobs = os.path.join(layout, "blobs", "sha256")
    bad = [n for n in sorted(os.listdir(blobs)) if sha256_file(os.path.join(blobs, n)) != n]
    check(f"every blob ({len(os.listdir(blobs))}) has the digest it is named by", not bad, bad)

    def load(desc):
        path = os.path.join(blobs, desc["digest"].split(":", 1)[1])
        check(f"blob {desc['mediaType']} has the size its descriptor says", os.path.getsize(path) == desc["size"])
        with open(path, "rb") as f:
            return json.loads(f.read()) if desc["mediaType"].endswith("+json") else None

    with open(os.path.join(layout, "index.json")) as f:
        index = json.load(f)
    manifests = index.get("manifests", [])
    if not check("index.json has one image manifest", len(manifests) == 1
                 and manifests[0].get("mediaType") == "application/vnd.oci.image.manifest.v1+json", index):
        return None
    notes = manifests[0].get("annotations", {})
    check(f"the image is tagged schemagate:{version} (org.opencontainers.image.ref.name)",
          notes.get("org.opencontainers.image.ref.name") == f"schemagate:{version}", notes)
    check("containerd's name is the kubelet's docker.io/library/schemagate:VERSION",
          notes.get("io.containerd.image.name") == f"docker.io/library/schemagate:{version}", notes)
    manifest = load(manifests[0])
    check("the manifest has one gzip layer and an OCI config",
          manifest.get("config", {}).get("mediaType") == "application/vnd.oci.image.config.v1+json"
          and [l["mediaType"] for l in manifest.get("layers", [])] == ["application/vnd.oci.image.layer.v1.tar+gzip"],
          manifest)
    for layer in manifest.get("layers", []):
        load(layer)
    return load(manifest["config"])


def check_config(config, version):
    """The image config against the Dockerfile's runtime stage and the Makefile."""
    with open(os.path.join(ROOT, "Dockerfile")) as f:
        text = f.read()
    runtime = dockerfile_stages(text)[-1][1]
    cfg = config.get("config", {})
    check("config: linux on this machine's architecture", config.get("os") == "linux" and config.get("architecture"),
          config.get("architecture"))
    check("config: User is the Dockerfile's USER (65532:65532)", [cfg.get("User")] == arguments(runtime, "USER")
          and cfg.get("User") == f"{NONROOT}:{NONROOT}", cfg.get("User"))
    ports = sorted(f"{p}/tcp" if "/" not in p else p for a in arguments(runtime, "EXPOSE") for p in a.split())
    check("config: ExposedPorts are the Dockerfile's (8443/tcp, 9090/tcp)",
          sorted(cfg.get("ExposedPorts", {})) == ports == ["8443/tcp", "9090/tcp"], cfg.get("ExposedPorts"))
    entry = [exec_form(a) for a in arguments(runtime, "ENTRYPOINT")]
    check("config: Entrypoint is the Dockerfile's", entry == [cfg.get("Entrypoint")]
          and cfg.get("Entrypoint") == ["/usr/local/bin/schemagate"], cfg.get("Entrypoint"))
    cmd = [exec_form(a) for a in arguments(runtime, "CMD")]
    check("config: Cmd is the Dockerfile's (serve with /etc/schemagate/tls)", cmd == [cfg.get("Cmd")]
          and cfg.get("Cmd", [""])[0] == "serve", cfg.get("Cmd"))
    args = global_args(text)
    check("the Dockerfile's VERSION is the Makefile's", args.get("VERSION") == version, args)
    want = labels(runtime, args)
    got = cfg.get("Labels", {})
    check("config: Labels include the Dockerfile's LABELs", want and all(got.get(k) == v for k, v in want.items()),
          f"Dockerfile {want}, image {got}")
    check(f"config: org.opencontainers.image.version is the Makefile's ({version})",
          got.get("org.opencontainers.image.version") == version, got)
    if os.path.exists(os.path.join(ROOT, "LICENSE")):
        check("config: org.opencontainers.image.licenses is Apache-2.0 (LICENSE)",
              got.get("org.opencontainers.image.licenses") == "Apache-2.0", got)


def check_packages(rootfs):
    """packages.txt: every package at the version dpkg has here, the Dockerfile's among them."""
    with open(os.path.join(ROOT, "Dockerfile")) as f:
        explicit = apt_installed(dockerfile_stages(f.read())[-1][1])
    with open(os.path.join(rootfs, "usr/share/schemagate/packages.txt")) as f:
        listed = dict(l.strip().split("=", 1) for l in f if l.strip() and not l.startswith("#"))
    check("packages.txt lists the Dockerfile runtime stage's packages", set(explicit) <= set(listed),
          sorted(set(explicit) - set(listed)))
    wrong = {}
    for name, version in listed.items():
        here = subprocess.run(["dpkg-query", "-W", "-f", "${Version}\\n", name], capture_output=True, text=True)
        if version not in here.stdout.split():
            wrong[name] = (version, here.stdout.strip())
    check(f"packages.txt gives each of its {len(listed)} packages at the version installed here", listed and not wrong,
          wrong)
    status = os.path.join(rootfs, "var/lib/dpkg/status.d")
    check("var/lib/dpkg/status.d has a stanza per package (for image scanners)",
          sorted(os.listdir(status)) == sorted(listed), sorted(set(listed) ^ set(os.listdir(status))))
    with open(os.path.join(rootfs, "etc/ssl/certs/ca-certificates.crt")) as f:
        roots = f.read().count("-----BEGIN CERTIFICATE-----")
    check(f"etc/ssl/certs/ca-certificates.crt holds the Mozilla roots ({roots})", roots > 100)
    with open(os.path.join(rootfs, "etc/passwd")) as f:
        passwd = f.read()
    check("etc/passwd has nonroot as 65532:65532", re.search(rf"^nonroot:x:{NONROOT}:{NONROOT}:", passwd, re.M), passwd)
    check("tmp is world-writable and sticky", oct(os.stat(os.path.join(rootfs, "tmp")).st_mode & 0o7777) == "0o1777")
    check("no shell in the image", not os.path.lexists(os.path.join(rootfs, "usr/bin/sh"))
          and not os.path.lexists(os.path.join(rootfs, "bin/sh")))


class Rootfs:
    """Runs commands in the unpacked root filesystem, as the image's user and environment."""

    def __init__(self, path, env):
        self.path = path
        self.env = env
        if os.geteuid() == 0:
            self.prefix = ["chroot", f"--userspec={NONROOT}:{NONROOT}", path]
        else:   # no chroot without root: a user namespace, where we are its root
            self.prefix = ["unshare", "--map-root-user", f"--root={path}"]

    def run(self, *args):
        return subprocess.run([*self.prefix, *args], capture_output=True, text=True, timeout=60, env=self.env)

    def popen(self, args, log):
        return subprocess.Popen([*self.prefix, *args], stdout=log, stderr=log, env=self.env)

    def write(self, path, text):
        full = os.path.join(self.path, path.lstrip("/"))
        with open(full, "w") as f:
            f.write(text)
        if os.geteuid() == 0:
            os.chown(full, NONROOT, NONROOT)


def shown(proc):
    return f"exit {proc.returncode}; stdout: {proc.stdout[-800:]}; stderr: {proc.stderr[-800:]}"


DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: migrate
  namespace: shop
  annotations:
    schemagate.io/requires: "orders@1.10, billing@1.2"
spec:
  selector: {matchLabels: {app: migrate}}
  template:
    metadata: {labels: {app: migrate}}
    spec:
      containers:
        - name: flyway
          image: flyway/flyway:10
          env:
            - name: FLYWAY_PASSWORD
"""


def check_commands(fs, version):
    proc = fs.run("/usr/local/bin/schemagate", "version")
    check(f"in the image: schemagate version prints schemagate {version}",
          proc.returncode == 0 and proc.stdout.strip() == f"schemagate {version}", shown(proc))
    fs.write("/tmp/config.json", json.dumps({
        "secrets": {"action": "deny"},
        "schema": {"action": "deny", "timeout_ms": 2000},
        "databases": {
            "orders": {"tool": "flyway", "conninfo_file": "/tmp/orders.conninfo", "namespaces": ["shop"]},
            "billing": {"engine": "mysql", "tool": "flyway", "conninfo_file": "/tmp/billing.conninfo",
                        "namespaces": ["shop"]}}}))
    # Port 1 on the loopback: nothing listens, so each library's connect is refused at once.
    fs.write("/tmp/orders.conninfo", f"host=127.0.0.1 port=1 dbname=orders user=ro password={PLANTED} connect_timeout=5\n")
    fs.write("/tmp/billing.conninfo", f"mysql://ro:{PLANTED}@127.0.0.1:1/billing\n")
    fs.write("/tmp/plain.yaml", DEPLOYMENT + f'              value: "{PLANTED}"\n')
    fs.write("/tmp/clean.yaml", DEPLOYMENT + "              valueFrom: {secretKeyRef: {name: flyway, key: password}}\n")

    proc = fs.run("/usr/local/bin/schemagate", "config", "check", "/tmp/config.json")
    check("in the image: config check accepts a config with a PostgreSQL and a MySQL database",
          proc.returncode == 0 and "ok (2 databases)" in proc.stdout, shown(proc))
    proc = fs.run("/usr/local/bin/schemagate", "review", "--check", "secrets", "/tmp/plain.yaml")
    check("in the image: review --check secrets denies a literal FLYWAY_PASSWORD",
          proc.returncode == 1 and "[secrets.env-literal]" in proc.stdout and "1 denied" in proc.stdout, shown(proc))
    check("in the image: review does not print the password", PLANTED not in proc.stdout + proc.stderr)
    proc = fs.run("/usr/local/bin/schemagate", "review", "--config", "/tmp/config.json", "--check", "secrets",
                  "/tmp/clean.yaml")
    check("in the image: review with both databases configured opens libpq and libmariadb (dlopen) and allows a "
          "secretKeyRef", proc.returncode == 0 and "1 allowed" in proc.stdout, shown(proc))
    proc = fs.run("/usr/local/bin/schemagate", "review", "--config", "/tmp/config.json", "--check", "schema",
                  "/tmp/clean.yaml")
    check("in the image: the schema gate connects through libpq and libmariadb (refused at 127.0.0.1:1: exit 3)",
          proc.returncode == 3 and "database orders unreachable (connection refused" in proc.stdout
          and "database billing unreachable (connection refused" in proc.stdout, shown(proc))
    check("in the image: no connection error shows the conninfo's password", PLANTED not in proc.stdout + proc.stderr)
    # The same without each library: the test would see a missing one.
    for soname, words in (("libpq.so.5", "PostgreSQL client library"), ("libmariadb.so.3", "libmariadb.so.3")):
        found = glob.glob(os.path.join(fs.path, "usr/lib/*", soname))
        if not check(f"{soname} is in the image's library directory", len(found) == 1, found):
            continue
        os.rename(found[0], found[0] + ".hidden")
        try:
            proc = fs.run("/usr/local/bin/schemagate", "review", "--config", "/tmp/config.json", "--check", "secrets",
                          "/tmp/clean.yaml")
        finally:
            os.rename(found[0] + ".hidden", found[0])
        check(f"control: without {soname} the same review stops with exit 2 naming it",
              proc.returncode == 2 and words in proc.stderr, shown(proc))


def check_serve(fs, runtime_args, work):
    """The image's entrypoint and command, with the certificate where the chart mounts it."""
    tls = os.path.join(fs.path, "etc/schemagate/tls")
    os.makedirs(tls, exist_ok=True)
    if os.geteuid() == 0:
        os.chown(tls, NONROOT, NONROOT)
    proc = fs.run("/usr/local/bin/schemagate-certs", "--out", "/etc/schemagate/tls", "--dns", "localhost",
                  "--ip", "127.0.0.1")
    if not check("in the image: schemagate-certs writes a CA and serving certificate", proc.returncode == 0
                 and os.path.exists(os.path.join(tls, "tls.key")), shown(proc)):
        return
    port, metrics = free_port(), free_port()
    log_path = os.path.join(work, "serve.log")
    with open(log_path, "w") as log:
        server = fs.popen([*runtime_args, "--listen", f"127.0.0.1:{port}", "--metrics-listen", f"127.0.0.1:{metrics}",
                           "--drain-timeout", "1"], log)
    try:
        ready = None
        deadline = time.time() + 15
        while time.time() < deadline and server.poll() is None and ready is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{metrics}/readyz", timeout=1) as r:
                    ready = r.status
            except OSError:
                time.sleep(0.05)
        with open(log_path) as f:
            log_text = f.read()
        if not check("in the image: the entrypoint and command serve; /readyz answers 200", ready == 200,
                     f"exit {server.poll()}; log: {log_text}"):
            return
        review = {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
            "uid": "image-1", "kind": {"group": "", "version": "v1", "kind": "ConfigMap"},
            "resource": {"group": "", "version": "v1", "resource": "configmaps"}, "namespace": "shop",
            "operation": "CREATE", "userInfo": {"username": "image-test"},
            "object": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "db", "namespace": "shop"},
                       "data": {"DB_PASSWORD": PLANTED}}}}
        context = ssl.create_default_context(cafile=os.path.join(tls, "ca.crt"))
        request = urllib.request.Request(f"https://127.0.0.1:{port}/validate", data=json.dumps(review).encode(),
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, context=context, timeout=10) as r:
                answer = json.loads(r.read())
        except (OSError, ValueError) as e:
            answer = {"error": str(e)}
        response = answer.get("response", {})
        check("in the image: HTTPS /validate (GnuTLS, the image's certificate) denies a ConfigMap with a password",
              response.get("uid") == "image-1" and response.get("allowed") is False, answer)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            rc = server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            rc = server.wait()
    with open(log_path) as f:
        log_text = f.read()
    check("in the image: serve exits 0 on SIGTERM", rc == 0, f"exit {rc}; log: {log_text}")
    check("in the image: the server's log does not show the password", PLANTED not in log_text)


def main():
    if os.environ.get("SCHEMAGATE_SANITIZED"):
        print("ok - the image is built from the plain build only # SKIP sanitizer build")
        return
    umoci = shutil.which("umoci")
    if not check("umoci is installed (make deps)", umoci, "umoci not found: run make deps"):
        return
    version = makefile_version()
    work = tempfile.mkdtemp(dir=TMP, prefix="image.")
    first = os.path.join(work, "a", f"schemagate-{version}.oci.tar")
    second = os.path.join(work, "b", f"schemagate-{version}.oci.tar")
    start = time.time()
    proc = build(first, version)
    took = time.time() - start
    if not check(f"scripts/build-image.sh builds {os.path.basename(first)} ({took:.1f} s)",
                 proc.returncode == 0 and os.path.exists(first), shown(proc)):
        return
    proc = build(second, version)
    check("a second build gives the same archive, byte for byte", proc.returncode == 0
          and sha256_file(first) == sha256_file(second), shown(proc))

    layout = os.path.join(work, "layout")
    os.makedirs(layout)
    subprocess.run(["tar", "-xf", first, "-C", layout], check=True)
    config = check_layout(layout, version)
    if config is None:
        return
    check_config(config, version)

    bundle = os.path.join(work, "bundle")
    proc = subprocess.run([umoci, "unpack", *([] if os.geteuid() == 0 else ["--rootless"]), "--image",
                           f"{layout}:schemagate:{version}", bundle], capture_output=True, text=True, timeout=120)
    if not check("umoci unpacks schemagate:VERSION from the layout", proc.returncode == 0, shown(proc)):
        return
    with open(os.path.join(bundle, "config.json")) as f:
        process = json.load(f)["process"]
    cfg = config["config"]
    check("umoci's runtime config: user 65532:65532, args the entrypoint and command",
          process["user"].get("uid") == NONROOT and process["user"].get("gid") == NONROOT
          and process["args"] == cfg["Entrypoint"] + cfg["Cmd"], process)
    rootfs = os.path.join(bundle, "rootfs")
    check_packages(rootfs)
    fs = Rootfs(rootfs, dict(e.split("=", 1) for e in process["env"]))
    check_commands(fs, version)
    check_serve(fs, process["args"], work)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
    REPORT.finish()
