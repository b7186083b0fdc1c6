/// Memory a layer owns between its forward and backward passes: numbered slots allocated once, grown when a
/// larger shape comes, freed in `deinit`. A layer copied (a data-parallel replica) shares its workspace until its
/// next forward pass, which gives it one of its own (``ensureUnique(_:)``), so copies never write each other's caches.
final class Workspace<T: NeuralScalar>: @unchecked Sendable {
    private var slots: [UnsafeMutableBufferPointer<T>]

    init(slots: Int) { self.slots = Array(repeating: UnsafeMutableBufferPointer(start: nil, count: 0), count: slots) }

    deinit { for s in slots { s.deallocate() } }

    /// Slot `k` with room for `count` elements (its contents kept only when it did not grow).
    func slot(_ k: Int, _ count: Int) -> UnsafeMutablePointer<T> {
        if slots[k].count < count {
            slots[k].deallocate()
            slots[k] = .allocate(capacity: count)
        }
        return slots[k].baseAddress ?? Self.empty
    }

    /// Slot `k`'s first `count` elements set to zero.
    func zeroed(_ k: Int, _ count: Int) -> UnsafeMutablePointer<T> {
        let p = slot(k, count)
        if count > 0 { p.initialize(repeating: 0, count: count) }
        return p
    }

    /// Slot `k` filled with `values`.
    func copy(_ k: Int, _ values: [T]) -> UnsafeMutablePointer<T> {
        let p = slot(k, values.count)
        values.withUnsafeBufferPointer { if let b = $0.baseAddress { p.update(from: b, count: values.count) } }
        return p
    }

    /// The first `count` elements of slot `k` as an array.
    func array(_ k: Int, from start: Int = 0, count: Int) -> [T] {
        Array(UnsafeBufferPointer(start: slots[k].baseAddress.map { $0 + start }, count: count))
    }

    /// A workspace of the same size for a layer that shares this one (see the type's documentation).
    static func ensureUnique(_ w: inout Workspace<T>, slots: Int) {
        if !isKnownUniquelyReferenced(&w) { w = Workspace(slots: slots) }
    }

    /// A non-null address for empty slots (never read or written: every count is 0 there).
    private static var empty: UnsafeMutablePointer<T> { UnsafeMutablePointer(bitPattern: MemoryLayout<T>.alignment)! }
}

extension Array {
    /// The base address of every inner array, for the duration of `body`: one closure where nested
    /// `withUnsafeBufferPointer` calls would need one per array.
    func withPointers<T, R>(_ body: ([UnsafePointer<T>]) throws -> R) rethrows -> R where Element == [T] {
        try withUnsafeBufferPointer { outer in
            func bind(_ i: Int, _ bound: [UnsafePointer<T>]) throws -> R {
                guard i < outer.count else { return try body(bound) }
                return try outer[i].withUnsafeBufferPointer {
                    try bind(i + 1, bound + [$0.baseAddress ?? UnsafePointer(bitPattern: MemoryLayout<T>.alignment)!])
                }
            }
            return try bind(0, [])
        }
    }

    /// The same, mutable.
    mutating func withMutablePointers<T, R>(_ body: ([UnsafeMutablePointer<T>]) throws -> R) rethrows -> R where Element == [T] {
        try withUnsafeMutableBufferPointer { outer in
            func bind(_ i: Int, _ bound: [UnsafeMutablePointer<T>]) throws -> R {
                guard i < outer.count else { return try body(bound) }
                return try outer[i].withUnsafeMutableBufferPointer {
                    try bind(i + 1, bound + [$0.baseAddress ?? UnsafeMutablePointer(bitPattern: MemoryLayout<T>.alignment)!])
                }
            }
            return try bind(0, [])
        }
    }
}
