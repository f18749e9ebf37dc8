using System.Text.Json;
using System.Text.Json.Serialization;

namespace Platform.SimControl.Settings;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ProcessorSettings))]
[JsonSerializable(typeof(BureauSettings))]
[JsonSerializable(typeof(ApplicantOverride))]
[JsonSerializable(typeof(SettingsChange))]
[JsonSerializable(typeof(SettingsChangeNotification))]
[JsonSerializable(typeof(ActiveScenario))]
[JsonSerializable(typeof(AuditForwardItem))]
internal sealed partial class SettingsJsonContext : JsonSerializerContext;

internal static class SettingsJson
{
    public static T Clone<T>(T value) where T : class =>
        (T)JsonSerializer.Deserialize(JsonSerializer.SerializeToUtf8Bytes(value, typeof(T), SettingsJsonContext.Default), typeof(T), SettingsJsonContext.Default)!;

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, typeof(T), SettingsJsonContext.Default);

    public static T? Deserialize<T>(string? json) where T : class =>
        json is null ? null : (T?)JsonSerializer.Deserialize(json, typeof(T), SettingsJsonContext.Default);

    public static JsonElement ToElement<T>(T value) => JsonSerializer.SerializeToElement(value, typeof(T), SettingsJsonContext.Default);
}
