#!/usr/bin/env bash
# make-shapes.sh - writes bench/review/shapes/: real object shapes the review stream generator
# (bench/review/make-stream.py) builds on, so the stream is made of what `helm template` and
# `kubectl create` really print:
#   chart-*.yaml    our own chart (manifests/helm/schemagate) rendered by `helm template` with
#                   several value sets (cert-manager or an existing Secret for TLS, monitoring
#                   on, the helm test, extra env), as CI pipelines render it;
#   kubectl.yaml    `kubectl create ... --dry-run=client -o yaml` of every kind it creates
#                   (deployment, job, cronjob, service, configmap, secret, serviceaccount,
#                   rolebinding, clusterrolebinding, ingress, namespace, priorityclass, quota, pdb).
# The files are committed so that every run reviews the same bytes; rerun this only to change
# them (with the same helm and kubectl it rewrites them byte for byte). Needs .tools/helm
# (scripts/install-helm.sh, run here) and kubectl (the one in .tools/helm is used when present).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$root/bench/review/shapes
"$root/scripts/install-helm.sh"
helm=$root/.tools/helm/helm
kubectl=$root/.tools/helm/kubectl
[ -x "$kubectl" ] || kubectl=$(command -v kubectl)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export HELM_CONFIG_HOME=$tmp/config HELM_CACHE_HOME=$tmp/cache HELM_DATA_HOME=$tmp/data
mkdir -p "$out"
chart=$root/manifests/helm/schemagate

render() {   # render NAME RELEASE NAMESPACE [helm flags...]
  local name=$1 release=$2 ns=$3
  shift 3
  "$helm" template "$release" "$chart" --namespace "$ns" --kube-version 1.30.0 \
    --set image.repository=registry.example.com/platform/schemagate "$@" > "$out/chart-$name.yaml"
}
# certificates.mode=generate makes a new CA on every render; the pipelines' modes do not.
render secret sg schemagate-system --set certificates.mode=secret \
  --set-string certificates.secret.caBundle=LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==
render certmanager admission platform --set certificates.mode=cert-manager \
  --set serviceMonitor.enabled=true --set prometheusRule.enabled=true --set grafanaDashboard.enabled=true
render ha gate-prod gate-prod --set certificates.mode=cert-manager --set replicas=5 \
  --set podAntiAffinity=hard --set 'extraEnv[0].name=SCHEMAGATE_LOG_LEVEL' --set 'extraEnv[0].value=debug' \
  --set 'webhook.excludeNamespaces[0]=sandbox' --skip-tests
render minimal sg-ci ci --set certificates.mode=secret --set-string certificates.secret.caBundle=Cg== \
  --set networkPolicy.enabled=false --set podDisruptionBudget.enabled=false --set helmTest.enabled=false \
  --set priorityClassName=

# k "SUBCOMMAND WORDS" ARGS...: the dry-run flags go before any `--` command
k() { local what=$1; shift; "$kubectl" create $what --dry-run=client -o yaml "$@"; echo "---"; }
{
  k deployment web --image=registry.example.com/shop/web:2.4.1 --image=registry.example.com/platform/envoy:1.28.0 \
    --port=8080 --replicas=3 -n shop
  k job migrate --image=flyway/flyway:10 -n shop -- flyway migrate
  k cronjob nightly-report --image=registry.example.com/shop/report:1.0.3 --schedule='15 3 * * *' -n shop \
    -- /bin/report --since=24h
  k "service clusterip" web --tcp=80:8080 -n shop
  k configmap web-settings --from-literal=LOG_LEVEL=info --from-literal=HTTP_PORT=8080 -n shop
  k "secret generic" web-db --from-literal=username=app --from-literal=password=not-a-real-one -n shop
  k serviceaccount web -n shop
  k rolebinding web-reader --role=web-reader --serviceaccount=shop:web -n shop
  k clusterrolebinding node-reader --clusterrole=node-reader --serviceaccount=shop:web
  k ingress web --class=nginx --rule='shop.example.com/*=web:80,tls=shop-tls' -n shop
  k namespace shop
  k priorityclass batch-low --value=1000 --description='batch jobs'
  k quota shop-quota --hard=cpu=20,memory=64Gi,pods=200 -n shop
  k poddisruptionbudget web --selector=app=web --max-unavailable=1 -n shop
} > "$out/kubectl.yaml"
echo "make-shapes: wrote $(ls "$out" | wc -l) files to bench/review/shapes ($("$helm" version --short), kubectl $("$kubectl" version --client 2>/dev/null | head -n 1))" >&2
