namespace Platform.SimControl.Settings;

/// <summary>A named preset QA applies in one action.</summary>
public sealed record ScenarioDescriptor(string Name, string Title, string Description, int? DefaultDurationSeconds);

/// <summary>The scenario in force, if it was applied with a duration (then it reverts at <see cref="EndsAt"/>).</summary>
public sealed class ActiveScenario
{
    public string Name { get; set; } = "";
    public DateTimeOffset AppliedAt { get; set; }
    public DateTimeOffset? EndsAt { get; set; }
    public string AppliedBy { get; set; } = "";
    /// <summary>What to restore when a timed scenario ends (null when it did not touch that simulator).</summary>
    public ProcessorSettings? PreviousProcessor { get; set; }
    public BureauSettings? PreviousBureau { get; set; }
}

public sealed record ScenarioApplyResult(bool Found, ActiveScenario? Active, IReadOnlyDictionary<string, string[]> Errors)
{
    public bool Succeeded => Found && Errors.Count == 0;
}

/// <summary>Named scenarios, shared by the control API and the panel.</summary>
public interface IScenarioService
{
    IReadOnlyList<ScenarioDescriptor> List();

    /// <summary>
    /// Applies the scenario to the current settings. With a duration (or a scenario that has a default one) the
    /// previous settings come back when it ends, on whichever instance notices first.
    /// </summary>
    Task<ScenarioApplyResult> ApplyAsync(string name, TimeSpan? duration, SettingsActor actor, CancellationToken cancellationToken = default);

    Task<ActiveScenario?> GetActiveAsync(CancellationToken cancellationToken = default);

    /// <summary>Ends a timed scenario now, restoring the previous settings. False when none is running.</summary>
    Task<bool> EndActiveAsync(SettingsActor actor, CancellationToken cancellationToken = default);
}
