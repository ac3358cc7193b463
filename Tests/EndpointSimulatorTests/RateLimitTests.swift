import EndpointSimulator
import Foundation
import Testing
import TreeInstructCore

/// 429s over HTTP with every header OpenAI sends; the limits are chosen so refill during a
/// test (seconds per request) cannot let a second request slip through on a slow machine.
@Suite("Rate limits over HTTP")
struct RateLimitTests {
    static let hello = #"{"messages":[{"role":"user","content":"Hi"}],"max_tokens":60}"#
    static func isResetDuration(_ text: String) -> Bool {
        text.wholeMatch(of: #/(\d+h)?(\d+m)?(\d+(\.\d+)?s|\d+ms)/#) != nil
    }

    static func expectRateLimitHeaders(_ reply: SimulatorHarness.Reply, requests: Bool, tokens: Bool) {
        for (kind, present) in [("requests", requests), ("tokens", tokens)] {
            for field in ["limit", "remaining", "reset"] {
                let value = reply.header("x-ratelimit-\(field)-\(kind)")
                #expect((value != nil) == present, "x-ratelimit-\(field)-\(kind) on \(reply.status)")
                if field == "reset", let value { #expect(isResetDuration(value), "\(value)") }
            }
        }
    }

    @Test func overRequestsPerMinuteGives429WithRetryAfterSeconds() async throws {
        try await SimulatorHarness.with(.init(rateLimits: .init(requestsPerMinute: 6))) { sim in
            let first = try await sim.send(.POST, "/v1/chat/completions", body: Self.hello)
            #expect(first.status == 200)
            Self.expectRateLimitHeaders(first, requests: true, tokens: false)
            #expect(first.header("x-ratelimit-limit-requests") == "6")
            #expect(first.header("x-ratelimit-remaining-requests") == "0")
            let second = try await sim.send(.POST, "/v1/chat/completions", body: Self.hello)
            #expect(second.status == 429)
            Self.expectRateLimitHeaders(second, requests: true, tokens: false)
            #expect(second.errorType == "requests")
            #expect(second.json?["error"]?["code"] == "rate_limit_exceeded")
            // 6 RPM refills one request in 10 s; the first left the bucket empty.
            let retryAfter = try #require(second.header("retry-after").flatMap(Int.init))
            #expect((9...10).contains(retryAfter))
            let retryAfterMilliseconds = try #require(second.header("retry-after-ms").flatMap(Int.init))
            #expect((8_000...10_000).contains(retryAfterMilliseconds))
            let reset = try #require(second.header("x-ratelimit-reset-requests"))
            #expect(reset.hasSuffix("s") && !reset.hasSuffix("ms"), "\(reset)")
            let stats = try await sim.stats()
            #expect(stats["totals"]?["rate_limited_429"]?.int == 1)
            #expect(stats["totals"]?["succeeded"]?.int == 1)
        }
    }

    @Test func overTokensPerMinuteGives429WithRetryAfterDate() async throws {
        let limits = RateLimitConfiguration(tokensPerMinute: 600, retryAfterFormat: .httpDate)
        try await SimulatorHarness.with(.init(rateLimits: limits)) { sim in
            // Each request costs 1 prompt token + max_tokens 60 = 61 of a 10-token bucket
            // refilled at 10/s: the first goes through into debt, the next waits about 6 s.
            let first = try await sim.send(.POST, "/v1/chat/completions", body: Self.hello)
            #expect(first.status == 200)
            Self.expectRateLimitHeaders(first, requests: false, tokens: true)
            #expect(first.header("x-ratelimit-limit-tokens") == "600")
            let before = Date()
            let second = try await sim.send(.POST, "/v1/chat/completions", body: Self.hello)
            #expect(second.status == 429)
            #expect(second.errorType == "tokens")
            Self.expectRateLimitHeaders(second, requests: false, tokens: true)
            let header = try #require(second.header("retry-after"))
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
            let date = try #require(formatter.date(from: header), "\(header)")
            #expect(date.timeIntervalSince(before) > 4 && date.timeIntervalSince(before) < 9, "\(header)")
            let milliseconds = try #require(second.header("retry-after-ms").flatMap(Int.init))
            #expect((5_000...6_200).contains(milliseconds))
            // A request larger than a whole minute's tokens can never pass: 429 without Retry-After.
            let huge = try await sim.send(.POST, "/v1/chat/completions", body: #"{"messages":[{"role":"user","content":"Hi"}],"max_tokens":5000}"#)
            #expect(huge.status == 429)
            #expect(huge.header("retry-after") == nil)
            #expect(huge.body.contains("Request too large"))
        }
    }

    @Test func bothLimitsReportedOnEveryResponse() async throws {
        let limits = RateLimitConfiguration(requestsPerMinute: 600, tokensPerMinute: 100_000, burstSeconds: 2)
        try await SimulatorHarness.with(.init(rateLimits: limits)) { sim in
            let ok = try await sim.send(.POST, "/v1/chat/completions", body: Self.hello)
            Self.expectRateLimitHeaders(ok, requests: true, tokens: true)
            #expect(ok.header("x-ratelimit-remaining-requests") == "19")
            let bad = try await sim.send(.POST, "/v1/chat/completions", body: "{")
            #expect(bad.status == 400)
            Self.expectRateLimitHeaders(bad, requests: true, tokens: true)
        }
    }
}
