import Foundation

/// Runs a program to its end with posix_spawn and a blocking waitpid. Foundation's Process can
/// miss a child's exit on Linux (the child is left a zombie and `waitUntilExit` never returns),
/// most often when other children start and end around it, as they do in tests and in pg_ctl.
public enum ChildProcess {
    /// Runs `arguments[0]` (a path) with the rest as its arguments, standard input from
    /// /dev/null, standard output into the file at `outputPath` and standard error there too, or
    /// into `errorPath`; returns its exit status (128 + the signal's number when a signal ended
    /// it). `environment` nil: ours.
    ///
    /// It blocks its thread until the child ends: from async code use `finished`, which waits on
    /// a thread of its own.
    public static func run(
        _ arguments: [String], environment: [String: String]? = nil, outputPath: String,
        errorPath: String? = nil
    ) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        // A file, not a pipe: a daemon the child starts (pg_ctl's server) inherits it, and a
        // pipe would never close.
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        if let errorPath {
            posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        } else {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        var cArguments = arguments.map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        let cEnvironment = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { for pointer in cEnvironment ?? [] { free(pointer) } }
        var pid = pid_t()
        let spawned: Int32
        if var cEnvironment {
            spawned = posix_spawn(&pid, arguments[0], &actions, nil, &cArguments, &cEnvironment)
        } else {
            spawned = posix_spawn(&pid, arguments[0], &actions, nil, &cArguments, environ)
        }
        guard spawned == 0 else { throw EmbeddedPostgresError("cannot run \(arguments[0]): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// `run`, waited for on a thread of its own: a blocking waitpid on one of the few threads
    /// that run all async code (one per core) would stall every task of the process until the
    /// child ends.
    public static func finished(
        _ arguments: [String], environment: [String: String]? = nil, outputPath: String,
        errorPath: String? = nil
    ) async throws -> Int32 {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(
                    with: Result { try run(arguments, environment: environment, outputPath: outputPath, errorPath: errorPath) })
            }
        }
    }
}
