using System.Text;
using VSwitch.E2eReport;

// dotnet E2eReport.dll RAW.csv MACHINE.txt OUT-PREFIX [BenchmarkDotNet-report-github.md...]
// Writes OUT-PREFIX.md (the page, also printed), OUT-PREFIX.csv (every sample) and OUT-PREFIX.svg.
if (args.Length < 3)
{
    Console.Error.WriteLine("usage: E2eReport RAW.csv MACHINE.txt OUT-PREFIX [MICRO.md...]");
    return 2;
}
SampleSet samples = SampleSet.Read(args[0]);
string prefix = args[2];
File.Copy(args[0], prefix + ".csv", overwrite: true);

var svg = new StringBuilder("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"960\" height=\"720\" font-family=\"sans-serif\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
var switches = Cases.Switches.Where(c => samples.Has(c.Id)).ToList();
BarChart.Write(svg, 0, "Frames per second received at B (median)", "", [.. switches.Select(c => c.Label)],
    [.. Cases.Sizes.Select(s => $"{s} B")], (g, k) => samples.Median(switches[g].Id, $"pps{Cases.Sizes[k]}"));
string[] dns = ["dns-peephole", "dns-dnsmasq"];
BarChart.Write(svg, 360, "DNS queries per second at dnsperf's maximum (median)", "", ["VSwitch peephole, answers in the switch", "dnsmasq, behind VSwitch"],
    ["max QPS"], (g, _) => samples.Median(dns[g], "qps"));
svg.AppendLine("</svg>");
File.WriteAllText(prefix + ".svg", svg.ToString());

string page = new ResultsPage(samples, File.ReadAllText(args[1]), Path.GetFileName(prefix) + ".svg", args[3..]).Build();
File.WriteAllText(prefix + ".md", page);
Console.WriteLine(page);
return 0;
