using System.Diagnostics;

namespace Platform.AppHost.LocalInfrastructure;

/// <summary>
/// PostgreSQL refuses to run as root. As root, its programs run as the postgres user through setpriv, which
/// replaces itself with the server so the orchestrator's stop signal reaches the server directly.
/// </summary>
internal static class LocalServerUser
{
    private const string PostgresAccount = "postgres";

    public static bool IsRoot => !OperatingSystem.IsWindows() && Environment.UserName == "root";

    /// <summary>The command and leading arguments that run <paramref name="program"/> as the account PostgreSQL needs.</summary>
    public static (string Command, IReadOnlyList<string> Arguments) AsPostgresUser(string program, params string[] arguments)
    {
        if (!IsRoot)
        {
            return (program, arguments);
        }
        var setpriv = LocalBinaries.FindOnPath("setpriv") ?? "/usr/bin/setpriv";
        return (setpriv, ["--reuid=" + PostgresAccount, "--regid=" + PostgresAccount, "--init-groups", "--", program, .. arguments]);
    }

    /// <summary>Hands a folder to the postgres account when running as root; a no-op otherwise.</summary>
    public static void GiveToPostgres(string path)
    {
        if (!IsRoot)
        {
            return;
        }
        Run("chown", ["-R", $"{PostgresAccount}:{PostgresAccount}", path], standardInput: null);
    }

    public static string Run(string command, IReadOnlyList<string> arguments, string? standardInput)
    {
        var startInfo = new ProcessStartInfo(command)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = standardInput is not null,
            // The postgres user cannot read /root, which is where `dotnet run` usually starts.
            WorkingDirectory = "/",
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {command}.");
        if (standardInput is not null)
        {
            process.StandardInput.Write(standardInput);
            process.StandardInput.Close();
        }
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{Path.GetFileName(command)} did not finish within two minutes.");
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{Path.GetFileName(command)} {string.Join(' ', arguments)} failed ({process.ExitCode}): {error.Result.Trim()}");
        }
        return output.Result;
    }
}
