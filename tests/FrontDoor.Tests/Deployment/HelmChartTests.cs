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
            "apps/v1 Deployment",
            "autoscaling/v2 HorizontalPodAutoscaler",
            "batch/v1 Job (hook)",
            "policy/v1 PodDisruptionBudget",
            "policy/v1 PodDisruptionBudget",
            "rbac.authorization.k8s.io/v1 Role",
            "rbac.authorization.k8s.io/v1 RoleBinding",
            "v1 ConfigMap",
            "v1 ConfigMap",
            "v1 ConfigMap",
            "v1 Secret",
            "v1 Secret (hook)",
            "v1 Service",
            "v1 ServiceAccount",
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
        var deployment = FrontDoor(manifests);
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
        var selector = FrontDoor(manifests).Root["spec"]["selector"]["matchLabels"].StringMap;
        Assert.False(IsSubset(selector, job.Root["spec"]["template"]["metadata"]["labels"].StringMap));
    }

    [HelmFact]
    public async Task Selectors_and_labels_agree_between_deployment_service_pdb_and_hpa()
    {
        var manifests = await RenderAsync(WithSecrets("--set", "ingress.enabled=true", "--set", "serviceMonitor.enabled=true"));
        var deployment = FrontDoor(manifests);
        var selector = deployment.Root["spec"]["selector"]["matchLabels"].StringMap;
        Assert.NotEmpty(selector);
        Assert.True(IsSubset(selector, deployment.Root["spec"]["template"]["metadata"]["labels"].StringMap), "pod labels match the selector");

        var service = FrontDoor(manifests, "Service");
        Assert.Equal(selector, service.Root["spec"]["selector"].StringMap);
        var podPorts = GatewayContainer(manifests)["ports"].Items.Select(p => p["name"].String).ToHashSet();
        Assert.All(service.Root["spec"]["ports"].Items, p => Assert.Contains(p["targetPort"].String, podPorts));

        Assert.Equal(selector, FrontDoor(manifests, "PodDisruptionBudget").Root["spec"]["selector"]["matchLabels"].StringMap);

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
    public async Task Service_monitor_scrapes_front_doors_and_silos_on_their_http_ports()
    {
        var manifests = await RenderAsync(WithSecrets("--set", "serviceMonitor.enabled=true"));
        var monitor = Single(manifests, "ServiceMonitor");
        var selector = monitor.Root["spec"]["selector"];
        Assert.Equal(["gateway", "silo"], Components(monitor));
        Assert.Equal("http", monitor.Root["spec"]["endpoints"].Items.Single()["port"].String);

        // The silos' headless Service exists only for scraping: it selects the silo pods and exposes their http port.
        var siloService = Silo(manifests, "Service");
        Assert.Equal("None", siloService.Root["spec"]["clusterIP"].String);
        Assert.True(IsSubset(selector["matchLabels"].StringMap, siloService.Root["metadata"]["labels"].StringMap));
        Assert.Equal(Silo(manifests).Root["spec"]["selector"]["matchLabels"].StringMap, siloService.Root["spec"]["selector"].StringMap);
        var siloPorts = SiloContainer(manifests)["ports"].Items.Select(p => p["name"].String).ToHashSet();
        var port = siloService.Root["spec"]["ports"].Items.Single();
        Assert.Equal("http", port["name"].String);
        Assert.Contains(port["targetPort"].String, siloPorts);

        // Co-hosted, the front doors are the silos: one Service, scraped as the gateway.
        var coHost = await RenderAsync(WithSecrets("--set", "serviceMonitor.enabled=true", "--set", "cluster.coHost=true"));
        Assert.Single(coHost, m => m.Kind == "Service");
        Assert.Equal(["gateway"], Components(Single(coHost, "ServiceMonitor")));

        static string[] Components(Manifest monitor) => monitor.Root["spec"]["selector"]["matchExpressions"].Items
            .Single(e => e["key"].String == "app.kubernetes.io/component")["values"].Items.Select(v => v.String).ToArray();
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
        Assert.Equal(3, FrontDoor(fixedCount).Root["spec"]["replicas"].Int);

        // With it on (the default), the Deployment leaves replicas to the HPA so upgrades do not reset the count.
        var scaled = await RenderAsync(WithSecrets("--set", "autoscaling.minReplicas=3", "--set", "autoscaling.maxReplicas=12"));
        Assert.False(FrontDoor(scaled).Root["spec"]["replicas"].Exists);
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
        Assert.False(FrontDoor(manifests).Root["spec"]["template"]["metadata"]["annotations"].Has("checksum/secret"));
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
            var pod = FrontDoor(manifests).Root["spec"]["template"]["spec"];
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
    [InlineData("cohost")]
    public async Task No_secret_value_is_rendered_outside_a_secret(string valueSet)
    {
        var args = valueSet switch
        {
            "defaults" => WithSecrets(),
            "existing" => ["--set", "secret.existingSecret=s", "--set-string", "migrations.databaseUrl=" + DatabaseUrl],
            "cohost" => WithSecrets("--set", "cluster.coHost=true"),
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

    [HelmFact]
    public async Task The_silo_deployment_runs_the_silo_app_with_its_ports_probes_and_the_front_doors_lockdown()
    {
        var manifests = await RenderAsync(WithSecrets());
        var silo = Silo(manifests);
        Assert.Equal(("apps/v1", "release-name-switchyard-silo"), (silo.ApiVersion, silo.Name));
        Assert.Equal(2, silo.Root["spec"]["replicas"].Int);
        Assert.Equal("0", silo.Root["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"].String);

        // The image's second app, run from its own folder so that its appsettings.json is the content root's.
        var pod = silo.Root["spec"]["template"]["spec"];
        var container = SiloContainer(manifests);
        Assert.Equal(GatewayContainer(manifests)["image"].String, container["image"].String);
        Assert.Equal("/app/silo", container["workingDir"].String);
        Assert.Equal(["dotnet", "Switchyard.Silo.dll"], container["command"].Items.Select(i => i.String));
        Assert.False(container["args"].Exists);

        var ports = container["ports"].Items.ToDictionary(p => p["name"].String, p => p["containerPort"].Int);
        Assert.Equal(new Dictionary<string, int> { ["http"] = 8080, ["orleans-silo"] = 11111, ["orleans-gateway"] = 30000 }, ports);
        Assert.All(container["ports"].Items, p => Assert.Equal("TCP", p["protocol"].String));
        foreach (var (probe, path) in new[] { ("startupProbe", "/health"), ("livenessProbe", "/health"), ("readinessProbe", "/ready") })
        {
            Assert.Equal((path, "http"), (container[probe]["httpGet"]["path"].String, container[probe]["httpGet"]["port"].String));
        }

        var env = ConfigMapEnv(manifests, container);
        Assert.Equal("http://0.0.0.0:8080", env["Urls"]);
        Assert.Equal("Production", env["ASPNETCORE_ENVIRONMENT"]);
        Assert.Equal("false", env["Switchyard__State__MigrateOnStart"]);
        Assert.Equal(("11111", "30000"), (env["Switchyard__Cluster__SiloPort"], env["Switchyard__Cluster__GatewayPort"]));

        Assert.Equal(("250m", "256Mi", "512Mi"), (
            container["resources"]["requests"]["cpu"].String,
            container["resources"]["requests"]["memory"].String,
            container["resources"]["limits"]["memory"].String));

        // The front doors' lockdown, value for value: non-root, read-only root, no escalation, no capabilities.
        var frontDoorPod = FrontDoor(manifests).Root["spec"]["template"]["spec"];
        Assert.Equal(Canonical(frontDoorPod["securityContext"]), Canonical(pod["securityContext"]));
        Assert.Equal(Canonical(GatewayContainer(manifests)["securityContext"]), Canonical(container["securityContext"]));
        Assert.Equal("true", container["securityContext"]["readOnlyRootFilesystem"].String);
        var tmp = container["volumeMounts"].Items.Single(v => v["mountPath"].String == "/tmp");
        Assert.True(pod["volumes"].Items.Single(v => v["name"].String == tmp["name"].String)["emptyDir"].Exists);

        // The shared settings file lands in the silo's content root, from the front doors' settings ConfigMap.
        var settings = container["volumeMounts"].Items.Single(v => v["mountPath"].String == "/app/silo/appsettings.Production.json");
        Assert.Equal("appsettings.Production.json", settings["subPath"].String);
        var settingsMap = pod["volumes"].Items.Single(v => v["name"].String == settings["name"].String)["configMap"]["name"].String;
        Assert.True(manifests.Single(m => m.Kind == "ConfigMap" && m.Name == settingsMap).Root["data"].Has("appsettings.Production.json"));

        // SIGTERM: the silo hands its grains over within its 30 s shutdown timeout (src/Silo); the grace period covers
        // that with a margin. No preStop pause: no Service routes to silos.
        Assert.Equal(45, pod["terminationGracePeriodSeconds"].Int);
        Assert.False(container["lifecycle"].Exists);
    }

    [HelmFact]
    public async Task Silo_pods_carry_the_orleans_labels_and_the_downward_api_env_that_kubernetes_hosting_reads()
    {
        var manifests = await RenderAsync(WithSecrets("--name", "sy"));
        var labels = PodLabels(Silo(manifests));
        Assert.Equal("sy-switchyard", labels["orleans/clusterId"]);
        Assert.Equal("switchyard", labels["orleans/serviceId"]);

        var container = SiloContainer(manifests);
        Assert.Equal("metadata.name", EnvVar(container, "POD_NAME")["valueFrom"]["fieldRef"]["fieldPath"].String);
        Assert.Equal("metadata.namespace", EnvVar(container, "POD_NAMESPACE")["valueFrom"]["fieldRef"]["fieldPath"].String);
        Assert.Equal("status.podIP", EnvVar(container, "POD_IP")["valueFrom"]["fieldRef"]["fieldPath"].String);

        // Orleans takes its ids from these variables; read from the pod's own labels, they cannot disagree with them.
        Assert.Equal("metadata.labels['orleans/clusterId']", EnvVar(container, "ORLEANS_CLUSTER_ID")["valueFrom"]["fieldRef"]["fieldPath"].String);
        Assert.Equal("metadata.labels['orleans/serviceId']", EnvVar(container, "ORLEANS_SERVICE_ID")["valueFrom"]["fieldRef"]["fieldPath"].String);

        // The front doors (clients) join the same cluster, by configuration.
        var frontDoor = EnvConfigMap(manifests);
        Assert.Equal(("sy-switchyard", "switchyard", "false"), (frontDoor["Switchyard__Cluster__ClusterId"], frontDoor["Switchyard__Cluster__ServiceId"], frontDoor["Switchyard__Cluster__CoHost"]));
        var silo = ConfigMapEnv(manifests, container);
        Assert.Equal(("sy-switchyard", "switchyard"), (silo["Switchyard__Cluster__ClusterId"], silo["Switchyard__Cluster__ServiceId"]));

        // Explicit ids reach all of them alike.
        var custom = await RenderAsync(WithSecrets("--set", "cluster.clusterId=prod-eu", "--set", "cluster.serviceId=llm-gateway"));
        var customLabels = PodLabels(Silo(custom));
        Assert.Equal(("prod-eu", "llm-gateway"), (customLabels["orleans/clusterId"], customLabels["orleans/serviceId"]));
        var customFrontDoor = EnvConfigMap(custom);
        Assert.Equal(("prod-eu", "llm-gateway"), (customFrontDoor["Switchyard__Cluster__ClusterId"], customFrontDoor["Switchyard__Cluster__ServiceId"]));
    }

    [HelmFact]
    public async Task Front_doors_that_are_only_clients_get_no_silo_ports_labels_pod_env_or_api_token()
    {
        var manifests = await RenderAsync(WithSecrets());
        var gateway = GatewayContainer(manifests);
        Assert.Equal(["http"], gateway["ports"].Items.Select(p => p["name"].String));
        Assert.DoesNotContain(PodLabels(FrontDoor(manifests)).Keys, k => k.StartsWith("orleans/", StringComparison.Ordinal));
        var env = gateway["env"].Items.Select(e => e["name"].String).ToArray();
        Assert.DoesNotContain(env, n => n.StartsWith("POD_", StringComparison.Ordinal) || n.StartsWith("ORLEANS_", StringComparison.Ordinal));
        Assert.False(EnvConfigMap(manifests).ContainsKey("Switchyard__Cluster__SiloPort"));

        var pod = FrontDoor(manifests).Root["spec"]["template"]["spec"];
        Assert.False(pod["serviceAccountName"].Exists);
        Assert.Equal("false", pod["automountServiceAccountToken"].String);
    }

    [HelmFact]
    public async Task The_silos_service_account_may_only_get_list_and_watch_pods_in_the_release_namespace()
    {
        var manifests = await RenderAsync(WithSecrets("--namespace", "gateways"));
        var account = Single(manifests, "ServiceAccount");
        var role = Single(manifests, "Role");
        var binding = Single(manifests, "RoleBinding");
        Assert.Equal(("v1", "release-name-switchyard-silo"), (account.ApiVersion, account.Name));
        Assert.Equal("rbac.authorization.k8s.io/v1", role.ApiVersion);
        Assert.Equal("rbac.authorization.k8s.io/v1", binding.ApiVersion);

        // Only pods that run a silo mount its token (they opt in on their pod spec).
        Assert.Equal("false", account.Root["automountServiceAccountToken"].String);

        // Orleans' Kubernetes hosting reads its own pod, lists the cluster's pods at start and watches them; it would
        // patch its pod only if the labels differed from its ids (they come from those labels) and delete pods only with
        // DeleteDefunctSiloPods (off).
        var rule = role.Root["rules"].Items.Single();
        Assert.Equal([""], rule["apiGroups"].Items.Select(i => i.String));
        Assert.Equal(["pods"], rule["resources"].Items.Select(i => i.String));
        Assert.Equal(["get", "list", "watch"], rule["verbs"].Items.Select(i => i.String));
        Assert.False(rule["resourceNames"].Exists);

        var roleRef = binding.Root["roleRef"];
        Assert.Equal(("rbac.authorization.k8s.io", "Role", role.Name), (roleRef["apiGroup"].String, roleRef["kind"].String, roleRef["name"].String));
        var subject = binding.Root["subjects"].Items.Single();
        Assert.Equal(("ServiceAccount", account.Name, "gateways"), (subject["kind"].String, subject["name"].String, subject["namespace"].String));

        var siloPod = Silo(manifests).Root["spec"]["template"]["spec"];
        Assert.Equal(account.Name, siloPod["serviceAccountName"].String);
        Assert.Equal("true", siloPod["automountServiceAccountToken"].String);
    }

    [HelmFact]
    public async Task An_existing_service_account_replaces_the_charts_and_its_rbac()
    {
        var manifests = await RenderAsync(WithSecrets(
            "--set", "cluster.serviceAccount.create=false", "--set", "cluster.serviceAccount.name=orleans-silos", "--set", "cluster.rbac.create=false"));
        Assert.DoesNotContain(manifests, m => m.Kind is "ServiceAccount" or "Role" or "RoleBinding");
        Assert.Equal("orleans-silos", Silo(manifests).Root["spec"]["template"]["spec"]["serviceAccountName"].String);

        // The chart's Role can also be bound to it.
        var bound = await RenderAsync(WithSecrets("--set", "cluster.serviceAccount.create=false", "--set", "cluster.serviceAccount.name=orleans-silos"));
        Assert.DoesNotContain(bound, m => m.Kind == "ServiceAccount");
        Assert.Equal("orleans-silos", Single(bound, "RoleBinding").Root["subjects"].Items.Single()["name"].String);
    }

    [HelmTheory]
    [InlineData("chart")]
    [InlineData("existing")]
    public async Task The_silo_gets_the_database_url_and_never_the_master_key_or_the_admin_token(string valueSet)
    {
        var args = valueSet == "existing" ? ["--set", "secret.existingSecret=switchyard-secrets"] : WithSecrets();
        var manifests = await RenderAsync(args);
        var container = SiloContainer(manifests);
        var fromSecrets = container["env"].Items.Where(e => e["valueFrom"]["secretKeyRef"].Exists).ToArray();
        var databaseUrl = Assert.Single(fromSecrets);
        Assert.Equal("SWITCHYARD_DATABASE_URL", databaseUrl["name"].String);
        Assert.Equal(
            Canonical(EnvVar(GatewayContainer(manifests), "SWITCHYARD_DATABASE_URL")["valueFrom"]["secretKeyRef"]),
            Canonical(databaseUrl["valueFrom"]["secretKeyRef"]));

        // Nor any other way in: no Secret as envFrom or volume, no such names in its env or its ConfigMap.
        Assert.All(container["envFrom"].Items, e => Assert.False(e["secretRef"].Exists));
        Assert.All(Silo(manifests).Root["spec"]["template"]["spec"]["volumes"].Items, v => Assert.False(v["secret"].Exists || v["projected"].Exists));
        var names = container["env"].Items.Select(e => e["name"].String).Concat(ConfigMapEnv(manifests, container).Keys);
        Assert.DoesNotContain(names, n => n.StartsWith("SWITCHYARD_MASTER_KEY", StringComparison.Ordinal) || n.StartsWith("SWITCHYARD_ADMIN_TOKEN", StringComparison.Ordinal));
    }

    [HelmFact]
    public async Task Each_deployment_is_selected_by_its_own_pdb_and_not_by_the_others()
    {
        var manifests = await RenderAsync(WithSecrets());
        Manifest[] deployments = [FrontDoor(manifests), Silo(manifests)];
        Manifest[] budgets = [FrontDoor(manifests, "PodDisruptionBudget"), Silo(manifests, "PodDisruptionBudget")];
        Assert.Equal(["release-name-switchyard", "release-name-switchyard-silo"], budgets.Select(b => b.Name));
        for (var i = 0; i < 2; i++)
        {
            var own = PodLabels(deployments[i]);
            var other = PodLabels(deployments[1 - i]);
            var selector = Selector(deployments[i]);
            Assert.True(IsSubset(selector, own), $"{deployments[i]} selects its pods");
            Assert.False(IsSubset(selector, other), $"{deployments[i]} does not select {deployments[1 - i]}'s pods");

            var budget = budgets[i].Root["spec"]["selector"]["matchLabels"].StringMap;
            Assert.Equal(selector, budget);
            Assert.False(IsSubset(budget, other), $"{budgets[i]} does not count {deployments[1 - i]}'s pods");
            Assert.Equal("1", budgets[i].Root["spec"]["maxUnavailable"].String);

            var spread = deployments[i].Root["spec"]["template"]["spec"]["topologySpreadConstraints"].Items.Single();
            Assert.Equal(selector, spread["labelSelector"]["matchLabels"].StringMap);
        }

        // The Service and the autoscaler are the front doors' only.
        Assert.False(IsSubset(FrontDoor(manifests, "Service").Root["spec"]["selector"].StringMap, PodLabels(deployments[1])));
        Assert.Equal(deployments[0].Name, Single(manifests, "HorizontalPodAutoscaler").Root["spec"]["scaleTargetRef"]["name"].String);

        // Orleans' Kubernetes hosting lists the pods labelled with the cluster's ids: the silos, not the clients.
        var silo = PodLabels(deployments[1]);
        var orleans = new Dictionary<string, string> { ["orleans/clusterId"] = silo["orleans/clusterId"], ["orleans/serviceId"] = silo["orleans/serviceId"] };
        Assert.False(IsSubset(orleans, PodLabels(deployments[0])));

        // The migration Job's pods are neither's.
        var job = Single(manifests, "Job").Root["spec"]["template"]["metadata"]["labels"].StringMap;
        Assert.All(deployments, d => Assert.False(IsSubset(Selector(d), job)));
    }

    [HelmFact]
    public async Task Co_host_mode_renders_no_silo_deployment_and_makes_every_front_door_a_silo()
    {
        var manifests = await RenderAsync(WithSecrets("--name", "sy", "--namespace", "gateways", "--set", "cluster.coHost=true"));
        var deployment = Single(manifests, "Deployment");
        Assert.Equal("sy-switchyard", deployment.Name);
        Assert.Equal(FrontDoor(manifests).Name, deployment.Name);
        Assert.Equal(Selector(deployment), Single(manifests, "PodDisruptionBudget").Root["spec"]["selector"]["matchLabels"].StringMap);
        Assert.DoesNotContain(manifests, m => m.Kind == "ConfigMap" && m.Name.EndsWith("-silo-env", StringComparison.Ordinal));
        Assert.Equal(deployment.Name, Single(manifests, "HorizontalPodAutoscaler").Root["spec"]["scaleTargetRef"]["name"].String);

        // The silo's ports, the Orleans labels and the downward-API environment.
        var gateway = GatewayContainer(manifests);
        var ports = gateway["ports"].Items.ToDictionary(p => p["name"].String, p => p["containerPort"].Int);
        Assert.Equal(new Dictionary<string, int> { ["http"] = 8080, ["orleans-silo"] = 11111, ["orleans-gateway"] = 30000 }, ports);
        var labels = PodLabels(deployment);
        Assert.Equal(("sy-switchyard", "switchyard"), (labels["orleans/clusterId"], labels["orleans/serviceId"]));
        Assert.True(IsSubset(Selector(deployment), labels));
        foreach (var (name, path) in new[]
        {
            ("POD_NAME", "metadata.name"), ("POD_NAMESPACE", "metadata.namespace"), ("POD_IP", "status.podIP"),
            ("ORLEANS_CLUSTER_ID", "metadata.labels['orleans/clusterId']"), ("ORLEANS_SERVICE_ID", "metadata.labels['orleans/serviceId']"),
        })
        {
            Assert.Equal(path, EnvVar(gateway, name)["valueFrom"]["fieldRef"]["fieldPath"].String);
        }

        var env = EnvConfigMap(manifests);
        Assert.Equal("true", env["Switchyard__Cluster__CoHost"]);
        Assert.Equal(("11111", "30000"), (env["Switchyard__Cluster__SiloPort"], env["Switchyard__Cluster__GatewayPort"]));
        Assert.Equal(("sy-switchyard", "switchyard"), (env["Switchyard__Cluster__ClusterId"], env["Switchyard__Cluster__ServiceId"]));

        // It runs as the silos' ServiceAccount, with its token, bound to the same Role.
        var pod = deployment.Root["spec"]["template"]["spec"];
        var account = Single(manifests, "ServiceAccount");
        Assert.Equal(account.Name, pod["serviceAccountName"].String);
        Assert.Equal("true", pod["automountServiceAccountToken"].String);
        var subject = Single(manifests, "RoleBinding").Root["subjects"].Items.Single();
        Assert.Equal((account.Name, "gateways"), (subject["name"].String, subject["namespace"].String));
        Assert.Equal(["get", "list", "watch"], Single(manifests, "Role").Root["rules"].Items.Single()["verbs"].Items.Select(i => i.String));

        // Still the front door: its secrets, its Service on http only.
        Assert.Equal(MasterKey, Encoding.UTF8.GetString(Convert.FromBase64String(
            manifests.Single(m => m.Kind == "Secret" && !m.IsHook).Root["data"][EnvVar(gateway, "SWITCHYARD_MASTER_KEY")["valueFrom"]["secretKeyRef"]["key"].String].String)));
        Assert.Equal(["http"], FrontDoor(manifests, "Service").Root["spec"]["ports"].Items.Select(p => p["targetPort"].String));
    }

    [HelmTheory]
    [InlineData("cluster.coHost=true,serviceAccountName=workload-identity", "with cluster.coHost the front doors run a silo and use the silos' ServiceAccount")]
    [InlineData("cluster.coHost=true,terminationGracePeriodSeconds=40", "also covers the co-hosted silo handing its grains over: make it at least 30 seconds")]
    [InlineData("silo.extraEnv[0].name=SWITCHYARD_MASTER_KEY,silo.extraEnv[0].value=x", "SWITCHYARD_MASTER_KEY must not be given to the silos")]
    [InlineData("silo.env.SWITCHYARD_ADMIN_TOKEN=x", "SWITCHYARD_ADMIN_TOKEN must not be set in silo.env")]
    [InlineData("env.Switchyard__Cluster__ClusterId=other", "Switchyard__Cluster__ClusterId must not be set in env or silo.env")]
    [InlineData("cluster.serviceAccount.create=false", "cluster.serviceAccount.name is required when cluster.serviceAccount.create is false")]
    public async Task Inconsistent_cluster_values_fail_with_a_clear_message(string set, string expected)
    {
        var result = await RunAsync(WithSecrets("--set", set));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains(expected, result.Stderr, StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
    }

    [HelmTheory]
    [InlineData("silo.replicas=3", "- silo: Additional property replicas is not allowed")]
    [InlineData("cluster.coHost=yes", "- cluster.coHost: Invalid type. Expected: boolean, given: string")]
    [InlineData("cluster.clusterId=eu/prod", "- cluster.clusterId: Does not match pattern")]
    [InlineData("cluster.siloPort=80", "- cluster.siloPort: Must be greater than or equal to 1024")]
    [InlineData("silo.terminationGracePeriodSeconds=20", "- silo.terminationGracePeriodSeconds: Must be greater than or equal to 35")]
    public async Task Cluster_and_silo_values_that_break_the_schema_are_refused(string set, string expected)
    {
        var result = await RunAsync(WithSecrets("--set", set));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("values don't meet the specifications of the schema(s)", result.Stderr, StringComparison.Ordinal);
        Assert.Contains(expected, result.Stderr, StringComparison.Ordinal);
    }

    [HelmFact]
    public async Task Notes_name_the_silo_deployment_unless_the_front_doors_co_host()
    {
        var separate = await RunAsync(WithSecrets("--notes", "--name", "sy", "--namespace", "gateways"));
        Assert.Equal(0, separate.ExitCode);
        Assert.Contains("rollout status deployment/sy-switchyard-silo", separate.Stdout, StringComparison.Ordinal);
        Assert.Contains("orleans/clusterId=sy-switchyard,orleans/serviceId=switchyard", separate.Stdout, StringComparison.Ordinal);

        var coHost = await RunAsync(WithSecrets("--notes", "--name", "sy", "--set", "cluster.coHost=true"));
        Assert.Equal(0, coHost.ExitCode);
        Assert.DoesNotContain("deployment/sy-switchyard-silo", coHost.Stdout, StringComparison.Ordinal);
        Assert.Contains("Co-host mode", coHost.Stdout, StringComparison.Ordinal);
    }

    private static Manifest Single(IReadOnlyList<Manifest> manifests, string kind) => manifests.Single(m => m.Kind == kind);

    /// <summary>The front doors' resource of a kind (component "gateway"), among the front doors' and the silos'.</summary>
    private static Manifest FrontDoor(IReadOnlyList<Manifest> manifests, string kind = "Deployment") => Component(manifests, kind, "gateway");

    /// <summary>The silos' resource of a kind (component "silo").</summary>
    private static Manifest Silo(IReadOnlyList<Manifest> manifests, string kind = "Deployment") => Component(manifests, kind, "silo");

    private static Manifest Component(IReadOnlyList<Manifest> manifests, string kind, string component) =>
        manifests.Single(m => m.Kind == kind && m.Root["metadata"]["labels"]["app.kubernetes.io/component"].ToString() == component);

    private static Node GatewayContainer(IReadOnlyList<Manifest> manifests) =>
        FrontDoor(manifests).Root["spec"]["template"]["spec"]["containers"].Items.Single(c => c["name"].String == "gateway");

    private static Node SiloContainer(IReadOnlyList<Manifest> manifests) =>
        Silo(manifests).Root["spec"]["template"]["spec"]["containers"].Items.Single(c => c["name"].String == "silo");

    private static Node EnvVar(Node container, string name) => container["env"].Items.Single(e => e["name"].String == name);

    private static IReadOnlyDictionary<string, string> PodLabels(Manifest deployment) => deployment.Root["spec"]["template"]["metadata"]["labels"].StringMap;

    private static IReadOnlyDictionary<string, string> Selector(Manifest deployment) => deployment.Root["spec"]["selector"]["matchLabels"].StringMap;

    /// <summary>The data of the ConfigMap a container loads its environment from (its first configMapRef).</summary>
    private static IReadOnlyDictionary<string, string> ConfigMapEnv(IReadOnlyList<Manifest> manifests, Node container)
    {
        var name = container["envFrom"].Items.Select(e => e["configMapRef"]["name"]).First(n => n.Exists).String;
        return manifests.Single(m => m.Kind == "ConfigMap" && m.Name == name).Root["data"].StringMap;
    }

    /// <summary>A node as text with sorted keys, to compare two subtrees value for value.</summary>
    private static string Canonical(Node node) => node.Value switch
    {
        IDictionary<object, object?> map => "{" + string.Join(",", map.OrderBy(kv => (string)kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}:{Canonical(new Node(kv.Value))}")) + "}",
        IList<object?> list => "[" + string.Join(",", list.Select(v => Canonical(new Node(v)))) + "]",
        var value => value?.ToString() ?? "null",
    };

    private static IReadOnlyDictionary<string, string> EnvConfigMap(IReadOnlyList<Manifest> manifests) => ConfigMapEnv(manifests, GatewayContainer(manifests));

    private static bool IsSubset(IReadOnlyDictionary<string, string> subset, IReadOnlyDictionary<string, string> of) =>
        subset.All(kv => of.TryGetValue(kv.Key, out var v) && v == kv.Value);
}
