using System.Text;
using static Switchyard.FrontDoor.Tests.Deployment.HelmRender;

namespace Switchyard.FrontDoor.Tests.Deployment;

/// <summary>
/// The Helm chart (helm/switchyard), rendered by tools/helm-render as `helm template` would for several value sets,
/// and checked the way a reviewer would: kinds and API versions, probes, resources, security, secret wiring, the
/// migration hook, selector consistency, and that no secret reaches a ConfigMap. No cluster is involved.
/// </summary>
public sealed class HelmChartTests
{
    private static readonly string[] SecretEnv = ["SWITCHYARD_DATABASE_URL", "SWITCHYARD_MASTER_KEY", "SWITCHYARD_ADMIN_TOKEN"];

    [HelmFact]
    public async Task Defaults_with_the_secrets_render_the_expected_kinds_and_api_versions()
    {
        var manifests = await RenderAsync(WithSecrets());

        var kinds = manifests.Select(m => $"{m.ApiVersion} {m.Kind}{(m.IsHook ? " (hook)" : "")}").Order().ToArray();
        Assert.Equal(
        [
            "apps/v1 Deployment",
            "autoscaling/v2 HorizontalPodAutoscaler",
            "batch/v1 Job (hook)",
            "policy/v1 PodDisruptionBudget",
            "v1 ConfigMap",
            "v1 ConfigMap",
            "v1 Secret",
            "v1 Secret (hook)",
            "v1 Service",
        ], kinds);
        Assert.DoesNotContain(manifests, m => m.Kind is "Ingress" or "ServiceMonitor");

        // Every resource carries the release's labels, and names are unique per kind.
        foreach (var m in manifests)
        {
            var labels = m.Root["metadata"]["labels"].StringMap;
            Assert.Equal("release-name", labels["app.kubernetes.io/instance"]);
            Assert.Equal("Helm", labels["app.kubernetes.io/managed-by"]);
        }

        Assert.Equal(manifests.Count, manifests.Select(m => (m.Kind, m.Name)).Distinct().Count());
    }

    [HelmFact]
    public async Task Every_gateway_container_has_probes_resources_and_a_locked_down_security_context()
    {
        var manifests = await RenderAsync(WithSecrets());
        var deployment = Single(manifests, "Deployment");
        var pod = deployment.Root["spec"]["template"]["spec"];
        var containers = pod["containers"].Items;
        Assert.NotEmpty(containers);

        var podSecurity = pod["securityContext"];
        Assert.Equal("true", podSecurity["runAsNonRoot"].String);
        Assert.NotEqual(0, podSecurity["runAsUser"].Int);
        Assert.Equal("false", pod["automountServiceAccountToken"].String);

        foreach (var c in containers)
        {
            var ports = c["ports"].Items.Select(p => p["name"].String).ToHashSet();
            Assert.Equal("/health", c["livenessProbe"]["httpGet"]["path"].String);
            Assert.Equal("/ready", c["readinessProbe"]["httpGet"]["path"].String);
            Assert.Equal("/health", c["startupProbe"]["httpGet"]["path"].String);
            foreach (var probe in new[] { "livenessProbe", "readinessProbe", "startupProbe" })
            {
                Assert.Contains(c[probe]["httpGet"]["port"].String, ports);
            }

            Assert.True(c["resources"]["requests"]["cpu"].Exists, "cpu request");
            Assert.True(c["resources"]["requests"]["memory"].Exists, "memory request");
            Assert.True(c["resources"]["limits"]["memory"].Exists, "memory limit");

            var security = c["securityContext"];
            Assert.Equal("true", security["runAsNonRoot"].String);
            Assert.Equal("true", security["readOnlyRootFilesystem"].String);
            Assert.Equal("false", security["allowPrivilegeEscalation"].String);
            Assert.Equal(["ALL"], security["capabilities"]["drop"].Items.Select(i => i.String));

            // The read-only root file system leaves /tmp writable through an emptyDir.
            var tmp = c["volumeMounts"].Items.Single(v => v["mountPath"].String == "/tmp");
            var volume = pod["volumes"].Items.Single(v => v["name"].String == tmp["name"].String);
            Assert.True(volume["emptyDir"].Exists);
        }

        // Graceful termination: a preStop pause, then the app's own drain within the grace period.
        var gateway = containers[0];
        var grace = pod["terminationGracePeriodSeconds"].Int;
        var pause = gateway["lifecycle"]["preStop"]["sleep"]["seconds"].Int;
        Assert.True(pause > 0 && grace > pause, $"grace {grace}, preStop {pause}");
        var env = EnvConfigMap(manifests);
        var shutdown = (int)TimeSpan.Parse(env["Switchyard__Gateway__DrainTimeout"], System.Globalization.CultureInfo.InvariantCulture).TotalSeconds;
        Assert.True(pause + shutdown < grace, $"preStop {pause} + shutdown {shutdown} must fit in the grace period {grace}");
    }

