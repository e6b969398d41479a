package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	yaml "gopkg.in/yaml.v3"
)

// chartMetadata is Chart.yaml, exposed to templates as .Chart with Helm's field names (.Chart.Name, .Chart.AppVersion).
type chartMetadata struct {
	APIVersion   string                   `yaml:"apiVersion"`
	Name         string                   `yaml:"name"`
	Version      string                   `yaml:"version"`
	AppVersion   string                   `yaml:"appVersion"`
	KubeVersion  string                   `yaml:"kubeVersion"`
	Description  string                   `yaml:"description"`
	Type         string                   `yaml:"type"`
	Home         string                   `yaml:"home"`
	Icon         string                   `yaml:"icon"`
	Keywords     []string                 `yaml:"keywords"`
	Sources      []string                 `yaml:"sources"`
	Maintainers  []map[string]interface{} `yaml:"maintainers"`
	Annotations  map[string]string        `yaml:"annotations"`
	Dependencies []interface{}            `yaml:"dependencies"`
	Deprecated   bool                     `yaml:"deprecated"`
}

// kubeVersion and apiVersions are .Capabilities' parts.
type kubeVersion struct {
	Version    string
	Major      string
	Minor      string
	GitVersion string
}

func (k kubeVersion) String() string { return k.Version }

type apiVersions []string

// Has reports whether an API version ("apps/v1") or a version with a kind ("apps/v1/Deployment") is available.
func (a apiVersions) Has(v string) bool {
	for _, x := range a {
		if x == v {
			return true
		}
	}
	return false
}

type capabilities struct {
	KubeVersion kubeVersion
	APIVersions apiVersions
	HelmVersion map[string]string
}

// files is .Files: the chart's files outside templates/ (Chart.yaml, values.yaml and the schema excluded).
type files map[string][]byte

func (f files) Get(name string) string      { return string(f[name]) }
func (f files) GetBytes(name string) []byte { return f[name] }
func (f files) Lines(name string) []string {
	if f[name] == nil {
		return []string{}
	}
	return strings.Split(strings.TrimSuffix(string(f[name]), "\n"), "\n")
}

// defaultAPIVersions is what a current cluster serves, for .Capabilities.APIVersions.Has (the chart's CRD-backed
// kinds, like monitoring.coreos.com/v1, are only present when passed with --api-versions, as with helm template).
var defaultAPIVersions = []string{
	"v1", "apps/v1", "batch/v1", "autoscaling/v1", "autoscaling/v2", "policy/v1", "networking.k8s.io/v1",
	"rbac.authorization.k8s.io/v1", "storage.k8s.io/v1", "apiextensions.k8s.io/v1", "coordination.k8s.io/v1",
}

// installOrder is Helm's kind order for installing (and for helm template's output).
var installOrder = []string{
	"PriorityClass", "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodSecurityPolicy",
	"PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList", "ConfigMap", "StorageClass",
	"PersistentVolume", "PersistentVolumeClaim", "CustomResourceDefinition", "ClusterRole", "ClusterRoleList",
	"ClusterRoleBinding", "ClusterRoleBindingList", "Role", "RoleList", "RoleBinding", "RoleBindingList", "Service",
	"DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment", "HorizontalPodAutoscaler",
	"StatefulSet", "Job", "CronJob", "IngressClass", "Ingress", "APIService",
}

type manifest struct {
	source string
	body   string
	kind   string
	name   string
	hook   bool
	weight int
}

func kindRank(kind string) int {
	for i, k := range installOrder {
		if k == kind {
			return i
		}
	}
	return len(installOrder)
}

var manifestSeparator = regexp.MustCompile(`(?:^|\s*\n)---\s*`)

