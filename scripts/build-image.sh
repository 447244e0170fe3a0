#!/usr/bin/env bash
# scripts/build-image.sh - the schemagate container image without a container engine: an OCI image
# layout in a tar (what `skopeo copy oci-archive:...`, `podman load` and `ctr images import`
# read), assembled from the files of the Debian packages installed on this machine. `make image`
# runs it:
#
#   scripts/build-image.sh --version 0.1.0 --bin bin --out build/image/schemagate-0.1.0.oci.tar
#                          [--source URL]
#
# The root filesystem: bin/schemagate and bin/schemagate-certs in /usr/local/bin; every file of
# the Dockerfile runtime stage's packages and of their Depends/Pre-Depends, closed over as dpkg
# records them here, less documentation (copyright files are kept); the Mozilla roots of
# ca-certificates as /etc/ssl/certs/ca-certificates.crt; /etc/os-release and /etc/debian_version
# of base-files; /etc/passwd and /etc/group with root and nonroot (65532); /tmp; the merged-/usr
# links. Every copied file is checked against its package (dpkg --verify) first. Which package
# versions went in: /usr/share/schemagate/packages.txt (name=version) and, for image scanners,
# one dpkg status stanza a package in /var/lib/dpkg/status.d/. There is no shell, no dpkg and no
# apt in the image.
#
# Reproducible: one layer whose entries are sorted, owned by root (nonroot's home by 65532) and
# dated SOURCE_DATE_EPOCH (default: the time of the last commit), gzip without a timestamp, JSON
# with sorted keys; the same commit (the revision label), binaries and packages give the same
# archive, byte for byte.
# Config as the Dockerfile's runtime stage (tests/e2e/image.py checks both): user 65532:65532,
# ports 8443/tcp and 9090/tcp, entrypoint /usr/local/bin/schemagate, the serve command, the OCI
# labels. Needs dpkg, GNU tar and python3 (all in `make deps`); no root, no network.
set -euo pipefail

# The Dockerfile runtime stage's `apt-get install` list; tests/e2e/dockerfile_libs.py checks that
# the two agree.
runtime_packages=(libmicrohttpd12 libgnutls30 libcjson1 libyaml-0-2 libc-ares2 libssl3 libpq5 libmariadb3 ca-certificates)
# Packages the image takes data from, not their files nor their dependencies (openssl and debconf
# serve update-ca-certificates, which an image without a shell never runs).
data_packages=(ca-certificates base-files)
entrypoint='["/usr/local/bin/schemagate"]'
cmd='["serve", "--tls-cert-file", "/etc/schemagate/tls/tls.crt", "--tls-private-key-file", "/etc/schemagate/tls/tls.key"]'

die() { echo "build-image: $*" >&2; exit 1; }
usage() { echo "usage: scripts/build-image.sh --version VERSION --bin DIR --out FILE.oci.tar [--source URL]" >&2; exit 2; }

root=$(cd "$(dirname "$0")/.." && pwd)
version="" bin="" out="" source=""
while [ $# -gt 0 ]; do
  case "$1" in
    --version|--bin|--out|--source)
      [ $# -ge 2 ] || { echo "build-image: $1 needs a value" >&2; usage; }
      case "$1" in --version) version=$2 ;; --bin) bin=$2 ;; --out) out=$2 ;; --source) source=$2 ;; esac
      shift 2 ;;
    -h|--help) usage ;;
    *) echo "build-image: unknown argument '$1'" >&2; usage ;;
  esac
done
[ -n "$version" ] && [ -n "$bin" ] && [ -n "$out" ] || usage
[[ "$version" =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]] || die "--version '$version' is not a valid image tag"
case "$out" in *.oci.tar) ;; *) die "--out '$out' must end in .oci.tar" ;; esac
for tool in dpkg dpkg-query ldd tar python3 realpath; do
  command -v "$tool" >/dev/null || die "$tool not found: this script runs on Debian; run make deps"
done
for b in schemagate schemagate-certs; do
  [ -x "$bin/$b" ] || die "$bin/$b is missing or not executable: run make first"
  linked=$(ldd "$bin/$b" 2>&1) || die "ldd $bin/$b failed: $linked"
  case "$linked" in
    *libasan*|*libubsan*|*liblsan*|*libtsan*) die "$bin holds a sanitizer build ($b links its runtime): build the image from a plain build (make image)" ;;
  esac
done

