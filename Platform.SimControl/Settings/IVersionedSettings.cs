namespace Platform.SimControl.Settings;

/// <summary>A simulator's settings document as the store keeps it: the values QA edits plus the store's bookkeeping.</summary>
public interface IVersionedSettings<TSelf> where TSelf : class
{
    long Version { get; set; }
    DateTimeOffset? UpdatedAt { get; set; }
    string? UpdatedBy { get; set; }
    TSelf Clone();
}
