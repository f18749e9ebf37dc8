namespace Platform.AppHost.LocalInfrastructure;

/// <summary>
/// A PostgreSQL server run from the OS packages as an executable resource. It hands its dependants the same kind of
/// connection string an Aspire Postgres container database would, pointed at <see cref="DatabaseName"/>.
/// </summary>
internal sealed class LocalPostgresResource(string name, string command, ParameterResource password, string databaseName)
    : ExecutableResource(name, command, workingDirectory: "/"), IResourceWithConnectionString
{
    public const string EndpointName = "tcp";
    public const string UserName = "postgres";

    public string DatabaseName { get; } = databaseName;
    public ParameterResource Password { get; } = password;

    public EndpointReference Endpoint => new(this, EndpointName);

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Host={Endpoint.Property(EndpointProperty.Host)};Port={Endpoint.Property(EndpointProperty.Port)};Username={UserName};Password={Password};Database={DatabaseName}");
}

/// <summary>A Redis server run from the OS packages as an executable resource.</summary>
internal sealed class LocalRedisResource(string name, string command, ParameterResource password)
    : ExecutableResource(name, command, workingDirectory: "/"), IResourceWithConnectionString
{
    public const string EndpointName = "tcp";

    public ParameterResource Password { get; } = password;

    public EndpointReference Endpoint => new(this, EndpointName);

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"{Endpoint.Property(EndpointProperty.Host)}:{Endpoint.Property(EndpointProperty.Port)},password={Password}");
}
