/// A 200 body a client cannot parse: the real envelope cut off, or an HTML error page from a
/// proxy, both seen in the wild.
enum MalformedBody {
    static func make(from body: String, random: inout SeededRandom) -> String {
        if random.coin() {
            return String(decoding: body.utf8.prefix(max(1, body.utf8.count / 2)), as: UTF8.self)
        }
        return "<html><body><h1>502 Bad Gateway</h1><p>TreeInstruct endpoint simulator: simulated malformed body.</p></body></html>"
    }
}
