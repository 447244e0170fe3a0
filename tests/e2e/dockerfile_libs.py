#!/usr/bin/env python3
"""dockerfile_libs.py - the image's runtime stage installs every library the binaries link.

There is no container engine on the build machines, so the image cannot be run here. Instead:
every shared library `ldd` reports for bin/schemagate and bin/schemagate-certs is mapped to its
Debian package (`dpkg -S`), and that package must be in what the runtime stage ends up with:
the packages its `apt-get install` names, plus everything Debian's base (Essential and
Priority: required packages) brings, closed over Depends/Pre-Depends as dpkg records them on
this bookworm machine. Also: each package the runtime stage names exists here, links a library
of ours or is a documented extra; stages are bookworm / bookworm-slim; the user is a numeric
non-root UID; the documented ports and entrypoint; scripts/build-image.sh (make image) starts
from the same package list. Env: SCHEMAGATE_ROOT, SCHEMAGATE_BIN_DIR.
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from sgtest import Report  # noqa: E402  (shared ok/not ok reporting)
from dockerfile import apt_installed, dockerfile_stages  # noqa: E402

ROOT = os.environ["SCHEMAGATE_ROOT"]
BIN = os.environ["SCHEMAGATE_BIN_DIR"]
REPORT = Report()
# Runtime packages that are not shared libraries of the binaries, and why they are there.
DOCUMENTED_EXTRAS = {"ca-certificates": "system roots for database TLS (sslmode=verify-full)"}
# Sanitizer runtimes appear under `make check-asan`; the image is built without them.
SANITIZER_LIBS = re.compile(r"lib(asan|ubsan|lsan|tsan)\.so")


def check(what, cond, detail=""):
    return REPORT.check(bool(cond), what, str(detail)[:2000])


def not_ok(what, detail=""):
    return check(what, False, detail)


def linked_libraries(binary):
    out = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
    libs = []
    for line in out.splitlines():
        m = re.match(r"\s*(\S+)\s+=>\s+(\S+)", line)
        if m and m.group(2) != "not":
            libs.append(m.group(2))
        elif "=>" in line and "not found" in line:
            libs.append("NOT FOUND: " + line.strip())
        elif line.strip().startswith("/"):
            libs.append(line.split()[0])      # the dynamic loader
    return libs


def owning_package(path):
    candidates = [path, os.path.realpath(path)]
    for p in list(candidates):
        for a, b in (("/usr/lib/", "/lib/"), ("/lib/", "/usr/lib/")):
            if p.startswith(a):
                candidates.append(b + p[len(a):])
    for p in candidates:
        r = subprocess.run(["dpkg", "-S", p], capture_output=True, text=True)
        if r.returncode == 0:
            return r.stdout.split(":", 1)[0].split(",")[0].strip()
    return None


def dpkg_fields(pkg, fields):
    fmt = "\\n".join("${%s}" % f for f in fields)
    r = subprocess.run(["dpkg-query", "-W", "-f", fmt, pkg], capture_output=True, text=True)
    if r.returncode != 0:
        return None
    return dict(zip(fields, r.stdout.split("\n")))


def depends(pkg):
    info = dpkg_fields(pkg, ["Depends", "Pre-Depends"])
    if not info:
        return []
    out = []
    for field in info.values():
        for dep in filter(None, (d.strip() for d in field.split(","))):
            first = dep.split("|")[0].strip()
            out.append(re.split(r"[\s(:]", first, 1)[0])
    return out


def closure(start):
    seen, todo = set(), list(start)
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        todo.extend(depends(p))
    return seen


def base_packages():
    out = subprocess.run(["dpkg-query", "-W", "-f", "${Package} ${Priority} ${Essential}\\n"],
                         capture_output=True, text=True, check=True).stdout
    return [l.split()[0] for l in out.splitlines()
            if len(l.split()) >= 3 and (l.split()[1] == "required" or l.split()[2] == "yes")]


def main():
    with open(os.path.join(ROOT, "Dockerfile")) as f:
        stages = dockerfile_stages(f.read())
    check("the Dockerfile has a build stage and a runtime stage", len(stages) == 2, [s[0] for s in stages])
    if len(stages) < 2:
        return
    build_from, build = stages[0]
    run_from, runtime = stages[-1]
    check("build stage: debian:bookworm, built with make",
          re.match(r"FROM debian:bookworm(\s|$|@)", build_from) is not None
          and any(i.upper().startswith("RUN ") and re.search(r"\bmake\b", i) for i in build), build_from)
    check("runtime stage: debian:bookworm-slim", re.match(r"FROM debian:bookworm-slim(\s|$|@)", run_from) is not None,
          run_from)
    user = [i.split(None, 1)[1] for i in runtime if i.upper().startswith("USER ")]
    check("runtime runs as a numeric non-root UID",
          len(user) == 1 and re.fullmatch(r"[1-9][0-9]*(:[0-9]+)?", user[0]) is not None, user)
    exposed = sorted(w for i in runtime if i.upper().startswith("EXPOSE ") for w in i.split()[1:])
    check("runtime exposes 8443 (webhook) and 9090 (metrics)", exposed == ["8443", "9090"], exposed)
    entry = [i for i in runtime if i.upper().startswith("ENTRYPOINT ")]
    copies = " ".join(i for i in runtime if i.upper().startswith("COPY "))
    check("the entrypoint is the schemagate binary the runtime stage copies in",
          len(entry) == 1 and '"/usr/local/bin/schemagate"' in entry[0] and "bin/schemagate" in copies
          and "/usr/local/bin/" in copies, entry)

    explicit = apt_installed(runtime)
    check("runtime stage installs packages with --no-install-recommends",
          explicit and all("--no-install-recommends" in i for i in runtime if "apt-get install" in i), explicit)
    # make image (scripts/build-image.sh) starts from the same list.
    with open(os.path.join(ROOT, "scripts", "build-image.sh")) as f:
        script = re.findall(r"^runtime_packages=\(([^)]*)\)", f.read(), re.M)
    check("scripts/build-image.sh's runtime_packages are the runtime stage's packages",
          len(script) == 1 and sorted(script[0].split()) == sorted(explicit),
          f"script: {script}, Dockerfile: {explicit}")
    unknown = [p for p in explicit if dpkg_fields(p, ["Version"]) is None]
    check("every runtime package exists in bookworm (installed here)", not unknown, unknown)
    image = closure(base_packages() + explicit)

    needed = {}
    for name in ("schemagate", "schemagate-certs"):
        binary = os.path.join(BIN, name)
        for lib in linked_libraries(binary):
            if SANITIZER_LIBS.search(lib):
                continue
            needed.setdefault(lib, set()).add(name)
    # Opened with dlopen at run time (ldd cannot see them): webhook/schema/pqload.c loads libpq,
    # myload.c MariaDB Connector/C.
    for source, macro in (("pqload.c", "PQLOAD_LIBRARY"), ("myload.c", "MYLOAD_LIBRARY")):
        with open(os.path.join(ROOT, "webhook", "schema", source)) as f:
            text = f.read()
        for soname in re.findall(rf'#define {macro} "([^"]+)"', text):
            cache = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True).stdout
            paths = re.findall(rf"^\s*{re.escape(soname)} \(libc6,x86-64\) => (\S+)$", cache, re.M)
            needed.setdefault(paths[0] if paths else f"NOT FOUND {soname}", set()).add("schemagate (dlopen)")
    check("ldd resolves every library", not any(l.startswith("NOT FOUND") for l in needed), list(needed))
    owners = {lib: owning_package(lib) for lib in needed if not lib.startswith("NOT FOUND")}
    unowned = [lib for lib, pkg in owners.items() if pkg is None]
    check("every linked library belongs to a Debian package", not unowned, unowned)
    missing = sorted({f"{pkg} ({lib})" for lib, pkg in owners.items() if pkg and pkg not in image})
    check(f"the runtime stage provides the packages of all {len(owners)} linked libraries", not missing,
          "missing from the image: " + ", ".join(missing))

    # Nothing beyond the libraries: each named package ships a library that the binaries link
    # or that the Makefile's LDLIBS names (linked with --as-needed, it may not appear yet).
    with open(os.path.join(ROOT, "Makefile")) as f:
        ldlibs = re.findall(r"-l([A-Za-z0-9_+-]+)", " ".join(l for l in f if l.startswith("LDLIBS")))
    owned_pkgs = set(owners.values())
    extras = []
    for pkg in explicit:
        if pkg in owned_pkgs or pkg in DOCUMENTED_EXTRAS:
            continue
        files = subprocess.run(["dpkg", "-L", pkg], capture_output=True, text=True).stdout
        if not any(re.search(rf"/lib{re.escape(l)}\.so\.", files) for l in ldlibs):
            extras.append(pkg)
    check("the runtime stage installs only libraries schemagate links (plus documented extras)", not extras, extras)


if __name__ == "__main__":
    main()
    REPORT.finish()
