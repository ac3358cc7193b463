import Foundation

/// Where tests find the real corpora: `TREEINSTRUCT_CORPORA` when set (for larger or other
/// copies), else `Examples/corpora` in this repository, which a clone always has.
public enum TestCorpora {
    public static let directory: String = {
        if let path = ProcessInfo.processInfo.environment["TREEINSTRUCT_CORPORA"], !path.isEmpty { return path }
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return repository.appendingPathComponent("Examples/corpora").path
    }()

    /// The path of corpus `name` (e.g. "alpaca-gpt4-1k.jsonl").
    public static func path(_ name: String) -> String { directory + "/" + name }
}
