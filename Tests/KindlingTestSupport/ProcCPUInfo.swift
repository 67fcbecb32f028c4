import Foundation
import XCTest

/// The kernel's own record of the CPU's flags (/proc/cpuinfo), an independent reading of cpuid; skips the
/// test on machines without x86 flags there.
public func procCPUInfoFlags() throws -> Set<String> {
    guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
        let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
    else {
        throw XCTSkip("no x86 flags in /proc/cpuinfo on this machine")
    }
    return Set(line.split(separator: ":", maxSplits: 1).last!.split(separator: " ").map(String.init))
}
