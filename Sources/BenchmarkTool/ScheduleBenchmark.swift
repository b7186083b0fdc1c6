import ArgumentParser

struct ScheduleBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "schedule", abstract: "Community schedule solve times.")
    @OptionGroup var common: CommonBenchmarkOptions
    func run() throws {
        throw ValidationError("the schedule benchmark needs the community schedule (issue 4)")
    }
}
