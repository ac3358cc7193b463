import TreeInstructCore

/// `--json` output: one compact JSON document per line, keys sorted.
enum JSONOutput {
    static func render(_ value: JSONValue) -> String { value.compactText }
}
