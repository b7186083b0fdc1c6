import ArgumentParser

/// `peergrid schedule`: the community day-ahead schedule (spec/community.md).
struct ScheduleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Schedule a community for the day ahead (spec/community.md).")

    func run() throws {
        throw CLIFailure("schedule is not built yet", code: .noSolution)
    }
}
