import Foundation
import Kindling

extension Workload {
    /// See `EmbedCorpusWorkload`.
    static let embedCorpus = Workload(
        name: "embed-corpus",
        summary: "the whole `kindling embed --input` process on $KINDLING_CORPUS with all-MiniLM-L6-v2, Float",
        run: EmbedCorpusWorkload.run)
}

/// The whole process a user runs to embed a file: `kindling embed --encoder $KINDLING_ENCODER --input
/// $KINDLING_CORPUS --output FILE.npy` (the executable beside KindlingBench, built by Scripts/bench), timed
/// from starting it to its exit, including loading the model; peak_rss_mb is the child's. Scripts/bench
/// writes the corpus (reference_workloads.py corpus: 3,000 sentences of Python's docstrings, 3 to 120
/// words). Reference: reference_workloads.py embed-corpus (a Python process running sentence-transformers'
/// `encode` with its defaults).
enum EmbedCorpusWorkload {
    static func run(options: BenchmarkOptions) throws {
        try options.rejectUnknown([])
        let environment = ProcessInfo.processInfo.environment
        guard let encoder = environment["KINDLING_ENCODER"], let corpus = environment["KINDLING_CORPUS"] else {
            throw BenchmarkError("set KINDLING_ENCODER (Scripts/fetch-encoder prints it) and KINDLING_CORPUS")
        }
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("kindling")
        let output = FileManager.default.temporaryDirectory.appendingPathComponent(
            "kindling-bench-\(getpid()).npy")
        let process = Process()
        process.executableURL = executable
        process.arguments = ["embed", "--encoder", encoder, "--input", corpus, "--output", output.path]
        process.standardOutput = FileHandle.nullDevice
        let elapsed = try seconds {
            try process.run()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: output)
        guard process.terminationStatus == 0 else {
            throw BenchmarkError("\(executable.path) embed exited with status \(process.terminationStatus)")
        }
        var usage = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &usage)
        let lines = try String(contentsOfFile: corpus, encoding: .utf8).split(whereSeparator: \.isNewline)
            .filter { !$0.allSatisfy(\.isWhitespace) }.count
        printJSONLine([
            ("workload", "embed-corpus"), ("implementation", "kindling"), ("seconds", elapsed), ("steps", 1),
            ("steps_per_second", 1 / elapsed), ("peak_rss_mb", Double(usage.ru_maxrss) / 1024), ("lines", lines),
            ("lines_per_second", Double(lines) / elapsed),
        ])
    }
}
