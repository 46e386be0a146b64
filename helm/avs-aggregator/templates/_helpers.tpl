{{/*
Names, labels and small shared fragments of the avs-aggregator chart.
*/}}

{{/* Chart name, overridable with nameOverride. */}}
{{- define "avs-aggregator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Fully qualified name: the release name, prefixed to the chart name unless it already
contains it. Truncated to 63 characters (DNS label limit).
*/}}
{{- define "avs-aggregator.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Namespace of every object, overridable for umbrella charts. */}}
{{- define "avs-aggregator.namespace" -}}
{{- default .Release.Namespace .Values.namespaceOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Selector labels of the aggregator: stable for the life of the release (never the chart
version). The component keeps the test pod out of the Services and the disruption budget.
*/}}
{{- define "avs-aggregator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "avs-aggregator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: aggregator
{{- end -}}

{{/* Labels of every object except the component (see avs-aggregator.labels). */}}
{{- define "avs-aggregator.baseLabels" -}}
app.kubernetes.io/name: {{ include "avs-aggregator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: edge-avs
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Common labels of the aggregator's objects. */}}
{{- define "avs-aggregator.labels" -}}
{{ include "avs-aggregator.baseLabels" . }}
app.kubernetes.io/component: aggregator
{{- end -}}

{{/* commonAnnotations, for metadata.annotations of every object. */}}
{{- define "avs-aggregator.annotations" -}}
{{- with .Values.commonAnnotations }}
{{- toYaml . }}
{{- end }}
{{- end -}}

{{/* ServiceAccount the pods run as. */}}
{{- define "avs-aggregator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "avs-aggregator.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Container image reference; a digest wins over a tag. */}}
{{- define "avs-aggregator.image" -}}
{{- $repo := .Values.image.repository -}}
{{- if .Values.image.registry -}}
{{- $repo = printf "%s/%s" .Values.image.registry .Values.image.repository -}}
{{- end -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" $repo .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repo (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/* Name of the ConfigMap holding aggregator.yaml. */}}
{{- define "avs-aggregator.configMapName" -}}
{{- printf "%s-config" (include "avs-aggregator.fullname" .) -}}
{{- end -}}

{{/* Name of the ConfigMap holding the deployment JSON (contract addresses). */}}
{{- define "avs-aggregator.deploymentConfigMapName" -}}
{{- if .Values.deployment.existingConfigMap -}}
{{- .Values.deployment.existingConfigMap -}}
{{- else -}}
{{- printf "%s-deployment" (include "avs-aggregator.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/* Headless Service that governs the StatefulSet and exposes the metrics port in-cluster. */}}
{{- define "avs-aggregator.headlessServiceName" -}}
{{- printf "%s-headless" (include "avs-aggregator.fullname" .) -}}
{{- end -}}

{{/* Environment of the aggregator container. */}}
{{- define "avs-aggregator.env" -}}
- name: HOME
  value: /tmp
{{- if .Values.config.rpcUrlSecret.name }}
# The RPC URL may carry an API key, so it comes from a Secret; AVS_RPC_URL overrides
# rpc_url of aggregator.yaml (avs.config environment overrides).
- name: AVS_RPC_URL
  valueFrom:
    secretKeyRef:
      name: {{ .Values.config.rpcUrlSecret.name | quote }}
      key: {{ .Values.config.rpcUrlSecret.key | quote }}
{{- end }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Pod-level settings: identity, scheduling and the pod security context. */}}
{{- define "avs-aggregator.podSpecCommon" -}}
serviceAccountName: {{ include "avs-aggregator.serviceAccountName" . }}
automountServiceAccountToken: {{ .Values.serviceAccount.automountServiceAccountToken }}
enableServiceLinks: false
{{- with .Values.image.pullSecrets }}
imagePullSecrets:
  {{- range . }}
  - name: {{ . | quote }}
  {{- end }}
{{- end }}
{{- with .Values.priorityClassName }}
priorityClassName: {{ . | quote }}
{{- end }}
{{- with .Values.podSecurityContext }}
securityContext:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.topologySpreadConstraints }}
topologySpreadConstraints:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/*
A native gRPC probe (grpc.health.v1, overall server health). Argument: dict "root" $ and
"probe" (the probe's values).
*/}}
{{- define "avs-aggregator.grpcProbe" -}}
{{- if .root.Values.tls.existingSecret }}
{{- /* The kubelet's gRPC probe speaks no TLS: with TLS on, a TCP check of the port. */}}
tcpSocket:
  port: {{ .root.Values.config.grpcPort }}
{{- else }}
grpc:
  port: {{ .root.Values.config.grpcPort }}
{{- end }}
initialDelaySeconds: {{ .probe.initialDelaySeconds }}
periodSeconds: {{ .probe.periodSeconds }}
timeoutSeconds: {{ .probe.timeoutSeconds }}
failureThreshold: {{ .probe.failureThreshold }}
successThreshold: {{ .probe.successThreshold }}
{{- end -}}
