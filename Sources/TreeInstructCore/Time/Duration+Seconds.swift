extension Duration {
    /// The duration in seconds, as PostgreSQL intervals, JSON and metrics want it.
    public var inSeconds: Double { self / .seconds(1) }
}