func renderChart(o *options) (string, error) {
	dir := o.chartDir
	meta, err := loadChartYAML(filepath.Join(dir, "Chart.yaml"))
	if err != nil {
		return "", err
	}

	values, err := readValuesFile(filepath.Join(dir, "values.yaml"))
	if err != nil {
		return "", err
	}
	user := map[string]interface{}{}
	for _, f := range o.valueFiles {
		extra, err := readValuesFile(f)
		if err != nil {
			return "", err
		}
		user = coalesce(user, extra)
	}
	for _, s := range o.sets {
		if err := applySet(user, s, false); err != nil {
			return "", err
		}
	}
	for _, s := range o.setStrings {
		if err := applySet(user, s, true); err != nil {
			return "", err
		}
	}
	values = coalesce(values, user)

	schemaPath := filepath.Join(dir, "values.schema.json")
	if _, err := os.Stat(schemaPath); err == nil {
		schema, err := loadSchema(schemaPath)
		if err != nil {
			return "", err
		}
		problems, err := validateValues(schema, values)
		if err != nil {
			return "", err
		}
		if len(problems) > 0 {
			return "", fmt.Errorf("values don't meet the specifications of the schema(s) in the following chart(s):\n%s:\n%s",
				meta.Name, strings.Join(problems, "\n"))
		}
	}

	kv, err := parseKubeVersion(o.kubeVersion)
	if err != nil {
		return "", err
	}
	if meta.KubeVersion != "" {
		ok, err := semverCompare(meta.KubeVersion, kv.Version)
		if err != nil {
			return "", fmt.Errorf("Chart.yaml kubeVersion %q: %v", meta.KubeVersion, err)
		}
		if !ok {
			return "", fmt.Errorf("chart requires kubeVersion: %s which is incompatible with Kubernetes %s", meta.KubeVersion, kv.Version)
		}
	}

	templates, chartFiles, err := loadChartFiles(dir, meta.Name)
	if err != nil {
		return "", err
	}
	caps := &capabilities{
		KubeVersion: kv,
		APIVersions: append(apiVersions(append([]string{}, defaultAPIVersions...)), o.apiVersions...),
		HelmVersion: map[string]string{"Version": "v3.16.0", "GoVersion": "go1.19"},
	}
	release := map[string]interface{}{
		"Name": o.releaseName, "Namespace": o.namespace, "Service": "Helm",
		"IsInstall": !o.isUpgrade, "IsUpgrade": o.isUpgrade, "Revision": o.revision,
	}

	rendered, err := execute(templates, func(name string) map[string]interface{} {
		return map[string]interface{}{
			"Values": values, "Release": release, "Chart": meta, "Capabilities": caps, "Files": chartFiles,
			"Template": map[string]interface{}{"Name": name, "BasePath": meta.Name + "/templates"},
		}
	})
	if err != nil {
		return "", err
	}

	var manifests, hooks []manifest
	var notes string
	names := make([]string, 0, len(rendered))
	for n := range rendered {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		if strings.HasSuffix(name, "/NOTES.txt") {
			notes = rendered[name]
			continue
		}
		for _, doc := range manifestSeparator.Split(rendered[name], -1) {
			doc = strings.TrimSpace(doc)
			if doc == "" || isOnlyComments(doc) {
				continue
			}
			m, err := parseManifest(name, doc)
			if err != nil {
				return "", err
			}
			if m.hook {
				hooks = append(hooks, m)
			} else {
				manifests = append(manifests, m)
			}
		}
	}
	sort.SliceStable(manifests, func(i, j int) bool { return kindRank(manifests[i].kind) < kindRank(manifests[j].kind) })
	sort.SliceStable(hooks, func(i, j int) bool {
		if hooks[i].weight != hooks[j].weight {
			return hooks[i].weight < hooks[j].weight
		}
		if kindRank(hooks[i].kind) != kindRank(hooks[j].kind) {
			return kindRank(hooks[i].kind) < kindRank(hooks[j].kind)
		}
		return hooks[i].name < hooks[j].name
	})

	var out strings.Builder
	for _, m := range append(manifests, hooks...) {
		fmt.Fprintf(&out, "---\n# Source: %s\n%s\n", m.source, m.body)
	}
	if o.showNotes && strings.TrimSpace(notes) != "" {
		fmt.Fprintf(&out, "\nNOTES:\n%s\n", strings.TrimSpace(notes))
	}
	return out.String(), nil
}

func loadChartYAML(p string) (*chartMetadata, error) {
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("not a chart: %v", err)
	}
	var meta chartMetadata
	if err := yaml.Unmarshal(data, &meta); err != nil {
		return nil, fmt.Errorf("Chart.yaml: %v", err)
	}
	if meta.APIVersion != "v2" {
		return nil, fmt.Errorf("Chart.yaml: apiVersion must be v2, got %q", meta.APIVersion)
	}
	if meta.Name == "" || meta.Version == "" {
		return nil, fmt.Errorf("Chart.yaml: name and version are required")
	}
	if !strictSemver.MatchString(meta.Version) {
		return nil, fmt.Errorf("Chart.yaml: version %q is not SemVer 2", meta.Version)
	}
	if len(meta.Dependencies) > 0 {
		return nil, fmt.Errorf("Chart.yaml: dependencies (subcharts) are not supported by helm-render")
	}
	return &meta, nil
}

