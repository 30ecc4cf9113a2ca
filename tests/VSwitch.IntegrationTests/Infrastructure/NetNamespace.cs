namespace VSwitch.IntegrationTests.Infrastructure;

/// <summary>A test host: a network namespace with loopback up, deleted on dispose (also when a test fails).</summary>
/// <remarks>Addresses come from 198.18.0.0/15 and 2001:db8::/32 only, and no namespace gets a
/// default route: nothing a test sends can leave the machine.</remarks>
public sealed class NetNamespace : IDisposable
{
    private static int _counter;

    public NetNamespace(string role)
    {
        Name = $"vsit-{Environment.ProcessId % 100000}-{Interlocked.Increment(ref _counter)}-{role}";
        Sh.Run("ip", "netns", "add", Name);
        Exec("ip", "link", "set", "lo", "up");
    }

    public string Name { get; }

    /// <summary>Runs a command inside the namespace; throws on failure.</summary>
    public string Exec(string file, params string[] args) => Sh.Run("ip", ["netns", "exec", Name, file, .. args]);

    public Sh.Result TryExec(string file, params string[] args) => Sh.Try("ip", ["netns", "exec", Name, file, .. args]);

    public Sh.Result TryExec(TimeSpan timeout, string file, params string[] args) => Sh.Try(timeout, "ip", ["netns", "exec", Name, file, .. args]);

    /// <summary>Moves <paramref name="device"/> here, renames it <paramref name="inside"/>, gives it addresses and brings it up.</summary>
    /// <remarks>A null <paramref name="ipv4Cidr"/> leaves the interface without an IPv4 address, for a DHCP client to fill.</remarks>
    public void Adopt(string device, string inside, string? ipv4Cidr, string? ipv6Cidr = null, string? mac = null)
    {
        Sh.Run("ip", "link", "set", device, "netns", Name);
        if (device != inside) Exec("ip", "link", "set", device, "name", inside);
        if (mac is not null) Exec("ip", "link", "set", inside, "address", mac);
        if (ipv4Cidr is not null) Exec("ip", "addr", "add", ipv4Cidr, "dev", inside);
        // nodad: the address is usable at once instead of after duplicate-address detection.
        if (ipv6Cidr is not null) Exec("ip", "addr", "add", ipv6Cidr, "dev", inside, "nodad");
        Exec("ip", "link", "set", inside, "up");
        WaitOperational(inside);
    }

    // The kernel applies a carrier change through linkwatch, up to a second later; until then the
    // device's queue drops what the host sends (its first ARP request, say), which a test would
    // take for the switch's loss. Waits (3 s at most) until the device is operational: "up", or
    // "unknown" for devices without a carrier of their own (a TAP before the switch opens it).
    private void WaitOperational(string device)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(3);
        while (DateTime.UtcNow < deadline)
        {
            string state = Exec("cat", $"/sys/class/net/{device}/operstate").Trim();
            if (state is "up" or "unknown") return;
            Thread.Sleep(20);
        }
    }

    /// <summary>Runs <paramref name="work"/> on a thread that has entered this namespace, so the
    /// sockets it creates live here (a socket keeps its namespace for life).</summary>
    public T Inside<T>(Func<T> work)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle($"/var/run/netns/{Name}");
                if (setns((int)handle.DangerousGetHandle(), 0x40000000) != 0)
                    throw new InvalidOperationException($"setns({Name}) failed: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
                result = work();
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        if (failure is not null) throw new InvalidOperationException("in namespace " + Name, failure);
        return result;
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int setns(int fd, int type);

    public void Dispose() => Sh.Try("ip", "netns", "del", Name);
}
