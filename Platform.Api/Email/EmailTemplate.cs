using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Platform.Api.Email;

/// <summary>What a template produced: what SES would put in the message.</summary>
public sealed record RenderedEmail(string Subject, string HtmlBody, string TextBody);

/// <summary>One named template and the model type it renders; models travel through the outbox as JSON.</summary>
internal interface IEmailTemplate
{
    string Name { get; }
    Type ModelType { get; }
    JsonElement Serialize(object model);
    RenderedEmail Render(JsonElement model);
}

internal abstract class EmailTemplate<TModel> : IEmailTemplate where TModel : class
{
    public abstract string Name { get; }
    public Type ModelType => typeof(TModel);
    protected abstract JsonTypeInfo<TModel> TypeInfo { get; }

    public JsonElement Serialize(object model) => JsonSerializer.SerializeToElement((TModel)model, TypeInfo);

    public RenderedEmail Render(JsonElement model) =>
        Render(model.Deserialize(TypeInfo) ?? throw new JsonException($"Template '{Name}' got a null model."));

    public abstract RenderedEmail Render(TModel model);
}
