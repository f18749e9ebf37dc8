namespace Platform.Fraud.Features;

/// <summary>
/// Records an event and returns what its card (or its identifiers) did before it, in one atomic step, so two
/// concurrent requests for the same card each see the other exactly once.
/// </summary>
internal interface IVelocityStore
{
    Task<CardVelocity> RecordTransactionAsync(TransactionEvent transaction, CancellationToken cancellationToken);

    Task<ApplicationVelocity> RecordApplicationAsync(ApplicationEvent application, CancellationToken cancellationToken);
}