var (
	strictSemver = regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`)
	kubeSemver   = regexp.MustCompile(`^v?(\d+)\.(\d+)(?:\.(\d+))?$`)
)

// semverCompare is sprig's (Masterminds/semver constraints), reached through its function map.
func semverCompare(constraint, version string) (bool, error) {
	return sprig.TxtFuncMap()["semverCompare"].(func(string, string) (bool, error))(constraint, version)
}

func parseKubeVersion(v string) (kubeVersion, error) {
	m := kubeSemver.FindStringSubmatch(v)
	if m == nil {
		return kubeVersion{}, fmt.Errorf("--kube-version %q: expected vMAJOR.MINOR[.PATCH]", v)
	}
	patch := m[3]
	if patch == "" {
		patch = "0"
	}
	s := fmt.Sprintf("v%s.%s.%s", m[1], m[2], patch)
	return kubeVersion{Version: s, GitVersion: s, Major: m[1], Minor: m[2]}, nil
}

// loadChartFiles returns the templates (keyed "chart/templates/rel/path") and .Files (every other file).
func loadChartFiles(dir, chartName string) (map[string]string, files, error) {
	templates := map[string]string{}
	other := files{}
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if info.IsDir() {
			if rel == "charts" {
				return fmt.Errorf("charts/ (subcharts) is not supported by helm-render")
			}
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		switch {
		case strings.HasPrefix(rel, "templates/"):
			templates[chartName+"/"+rel] = string(data)
		case rel == "Chart.yaml" || rel == "values.yaml" || rel == "values.schema.json" || rel == ".helmignore":
		default:
			other[rel] = data
		}
		return nil
	})
	return templates, other, err
}

// execute parses every template into one set (so defines are shared) and renders each non-partial one.
func execute(sources map[string]string, data func(name string) map[string]interface{}) (map[string]string, error) {
	root := template.New("gotpl").Option("missingkey=zero")
	includeDepth := map[string]int{}
	funcs := funcMap()
	funcs["include"] = func(name string, d interface{}) (string, error) {
		if includeDepth[name] > 1000 {
			return "", fmt.Errorf("rendering template has a nested reference name: %s: unable to execute template", name)
		}
		includeDepth[name]++
		defer func() { includeDepth[name]-- }()
		var buf bytes.Buffer
		if err := root.ExecuteTemplate(&buf, name, d); err != nil {
			return "", err
		}
		return buf.String(), nil
	}
	funcs["tpl"] = func(text string, d interface{}) (string, error) {
		t, err := root.Clone()
		if err != nil {
			return "", err
		}
		t, err = t.New("tpl").Parse(text)
		if err != nil {
			return "", fmt.Errorf("cannot parse template %q: %v", text, err)
		}
		var buf bytes.Buffer
		if err := t.Execute(&buf, d); err != nil {
			return "", fmt.Errorf("error calling tpl: %v", err)
		}
		return strings.ReplaceAll(buf.String(), "<no value>", ""), nil
	}
	root.Funcs(funcs)

	names := make([]string, 0, len(sources))
	for n := range sources {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if _, err := root.New(n).Parse(sources[n]); err != nil {
			return nil, fmt.Errorf("parse error in %v", err)
		}
	}

	out := map[string]string{}
	for _, n := range names {
		if strings.HasPrefix(path.Base(n), "_") {
			continue
		}
		var buf bytes.Buffer
		if err := root.ExecuteTemplate(&buf, n, data(n)); err != nil {
			return nil, cleanExecError(err)
		}
		out[n] = strings.ReplaceAll(buf.String(), "<no value>", "")
	}
	return out, nil
}

var execErrorPattern = regexp.MustCompile(`^template: (\S+?): executing "[^"]*" at <[^>]*>: error calling (?:required|fail): (?s)(.*)$`)

// cleanExecError shortens a `required`/`fail` failure the way Helm does: "execution error at (file:line:col): message".
func cleanExecError(err error) error {
	msg := err.Error()
	for {
		m := execErrorPattern.FindStringSubmatch(msg)
		if m == nil {
			break
		}
		inner := m[2]
		if execErrorPattern.MatchString(inner) {
			msg = inner
			continue
		}
		return fmt.Errorf("execution error at (%s): %s", m[1], inner)
	}
	// A required inside an include is wrapped: "error calling include: template: ...".
	if idx := strings.LastIndex(msg, "error calling include: "); idx >= 0 {
		inner := fmt.Errorf("%s", msg[idx+len("error calling include: "):])
		if cleaned := cleanExecError(inner); cleaned.Error() != inner.Error() {
			return cleaned
		}
	}
	return err
}

func isOnlyComments(doc string) bool {
	for _, line := range strings.Split(doc, "\n") {
		l := strings.TrimSpace(line)
		if l != "" && !strings.HasPrefix(l, "#") {
			return false
		}
	}
	return true
}

