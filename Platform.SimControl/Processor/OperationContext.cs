using Platform.SimControl.Settings;
using Platform.SimControl.Simulation;

namespace Platform.SimControl.Processor;

/// <summary>What one mutating request runs with: the settings in force, the scenario header, its random draws and its moment.</summary>
internal sealed record OperationContext(ProcessorSettings Settings, EffectiveOperationSettings Effective, SimScenarioHeader Header, SimRandom Random, DateTimeOffset Now);
