import Testing
@testable import LinearProgramming

let goodMPS = """
    NAME          tiny
    OBJSENSE
        MAX
    ROWS
     N  obj
     L  c1
     G  c2
     E  c3
    COLUMNS
        MARKER    'MARKER'    'INTORG'
        x         obj         1.0   c1   1.0
        x         c2          1.0
        MARKER    'MARKER'    'INTEND'
        y         obj         2.0   c1   1.0
        y         c3          1.0
        z         obj         -1.0  c3   1.0
    RHS
        RHS       c1          10.0  c2   1.0
        RHS       c3          4.0
        RHS       obj         -5.0
    RANGES
        RNG       c1          4.0   c3   -2.0
    BOUNDS
     UP BND       x           8
     MI BND       z
     UP BND       z           3
     LI BND       y           1
    ENDATA
    """

@Suite struct WindowsModelFileTests {
    /// A file saved on Windows (BOM, CRLF) reads as its LF original, and a refusal in it names the same line.
    @Test func mpsAndLPFilesFromWindowsReadLikeAnyOther() throws {
        func windows(_ text: String) -> String { "\u{FEFF}" + text.replacingOccurrences(of: "\n", with: "\r\n") + "\r\n" }
        #expect(MPS.write(try MPS.parse(windows(goodMPS))) == MPS.write(try MPS.parse(goodMPS)))
        let lp = LPFormat.write(try MPS.parse(goodMPS))
        #expect(MPS.write(try LPFormat.parse(windows(lp))) == MPS.write(try LPFormat.parse(lp)))
        let broken = goodMPS.replacingOccurrences(of: "RHS       c3          4.0", with: "RHS       c3          four")
        let line = goodMPS.split(separator: "\n").firstIndex { $0.contains("RHS       c3          4.0") }! + 1
        expectRefusal("windows MPS", file: "w.mps", line: line) { try MPS.parse(windows(broken), file: "w.mps") }
    }
}

@Suite struct MPSTests {
    @Test func readsEverySectionWithTheRightSemantics() throws {
        let m = try MPS.parse(goodMPS)
        #expect(m.name == "tiny" && m.sense == .maximize)
        #expect(m.objectiveConstant == 5)  // RHS on the objective is minus the constant
        #expect(m.kinds == [.integer, .integer, .continuous])  // LI makes y integer
        #expect(m.rowLower[0] == 6 && m.rowUpper[0] == 10)  // L row with range 4: [10-4, 10]
        #expect(m.rowLower[1] == 1 && m.rowUpper[1] == .infinity)
        #expect(m.rowLower[2] == 2 && m.rowUpper[2] == 4)  // E row with negative range: [4-2, 4]
        #expect(m.columnLower == [0, 1, -.infinity] && m.columnUpper == [8, .infinity, 3])
    }

    @Test(arguments: ["UP", "LO", "FX", "FR", "MI", "PL", "BV", "LI", "UI"])
    func everyBoundTypeIsRead(_ type: String) throws {
        let value = ["FR", "MI", "PL", "BV"].contains(type) ? "" : " 2.5"
        let text = "NAME b\nROWS\n N obj\n L c\nCOLUMNS\n    x obj 1 c 1\nRHS\n    RHS c 4\nBOUNDS\n \(type) BND x\(value)\nENDATA\n"
        let m = try MPS.parse(text)
        let expected: (Double, Double, VariableKind) =
            switch type {
            case "UP": (0, 2.5, .continuous)
            case "LO": (2.5, .infinity, .continuous)
            case "FX": (2.5, 2.5, .continuous)
            case "FR": (-.infinity, .infinity, .continuous)
            case "MI": (-.infinity, .infinity, .continuous)
            case "PL": (0, .infinity, .continuous)
            case "BV": (0, 1, .binary)
            case "LI": (2.5, .infinity, .integer)
            default: (0, 2.5, .integer)
            }
        #expect(m.columnLower[0] == expected.0 && m.columnUpper[0] == expected.1 && m.kinds[0] == expected.2)
    }

    @Test func fixedFormatAllowsSpacesInNames() throws {
        let w = MPSWriter(model: Model(), format: .fixed)
        let text = [
            "NAME          fixed", "ROWS", " N  COST", " L  LIM 1", "COLUMNS",
            w.line(["", "X ONE", "COST", "1.", "LIM 1", "1."]), "RHS",
            w.line(["", "RHS", "LIM 1", "4."]), "BOUNDS",
            w.line(["UP", "BND", "X ONE", "3."]), "ENDATA"
        ].joined(separator: "\n")
        let m = try MPS.parse(text, format: .fixed)
        #expect(m.columnName(0) == "X ONE" && m.rowName(0) == "LIM 1")
        #expect(m.rowUpper[0] == 4 && m.columnUpper[0] == 3)
    }

