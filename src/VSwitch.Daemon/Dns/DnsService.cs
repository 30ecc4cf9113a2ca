using System.Net;
using Microsoft.Extensions.Logging;
using VSwitch.Daemon.Ports;
using VSwitch.Daemon.Ports.Tap;
using VSwitch.Daemon.Tenancy;
using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Ports;
using VSwitch.Datapath.Tables;

namespace VSwitch.Daemon.Dns;

/// <summary>
/// One tenant's DNS service: a namespace of the daemon's own holding the tenant's DNS address on a
/// TAP device that is a port of the switch, and the server behind it (<see cref="DnsAddressServer"/>).
/// </summary>
/// <remarks>
/// <para>The datapath punts DNS to the DNS address that the peephole did not answer to this port
/// (<c>Tenant.DnsPort</c>, kept up to date by <see cref="TenantSet.Bind"/>); everything else about
/// the address (ARP, ND, answers from the tables) stays in the datapath. The kernel of the
/// namespace terminates UDP and TCP, so TCP comes with everything RFC 7766 leaves to the
/// transport (windows, retransmission, keep-alive), and the switch never touches TCP to any other
/// address.</para>
/// <para>The port is bound to the tenant by name, and is an access port on the tenant's first
/// VLAN (the default VLAN for a tenant bound by ports alone): a tenant with several VLANs is
/// served on that one only.</para>
/// </remarks>
internal sealed class DnsService : IAsyncDisposable
{
    private readonly ServiceNamespace _ns;
    private readonly DnsAddressServer _server;
    private readonly PortManager _ports;

    private DnsService(DaemonTenant tenant, string portName, ServiceNamespace ns, DnsAddressServer server, PortManager ports)
    {
        Tenant = tenant;
        PortName = portName;
        _ns = ns;
        _server = server;
        _ports = ports;
    }

    public DaemonTenant Tenant { get; }

    /// <summary>The service port's name (its TAP device inside the namespace): <c>vsdnsN</c>.</summary>
    public string PortName { get; }

    public DnsServiceCounters Counters => _server.Counters;

    /// <summary>Starts the service of <paramref name="tenant"/> (the <paramref name="index"/>th tenant), or says why not (logged).</summary>
    /// <returns>The service, or null when the tenant has no DNS address or the service could not start.</returns>
    public static async Task<DnsService?> StartAsync(DaemonTenant tenant, int index, PortManager ports, FramePool pool, ILogger log,
        CancellationToken cancel)
    {
        IReadOnlyList<IPAddress> addresses = tenant.DnsAddresses;
        if (addresses.Count == 0) return null;
        // One VLAN per service: the tenant's first, or the default VLAN for a tenant bound by ports alone.
        ushort vlan = tenant.Vlans.Count > 0 ? tenant.Vlans[0] : VlanMode.DefaultVlan;
        string name = $"vsdns{index}";
        ServiceNamespace? ns = null;
        DnsAddressServer? server = null;
        bool attached = false;
        try
        {
            ns = ServiceNamespace.Create();
            TapPort port = ns.Inside(() =>
            {
                ServiceInterface.PrepareNamespace();
                var tap = new TapPort(name, pool);
                try
                {
                    ServiceInterface.Configure(name, PeepholeTables.ResponderMac, addresses);
                    return tap;
                }
                catch
                {
                    tap.Dispose();
                    throw;
                }
            });
            if (await ports.AttachGivenAsync(port, new PortConfig(VlanMode.Access(vlan)), cancel).ConfigureAwait(false) is string error)
            {
                port.Dispose();
                throw new IOException(error);
            }
            attached = true;
            server = DnsAddressServer.Start(ns, addresses, tenant.DnsUpstreams, tenant.Tenant, log);
            tenant.DnsPortName = name;
            // The binding picks the new port name up at the next attach or detach; make it now.
            await ports.RebindAsync(cancel).ConfigureAwait(false);
            DnsServiceLog.Started(log, tenant.Name, string.Join(", ", addresses), name);
            return new DnsService(tenant, name, ns, server, ports);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Net.Sockets.SocketException or PortOpenException)
        {
            DnsServiceLog.StartFailed(log, tenant.Name, e.Message);
            if (server is not null) await server.DisposeAsync().ConfigureAwait(false);
            if (attached) await ports.RemoveAsync(name, CancellationToken.None).ConfigureAwait(false);
            ns?.Dispose();
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Tenant.DnsPortName = null;
        await _server.DisposeAsync().ConfigureAwait(false);
        await _ports.RemoveAsync(PortName, CancellationToken.None).ConfigureAwait(false);
        _ns.Dispose();
    }
}
