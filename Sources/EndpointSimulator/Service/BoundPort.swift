/// Hands the listening port from the server's start callback to whoever asks for it, whether
/// they ask before or after the server is up.
actor BoundPort {
    private var result: Result<Int, any Error>?
    private var waiters: [CheckedContinuation<Int, any Error>] = []

    func report(_ port: Int?) {
        settle(port.map { .success($0) } ?? .failure(SimulatorError.noPort))
    }

    func fail(_ error: any Error) {
        settle(.failure(error))
    }

    func value() async throws -> Int {
        if let result { return try result.get() }
        return try await withCheckedThrowingContinuation { waiters.append($0) }
    }

    /// The first outcome wins: a port reported stays valid for as long as the server runs.
    private func settle(_ outcome: Result<Int, any Error>) {
        if case .success = result { if case .failure(SimulatorError.stopped) = outcome { result = outcome }; return }
        guard result == nil else { return }
        result = outcome
        for waiter in waiters { waiter.resume(with: outcome) }
        waiters.removeAll()
    }
}
