{{/*
Names, labels and small shared fragments of the avs-operator chart.
*/}}

{{/* Chart name, overridable with nameOverride. */}}
{{- define "avs-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Fully qualified name: the release name, prefixed to the chart name unless it already
contains it. Truncated to 63 characters (DNS label limit).
*/}}
{{- define "avs-operator.fullname" -}}
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
{{- define "avs-operator.namespace" -}}
{{- default .Release.Namespace .Values.namespaceOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Selector labels of the node: stable for the life of the release (never the chart version).
The component keeps the self-test pod out of the Service and the disruption budget.
*/}}
{{- define "avs-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "avs-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end -}}

{{/* Labels of every object except the component (see avs-operator.labels). */}}
{{- define "avs-operator.baseLabels" -}}
app.kubernetes.io/name: {{ include "avs-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: edge-avs
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Common labels of the node's objects. */}}
{{- define "avs-operator.labels" -}}
{{ include "avs-operator.baseLabels" . }}
app.kubernetes.io/component: operator
{{- end -}}

{{/* commonAnnotations, for metadata.annotations of every object. */}}
{{- define "avs-operator.annotations" -}}
{{- with .Values.commonAnnotations }}
{{- toYaml . }}
{{- end }}
{{- end -}}

{{/* ServiceAccount the pods run as. */}}
{{- define "avs-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "avs-operator.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/*
Container image reference. A digest wins over a tag. With gpu.enabled the CUDA variant
of the image is used: the tag gets gpu.imageTagSuffix (the image built with VARIANT=cuda).
*/}}
{{- define "avs-operator.image" -}}
{{- $repo := .Values.image.repository -}}
{{- if .Values.image.registry -}}
{{- $repo = printf "%s/%s" .Values.image.registry .Values.image.repository -}}
{{- end -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" $repo .Values.image.digest -}}
{{- else -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag -}}
{{- if .Values.gpu.enabled -}}
{{- $tag = printf "%s%s" $tag .Values.gpu.imageTagSuffix -}}
{{- end -}}
{{- printf "%s:%s" $repo $tag -}}
{{- end -}}
{{- end -}}

{{/* Name of the ConfigMap holding operator.yaml. */}}
{{- define "avs-operator.configMapName" -}}
{{- printf "%s-config" (include "avs-operator.fullname" .) -}}
{{- end -}}

{{/* Name of the ConfigMap holding the deployment JSON (contract addresses). */}}
{{- define "avs-operator.deploymentConfigMapName" -}}
{{- if .Values.deployment.existingConfigMap -}}
{{- .Values.deployment.existingConfigMap -}}
{{- else -}}
{{- printf "%s-deployment" (include "avs-operator.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/* Headless Service that governs the StatefulSet and exposes the metrics port. */}}
{{- define "avs-operator.headlessServiceName" -}}
{{- printf "%s-headless" (include "avs-operator.fullname" .) -}}
{{- end -}}

{{/*
ONNX Runtime execution providers written to operator.yaml. Empty list = automatic:
CUDA then CPU when a GPU is requested, CPU only otherwise.
*/}}
{{- define "avs-operator.executionProviders" -}}
{{- if .Values.config.executionProviders -}}
{{- toJson .Values.config.executionProviders -}}
{{- else if .Values.gpu.enabled -}}
{{- toJson (list "CUDAExecutionProvider" "CPUExecutionProvider") -}}
{{- else -}}
{{- toJson (list "CPUExecutionProvider") -}}
{{- end -}}
{{- end -}}

{{/*
Arguments of the container (the image's ENTRYPOINT is `avs`): global flags first, then the
sub-command. Logs are JSON so that log collectors can parse them.
*/}}
{{- define "avs-operator.args" -}}
- --log-level
- {{ .Values.config.logLevel | quote }}
- --log-json
- operator
- run
- --config
- /config/operator.yaml
{{- end -}}

{{/* Environment shared by the node container and the self-test pod. */}}
{{- define "avs-operator.env" -}}
- name: HOME
  value: /tmp
{{- if .Values.config.rpcUrlSecret.name }}
# The RPC URL may carry an API key, so it comes from a Secret; AVS_RPC_URL overrides
# rpc_url of operator.yaml (avs.config environment overrides).
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

{{/*
Pod-level settings shared by the node and the self-test pod: scheduling, identity and the
pod security context.
*/}}
{{- define "avs-operator.podSpecCommon" -}}
serviceAccountName: {{ include "avs-operator.serviceAccountName" . }}
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
{{- with .Values.runtimeClassName }}
runtimeClassName: {{ . | quote }}
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
Container resources. With gpu.enabled (and "gpu" true in the argument) the GPU is added to
the limits; extended resources need no request (it defaults to the limit).
Argument: dict "root" $ "gpu" bool.
*/}}
{{- define "avs-operator.resources" -}}
{{- $root := .root -}}
{{- $res := deepCopy ($root.Values.resources | default dict) -}}
{{- if and .gpu $root.Values.gpu.enabled -}}
{{- $limits := get $res "limits" | default dict -}}
{{- $_ := set $limits $root.Values.gpu.resourceName (int $root.Values.gpu.count) -}}
{{- $_ := set $res "limits" $limits -}}
{{- end -}}
{{- if $res -}}
{{- toYaml $res -}}
{{- else -}}
{}
{{- end -}}
{{- end -}}

{{/*
An HTTP probe on the node API. Kubernetes counts 200-399 as success.
  /eigen/node/health (readiness): 200 healthy and 206 partially healthy pass, 503 fails; it
    reflects the chain and aggregator connections, so it must not restart the node.
  /eigen/node (startup, liveness): 200 whenever the node API answers, whatever the
    dependencies do, so an RPC or aggregator outage never restarts every operator at once.
Argument: dict "probe" (the probe's values) "path".
*/}}
{{- define "avs-operator.httpProbe" -}}
httpGet:
  path: {{ .path }}
  port: node-api
  scheme: HTTP
initialDelaySeconds: {{ .probe.initialDelaySeconds }}
periodSeconds: {{ .probe.periodSeconds }}
timeoutSeconds: {{ .probe.timeoutSeconds }}
failureThreshold: {{ .probe.failureThreshold }}
successThreshold: {{ .probe.successThreshold }}
{{- end -}}

{{/* Volumes with operator.yaml and the deployment JSON, shared by the node and self-test pod. */}}
{{- define "avs-operator.configVolumes" -}}
- name: config
  configMap:
    name: {{ include "avs-operator.configMapName" . }}
- name: deployment
  configMap:
    name: {{ include "avs-operator.deploymentConfigMapName" . }}
    items:
      - key: {{ .Values.deployment.key | quote }}
        path: deployment.json
- name: tmp
  emptyDir:
    sizeLimit: 1Gi
{{- end -}}

{{/* Labels that identify this operator on its alerts. */}}
{{- define "avs-operator.alertLabels" -}}
release: {{ .Release.Name | quote }}
{{- with .Values.operator.address }}
operator_address: {{ . | quote }}
{{- end }}
{{- with .Values.operator.id }}
operator_id: {{ . | quote }}
{{- end }}
{{- end -}}
