using System.Diagnostics;

namespace Platform.AppHost.LocalInfrastructure;

/// <summary>How Postgres and Redis are provided: the usual Aspire containers, or server processes from the OS packages.</summary>
internal enum InfrastructureMode { Containers, LocalProcesses }

internal static class InfrastructureModeResolver
{
    /// <summary>Configuration key: <c>auto</c> (default), <c>containers</c> or <c>local</c>.</summary>
    public const string ConfigurationKey = "Infrastructure:Mode";

    /// <summary>
    /// Decides up front, because a container resource with no runtime behind it never starts: dependants that
    /// WaitFor it would wait forever instead of failing.
    /// </summary>
    public static InfrastructureMode Resolve(string? configured, LocalBinaries binaries)
    {
        switch (configured?.Trim().ToLowerInvariant())
        {
            case "containers":
                return InfrastructureMode.Containers;
            case "local":
                return binaries.IsComplete
                    ? InfrastructureMode.LocalProcesses
                    : throw new InfrastructureUnavailableException(binaries.WhatIsMissing());
            case null or "" or "auto":
                if (ContainerRuntimeAnswers("docker") || ContainerRuntimeAnswers("podman"))
                {
                    return InfrastructureMode.Containers;
                }
                return binaries.IsComplete
                    ? InfrastructureMode.LocalProcesses
                    : throw new InfrastructureUnavailableException(
                        $"No container runtime answers and {binaries.WhatIsMissing()} " +
                        "Install Docker or Podman, or run: sudo apt-get install -y postgresql redis-server");
            default:
                throw new InfrastructureUnavailableException(
                    $"{ConfigurationKey} is '{configured}'; expected auto, containers or local.");
        }
    }

    private static bool ContainerRuntimeAnswers(string runtime)
    {
        var executable = LocalBinaries.FindOnPath(runtime);
        if (executable is null)
        {
            return false;
        }

        try
        {
            using var process = Process.Start(new ProcessStartInfo(executable, "info --format {{.ServerVersion}}")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            if (process is null)
            {
                return false;
            }
            // `docker` with no engine behind it (this repo's CI machines) fails fast; a hung daemon must not hang start-up.
            if (!process.WaitForExit(TimeSpan.FromSeconds(5)))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}

/// <summary>Raised when the platform cannot get a Postgres and a Redis by any means; its message says what to install.</summary>
internal sealed class InfrastructureUnavailableException(string message) : Exception(message);
