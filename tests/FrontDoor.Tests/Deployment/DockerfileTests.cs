using System.Text.RegularExpressions;

namespace Switchyard.FrontDoor.Tests.Deployment;

/// <summary>
/// The Dockerfile cannot be built here (no Docker engine), so its structure is checked: the stages, a non-root user,
/// and that what it exposes and runs agrees with the chart and the project.
/// </summary>
public sealed partial class DockerfileTests
{
    private static readonly IReadOnlyList<(string Instruction, string Arguments)> Instructions = Parse(
        File.ReadAllText(Path.Combine(Repository.Root, "Dockerfile")));

    [Fact]
    public void It_builds_with_the_sdk_and_runs_on_the_aspnet_runtime()
    {
        var froms = Instructions.Where(i => i.Instruction == "FROM").Select(i => i.Arguments).ToArray();
        Assert.Equal(2, froms.Length);
        Assert.Matches(@"^mcr\.microsoft\.com/dotnet/sdk:10\.0 AS build$", froms[0]);
        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:10.0", froms[^1], StringComparison.Ordinal);

        // Every COPY --from names an earlier stage.
        var stages = froms.Select(f => f.Split(" AS ", StringSplitOptions.TrimEntries)).Where(p => p.Length == 2).Select(p => p[1]).ToHashSet();
        foreach (var copy in Instructions.Where(i => i.Instruction == "COPY" && i.Arguments.StartsWith("--from=", StringComparison.Ordinal)))
        {
            Assert.Contains(copy.Arguments["--from=".Length..].Split(' ')[0], stages);
        }

        var publish = Instructions.Single(i => i.Instruction == "RUN" && i.Arguments.Contains("dotnet publish", StringComparison.Ordinal)).Arguments;
        Assert.Contains("src/FrontDoor/FrontDoor.csproj", publish, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Repository.Root, "src", "FrontDoor", "FrontDoor.csproj")));
    }

    [Fact]
    public void The_final_stage_runs_as_a_non_root_user_from_the_app_folder()
    {
        var final = FinalStage();
        var user = final.Last(i => i.Instruction == "USER").Arguments;
        Assert.True(user == "$APP_UID" || (int.TryParse(user.Split(':')[0], out var uid) && uid > 0), $"USER {user} must be non-root and numeric");
        Assert.Equal("/app", final.Last(i => i.Instruction == "WORKDIR").Arguments);

        // The entrypoint runs the FrontDoor assembly, so `migrate` can be its argument (the chart's Job).
        var entrypoint = final.Single(i => i.Instruction == "ENTRYPOINT").Arguments;
        Assert.Equal("[\"dotnet\", \"Switchyard.FrontDoor.dll\"]", entrypoint);
        Assert.DoesNotContain(final, i => i.Instruction == "CMD");
    }

    [Fact]
    public void It_listens_on_every_interface_at_the_port_the_chart_uses()
    {
        var final = FinalStage();
        var expose = final.Single(i => i.Instruction == "EXPOSE").Arguments;
        var values = File.ReadAllText(Path.Combine(HelmRender.ChartDir, "values.yaml"));
        var chartPort = ContainerPort().Match(values).Groups[1].Value;
        Assert.Equal(chartPort, expose);

        var env = string.Join(" ", final.Where(i => i.Instruction == "ENV").Select(i => i.Arguments));
        Assert.Contains($"Urls=http://0.0.0.0:{chartPort}", env, StringComparison.Ordinal);

        // The chart mounts its settings into the image's content root, and its pod runs as the image's user.
        Assert.Contains("runAsUser: 1654", values, StringComparison.Ordinal);
    }

    [Fact]
    public void The_silo_is_published_where_the_charts_silo_deployment_runs_it()
    {
        // One RUN publishes both apps: the front door into the stage's output, the silo into its silo/ folder.
        var publish = Instructions.Single(i => i.Instruction == "RUN" && i.Arguments.Contains("dotnet publish", StringComparison.Ordinal)).Arguments;
        var frontDoorOut = PublishOutput().Match(publish[..publish.IndexOf("&&", StringComparison.Ordinal)]).Groups[1].Value;
        Assert.Matches(@"dotnet publish src/Silo/Silo\.csproj -c Release -o " + Regex.Escape(frontDoorOut) + "/silo ", publish);
        Assert.True(File.Exists(Path.Combine(Repository.Root, "src", "Silo", "Silo.csproj")));

        // The final stage copies that output into /app, so the silo lands in /app/silo: the chart's working directory
        // and command for the silo container.
        var final = FinalStage();
        Assert.Contains(final, i => i.Instruction == "COPY" && i.Arguments == $"--from=build {frontDoorOut}/ ./");
        var siloTemplate = File.ReadAllText(Path.Combine(HelmRender.ChartDir, "templates", "silo-deployment.yaml"));
        Assert.Contains("workingDir: /app/silo", siloTemplate, StringComparison.Ordinal);
        Assert.Contains("command: [\"dotnet\", \"Switchyard.Silo.dll\"]", siloTemplate, StringComparison.Ordinal);

        // The assembly is Switchyard.<project> (Directory.Build.props).
        Assert.Contains("<AssemblyName>Switchyard.$(MSBuildProjectName)</AssemblyName>", File.ReadAllText(Path.Combine(Repository.Root, "Directory.Build.props")), StringComparison.Ordinal);
    }

    [Fact]
    public void The_build_context_keeps_out_build_output_and_local_data()
    {
        var ignore = File.ReadAllLines(Path.Combine(Repository.Root, ".dockerignore"));
        Assert.Contains("**/bin/", ignore);
        Assert.Contains("**/obj/", ignore);
        Assert.Contains("**/.data/", ignore);
    }

    private static List<(string Instruction, string Arguments)> FinalStage()
    {
        var lastFrom = Instructions.Select((i, n) => (i, n)).Last(x => x.i.Instruction == "FROM").n;
        return [.. Instructions.Skip(lastFrom)];
    }

    private static List<(string, string)> Parse(string text)
    {
        var result = new List<(string, string)>();
        var joined = text.Replace("\\\n", " ", StringComparison.Ordinal);
        foreach (var raw in joined.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var space = line.IndexOf(' ', StringComparison.Ordinal);
            result.Add((line[..space].ToUpperInvariant(), Spaces().Replace(line[(space + 1)..].Trim(), " ")));
        }

        return result;
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();

    [GeneratedRegex(@"(?m)^containerPort:\s*(\d+)")]
    private static partial Regex ContainerPort();

    [GeneratedRegex(@"src/FrontDoor/FrontDoor\.csproj .*-o (\S+)")]
    private static partial Regex PublishOutput();
}
