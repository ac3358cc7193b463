/// Where batch-mode runs go: the provider's Batch API and the store's batches.
public struct BatchAPI: Sendable {
    public var provider: any BatchProviding
    public var store: any BatchStore

    public init(provider: any BatchProviding, store: any BatchStore) {
        self.provider = provider
        self.store = store
    }
}
