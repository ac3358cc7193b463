import NIOCore

/// Tells when the client of a connection goes away. Hummingbird does not cancel a handler when
/// its client disconnects, so every connection carries this handler from its start (after HTTP
/// decoding, which passes the read side closing on; the server allows half-closure) and a
/// simulated hang asks it. It is there from the start, not put in when a hang begins, so a
/// client that gave up before its hang started (a short client timeout on a loaded machine) is
/// seen as gone at once rather than after the whole hang.
final class DisconnectWatch: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private var clientLeft = false
    private var waiters: [Int: EventLoopPromise<Bool>] = [:]
    private var nextWaiter = 0

    /// A future that resolves true when the client leaves (false when `release`d first), with
    /// its number for `release`; nil when the client has already left.
    func wait(on loop: any EventLoop) -> (number: Int, clientLeft: EventLoopFuture<Bool>)? {
        guard !clientLeft else { return nil }
        nextWaiter += 1
        let promise = loop.makePromise(of: Bool.self)
        waiters[nextWaiter] = promise
        return (nextWaiter, promise.futureResult)
    }

    /// Ends a wait that no longer matters: its future resolves false.
    func release(_ number: Int) {
        waiters.removeValue(forKey: number)?.succeed(false)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed { leave() }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        leave()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        for number in Array(waiters.keys) { release(number) }
    }

    private func leave() {
        clientLeft = true
        for waiter in waiters.values { waiter.succeed(true) }
        waiters = [:]
    }
}

/// One hang's wait on its connection's ``DisconnectWatch``, usable off the event loop.
struct ClientDeparture: Sendable {
    let clientLeft: EventLoopFuture<Bool>
    private let number: Int
    private let channel: any Channel

    /// Nil when the client has already left (or the channel is gone).
    static func watch(_ channel: any Channel) async -> ClientDeparture? {
        try? await channel.eventLoop.submit { () -> ClientDeparture? in
            let watch = try channel.pipeline.syncOperations.handler(type: DisconnectWatch.self)
            guard let (number, clientLeft) = watch.wait(on: channel.eventLoop) else { return nil }
            return ClientDeparture(clientLeft: clientLeft, number: number, channel: channel)
        }.get()
    }

    /// Stops waiting; `clientLeft` then resolves (false if the client is still there).
    func end() async {
        let (channel, number) = (self.channel, self.number)
        _ = try? await channel.eventLoop.submit {
            (try? channel.pipeline.syncOperations.handler(type: DisconnectWatch.self))?.release(number)
        }.get()
    }
}
