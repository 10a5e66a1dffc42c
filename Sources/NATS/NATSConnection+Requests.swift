import NIOCore

/// Request-reply plumbing: one wildcard inbox subscription per connection, one token per request.
extension NATSConnection {
    /// Request-reply from the loop (see ``request(subject:payload:headers:timeout:)``).
    public func requestOnLoop(subject: String, payload: [UInt8], headers: NATSHeaders? = nil,
                              timeout: TimeAmount = .seconds(5)) -> EventLoopFuture<NATSMessage> {
        let inbox = inboxSubscription()
        let token = String(nextRequestID)
        nextRequestID += 1
        let promise = eventLoop.makePromise(of: NATSMessage.self)
        let timer = eventLoop.scheduleTask(in: timeout) { [self] () -> Void in
            guard let request = requests.removeValue(forKey: token) else { return }
            request.promise.fail(NATSError(.timeout, "no reply to request on '\(subject)' within \(timeout.nanoseconds / 1_000_000) ms"))
        }
        requests[token] = (promise, timer)
        let outcome = publishOnLoop(subject: subject, replyTo: inbox + token, headers: headers, payload: payload, isDroppable: false)
        if case .rejected(let error) = outcome {
            timer.cancel()
            requests[token] = nil
            promise.fail(error)
        }
        return promise.futureResult
    }

    func inboxSubscription() -> String {
        if let inbox { return inbox.prefix }
        var generator = SystemRandomNumberGenerator()
        let prefix = "_INBOX.\(String(generator.next(), radix: 36))\(String(generator.next(), radix: 36))."
        let sid = core.subscribe(subject: prefix + "*")
        inbox = (prefix, sid)
        return prefix
    }

    func completeRequest(_ message: NATSMessage, inboxPrefix: String) {
        let token = String(message.subject.dropFirst(inboxPrefix.count))
        guard let request = requests.removeValue(forKey: token) else { return }
        request.timeout.cancel()
        if message.headers?.status == 503 {
            request.promise.fail(NATSError(.serverError, "no responders"))
        } else {
            request.promise.succeed(message)
        }
    }
}
