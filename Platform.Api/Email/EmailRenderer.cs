using System.Text.Json;

namespace Platform.Api.Email;

/// <summary>Finds a template by name and checks that a model is the one it renders.</summary>
internal sealed class EmailRenderer
{
    private readonly Dictionary<string, IEmailTemplate> templates;

    public EmailRenderer(IEnumerable<IEmailTemplate> templates) =>
        this.templates = templates.ToDictionary(t => t.Name, StringComparer.Ordinal);

    public IEmailTemplate Template(string name) =>
        templates.TryGetValue(name, out var template) ? template : throw new ArgumentException($"No e-mail template named '{name}'.", nameof(name));

    /// <summary>The model as it is stored; a model of the wrong type fails here, in the requester's transaction, not at send time.</summary>
    public JsonElement Serialize(string templateName, object model)
    {
        var template = Template(templateName);
        if (model.GetType() != template.ModelType)
            throw new ArgumentException($"Template '{templateName}' renders {template.ModelType.Name}, not {model.GetType().Name}.", nameof(model));
        return template.Serialize(model);
    }

    public RenderedEmail Render(string templateName, JsonElement model) => Template(templateName).Render(model);
}
