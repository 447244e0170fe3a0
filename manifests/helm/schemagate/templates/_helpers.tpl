{{/* Names, labels and shared fragments of the schemagate chart. */}}

{{- define "schemagate.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "schemagate.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "schemagate.selectorLabels" -}}
app.kubernetes.io/name: {{ include "schemagate.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "schemagate.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "schemagate.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: admission-webhook
app.kubernetes.io/part-of: schemagate
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* The image reference: repository (required), then the digest, or the tag (appVersion by default). */}}
{{- define "schemagate.image" -}}
{{- $repo := required "image.repository is required: there is no public schemagate image. Build it (docker build -t REGISTRY/schemagate:0.1.0 .), push it and pass --set image.repository=REGISTRY/schemagate" .Values.image.repository }}
{{- if .Values.image.digest }}
{{- printf "%s@%s" $repo .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" $repo (toString (.Values.image.tag | default .Chart.AppVersion)) }}
{{- end }}
{{- end }}

{{/* Labels of the helm test objects: not the pods' selector labels, so the Service, the
PodDisruptionBudget, the NetworkPolicy and the anti-affinity never count the test Pod. */}}
{{- define "schemagate.testLabels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "schemagate.name" . }}-test
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: helm-test
app.kubernetes.io/part-of: schemagate
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "schemagate.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "schemagate.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Secret holding tls.crt and tls.key, whatever the certificate mode. */}}
{{- define "schemagate.tlsSecretName" -}}
{{- if eq .Values.certificates.mode "secret" }}
{{- required "certificates.secret.name is required in the secret certificate mode" .Values.certificates.secret.name }}
{{- else }}
{{- printf "%s-tls" (include "schemagate.fullname" .) }}
{{- end }}
{{- end }}

{{/* DNS names the serving certificate must cover. */}}
{{- define "schemagate.dnsNames" -}}
{{- $svc := include "schemagate.fullname" . }}
{{- $ns := .Release.Namespace }}
{{- list (printf "%s.%s.svc" $svc $ns) (printf "%s.%s.svc.cluster.local" $svc $ns) (printf "%s.%s" $svc $ns) $svc | toJson }}
{{- end }}

{{/* Namespaces never sent to the webhook nor checked by it. */}}
{{- define "schemagate.exemptNamespaces" -}}
{{- concat (list "kube-system" .Release.Namespace) .Values.webhook.excludeNamespaces | uniq | toJson }}
{{- end }}

{{/* The databases in a stable order, each with its mount. */}}
{{- define "schemagate.databaseNames" -}}
{{- keys .Values.databases | sortAlpha | toJson }}
{{- end }}

{{/* A database's on_unreachable; values may spell it onUnreachable or on_unreachable. */}}
{{- define "schemagate.onUnreachable" -}}
{{- default "deny" (default .on_unreachable .onUnreachable) }}
{{- end }}

{{/* Fails on a key of .obj not in .known (a typo would otherwise be silently ignored). */}}
{{- define "schemagate.knownKeys" -}}
{{- if not (kindIs "map" .obj) }}
{{- fail (printf "%s must be a map; got %v" .path .obj) }}
{{- end }}
{{- range $k, $_ := .obj }}
{{- if not (has $k $.known) }}
{{- fail (printf "%s.%s is not a setting the chart knows (a typo?); known keys: %s" $.path $k (join ", " $.known)) }}
{{- end }}
{{- end }}
{{- end }}

{{/* One of the values the binary takes, or fail naming them. */}}
{{- define "schemagate.oneOf" -}}
{{- if not (has .value .allowed) }}
{{- fail (printf "%s must be one of %s; got %q" .path (join ", " .allowed) (toString .value)) }}
{{- end }}
{{- end }}

{{/* A whole number in [min, max], or fail. */}}
{{- define "schemagate.intRange" -}}
{{- if not (or (kindIs "int" .value) (kindIs "int64" .value) (kindIs "float64" .value)) }}
{{- fail (printf "%s must be a whole number from %d to %d; got %q" .path .min .max (toString .value)) }}
{{- end }}
{{- if or (ne (float64 .value) (float64 (int64 .value))) (lt (int64 .value) (int64 .min)) (gt (int64 .value) (int64 .max)) }}
{{- fail (printf "%s must be a whole number from %d to %d; got %v" .path .min .max .value) }}
{{- end }}
{{- end }}

{{/* The config section: what schemagate refuses at start-up (webhook/config.c) is refused here,
at render time, with the same limits. */}}
{{- define "schemagate.validateConfig" -}}
{{- $c := .Values.config }}
{{- if hasKey $c "databases" }}
{{- fail "config.databases: databases are configured in the top-level databases value (each with its conninfoSecret), not under config" }}
{{- end }}
{{- include "schemagate.knownKeys" (dict "path" "config" "obj" $c "known" (list "exempt_namespaces" "secrets" "hygiene" "schema")) }}
{{- $actions := list "off" "warn" "deny" }}
{{- with $c.secrets }}
{{- include "schemagate.knownKeys" (dict "path" "config.secrets" "obj" . "known" (list "action" "exempt_namespaces" "exempt_workloads")) }}
{{- if hasKey . "action" }}{{ include "schemagate.oneOf" (dict "path" "config.secrets.action" "value" .action "allowed" $actions) }}{{ end }}
{{- range .exempt_workloads }}
{{- if not (contains "/" (toString .)) }}
{{- fail (printf "config.secrets.exempt_workloads entries are namespace/name globs, e.g. monitoring/datadog-*; got %q" (toString .)) }}
{{- end }}
{{- end }}
{{- end }}
{{- with $c.hygiene }}
{{- include "schemagate.knownKeys" (dict "path" "config.hygiene" "obj" . "known" (list "action")) }}
{{- if hasKey . "action" }}{{ include "schemagate.oneOf" (dict "path" "config.hygiene.action (hygiene never denies)" "value" .action "allowed" (list "off" "warn")) }}{{ end }}
{{- end }}
{{- with $c.schema }}
{{- include "schemagate.knownKeys" (dict "path" "config.schema" "obj" . "known" (list "action" "dry_run_action" "timeout_ms" "cache_satisfied_ms" "cache_unsatisfied_ms" "pool_size")) }}
{{- if hasKey . "action" }}{{ include "schemagate.oneOf" (dict "path" "config.schema.action" "value" .action "allowed" $actions) }}{{ end }}
{{- if hasKey . "dry_run_action" }}{{ include "schemagate.oneOf" (dict "path" "config.schema.dry_run_action" "value" .dry_run_action "allowed" $actions) }}{{ end }}
{{- if hasKey . "timeout_ms" }}{{ include "schemagate.intRange" (dict "path" "config.schema.timeout_ms" "value" .timeout_ms "min" 50 "max" 9000) }}{{ end }}
{{- if hasKey . "cache_satisfied_ms" }}{{ include "schemagate.intRange" (dict "path" "config.schema.cache_satisfied_ms" "value" .cache_satisfied_ms "min" 0 "max" 600000) }}{{ end }}
{{- if hasKey . "cache_unsatisfied_ms" }}{{ include "schemagate.intRange" (dict "path" "config.schema.cache_unsatisfied_ms" "value" .cache_unsatisfied_ms "min" 0 "max" 10000) }}{{ end }}
{{- if hasKey . "pool_size" }}{{ include "schemagate.intRange" (dict "path" "config.schema.pool_size" "value" .pool_size "min" 1 "max" 64) }}{{ end }}
{{- end }}
{{- end }}

{{/* Each database entry, as webhook/config.c checks it. */}}
{{- define "schemagate.validateDatabases" -}}
{{- $tools := list "flyway" "liquibase" "golang-migrate" "goose" "dbmate" "rails" "atlas" "alembic" "django" "sqitch" "prisma" "knex" "node-pg-migrate" "sequelize" }}
{{- $ident := `("([^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)` }}
{{- range $name, $db := .Values.databases }}
{{- if not (regexMatch "^[a-z0-9_-]{1,63}$" $name) }}
{{- fail (printf "databases: %q is not a usable database name: 1-63 characters of a-z, 0-9, - and _ (it is what workloads write before the @ in schemagate.io/requires)" $name) }}
{{- end }}
{{- $path := printf "databases.%s" $name }}
{{- include "schemagate.knownKeys" (dict "path" $path "obj" $db "known" (list "tool" "table" "namespaces" "onUnreachable" "on_unreachable" "project" "conninfoSecret" "alembicDownRevisions" "alembic_down_revisions")) }}
{{- if not $db.tool }}
{{- fail (printf "%s.tool is required: one of %s" $path (join ", " $tools)) }}
{{- end }}
{{- include "schemagate.oneOf" (dict "path" (printf "%s.tool" $path) "value" $db.tool "allowed" $tools) }}
{{- if not (and $db.conninfoSecret (kindIs "map" $db.conninfoSecret) $db.conninfoSecret.name) }}
{{- fail (printf "%s.conninfoSecret.name is required: an existing Secret holding the libpq conninfo" $path) }}
{{- end }}
{{- include "schemagate.knownKeys" (dict "path" (printf "%s.conninfoSecret" $path) "obj" $db.conninfoSecret "known" (list "name" "key")) }}
{{- if and (hasKey $db "onUnreachable") (hasKey $db "on_unreachable") (ne (toString $db.onUnreachable) (toString $db.on_unreachable)) }}
{{- fail (printf "%s: onUnreachable and on_unreachable disagree; set one" $path) }}
{{- end }}
{{- include "schemagate.oneOf" (dict "path" (printf "%s.onUnreachable" $path) "value" (include "schemagate.onUnreachable" $db) "allowed" (list "deny" "allow")) }}
{{- if $db.table }}
{{- if not (regexMatch (printf "^%s[.]%s$" $ident $ident) (toString $db.table)) }}
{{- fail (printf "%s.table must be schema-qualified, e.g. public.flyway_schema_history or public.\"SequelizeMeta\"; got %q" $path (toString $db.table)) }}
{{- end }}
{{- end }}
{{- if not (kindIs "slice" (default list $db.namespaces)) }}
{{- fail (printf "%s.namespaces must be a list of namespace globs, e.g. [shop, shop-*]" $path) }}
{{- end }}
{{- if and (hasKey $db "alembicDownRevisions") (hasKey $db "alembic_down_revisions") }}
{{- fail (printf "%s: set alembicDownRevisions or alembic_down_revisions, not both" $path) }}
{{- end }}
{{- $graph := default $db.alembic_down_revisions $db.alembicDownRevisions }}
{{- if $graph }}
{{- if ne $db.tool "alembic" }}
{{- fail (printf "%s.alembicDownRevisions only applies to tool alembic (this database uses %s)" $path $db.tool) }}
{{- end }}
{{- if not (kindIs "map" $graph) }}
{{- fail (printf "%s.alembicDownRevisions maps each revision to its down_revision, e.g. {a2: a1, a1: null}" $path) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/* Fails the render on settings that cannot work together. */}}
{{- define "schemagate.validate" -}}
{{- if hasKey .Values "replicaCount" }}
{{- fail "replicaCount was renamed replicas; set replicas instead (the old name would be ignored)" }}
{{- end }}
{{- include "schemagate.validateConfig" . }}
{{- include "schemagate.validateDatabases" . }}
{{- $replicas := int .Values.replicas }}
{{- $pdb := .Values.podDisruptionBudget }}
{{- if and $pdb.enabled (not (kindIs "invalid" $pdb.minAvailable)) (not (kindIs "string" $pdb.minAvailable)) }}
{{- if ge (int $pdb.minAvailable) $replicas }}
{{- fail (printf "podDisruptionBudget.minAvailable (%d) must be below replicas (%d): otherwise no pod may ever be evicted and node drains hang" (int $pdb.minAvailable) $replicas) }}
{{- end }}
{{- end }}
{{- if and .Values.priorityClassQuota.create (has .Values.priorityClassName (list "system-cluster-critical" "system-node-critical")) (ne .Release.Namespace "kube-system") }}
{{- if lt (int .Values.priorityClassQuota.pods) (add1 $replicas) }}
{{- fail (printf "priorityClassQuota.pods (%d) must be at least replicas + 1 (%d): the rolling update starts one pod more" (int .Values.priorityClassQuota.pods) (add1 $replicas)) }}
{{- end }}
{{- end }}
{{- range .Values.extraVolumes }}
{{- if or (has .name (list "config" "tls")) (regexMatch "^db-[0-9]+$" (toString .name)) }}
{{- fail (printf "extraVolumes: the name %q is the chart's own (config, tls, db-N); pick another" (toString .name)) }}
{{- end }}
{{- end }}
{{- range .Values.extraVolumeMounts }}
{{- $m := trimSuffix "/" (toString .mountPath) }}
{{- if or (eq $m "/etc/schemagate") (regexMatch "^/etc/schemagate/(config|tls|db)(/.*)?$" $m) }}
{{- fail (printf "extraVolumeMounts: %s is where the chart mounts the config, certificate or conninfo files; mount elsewhere (e.g. /etc/schemagate/db-ca)" (toString .mountPath)) }}
{{- end }}
{{- end }}
{{- $modes := list "generate" "cert-manager" "secret" }}
{{- if not (has .Values.certificates.mode $modes) }}
{{- fail (printf "certificates.mode must be one of generate, cert-manager, secret; got %q" .Values.certificates.mode) }}
{{- end }}
{{- if not (has .Values.webhook.schema.failurePolicy (list "Fail" "Ignore")) }}
{{- fail (printf "webhook.schema.failurePolicy must be Fail or Ignore; got %q" .Values.webhook.schema.failurePolicy) }}
{{- end }}
{{- $t := int .Values.webhook.timeoutSeconds }}
{{- if or (lt $t 1) (gt $t 30) }}
{{- fail "webhook.timeoutSeconds must be 1-30 (the apiserver's limits)" }}
{{- end }}
{{- $budget := int (default 2000 .Values.config.schema.timeout_ms) }}
{{- if gt (add $budget 1000) (mul $t 1000) }}
{{- fail (printf "config.schema.timeout_ms (%d) must be at least 1000 ms below webhook.timeoutSeconds (%ds), so schemagate answers before the apiserver gives up" $budget $t) }}
{{- end }}
{{- if not (has .Values.podAntiAffinity (list "soft" "hard" "none")) }}
{{- fail "podAntiAffinity must be soft, hard or none" }}
{{- end }}
{{- end }}

{{/* namespaceSelector excluding the exempt namespaces, merged with webhook.namespaceSelector. */}}
{{- define "schemagate.namespaceSelector" -}}
{{- $terms := list (dict "key" "kubernetes.io/metadata.name" "operator" "NotIn" "values" .exempt) }}
{{- $sel := dict "matchExpressions" (concat $terms (default list .extra.matchExpressions)) }}
{{- with .extra.matchLabels }}{{ $_ := set $sel "matchLabels" . }}{{ end }}
{{- toYaml $sel }}
{{- end }}
