#!/usr/bin/env python3
"""Start-up and size of vswitchd as NativeAOT, as a self-contained single file, and as the
README's `dotnet vswitchd.dll`: publishes the first two into a temporary folder, then times
`--version` and exec-to-control-socket (one TAP port, vsbench0, removed after) five times each
and prints the medians. Run as root from the repository (TAP devices need it):
    python3 bench/packaging/startup.py
"""
import os, signal, statistics, subprocess, sys, tempfile, time

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
rid = {"x86_64": "linux-x64", "aarch64": "linux-arm64"}[os.uname().machine]
work = tempfile.mkdtemp(prefix="vsbench-startup-")
sock = os.path.join(work, "ctl.sock")


def publish(name, *props):
    out = os.path.join(work, name)
    subprocess.run(["dotnet", "publish", os.path.join(root, "src/vswitchd"), "-c", "Release", "-r", rid, *props,
                    "-o", out, "-v", "quiet", "-nologo"], check=True)
    return [os.path.join(out, "vswitchd")]


def timed(cmd):
    t = time.perf_counter()
    subprocess.run(cmd + ["--version"], capture_output=True, check=True)
    return time.perf_counter() - t


def ready(cmd):
    if os.path.exists(sock):
        os.unlink(sock)
    t = time.perf_counter()
    p = subprocess.Popen(cmd + ["--port", "tap:vsbench0", "--hosts", "none", "--ethers", "none", "--control", sock,
                                "--port-state", "none"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while not os.path.exists(sock):
        if p.poll() is not None:
            sys.exit(f"{cmd} exited {p.returncode}")
        time.sleep(0.002)
    d = time.perf_counter() - t
    p.send_signal(signal.SIGTERM)
    p.wait()
    return d


builds = {
    "NativeAOT": publish("aot", "-p:PublishAot=true", "-p:StripSymbols=true", "-p:EventSourceSupport=true"),
    "single file": publish("single-file", "--self-contained", "-p:PublishSingleFile=true"),
}
subprocess.run(["dotnet", "build", os.path.join(root, "src/vswitchd"), "-c", "Release", "-v", "quiet", "-nologo"], check=True)
builds["dotnet dll"] = ["dotnet", os.path.join(root, "src/vswitchd/bin/Release/net10.0/vswitchd.dll")]
results = {name: ([], []) for name in builds}
for _ in range(5):  # interleaved rounds: the machine's noise hits every build alike
    for name, cmd in builds.items():
        results[name][0].append(timed(cmd))
        results[name][1].append(ready(cmd))
for name, (versions, readies) in results.items():
    size = os.path.getsize(builds[name][0]) if name != "dotnet dll" else 0
    print(f"{name:12} size {size / 1e6:6.1f} MB  --version {statistics.median(versions) * 1000:5.0f} ms"
          f"  start to control socket {statistics.median(readies) * 1000:5.0f} ms")
subprocess.run(["ip", "link", "del", "vsbench0"], capture_output=True)
subprocess.run(["rm", "-rf", work])
