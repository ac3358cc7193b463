import TaskStore

/// A run's or shard's rows as one bar of four segments (succeeded, failed, cancelled, still
/// open), drawn as inline SVG: sizes are SVG attributes, which a strict Content-Security-Policy
/// allows where an inline `style` would be refused. The live script moves the same attributes.
enum ProgressBar {
    struct Segments {
        var succeeded: Int
        var failed: Int
        var cancelled: Int
        var open: Int

        var total: Int { succeeded + failed + cancelled + open }

        init(succeeded: Int, failed: Int, cancelled: Int, total: Int) {
            (self.succeeded, self.failed, self.cancelled) = (succeeded, failed, cancelled)
            open = max(0, total - succeeded - failed - cancelled)
        }

        init(_ run: RunProgress) {
            self.init(succeeded: run.rowsSucceeded, failed: run.rowsFailed, cancelled: run.rowsCancelled, total: run.sourceRows)
        }

        init(_ shard: ShardProgress) {
            self.init(succeeded: shard.rowsSucceeded, failed: shard.failed, cancelled: shard.cancelled, total: shard.sourceRows)
        }

        /// Each segment's start and width in percent of the bar, in drawing order.
        var spans: [(name: String, x: Double, width: Double)] {
            let total = Double(max(1, self.total))
            var x = 0.0
            return [("succeeded", succeeded), ("failed", failed), ("cancelled", cancelled), ("open", open)].map { name, count in
                let width = Double(count) / total * 100
                defer { x += width }
                return (name, x, width)
            }
        }
    }

    static func svg(_ segments: Segments, label: String) -> HTML {
        let rects = segments.spans.map { span in
            HTML(
                "<rect class=\"seg-\(span.name)\" data-seg=\"\(span.name)\" x=\"\(fixed: span.x)\" y=\"0\" width=\"\(fixed: span.width)\" height=\"10\"></rect>"
            )
        }
        return """
            <svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" role="img" aria-label="\(label)">\(rects)</svg>
            """
    }
}
