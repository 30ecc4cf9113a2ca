using VSwitch.Ctl;

// vswitchctl: one command to a running vswitchd over its control socket. See CommandLine.cs.
return await CommandLine.RunAsync(args, Console.Out, Console.Error);
