// Command helm-render renders a Helm chart the way `helm template` does, for checking a chart where Helm itself is
// not installable. It loads Chart.yaml and values.yaml, merges extra values files (-f) and --set / --set-string
// overrides, validates the merged values against values.schema.json, renders every template with Go's text/template,
// sprig and Helm's own functions (include, tpl, required, toYaml, fromYaml, toJson, fromJson, lookup → empty), splits
// the output into YAML documents, checks each one parses and names an apiVersion, kind and metadata.name, and prints
// them as `helm template` does ("---\n# Source: chart/templates/file.yaml\n...": resources in Helm's install order,
// then hooks by weight).
//
// Usage: helm-render [flags] CHART_DIR
//
// Exit code 0 on success, 1 when the values or a template fail (the message on stderr), 2 on a usage error.
package main

import (
	"fmt"
	"io"
	"os"
	"strings"
)

type stringList []string

func (s *stringList) add(v string) { *s = append(*s, v) }

type options struct {
	chartDir    string
	valueFiles  stringList
	sets        stringList
	setStrings  stringList
	releaseName string
	namespace   string
	isUpgrade   bool
	revision    int
	kubeVersion string
	apiVersions stringList
	showNotes   bool
}

const usage = `usage: helm-render [flags] CHART_DIR
  -f, --values FILE        extra values file, merged over values.yaml (repeatable, later wins)
  --set KEY=VAL[,KEY=VAL]  override values; typed like Helm (true/false/null/integers; a={x,y}; list[0]=x)
  --set-string KEY=VAL     override values, always as strings
  --name NAME              release name (default "release-name", as helm template)
  -n, --namespace NS       release namespace (default "default")
  --is-upgrade             render as an upgrade (.Release.IsUpgrade true, .Release.IsInstall false)
  --kube-version V         .Capabilities.KubeVersion (default v1.30.0)
  -a, --api-versions V     extra .Capabilities.APIVersions entries (repeatable)
  --notes                  also print the rendered NOTES.txt
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	opts, err := parseArgs(args)
	if err != nil {
		fmt.Fprintf(stderr, "Error: %v\n%s", err, usage)
		return 2
	}
	out, err := renderChart(opts)
	if err != nil {
		fmt.Fprintf(stderr, "Error: %v\n", err)
		return 1
	}
	fmt.Fprint(stdout, out)
	return 0
}

func parseArgs(args []string) (*options, error) {
	o := &options{releaseName: "release-name", namespace: "default", revision: 1, kubeVersion: "v1.30.0"}
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, value, hasValue := a, "", false
		if strings.HasPrefix(a, "--") && strings.Contains(a, "=") {
			idx := strings.Index(a, "=")
			name, value, hasValue = a[:idx], a[idx+1:], true
		}
		next := func() (string, error) {
			if hasValue {
				return value, nil
			}
			if i+1 >= len(args) {
				return "", fmt.Errorf("flag %s needs a value", name)
			}
			i++
			return args[i], nil
		}
		var err error
		var v string
		switch name {
		case "-f", "--values":
			if v, err = next(); err == nil {
				o.valueFiles.add(v)
			}
		case "--set":
			if v, err = next(); err == nil {
				o.sets.add(v)
			}
		case "--set-string":
			if v, err = next(); err == nil {
				o.setStrings.add(v)
			}
		case "--name":
			o.releaseName, err = next()
		case "-n", "--namespace":
			o.namespace, err = next()
		case "--kube-version":
			o.kubeVersion, err = next()
		case "-a", "--api-versions":
			if v, err = next(); err == nil {
				o.apiVersions.add(v)
			}
		case "--is-upgrade":
			o.isUpgrade = true
			o.revision = 2
		case "--notes":
			o.showNotes = true
		case "-h", "--help":
			return nil, fmt.Errorf("help requested")
		default:
			if strings.HasPrefix(a, "-") {
				return nil, fmt.Errorf("unknown flag %s", a)
			}
			if o.chartDir != "" {
				return nil, fmt.Errorf("more than one chart directory: %s and %s", o.chartDir, a)
			}
			o.chartDir = a
		}
		if err != nil {
			return nil, err
		}
	}
	if o.chartDir == "" {
		return nil, fmt.Errorf("no chart directory given")
	}
	return o, nil
}
