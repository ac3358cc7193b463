/// The content-hash prefixes a submit has read, in one flat table: the prefixes are SHA-256
/// bytes, already as evenly spread as a hash could make them, so they index the table as they
/// are (a `Set` would hash them again, a fifth of the submit's own time). Open addressing, at
/// most half full; 16 MB per million prefixes.
struct HashPrefixSet {
    private var slots: [UInt64]
    private(set) var count = 0
    /// Prefixes kept at most; past it every insert answers false (default: no limit).
    let limit: Int

    init(capacity: Int = 1 << 16, limit: Int = .max) {
        slots = Array(repeating: 0, count: max(16, capacity).nextPowerOfTwo)
        self.limit = limit
    }

    /// Adds `prefix`; false when it was there already, or when the table is full. Zero, the
    /// empty slot's mark, is stored as one: the two then read as the same prefix, which only
    /// sends a record to the checked insert (a repeat is never missed).
    mutating func insert(_ prefix: UInt64) -> Bool {
        guard count < limit else { return false }
        if (count + 1) * 2 > slots.count { grow() }
        let key = prefix == 0 ? 1 : prefix
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: key) & mask
        while slots[slot] != 0 {
            if slots[slot] == key { return false }
            slot = (slot + 1) & mask
        }
        slots[slot] = key
        count += 1
        return true
    }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: 0, count: old.count * 2)
        count = 0
        for key in old where key != 0 { _ = insert(key) }
    }
}

extension Int {
    fileprivate var nextPowerOfTwo: Int { self <= 1 ? 1 : 1 << (Int.bitWidth - (self - 1).leadingZeroBitCount) }
}
