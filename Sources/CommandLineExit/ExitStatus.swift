import ArgumentParser
import DataIO
import Foundation

/// PeerGrid's documented exit codes, shared by `peergrid` and `benchmark` (README, *Exit codes*).
public enum ExitStatus: Int32, Comparable, Sendable {
    case success = 0
    case badInput = 2
    case infeasible = 3
    case noSolution = 4
    case verificationFailed = 5
    case forked = 6
    case internalError = 70

    /// The exit code of a kind of failure: the one place where a ``FailureKind`` becomes a code.
    public init(_ kind: FailureKind) {
        switch kind {
        case .badInput: self = .badInput
        case .infeasible: self = .infeasible
        case .noSolution: self = .noSolution
        case .verificationFailed: self = .verificationFailed
        case .forked: self = .forked
        case .internal: self = .internalError
        }
    }

    public static func < (a: ExitStatus, b: ExitStatus) -> Bool { a.rawValue < b.rawValue }
}

/// An error that ends the command with a message on standard error and a documented exit code.
public struct CLIFailure: Error {
    public var message: String
    public var code: ExitStatus
    public init(_ message: String, code: ExitStatus = .badInput) {
        self.message = message
        self.code = code
    }
}

/// A plain error, not a PeerGridError: what an unforeseen failure (a library's own error type) looks like. The tests
/// inject one through `PEERGRID_INJECT_FAULT` to show that it exits 70 (not documented for users).
struct InjectedFault: Error { var what: String }

/// `--test-days -3` as `--test-days=-3`: ArgumentParser reads a value that starts with `-` as the next option, so
/// a negative number was reported as a missing value; joined, it reaches the option's own check ("--test-days must
/// be > 0"). Only a negative number (`-3`, `-0.5`, `-1e3`, `-inf`, `-nan`) right after a `--long` option is joined.
public func joiningNegativeValues(_ arguments: [String]) -> [String] {
    var out: [String] = []
    var k = 0
    while k < arguments.count {
        let a = arguments[k]
        if a.hasPrefix("--"), a.count > 2, !a.contains("="), k + 1 < arguments.count, isNegativeNumber(arguments[k + 1]) {
            out.append(a + "=" + arguments[k + 1])
            k += 2
        } else {
            out.append(a)
            k += 1
        }
    }
    return out
}

func isNegativeNumber(_ s: String) -> Bool {
    guard s.hasPrefix("-"), s.count > 1 else { return false }
    let rest = s.dropFirst().lowercased()
    return Double(rest) != nil || rest == "inf" || rest == "nan"
}

extension ParsableCommand {
    /// Parses the arguments, runs the command and exits with PeerGrid's exit codes: a ``CLIFailure`` with its code, a
    /// `PeerGridError` with its kind's code, an argument error 2 (ArgumentParser's default is 64), a deliberate
    /// `ExitCode` as it is, and an error nobody foresaw 70 ("internal error"), never 2. Messages go to standard
    /// error as `tool: message`.
    public static func runWithExitStatus(tool: String) -> Never {
        do {
            var command = try parseAsRoot(joiningNegativeValues(Array(CommandLine.arguments.dropFirst())))
            if let fault = ProcessInfo.processInfo.environment["PEERGRID_INJECT_FAULT"] { throw InjectedFault(what: fault) }
            try command.run()
            Foundation.exit(ExitStatus.success.rawValue)
        } catch {
            // A command's validate() that throws its own error reaches here wrapped by ArgumentParser.
            let error = thrownByValidate(error) ?? error
            if let failure = error as? CLIFailure {
                FileHandle.standardError.write(Data(("\(tool): " + failure.message + "\n").utf8))
                Foundation.exit(failure.code.rawValue)
            }
            if let failure = error as? any PeerGridError {
                FileHandle.standardError.write(Data(("\(tool): " + failure.description + "\n").utf8))
                Foundation.exit(ExitStatus(failure.kind).rawValue)
            }
            let code = exitCode(for: error).rawValue
            let message = fullMessage(for: error)
            if code == 0 {
                if !message.isEmpty { print(message) }
                Foundation.exit(0)
            }
            // Argument errors are bad input; an error nobody foresaw (not an argument error, not a PeerGridError, not
            // a deliberate exit code) is an internal error, never "bad input".
            if code == ExitCode.failure.rawValue, !(error is ExitCode) {
                FileHandle.standardError.write(Data("\(tool): internal error (please report it): \(error)\n".utf8))
                Foundation.exit(ExitStatus.internalError.rawValue)
            }
            // A deliberate exit code (3 infeasible, 4 no solution) has no message: the output said why.
            if !message.isEmpty { FileHandle.standardError.write(Data((message + "\n").utf8)) }
            Foundation.exit(code == ExitCode.validationFailure.rawValue ? ExitStatus.badInput.rawValue : code)
        }
    }
}

/// The error a command's `validate()` threw, when it is PeerGrid's own (a ``CLIFailure`` or a ``PeerGridError``):
/// ArgumentParser wraps anything but its `ValidationError` as a `userValidationError` of a `CommandError`, a type it
/// does not make public, so it is found by reflection. Anything else: nil.
func thrownByValidate(_ error: any Error) -> (any Error)? {
    func search(_ value: Any, depth: Int) -> (any Error)? {
        if depth > 0, value is CLIFailure || value is any PeerGridError { return value as? any Error }
        guard depth < 4 else { return nil }
        for child in Mirror(reflecting: value).children {
            if let found = search(child.value, depth: depth + 1) { return found }
        }
        return nil
    }
    return search(error, depth: 0)
}

/// PeerGrid's release, printed by `peergrid --version` and `benchmark --version`. Files carry their own format
/// versions (model files, policies, ledger entries, settlement rules); `--version` lists those this build reads.
public enum PeerGridRelease {
    /// The release number (semantic versioning; 0.x while the file formats may still change).
    public static let version = "0.24.1"
}