arch=$(dpkg --print-architecture)
case "$arch" in
  amd64|arm64|s390x|riscv64) oci_arch=$arch ;;
  ppc64el) oci_arch=ppc64le ;;
  i386) oci_arch=386 ;;
  *) die "architecture $arch has no OCI name here; add it to scripts/build-image.sh" ;;
esac
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
  SOURCE_DATE_EPOCH=$(git -C "$root" log -1 --format=%ct 2>/dev/null || true)
  if [ -z "$SOURCE_DATE_EPOCH" ]; then
    SOURCE_DATE_EPOCH=0
    echo "build-image: git gives no last commit here: the image is dated 1970-01-01 (set SOURCE_DATE_EPOCH to choose)" >&2
  fi
fi
[[ "$SOURCE_DATE_EPOCH" =~ ^[0-9]+$ ]] || die "SOURCE_DATE_EPOCH='$SOURCE_DATE_EPOCH' is not a number of seconds"
revision=$(git -C "$root" rev-parse HEAD 2>/dev/null || true)
license=""
if [ -f "$root/LICENSE" ] && grep -q "Apache License" "$root/LICENSE" && grep -q "Version 2.0" "$root/LICENSE"; then
  license=Apache-2.0
fi

mkdir -p "$(dirname "$out")"
work=$(mktemp -d "$(dirname "$out")/.build-image.XXXXXX")
trap 'rm -rf "$work"' EXIT
rootfs=$work/rootfs
mkdir -p "$rootfs"

# ---------------------------------------------------------------- which packages
# installed NAME: the dpkg name of NAME as installed here (NAME:ARCH, or NAME for Architecture: all).
installed() {
  local n
  for n in "$1:$arch" "$1"; do
    if [ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$n" 2>/dev/null)" = "ii " ]; then echo "$n"; return 0; fi
  done
  return 1
}
is_data() { case " ${data_packages[*]} " in *" $1 "*) return 0 ;; esac; return 1; }