    [HelmFact]
    public async Task The_secret_keys_are_wired_into_the_env_and_the_secret_holds_the_given_values()
    {
        var manifests = await RenderAsync(WithSecrets());
        var secret = manifests.Single(m => m.Kind == "Secret" && !m.IsHook);
        var data = secret.Root["data"].StringMap.ToDictionary(kv => kv.Key, kv => Encoding.UTF8.GetString(Convert.FromBase64String(kv.Value)));
        var gateway = GatewayContainer(manifests);

        var wired = new Dictionary<string, string>();
        foreach (var name in SecretEnv)
        {
            var reference = EnvVar(gateway, name)["valueFrom"]["secretKeyRef"];
            Assert.Equal(secret.Name, reference["name"].String);
            wired[name] = data[reference["key"].String];
        }

        Assert.Equal(DatabaseUrl, wired["SWITCHYARD_DATABASE_URL"]);
        Assert.Equal(MasterKey, wired["SWITCHYARD_MASTER_KEY"]);
        Assert.Equal(AdminToken, wired["SWITCHYARD_ADMIN_TOKEN"]);

        // The non-secret env comes from the env ConfigMap: the listening address matches the container port.
        var envFrom = gateway["envFrom"].Items.Select(e => e["configMapRef"]["name"]).Where(n => n.Exists).Select(n => n.String);
        Assert.Contains(envFrom, n => manifests.Any(m => m.Kind == "ConfigMap" && m.Name == n));
        var port = gateway["ports"].Items.Single(p => p["name"].String == "http")["containerPort"].String;
        Assert.Equal($"http://0.0.0.0:{port}", EnvConfigMap(manifests)["Urls"]);
        Assert.False(EnvConfigMap(manifests).ContainsKey("SWITCHYARD_BOOTSTRAP_FILE"));
    }

    [HelmFact]
    public async Task The_admin_token_is_optional()
    {
        var manifests = await RenderAsync(
            "--set-string", "secret.databaseUrl=Host=db;Database=switchyard", "--set-string", "secret.masterKey=" + MasterKey);
        var secret = manifests.Single(m => m.Kind == "Secret" && !m.IsHook);
        Assert.Equal(["database-url", "master-key"], secret.Root["data"].Keys.Order());
        var reference = EnvVar(GatewayContainer(manifests), "SWITCHYARD_ADMIN_TOKEN")["valueFrom"]["secretKeyRef"];
        Assert.Equal("true", reference["optional"].String);
    }

