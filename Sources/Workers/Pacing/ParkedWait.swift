/// Suspends the calling actor's task until whatever `park` handed the continuation to resumes
/// it, or until `deadline`, when `expire` runs: `expire` must resume that continuation if it is
/// still parked (and forget it), as the actor's own wake-up does. One timer, no polling.
///
/// The claim loop's wait for room (`InFlightTasks`) and a completion batch's wait for company
/// (`CompletionBatcher`) both wait so: woken by the event they wait for, or by their patience.
func parkedWait(
    until deadline: ContinuousClock.Instant, isolation: isolated (any Actor)? = #isolation,
    park: (CheckedContinuation<Void, Never>) -> Void, expire: @escaping @Sendable () async -> Void
) async {
    await withTaskGroup(of: Void.self) { timer in
        timer.addTask {
            try? await Task.sleep(until: deadline, clock: .continuous)
            await expire()
        }
        await withCheckedContinuation { park($0) }
        timer.cancelAll()
    }
}