func parseManifest(source, doc string) (manifest, error) {
	var head struct {
		APIVersion string `yaml:"apiVersion"`
		Kind       string `yaml:"kind"`
		Metadata   struct {
			Name        string            `yaml:"name"`
			Annotations map[string]string `yaml:"annotations"`
		} `yaml:"metadata"`
	}
	var anyDoc interface{}
	if err := yaml.Unmarshal([]byte(doc), &anyDoc); err != nil {
		return manifest{}, fmt.Errorf("YAML parse error on %s: %v\n--- document ---\n%s", source, err, doc)
	}
	if _, ok := anyDoc.(map[string]interface{}); !ok {
		return manifest{}, fmt.Errorf("YAML parse error on %s: a manifest must be a mapping\n--- document ---\n%s", source, doc)
	}
	if err := yaml.Unmarshal([]byte(doc), &head); err != nil {
		return manifest{}, fmt.Errorf("YAML parse error on %s: %v\n--- document ---\n%s", source, err, doc)
	}
	if head.APIVersion == "" || head.Kind == "" || head.Metadata.Name == "" {
		return manifest{}, fmt.Errorf("%s: a manifest needs apiVersion, kind and metadata.name\n--- document ---\n%s", source, doc)
	}
	m := manifest{source: source, body: doc, kind: head.Kind, name: head.Metadata.Name}
	if _, ok := head.Metadata.Annotations["helm.sh/hook"]; ok {
		m.hook = true
		if w := head.Metadata.Annotations["helm.sh/hook-weight"]; w != "" {
			n, err := strconv.Atoi(w)
			if err != nil {
				return manifest{}, fmt.Errorf("%s: helm.sh/hook-weight %q is not an integer", source, w)
			}
			m.weight = n
		}
	}
	return m, nil
}

// funcMap is sprig's text functions (without env and expandenv, as in Helm) plus Helm's own.
func funcMap() template.FuncMap {
	f := sprig.TxtFuncMap()
	delete(f, "env")
	delete(f, "expandenv")
	f["toYaml"] = toYAML
	f["mustToYaml"] = func(v interface{}) (string, error) { return marshalYAML(v) }
	f["fromYaml"] = fromYAML
	f["fromYamlArray"] = fromYAMLArray
	f["toJson"] = toJSON
	f["fromJson"] = fromJSON
	f["fromJsonArray"] = fromJSONArray
	f["required"] = func(warn string, val interface{}) (interface{}, error) {
		if val == nil {
			return val, fmt.Errorf("%s", warn)
		}
		if s, ok := val.(string); ok && s == "" {
			return val, fmt.Errorf("%s", warn)
		}
		return val, nil
	}
	f["lookup"] = func(apiVersion, kind, namespace, name string) (map[string]interface{}, error) {
		return map[string]interface{}{}, nil // helm template: no cluster, lookup finds nothing
	}
	// Placeholders replaced in execute (they need the template set).
	f["include"] = func(string, interface{}) (string, error) { return "", nil }
	f["tpl"] = func(string, interface{}) (string, error) { return "", nil }
	return f
}

func marshalYAML(v interface{}) (string, error) {
	norm, err := toJSONValue(v)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(norm); err != nil {
		return "", err
	}
	if err := enc.Close(); err != nil {
		return "", err
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}

// toYAML is Helm's toYaml: through JSON (so struct tags and number forms match), without the final newline; "" on error.
func toYAML(v interface{}) string {
	s, err := marshalYAML(v)
	if err != nil {
		return ""
	}
	return s
}

func fromYAML(s string) map[string]interface{} {
	var raw interface{}
	if err := yaml.Unmarshal([]byte(s), &raw); err != nil {
		return map[string]interface{}{"Error": err.Error()}
	}
	norm, err := normalize(raw, true)
	if err != nil {
		return map[string]interface{}{"Error": err.Error()}
	}
	m, ok := norm.(map[string]interface{})
	if !ok {
		if norm == nil {
			return map[string]interface{}{}
		}
		return map[string]interface{}{"Error": "not a mapping"}
	}
	return m
}

func fromYAMLArray(s string) []interface{} {
	var raw interface{}
	if err := yaml.Unmarshal([]byte(s), &raw); err != nil {
		return []interface{}{err.Error()}
	}
	norm, _ := normalize(raw, true)
	list, ok := norm.([]interface{})
	if !ok {
		return []interface{}{"not a sequence"}
	}
	return list
}

func toJSON(v interface{}) string {
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

func fromJSON(s string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func fromJSONArray(s string) []interface{} {
	var a []interface{}
	if err := json.Unmarshal([]byte(s), &a); err != nil {
		return []interface{}{err.Error()}
	}
	return a
}
