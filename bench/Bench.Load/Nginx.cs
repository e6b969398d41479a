using System.Text;

namespace Switchyard.Bench.Load;

/// <summary>
/// nginx in its two roles: the cheap upstream (<c>return 200</c> with a fixed completion or stream, so the upstream is
/// never the bottleneck) and the plain reverse proxy (one worker, upstream keepalive: the no-logic limit for a proxy).
/// </summary>
internal static class Nginx
{
    public const string Binary = "/usr/sbin/nginx";

    /// <summary>The cheap upstream: one port answers every request with the completion, the other with the stream.</summary>
    public static async Task<LabProcess> StartUpstreamAsync(string workDirectory, int jsonPort, int streamPort)
    {
        // The stream is longer than an nginx string may be, so it is a file; a POST to a file is a 405 in nginx, and
        // error_page turns that into the file (as a GET) with status 200.
        var content = Path.Combine(workDirectory, "upstream-content");
        Directory.CreateDirectory(content);
        await File.WriteAllTextAsync(Path.Combine(content, "stream.sse"), Payloads.Stream);
        var servers = $$"""
                server {
                    listen 127.0.0.1:{{jsonPort}};
                    default_type application/json;
                    location / { return 200 '{{Payloads.Completion}}'; }
                }
                server {
                    listen 127.0.0.1:{{streamPort}};
                    types { }
                    default_type text/event-stream;
                    root {{content}};
                    location / { error_page 405 =200 /stream.sse; return 405; }
                    location = /stream.sse { internal; }
                }
            """;
        var nginx = Start("upstream-nginx", workDirectory, servers);
        await nginx.WaitForPortAsync(jsonPort, TimeSpan.FromSeconds(10));
        await nginx.WaitForPortAsync(streamPort, TimeSpan.FromSeconds(10));
        return nginx;
    }

    /// <summary>The reverse proxy: one listening port per upstream, each with a keepalive pool; streams unbuffered.</summary>
    public static async Task<LabProcess> StartProxyAsync(string workDirectory, IReadOnlyList<(int ListenPort, int UpstreamPort, bool Stream)> routes)
    {
        var servers = new StringBuilder();
        foreach (var (listen, upstream, stream) in routes)
        {
            servers.Append($$"""
                    upstream up_{{upstream}} { server 127.0.0.1:{{upstream}}; keepalive 64; keepalive_requests 1000000; }
                    server {
                        listen 127.0.0.1:{{listen}};
                        location / {
                            proxy_pass http://up_{{upstream}};
                            proxy_http_version 1.1;
                            proxy_set_header Connection "";
                            {{(stream ? "proxy_buffering off;" : "")}}
                        }
                    }

                """);
        }

        var nginx = Start("proxy-nginx", workDirectory, servers.ToString());
        foreach (var (listen, _, _) in routes)
        {
            await nginx.WaitForPortAsync(listen, TimeSpan.FromSeconds(10));
        }

        return nginx;
    }

    private static LabProcess Start(string name, string workDirectory, string servers)
    {
        var root = Path.Combine(workDirectory, name);
        Directory.CreateDirectory(root);
        var user = Environment.UserName == "root" ? "user root;" : "";
        var config = $$"""
            daemon off;
            master_process on;
            worker_processes 1;
            {{user}}
            pid {{root}}/nginx.pid;
            error_log stderr warn;
            events { worker_connections 4096; }
            http {
                access_log off;
                keepalive_requests 1000000;
                client_body_temp_path {{root}}/body;
                proxy_temp_path {{root}}/proxy;
                fastcgi_temp_path {{root}}/fastcgi;
                uwsgi_temp_path {{root}}/uwsgi;
                scgi_temp_path {{root}}/scgi;
            {{servers}}
            }
            """;
        var configPath = Path.Combine(root, "nginx.conf");
        File.WriteAllText(configPath, config);
        return LabProcess.Start(name, Binary, ["-c", configPath, "-p", root, "-e", "stderr"], workDirectory, workDirectory);
    }
}
