/// All-time counters plus one ``Tally`` per second for the last minute, so `/sim/stats` can
/// show recent rates (last 10 s, last 60 s) for a few dozen integer additions per request.
struct StatsRecorder: Sendable {
    static let windowSeconds = 60
    private(set) var totals = Tally()
    private var slots: [(second: Int, tally: Tally)] = Array(repeating: (-1, Tally()), count: windowSeconds)

    mutating func add(_ change: Tally, atSecond second: Int) {
        totals = totals + change
        let index = second % Self.windowSeconds
        if slots[index].second != second { slots[index] = (second, Tally()) }
        slots[index].tally = slots[index].tally + change
    }

    /// The sum over the last `seconds` seconds, the current one included.
    func window(_ seconds: Int, endingAt second: Int) -> Tally {
        slots.filter { $0.second > second - seconds && $0.second <= second }.reduce(Tally()) { $0 + $1.tally }
    }
}
