#!/usr/bin/env python3
"""cert_rotation.py - the serving certificate rotates under load without a failed request.

`schemagate serve` reads its certificate and key from a directory laid out the way kubelet
lays out a Secret volume (dir/tls.crt -> ..data/tls.crt, ..data -> ..2026_xx/). While client
threads post AdmissionReviews continuously (some on kept-alive connections, some opening a new
connection for every request), the test swaps `..data` atomically (`ln -s` + `mv -T`, as
kubelet's atomic writer does) and also makes a torn, non-atomic swap (new certificate first,
its key a moment later). It checks: no request fails; new connections present the new
certificate (Python's ssl and `openssl s_client`); the expiry metric follows the certificate in
use; the reload and the <30-day warning are logged. Env: SCHEMAGATE_BIN_DIR, TEST_TMP.
"""
import http.client
import json
import os
import shutil
import ssl
import subprocess
import sys
import threading
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from sgtest import Report, free_port  # noqa: E402  (shared ok/not ok reporting)

BIN = os.environ["SCHEMAGATE_BIN_DIR"]
TMP = os.environ["TEST_TMP"]
REPORT = Report()


def check(what, cond, detail=""):
    return REPORT.check(bool(cond), what, str(detail)[:2000])


def not_ok(what, detail=""):
    return check(what, False, detail)


def run(*args):
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def make_cert(name, days):
    """A serving certificate signed by the shared CA in TMP/ca (made on first use)."""
    out = os.path.join(TMP, name)
    os.makedirs(out)
    ca = os.path.join(TMP, "ca")
    if os.path.isdir(ca):
        for f in ("ca.crt", "ca.key"):
            shutil.copy(os.path.join(ca, f), out)
    run(os.path.join(BIN, "schemagate-certs"), "--out", out, "--dns", "localhost",
        "--ip", "127.0.0.1", "--days", str(days))
    if not os.path.isdir(ca):
        os.makedirs(ca)
        for f in ("ca.crt", "ca.key"):
            shutil.copy(os.path.join(out, f), ca)
    serial = run("openssl", "x509", "-in", os.path.join(out, "tls.crt"), "-noout", "-serial")
    end = run("openssl", "x509", "-in", os.path.join(out, "tls.crt"), "-noout", "-enddate")
    return {"dir": out, "serial": serial.strip().split("=", 1)[1].upper(),
            "not_after": int(ssl.cert_time_to_seconds(end.strip().split("=", 1)[1]))}


class SecretVolume:
    """A directory updated the way kubelet's atomic writer updates a Secret volume."""

    def __init__(self, path):
        self.path = path
        self.generation = 0
        os.makedirs(path)

    def publish(self, cert):
        self.generation += 1
        stamp = f"..2026_01_01_00_00_{self.generation:02d}.{os.getpid()}"
        new_dir = os.path.join(self.path, stamp)
        os.makedirs(new_dir)
        for f in ("tls.crt", "tls.key", "ca.crt"):
            shutil.copy(os.path.join(cert["dir"], f), new_dir)
        data = os.path.join(self.path, "..data")
        old = os.readlink(data) if os.path.islink(data) else None
        tmp_link = os.path.join(self.path, "..data_tmp")
        subprocess.run(["ln", "-sfn", stamp, tmp_link], check=True)
        subprocess.run(["mv", "-T", tmp_link, data], check=True)
        for f in ("tls.crt", "tls.key", "ca.crt"):
            user_link = os.path.join(self.path, f)
            if not os.path.islink(user_link):
                os.symlink(os.path.join("..data", f), user_link)
        if old:
            shutil.rmtree(os.path.join(self.path, old))


class Load:
    """Client threads posting AdmissionReviews until stopped; counts and keeps failures."""

    def __init__(self, port, ca_file, keepalive=3, fresh=3):
        self.port = port
        self.ctx = ssl.create_default_context(cafile=ca_file)
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.sent = 0
        self.errors = []
        self.serials = []       # (time, serial) seen by new connections
        self.body = json.dumps(review("load")).encode()
        self.threads = [threading.Thread(target=self.keepalive_client, daemon=True) for _ in range(keepalive)]
        self.threads += [threading.Thread(target=self.fresh_client, daemon=True) for _ in range(fresh)]

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=30)

    def connect(self):
        conn = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.ctx, timeout=10)
        conn.connect()
        serial = conn.sock.getpeercert()["serialNumber"].upper()
        with self.lock:
            self.serials.append((time.monotonic(), serial))
        return conn

    def post(self, conn):
        conn.request("POST", "/validate", body=self.body, headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        data = resp.read()
        answer = json.loads(data)
        if resp.status != 200 or answer["response"]["allowed"] is not True:
            raise RuntimeError(f"HTTP {resp.status}: {data[:200]!r}")
        with self.lock:
            self.sent += 1
        return resp

    def failed(self, err):
        with self.lock:
            self.errors.append(f"{type(err).__name__}: {err}")

    def keepalive_client(self):
        conn = None
        while not self.stop.is_set():
            try:
                if conn is None:
                    conn = self.connect()
                resp = self.post(conn)
                if resp.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except Exception as err:  # any failure counts; the next request reconnects
                self.failed(err)
                if conn:
                    conn.close()
                conn = None
        if conn:
            conn.close()

    def fresh_client(self):
        while not self.stop.is_set():
            conn = None
            try:
                conn = self.connect()
                self.post(conn)
            except Exception as err:
                self.failed(err)
            finally:
                if conn:
                    conn.close()

    def newest_serial(self):
        with self.lock:
            return self.serials[-1][1] if self.serials else None

    def wait_for_serial(self, serial, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.newest_serial() == serial:
                return True
            time.sleep(0.05)
        return False


def review(uid):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "shop"},
           "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
            "request": {"uid": uid, "kind": {"group": "", "version": "v1", "kind": "Pod"},
                        "resource": {"group": "", "version": "v1", "resource": "pods"},
                        "namespace": "shop", "name": "web", "operation": "CREATE",
                        "userInfo": {"username": "test"}, "object": pod, "dryRun": False}}