    [HelmFact]
    public async Task The_migration_job_is_a_pre_install_and_pre_upgrade_hook_running_the_image_with_migrate()
    {
        var manifests = await RenderAsync(WithSecrets());
        var job = Single(manifests, "Job");
        Assert.Equal("pre-install,pre-upgrade", job.Annotations["helm.sh/hook"].String);
        Assert.Contains("before-hook-creation", job.Annotations["helm.sh/hook-delete-policy"].String, StringComparison.Ordinal);

        var pod = job.Root["spec"]["template"]["spec"];
        Assert.Equal("Never", pod["restartPolicy"].String);
        var container = pod["containers"].Items.Single();
        Assert.Equal(["migrate"], container["args"].Items.Select(a => a.String));
        Assert.False(container["command"].Exists, "the image's entrypoint must run, with migrate as its argument");
        Assert.Equal(GatewayContainer(manifests)["image"].String, container["image"].String);
        Assert.Equal("true", container["securityContext"]["runAsNonRoot"].String);
        Assert.Equal("true", pod["securityContext"]["runAsNonRoot"].String);

        // The Job runs before the release's own Secret exists: its database URL comes from a hook Secret created
        // just before it (lower weight), in the same hook phases.
        var reference = EnvVar(container, "SWITCHYARD_DATABASE_URL")["valueFrom"]["secretKeyRef"];
        var hookSecret = manifests.Single(m => m.Kind == "Secret" && m.Name == reference["name"].String);
        Assert.True(hookSecret.IsHook);
        Assert.Equal("pre-install,pre-upgrade", hookSecret.Annotations["helm.sh/hook"].String);
        Assert.True(hookSecret.Annotations["helm.sh/hook-weight"].Int < job.Annotations["helm.sh/hook-weight"].Int);
        Assert.Equal(DatabaseUrl, Encoding.UTF8.GetString(Convert.FromBase64String(hookSecret.Root["data"][reference["key"].String].String)));

        // Its pods are not the gateway's: the Deployment, Service and PDB selectors do not match them.
        var selector = Single(manifests, "Deployment").Root["spec"]["selector"]["matchLabels"].StringMap;
        Assert.False(IsSubset(selector, job.Root["spec"]["template"]["metadata"]["labels"].StringMap));
    }

    [HelmFact]
    public async Task Selectors_and_labels_agree_between_deployment_service_pdb_and_hpa()
    {
        var manifests = await RenderAsync(WithSecrets("--set", "ingress.enabled=true", "--set", "serviceMonitor.enabled=true"));
        var deployment = Single(manifests, "Deployment");
        var selector = deployment.Root["spec"]["selector"]["matchLabels"].StringMap;
        Assert.NotEmpty(selector);
        Assert.True(IsSubset(selector, deployment.Root["spec"]["template"]["metadata"]["labels"].StringMap), "pod labels match the selector");

        var service = Single(manifests, "Service");
        Assert.Equal(selector, service.Root["spec"]["selector"].StringMap);
        var podPorts = GatewayContainer(manifests)["ports"].Items.Select(p => p["name"].String).ToHashSet();
        Assert.All(service.Root["spec"]["ports"].Items, p => Assert.Contains(p["targetPort"].String, podPorts));

        Assert.Equal(selector, Single(manifests, "PodDisruptionBudget").Root["spec"]["selector"]["matchLabels"].StringMap);

        var target = Single(manifests, "HorizontalPodAutoscaler").Root["spec"]["scaleTargetRef"];
        Assert.Equal(("apps/v1", "Deployment", deployment.Name), (target["apiVersion"].String, target["kind"].String, target["name"].String));

        // The ServiceMonitor selects the Service by its labels and scrapes a port it has.
        var monitor = Single(manifests, "ServiceMonitor");
        Assert.True(IsSubset(monitor.Root["spec"]["selector"]["matchLabels"].StringMap, service.Root["metadata"]["labels"].StringMap));
        var servicePorts = service.Root["spec"]["ports"].Items.Select(p => p["name"].String).ToHashSet();
        Assert.All(monitor.Root["spec"]["endpoints"].Items, e => Assert.Contains(e["port"].String, servicePorts));

        // The Ingress routes to the Service, by one of its port names.
        var ingress = Single(manifests, "Ingress");
        foreach (var rule in ingress.Root["spec"]["rules"].Items)
        {
            foreach (var path in rule["http"]["paths"].Items)
            {
                Assert.Equal(service.Name, path["backend"]["service"]["name"].String);
                Assert.Contains(path["backend"]["service"]["port"]["name"].String, servicePorts);
            }
        }

        // Spreading replicas uses the same selector.
        var spread = deployment.Root["spec"]["template"]["spec"]["topologySpreadConstraints"].Items.Single();
        Assert.Equal(selector, spread["labelSelector"]["matchLabels"].StringMap);
    }

