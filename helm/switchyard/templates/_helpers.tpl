{{/* The chart name, overridable with nameOverride. */}}
{{- define "switchyard.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The fully qualified app name: fullnameOverride, else the release name (when it already contains the chart name),
else "<release>-<chart>". Truncated to 63 characters (DNS label limit).
*/}}
{{- define "switchyard.fullname" -}}
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

{{/* "name-version" for the helm.sh/chart label. */}}
{{- define "switchyard.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's identity labels, shared by the front doors, the silos and the migration Job. */}}
{{- define "switchyard.instanceLabels" -}}
app.kubernetes.io/name: {{ include "switchyard.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Labels that select the front-door pods (Deployment selector, Service, PDB); never change them on upgrade. */}}
{{- define "switchyard.selectorLabels" -}}
{{ include "switchyard.instanceLabels" . }}
app.kubernetes.io/component: gateway
{{- end }}

{{/* Chart, version and manager labels. */}}
{{- define "switchyard.metaLabels" -}}
helm.sh/chart: {{ include "switchyard.chart" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Labels on the gateway's resources. */}}
{{- define "switchyard.labels" -}}
{{ include "switchyard.metaLabels" . }}
{{ include "switchyard.selectorLabels" . }}
{{- end }}

{{/* Labels on the migration Job, its pod and its Secret (matched by neither the front doors' nor the silos' selectors). */}}
{{- define "switchyard.migrationLabels" -}}
{{ include "switchyard.metaLabels" . }}
{{ include "switchyard.instanceLabels" . }}
app.kubernetes.io/component: migrations
{{- end }}

{{/* The image reference: repository:tag, or repository@digest when a digest is given. */}}
{{- define "switchyard.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}
{{- end }}

{{/* The Secret holding the database URL, master key and admin token: an existing one, or the chart's. */}}
{{- define "switchyard.secretName" -}}
{{- if .Values.secret.existingSecret }}
{{- .Values.secret.existingSecret }}
{{- else }}
{{- include "switchyard.fullname" . }}
{{- end }}
{{- end }}

{{/*
The Secret the migration Job reads its database URL from. The chart's own gateway Secret is an ordinary resource and
does not exist yet when a pre-install hook runs, so without an existing secret the chart writes a short-lived hook
Secret for the Job.
*/}}
{{- define "switchyard.migrationSecretName" -}}
{{- if .Values.migrations.existingSecret }}
{{- .Values.migrations.existingSecret }}
{{- else if and .Values.secret.existingSecret (not .Values.migrations.databaseUrl) }}
{{- .Values.secret.existingSecret }}
{{- else }}
{{- printf "%s-migrate" (include "switchyard.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{/* The key in the migration Secret holding the database URL. */}}
{{- define "switchyard.migrationSecretKey" -}}
{{- if and .Values.migrations.existingSecret .Values.migrations.existingSecretKey }}
{{- .Values.migrations.existingSecretKey }}
{{- else }}
{{- .Values.secret.keys.databaseUrl }}
{{- end }}
{{- end }}

{{/* Whether the chart writes the migration hook Secret itself. */}}
{{- define "switchyard.createMigrationSecret" -}}
{{- if and .Values.migrations.enabled (not .Values.migrations.existingSecret) (or (not .Values.secret.existingSecret) .Values.migrations.databaseUrl) }}true{{- end }}
{{- end }}

{{/* The database URL the chart writes into its Secret; fails with a clear message when it is missing. */}}
{{- define "switchyard.databaseUrl" -}}
{{- required "secret.databaseUrl is required: the cluster mode needs PostgreSQL (SWITCHYARD_DATABASE_URL), e.g. --set secret.databaseUrl='postgres://switchyard:PASSWORD@db:5432/switchyard?sslmode=require', or name a Secret holding it with secret.existingSecret" .Values.secret.databaseUrl }}
{{- end }}

{{/* The master key the chart writes into its Secret; fails with a clear message when it is missing. */}}
{{- define "switchyard.masterKey" -}}
{{- required "secret.masterKey is required: every replica must share one master key for sealing provider secrets (SWITCHYARD_MASTER_KEY), e.g. --set secret.masterKey=\"$(openssl rand -base64 32)\", or name a Secret holding it with secret.existingSecret" .Values.secret.masterKey }}
{{- end }}

{{/* Seconds the app gets to finish in-flight requests after SIGTERM: the grace period less the preStop pause and a margin. */}}
{{- define "switchyard.shutdownTimeoutSeconds" -}}
{{- $left := sub (int .Values.terminationGracePeriodSeconds) (add (int .Values.preStopSleepSeconds) 5) }}
{{- if lt $left 1 }}
{{- fail (printf "terminationGracePeriodSeconds (%v) must exceed preStopSleepSeconds (%v) by more than 5 seconds, so the gateway has time to finish in-flight requests" .Values.terminationGracePeriodSeconds .Values.preStopSleepSeconds) }}
{{- end }}
{{- if and .Values.cluster.coHost (lt $left 30) }}
{{- fail (printf "with cluster.coHost the front doors' shutdown timeout (terminationGracePeriodSeconds %v - preStopSleepSeconds %v - 5 = %v s) also covers the co-hosted silo handing its grains over: make it at least 30 seconds" .Values.terminationGracePeriodSeconds .Values.preStopSleepSeconds $left) }}
{{- end }}
{{- $left }}
{{- end }}

{{/* The pod's settings file name: ASP.NET Core loads appsettings.<environment>.json from the content root. */}}
{{- define "switchyard.settingsFile" -}}
appsettings.{{ .Values.environment }}.json
{{- end }}

{{/* The bootstrap file's content: a mapping rendered as YAML, or a string kept verbatim (e.g. --set-file). */}}
{{- define "switchyard.bootstrapContent" -}}
{{- if kindIs "string" .Values.bootstrap }}
{{- .Values.bootstrap }}
{{- else if .Values.bootstrap }}
{{- toYaml .Values.bootstrap }}
{{- end }}
{{- end }}

{{/* The same, as the app's Switchyard:Gateway:DrainTimeout (hh:mm:ss). */}}
{{- define "switchyard.drainTimeout" -}}
{{- $s := include "switchyard.shutdownTimeoutSeconds" . | int }}
{{- printf "%02d:%02d:%02d" (div $s 3600) (mod (div $s 60) 60) (mod $s 60) }}
{{- end }}

{{/*
Silos (templates/silo-*.yaml, templates/rbac.yaml): the Orleans hosts of the virtual-key and provider-health grains.
With cluster.coHost the front doors are the silos and there is no silo Deployment.
*/}}
{{- define "switchyard.siloFullname" -}}
{{- printf "%s-silo" (include "switchyard.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels that select the silo pods (silo Deployment, its PDB); disjoint from the front doors' by the component. */}}
{{- define "switchyard.siloSelectorLabels" -}}
{{ include "switchyard.instanceLabels" . }}
app.kubernetes.io/component: silo
{{- end }}

{{/* Labels on the silos' resources. */}}
{{- define "switchyard.siloLabels" -}}
{{ include "switchyard.metaLabels" . }}
{{ include "switchyard.siloSelectorLabels" . }}
{{- end }}

{{/* Switchyard:Cluster:ClusterId: cluster.clusterId, else the release's full name (so two releases never merge). */}}
{{- define "switchyard.clusterId" -}}
{{- .Values.cluster.clusterId | default (include "switchyard.fullname" .) }}
{{- end }}

{{/*
The labels Orleans' Kubernetes hosting (Microsoft.Orleans.Hosting.Kubernetes) finds the cluster's silo pods by: it lists
and watches the pods labelled with its cluster and service ids in the namespace, and declares a silo dead when its pod
is deleted. Only pods that run a silo carry them: a front door that is only a client would show up as an unknown pod.
Pod-template labels only, never in a selector (a selector cannot change on upgrade; these may).
*/}}
{{- define "switchyard.orleansPodLabels" -}}
orleans/clusterId: {{ include "switchyard.clusterId" . | quote }}
orleans/serviceId: {{ .Values.cluster.serviceId | quote }}
{{- end }}

{{/*
The environment Orleans' Kubernetes hosting reads in a silo pod (downward API): POD_NAME (the silo's name, which must
equal the pod's), POD_NAMESPACE (where it lists pods; with KUBERNETES_SERVICE_HOST it is also what makes the app call
UseKubernetesHosting, src/Cluster/ClusterHosting.cs), POD_IP (the address the silo advertises), and the cluster and
service ids, read from the pod's own orleans/* labels so the labels and the ids can never disagree.
*/}}
{{- define "switchyard.orleansPodEnv" -}}
- name: POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: POD_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
- name: POD_IP
  valueFrom:
    fieldRef:
      fieldPath: status.podIP
- name: ORLEANS_CLUSTER_ID
  valueFrom:
    fieldRef:
      fieldPath: metadata.labels['orleans/clusterId']
- name: ORLEANS_SERVICE_ID
  valueFrom:
    fieldRef:
      fieldPath: metadata.labels['orleans/serviceId']
{{- end }}

{{/* The ports of a container that runs a silo: silo-to-silo traffic and the gateway the front doors (clients) connect to. */}}
{{- define "switchyard.siloPorts" -}}
- name: orleans-silo
  containerPort: {{ .Values.cluster.siloPort }}
  protocol: TCP
- name: orleans-gateway
  containerPort: {{ .Values.cluster.gatewayPort }}
  protocol: TCP
{{- end }}

{{/* The ServiceAccount of the pods that run a silo (the Role in templates/rbac.yaml is bound to it). */}}
{{- define "switchyard.siloServiceAccountName" -}}
{{- if .Values.cluster.serviceAccount.create }}
{{- .Values.cluster.serviceAccount.name | default (include "switchyard.siloFullname" .) }}
{{- else }}
{{- required "cluster.serviceAccount.name is required when cluster.serviceAccount.create is false: silos need a ServiceAccount that may get, list and watch the namespace's pods (Orleans' Kubernetes hosting; see templates/rbac.yaml)" .Values.cluster.serviceAccount.name }}
{{- end }}
{{- end }}
