/// The frame of every page: the stylesheet and script this server serves itself (nothing is
/// fetched from elsewhere), a header with the way back, and the page's own content.
enum Layout {
    static func page(title: String, trail: [(label: String, href: String)] = [], live: String? = nil, _ content: HTML) -> HTML {
        let crumbs = trail.map { HTML(" / <a href=\"\($0.href)\">\($0.label)</a>") }
        let liveAttribute: HTML = live.map { "data-live=\"\($0)\"" } ?? ""
        return """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title) · TreeInstruct</title>
            <link rel="stylesheet" href="/assets/viewer.css">
            <script src="/assets/viewer.js" defer></script>
            </head>
            <body \(liveAttribute)>
            <header><a href="/" class="home">TreeInstruct</a>\(crumbs)</header>
            <main>
            \(content)
            </main>
            </body>
            </html>
            """
    }
}
