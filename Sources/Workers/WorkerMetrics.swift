import Metrics

/// Handles on the worker's metrics. swift-metrics hands back the same metric for the same label,
/// so each worker may make its own; each name has one type and one label set, as Prometheus
/// requires. No-ops until the process bootstraps a metrics backend.
struct WorkerMetrics: Sendable {
    let claimed = Counter(label: "treeinstruct_tasks_claimed_total")
    let succeeded = Counter(label: "treeinstruct_tasks_succeeded_total")
    let inFlight = Meter(label: "treeinstruct_llm_calls_in_flight")
    let latency = Timer(label: "treeinstruct_llm_latency_seconds", preferredDisplayUnit: .seconds)
    let promptTokens = Counter(label: "treeinstruct_prompt_tokens_total")
    let completionTokens = Counter(label: "treeinstruct_completion_tokens_total")
    let throttled = Counter(label: "treeinstruct_llm_throttled_total")
    let rateLimitWait = Timer(label: "treeinstruct_rate_limit_wait_seconds", preferredDisplayUnit: .seconds)
    let staleCompletions = Counter(label: "treeinstruct_stale_completions_total")
    /// The same outcomes, kept for the worker's minute summary in its log.
    let tally = WorkerTally()

    func failed(code: String) -> Counter {
        Counter(label: "treeinstruct_tasks_failed_total", dimensions: [("code", code)])
    }

    func accepted() {
        succeeded.increment()
        tally.accepted()
    }

    func rejected(code: String) {
        failed(code: code).increment()
        tally.rejected(code: code)
    }

    func errored(code: String, throttled isThrottle: Bool) {
        failed(code: code).increment()
        tally.error(code: code)
        if isThrottle {
            throttled.increment()
            tally.throttled()
        }
    }
}
