/// The viewer's stylesheet and script, served from this binary under /assets: a strict
/// Content-Security-Policy allows only these (no inline script or style, nothing from elsewhere).
enum ViewerAssets {
    static let stylesheet = """
        :root { --ok: #2e7d32; --bad: #c62828; --off: #9e9e9e; --open: #e0e0e0; --mark: #fff59d; --ink: #212121; }
        body { font: 15px/1.45 system-ui, sans-serif; color: var(--ink); margin: 0; }
        header { background: #263238; color: #fff; padding: .6em 1.2em; }
        header a { color: #fff; }
        main { padding: 1em 1.2em; max-width: 1400px; }
        table { border-collapse: collapse; margin: .5em 0 1.2em; }
        th, td { border-bottom: 1px solid #ddd; padding: .3em .6em; text-align: left; vertical-align: top; }
        .text { white-space: pre-wrap; unicode-bidi: plaintext; overflow-wrap: anywhere; max-width: 48em; }
        .bar { width: 14em; height: .9em; vertical-align: middle; margin-right: .5em; background: var(--open); }
        .bar-cell { white-space: nowrap; }
        .seg-succeeded { fill: var(--ok); } .seg-failed { fill: var(--bad); } .seg-cancelled { fill: var(--off); } .seg-open { fill: var(--open); }
        .chart { width: 100%; max-width: 600px; height: 120px; border: 1px solid #ddd; }
        .chart .axis { font-size: 9px; fill: #555; }
        .quiet { color: #666; }
        .alert { background: #ffebee; border-left: 4px solid var(--bad); padding: .5em 1em; }
        .pair { display: grid; grid-template-columns: 1fr 1fr; gap: 1.5em; }
        mark { background: var(--mark); }
        .tree, .tree ul { list-style: none; padding-left: 1.1em; margin: 0; border-left: 1px solid #bbb; }
        .tree li { margin: .15em 0; }
        .node { unicode-bidi: plaintext; }
        .node.added { background: var(--mark); font-weight: 600; }
        .state-failed, .state-down, .state-quota { color: var(--bad); } .state-succeeded, .state-up { color: var(--ok); }
        .filters label { margin-right: 1em; }
        .step { border-top: 1px solid #ccc; margin-top: 1em; }
        """

    /// Live numbers: a page whose body names a JSON endpoint in `data-live` asks it every three
    /// seconds and sets each `[data-run] [data-field]` cell's text and each bar segment's
    /// attributes. Text is set as text, never as markup.
    static let script = """
        "use strict";
        (function () {
          const source = document.body && document.body.dataset.live;
          if (!source) return;
          async function refresh() {
            try {
              const response = await fetch(source, { credentials: "same-origin", cache: "no-store" });
              if (!response.ok) return;
              for (const run of await response.json()) {
                for (const row of document.querySelectorAll('[data-run="' + CSS.escape(run.run) + '"]')) {
                  for (const cell of row.querySelectorAll("[data-field]")) {
                    const value = run[cell.dataset.field];
                    if (typeof value === "string") cell.textContent = value;
                  }
                  for (const rect of row.querySelectorAll("rect[data-seg]")) {
                    const segment = run.segments[rect.dataset.seg];
                    if (segment) { rect.setAttribute("x", segment.x); rect.setAttribute("width", segment.width); }
                  }
                }
              }
              document.body.dataset.refreshed = String(Date.now());
            } catch (error) { /* the next refresh tries again */ }
          }
          setInterval(refresh, 3000);
        })();
        """
}
