import NIOCore
import WebSocketWire

/// The replay half of a simulated connection: the pump that sends due frames through the fault
/// injector, the client's frames, and the ways a connection ends.
extension SimulatorConnectionHandler {
    // MARK: Replay

    /// Injects `fault` into this open connection.
    func apply(_ fault: Fault) {
        guard state == .webSocket, let venue else { return }
        core.emit(.faultInjected(venue: venue.profile.id, fault: fault, armed: false))
        perform(injector.inject(fault, at: lastFrameT))
    }

    /// Sends everything due, then sleeps until the next frame falls due.
    func pump() {
        guard state == .webSocket, !isMuted, var current = player, let loop = context?.eventLoop else { return }
        let (outputs, wakeAt) = current.poll(now: core.clock.now())
        player = current
        for output in outputs {
            guard state == .webSocket, !isMuted else { return }
            switch output {
            case .frame(let frame):
                lastFrameT = frame.t
                perform(injector.process(frame))
                replayedFrames += 1
                let played = replayedFrames
                let due = pendingSteps.filter { $0.afterFrames <= played }
                pendingSteps.removeAll { $0.afterFrames <= played }
                for step in due where state == .webSocket { apply(step.fault) }
            case .disconnect(let code, let reason):
                if let code, code != 1006, let closeCode = UInt16(exactly: code) {
                    startClose(code: WebSocketCloseCode(rawValue: closeCode), reason: reason ?? "")
                } else {
                    drop(reason: "recorded disconnect\(reason.map { ": \($0)" } ?? "")")
                }
            case .finished:
                if case .close(let code, let reason) = core.configuration.sessionEnd {
                    startClose(code: WebSocketCloseCode(rawValue: code), reason: reason)
                }
            }
        }
        wakeTimer?.cancel()
        wakeTimer = nil
        if let wakeAt, state == .webSocket, !isMuted {
            wakeTimer = core.clock.schedule(at: wakeAt, on: loop) { [self] in pump() }
        }
    }

    func perform(_ actions: [FaultInjector.Action]) {
        for action in actions {
            guard state == .webSocket, !isMuted else { return }
            switch action {
            case .send(let frame):
                guard let engine else { return }
                do {
                    try engine.send(frame.payload, opcode: frame.isBinary ? .binary : .text, compress: frame.isCompressible)
                } catch {
                    drop(reason: "cannot send: \(error)")
                    return
                }
                flushEngine()
            case .dropConnection:
                drop(reason: "fault: TCP dropped without a close frame")
            case .stopSending:
                isMuted = true
                closeReason = "half-open (the simulator went silent)"
                wakeTimer?.cancel()
            case .close(let code, let reason, let after):
                guard after > 0, let loop = context?.eventLoop else {
                    startClose(code: WebSocketCloseCode(rawValue: code), reason: reason)
                    continue
                }
                let deadline = core.clock.now() &+ core.configuration.speed.nanosecondsForTimer(sessionMilliseconds: after)
                core.clock.schedule(at: deadline, on: loop) { [self] in
                    startClose(code: WebSocketCloseCode(rawValue: code), reason: reason)
                }
            }
        }
    }

    func receiveFrames(_ bytes: [UInt8]) {
        guard let engine else { return }
        let events = engine.receive(bytes)
        if isMuted {
            // Half-open: read and discard; no pong, no close reply.
            _ = engine.takeOutbound()
            return
        }
        for event in events {
            switch event {
            case .message(let payload, _):
                guard state == .webSocket else { continue }
                if orderSession.desk != nil {
                    // Orders hook: order connections speak their venue's dialect (Orders/).
                    receiveOrderMessage(payload)
                    continue
                }
                if core.configuration.answersTextPing && payload == Array("ping".utf8) {
                    try? engine.send(Array("pong".utf8), opcode: .text, compress: false)
                }
                player?.clientDidSend(payload, at: core.clock.now())
                if heartbeatTimer == nil { scheduleHeartbeat() }
            case .close(let code, let reason):
                if !didStartClose { closeReason = "the client closed (\(code.rawValue)\(reason.isEmpty ? "" : " \(reason)"))" }
            case .ping, .pong:
                break
            }
        }
        if let failure = engine.failure { closeReason = "client protocol error: \(failure.message)" }
        flushEngine()
        if engine.isFinished {
            // RFC 6455 §7.1.1: the server closes TCP first once both close frames are exchanged.
            state = .closing
            wakeTimer?.cancel()
            closeTCP()
            return
        }
        pump()
    }

    /// Sends the venue's heartbeat every `heartbeatIntervalMilliseconds` while the connection is
    /// open and not half-open, independent of the recorded frames (a stalled feed keeps its
    /// heartbeats; a half-open socket sends nothing).
    func scheduleHeartbeat() {
        guard let frame = venue?.profile.heartbeatFrame, state == .webSocket, let loop = context?.eventLoop else { return }
        let interval = UInt64(max(core.configuration.heartbeatIntervalMilliseconds, 1)) &* 1_000_000
        heartbeatTimer = core.clock.schedule(at: core.clock.now() &+ interval, on: loop) { [self] in
            guard state == .webSocket, !isMuted, let engine else { return }
            do {
                try engine.send(Array(frame.utf8), opcode: .text, compress: true)
            } catch {
                drop(reason: "cannot send a heartbeat: \(error)")
                return
            }
            flushEngine()
            scheduleHeartbeat()
        }
    }

    // MARK: Output and closing

    func startClose(code: WebSocketCloseCode, reason: String) {
        guard state == .webSocket, let engine, let loop = context?.eventLoop else { return }
        engine.close(code: code, reason: reason)
        didStartClose = true
        closeReason = "server closed with \(code.rawValue)\(reason.isEmpty ? "" : " \(reason)")"
        flushEngine()
        state = .closing
        wakeTimer?.cancel()
        closeTimer = loop.scheduleTask(in: .nanoseconds(core.configuration.closeTimeoutNanoseconds)) { [self] in
            closeTCP()
        }
    }

    /// Closes TCP without any close frame or TLS close_notify.
    func drop(reason: String) {
        closeReason = reason
        state = .closed
        wakeTimer?.cancel()
        context?.close(promise: nil)
    }

    func flushEngine() {
        guard let engine else { return }
        let bytes = engine.takeOutbound()
        if !bytes.isEmpty && !isMuted { writeRaw(bytes) }
    }

    func writeRaw(_ bytes: [UInt8]) {
        guard let context, !bytes.isEmpty else { return }
        if let tls {
            do {
                try tls.writePlaintext(bytes)
            } catch {
                drop(reason: error.message)
                return
            }
            flushTLS()
        } else {
            lastWrite = context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)))
        }
    }

    func flushTLS() {
        guard let tls, let context else { return }
        let ciphertext = tls.takeCiphertext()
        // Half-open: not even TLS records (tickets, alerts) leave.
        if !ciphertext.isEmpty && !isMuted {
            lastWrite = context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: ciphertext)))
        }
    }

    /// Closes TCP once everything written has left (close_notify first on TLS).
    func closeTCP() {
        guard let context else { return }
        closeTimer?.cancel()
        if let tls {
            tls.close()
            flushTLS()
        }
        let channel = context.channel
        if let lastWrite {
            lastWrite.whenComplete { _ in channel.close(promise: nil) }
        } else {
            channel.close(promise: nil)
        }
    }
}
