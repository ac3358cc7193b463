import Coordinator
import Foundation
import TaskStore
import TreeInstructCore

/// `local`'s progress while its workers run: on a terminal, one line redrawn in place every
/// 2 s (the bar, rows, rate and ETA of `status`); into a file or a pipe, `status --watch`'s
/// time-stamped plain line every 15 s. Reads the same views as `status`, so both agree.
struct LocalProgress: Sendable {
    let queue: QueueSchema
    let runName: String
    let terminal = isatty(STDOUT_FILENO) == 1

    var interval: Duration { terminal ? .seconds(2) : .seconds(15) }

    /// Draws until cancelled; a failed read skips a beat (the workers say what went wrong).
    func run() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            guard !Task.isCancelled, let snapshot = try? await StatusSnapshot.read(queue, run: runName, shards: false) else { continue }
            let text =
                terminal
                ? "\r\u{1B}[K" + (snapshot.runs.first.map(StatusView.progressLine) ?? "")
                : StatusView.lines(snapshot, StatusView.Prices()) + "\n"
            FileHandle.standardOutput.write(Data(text.utf8))
        }
        if terminal { FileHandle.standardOutput.write(Data("\r\u{1B}[K".utf8)) }
    }

    /// "resuming run seed: 120 of 175 rows already done, 3 failed": a second `local` with the
    /// same corpus finds every task in place, which "0 tasks created, 175 duplicates" does not say.
    static func resumeLine(_ summary: SubmissionSummary, queue: QueueSchema) async throws -> String? {
        guard summary.tasksCreated == 0, summary.duplicates > 0,
            let run = try await queue.progress.runProgress(run: summary.run).first
        else { return nil }
        var line = "resuming run \(PrintableName.shown(summary.run)): \(run.rowsSucceeded) of \(run.sourceRows) rows already done"
        if run.rowsFailed > 0 { line += ", \(run.rowsFailed) failed (`treeinstruct rerun` retries them)" }
        return line
    }
}

extension StatusView {
    /// One line for a terminal: "[████░░░░] 45.0% 90/200 rows, 2 failed · 30.5 tasks/min · ETA 3m20s".
    static func progressLine(_ run: RunProgress) -> String {
        "[\(bar(run.percentDone, width: 24))] \(percent(run.percentDone)) \(run.rowsSucceeded)/\(run.sourceRows) rows, \(run.rowsFailed) failed · "
            + "\(rateText(run)) · ETA \(etaText(run))"
    }
}
