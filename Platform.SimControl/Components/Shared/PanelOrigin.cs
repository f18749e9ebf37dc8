namespace Platform.SimControl.Components.Shared;

/// <summary>Where the open panel runs, cascaded to every page so its changes are attributed in the history and audit.</summary>
public sealed record PanelOrigin(string? OriginIp);
