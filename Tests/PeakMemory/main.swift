// Runs a command and prints its peak resident memory: `PeakMemory PROGRAM ARGUMENTS...` prints
// "<kilobytes> <exit status>" (Linux's ru_maxrss of that child, as wait4 reports it). The child's standard
// output goes to /dev/null; its standard error is this program's.
//
// The tests measure through this small process rather than spawning the command themselves: Linux gives a
// spawned child the high-water mark of the memory it starts from (exec records the old address space's peak,
// which under posix_spawn's vfork is the parent's), so a child of the test runner would report the runner's
// few hundred MB instead of its own.
#if canImport(Glibc)
    import Glibc
#endif

/// Writes `message` on standard error and exits with `code`.
func fail(_ message: String, _ code: Int32) -> Never {
    _ = (message + "\n").withCString { write(2, $0, strlen($0)) }
    exit(code)
}

let command = Array(CommandLine.arguments.dropFirst())
guard !command.isEmpty else {
    fail("usage: PeakMemory PROGRAM [ARGUMENTS...]", 64)
}
var actions = posix_spawn_file_actions_t()
posix_spawn_file_actions_init(&actions)
posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
let argv = command.map { strdup($0) } + [nil]
var pid = pid_t()
let spawned = posix_spawn(&pid, command[0], &actions, nil, argv, environ)
guard spawned == 0 else {
    fail("PeakMemory: cannot start \(command[0]): \(String(cString: strerror(spawned)))", 71)
}
var status: Int32 = 0
var usage = rusage()
while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
// The exit status, or 128 + the signal that ended the child, as a shell reports it.
let signal = status & 0x7f
print("\(usage.ru_maxrss) \(signal == 0 ? (status >> 8) & 0xff : 128 + signal)")
