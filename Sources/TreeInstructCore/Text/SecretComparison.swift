/// Compares a secret someone presented with the expected one in time that depends only on
/// their lengths, so a caller cannot learn the secret byte by byte from response times.
public enum SecretComparison {
    public static func matches(_ presented: some StringProtocol, _ expected: String) -> Bool {
        let (given, wanted) = (Array(presented.utf8), Array(expected.utf8))
        guard given.count == wanted.count else { return false }
        return zip(given, wanted).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
