import Logging
import ServiceLifecycle

extension SimulatorServer {
    /// Runs a simulator on `configuration.host` (port 0: any free port) for the duration of
    /// `body`, which gets its base URL (`http://host:port/v1`), then stops it gracefully.
    /// For the `local --simulate` dry run, tests and benchmarks.
    public static func withRunning<T: Sendable>(
        _ configuration: SimulatorConfiguration, logger: Logger = Logger(label: "treeinstruct.sim"),
        _ body: @Sendable (String) async throws -> T
    ) async throws -> T {
        let server = SimulatorServer(configuration: configuration, logger: logger)
        let group = ServiceGroup(services: [server], logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let port = try await server.boundPort()
            let result: Result<T, any Error>
            do { result = .success(try await body("http://\(configuration.host):\(port)/v1")) } catch { result = .failure(error) }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return try result.get()
        }
    }
}
