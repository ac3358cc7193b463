import NIOCore

/// Tells when the client of a connection goes away. Hummingbird does not cancel a handler when
/// its client disconnects, so a simulated hang watches the channel itself: a handler put first
/// in the pipeline reports the read side closing (the server allows half-closure) or the
/// channel going inactive.
struct DisconnectWatch: Sendable {
    /// True when the client left; false when the watch was removed first.
    let clientLeft: EventLoopFuture<Bool>
    private let channel: any Channel
    private let observer: NIOLoopBound<DisconnectObserver>

    /// Nil when the channel is already closed.
    static func install(on channel: any Channel) async -> DisconnectWatch? {
        try? await channel.eventLoop.submit {
            let promise = channel.eventLoop.makePromise(of: Bool.self)
            let observer = DisconnectObserver(promise: promise)
            guard channel.isActive else {
                promise.succeed(true)
                throw ChannelError.ioOnClosedChannel
            }
            try channel.pipeline.syncOperations.addHandler(observer, position: .first)
            return DisconnectWatch(
                clientLeft: promise.futureResult, channel: channel,
                observer: NIOLoopBound(observer, eventLoop: channel.eventLoop))
        }.get()
    }

    /// Takes the handler out again; `clientLeft` then resolves (false if nothing happened).
    func remove() async {
        let observer = self.observer
        let channel = self.channel
        _ = try? await channel.eventLoop.submit {
            observer.value.finish(clientLeft: false)
            _ = channel.pipeline.syncOperations.removeHandler(observer.value)
        }.get()
    }
}

/// The pipeline handler behind ``DisconnectWatch``; passes everything through unchanged.
final class DisconnectObserver: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let promise: EventLoopPromise<Bool>
    private var finished = false

    init(promise: EventLoopPromise<Bool>) {
        self.promise = promise
    }

    func finish(clientLeft: Bool) {
        guard !finished else { return }
        finished = true
        promise.succeed(clientLeft)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed { finish(clientLeft: true) }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(clientLeft: true)
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        finish(clientLeft: false)
    }
}
