/// A run's name: the handle every command and SQL query uses for it.
public enum RunName {
    /// 1 to 128 printable characters.
    public static let length = 1...128

    /// Why `name` cannot name a run, or nil.
    public static func problem(_ name: String) -> String? { PrintableName.problem(name, length: length) }
}