    static let badFiles: [(String, String, Int?)] = [
        ("truncated", "NAME t\nROWS\n N obj\n L c\nCOLUMNS\n    x obj 1 c 1\n", 6),
        ("unknown section", "NAME t\nROWS\n N obj\nCOLUMNZ\n", 4),
        ("non-numeric value", "NAME t\nROWS\n N obj\n L c\nCOLUMNS\n    x obj one\nENDATA\n", 6),
        ("NaN", "NAME t\nROWS\n N obj\n L c\nCOLUMNS\n    x obj 1 c NaN\nENDATA\n", 6),
        ("lower above upper", "NAME t\nROWS\n N obj\nCOLUMNS\n    x obj 1\nBOUNDS\n LO BND x 5\n UP BND x 3\nENDATA\n", 8),
        ("duplicate entry", "NAME t\nROWS\n N obj\n L c\nCOLUMNS\n    x c 1\n    x c 2\nENDATA\n", 7),
        ("duplicate row", "NAME t\nROWS\n N obj\n L c\n G c\nCOLUMNS\nENDATA\n", 5),
        ("unknown row", "NAME t\nROWS\n N obj\nCOLUMNS\n    x d 1\nENDATA\n", 5),
        ("unknown bound type", "NAME t\nROWS\n N obj\nCOLUMNS\n    x obj 1\nBOUNDS\n XX BND x 1\nENDATA\n", 7),
        ("empty", "", nil),
        ("comments only", "* nothing\n\n", nil),
        ("bad sense", "NAME t\nOBJSENSE\n    SIDEWAYS\nROWS\n", 3)
    ]

    @Test(arguments: badFiles.indices)
    func malformedFilesNameTheLine(_ k: Int) {
        let (label, text, line) = Self.badFiles[k]
        expectRefusal(label, file: "bad.mps", line: line) { try MPS.parse(text, file: "bad.mps") }
    }

    @Test func writerKeepsFullPrecisionInFreeFormat() throws {
        var m = Model()
        let x = m.addVariable(lower: 0.1, upper: 1.0 / 3.0, name: "x")
        m.add(0.30000000000000004 * x <= 2.0 / 7.0)
        m.setObjective(LinearExpression(x) + 1e-7, sense: .maximize)
        let back = try MPS.parse(MPS.write(m))
        #expect(back.columnUpper[0] == 1.0 / 3.0 && back.rowUpper[0] == 2.0 / 7.0)
        #expect(back.rowValues[0] == 0.30000000000000004 && back.objectiveConstant == 1e-7)
    }
}

@Suite struct LPFormatTests {
    @Test func readsTheCPLEXFormat() throws {
        let text = """
            \\ a comment
            Maximize
             profit: 3 x + 2 y
               - z + 4
            Subject To
             c1: x + y <= 4
             c2: x + 3 y >= -2.5e0
             r: 1 <= x - z <= 5
             -x + 2 y = 1
            Bounds
             x <= 10
             -3 <= z <= 3
             w free
            General
             y
            Binary
             b
            End
            """
        let m = try LPFormat.parse(text)
        #expect(m.sense == .maximize && m.objectiveConstant == 4 && m.objectiveName == "profit")
        #expect(m.variableCount == 5 && m.constraintCount == 4)
        #expect(m.rowLower[2] == 1 && m.rowUpper[2] == 5)
        #expect(m.rowLower[3] == 1 && m.rowUpper[3] == 1)
        #expect(m.columnUpper[0] == 10 && m.columnLower[2] == -3 && m.columnLower[3] == -.infinity)
        #expect(m.kinds[1] == .integer && m.kinds[4] == .binary)
    }

    static let badFiles: [(String, String, Int?)] = [
        ("truncated", "Minimize\n obj: x\nSubject To\n c: x >= 1\n", 4),
        ("no comparison", "Minimize\n obj: x\nSubject To\n c: x + y\nEnd\n", 4),
        ("bad character", "Minimize\n obj: x ^^ y\nEnd\n", 2),
        ("NaN", "Minimize\n obj: x\nSubject To\n c: x >= nan\nEnd\n", 4),
        ("lower above upper", "Minimize\n obj: x\nBounds\n 5 <= x <= 2\nEnd\n", 4),
        ("empty", "", nil),
        ("no objective", "Subject To\n c: x >= 1\nEnd\n", 1)
    ]

    @Test(arguments: badFiles.indices)
    func malformedFilesAreRefused(_ k: Int) {
        let (label, text, line) = Self.badFiles[k]
        expectRefusal(label, file: "bad.lp", line: line) { try LPFormat.parse(text, file: "bad.lp") }
    }
}

/// Expects `parse` to throw a ``ModelFileError`` naming `file` and exactly `line` (nil: no line, e.g. empty).
func expectRefusal(_ label: String, file: String, line: Int?, _ parse: () throws -> Model) {
    do {
        _ = try parse()
        Issue.record("\(label): no error")
    } catch let e as ModelFileError {
        #expect(e.line == line, "\(label): \(e)")
        #expect(e.description.hasPrefix(file), "\(label): \(e)")
    } catch { Issue.record("\(label): unexpected \(error)") }
}
