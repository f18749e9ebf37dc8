namespace Platform.ServiceDefaults.OpenApi;

/// <summary>What a service adds to its contract beyond what its endpoints say.</summary>
public sealed class PlatformOpenApiOptions
{
    public string? Title { get; set; }

    public string? Description { get; set; }

    /// <summary>
    /// Request-body examples for types the service does not own (framework requests such as Identity's); a type the
    /// service owns implements <see cref="IOpenApiExample{TSelf}"/> instead, so its example sits beside its fields.
    /// </summary>
    public Dictionary<Type, object> RequestExamples { get; } = [];

    public PlatformOpenApiOptions AddRequestExample<T>(T example) where T : notnull
    {
        RequestExamples[typeof(T)] = example;
        return this;
    }
}

/// <summary>A request type that shows client developers a valid instance of itself in the contract.</summary>
public interface IOpenApiExample<TSelf> where TSelf : IOpenApiExample<TSelf>
{
    static abstract TSelf Example { get; }
}
