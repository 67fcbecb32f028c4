import Foundation
import Kindling

/// One benchmark, which prints one JSON line (`printJSONLine`) per measured case. Two kinds:
/// - a whole-process workload runs Kindling's side only, as Scripts/bench's counterpart of a workload of
///   Scripts/benchmarks/reference_workloads.py, and prints `printProcessResult`'s fields (seconds, steps,
///   steps_per_second, peak_rss_mb); Scripts/bench runs it and its references in alternating processes;
/// - an in-process comparison (matmul) times Kindling against a reference inside one process and prints
///   at least workload, kindling_seconds, reference_seconds and ratio (reference seconds / Kindling seconds).
/// Each workload lives in its own file as a static member of `Workload`, listed in main.swift.
struct Workload: Sendable {
    /// The name given on the command line.
    let name: String
    /// One line for the usage message.
    let summary: String
    /// Runs every case, reading its settings from the options.
    let run: @Sendable (BenchmarkOptions) throws -> Void
}

/// The `--name value` pairs after the workload name.
struct BenchmarkOptions: Sendable {
    private var values: [String: String] = [:]

    init(_ arguments: [String]) throws {
        var remaining = arguments[...]
        while let flag = remaining.popFirst() {
            guard flag.hasPrefix("--"), let value = remaining.popFirst() else {
                throw BenchmarkError("expected '--option value' pairs, got '\(flag)'")
            }
            values[String(flag.dropFirst(2))] = value
        }
    }

    /// Fails when an option was given that the workload does not read.
    func rejectUnknown(_ known: Set<String>) throws {
        if let unknown = values.keys.sorted().first(where: { !known.contains($0) }) {
            throw BenchmarkError(
                "unknown option --\(unknown) (known: \(known.sorted().map { "--" + $0 }.joined(separator: ", ")))")
        }
    }

    /// A comma-separated list of integers, or `fallback` when the option is absent.
    func integers(_ name: String, default fallback: [Int]) throws -> [Int] {
        guard let text = values[name] else { return fallback }
        return try text.split(separator: ",").map { part in
            guard let value = Int(part), value > 0 else {
                throw BenchmarkError("--\(name): '\(part)' is not a positive integer")
            }
            return value
        }
    }

    /// A positive integer, or `fallback` when the option is absent.
    func integer(_ name: String, default fallback: Int) throws -> Int {
        try integers(name, default: [fallback]).first ?? fallback
    }

    /// A comma-separated list of words, each one of `allowed`, or `fallback` when the option is absent.
    func words(_ name: String, allowed: [String], default fallback: [String]) throws -> [String] {
        guard let text = values[name] else { return fallback }
        return try text.split(separator: ",").map { part in
            guard allowed.contains(String(part)) else {
                throw BenchmarkError("--\(name): '\(part)' is not one of \(allowed.joined(separator: ", "))")
            }
            return String(part)
        }
    }
}

/// A bad command line, reported with its message.
struct BenchmarkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Prints one JSON object on one line, with the fields in the given order.
func printJSONLine(_ fields: KeyValuePairs<String, Any>) {
    printJSONLine(fields.map { ($0.key, $0.value) })
}

/// Prints one JSON object on one line, with the fields in the given order.
func printJSONLine(_ fields: [(String, Any)]) {
    let body = fields.map { key, value -> String in
        switch value {
        case let text as String: return "\"\(key)\": \"\(text)\""
        case let flag as Bool: return "\"\(key)\": \(flag)"
        case let number as Int: return "\"\(key)\": \(number)"
        case let number as Double: return "\"\(key)\": \(number)"
        default: failRequirement("printJSONLine: unsupported value \(value) for \(key)")
        }
    }
    print("{" + body.joined(separator: ", ") + "}")
    fflush(nil)  // every open stream: the line reaches a pipe as soon as it is measured
}
