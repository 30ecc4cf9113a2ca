namespace VSwitch.Tests.Fuzz;

/// <summary>A piece of the switch that reads untrusted bytes, as one fuzzer entry point.</summary>
/// <remarks>
/// <para>The contract is the one every engine shares (libFuzzer's <c>LLVMFuzzerTestOneInput</c>,
/// AFL's per-input run, the runtime's <c>IFuzzer</c>): <see cref="Run"/> takes any bytes and
/// returns normally. An exception that escapes it is a crash. A target checks its own
/// invariants (no frame slot leaked, no reply without a question) and throws
/// <see cref="FuzzInvariantException"/> when one breaks, so that an engine sees a broken
/// invariant as a crash too.</para>
/// <para>Targets are built once and run many times, so they must not let one input change how
/// the next is handled beyond what the switch itself remembers (learned MAC addresses), which
/// keeps a seeded run reproducible.</para>
/// <para>This folder is compiled into VSwitch.Tests (the bounded run CI does, FuzzTests) and into
/// tests/VSwitch.Fuzz (the SharpFuzz harness run by hand), so nothing here may use xunit.</para>
/// </remarks>
public interface IFuzzTarget
{
    void Run(ReadOnlySpan<byte> input);
}

/// <summary>A target's invariant did not hold for an input: as much a crash as an exception from the code under test.</summary>
public sealed class FuzzInvariantException(string message) : Exception(message);
