using System.Text.Json.Serialization;

namespace Platform.Api.Email;

/// <summary>The models as they are stored with a queued e-mail, and the transaction-alert work item.</summary>
[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(VerificationEmailModel))]
[JsonSerializable(typeof(CreditDecisionEmailModel))]
[JsonSerializable(typeof(StatementReadyEmailModel))]
[JsonSerializable(typeof(TransactionAlertEmailModel))]
[JsonSerializable(typeof(SecurityAlertEmailModel))]
[JsonSerializable(typeof(PasswordResetEmailModel))]
[JsonSerializable(typeof(TransactionAlertRequest))]
[JsonSerializable(typeof(AlertRulesRequest))]
[JsonSerializable(typeof(AlertRulesResponse))]
internal sealed partial class EmailJsonContext : JsonSerializerContext;
