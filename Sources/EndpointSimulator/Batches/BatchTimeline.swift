/// When a batch passes each status, worked out from its creation, the profile and a cancel, so
/// a batch's state is computed whenever it is read and nothing runs in the background. Times
/// are seconds on the store's clock.
///
/// Validating takes the first tenth of the completion delay, finalizing the last tenth, and
/// requests are answered at an even pace in between. A batch that cannot finish in its window
/// (or is chosen to expire) is `expired` at the window's end; one chosen to expire is paced to
/// have half its requests answered by then.
struct BatchTimeline: Sendable, Hashable {
    enum Status: String, Sendable, Hashable {
        case validating, failed
        case inProgress = "in_progress"
        case finalizing, completed, expired, cancelling, cancelled

        var isFinished: Bool { [.failed, .completed, .expired, .cancelled].contains(self) }
        var isCancellable: Bool { [.validating, .inProgress, .finalizing].contains(self) }
    }

    let created: Double
    let expiresAt: Double
    let validatingEnds: Double
    /// When every request would be answered, were the batch to run on.
    let progressEnds: Double
    let completesAt: Double
    let expires: Bool
    /// Validation failed: the batch ends `failed` when validating ends.
    let failsValidation: Bool
    private(set) var cancelRequested: Double?
    let cancelDuration: Double

    init(created: Double, profile: BatchProfile, chosenToExpire: Bool, failsValidation: Bool) {
        let delay = profile.completionDelay.seconds
        self.created = created
        self.failsValidation = failsValidation
        expiresAt = created + profile.window.seconds
        validatingEnds = created + delay * 0.1
        completesAt = created + delay
        expires = chosenToExpire || completesAt > expiresAt
        progressEnds = chosenToExpire ? max(validatingEnds + 2 * (expiresAt - validatingEnds), validatingEnds) : created + delay * 0.9
        cancelDuration = delay * 0.1
    }

    /// Each status reached by `now` with the time it was reached, oldest first.
    func events(at now: Double) -> [(status: Status, time: Double)] {
        var events: [(status: Status, time: Double)] = [(.validating, created)]
        if failsValidation {
            events.append((.failed, validatingEnds))
        } else if expires {
            if validatingEnds < expiresAt { events.append((.inProgress, validatingEnds)) }
            events.append((.expired, expiresAt))
        } else {
            events += [(.inProgress, validatingEnds), (.finalizing, progressEnds), (.completed, completesAt)]
        }
        if let cancelRequested {
            events.removeAll { $0.time > cancelRequested }
            events += [(.cancelling, cancelRequested), (.cancelled, cancelRequested + cancelDuration)]
        }
        return events.filter { $0.time <= now }
    }

    func status(at now: Double) -> Status { events(at: now).last?.status ?? .validating }

    /// When the batch stops answering requests: the cancel, expiry or end of progress.
    var stopsAnswering: Double {
        min(cancelRequested ?? .infinity, expires ? expiresAt : progressEnds)
    }

    /// How many of `total` requests have been answered (or failed) by `now`.
    func processed(of total: Int, at now: Double) -> Int {
        guard !failsValidation else { return 0 }
        let until = min(now, stopsAnswering)
        guard until >= validatingEnds else { return 0 }
        guard progressEnds > validatingEnds else { return total }
        let fraction = min(1, (until - validatingEnds) / (progressEnds - validatingEnds))
        // The epsilon keeps float error from losing a request at an exact share (half at expiry).
        return min(total, Int(Double(total) * fraction + 1e-9))
    }

    /// Records a cancel at `now`; false when the batch can no longer be cancelled.
    mutating func cancel(at now: Double) -> Bool {
        guard status(at: now).isCancellable else { return false }
        cancelRequested = now
        return true
    }
}
