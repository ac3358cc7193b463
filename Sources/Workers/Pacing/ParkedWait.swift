/// Suspends the calling actor's task until whatever `park` handed the continuation to resumes
/// it, or until `deadline`. `park` runs on the calling actor, in the same turn as the caller's
/// last check of what it waits for, so no wake-up can fall between the two.
///
/// `expire` runs once the wait is over, whichever way: at the deadline, or at once when the
/// continuation was resumed first or the task was cancelled (the timer's sleep ends then). It
/// must resume the continuation if it is still parked (and forget it), and do nothing
/// otherwise; it has finished before `parkedWait` returns, so it cannot end a later wait.
///
/// The claim loop's wait for room (`InFlightTasks`) and a completion batch's wait for company
/// (`CompletionBatcher`) both wait so: woken by the event they wait for, or by their patience.
func parkedWait(
    until deadline: ContinuousClock.Instant, isolation: isolated (any Actor)? = #isolation,
    park: (CheckedContinuation<Void, Never>) -> Void, expire: @escaping @Sendable () async -> Void
) async {
    // Both closures name `isolation`: a closure is isolated to an isolated parameter only when it
    // captures it, and without that the body ran on the global executor and wrote the actor's
    // state from there (ParkedWaitTests; the compiler does not flag it).
    await withTaskGroup(of: Void.self, isolation: isolation) { timer in
        timer.addTask {
            try? await Task.sleep(until: deadline, clock: .continuous)
            await expire()
        }
        await withCheckedContinuation(isolation: isolation) { park($0) }
        timer.cancelAll()
    }
}
