import ArgumentParser
import Kindling

/// The `kindling` command: experiments on weight initialization.
@main
struct KindlingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kindling",
        abstract: "Weight-initialization experiments on a small, fast deep-learning framework.",
        version: kindlingVersion,
        subcommands: []
    )
}
