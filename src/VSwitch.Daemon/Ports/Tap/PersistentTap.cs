using VSwitch.Daemon.Ports.Linux;
using VSwitch.Daemon.Ports.Persistence;
using VSwitch.Datapath.Buffers;
using VSwitch.Linux;

namespace VSwitch.Daemon.Ports.Tap;

// The daemon's TAP devices outlive the daemon: a container that was given one (its end moved into
// the container's namespace, addresses and routes set there) keeps it across a restart, a crash
// included. So the daemon creates them with IFF_PERSIST, leaves them when it stops, and records
// each (PortStateFile: namespace inode, name, a path to the namespace) as supervision sees it move.
// The next daemon attaches to the device where the record says it is: TUNSETIFF looks the name
// up in the namespace of the calling thread, so it runs on a thread that setns()'d there
// (NetNamespaces.Run). A device the daemon no longer wants is deleted by attaching the same way
// and clearing IFF_PERSIST; a device it did not create is never deleted.

/// <summary>Opening, finding again and deleting the daemon's own persistent TAP devices.</summary>
internal static class PersistentTap
{
    /// <summary>Opens the port's device: where <paramref name="record"/> last saw it, else by name here (created when missing).</summary>
    /// <param name="device">The device name the port spec gives.</param>
    /// <param name="pool">The frame pool.</param>
    /// <param name="record">Where the daemon last saw the device it created for this port, if it did.</param>
    /// <param name="note">Set when the recorded device was not found and a new one was made instead.</param>
    /// <returns>The port, and whether the daemon created (owns) its device.</returns>
    /// <exception cref="PortOpenException">The device cannot be opened or created.</exception>
    public static (TapPort Port, bool Created) Open(string device, FramePool pool, TapRecord? record, out string? note)
    {
        note = null;
        if (record is not null && record.Boot == PortStateFile.BootId)
        {
            try
            {
                int fd = AttachWhereRecorded(record);
                // Here, the device is the switch's to bring up, as when it was made; in a container
                // its state is the container's.
                if (record.NamespacePath is null) NetDevice.BringUp(record.Device);
                return (new TapPort(device, pool, fd, existed: true), true);
            }
            catch (GoneException e)
            {
                note = $"the device it created before ({record.Device} in {record.NamespacePath ?? "this namespace"}) is gone ({e.Message}); ";
            }
            catch (IOException e)
            {
                // It may well be there: making another beside it would orphan it. The port stays closed.
                throw new PortOpenException($"tap:{device}: cannot reach the device it created ({record.Device} in {record.NamespacePath ?? "this namespace"}): {e.Message}");
            }
        }
        bool existed = NetDevice.IndexOf(device) != 0;
        int attached = TunTapDevice.Attach(device, persist: !existed);
        int error = NetDevice.BringUp(device);
        if (error != 0)
        {
            if (!existed) TunTapDevice.SetPersist(attached, false);
            LibC.Close(attached);
            throw new PortOpenException($"tap:{device}: cannot bring the device up: {LibC.ErrorText(error)}");
        }
        if (note is not null) note += existed ? $"attached to the {device} that exists here" : $"created {device} here";
        return (new TapPort(device, pool, attached, existed), !existed);
    }

    /// <summary>Deletes a device the daemon created and no longer wants, wherever the record saw it last
    /// (a record of this boot: the caller leaves older ones, whose devices died with the reboot).</summary>
    /// <returns>Null when deleted, else why not (gone already, in use by someone).</returns>
    public static string? Delete(TapRecord record)
    {
        try
        {
            int fd = AttachWhereRecorded(record);
            TunTapDevice.SetPersist(fd, false);
            LibC.Close(fd);
            return null;
        }
        catch (Exception e) when (e is IOException or PortOpenException)
        {
            return e.Message;
        }
    }

    // Attaches to the recorded device in its namespace. TUNSETIFF creates a device it does not find,
    // so the name is looked up first: a device that is gone is never made again in a container.
    private static int AttachWhereRecorded(TapRecord record)
    {
        if (record.NamespacePath is null)
        {
            if (record.Namespace != NetNamespaces.Own) throw new GoneException("its namespace had no path to find it by");
            return AttachExisting(record.Device);
        }
        return NetNamespaces.Run(record.NamespacePath, record.Namespace, () => AttachExisting(record.Device));
    }

    private static int AttachExisting(string device) => NetDevice.IndexOf(device) != 0
        ? TunTapDevice.Attach(device, persist: false)
        : throw new GoneException($"no device {device} there");
}