    [HelmFact]
    public async Task Ingress_and_service_monitor_render_with_their_api_versions_when_enabled()
    {
        var manifests = await RenderAsync(WithSecrets(
            "--set", "ingress.enabled=true", "--set", "ingress.className=nginx",
            "--set", "ingress.tls[0].secretName=switchyard-tls", "--set", "ingress.tls[0].hosts={switchyard.example.com}",
            "--set", "serviceMonitor.enabled=true", "--set", "serviceMonitor.labels.release=prometheus"));
        var ingress = Single(manifests, "Ingress");
        Assert.Equal("networking.k8s.io/v1", ingress.ApiVersion);
        Assert.Equal("nginx", ingress.Root["spec"]["ingressClassName"].String);
        Assert.Equal("switchyard-tls", ingress.Root["spec"]["tls"].Items.Single()["secretName"].String);

        var monitor = Single(manifests, "ServiceMonitor");
        Assert.Equal("monitoring.coreos.com/v1", monitor.ApiVersion);
        Assert.Equal("prometheus", monitor.Root["metadata"]["labels"]["release"].String);
        Assert.Equal("/metrics", monitor.Root["spec"]["endpoints"].Items.Single()["path"].String);
    }

    [HelmFact]
    public async Task With_the_autoscaler_off_the_deployment_owns_the_replica_count()
    {
        var fixedCount = await RenderAsync(WithSecrets("--set", "autoscaling.enabled=false", "--set", "replicaCount=3"));
        Assert.DoesNotContain(fixedCount, m => m.Kind == "HorizontalPodAutoscaler");
        Assert.Equal(3, Single(fixedCount, "Deployment").Root["spec"]["replicas"].Int);

        // With it on (the default), the Deployment leaves replicas to the HPA so upgrades do not reset the count.
        var scaled = await RenderAsync(WithSecrets("--set", "autoscaling.minReplicas=3", "--set", "autoscaling.maxReplicas=12"));
        Assert.False(Single(scaled, "Deployment").Root["spec"]["replicas"].Exists);
        var hpa = Single(scaled, "HorizontalPodAutoscaler").Root["spec"];
        Assert.Equal((3, 12), (hpa["minReplicas"].Int, hpa["maxReplicas"].Int));
        Assert.Equal("cpu", hpa["metrics"].Items.Single()["resource"]["name"].String);
    }

    [HelmFact]
    public async Task An_existing_secret_replaces_the_charts_secret_everywhere()
    {
        var manifests = await RenderAsync("--set", "secret.existingSecret=switchyard-secrets", "--set", "secret.keys.masterKey=mk");
        Assert.DoesNotContain(manifests, m => m.Kind == "Secret");

        var gateway = GatewayContainer(manifests);
        foreach (var name in SecretEnv)
        {
            Assert.Equal("switchyard-secrets", EnvVar(gateway, name)["valueFrom"]["secretKeyRef"]["name"].String);
        }

        Assert.Equal("mk", EnvVar(gateway, "SWITCHYARD_MASTER_KEY")["valueFrom"]["secretKeyRef"]["key"].String);
        var job = Single(manifests, "Job").Root["spec"]["template"]["spec"]["containers"].Items.Single();
        Assert.Equal("switchyard-secrets", EnvVar(job, "SWITCHYARD_DATABASE_URL")["valueFrom"]["secretKeyRef"]["name"].String);
        Assert.False(Single(manifests, "Deployment").Root["spec"]["template"]["metadata"]["annotations"].Has("checksum/secret"));
    }

    [HelmFact]
    public async Task Migrations_can_use_their_own_privileged_database_url()
    {
        const string migrateUrl = "postgres://owner:owner-pass-1b2c@db.example:5432/switchyard";
        var manifests = await RenderAsync("--set", "secret.existingSecret=switchyard-secrets", "--set-string", "migrations.databaseUrl=" + migrateUrl);
        var hookSecret = manifests.Single(m => m.Kind == "Secret");
        Assert.True(hookSecret.IsHook);
        var job = Single(manifests, "Job").Root["spec"]["template"]["spec"]["containers"].Items.Single();
        var reference = EnvVar(job, "SWITCHYARD_DATABASE_URL")["valueFrom"]["secretKeyRef"];
        Assert.Equal(hookSecret.Name, reference["name"].String);
        Assert.Equal(migrateUrl, Encoding.UTF8.GetString(Convert.FromBase64String(hookSecret.Root["data"][reference["key"].String].String)));
        Assert.Equal("switchyard-secrets", EnvVar(GatewayContainer(manifests), "SWITCHYARD_DATABASE_URL")["valueFrom"]["secretKeyRef"]["name"].String);
    }

