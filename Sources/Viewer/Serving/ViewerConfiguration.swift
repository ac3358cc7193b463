import TreeInstructCore

/// Where the viewer listens and who may look.
public struct ViewerConfiguration: Sendable {
    /// The address to bind (default 127.0.0.1: this machine only).
    public var host: String
    /// The port (default 8321; 0 picks a free one).
    public var port: Int
    /// When set, every request must present it (a cookie set by `/?token=…`, or
    /// `Authorization: Bearer …`). Default none.
    public var accessToken: String?
    /// Prices per million tokens for the cost column (default none: no cost shown).
    public var prices: TokenPrices
    /// Rows per list page (default 50).
    public var pageSize: Int

    public init(host: String = "127.0.0.1", port: Int = 8321, accessToken: String? = nil, prices: TokenPrices = .init(), pageSize: Int = 50) {
        self.host = host
        self.port = port
        self.accessToken = accessToken
        self.prices = prices
        self.pageSize = pageSize
    }

    /// Why `token` cannot be an access token, or nil: 16 to 256 characters from letters, digits
    /// and `-._~` (it travels in a cookie and a URL as it is).
    public static func tokenProblem(_ token: String) -> String? {
        let allowed = token.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || "-._~".utf8.contains(byte)
        }
        guard (16...256).contains(token.utf8.count) else { return "must be 16 to 256 characters long, is \(token.utf8.count)" }
        return allowed ? nil : "may hold only letters, digits and - . _ ~"
    }
}

/// A run as pages link to it: by id (names may hold any printable character).
struct RunRef: Sendable {
    var id: Int64
    var name: String
}
