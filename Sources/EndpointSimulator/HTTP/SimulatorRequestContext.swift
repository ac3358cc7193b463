import Hummingbird
import NIOCore

/// Hummingbird's basic context plus the connection's channel, which a simulated hang watches
/// to notice a client that gave up.
struct SimulatorRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
