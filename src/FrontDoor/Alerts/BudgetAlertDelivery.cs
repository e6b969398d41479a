using Switchyard.Gateway.Settlement;


namespace Switchyard.FrontDoor.Alerts;

/// <summary>Sends budget alerts to their webhooks in the background, off the request path, for the life of the host.</summary>
internal sealed class BudgetAlertDelivery(BudgetAlerts alerts) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Webhooks are set by administrators, not by callers; a short timeout keeps one slow receiver from holding the queue.
        // RS0030: the one client the alerts use, built once for the life of the host; provider calls never go through it.
#pragma warning disable RS0030
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
#pragma warning restore RS0030
        try
        {
            await alerts.DeliverAsync(client, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
