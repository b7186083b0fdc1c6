import Foundation

/// A plain-text table for the terminal: fixed-width columns, right-aligned numbers, left-aligned text; a cell
/// wider than its column is printed whole (the row then shifts, never cuts a value).
public struct TextTable: Sendable {
    /// A column: its title, its width in characters and whether its cells are left-aligned (text) or right-aligned
    /// (numbers).
    public struct Column: Sendable {
        public var title: String
        public var width: Int
        public var left: Bool
        /// Spaces printed before the column.
        public var gap: Int
        public init(_ title: String, _ width: Int, left: Bool = false, gap: Int = 0) {
            self.title = title; self.width = width; self.left = left; self.gap = gap
        }
    }

    public var columns: [Column]
    public init(_ columns: [Column]) { self.columns = columns }

    /// `s` padded to `width`, on the left (right-aligned) or on the right (left-aligned).
    public static func pad(_ s: String, _ width: Int, left: Bool = false) -> String {
        guard s.count < width else { return s }
        let fill = String(repeating: " ", count: width - s.count)
        return left ? s + fill : fill + s
    }

    /// One line of cells.
    public func line(_ cells: [String]) -> String {
        zip(columns, cells).map { c, s in String(repeating: " ", count: c.gap) + Self.pad(s, c.width, left: c.left) }.joined()
    }

    /// The header line, then one line per row.
    public func render(_ rows: [[String]]) -> String {
        ([line(columns.map(\.title))] + rows.map(line)).joined(separator: "\n")
    }
}
