import Foundation
import Kindling

/// The largest resident set size this process has had so far, in MiB (`getrusage`'s `ru_maxrss`, which
/// Linux gives in KiB), the same figure the reference script reports.
func peakResidentMegabytes() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

/// The resident set size now, in MiB: the second field of /proc/self/statm (resident pages) times the
/// page size.
func currentResidentMegabytes() -> Double {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else {
        failRequirement("currentResidentMegabytes: /proc/self/statm is not readable (Linux only)")
    }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else {
        failRequirement("currentResidentMegabytes: unexpected /proc/self/statm contents '\(text)'")
    }
    return Double(pages * sysconf(Int32(_SC_PAGESIZE))) / (1024 * 1024)
}

/// Wall-clock seconds taken by `body`.
func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// Runs `warmUp` untimed steps, then `steps` timed ones, and prints the workload's line (see
/// `printProcessResult`): the reference script's loop `for _ in range(warm_up): step()` then the timed
/// `for _ in range(steps): step()`.
func measureSteps(workload: String, warmUp: Int, steps: Int, _ step: () -> Void) {
    for _ in 0..<warmUp { step() }
    let elapsed = seconds { for _ in 0..<steps { step() } }
    printProcessResult(workload: workload, seconds: elapsed, steps: steps)
}

/// Prints the line a whole-process workload reports, with the fields of the reference script's lines:
/// workload, implementation ("kindling"), seconds, steps, steps_per_second and peak_rss_mb (taken now,
/// at the end of the run), then `extra`.
func printProcessResult(workload: String, seconds: Double, steps: Int, extra: KeyValuePairs<String, Any> = [:]) {
    var fields: [(String, Any)] = [
        ("workload", workload), ("implementation", "kindling"), ("seconds", seconds), ("steps", steps),
        ("steps_per_second", Double(steps) / seconds), ("peak_rss_mb", peakResidentMegabytes()),
    ]
    fields += extra.map { ($0.key, $0.value) }
    printJSONLine(fields)
}
