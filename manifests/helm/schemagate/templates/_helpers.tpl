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

{{/* Fails the render on settings that cannot work together. */}}
{{- define "schemagate.validate" -}}
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
{{- range $name, $db := .Values.databases }}
{{- if not (regexMatch "^[A-Za-z0-9][A-Za-z0-9_.-]*$" $name) }}
{{- fail (printf "databases: %q is not a usable name (letters, digits, _ . -)" $name) }}
{{- end }}
{{- if not $db.tool }}
{{- fail (printf "databases.%s.tool is required (flyway, liquibase, golang-migrate, ...)" $name) }}
{{- end }}
{{- if not (and $db.conninfoSecret $db.conninfoSecret.name) }}
{{- fail (printf "databases.%s.conninfoSecret.name is required: an existing Secret holding the libpq conninfo" $name) }}
{{- end }}
{{- end }}
{{- end }}

{{/* namespaceSelector excluding the exempt namespaces, merged with webhook.namespaceSelector. */}}
{{- define "schemagate.namespaceSelector" -}}
{{- $terms := list (dict "key" "kubernetes.io/metadata.name" "operator" "NotIn" "values" .exempt) }}
{{- $sel := dict "matchExpressions" (concat $terms (default list .extra.matchExpressions)) }}
{{- with .extra.matchLabels }}{{ $_ := set $sel "matchLabels" . }}{{ end }}
{{- toYaml $sel }}
{{- end }}
