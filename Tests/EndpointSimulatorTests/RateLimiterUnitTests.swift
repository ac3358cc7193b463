@testable import EndpointSimulator
import Testing

/// The bucket arithmetic and header formats, on an explicit clock.
@Suite("Rate limiter arithmetic")
struct RateLimiterUnitTests {
    @Test func burstThenRefillAtLimitPerSecond() {
        var limiter = RateLimiter(.init(requestsPerMinute: 600), now: 0)
        for _ in 0..<10 { #expect(limiter.admit(tokenCost: 1, now: 0).isAdmitted) }
        guard case .limited(let rejection) = limiter.admit(tokenCost: 1, now: 0) else {
            Issue.record("the 11th request in the same instant was admitted")
            return
        }
        #expect(abs((rejection.retryAfterSeconds ?? 0) - 0.1) < 1e-9)
        #expect(!limiter.admit(tokenCost: 1, now: 0.05).isAdmitted)
        #expect(limiter.admit(tokenCost: 1, now: 0.1).isAdmitted)
        #expect(limiter.admit(tokenCost: 1, now: 0.31).isAdmitted)
        #expect(limiter.admit(tokenCost: 1, now: 0.31).isAdmitted)
        #expect(!limiter.admit(tokenCost: 1, now: 0.31).isAdmitted)
    }

    @Test func tokensAreCheckedAndTakenWithRequests() {
        var limiter = RateLimiter(.init(requestsPerMinute: 6000, tokensPerMinute: 6000), now: 0)
        #expect(limiter.admit(tokenCost: 60, now: 0).isAdmitted)
        #expect(limiter.admit(tokenCost: 40, now: 0).isAdmitted)
        guard case .limited(let rejection) = limiter.admit(tokenCost: 50, now: 0) else {
            Issue.record("over the token bucket but admitted")
            return
        }
        #expect(rejection.limit == .tokens)
        #expect(abs((rejection.retryAfterSeconds ?? 0) - 0.5) < 1e-9)
        // A refused request takes nothing: 100 requests' worth of the request bucket is left.
        #expect(limiter.currentStatus(now: 0).requests?.remaining == 98)
        if case .tooLarge = limiter.admit(tokenCost: 6001, now: 10) {} else { Issue.record("6001 tokens of 6000/min not too large") }
    }

    @Test func costAboveCapacityRunsIntoDebt() {
        var limiter = RateLimiter(.init(requestsPerMinute: 6), now: 0)  // capacity 0.1 request
        #expect(limiter.admit(tokenCost: 1, now: 0).isAdmitted)
        #expect(!limiter.admit(tokenCost: 1, now: 9.9).isAdmitted)
        #expect(limiter.admit(tokenCost: 1, now: 10).isAdmitted)
    }

    @Test func openAIDurationFormat() {
        #expect(RateLimitHeaders.duration(seconds: 0) == "0s")
        #expect(RateLimitHeaders.duration(seconds: 0.12) == "120ms")
        #expect(RateLimitHeaders.duration(seconds: 0.0001) == "1ms")
        #expect(RateLimitHeaders.duration(seconds: 1) == "1s")
        #expect(RateLimitHeaders.duration(seconds: 1.5) == "1.5s")
        #expect(RateLimitHeaders.duration(seconds: 360) == "6m0s")
        #expect(RateLimitHeaders.duration(seconds: 3725.25) == "1h2m5.25s")
    }

    @Test func httpDateFormat() {
        #expect(HTTPDate.format(unixSeconds: 784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.format(unixSeconds: 0) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(HTTPDate.format(unixSeconds: 1_709_210_096) == "Thu, 29 Feb 2024 12:34:56 GMT")
    }
}

extension RateLimitDecision {
    var isAdmitted: Bool {
        if case .admitted = self { return true }
        return false
    }
}
