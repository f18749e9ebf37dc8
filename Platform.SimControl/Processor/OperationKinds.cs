namespace Platform.SimControl.Processor;

/// <summary>The kinds of row in <c>processor_sim.operations</c>: what the completer finishes later and reports by webhook.</summary>
internal static class OperationKinds
{
    public const string Capture = "capture";
    public const string Refund = "refund";
    public const string Void = "void";
    public const string CardActivate = "card_activate";
    public const string CardShip = "card_ship";
    public const string CardDeliver = "card_deliver";

    /// <summary>The operation whose settings (approval rate, webhook delay) apply to completing one of this kind.</summary>
    public static string SettingsOperation(string kind) => kind switch
    {
        Capture => Settings.ProcessorOperations.Capture,
        Refund => Settings.ProcessorOperations.Refund,
        Void => Settings.ProcessorOperations.Void,
        _ => Settings.ProcessorOperations.IssueCard,
    };
}