declare -A dpkg_name=()
packages=()
queue=("${runtime_packages[@]}" base-files)
while [ ${#queue[@]} -gt 0 ]; do
  p=${queue[0]}
  queue=("${queue[@]:1}")
  [ -z "${dpkg_name[$p]:-}" ] || continue
  dpkg_name[$p]=$(installed "$p") || die "Debian package $p is not installed: run make deps (or apt-get install $p)"
  packages+=("$p")
  is_data "$p" && continue
  # Each dependency: the first of its alternatives that is installed.
  while IFS= read -r group; do
    chosen=""
    IFS='|' read -ra alternatives <<<"$group"
    for alt in "${alternatives[@]}"; do
      name=$(sed -E 's/\([^)]*\)//g; s/\[[^]]*\]//g; s/:[a-z0-9]+//; s/[[:space:]]//g' <<<"$alt")
      if [ -n "$name" ] && installed "$name" >/dev/null; then chosen=$name; break; fi
    done
    [ -n "$chosen" ] || die "package $p depends on '$group', which is not installed: run make deps"
    queue+=("$chosen")
  done < <(dpkg-query -W -f='${Depends},${Pre-Depends}' "${dpkg_name[$p]}" | tr ',' '\n' | grep -v '^[[:space:]]*$' || true)
done
mapfile -t packages < <(printf '%s\n' "${packages[@]}" | LC_ALL=C sort)

# ---------------------------------------------------------------- which files
# A package's files keep their place, with the parent directory resolved as on this machine
# (/lib/x86_64-linux-gnu/libc.so.6 is /usr/lib/x86_64-linux-gnu/libc.so.6 under merged /usr).
# canonical PATH sets REPLY (no subshell, so the directories resolved stay cached).
declare -A real_dir=()
canonical() {
  local dir=${1%/*} base=${1##*/}
  [ -n "$dir" ] || dir=/
  if [ -z "${real_dir[$dir]:-}" ]; then
    real_dir[$dir]=$(realpath -e "$dir" 2>/dev/null) || return 1
  fi
  REPLY=${real_dir[$dir]%/}/$base
}
files=$work/files            # host paths of the files to copy, canonical, one a line
: >"$files"
declare -A from_package=()   # canonical path -> package, for dpkg --verify's report
add_file() {  # add_file PACKAGE PATH
  canonical "$2" || die "cannot resolve the directory of $2 (package $1)"
  echo "$REPLY" >>"$files"
  from_package[$REPLY]=$1
}
for p in "${packages[@]}"; do
  is_data "$p" && continue
  while IFS= read -r path; do
    case "$path" in
      /*) ;;
      *) continue ;;   # "diverted by ..." and other notes
    esac
    case "$path" in
      /usr/share/doc/*/copyright) ;;
      /usr/share/doc/*|/usr/share/doc-base/*|/usr/share/man/*|/usr/share/info/*|/usr/share/lintian/*|/usr/share/locale/*|/usr/share/bug/*) continue ;;
    esac
    if [ -d "$path" ] && [ ! -L "$path" ]; then continue; fi
    [ -e "$path" ] || [ -L "$path" ] || die "$path of package $p is missing on this machine: apt-get install --reinstall $p"
    add_file "$p" "$path"
  done < <(dpkg-query -L "${dpkg_name[$p]}")
done
# The data packages' parts.
mapfile -t roots < <(dpkg-query -L "${dpkg_name[ca-certificates]}" | grep '^/usr/share/ca-certificates/mozilla/.*\.crt$' | LC_ALL=C sort)
[ ${#roots[@]} -gt 50 ] || die "ca-certificates has only ${#roots[@]} Mozilla roots here: apt-get install --reinstall ca-certificates"
for f in "${roots[@]}"; do
  canonical "$f" || die "cannot resolve the directory of $f (package ca-certificates)"
  from_package[$REPLY]=ca-certificates
done
for f in /usr/share/doc/ca-certificates/copyright /usr/lib/os-release /etc/debian_version /usr/share/doc/base-files/copyright; do
  p=ca-certificates; case "$f" in */base-files/*|/usr/lib/os-release|/etc/debian_version) p=base-files ;; esac
  [ -f "$f" ] || die "$f of package $p is missing on this machine: apt-get install --reinstall $p"
  add_file "$p" "$f"
done
LC_ALL=C sort -u -o "$files" "$files"

# Every file taken must be as its package shipped it: dpkg --verify prints a line per changed or
# missing file ("??5?????? c /etc/x", "missing     /usr/lib/y"), the path last.
dpkg_names=()
for p in "${packages[@]}"; do dpkg_names+=("${dpkg_name[$p]}"); done
changed=""
while IFS= read -r line; do
  path=${line##* }
  [ -n "$line" ] || continue
  if canonical "$path"; then c=$REPLY; else c=$path; fi
  [ -n "${from_package[$c]:-}" ] || continue
  changed="$changed  $line (package ${from_package[$c]})"$'\n'
done < <(dpkg --verify "${dpkg_names[@]}" 2>&1 || true)
[ -z "$changed" ] || die "files differ from their Debian packages (dpkg --verify); reinstall those packages:"$'\n'"$changed"

# ---------------------------------------------------------------- the root filesystem
sed 's|^/||' "$files" | tar -C / --no-recursion -cf - -T - | tar -C "$rootfs" -xf -
# Merged /usr: the loader is /lib64/ld-linux-x86-64.so.2 in every binary.
for d in bin sbin lib lib64; do
  mkdir -p "$rootfs/usr/$d"
  if [ -e "$rootfs/$d" ] && [ ! -L "$rootfs/$d" ]; then die "$d/ came out as a directory; this machine is not merged-/usr"; fi
  ln -sfn "usr/$d" "$rootfs/$d"
done
install -D -m 0755 "$bin/schemagate" "$rootfs/usr/local/bin/schemagate"
install -D -m 0755 "$bin/schemagate-certs" "$rootfs/usr/local/bin/schemagate-certs"
mkdir -p "$rootfs/etc/ssl/certs" "$rootfs/usr/lib/ssl" "$rootfs/tmp" "$rootfs/home/nonroot" "$rootfs/usr/share/schemagate" \
         "$rootfs/var/lib/dpkg/status.d" "$rootfs/etc/schemagate"
chmod 1777 "$rootfs/tmp"
chmod 0700 "$rootfs/home/nonroot"
# update-ca-certificates' bundle: the roots in name order, each ending in a newline.
for f in "${roots[@]}"; do sed -e '$a\' "$f"; done >"$rootfs/etc/ssl/certs/ca-certificates.crt"
# OpenSSL's default paths, as the openssl package links them.
ln -sfn /etc/ssl/certs "$rootfs/usr/lib/ssl/certs"
ln -sfn /etc/ssl/certs/ca-certificates.crt "$rootfs/usr/lib/ssl/cert.pem"
ln -sfn ../usr/lib/os-release "$rootfs/etc/os-release"
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' >"$rootfs/etc/group"
printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files dns\nnetworks: files\nprotocols: files\nservices: files\n' \
  >"$rootfs/etc/nsswitch.conf"
{
  echo "# The Debian packages whose files make up this image (Debian $(cat /etc/debian_version), $arch), name=version."
  echo "# ca-certificates: its Mozilla roots, as /etc/ssl/certs/ca-certificates.crt; base-files: os-release, debian_version."
  for p in "${packages[@]}"; do
    echo "$p=$(dpkg-query -W -f='${Version}' "${dpkg_name[$p]}")"
    dpkg-query -s "${dpkg_name[$p]}" >"$rootfs/var/lib/dpkg/status.d/$p"
  done
} >"$rootfs/usr/share/schemagate/packages.txt"

# Every library the binaries link, and the two schemagate opens with dlopen (the names in
# webhook/schema/pqload.c and myload.c), must be in the image.
mapfile -t dl_names < <(sed -n 's/^#define \(PQLOAD\|MYLOAD\)_LIBRARY "\(.*\)"$/\2/p' "$root/webhook/schema/pqload.c" "$root/webhook/schema/myload.c")
[ ${#dl_names[@]} -eq 2 ] || die "did not find PQLOAD_LIBRARY and MYLOAD_LIBRARY in webhook/schema/pqload.c, myload.c"
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
objects=("$bin/schemagate" "$bin/schemagate-certs")
for n in "${dl_names[@]}"; do
  path=$(ldconfig -p | awk -v n="$n" -v dir="/$multiarch/" '$1 == n && index($NF, dir) && !found {print $NF; found = 1}')
  [ -n "$path" ] || die "$n (opened with dlopen) is not installed here: run make deps"
  canonical "$path" && [ -e "$rootfs$REPLY" ] || die "$n is not in the image: the packages above do not provide it"
  objects+=("$path")
done
while read -r lib; do
  case "$lib" in
    *libasan*|*libubsan*|*liblsan*|*libtsan*) die "$bin holds a sanitizer build (it links $lib): build the image from a plain build (make image)" ;;
    "not found"*) die "a library of the binaries is not found on this machine: $lib" ;;
  esac
  canonical "$lib" && [ -e "$rootfs$REPLY" ] || die "$lib is linked but not in the image: its package is missing from runtime_packages here and in the Dockerfile"
done < <(ldd "${objects[@]}" | awk '/=> not found/ {print "not found: " $1; next} /=>/ {print $3} /^[[:space:]]+\// {print $1}' | sort -u)

# ---------------------------------------------------------------- the OCI layout and its archive
labels=(org.opencontainers.image.title=schemagate
        "org.opencontainers.image.description=Kubernetes validating admission webhook: schema migrations before rollouts, no plaintext credentials"
        "org.opencontainers.image.version=$version")
[ -z "$license" ] || labels+=("org.opencontainers.image.licenses=$license")
[ -z "$revision" ] || labels+=("org.opencontainers.image.revision=$revision")
[ -z "$source" ] || labels+=("org.opencontainers.image.source=$source")

digests=$(python3 - "$rootfs" "$out" "$SOURCE_DATE_EPOCH" "$version" "$oci_arch" "$entrypoint" "$cmd" "${labels[@]}" <<'PY'
import gzip, hashlib, io, json, os, sys, tarfile, time

rootfs, out, epoch, version, arch, entrypoint, cmd = sys.argv[1:8]
labels = dict(l.split("=", 1) for l in sys.argv[8:])
epoch = int(epoch)
created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))
OWNERS = {"home/nonroot": (65532, 65532)}   # everything else is root's


class Hashing(io.RawIOBase):
    """Passes writes on to a file, counting and hashing them."""
    def __init__(self, f):
        self.f, self.sha, self.size = f, hashlib.sha256(), 0
    def writable(self):
        return True
    def write(self, b):
        self.sha.update(b)
        self.size += len(b)
        return self.f.write(b)


def entries(top, rel=""):
    """Every path under top in name order, a directory before what it holds; links not followed."""
    for e in sorted(os.scandir(os.path.join(top, rel)), key=lambda e: e.name):
        path = f"{rel}/{e.name}" if rel else e.name
        yield path
        if e.is_dir(follow_symlinks=False):
            yield from entries(top, path)


def add(tar, info, data=None):
    info.mtime = epoch
    info.uname = info.gname = ""
    tar.addfile(info, data)


blobs = os.path.join(os.path.dirname(rootfs), "blobs")
os.makedirs(blobs)
layer_path = os.path.join(blobs, "layer")
with open(layer_path, "wb") as raw:
    gz_hash = Hashing(raw)
    with gzip.GzipFile(filename="", mode="wb", fileobj=gz_hash, mtime=0, compresslevel=6) as gz:
        tar_hash = Hashing(gz)
        with tarfile.open(fileobj=tar_hash, mode="w|", format=tarfile.PAX_FORMAT) as tar:
            for rel in entries(rootfs):
                info = tar.gettarinfo(os.path.join(rootfs, rel), arcname=rel)
                info.uid, info.gid = OWNERS.get(rel, (0, 0))
                if info.isreg():
                    with open(os.path.join(rootfs, rel), "rb") as f:
                        add(tar, info, f)
                else:
                    add(tar, info)
layer = {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
         "digest": "sha256:" + gz_hash.sha.hexdigest(), "size": gz_hash.size}


def blob(obj):
    data = json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()
    digest = hashlib.sha256(data).hexdigest()
    return data, digest


config = {
    "created": created, "architecture": arch, "os": "linux",
    "config": {
        "User": "65532:65532",
        "ExposedPorts": {"8443/tcp": {}, "9090/tcp": {}},
        "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
        "Entrypoint": json.loads(entrypoint), "Cmd": json.loads(cmd),
        "Labels": labels,
    },
    "rootfs": {"type": "layers", "diff_ids": ["sha256:" + tar_hash.sha.hexdigest()]},
    "history": [{"created": created, "created_by": "scripts/build-image.sh (Debian packages: "
                 "/usr/share/schemagate/packages.txt)"}],
}
config_data, config_digest = blob(config)
manifest = {
    "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
               "digest": "sha256:" + config_digest, "size": len(config_data)},
    "layers": [layer],
    "annotations": {"org.opencontainers.image.created": created, **labels},
}
manifest_data, manifest_digest = blob(manifest)
# ref.name for skopeo and podman (podman names it localhost/schemagate:VERSION); containerd's own
# annotation, which `ctr images import` (and so `kind load image-archive`) prefers, carries the
# name as the kubelet asks for it.
index = {
    "schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
    "manifests": [{"mediaType": manifest["mediaType"], "digest": "sha256:" + manifest_digest,
                   "size": len(manifest_data), "platform": {"architecture": arch, "os": "linux"},
                   "annotations": {"org.opencontainers.image.ref.name": f"schemagate:{version}",
                                   "io.containerd.image.name": f"docker.io/library/schemagate:{version}"}}],
}
index_data, _ = blob(index)

tmp = out + ".tmp"
with tarfile.open(tmp, "w", format=tarfile.PAX_FORMAT) as tar:
    def member(name, data=None, size=0, fileobj=None):
        info = tarfile.TarInfo(name)
        info.mode = 0o644
        if data is None and fileobj is None:
            info.type, info.mode = tarfile.DIRTYPE, 0o755
        info.size = len(data) if data is not None else size
        add(tar, info, io.BytesIO(data) if data is not None else fileobj)
    member("oci-layout", json.dumps({"imageLayoutVersion": "1.0.0"}).encode())
    member("index.json", index_data)
    member("blobs")
    member("blobs/sha256")
    member("blobs/sha256/" + config_digest, config_data)
    with open(layer_path, "rb") as f:
        member("blobs/sha256/" + layer["digest"][7:], size=layer["size"], fileobj=f)
    member("blobs/sha256/" + manifest_digest, manifest_data)
os.replace(tmp, out)
print(f"sha256:{manifest_digest} {layer['size']} {tar_hash.size}")
PY
) || die "writing the OCI layout failed (see the Python error above)"
read -r manifest_digest layer_size rootfs_size <<<"$digests"
echo "build-image: $out: schemagate:$version ($oci_arch), manifest $manifest_digest," \
     "$(( (layer_size + 524287) / 1048576 )) MiB compressed, $(( (rootfs_size + 524287) / 1048576 )) MiB unpacked," \
     "${#packages[@]} Debian packages (/usr/share/schemagate/packages.txt)" >&2
