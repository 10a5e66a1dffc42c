/// Routes operator requests: `GET`/`HEAD` only (405 with `Allow` otherwise), `/metrics`,
/// `/status`, `/` (the status page), `/healthz`; anything else is 404. Pure: the data comes from
/// the snapshot the caller gathered.
public enum OperationsRouter {
    /// The paths served.
    public static let paths = ["/", "/metrics", "/status", "/healthz"]

    /// Whether `head` needs a fresh snapshot (so the server gathers one only when it does).
    public static func needsSnapshot(_ head: HTTPRequestHead) -> Bool {
        isAllowed(head.method) && !head.hasBody && (head.path == "/metrics" || head.path == "/status")
    }

    /// The response to `head`; `snapshot` is used by `/metrics` and `/status`.
    public static func respond(to head: HTTPRequestHead, snapshot: OperationsSnapshot?) -> HTTPResponse {
        guard isAllowed(head.method) else {
            return .text(405, "method \(head.method) not allowed; use GET or HEAD", headers: [("Allow", "GET, HEAD")])
        }
        guard !head.hasBody else { return .text(400, "request bodies are not accepted") }
        switch head.path {
        case "/", "/index.html":
            return HTTPResponse(status: 200, contentType: "text/html; charset=utf-8", body: Array(StatusPage.html.utf8))
        case "/metrics":
            guard let snapshot else { return .text(503, "metrics are not available yet") }
            return HTTPResponse(status: 200, contentType: PrometheusText.contentType, body: Array(MetricsExporter.render(snapshot).utf8))
        case "/status":
            guard let snapshot else { return .text(503, "status is not available yet") }
            return HTTPResponse(status: 200, contentType: "application/json", body: Array(StatusDocument.render(snapshot).utf8))
        case "/healthz":
            return .text(200, "ok")
        default:
            return .text(404, "not found: \(head.path) (try \(paths.joined(separator: ", ")))")
        }
    }

    static func isAllowed(_ method: String) -> Bool { method == "GET" || method == "HEAD" }
}