def metric(port, name):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
        for line in r.read().decode().splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
    return None


def s_client_serial(port, ca_file):
    hello = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-CAfile", ca_file,
                            "-verify_return_error", "-servername", "localhost"],
                           input="", capture_output=True, text=True, timeout=20)
    if hello.returncode != 0:
        return None
    out = subprocess.run(["openssl", "x509", "-noout", "-serial"], input=hello.stdout,
                         capture_output=True, text=True, timeout=20)
    return out.stdout.strip().split("=", 1)[1].upper() if out.returncode == 0 else None


def wait_until(cond, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.1)
    return False


def log_events(path):
    events = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            try:
                events.append(json.loads(line))
            except ValueError:
                pass
    return events


def main():
    first = make_cert("first", 365)
    second = make_cert("second", 200)
    third = make_cert("third", 10)
    ca_file = os.path.join(TMP, "ca", "ca.crt")
    check("three serving certificates with distinct serials",
          len({first["serial"], second["serial"], third["serial"]}) == 3)

    vol = SecretVolume(os.path.join(TMP, "volume"))
    vol.publish(first)
    port, metrics_port = free_port(), free_port()
    log_path = os.path.join(TMP, "server.log")
    log = open(log_path, "w")
    server = subprocess.Popen([os.path.join(BIN, "schemagate"), "serve",
                               "--tls-cert-file", os.path.join(vol.path, "tls.crt"),
                               "--tls-private-key-file", os.path.join(vol.path, "tls.key"),
                               "--listen", f"127.0.0.1:{port}",
                               "--metrics-listen", f"127.0.0.1:{metrics_port}"],
                              stdout=log, stderr=subprocess.STDOUT)
    try:
        ready = wait_until(lambda: readyz(metrics_port), 20)
        check("server becomes ready with the Secret-volume layout", ready)
        if not ready:
            return
        check("expiry metric is the first certificate's notAfter",
              metric(metrics_port, "schemagate_tls_cert_expiry_timestamp_seconds") == first["not_after"])

        with Load(port, ca_file) as load:
            time.sleep(1.0)
            check("new connections present the first certificate", load.newest_serial() == first["serial"])

            # 1. kubelet's atomic swap of ..data
            vol.publish(second)
            switched = load.wait_for_serial(second["serial"], 10)
            check("after the atomic ..data swap, new connections present the new certificate", switched,
                  f"newest serial {load.newest_serial()}, wanted {second['serial']}")
            time.sleep(1.0)
            check("the expiry metric follows the new certificate",
                  wait_until(lambda: metric(metrics_port, "schemagate_tls_cert_expiry_timestamp_seconds")
                             == second["not_after"], 5),
                  f"metric {metric(metrics_port, 'schemagate_tls_cert_expiry_timestamp_seconds')}, "
                  f"wanted {second['not_after']}")

            # 2. a torn swap: the certificate file changes first, its key 1.5 s later. In
            # between, the pair does not match and the server must keep the second pair.
            data_dir = os.path.join(vol.path, os.readlink(os.path.join(vol.path, "..data")))
            tmp = os.path.join(data_dir, "tls.crt.tmp")
            shutil.copy(os.path.join(third["dir"], "tls.crt"), tmp)
            os.replace(tmp, os.path.join(data_dir, "tls.crt"))
            time.sleep(1.5)
            check("while certificate and key do not match, the previous pair stays in use",
                  load.newest_serial() == second["serial"], f"newest serial {load.newest_serial()}")
            shutil.copy(os.path.join(third["dir"], "tls.key"), tmp)
            os.replace(tmp, os.path.join(data_dir, "tls.key"))
            switched = load.wait_for_serial(third["serial"], 10)
            check("once the key follows, new connections present the third certificate", switched,
                  f"newest serial {load.newest_serial()}, wanted {third['serial']}")
            time.sleep(1.0)
            check("openssl s_client sees the third certificate",
                  s_client_serial(port, ca_file) == third["serial"])
            check("the expiry metric follows the third certificate",
                  wait_until(lambda: metric(metrics_port, "schemagate_tls_cert_expiry_timestamp_seconds")
                             == third["not_after"], 5))
        check(f"no request failed during the rotations ({load.sent} answered)",
              not load.errors and load.sent > 50,
              "\n".join(load.errors[:10]) + f"\n{len(load.errors)} failures, {load.sent} answered")
        seen = {s for _, s in load.serials}
        check("clients saw every certificate that was in use",
              {first["serial"], second["serial"], third["serial"]} <= seen)
        check("the server stays ready", readyz(metrics_port))
    finally:
        server.terminate()
        try:
            code = server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            server.kill()
            code = server.wait()
        log.close()
    check("the server exits 0 on SIGTERM", code == 0, f"exit {code}")
    events = log_events(log_path)
    names = [e.get("event") for e in events]
    check("each rotation is logged as tls_reloaded (twice)", names.count("tls_reloaded") == 2,
          f"tls_reloaded x{names.count('tls_reloaded')}")
    check("the mismatched pair is logged as tls_reload_failed", "tls_reload_failed" in names)
    check("a certificate with fewer than 30 days left is logged as tls_cert_expiring",
          "tls_cert_expiring" in names)
    with open(log_path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    check("no sanitizer report", "Sanitizer" not in text, text[-2000:])


def readyz(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


if __name__ == "__main__":
    main()
    REPORT.finish()