    [HelmFact]
    public async Task A_bootstrap_file_is_mounted_and_named_by_SWITCHYARD_BOOTSTRAP_FILE()
    {
        var values = Path.Combine(Path.GetTempPath(), $"switchyard-bootstrap-values-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(values, """
            bootstrap:
              workspaces:
                - slug: team-alpha
                  name: Team Alpha
                  virtual_keys:
                    - slug: openai-main
                      provider: openai
                      key: ${OPENAI_API_KEY}
                      api_version: "2024-10-21"
            extraEnvFrom:
              - secretRef: {name: provider-keys}
            """);
        try
        {
            var manifests = await RenderAsync(WithSecrets("-f", values));
            var path = EnvConfigMap(manifests)["SWITCHYARD_BOOTSTRAP_FILE"];
            var gateway = GatewayContainer(manifests);
            var mount = gateway["volumeMounts"].Items.Single(m => m["mountPath"].String == path);
            var pod = Single(manifests, "Deployment").Root["spec"]["template"]["spec"];
            var configMapName = pod["volumes"].Items.Single(v => v["name"].String == mount["name"].String)["configMap"]["name"].String;
            var file = manifests.Single(m => m.Kind == "ConfigMap" && m.Name == configMapName).Root["data"][mount["subPath"].String].String;
            Assert.Contains("key: ${OPENAI_API_KEY}", file, StringComparison.Ordinal);
            Assert.Contains("api_version: \"2024-10-21\"", file, StringComparison.Ordinal);
            Assert.Contains(gateway["envFrom"].Items, e => e["secretRef"]["name"].ToString() == "provider-keys");
        }
        finally
        {
            File.Delete(values);
        }
    }

    [HelmTheory]
    [InlineData("--set", "settings.SWITCHYARD_MASTER_KEY=abc")]
    [InlineData("--set", "env.SWITCHYARD_DATABASE_URL=postgres://x")]
    public async Task Secrets_are_refused_in_the_configmap_values(string flag, string value)
    {
        var result = await RunAsync(WithSecrets(flag, value));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("must not be set in settings or env", result.Stderr, StringComparison.Ordinal);
    }

    [HelmTheory]
    [InlineData("defaults")]
    [InlineData("existing")]
    [InlineData("everything")]
    public async Task No_secret_value_is_rendered_outside_a_secret(string valueSet)
    {
        string[] args = valueSet switch
        {
            "defaults" => WithSecrets(),
            "existing" => ["--set", "secret.existingSecret=s", "--set-string", "migrations.databaseUrl=" + DatabaseUrl],
            _ => WithSecrets("--set", "ingress.enabled=true", "--set", "serviceMonitor.enabled=true", "--set", "env.LOG_FORMAT=json",
                "--set", "bootstrap.workspaces[0].slug=a", "--set", "bootstrap.workspaces[0].name=A"),
        };
        var manifests = await RenderAsync(args);
        string[] secrets = [DatabaseUrl, MasterKey, AdminToken, "db-pass-7f3a9c"];
        var forms = secrets.SelectMany(s => new[] { s, Convert.ToBase64String(Encoding.UTF8.GetBytes(s)) }).ToArray();
        foreach (var m in manifests.Where(m => m.Kind != "Secret"))
        {
            foreach (var form in forms)
            {
                Assert.False(m.Text.Contains(form, StringComparison.Ordinal), $"{m} contains a secret value");
            }
        }

        Assert.Contains(manifests, m => m.Kind == "ConfigMap");
    }

    [HelmFact]
    public async Task A_missing_database_url_fails_with_the_required_message()
    {
        var result = await RunAsync("--set-string", "secret.masterKey=" + MasterKey);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("secret.databaseUrl is required", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("SWITCHYARD_DATABASE_URL", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(result.Stdout);

        var noMasterKey = await RunAsync("--set-string", "secret.databaseUrl=" + DatabaseUrl);
        Assert.Equal(1, noMasterKey.ExitCode);
        Assert.Contains("secret.masterKey is required", noMasterKey.Stderr, StringComparison.Ordinal);
    }

    [HelmTheory]
    [InlineData("--set", "replicaCont=3", "- (root): Additional property replicaCont is not allowed")]
    [InlineData("--set", "autoscaling.maxReplica=3", "- autoscaling: Additional property maxReplica is not allowed")]
    [InlineData("--set", "image.pullPolicy=Sometimes", "- image.pullPolicy: image.pullPolicy must be one of the following")]
    [InlineData("--set", "image.tag=2", "- image.tag: Invalid type. Expected: string, given: integer")]
    [InlineData("--set", "containerPort=80", "- containerPort: Must be greater than or equal to 1024")]
    [InlineData("--set", "securityContext.runAsNonRoot=false", "- securityContext.runAsNonRoot: Does not match: true")]
    [InlineData("--set-string", "secret.masterKey=too-short", "- secret.masterKey: Does not match pattern")]
    public async Task Values_that_break_the_schema_are_refused(string flag, string set, string expected)
    {
        // (--set-string is applied after --set, as in Helm, so overriding a --set-string value takes --set-string.)
        var result = await RunAsync(WithSecrets(flag, set));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("values don't meet the specifications of the schema(s)", result.Stderr, StringComparison.Ordinal);
        Assert.Contains(expected, result.Stderr, StringComparison.Ordinal);
    }

    [HelmFact]
    public async Task Older_clusters_get_an_exec_prestop_and_inconsistent_timing_is_refused()
    {
        var old = await RenderAsync(WithSecrets("--kube-version", "v1.28.0"));
        var preStop = GatewayContainer(old)["lifecycle"]["preStop"];
        Assert.False(preStop["sleep"].Exists);
        Assert.Equal(["sleep", "10"], preStop["exec"]["command"].Items.Select(i => i.String));

        var tooShort = await RunAsync(WithSecrets("--set", "terminationGracePeriodSeconds=12", "--set", "preStopSleepSeconds=10"));
        Assert.Equal(1, tooShort.ExitCode);
        Assert.Contains("must exceed preStopSleepSeconds", tooShort.Stderr, StringComparison.Ordinal);
    }

    [HelmFact]
    public async Task Notes_render_for_install_and_upgrade()
    {
        var install = await RunAsync(WithSecrets("--notes"));
        Assert.Equal(0, install.ExitCode);
        Assert.Contains("is installed as release release-name", install.Stdout, StringComparison.Ordinal);
        var upgrade = await RunAsync(WithSecrets("--notes", "--is-upgrade", "--name", "sy", "--namespace", "gateways"));
        Assert.Contains("is upgraded as release sy in namespace gateways", upgrade.Stdout, StringComparison.Ordinal);
        Assert.Contains("deployment/sy-switchyard", upgrade.Stdout, StringComparison.Ordinal);
    }

    private static Manifest Single(IReadOnlyList<Manifest> manifests, string kind) => manifests.Single(m => m.Kind == kind);

    private static Node GatewayContainer(IReadOnlyList<Manifest> manifests) =>
        Single(manifests, "Deployment").Root["spec"]["template"]["spec"]["containers"].Items.Single(c => c["name"].String == "gateway");

    private static Node EnvVar(Node container, string name) => container["env"].Items.Single(e => e["name"].String == name);

    private static IReadOnlyDictionary<string, string> EnvConfigMap(IReadOnlyList<Manifest> manifests)
    {
        var name = GatewayContainer(manifests)["envFrom"].Items.Select(e => e["configMapRef"]["name"]).First(n => n.Exists).String;
        return manifests.Single(m => m.Kind == "ConfigMap" && m.Name == name).Root["data"].StringMap;
    }

    private static bool IsSubset(IReadOnlyDictionary<string, string> subset, IReadOnlyDictionary<string, string> of) =>
        subset.All(kv => of.TryGetValue(kv.Key, out var v) && v == kv.Value);
}
