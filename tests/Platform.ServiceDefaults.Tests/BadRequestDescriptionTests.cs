using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;

namespace Platform.ServiceDefaults.Tests;

/// <summary>What a 400 says about a request the binder could not read: the parameter or JSON path, never the raw value.</summary>
public sealed class BadRequestDescriptionTests
{
    [Theory]
    [InlineData("Failed to bind parameter \"int limit\" from \"abc\".", "limit")]
    [InlineData("Failed to bind parameter \"Nullable<Guid> id\" from \"123-45-6789\".", "id")]
    [InlineData("Required parameter \"int limit\" was not provided from query string.", "limit")]
    [InlineData("Implicit body inferred for parameter \"request\" but no body was provided. Did you mean to use a Service instead?", "request")]
    public void The_parameter_is_named_and_its_value_is_not_echoed(string message, string field)
    {
        var (name, text) = BadRequestExceptionHandler.Describe(new BadHttpRequestException(message));

        Assert.Equal(field, name);
        Assert.DoesNotContain("abc", text, StringComparison.Ordinal);
        Assert.DoesNotContain("123-45-6789", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_json_failure_names_the_json_path()
    {
        JsonException json;
        try
        {
            JsonSerializer.Deserialize<Sample>("""{"amount":"twelve"}""", new JsonSerializerOptions(JsonSerializerDefaults.Web));
            throw new InvalidOperationException("should not bind");
        }
        catch (JsonException ex)
        {
            json = ex;
        }

        var (name, _) = BadRequestExceptionHandler.Describe(new BadHttpRequestException("Failed to read parameter \"Sample request\" from the request body as JSON.", json));

        Assert.Equal("amount", name);
    }

    [Fact]
    public void An_unsupported_media_type_keeps_its_status_and_names_the_content_type()
    {
        var exception = new BadHttpRequestException("Expected a supported JSON media type but got \"text/plain\".", StatusCodes.Status415UnsupportedMediaType);

        Assert.Equal("Content-Type", BadRequestExceptionHandler.Describe(exception).Field);
    }

    private sealed record Sample(long Amount);
}
