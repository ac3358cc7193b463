import TaskStore

/// Ended attempts per minute as a bar chart, drawn by the server as inline SVG (no script, no
/// library): succeeded in one colour, the others stacked on top in another.
enum ThroughputChart {
    static let width = 600.0
    static let height = 120.0

    static func svg(_ minutes: [MinuteCount]) -> HTML {
        guard let first = minutes.first, let last = minutes.last else {
            return "<p class=\"quiet\">No attempt has ended yet.</p>"
        }
        let span = max(1, Int((last.minute - first.minute) / 60) + 1)
        let slot = width / Double(span)
        let peak = Double(max(1, minutes.map { $0.succeeded + $0.notSucceeded }.max() ?? 1))
        let bars = minutes.map { minute -> HTML in
            let x = Double(Int((minute.minute - first.minute) / 60)) * slot
            let good = Double(minute.succeeded) / peak * (height - 14)
            let bad = Double(minute.notSucceeded) / peak * (height - 14)
            return """
                <g><title>\(minute.succeeded) succeeded, \(minute.notSucceeded) not</title>\
                <rect class="seg-succeeded" x="\(fixed: x)" y="\(fixed: height - good)" width="\(fixed: max(1, slot - 1))" height="\(fixed: good)"></rect>\
                <rect class="seg-failed" x="\(fixed: x)" y="\(fixed: height - good - bad)" width="\(fixed: max(1, slot - 1))" height="\(fixed: bad)"></rect></g>
                """
        }
        return """
            <svg class="chart" viewBox="0 0 \(fixed: width) \(fixed: height)" role="img" aria-label="attempts per minute, peak \(Int(peak))">\
            <text x="2" y="10" class="axis">\(Int(peak))/min</text>\(bars)</svg>
            <p class="quiet">Attempts per minute over the run's last \(span) minute\(span == 1 ? "" : "s") of activity.</p>
            """
    }
}
