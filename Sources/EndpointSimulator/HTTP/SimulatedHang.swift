import NIOCore
import ServiceLifecycle

/// The hang fault: hold a request without answering until the hang duration passes, the client
/// goes away, or the server shuts down (so a hung request never delays a graceful stop).
enum SimulatedHang {
    enum Outcome: Sendable, Hashable { case elapsed, clientLeft, stopped }

    static func hold(for duration: Duration, channel: any Channel) async -> Outcome {
        guard let departure = await ClientDeparture.watch(channel) else { return .clientLeft }
        return await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Outcome.self) { group in
                group.addTask {
                    do {
                        try await Task.sleep(for: duration)
                        return .elapsed
                    } catch {
                        return .stopped
                    }
                }
                group.addTask { (try? await departure.clientLeft.get()) == true ? .clientLeft : .stopped }
                let first = await group.next() ?? .stopped
                group.cancelAll()
                await departure.end()
                return first
            }
        }
    }
}
