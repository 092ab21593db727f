{{/* The chart's name, at most 63 characters (a DNS label). */}}
{{- define "streaming.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The release's full name; shortened so that "-<component>" suffixes still fit in 63 characters. */}}
{{- define "streaming.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "streaming.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "streaming.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "streaming.selectorLabels" -}}
app.kubernetes.io/name: {{ include "streaming.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "streaming.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "streaming.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "streaming.secretName" -}}
{{- default (printf "%s-secrets" (include "streaming.fullname" .)) .Values.secrets.existingSecret -}}
{{- end -}}

{{- define "streaming.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/*
The secret files a container gets: secrets.files, plus secrets.migrationFiles for the migrations Job.
Call with (dict "root" $ "migrations" true|false); returns a YAML map of name -> {key, env}.
*/}}
{{- define "streaming.secretFiles" -}}
{{- $files := dict -}}
{{- range $name, $f := .root.Values.secrets.files -}}
{{- if $f -}}{{- $_ := set $files $name $f -}}{{- end -}}
{{- end -}}
{{- if .migrations -}}
{{- range $name, $f := .root.Values.secrets.migrationFiles -}}
{{- if $f -}}{{- $_ := set $files $name $f -}}{{- end -}}
{{- end -}}
{{- end -}}
{{- toYaml $files -}}
{{- end -}}

{{/*
The container's environment: the chart's settings, overridden by .Values.env, overridden by the component's env.
Call with (dict "root" $ "component" "api|relay|migrations" "env" <map> "migrations" bool).
*/}}
{{- define "streaming.env" -}}
{{- $v := .root.Values -}}
{{- $base := dict
  "STREAMING_ENV" $v.environment
  "STREAMING_PAYMENTS" $v.payments
  "STREAMING_GRPC_ADDR" (printf ":%v" $v.ports.grpc)
  "STREAMING_HTTP_ADDR" (printf ":%v" $v.ports.http)
  "STREAMING_OPS_ADDR" (printf ":%v" $v.ports.ops)
  "STREAMING_REDIS_ADDR" $v.stores.redisAddr
  "STREAMING_CASSANDRA_HOSTS" $v.stores.cassandraHosts
  "STREAMING_CASSANDRA_KEYSPACE" $v.stores.cassandraKeyspace
  "STREAMING_CASSANDRA_REPLICATION" $v.stores.cassandraReplication
  "STREAMING_CASSANDRA_CONSISTENCY" $v.stores.cassandraConsistency
  "STREAMING_NEO4J_URI" $v.stores.neo4jURI
  "STREAMING_SEARCH_URL" $v.stores.searchURL
  "STREAMING_SEARCH_ALIAS" $v.stores.searchAlias
-}}
{{- if $v.stores.cassandraLocalDC -}}
{{- $_ := set $base "STREAMING_CASSANDRA_LOCAL_DC" $v.stores.cassandraLocalDC -}}
{{- end -}}
{{- if $v.tls.secretName -}}
{{- $_ := set $base "STREAMING_TLS_CERT_FILE" (printf "%s/tls.crt" $v.tls.mountPath) -}}
{{- $_ := set $base "STREAMING_TLS_KEY_FILE" (printf "%s/tls.key" $v.tls.mountPath) -}}
{{- end -}}
{{- if $v.tls.terminatedUpstream -}}
{{- $_ := set $base "STREAMING_TLS_TERMINATED_UPSTREAM" "true" -}}
{{- end -}}
{{- range $name, $f := (include "streaming.secretFiles" (dict "root" .root "migrations" .migrations) | fromYaml) -}}
{{- $_ := set $base $f.env (printf "%s/%s" $v.secrets.mountPath $f.key) -}}
{{- end -}}
{{- if ne .component "migrations" -}}
{{- if $v.migrations.enabled -}}
{{- $_ := set $base "STREAMING_MIGRATE" "false" -}}
{{- end -}}
{{- if and (eq .component "api") $v.relay.enabled -}}
{{- $_ := set $base "STREAMING_PROJECTIONS" "false" -}}
{{- end -}}
{{- end -}}
{{- $all := merge (dict) (deepCopy (default (dict) .env)) (deepCopy (default (dict) $v.env)) $base -}}
{{- $list := list -}}
{{- range $k, $val := $all -}}
{{- $list = append $list (dict "name" $k "value" ($val | toString)) -}}
{{- end -}}
{{- toYaml $list -}}
{{- end -}}

{{/* Volumes of a pod: the Secret's files, the TLS files, a writable /tmp. Same call as streaming.env. */}}
{{- define "streaming.volumes" -}}
- name: secrets
  secret:
    secretName: {{ include "streaming.secretName" .root }}
    defaultMode: 0440
    items:
{{- range $name, $f := (include "streaming.secretFiles" (dict "root" .root "migrations" .migrations) | fromYaml) }}
      - key: {{ $f.key }}
        path: {{ $f.key }}
{{- end }}
{{- range .root.Values.secrets.extraFiles }}
      - key: {{ . }}
        path: {{ . }}
{{- end }}
{{- if .root.Values.tls.secretName }}
- name: tls
  secret:
    secretName: {{ .root.Values.tls.secretName }}
    defaultMode: 0440
{{- end }}
- name: tmp
  emptyDir:
    sizeLimit: 64Mi
{{- end -}}

{{- define "streaming.volumeMounts" -}}
- name: secrets
  mountPath: {{ .root.Values.secrets.mountPath }}
  readOnly: true
{{- if .root.Values.tls.secretName }}
- name: tls
  mountPath: {{ .root.Values.tls.mountPath }}
  readOnly: true
{{- end }}
- name: tmp
  mountPath: /tmp
{{- end -}}

{{/* Startup, liveness and readiness probes of a serving container. */}}
{{- define "streaming.probes" -}}
{{- $v := .Values -}}
{{- if and $v.tls.secretName (eq $v.probes.kind "grpc") -}}
{{- fail "probes.kind=grpc cannot check a TLS listener (Kubernetes' gRPC probe speaks plaintext): set probes.kind=http with tls.secretName" -}}
{{- end -}}
{{- range $probe := list "startup" "liveness" "readiness" }}
{{ $probe }}Probe:
{{- if eq $v.probes.kind "grpc" }}
  grpc:
    port: {{ $v.ports.grpc }}
    service: ""
{{- else if eq $v.probes.kind "http" }}
  httpGet:
    path: {{ if eq $probe "readiness" }}/readyz{{ else }}/healthz{{ end }}
    port: ops
{{- else }}
{{- fail "probes.kind: want grpc or http" }}
{{- end }}
{{- toYaml (get $v.probes $probe) | nindent 2 }}
{{- end }}
{{- end -}}

{{/* Probes on the operators' listener (/healthz, /readyz), for pods without an API listener (the relay). */}}
{{- define "streaming.httpProbes" -}}
{{- $v := .Values -}}
{{- range $probe := list "startup" "liveness" "readiness" }}
{{ $probe }}Probe:
  httpGet:
    path: {{ if eq $probe "readiness" }}/readyz{{ else }}/healthz{{ end }}
    port: ops
{{- toYaml (get $v.probes $probe) | nindent 2 }}
{{- end }}
{{- end -}}
