/// One JSON object written field by field, for texts built on every call (request bodies): the
/// caller gives the keys in sorted order, as `JSONWriter` would write them, and may insert text
/// that is JSON already (a schema written once) without parsing it again.
public struct JSONObjectWriter {
    private var bytes: [UInt8]

    public init(capacity: Int = 256) {
        bytes = [UInt8(ascii: "{")]
        bytes.reserveCapacity(capacity)
    }

    public mutating func field(_ key: String, _ value: JSONValue) {
        startField(key)
        JSONWriter.write(value, into: &bytes)
    }

    /// A whole number, or nothing when `value` is nil (the key is left out).
    public mutating func field(_ key: String, integer value: (some BinaryInteger)?) {
        guard let value else { return }
        field(key, .number(Double(value)))
    }

    /// `json` must be one JSON value as text; it is copied as it is.
    public mutating func field(_ key: String, rawJSON json: String) {
        startField(key)
        bytes.append(contentsOf: json.utf8)
    }

    /// The object's text, closed.
    public var finished: String {
        String(decoding: bytes + [UInt8(ascii: "}")], as: UTF8.self)
    }

    private mutating func startField(_ key: String) {
        if bytes.count > 1 { bytes.append(UInt8(ascii: ",")) }
        JSONWriter.writeString(key, into: &bytes)
        bytes.append(UInt8(ascii: ":"))
    }
}
