namespace Platform.Chaos.Workload;

public enum OperationKind
{
    AuthorizeFresh,
    AuthorizeOverLimit,
    AuthorizeReplay,
    AuthorizeReusedKey,
    CaptureFull,
    CapturePartial,
    CaptureAgain,
    Void,
    RefundPartial,
    RefundFull,
    OperationReplay,
    IssueCard,
    Read,
}

/// <summary>How often each customer action comes up. Drawn per operation index from the seed.</summary>
internal static class OperationMix
{
    private static readonly (OperationKind Kind, int Weight)[] Weights =
    [
        (OperationKind.AuthorizeFresh, 30),
        (OperationKind.AuthorizeOverLimit, 2),
        (OperationKind.AuthorizeReplay, 7),
        (OperationKind.AuthorizeReusedKey, 3),
        (OperationKind.CaptureFull, 8),
        (OperationKind.CapturePartial, 7),
        (OperationKind.CaptureAgain, 4),
        (OperationKind.Void, 6),
        (OperationKind.RefundPartial, 5),
        (OperationKind.RefundFull, 4),
        (OperationKind.OperationReplay, 4),
        (OperationKind.IssueCard, 1),
        (OperationKind.Read, 19),
    ];

    private static readonly int Total = Weights.Sum(w => w.Weight);

    public static OperationKind Pick(Random random)
    {
        var draw = random.Next(Total);
        foreach (var (kind, weight) in Weights)
        {
            if (draw < weight) return kind;
            draw -= weight;
        }
        return OperationKind.Read;
    }

    public static string Name(this OperationKind kind) => kind switch
    {
        OperationKind.AuthorizeFresh => "authorize",
        OperationKind.AuthorizeOverLimit => "authorize over limit",
        OperationKind.AuthorizeReplay => "authorize replay",
        OperationKind.AuthorizeReusedKey => "authorize reused key",
        OperationKind.CaptureFull => "capture full",
        OperationKind.CapturePartial => "capture partial",
        OperationKind.CaptureAgain => "capture again",
        OperationKind.Void => "void",
        OperationKind.RefundPartial => "refund partial",
        OperationKind.RefundFull => "refund full",
        OperationKind.OperationReplay => "operation replay",
        OperationKind.IssueCard => "issue card",
        _ => "read",
    };
}
