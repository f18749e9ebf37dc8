namespace Platform.SimControl;

/// <summary>The HTTP APIs this service hosts beside the panel's pages: they answer JSON (problem details) only.</summary>
internal static class SimControlPaths
{
    public const string Processor = "/processor/v1";
    public const string Bureau = "/bureau/v1";
    public const string Control = "/sim/v1";

    public static readonly string[] Apis = [Processor, Bureau, Control, "/openapi", "/health", "/alive"];
}
