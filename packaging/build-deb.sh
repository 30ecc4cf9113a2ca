#!/usr/bin/env bash
# packaging/build-deb.sh OUTDIR: builds vswitchd and vswitchctl as NativeAOT executables (Debian 12
# ships no .NET runtime; NativeAOT needs none, starts in milliseconds and is a tenth of the size of
# a self-contained single file: see docs/packaging.md) and packs them with the systemd unit, the
# default config, the docs and bash completion into OUTDIR/vswitch_VERSION_ARCH.deb with dpkg-deb.
# Needs the .NET SDK, clang and zlib1g-dev (NativeAOT's linker and its one static library).
set -euo pipefail
out=${1:?usage: packaging/build-deb.sh OUTDIR}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)

arch=$(dpkg --print-architecture)
case "$arch" in
  amd64) rid=linux-x64 ;;
  arm64) rid=linux-arm64 ;;
  *) echo "build-deb.sh: no .NET runtime identifier for $arch" >&2; exit 1 ;;
esac
for tool in clang dpkg-deb; do
  command -v "$tool" >/dev/null || { echo "build-deb.sh: $tool is missing (apt-get install clang zlib1g-dev)" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for program in vswitchd vswitchctl; do
  echo "build-deb.sh: publishing $program (NativeAOT, $rid)"
  # EventSourceSupport keeps EventPipe and the diagnostics socket in vswitchd, so dotnet-counters
  # and dotnet-trace attach to it as to a JIT build (1.4 MB more).
  extra=()
  [ "$program" = vswitchd ] && extra=(-p:EventSourceSupport=true)
  dotnet publish "$root/src/$program" -c Release -r "$rid" -p:PublishAot=true -p:StripSymbols=true "${extra[@]}" \
    -o "$work/publish/$program" -v quiet -nologo
done

version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$root/Directory.Build.props")
[ -n "$version" ] || { echo "build-deb.sh: no <Version> in Directory.Build.props" >&2; exit 1; }
pkg="$work/vswitch"
install -d "$pkg/DEBIAN" "$pkg/usr/sbin" "$pkg/usr/bin" "$pkg/lib/systemd/system" "$pkg/etc/vswitch" \
  "$pkg/usr/share/doc/vswitch" "$pkg/usr/share/bash-completion/completions" "$pkg/var/lib/vswitch"
install -m 0755 "$work/publish/vswitchd/vswitchd" "$pkg/usr/sbin/vswitchd"
install -m 0755 "$work/publish/vswitchctl/vswitchctl" "$pkg/usr/bin/vswitchctl"
install -m 0644 "$root/packaging/vswitchd.service" "$pkg/lib/systemd/system/vswitchd.service"
install -m 0644 "$root/packaging/vswitchd.conf" "$pkg/etc/vswitch/vswitchd.conf"
install -m 0644 "$root/README.md" "$root/docs/configuration.md" "$root/docs/control-protocol.md" \
  "$root/docs/packaging.md" "$pkg/usr/share/doc/vswitch/"
install -m 0644 "$root/packaging/vswitch.bash-completion" "$pkg/usr/share/bash-completion/completions/vswitchctl"
ln -s vswitchctl "$pkg/usr/share/bash-completion/completions/vswitchd"
printf 'Copyright: the VSwitch authors.\n' > "$pkg/usr/share/doc/vswitch/copyright"
chmod 0644 "$pkg/usr/share/doc/vswitch/copyright"

installed_kib=$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
cat > "$pkg/DEBIAN/control" <<CONTROL
Package: vswitch
Version: $version
Architecture: $arch
Maintainer: VSwitch <vswitch@localhost>
Section: net
Priority: optional
Depends: libc6 (>= 2.34), libpcap0.8
Installed-Size: $installed_kib
Description: userspace virtual switch that answers ARP, ND, DNS and DHCP itself
 vswitchd is a learning L2 switch for container hosts (TAP, AF_PACKET, libpcap and
 memif ports, VLANs, tenants) whose datapath answers ARP, IPv6 neighbour
 solicitations, DNS queries and DHCP requests from its own hosts and ethers tables.
 vswitchctl is its command-line client. Runs as the systemd service vswitchd.
CONTROL
echo /etc/vswitch/vswitchd.conf > "$pkg/DEBIAN/conffiles"
install -m 0755 "$root/packaging/deb/postinst" "$root/packaging/deb/prerm" "$root/packaging/deb/postrm" "$pkg/DEBIAN/"

deb="$out/vswitch_${version}_${arch}.deb"
dpkg-deb --root-owner-group --build "$pkg" "$deb" >/dev/null
echo "build-deb.sh: wrote $deb ($(du -h "$deb" | cut -f1))"
