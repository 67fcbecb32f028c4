import ArgumentParser
import Kindling

/// The `kindling` command: experiments on weight initialization.
@main
struct KindlingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kindling",
        abstract: "Weight-initialization experiments on a small, fast deep-learning framework.",
        version: kindlingVersion,
        subcommands: [
            CompareInit.self, Propagate.self, Train.self, Evaluate.self, Predict.self, Inspect.self,
            Embed.self, Search.self, Transfer.self, Classify.self, Export.self, Residual.self,
            TrainabilityCommand.self, Merge.self, Doctor.self,
        ]
    )

    /// Restarts once on the best OpenBLAS kernels for the CPU when needed (see `kindling doctor`), keeps freed
    /// memory for reuse (`ProcessSetup.prepareExecutable()`), then runs.
    static func main() {
        ProcessSetup.prepareExecutable()
        main(nil)
    }
}

extension InitializationName: ExpressibleByArgument {}
extension InitializationComparison.DatasetName: ExpressibleByArgument {}
extension InitializationComparison.OptimizerName: ExpressibleByArgument {}
extension InitializationComparison.Precision: ExpressibleByArgument {}
extension SignalPropagation.Activation: ExpressibleByArgument {}

/// "one of a, b, c", for messages.
func oneOf(_ names: [String]) -> String { "one of " + names.joined(separator: ", ") }

/// Parses "a,b,c" into registry names (`InitializerRegistry`), naming a bad item and the registry's names.
func parseInitializations(_ text: String, option: String) throws -> [InitializationName] {
    try parseList(
        text, option: option, expected: "one of \(InitializerRegistry.nameList)", InitializationName.init(rawValue:))
}

/// Parses "a,b,c" into values, naming the bad item and what was expected when one does not parse.
func parseList<Value>(_ text: String, option: String, expected: String, _ parse: (String) -> Value?) throws -> [Value] {
    let items = text.split(separator: ",", omittingEmptySubsequences: false).map {
        $0.trimmingCharacters(in: .whitespaces)
    }
    return try items.map { item in
        guard let value = parse(item) else {
            throw ValidationError("--\(option): '\(item)' is not \(expected)")
        }
        return value
    }
}
