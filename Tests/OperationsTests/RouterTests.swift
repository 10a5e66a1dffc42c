import Operations
import Testing

@Suite("OperationsRouter: paths and methods")
struct RouterTests {
    func head(_ method: String, _ path: String, body: Bool = false) -> HTTPRequestHead {
        var parser = HTTPRequestParser()
        parser.append(Array("\(method) \(path) HTTP/1.1\r\nHost: a\r\n\(body ? "Content-Length: 3\r\n" : "")\r\n".utf8))
        guard case .request(let head) = parser.next() else { fatalError("test request must parse") }
        return head
    }

    func text(_ response: HTTPResponse) -> String { String(decoding: response.body, as: UTF8.self) }

    @Test("unknown path: 404 naming the paths served")
    func notFound() {
        let response = OperationsRouter.respond(to: head("GET", "/nope"), snapshot: nil)
        #expect(response.status == 404)
        #expect(text(response) == "not found: /nope (try /, /metrics, /status, /healthz)\n")
    }

    @Test("only GET and HEAD: 405 with Allow")
    func methods() {
        for method in ["POST", "PUT", "DELETE", "OPTIONS", "PATCH"] {
            let response = OperationsRouter.respond(to: head(method, "/metrics"), snapshot: nil)
            #expect(response.status == 405)
            #expect(response.header("allow") == "GET, HEAD")
            #expect(text(response) == "method \(method) not allowed; use GET or HEAD\n")
        }
        #expect(OperationsRouter.respond(to: head("GET", "/", body: true), snapshot: nil).status == 400)
    }

    @Test("the status page, health, and 503 before data")
    func pages() {
        let page = OperationsRouter.respond(to: head("GET", "/"), snapshot: nil)
        #expect(page.status == 200)
        #expect(page.header("content-type") == "text/html; charset=utf-8")
        #expect(text(page).contains("fetch(\"status\""))
        #expect(!text(page).contains("http://") && !text(page).contains("https://"))  // self-contained
        #expect(OperationsRouter.respond(to: head("GET", "/healthz"), snapshot: nil).status == 200)
        #expect(OperationsRouter.respond(to: head("GET", "/metrics"), snapshot: nil).status == 503)
    }

    @Test("HEAD: the GET's headers and Content-Length, no body")
    func headMethod() {
        let response = OperationsRouter.respond(to: head("HEAD", "/healthz"), snapshot: nil)
        let wire = String(decoding: response.serialized(keepAlive: true, isHead: true), as: UTF8.self)
        #expect(wire == "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nCache-Control: no-store\r\n"
            + "Content-Length: 3\r\nConnection: keep-alive\r\n\r\n")
    }
}
