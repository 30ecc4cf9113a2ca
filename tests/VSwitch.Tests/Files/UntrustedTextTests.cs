using VSwitch.Datapath.Files;

namespace VSwitch.Tests.Files;

/// <summary>Text from outside reaches a message or a log line quoted, escaped and bounded.</summary>
public class UntrustedTextTests
{
    [Fact]
    public void Quote_PlainText_QuotedAsWritten() => Assert.Equal("'eth0 a-b'", UntrustedText.Quote("eth0 a-b"));

    [Fact]
    public void Quote_ControlsAndBackslash_Escaped() =>
        Assert.Equal(@"'a\u000a\u001b[2J\\b'", UntrustedText.Quote("a\n\u001b[2J\\b"));

    [Theory]
    [InlineData("x", 60)]
    [InlineData("\u0001", 60)]
    [InlineData("\u0001", 7)]
    [InlineData("\\", 3)]
    public void Escape_LongInput_OutputBoundedAfterEscaping(string unit, int max)
    {
        string escaped = UntrustedText.Escape(string.Concat(Enumerable.Repeat(unit, 1000)), max);
        // At most one escape past the bound, then the ellipsis.
        Assert.True(escaped.Length <= max + 6 + 3, $"{escaped.Length}: {escaped}");
        Assert.EndsWith("...", escaped, StringComparison.Ordinal);
    }

    [Fact]
    public void Escape_TextOfExactlyTheBound_NotCut() => Assert.Equal("abcd", UntrustedText.Escape("abcd", 4));

    [Fact]
    public void Bound_Message_ControlsEscapedQuotesKeptAndCut()
    {
        Assert.Equal(@"key 'a\b': bad\u000aforged", UntrustedText.Bound("key 'a\\b': bad\nforged", 100));
        Assert.Equal("abc...", UntrustedText.Bound("abcdef", 3));
        Assert.Equal("abc", UntrustedText.Bound("abc", 3));
    }
}
