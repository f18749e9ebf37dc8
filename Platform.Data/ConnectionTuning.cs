using Npgsql;

namespace Platform.Data;

/// <summary>
/// How the services' connection pools talk to PostgreSQL. Found with pg_stat_statements over an authorize benchmark:
/// every statement was parsed and planned afresh, and every pooled connection handed out again ran a
/// <c>DISCARD ALL</c> first — about five per authorization.
/// </summary>
public static class ConnectionTuning
{
    /// <summary>Statements a connection keeps prepared on the server, the most used first.</summary>
    public const int AutoPreparedStatements = 64;

    /// <summary>
    /// No code leaves session state behind on a pooled connection (the advisory locks of the migrators and the identity
    /// seeder are released in finally blocks; no setting is changed per session), so the reset is work without a purpose.
    /// </summary>
    public static void SkipResetOnReturn(NpgsqlDataSourceBuilder builder) =>
        builder.ConnectionStringBuilder.NoResetOnClose = true;

    /// <summary>
    /// Once a statement text has been used twice on a connection it is prepared there, and PostgreSQL stops parsing and
    /// planning it per call. The API's SQL is a fixed set of texts with parameters: measured on the authorize path, this
    /// took PostgreSQL from 2.2 to 1.4 cpu-ms per authorization at 8 callers. processor-sim's group commit is one statement
    /// per batch, and prepared it went from 4,356–4,568 to 7,724–10,023 authorizations/s (benchmark
    /// <c>simulators</c>), where parsing and planning it had been a large part of PostgreSQL's time. Its earlier
    /// four-statement batch had been slower prepared (1,442 against 4,004/s), not examined then.
    /// </summary>
    public static void PrepareRepeatedStatements(NpgsqlDataSourceBuilder builder)
    {
        builder.ConnectionStringBuilder.MaxAutoPrepare = AutoPreparedStatements;
        builder.ConnectionStringBuilder.AutoPrepareMinUsages = 2;
    }
}
