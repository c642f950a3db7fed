using Storefront.Bench;

namespace Storefront.Tests.Bench;

/// <summary>
/// The load tools' shared command line (bench/Shared/CommandLine.cs, compiled into this project): the harness builds
/// these arguments, and a misread one would measure the wrong load without failing.
/// </summary>
[ServerFree]
public sealed class CommandLineTests
{
    private static readonly string[] Numbers = ["--rate", "--seconds"];
    private static readonly string[] Texts = ["--method"];
    private static readonly string[] Switches = ["--raw"];

    private static CommandLine Read(params string[] args)
    {
        Assert.True(CommandLine.TryRead(args, Numbers, Texts, Switches, out var line, out var problem), problem);
        Assert.Equal("", problem);
        return line;
    }

    private static string Refused(params string[] args)
    {
        Assert.False(CommandLine.TryRead(args, Numbers, Texts, Switches, out _, out var problem));
        return problem;
    }

    [Fact]
    public void Url_options_and_switches_are_read_in_any_order()
    {
        var line = Read("--rate", "250", "http://127.0.0.1:5000/items?limit=20", "--raw", "--method", "POST", "--seconds", "1.5");

        Assert.Equal(new Uri("http://127.0.0.1:5000/items?limit=20"), line.Url);
        Assert.Equal(250, line.Number("--rate", 0));
        Assert.Equal(1.5, line.Number("--seconds", 0));
        Assert.Equal("POST", line.Text("--method"));
        Assert.True(line.Has("--raw"));
    }

    [Fact]
    public void Options_not_given_fall_back_to_their_defaults()
    {
        var line = Read("ws://127.0.0.1:5000/ws");

        Assert.Equal(new Uri("ws://127.0.0.1:5000/ws"), line.Url);
        Assert.Equal(10, line.Number("--seconds", 10));
        Assert.Equal(7, line.Int("--rate", 7));
        Assert.Null(line.Text("--method"));
        Assert.False(line.Has("--raw"));
    }

    [Fact]
    public void Numbers_are_read_in_the_invariant_culture_and_a_fraction_is_no_whole_number()
    {
        var line = Read("--rate", "2.5", "--seconds", "1e3");

        Assert.Equal(2.5, line.Number("--rate", 0));
        Assert.Equal(1000, line.Number("--seconds", 0));
        Assert.Equal(-1, line.Int("--rate", 0));   // every tool's check refuses -1
        Assert.Null(line.Url);
    }

    [Fact]
    public void The_last_of_a_repeated_option_wins()
    {
        Assert.Equal(3, Read("--rate", "1", "--rate", "3").Int("--rate", 0));
    }

    [Fact]
    public void A_number_option_with_text_is_refused_and_named()
    {
        Assert.Equal("--rate needs a number, not fast", Refused("--rate", "fast"));
    }

    [Theory]
    [InlineData("--unknown")]
    [InlineData("not-a-url")]
    public void An_argument_that_is_neither_option_nor_url_is_refused(string argument)
    {
        Assert.Equal($"not understood: {argument}", Refused("http://127.0.0.1/", argument));
    }

    [Fact]
    public void A_second_url_is_refused()
    {
        Assert.Equal("not understood: http://127.0.0.1:2/", Refused("http://127.0.0.1:1/", "http://127.0.0.1:2/"));
    }

    [Fact]
    public void An_option_without_its_value_is_refused()
    {
        Assert.Equal("not understood: --seconds", Refused("http://127.0.0.1/", "--seconds"));
    }

    [Fact]
    public void A_switch_takes_no_value_so_what_follows_is_read_on_its_own()
    {
        var line = Read("--raw", "http://127.0.0.1/");

        Assert.True(line.Has("--raw"));
        Assert.Equal(new Uri("http://127.0.0.1/"), line.Url);
    }
}
