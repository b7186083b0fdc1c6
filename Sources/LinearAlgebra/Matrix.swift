/// A dense row-major matrix of `Float` or `Double`, the operand of every BLAS/LAPACK call in PeerGrid.
///
/// Storage is one contiguous array (`rows * columns`, row major), so a `Matrix` hands itself to OpenBLAS without
/// copying. Value semantics: copies are cheap until written (copy on write of the underlying array).
public struct Matrix<Scalar: BLASScalar>: Equatable, Sendable {
    /// Number of rows.
    public let rows: Int
    /// Number of columns.
    public let columns: Int
    /// Elements in row-major order: element (i, j) is `elements[i * columns + j]`.
    public var elements: [Scalar]

    /// A matrix filled with `value`. Negative dimensions throw.
    @inlinable
    public init(rows: Int, columns: Int, repeating value: Scalar = 0) throws {
        guard rows >= 0, columns >= 0 else {
            throw LinearAlgebraError.shapeMismatch(operation: "Matrix", detail: "negative dimension \(rows)x\(columns)")
        }
        self.rows = rows
        self.columns = columns
        self.elements = Array(repeating: value, count: rows * columns)
    }

    /// A matrix over the given row-major elements; their count must be `rows * columns`.
    @inlinable
    public init(rows: Int, columns: Int, elements: [Scalar]) throws {
        guard rows >= 0, columns >= 0, elements.count == rows * columns else {
            throw LinearAlgebraError.shapeMismatch(
                operation: "Matrix", detail: "\(elements.count) elements for a \(rows)x\(columns) matrix")
        }
        self.rows = rows
        self.columns = columns
        self.elements = elements
    }

    /// A matrix from nested rows; all rows must have the same length.
    public init(_ rowArrays: [[Scalar]]) throws {
        let n = rowArrays.first?.count ?? 0
        guard rowArrays.allSatisfy({ $0.count == n }) else {
            throw LinearAlgebraError.shapeMismatch(operation: "Matrix", detail: "rows of different lengths")
        }
        try self.init(rows: rowArrays.count, columns: n, elements: rowArrays.flatMap { $0 })
    }

    /// The n x n identity.
    public static func identity(_ n: Int) throws -> Matrix {
        var m = try Matrix(rows: n, columns: n)
        for i in 0..<n { m.elements[i * n + i] = 1 }
        return m
    }

    /// Element (i, j). Indices are the caller's responsibility, as for `Array`.
    @inlinable
    public subscript(i: Int, j: Int) -> Scalar {
        get { elements[i * columns + j] }
        set { elements[i * columns + j] = newValue }
    }

    /// The transpose (a copy).
    public var transposed: Matrix {
        var t = Matrix(uncheckedRows: columns, columns: rows)
        for i in 0..<rows { for j in 0..<columns { t.elements[j * rows + i] = elements[i * columns + j] } }
        return t
    }

    @usableFromInline
    init(uncheckedRows rows: Int, columns: Int) {
        self.rows = rows
        self.columns = columns
        self.elements = Array(repeating: 0, count: rows * columns)
    }
}
