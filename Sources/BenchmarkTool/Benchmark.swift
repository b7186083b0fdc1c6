import ArgumentParser

@main
struct Benchmark: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "benchmark", abstract: "PeerGrid benchmarks.")
}
