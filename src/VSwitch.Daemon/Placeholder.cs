namespace VSwitch.Daemon; internal static class Placeholder { }
